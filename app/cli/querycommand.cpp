// SPDX-License-Identifier: Apache-2.0
// `query check|complete|bench`, and the --query option of `events` and `summary`.
#include "arguments.h"
#include "commands.h"
#include "detectsupport.h"
#include "timing.h"

#include "chain/chainintegrity.h"
#include "detect/detectionengine.h"
#include "load/loader.h"
#include "query/findingterms.h"
#include "query/policyterms.h"
#include "query/querychars.h"
#include "query/querycompleter.h"
#include "query/queryengine.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace auditscope::cli {

namespace {

constexpr const char* QueryUsage = R"(Usage: auditscope-cli query check EXPR
       auditscope-cli query complete [--cursor N] EXPR PATH...
       auditscope-cli query bench [--repeat N] [--threads N] PATH... -- EXPR...

check     parse EXPR; print its canonical form, or the positioned error (exit 2)
complete  fields, or a field's values with event counts, at byte offset N (default: end);
          with finding or severity in EXPR, the detection rules run first for their values
bench     per EXPR: matching events, median ms over N runs (default 5), ms per 10 M events,
          raw bytes re-read and their throughput; then completion latency (an EXPR with
          finding: or severity runs the detection rules once first)
)";

// A --query has no policy to read: rule:, policylevel:, emitted: and policychange: would match
// nothing. Say so, and where the CLI does give a policy's outcome per event.
QueryError policyTermError(std::string_view text, const QueryNode& term)
{
    QueryError error;
    error.offset = std::min(term.offset, text.size());
    error.column = columnAt(text, error.offset);
    const std::string field(queryFieldName(term.field));
    error.message = "'" + field + ":' reads an audit policy's outcome, and --query has no policy: "
        + (term.field == QueryField::PolicyChange
                ? "compare two policies with 'policy impact --policy POLICY --against OLD PATH...'"
                : "see each event's rule and level with 'policy eval --policy POLICY PATH...'");
    return error;
}

int runCheck(const std::vector<std::string>& args)
{
    if (args.size() != 1)
        return usageError("query check takes one EXPR", QueryUsage);
    // Only the syntax: the filter bar reads policy terms when a policy is open.
    const std::optional<Query> query = parseQueryArgument(args.front(), PolicyTerms::Allow);
    if (!query)
        return UsageError;
    std::printf("%s\n", query->toString().c_str());
    return Success;
}

int runComplete(const std::vector<std::string>& args)
{
    std::optional<std::size_t> cursor;
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--cursor" && i + 1 < args.size())
            cursor = std::strtoull(args[++i].c_str(), nullptr, 10);
        else
            rest.push_back(args[i]);
    }
    if (rest.size() < 2)
        return usageError("query complete needs EXPR and PATH...", QueryUsage);
    const std::string text = rest.front();
    rest.erase(rest.begin());
    const LoadResult result = loadAuditLogs(rest);
    QueryCompleter completer(result.store);
    // finding: and severity values come from findings: run the rules when the text names them
    // (it may not parse while being typed, so look at the words).
    const std::string lowered = asciiLowered(text);
    if (lowered.find("chain") != std::string::npos)
        chainIntegrityFor(result.store); // chain: values are counted once it is known
    if (lowered.find("finding") != std::string::npos
        || lowered.find("severity") != std::string::npos) {
        if (const std::shared_ptr<const RuleSet> rules = loadCliRules(std::nullopt))
            completer.setFindingContext(detect(result.store, rules).context);
    }
    const auto start = Clock::now();
    const Completions c = completer.complete(text, cursor.value_or(text.size()));
    const double ms = msSince(start);
    for (const CompletionItem& item : c.items) {
        if (item.count >= 0)
            std::printf("%s\t%lld\n", item.text.c_str(), static_cast<long long>(item.count));
        else
            std::printf("%s\n", item.text.c_str());
    }
    std::fprintf(stderr, "replace [%zu, %zu) field '%s', %.3f ms\n", c.replaceOffset,
        c.replaceOffset + c.replaceLength, c.field.c_str(), ms);
    return Success;
}

