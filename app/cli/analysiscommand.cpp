// SPDX-License-Identifier: Apache-2.0
// `summary --by FIELD` and `summary --histogram BUCKET` (the analysis views' aggregates, as
// tables or JSON), and `analysis bench` (their recompute time).
#include "arguments.h"
#include "commands.h"
#include "detectsupport.h"
#include "output.h"
#include "timing.h"

#include "analysis/fieldaggregate.h"
#include "analysis/filtertext.h"
#include "analysis/resourceindex.h"
#include "analysis/resourcesaggregate.h"
#include "analysis/timeline.h"
#include "analysis/usersaggregate.h"
#include "common/timestamp.h"
#include "load/loader.h"
#include "query/queryengine.h"
#include "report/jsonwriter.h"
#include "report/summary.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>

namespace auditscope::cli {

namespace {

constexpr const char* SummaryByUsage =
    R"(Usage: auditscope-cli summary --by user|resource|namespace|verb|code [--json]
                              [--query EXPR [--rules FILE]] PATH...
       auditscope-cli summary --histogram BUCKET [--stack verb|code|principal|user] [--top N]
                              [--json] [--query EXPR [--rules FILE]] PATH...

--by         one row per user (kind, events, writes, deletes, 401/403 failures, first and
             last time, source IPs, user agents), resource (RBAC style: pods/log,
             deployments.apps; non-resource requests by path), namespace, verb or code;
             most events first
--histogram  events per time bucket (30s, 1m, 5m, 1h, 1d, ...), RFC 3339 UTC bucket starts
--stack      split each bucket by verb class, response class, principal kind, or the --top N
             most active users (default 5) and "other"
)";

constexpr const char* AnalysisUsage =
    R"(Usage: auditscope-cli analysis bench [--repeat N] [--threads N] [--query EXPR] PATH...

bench  loads PATH once, builds the resource index (once per snapshot), then recomputes
       the timeline, users and resources aggregates N times (default 5) and prints the
       best and median wall time, the process CPU time, and the best scaled to 10 M
       events; with --query, also over the query's rows
)";

// Seconds precision for the text tables.
std::string shortTime(std::int64_t ns)
{
    return formatRfc3339Micros(ns).substr(0, 19) + "Z";
}

/// A text table: left-aligned first `textColumns` columns, the rest right-aligned.
class Table
{
public:
    Table(std::vector<std::string> header, std::size_t textColumns)
        : m_textColumns(textColumns)
    {
        m_rows.push_back(std::move(header));
    }
    void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
    std::string render() const
    {
        std::vector<std::size_t> widths(m_rows.front().size(), 0);
        for (const auto& row : m_rows)
            for (std::size_t c = 0; c < row.size(); ++c)
                widths[c] = std::max(widths[c], row[c].size());
        std::string out;
        for (const auto& row : m_rows) {
            std::string line;
            for (std::size_t c = 0; c < row.size(); ++c) {
                const std::string pad(widths[c] - row[c].size(), ' ');
                if (c > 0)
                    line += "  ";
                line += c < m_textColumns ? row[c] + (c + 1 < row.size() ? pad : "") : pad + row[c];
            }
            out += line + "\n";
        }
        return out;
    }

private:
    std::size_t m_textColumns;
    std::vector<std::vector<std::string>> m_rows;
};

template <class Id, class Pool>
void stringArray(JsonWriter& w, std::string_view key, const std::vector<Id>& ids, const Pool& pool)
{
    w.beginArray(key);
    for (const Id id : ids)
        w.string(pool.view(id.value));
    w.endArray();
}

