// SPDX-License-Identifier: Apache-2.0
// `summary --by FIELD` and `summary --histogram BUCKET` (the analysis views' aggregates, as
// tables or JSON), and `analysis bench` (their recompute time).
#include "commands.h"

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
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>

namespace auditscope::cli {

namespace {

constexpr const char* SummaryByUsage =
    R"(Usage: auditscope-cli summary --by user|resource|namespace|verb|code [--json] [--query EXPR] PATH...
       auditscope-cli summary --histogram BUCKET [--stack verb|code|principal|user] [--top N]
                              [--json] [--query EXPR] PATH...

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

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// CPU time of the whole process (all threads), ms: less disturbed by other load than wall time.
double processCpuMs()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

void writeAll(const std::string& text)
{
    std::fwrite(text.data(), 1, text.size(), stdout);
}

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

void appendNumber(std::string& out, std::string_view key, std::uint64_t value)
{
    appendJsonKey(out, key);
    out += std::to_string(value);
    out += ',';
}

void appendStringOrNull(
    std::string& out, std::string_view key, bool present, std::string_view value)
{
    appendJsonKey(out, key);
    if (present)
        appendJsonString(out, value);
    else
        out += "null";
    out += ',';
}

template <class Id, class Pool>
void appendStringArray(
    std::string& out, std::string_view key, const std::vector<Id>& ids, const Pool& pool)
{
    appendJsonKey(out, key);
    out += '[';
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i > 0)
            out += ',';
        appendJsonString(out, pool.view(ids[i].value));
    }
    out += "],";
}

void appendTimes(std::string& out, std::int64_t firstNs, std::int64_t lastNs)
{
    appendJsonKey(out, "firstTime");
    appendJsonString(out, formatRfc3339Micros(firstNs));
    out += ',';
    appendJsonKey(out, "lastTime");
    appendJsonString(out, formatRfc3339Micros(lastNs));
    out += ',';
}

// Closes an object whose last member ended with ','.
void closeObject(std::string& out)
{
    if (!out.empty() && out.back() == ',')
        out.pop_back();
    out += '}';
}