int runBenchQueries(const std::vector<std::string>& args)
{
    int repeat = 5;
    unsigned threads = 2;
    std::vector<std::string> paths, expressions;
    bool afterDashes = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (afterDashes)
            expressions.push_back(a);
        else if (a == "--")
            afterDashes = true;
        else if (a == "--repeat" && i + 1 < args.size())
            repeat = atLeastOne(args[++i]);
        else if (a == "--threads" && i + 1 < args.size())
            threads = static_cast<unsigned>(atLeastOne(args[++i]));
        else if (isOption(a))
            return usageError("unknown option '" + a + "'", QueryUsage);
        else
            paths.push_back(a);
    }
    if (paths.empty() || expressions.empty())
        return usageError("query bench needs PATH... -- EXPR...", QueryUsage);
    std::vector<Query> queries;
    for (const std::string& e : expressions) {
        const std::optional<Query> q = parseQueryArgument(e);
        if (!q)
            return UsageError;
        queries.push_back(*q);
    }
    const auto loadStart = Clock::now();
    const LoadResult result = loadAuditLogs(paths);
    const EventStore& store = *result.store;
    std::printf("loaded %zu events in %.1f s\n", store.size(), msSince(loadStart) / 1000);
    const double per10M = store.size() ? 10e6 / static_cast<double>(store.size()) : 0;
    QueryOptions options;
    options.threads = threads;
    if (std::any_of(
            queries.begin(), queries.end(), [](const Query& q) { return readsFindings(q); })) {
        const auto detectStart = Clock::now();
        const std::shared_ptr<const RuleSet> rules = loadCliRules(std::nullopt);
        if (!rules)
            return UsageError;
        options.findings = detect(result.store, rules).context;
        std::printf("detection (for finding: and severity): %.1f ms\n", msSince(detectStart));
    }
    // cpu ms: all threads' CPU time, steadier than wall time on a busy machine.
    std::printf("%-72s %10s %10s %10s %12s %10s %9s\n", "query", "matches", "median ms", "cpu ms",
        "ms/10M ev", "raw MB", "raw GB/s");
    for (std::size_t i = 0; i < queries.size(); ++i) {
        std::vector<double> times, cpuTimes;
        QueryResult r;
        for (int k = 0; k < repeat; ++k) {
            const auto start = Clock::now();
            const double cpuStart = processCpuMs();
            r = runQuery(store, queries[i], {}, options);
            times.push_back(msSince(start));
            cpuTimes.push_back(processCpuMs() - cpuStart);
        }
        const double ms = median(times);
        const double rawMb = static_cast<double>(r.rawBytesScanned) / 1e6;
        std::printf("%-72s %10zu %10.2f %10.2f %12.2f %10.1f %9.2f\n", expressions[i].c_str(),
            r.rows.size(), ms, median(cpuTimes), ms * per10M, rawMb, rawMb > 0 ? rawMb / ms : 0.0);
    }
    // Completion: the first call per field counts values (then cached), later calls reuse it.
    for (const char* text : {"", "us", "user:", "verb:", "resource:", "ns:", "group:", "code:",
             "user:system:serviceaccount:kube-system:", "ua:"}) {
        QueryCompleter completer(result.store);
        const std::string query(text);
        auto start = Clock::now();
        const Completions first = completer.complete(query, query.size());
        const double cold = msSince(start);
        std::vector<double> warm;
        for (int k = 0; k < std::max(repeat, 3); ++k) {
            start = Clock::now();
            completer.complete(query, query.size());
            warm.push_back(msSince(start));
        }
        std::printf("complete %-42s %4zu items  first %8.3f ms  then %8.3f ms\n",
            ("'" + query + "'").c_str(), first.items.size(), cold, median(warm));
    }
    QueryCompleter warmed(result.store);
    const auto warmStart = Clock::now();
    warmed.warmUp();
    std::printf("completer warm-up (all fields, once per snapshot): %.1f ms\n", msSince(warmStart));
    // chain: counts wait for this, which the GUI computes once per snapshot after the warm-up
    // (detection shares it).
    const auto chainStart = Clock::now();
    chainIntegrityFor(result.store);
    std::printf(
        "chain integrity (for chain: counts, once per snapshot): %.1f ms\n", msSince(chainStart));
    return Success;
}

} // namespace

std::optional<Query> parseQueryArgument(const std::string& text, PolicyTerms policyTerms)
{
    ParseResult parsed = parseQuery(text);
    if (parsed.ok() && policyTerms == PolicyTerms::Reject)
        if (const QueryNode* term = firstPolicyTerm(*parsed.query))
            parsed = ParseResult{std::nullopt, policyTermError(text, *term)};
    if (parsed.ok())
        return std::move(parsed.query);
    printQueryError(text, parsed.error);
    return std::nullopt;
}

void printQueryError(const std::string& text, const QueryError& error)
{
    std::fprintf(stderr, "auditscope-cli: bad query: %s\n  %s\n  %*s^\n", error.toString().c_str(),
        text.c_str(), static_cast<int>(error.column - 1), "");
}

int runQueryCommand(const std::vector<std::string>& args)
{
    if (args.empty())
        return usageError("query needs check, complete or bench", QueryUsage);
    const std::string& sub = args.front();
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "-h" || sub == "--help")
        return printUsage(QueryUsage);
    if (sub == "check")
        return runCheck(rest);
    if (sub == "complete")
        return runComplete(rest);
    if (sub == "bench")
        return runBenchQueries(rest);
    return usageError("unknown query command '" + sub + "'", QueryUsage);
}

} // namespace auditscope::cli