std::string usersOutput(const EventStore& store, const UsersAggregate& users, bool json)
{
    const StringPools& p = store.pools;
    if (json) {
        std::string out;
        JsonWriter w(out);
        w.beginArray(JsonWriter::Layout::OnePerLine);
        for (const UserSummary& u : users.users) {
            w.beginObject();
            w.optionalString("user",
                u.user ? std::optional<std::string_view>(userDisplayName(store, u.user))
                       : std::nullopt);
            w.string("kind", principalKindName(u.kind));
            const std::string_view ns =
                u.user ? serviceAccountNamespace(p.users.view(u.user.value)) : std::string_view();
            w.stringOrNull("serviceAccountNamespace", ns);
            w.number("events", u.events);
            w.number("writes", u.writes);
            w.number("deletes", u.deletes);
            w.number("authFailures", u.authFailures);
            w.time("firstTime", u.firstNs);
            w.time("lastTime", u.lastNs);
            stringArray(w, "sourceIPs", u.sourceIps, p.sourceIps);
            stringArray(w, "userAgents", u.userAgents, p.userAgents);
            stringArray(w, "groups", u.groups, p.groups);
            w.beginArray("impersonated");
            for (const ImpersonationEdge& e : users.impersonations) {
                if (e.user != u.user)
                    continue;
                w.beginObject();
                w.string("user", p.users.view(e.impersonated.value));
                w.number("events", e.events);
                w.endObject();
            }
            w.endArray();
            w.string("query", userFilter(store, u.user));
            w.endObject();
        }
        w.endArray();
        return out + "\n";
    }
    Table table({"USER", "KIND", "EVENTS", "WRITES", "DELETES", "401/403", "IPS", "AGENTS", "FIRST",
                    "LAST"},
        2);
    for (const UserSummary& u : users.users)
        table.add(
            {std::string(userDisplayName(store, u.user)), std::string(principalKindName(u.kind)),
                std::to_string(u.events), std::to_string(u.writes), std::to_string(u.deletes),
                std::to_string(u.authFailures), std::to_string(u.sourceIps.size()),
                std::to_string(u.userAgents.size()), shortTime(u.firstNs), shortTime(u.lastNs)});
    std::string out = table.render();
    if (!users.impersonations.empty()) {
        out += "\nImpersonation:\n";
        for (const ImpersonationEdge& e : users.impersonations)
            out += "  " + std::string(userDisplayName(store, e.user)) + " -> "
                + std::string(p.users.view(e.impersonated.value)) + ": " + std::to_string(e.events)
                + " events\n";
    }
    return out;
}

std::string fieldOutput(const EventStore& store, const FieldAggregate& agg, bool json)
{
    const StringPools& p = store.pools;
    const char* fieldName = agg.field == SummaryField::Namespace ? "namespace"
        : agg.field == SummaryField::Verb                        ? "verb"
        : agg.field == SummaryField::Code                        ? "code"
                                                                 : "resource";
    if (json) {
        std::string out;
        JsonWriter w(out);
        w.beginArray(JsonWriter::Layout::OnePerLine);
        for (const FieldSummary& r : agg.rows) {
            w.beginObject();
            const bool present = r.value != FieldSummary::Absent;
            switch (agg.field) {
            case SummaryField::Namespace:
                w.optionalString("namespace",
                    present ? std::optional<std::string_view>(p.namespaces.view(r.value))
                            : std::nullopt);
                break;
            case SummaryField::Verb:
                w.optionalString("verb",
                    present ? std::optional<std::string_view>(p.verbs.view(r.value))
                            : std::nullopt);
                break;
            case SummaryField::Code:
                w.optionalNumber(
                    "code", r.value == 0 ? std::nullopt : std::optional<std::int64_t>(r.value));
                break;
            case SummaryField::Resource:
                w.optionalString("apiGroup",
                    r.nonResource
                        ? std::nullopt
                        : std::optional<std::string_view>(p.apiGroups.view(r.apiGroup.value)));
                w.optionalString("resource",
                    r.resource ? std::optional<std::string_view>(p.resources.view(r.resource.value))
                               : std::nullopt);
                w.optionalString("subresource",
                    r.subresource
                        ? std::optional<std::string_view>(p.subresources.view(r.subresource.value))
                        : std::nullopt);
                w.optionalString("path",
                    r.nonResource && r.path != FieldSummary::Absent
                        ? std::optional<std::string_view>(agg.paths[r.path])
                        : std::nullopt);
                break;
            }
            w.number("events", r.events);
            w.number("writes", r.writes);
            w.number("deletes", r.deletes);
            w.number("authFailures", r.authFailures);
            w.number("principals", r.distinctPrincipals);
            w.time("firstTime", r.firstNs);
            w.time("lastTime", r.lastNs);
            w.string("query", fieldSummaryFilter(store, agg, r));
            w.endObject();
        }
        w.endArray();
        return out + "\n";
    }
    std::string header(fieldName);
    std::transform(header.begin(), header.end(), header.begin(),
        [](char c) { return static_cast<char>(c - 'a' + 'A'); });
    Table table(
        {header, "EVENTS", "WRITES", "DELETES", "401/403", "PRINCIPALS", "FIRST", "LAST"}, 1);
    for (const FieldSummary& r : agg.rows)
        table.add({fieldSummaryLabel(store, agg, r), std::to_string(r.events),
            std::to_string(r.writes), std::to_string(r.deletes), std::to_string(r.authFailures),
            std::to_string(r.distinctPrincipals), shortTime(r.firstNs), shortTime(r.lastNs)});
    return table.render();
}

