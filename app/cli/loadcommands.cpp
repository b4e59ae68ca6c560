// SPDX-License-Identifier: Apache-2.0
// `summary` and `events`: load paths, then print counts or every event.
#include "arguments.h"
#include "commands.h"
#include "detectsupport.h"
#include "output.h"

#include "load/loader.h"
#include "query/queryengine.h"
#include "report/eventformat.h"
#include "report/summary.h"

#include <cstdio>

namespace auditscope::cli {

namespace {

constexpr const char* SummaryUsage =
    "Usage: auditscope-cli summary [--json] [--query EXPR [--rules FILE]] PATH...\n"
    "       auditscope-cli summary --by user|resource|namespace|verb|code [--json] [--query EXPR] "
    "PATH...\n"
    "       auditscope-cli summary --histogram BUCKET [--stack verb|code|principal|user] [--top N] "
    "[--json] [--query EXPR] PATH...\n"
    "A --query with finding: or severity terms runs the detection rules first (the built-in\n"
    "pack, the user's rules file, then --rules FILE).\n";
constexpr const char* EventsUsage =
    "Usage: auditscope-cli events [--format jsonl|tsv|raw] [--query EXPR [--rules FILE]] "
    "PATH...\n";

} // namespace

int runSummary(const std::vector<std::string>& args)
{
    // --by and --histogram: the analysis views' aggregates (analysiscommand.cpp).
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--query" || args[i] == "--rules")
            ++i;
        else if (args[i] == "--by" || args[i] == "--histogram" || args[i] == "--stack"
            || args[i] == "--top")
            return runSummaryAnalysis(args);
    }
    bool json = false;
    std::optional<Query> query;
    std::string queryText;
    std::optional<std::string> rulesFile;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--json")
            json = true;
        else if (a == "--query" && i + 1 < args.size()) {
            if (!(query = parseQueryArgument(queryText = args[++i])))
                return UsageError;
        } else if (a == "--rules" && i + 1 < args.size()) {
            rulesFile = args[++i];
        } else if (a == "-h" || a == "--help")
            return printUsage(SummaryUsage);
        else if (isOption(a))
            return usageError("unknown option '" + a + "'", SummaryUsage);
        else
            paths.push_back(a);
    }
    if (paths.empty())
        return usageError("no PATH given", SummaryUsage);
    const LoadResult result = loadAuditLogs(paths);
    std::optional<RowSet> rows;
    if (query && !(rows = runQueryArgument(*query, queryText, result.store, rulesFile)))
        return UsageError;
    const Summary summary = rows ? summarize(*result.store, *rows) : summarize(*result.store);
    if (json) {
        writeAll(summaryJson(summary, result.report));
    } else {
        writeAll(summaryText(summary, result.report));
    }
    sayIfNothingLoaded(result);
    return finishOutput(loadExitCode(result));
}

int runEvents(const std::vector<std::string>& args)
{
    EventFormat format = EventFormat::Jsonl;
    std::optional<Query> query;
    std::string queryText;
    std::optional<std::string> rulesFile;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--format" && i + 1 < args.size()) {
            const std::string& f = args[++i];
            if (f == "jsonl")
                format = EventFormat::Jsonl;
            else if (f == "tsv")
                format = EventFormat::Tsv;
            else if (f == "raw")
                format = EventFormat::Raw;
            else
                return usageError("unknown format '" + f + "'", EventsUsage);
        } else if (a == "--query" && i + 1 < args.size()) {
            if (!(query = parseQueryArgument(queryText = args[++i])))
                return UsageError;
        } else if (a == "--rules" && i + 1 < args.size()) {
            rulesFile = args[++i];
        } else if (a == "-h" || a == "--help") {
            return printUsage(EventsUsage);
        } else if (isOption(a)) {
            return usageError("unknown option '" + a + "'", EventsUsage);
        } else {
            paths.push_back(a);
        }
    }
    if (paths.empty())
        return usageError("no PATH given", EventsUsage);
    const LoadResult result = loadAuditLogs(paths);
    printDiagnostics(result.report);
    const EventStore& store = *result.store;
    RawFieldReader reader;
    std::string out;
    if (format == EventFormat::Tsv)
        out = tsvHeader();
    RowSet rows;
    if (query) {
        std::optional<RowSet> matched =
            runQueryArgument(*query, queryText, result.store, rulesFile);
        if (!matched)
            return UsageError;
        rows = std::move(*matched);
    }
    const std::size_t count = query ? rows.size() : store.size();
    for (std::size_t i = 0; i < count; ++i) {
        appendEvent(
            out, store, query ? rows[i] : EventId{static_cast<std::uint32_t>(i)}, format, reader);
        if (out.size() > (1 << 20)) {
            writeAll(out);
            out.clear();
        }
    }
    writeAll(out);
    std::fflush(stdout);
    sayIfNothingLoaded(result);
    return finishOutput(loadExitCode(result));
}

} // namespace auditscope::cli