std::string usersOutput(const EventStore& store, const UsersAggregate& users, bool json)
{
    const StringPools& p = store.pools;
    if (json) {
        std::string out = "[";
        for (std::size_t i = 0; i < users.users.size(); ++i) {
            const UserSummary& u = users.users[i];
            out += i == 0 ? "\n" : ",\n";
            out += '{';
            appendStringOrNull(out, "user", bool(u.user), userDisplayName(store, u.user));
            appendJsonKey(out, "kind");
            appendJsonString(out, principalKindName(u.kind));
            out += ',';
            const std::string_view ns =
                u.user ? serviceAccountNamespace(p.users.view(u.user.value)) : std::string_view();
            appendStringOrNull(out, "serviceAccountNamespace", !ns.empty(), ns);
            appendNumber(out, "events", u.events);
            appendNumber(out, "writes", u.writes);
            appendNumber(out, "deletes", u.deletes);
            appendNumber(out, "authFailures", u.authFailures);
            appendTimes(out, u.firstNs, u.lastNs);
            appendStringArray(out, "sourceIPs", u.sourceIps, p.sourceIps);
            appendStringArray(out, "userAgents", u.userAgents, p.userAgents);
            appendStringArray(out, "groups", u.groups, p.groups);
            appendJsonKey(out, "impersonated");
            out += '[';
            bool first = true;
            for (const ImpersonationEdge& e : users.impersonations) {
                if (e.user != u.user)
                    continue;
                out += first ? "{" : ",{";
                first = false;
                appendJsonKey(out, "user");
                appendJsonString(out, p.users.view(e.impersonated.value));
                out += ',';
                appendJsonKey(out, "events");
                out += std::to_string(e.events) + "}";
            }
            out += "],";
            appendJsonKey(out, "query");
            appendJsonString(out, userFilter(store, u.user));
            closeObject(out);
        }
        return out + "\n]\n";
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
        std::string out = "[";
        for (std::size_t i = 0; i < agg.rows.size(); ++i) {
            const FieldSummary& r = agg.rows[i];
            out += i == 0 ? "\n" : ",\n";
            out += '{';
            const bool present = r.value != FieldSummary::Absent;
            switch (agg.field) {
            case SummaryField::Namespace:
                appendStringOrNull(
                    out, "namespace", present, present ? p.namespaces.view(r.value) : "");
                break;
            case SummaryField::Verb:
                appendStringOrNull(out, "verb", present, present ? p.verbs.view(r.value) : "");
                break;
            case SummaryField::Code:
                appendJsonKey(out, "code");
                out += r.value == 0 ? std::string("null") : std::to_string(r.value);
                out += ',';
                break;
            case SummaryField::Resource:
                appendStringOrNull(out, "apiGroup", !r.nonResource,
                    r.nonResource ? "" : p.apiGroups.view(r.apiGroup.value));
                appendStringOrNull(out, "resource", bool(r.resource),
                    r.resource ? p.resources.view(r.resource.value) : "");
                appendStringOrNull(out, "subresource", bool(r.subresource),
                    r.subresource ? p.subresources.view(r.subresource.value) : "");
                appendStringOrNull(out, "path", r.nonResource && r.path != FieldSummary::Absent,
                    r.nonResource && r.path != FieldSummary::Absent ? agg.paths[r.path] : "");
                break;
            }
            appendNumber(out, "events", r.events);
            appendNumber(out, "writes", r.writes);
            appendNumber(out, "deletes", r.deletes);
            appendNumber(out, "authFailures", r.authFailures);
            appendNumber(out, "principals", r.distinctPrincipals);
            appendTimes(out, r.firstNs, r.lastNs);
            appendJsonKey(out, "query");
            appendJsonString(out, fieldSummaryFilter(store, agg, r));
            closeObject(out);
        }
        return out + "\n]\n";
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
        std::string out = "[";
        for (std::size_t b = 0; b < t.bucketCount; ++b) {
            out += b == 0 ? "\n" : ",\n";
            out += '{';
            appendJsonKey(out, "start");
            appendJsonString(out, formatQueryTime(t.bucketStartNs(b)));
            out += ',';
            appendJsonKey(out, "events");
            out += std::to_string(t.bucketTotal(b));
            if (stacked) {
                out += ',';
                appendJsonKey(out, "stack");
                out += '{';
                for (std::size_t s = 0; s < t.seriesCount(); ++s) {
                    if (s > 0)
                        out += ',';
                    appendJsonKey(out, t.seriesNames[s]);
                    out += std::to_string(t.count(b, s));
                }
                out += '}';
            }
            out += '}';
        }
        return out + "\n]\n";
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
    std::string by, histogram, stack;
    int top = 5;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == "--json") {
            json = true;
        } else if (a == "--query" && hasValue) {
            if (!(query = parseQueryArgument(args[++i])))
                return UsageError;
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
            return std::fputs(SummaryByUsage, stdout), Success;
        } else if (a.size() > 1 && a[0] == '-') {
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
    if (query)
        rows = runQuery(store, *query).rows;
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
            return std::fputs(AnalysisUsage, stdout), Success;
        return usageError("analysis takes the subcommand 'bench'", AnalysisUsage);
    }
    int repeat = 5;
    unsigned threads = 2;
    std::optional<Query> query;
    std::vector<std::string> paths;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--repeat" && i + 1 < args.size())
            repeat = std::max(1, std::atoi(args[++i].c_str()));
        else if (a == "--threads" && i + 1 < args.size())
            threads = static_cast<unsigned>(std::max(1, std::atoi(args[++i].c_str())));
        else if (a == "--query" && i + 1 < args.size()) {
            if (!(query = parseQueryArgument(args[++i])))
                return UsageError;
        } else if (a == "-h" || a == "--help")
            return std::fputs(AnalysisUsage, stdout), Success;
        else if (a.size() > 1 && a[0] == '-')
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
        const RowSet rows = runQuery(store, *query).rows;
        benchOver(EventSelection{rows}, "query rows");
    }
    return Success;
}

} // namespace auditscope::cli