std::string histogramOutput(const Timeline& t, bool json)
{
    const bool stacked = t.stack != TimelineStack::None;
    if (json) {
        std::string out;
        JsonWriter w(out);
        w.beginArray(JsonWriter::Layout::OnePerLine);
        for (std::size_t b = 0; b < t.bucketCount; ++b) {
            w.beginObject();
            w.string("start", formatQueryTime(t.bucketStartNs(b)));
            w.number("events", t.bucketTotal(b));
            if (stacked) {
                w.beginObject("stack");
                for (std::size_t s = 0; s < t.seriesCount(); ++s)
                    w.number(t.seriesNames[s], t.count(b, s));
                w.endObject();
            }
            w.endObject();
        }
        w.endArray();
        return out + "\n";
    }
    std::vector<std::string> header{"BUCKET", "EVENTS"};
    if (stacked)
        header.insert(header.end(), t.seriesNames.begin(), t.seriesNames.end());
    Table table(header, 1);
    for (std::size_t b = 0; b < t.bucketCount; ++b) {
        std::vector<std::string> row{
            formatQueryTime(t.bucketStartNs(b)), std::to_string(t.bucketTotal(b))};
        if (stacked)
            for (std::size_t s = 0; s < t.seriesCount(); ++s)
                row.push_back(std::to_string(t.count(b, s)));
        table.add(std::move(row));
    }
    return table.render();
}

} // namespace

