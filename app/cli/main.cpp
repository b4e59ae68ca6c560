// SPDX-License-Identifier: Apache-2.0
// auditscope-cli: the AuditScope engine without a GUI, for scripts and benchmarks.
#include "arguments.h"
#include "commands.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr const char* Usage = R"(Usage: auditscope-cli COMMAND [OPTIONS] PATH...

Kubernetes API-server audit logs, headless. PATH may be a file (plain or .gz),
a folder (searched recursively) or a glob pattern; several paths merge by time.

Commands:
  summary [--json] [--query EXPR] PATH...
                                         counts by stage, verb, level, code; sources;
                                         every bad line with file:line and reason
  summary --by user|resource|namespace|verb|code [--json] [--query EXPR] PATH...
                                         one row per user (kind, writes, deletes,
                                         401/403, first/last seen, IPs, agents), per
                                         resource, namespace, verb or code
  summary --histogram BUCKET [--stack verb|code|principal|user] [--top N]
          [--json] [--query EXPR] PATH...
                                         events per time bucket (30s, 1m, 1h, ...),
                                         optionally split by class or by top users
  events [--format jsonl|tsv|raw] [--query EXPR] PATH...
                                         every event (or those matching EXPR) in
                                         merged time order
  query check EXPR                       parse a filter; its canonical form or the error
  query complete [--cursor N] EXPR PATH...
                                         fields, or values with counts, at the cursor
  query bench [--repeat N] PATH... -- EXPR...
                                         per filter: matches and median ms
  bench [--repeat N] [--threads N] PATH... load+index throughput, heap bytes per
                                         event, time to the first partial snapshot
  policy check [--json] POLICY           would kube-apiserver load this audit Policy?
                                         errors and warnings with line:column and field path
  policy eval --policy POLICY PATH...    per event: the rule that matches, level,
                                         omitStages, omitManagedFields, emitted
  policy lint [--json] --policy POLICY [PATH...]
                                         likely mistakes: shadowed rules, secrets logged
                                         with bodies, wrong groups; with PATH, rules that
                                         match nothing and levels that disagree with the log
  policy impact [--json] --policy POLICY PATH...
                                         events and bytes kept and dropped per rule and
                                         level, compared with what was recorded
  policy bench --policy POLICY [--repeat N] PATH...
                                         time to re-evaluate the policy over the events
  analysis bench [--repeat N] [--threads N] [--query EXPR] PATH...
                                         time to recompute the timeline, users and
                                         resources aggregates
  chain [--json] AUDITID PATH...         one request's events across servers: stages,
                                         latencies, status, bodies, integrity flags
  history [--json] GROUP/RESOURCE/NAMESPACE/NAME PATH...
                                         every request on one object, with diffs of
                                         what each change did, and its lifetime
  detect [--json] [--rules FILE] [--policy POLICY] [--min-severity S] PATH...
                                         findings of the detection rules, grouped by
                                         rule, most severe first; with --policy, whether
                                         the policy records what each rule needs

Options:
  -h, --help     show this help
  --version      show the version

Environment:
  AUDITSCOPE_CACHE_DIR  where decompressed gzip data is kept while it is open, as unlinked
                 files (default: $XDG_CACHE_HOME/auditscope or ~/.cache/auditscope; it needs
                 the decompressed size free); empty: keep it in memory

Exit codes: 0 success, 1 loaded but some lines were bad, 2 nothing loadable or usage error,
3 (chain, history) the auditID or object is not in the logs, 4 (detect) findings at or
above --min-severity.
)";

} // namespace

int main(int argc, char** argv)
{
    using namespace auditscope::cli;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty())
        return usageError("no command given", Usage);
    const std::string command = args.front();
    args.erase(args.begin());
    if (command == "-h" || command == "--help" || command == "help")
        return printUsage(Usage);
    if (command == "--version" || command == "-v") {
        std::printf("auditscope-cli %s\n", AUDITSCOPE_VERSION);
        return Success;
    }
    if (command == "summary")
        return runSummary(args);
    if (command == "events")
        return runEvents(args);
    if (command == "bench")
        return runBench(args);
    if (command == "policy")
        return runPolicy(args);
    if (command == "query")
        return runQueryCommand(args);
    if (command == "analysis")
        return runAnalysis(args);
    if (command == "chain")
        return runChain(args);
    if (command == "history")
        return runHistory(args);
    if (command == "detect")
        return runDetect(args);
    return usageError("unknown command '" + command + "'", Usage);
}