int runSummaryAnalysis(const std::vector<std::string>& args)
{
    bool json = false;
    std::optional<Query> query;
    std::string queryText;
    std::optional<std::string> rulesFile;
    std::string by, histogram, stack;
    int top = 5;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == "--json") {
            json = true;
        } else if (a == "--query" && hasValue) {
            if (!(query = parseQueryArgument(queryText = args[++i])))
                return UsageError;
        } else if (a == "--rules" && hasValue) {
            rulesFile = args[++i];
        } else if (a == "--by" && hasValue) {
            by = args[++i];
        } else if (a == "--histogram" && hasValue) {
            histogram = args[++i];
        } else if (a == "--stack" && hasValue) {
            stack = args[++i];
        } else if (a == "--top" && hasValue) {
            top = std::atoi(args[++i].c_str());
            if (top < 1)
                return usageError("--top takes a positive number", SummaryByUsage);
        } else if (a == "-h" || a == "--help") {
            return printUsage(SummaryByUsage);
        } else if (isOption(a)) {
            return usageError("unknown option '" + a + "'", SummaryByUsage);
        } else {
            paths.push_back(a);
        }
    }
    if (!by.empty() && !histogram.empty())
        return usageError("--by and --histogram are separate summaries", SummaryByUsage);
    if (by.empty() && histogram.empty())
        return usageError("--stack and --top need --histogram", SummaryByUsage);
    if (!stack.empty() && histogram.empty())
        return usageError("--stack needs --histogram", SummaryByUsage);
    const std::vector<std::string> fields{"user", "resource", "namespace", "verb", "code"};
    if (!by.empty() && std::find(fields.begin(), fields.end(), by) == fields.end())
        return usageError("unknown --by field '" + by + "'", SummaryByUsage);
    std::optional<std::int64_t> bucketNs;
    if (!histogram.empty() && !(bucketNs = parseBucketWidth(histogram)))
        return usageError(
            "bad bucket width '" + histogram + "' (e.g. 30s, 1m, 1h)", SummaryByUsage);
    TimelineStack timelineStack = TimelineStack::None;
    if (stack == "verb")
        timelineStack = TimelineStack::Verb;
    else if (stack == "code")
        timelineStack = TimelineStack::Response;
    else if (stack == "principal")
        timelineStack = TimelineStack::PrincipalKind;
    else if (stack == "user")
        timelineStack = TimelineStack::Principal;
    else if (!stack.empty())
        return usageError("unknown --stack '" + stack + "'", SummaryByUsage);
    if (paths.empty())
        return usageError("no PATH given", SummaryByUsage);

    const LoadResult result = loadAuditLogs(paths);
    const int loadCode = reportLoad(result);
    const EventStore& store = *result.store;
    std::optional<RowSet> rows;
    if (query && !(rows = runQueryArgument(*query, queryText, result.store, rulesFile)))
        return UsageError;
    const EventSelection selection(rows);

    if (!histogram.empty()) {
        TimelineRequest request;
        request.bucketNs = *bucketNs;
        request.stack = timelineStack;
        request.lanes = top;
        const Timeline timeline = computeTimeline(store, selection, request);
        if (timeline.tooManyBuckets) {
            std::fprintf(stderr,
                "auditscope-cli: --histogram %s gives more than %zu buckets over %s .. %s; "
                "choose a wider bucket\n",
                histogram.c_str(), Timeline::MaxBuckets,
                formatQueryTime(timeline.range.fromNs).c_str(),
                formatQueryTime(timeline.range.toNs).c_str());
            return UsageError;
        }
        writeAll(histogramOutput(timeline, json));
    } else if (by == "user") {
        writeAll(usersOutput(store, aggregateUsers(store, selection), json));
    } else {
        const SummaryField field = by == "resource" ? SummaryField::Resource
            : by == "namespace"                     ? SummaryField::Namespace
            : by == "verb"                          ? SummaryField::Verb
                                                    : SummaryField::Code;
        ResourceIndex index;
        if (field == SummaryField::Resource)
            index = ResourceIndex::build(store);
        writeAll(fieldOutput(store, aggregateByField(store, selection, field, &index), json));
    }
    return finishOutput(loadCode);
}

int runAnalysis(const std::vector<std::string>& args)
{
    if (args.empty() || args.front() != "bench") {
        if (!args.empty() && (args.front() == "-h" || args.front() == "--help"))
            return printUsage(AnalysisUsage);
        return usageError("analysis takes the subcommand 'bench'", AnalysisUsage);
    }
    int repeat = 5;
    unsigned threads = 2;
    std::optional<Query> query;
    std::string queryText;
    std::vector<std::string> paths;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--repeat" && i + 1 < args.size())
            repeat = atLeastOne(args[++i]);
        else if (a == "--threads" && i + 1 < args.size())
            threads = static_cast<unsigned>(atLeastOne(args[++i]));
        else if (a == "--query" && i + 1 < args.size()) {
            if (!(query = parseQueryArgument(queryText = args[++i])))
                return UsageError;
        } else if (a == "-h" || a == "--help")
            return printUsage(AnalysisUsage);
        else if (isOption(a))
            return usageError("unknown option '" + a + "'", AnalysisUsage);
        else
            paths.push_back(a);
    }
    if (paths.empty())
        return usageError("no PATH given", AnalysisUsage);

    auto start = Clock::now();
    const LoadResult result = loadAuditLogs(paths);
    const EventStore& store = *result.store;
    std::printf("loaded %zu events in %.0f ms\n", store.size(), msSince(start));
    if (store.size() == 0)
        return NothingLoadable;
    AnalysisOptions options;
    options.threads = threads;
    start = Clock::now();
    const ResourceIndex index = ResourceIndex::build(store, options);
    std::printf("resource index (once per snapshot): %zu objects, %u request paths, %.1f B per "
                "event, %.1f ms\n",
        index.objects().size(), index.pathCount(),
        double(index.memoryBytes()) / double(store.size()), msSince(start));

    auto benchOver = [&](const EventSelection& selection, const char* title) {
        const std::size_t events = selection.all ? store.size() : selection.ids.size();
        std::printf(
            "\n%s: %zu events, %u threads, median of %d runs\n", title, events, threads, repeat);
        struct Case
        {
            const char* name;
            std::function<std::uint64_t()> run;
            std::vector<double> ms, cpuMs;
        };
        auto timelineCase = [&](TimelineStack stack) {
            return [&, stack] {
                TimelineRequest request;
                request.stack = stack;
                request.targetBuckets = 200;
                return computeTimeline(store, selection, request, options).total;
            };
        };
        std::vector<Case> cases;
        cases.push_back({"timeline (total)", timelineCase(TimelineStack::None), {}, {}});
        cases.push_back({"timeline (verb classes)", timelineCase(TimelineStack::Verb), {}, {}});
        cases.push_back(
            {"timeline (principal kinds)", timelineCase(TimelineStack::PrincipalKind), {}, {}});
        cases.push_back(
            {"timeline (8 user lanes)", timelineCase(TimelineStack::Principal), {}, {}});
        cases.push_back({"users",
            [&] { return aggregateUsers(store, selection, options).users.size(); }, {}, {}});
        cases.push_back({"resources",
            [&] {
                return std::uint64_t(
                    aggregateResources(store, index, selection, {}, options).nodes.size());
            },
            {}, {}});
        // "All three" as a linked-views refresh runs them: timeline by verb class, users and
        // resources, one after the other.
        cases.push_back({"timeline+users+resources",
            [&] { return cases[1].run() + cases[4].run() + cases[5].run(); }, {}, {}});
        for (int r = 0; r < repeat; ++r) {
            for (Case& c : cases) {
                const auto t0 = Clock::now();
                const double cpu0 = processCpuMs();
                c.run();
                c.ms.push_back(msSince(t0));
                c.cpuMs.push_back(processCpuMs() - cpu0);
            }
        }
        const double scale = events > 0 ? 10e6 / double(events) : 0;
        std::printf("  %-28s %10s %10s %10s   %s\n", "", "min ms", "median ms", "cpu ms",
            "min ms per 10 M events");
        for (const Case& c : cases)
            std::printf("  %-28s %10.1f %10.1f %10.1f   %.0f\n", c.name,
                *std::min_element(c.ms.begin(), c.ms.end()), median(c.ms), median(c.cpuMs),
                *std::min_element(c.ms.begin(), c.ms.end()) * scale);
    };
    benchOver(EventSelection{}, "all events");
    if (query) {
        const std::optional<RowSet> rows =
            runQueryArgument(*query, queryText, result.store, std::nullopt);
        if (!rows)
            return UsageError;
        benchOver(EventSelection{*rows}, "query rows");
    }
    return Success;
}

} // namespace auditscope::cli
