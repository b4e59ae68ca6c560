// SPDX-License-Identifier: Apache-2.0
// `policy check` and `policy eval`: load an audit policy as kube-apiserver would, and replay it
// over logged events.
#include "commands.h"

#include "load/loader.h"
#include "policy/policyevaluationrunner.h"
#include "policy/policyexplain.h"
#include "policy/policyimpact.h"
#include "policy/policylint.h"
#include "policy/policyreader.h"
#include "policy/policystoreevaluation.h"
#include "report/jsonwriter.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace auditscope::cli {

namespace {

constexpr const char* PolicyUsage = R"(Usage: auditscope-cli policy check [--json] POLICY
       auditscope-cli policy eval --policy POLICY PATH...
       auditscope-cli policy lint [--json] --policy POLICY [PATH...]
       auditscope-cli policy impact [--json] --policy POLICY [--against OLD] PATH...
       auditscope-cli policy bench --policy POLICY [--repeat N] PATH...
       auditscope-cli policy explain --policy POLICY [--line N]... [--limit N] PATH...
       auditscope-cli policy editbench --policy POLICY [--repeat N] PATH...

  check   decode and validate POLICY exactly as kube-apiserver's --audit-policy-file;
          prints errors and warnings as POLICY:LINE:COLUMN: severity: [field] message.
          Exit 0 when kube-apiserver would load it, 1 when not.
  eval    one JSON line per event, in store order: auditID, stage, file, line, the
          0-based rule index (-1 = none), level, effective omitStages, omitManagedFields
          and whether this event's stage would be emitted under POLICY.
          Exit 0, 1 if POLICY does not load or some lines were bad, 2 if nothing loaded.
  lint    warnings (never errors) as POLICY:LINE:COLUMN: warning: [field] message [check]:
          shadowed rules, secrets/configmaps/tokenreviews at Request or RequestResponse,
          "pods" without exec/attach, resources under the wrong group, versions as groups;
          with PATHs also rules that match no event and recorded levels that disagree.
          Exit 0, 1 if POLICY does not load (what was decoded is still linted).
  impact  per rule and per level: events and bytes recorded, kept (estimated size under
          POLICY), dropped, body bytes stripped, and events whose bodies were never
          recorded; then what the log cannot tell. With --against OLD: events and bytes
          each policy writes per level, and the events that change (dropped, added,
          raised, lowered; e.g. "Metadata -> not written"): POLICY is the edited one.
  bench   builds the attribute index once, then times re-evaluation of POLICY over all
          events N times (default 10); prints the median and the figure per 10 M events.
  explain why each event got its rule: for every rule before the matching one, the first
          check that failed (users, userGroups, verbs, namespaces, resources,
          nonResourceURLs, in kube-apiserver's order). Events on line N of their file
          (--line, repeatable), else the first --limit events (default 10).
  editbench  the policy editor's latency: the evaluation runner, after an edit of POLICY,
          until its result (diagnostics, per-event matches, outline, impact) is emitted,
          without the debounce; N edits (default 20), with and without impact and log lint.
)";

const char* severityName(PolicyDiagnostic::Severity severity)
{
    return severity == PolicyDiagnostic::Severity::Error ? "error" : "warning";
}

void writeAll(const std::string& text, std::FILE* stream = stdout)
{
    std::fwrite(text.data(), 1, text.size(), stream);
}

std::string formatText(const std::string& file, const PolicyDiagnostic& d)
{
    std::string line = file;
    if (d.line > 0)
        line += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
    line += ": ";
    line += severityName(d.severity);
    line += ": ";
    if (!d.fieldPath.empty())
        line += "[" + d.fieldPath + "] ";
    line += d.message + "\n";
    return line;
}

int runCheck(const std::vector<std::string>& args)
{
    bool json = false;
    std::vector<std::string> files;
    for (const std::string& a : args) {
        if (a == "--json")
            json = true;
        else if (a == "-h" || a == "--help")
            return std::fputs(PolicyUsage, stdout), Success;
        else if (a.size() > 1 && a[0] == '-')
            return usageError("unknown option '" + a + "'", PolicyUsage);
        else
            files.push_back(a);
    }
    if (files.size() != 1)
        return usageError("policy check takes exactly one POLICY", PolicyUsage);
    const PolicyLoadResult result = loadPolicyFile(files.front());
    std::size_t errors = 0, warnings = 0;
    for (const PolicyDiagnostic& d : result.diagnostics)
        ++(d.severity == PolicyDiagnostic::Severity::Error ? errors : warnings);
    if (json) {
        std::string out = "{";
        appendJsonKey(out, "file");
        appendJsonString(out, files.front());
        out += ",";
        appendJsonKey(out, "loadable");
        out += result.loadable ? "true" : "false";
        out += ",";
        appendJsonKey(out, "rules");
        out += std::to_string(result.policy.rules.size());
        out += ",";
        appendJsonKey(out, "errors");
        out += std::to_string(errors) + ",";
        appendJsonKey(out, "warnings");
        out += std::to_string(warnings) + ",";
        appendJsonKey(out, "diagnostics");
        out += "[";
        bool first = true;
        for (const PolicyDiagnostic& d : result.diagnostics) {
            out += first ? "{" : ",{";
            first = false;
            appendJsonKey(out, "severity");
            appendJsonString(out, severityName(d.severity));
            out += ",";
            appendJsonKey(out, "line");
            out += std::to_string(d.line) + ",";
            appendJsonKey(out, "column");
            out += std::to_string(d.column) + ",";
            appendJsonKey(out, "fieldPath");
            appendJsonString(out, d.fieldPath);
            out += ",";
            appendJsonKey(out, "message");
            appendJsonString(out, d.message);
            out += "}";
        }
        out += "]}\n";
        writeAll(out);
    } else {
        std::string out;
        for (const PolicyDiagnostic& d : result.diagnostics)
            out += formatText(files.front(), d);
        out += files.front() + ": " + (result.loadable ? "loads" : "does NOT load") + " ("
            + std::to_string(result.policy.rules.size()) + " rules, " + std::to_string(errors)
            + " errors, " + std::to_string(warnings) + " warnings)\n";
        writeAll(out);
    }
    return result.loadable ? Success : 1;
}

struct PolicyArgs
{
    std::string policyPath;
    std::string againstPath; ///< impact: the policy to compare with
    std::vector<std::string> paths;
    bool json = false;
};

/// Parses `--policy POLICY [--json] [--against OLD] PATH...`; returns -1 when parsing succeeded.
int parsePolicyArgs(const std::vector<std::string>& args, bool allowJson, PolicyArgs& out,
    bool allowAgainst = false)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--policy") {
            if (i + 1 >= args.size())
                return usageError("--policy needs a file", PolicyUsage);
            out.policyPath = args[++i];
        } else if (a.rfind("--policy=", 0) == 0) {
            out.policyPath = a.substr(9);
        } else if (a == "--against") {
            if (i + 1 >= args.size())
                return usageError("--against needs a file", PolicyUsage);
            out.againstPath = args[++i];
        } else if (a.rfind("--against=", 0) == 0) {
            out.againstPath = a.substr(10);
        } else if (allowJson && a == "--json") {
            out.json = true;
        } else if (a == "-h" || a == "--help") {
            return std::fputs(PolicyUsage, stdout), Success;
        } else if (a.size() > 1 && a[0] == '-') {
            return usageError("unknown option '" + a + "'", PolicyUsage);
        } else {
            out.paths.push_back(a);
        }
    }
    if (out.policyPath.empty())
        return usageError("needs --policy POLICY", PolicyUsage);
    if (!out.againstPath.empty() && !allowAgainst)
        return usageError("--against is an option of 'policy impact'", PolicyUsage);
    return -1;
}

int runEval(const std::vector<std::string>& args)
{
    PolicyArgs parsed;
    if (const int rc = parsePolicyArgs(args, false, parsed); rc >= 0)
        return rc;
    const std::string& policyPath = parsed.policyPath;
    const std::vector<std::string>& paths = parsed.paths;
    if (paths.empty())
        return usageError("no PATH given", PolicyUsage);
    PolicyLoadResult policy = loadPolicyFile(policyPath);
    for (const PolicyDiagnostic& d : policy.diagnostics)
        writeAll(formatText(policyPath, d), stderr);
    if (!policy.loadable) {
        std::fprintf(stderr, "%s: kube-apiserver would not load this policy\n", policyPath.c_str());
        return 1;
    }
    const LoadResult loaded = loadAuditLogs(paths);
    for (const SourceReport& s : loaded.report.sources)
        if (!s.error.empty())
            std::fprintf(stderr, "%s: %s\n", s.path.c_str(), s.error.c_str());
    if (loaded.store->size() == 0)
        return NothingLoadable;
    const auto index = PolicyAttributeIndex::build(loaded.store);
    const PolicyEvaluator evaluator(std::move(policy.policy));
    const PolicyStoreResult result = evaluateStore(evaluator, *index);
    const EventStore& store = *loaded.store;
    std::string out;
    out.reserve(1 << 20);
    for (std::uint32_t row = 0; row < store.size(); ++row) {
        const PolicyEventMatch m = result.events[row];
        const PolicyDecision& d = result.tupleDecisions[index->tupleOf(EventId{row})];
        out += "{";
        appendJsonKey(out, "auditID");
        const AuditIdId auditId = store.auditId[row];
        appendJsonString(out, auditId ? store.pools.auditIds.text(auditId.value) : std::string());
        out += ",";
        appendJsonKey(out, "stage");
        appendJsonString(out, stageName(store.stage[row]));
        out += ",";
        appendJsonKey(out, "file");
        appendJsonString(out, store.sourceOf(EventId{row}).path);
        out += ",";
        appendJsonKey(out, "line");
        out += std::to_string(store.line[row]) + ",";
        appendJsonKey(out, "rule");
        out += std::to_string(m.rule()) + ",";
        appendJsonKey(out, "level");
        appendJsonString(out, levelName(m.level()));
        out += ",";
        appendJsonKey(out, "omitStages");
        out += "[";
        bool first = true;
        for (const Stage s : d.omitStageList()) {
            if (!first)
                out += ",";
            first = false;
            appendJsonString(out, stageName(s));
        }
        out += "],";
        appendJsonKey(out, "omitManagedFields");
        out += m.omitManagedFields() ? "true," : "false,";
        appendJsonKey(out, "emitted");
        out += m.emitted() ? "true" : "false";
        out += "}\n";
        if (out.size() > (1 << 20) - 4096) {
            writeAll(out);
            out.clear();
        }
    }
    writeAll(out);
    const bool badInput = loaded.report.badLines > 0;
    return badInput ? LoadedWithBadLines : Success;
}

/// Loads the log paths; prints source errors. Null store size means nothing loaded.
LoadResult loadPaths(const std::vector<std::string>& paths)
{
    LoadResult loaded = loadAuditLogs(paths);
    for (const SourceReport& s : loaded.report.sources)
        if (!s.error.empty())
            std::fprintf(stderr, "%s: %s\n", s.path.c_str(), s.error.c_str());
    return loaded;
}

int runLint(const std::vector<std::string>& args)
{
    PolicyArgs a;
    if (const int rc = parsePolicyArgs(args, true, a); rc >= 0)
        return rc;
    PolicyLoadResult policy = loadPolicyFile(a.policyPath);
    for (const PolicyDiagnostic& d : policy.diagnostics)
        writeAll(formatText(a.policyPath, d), stderr);
    if (!policy.loadable)
        std::fprintf(stderr,
            "%s: kube-apiserver would not load this policy; linting what was decoded\n",
            a.policyPath.c_str());
    std::vector<PolicyLintFinding> findings = lintPolicy(policy.policy);
    std::size_t events = 0;
    bool badInput = false;
    if (!a.paths.empty()) {
        if (!policy.loadable)
            return 1;
        const LoadResult loaded = loadPaths(a.paths);
        if (loaded.store->size() == 0)
            return NothingLoadable;
        badInput = loaded.report.badLines > 0;
        events = loaded.store->size();
        const auto index = PolicyAttributeIndex::build(loaded.store);
        const PolicyEvaluator evaluator(policy.policy);
        const PolicyStoreResult result = evaluateStore(evaluator, *index);
        std::vector<PolicyLintFinding> logFindings =
            lintPolicyAgainstLog(policy.policy, *index, result);
        findings.insert(findings.end(), logFindings.begin(), logFindings.end());
    }
    std::string out;
    if (a.json) {
        out = "{";
        appendJsonKey(out, "file");
        appendJsonString(out, a.policyPath);
        out += ",";
        appendJsonKey(out, "events");
        out += std::to_string(events) + ",";
        appendJsonKey(out, "findings");
        out += "[";
        for (std::size_t i = 0; i < findings.size(); ++i) {
            const PolicyLintFinding& f = findings[i];
            out += i ? ",{" : "{";
            appendJsonKey(out, "check");
            appendJsonString(out, lintCheckName(f.check));
            out += ",";
            appendJsonKey(out, "rule");
            out += std::to_string(f.rule) + ",";
            appendJsonKey(out, "line");
            out += std::to_string(f.diagnostic.line) + ",";
            appendJsonKey(out, "column");
            out += std::to_string(f.diagnostic.column) + ",";
            appendJsonKey(out, "fieldPath");
            appendJsonString(out, f.diagnostic.fieldPath);
            out += ",";
            appendJsonKey(out, "message");
            appendJsonString(out, f.diagnostic.message);
            out += "}";
        }
        out += "]}\n";
    } else {
        for (const PolicyLintFinding& f : findings) {
            PolicyDiagnostic d = f.diagnostic;
            d.message += " [" + std::string(lintCheckName(f.check)) + "]";
            out += formatText(a.policyPath, d);
        }
        out += a.policyPath + ": " + std::to_string(findings.size()) + " lint warning"
            + (findings.size() == 1 ? "" : "s")
            + (a.paths.empty() ? std::string(" (static; give log PATHs to check against traffic)")
                               : " against " + std::to_string(events) + " events")
            + "\n";
    }
    writeAll(out);
    if (!policy.loadable)
        return 1;
    return badInput ? LoadedWithBadLines : Success;
}

void appendImpactRowJson(std::string& out, const PolicyImpactRow& r)
{
    const std::pair<const char*, std::uint64_t> fields[] = {{"events", r.events},
        {"bytes", r.bytes}, {"keptEvents", r.keptEvents}, {"keptBytes", r.keptBytes},
        {"droppedEvents", r.droppedEvents}, {"droppedBytes", r.droppedBytes},
        {"strippedEvents", r.strippedEvents}, {"strippedBytes", r.strippedBytes},
        {"raisedEvents", r.raisedEvents}};
    bool first = true;
    for (const auto& [key, value] : fields) {
        if (!first)
            out += ",";
        first = false;
        appendJsonKey(out, key);
        out += std::to_string(value);
    }
}

std::string impactRowText(const std::string& label, const PolicyImpactRow& r)
{
    char buf[512];
    std::snprintf(buf, sizeof buf, "%-40s %10llu %14llu %10llu %14llu %10llu %14llu %10llu %8llu\n",
        label.c_str(), static_cast<unsigned long long>(r.events),
        static_cast<unsigned long long>(r.bytes), static_cast<unsigned long long>(r.keptEvents),
        static_cast<unsigned long long>(r.keptBytes),
        static_cast<unsigned long long>(r.droppedEvents),
        static_cast<unsigned long long>(r.droppedBytes),
        static_cast<unsigned long long>(r.strippedBytes),
        static_cast<unsigned long long>(r.raisedEvents));
    return buf;
}

/// Loads a policy file, printing its diagnostics to stderr; nullopt when kube-apiserver would
/// not load it.
std::optional<Policy> loadablePolicy(const std::string& path)
{
    PolicyLoadResult policy = loadPolicyFile(path);
    for (const PolicyDiagnostic& d : policy.diagnostics)
        writeAll(formatText(path, d), stderr);
    if (!policy.loadable) {
        std::fprintf(stderr, "%s: kube-apiserver would not load this policy\n", path.c_str());
        return std::nullopt;
    }
    return std::move(policy.policy);
}

int runImpact(const std::vector<std::string>& args)
{
    PolicyArgs a;
    if (const int rc = parsePolicyArgs(args, true, a, true); rc >= 0)
        return rc;
    if (a.paths.empty())
        return usageError("no PATH given", PolicyUsage);
    const std::optional<Policy> policy = loadablePolicy(a.policyPath);
    const std::optional<Policy> against =
        a.againstPath.empty() ? std::nullopt : loadablePolicy(a.againstPath);
    if (!policy || (!a.againstPath.empty() && !against))
        return 1;
    const LoadResult loaded = loadPaths(a.paths);
    if (loaded.store->size() == 0)
        return NothingLoadable;
    const auto index = PolicyAttributeIndex::build(loaded.store);
    const PolicyEvaluator evaluator(*policy);
    const PolicyStoreResult result = evaluateStore(evaluator, *index);
    const PolicyImpact impact = computePolicyImpact(*index, result);
    if (against) {
        const PolicyStoreResult old = evaluateStore(PolicyEvaluator(*against), *index);
        const PolicyComparison comparison =
            comparePolicies(*PolicyImpactIndex::build(*index), old, result);
        writeAll(a.json ? impactComparisonJson(a.policyPath, a.againstPath, impact, comparison)
                        : impactComparisonText(a.policyPath, a.againstPath, impact, comparison));
        return loaded.report.badLines > 0 ? LoadedWithBadLines : Success;
    }
    const Policy& p = evaluator.policy();
    auto ruleLabel = [&](std::size_t i) {
        if (i == 0)
            return std::string("no rule (None)");
        const PolicyRule& rule = p.rules[i - 1];
        return "rules[" + std::to_string(i - 1) + "] " + rule.level
            + (rule.pos.line > 0 ? " (line " + std::to_string(rule.pos.line) + ")" : "");
    };
    const Level levels[] = {
        Level::None, Level::Metadata, Level::Request, Level::RequestResponse, Level::Unknown};
    std::string out;
    if (a.json) {
        out = "{";
        appendJsonKey(out, "policy");
        appendJsonString(out, a.policyPath);
        out += ",";
        appendJsonKey(out, "total");
        out += "{";
        appendImpactRowJson(out, impact.total);
        out += "},";
        appendJsonKey(out, "byRule");
        out += "[";
        for (std::size_t i = 0; i < impact.byRule.size(); ++i) {
            out += i ? ",{" : "{";
            appendJsonKey(out, "rule");
            out += std::to_string(static_cast<int>(i) - 1) + ",";
            appendJsonKey(out, "level");
            appendJsonString(out, i == 0 ? std::string("None") : p.rules[i - 1].level);
            out += ",";
            appendImpactRowJson(out, impact.byRule[i]);
            out += "}";
        }
        out += "],";
        for (const bool recorded : {false, true}) {
            appendJsonKey(out, recorded ? "byRecordedLevel" : "byNewLevel");
            out += "{";
            bool first = true;
            for (const Level l : levels) {
                const PolicyImpactRow& r =
                    (recorded ? impact.byRecordedLevel
                              : impact.byNewLevel)[static_cast<std::size_t>(l)];
                if (r.events == 0)
                    continue;
                out += first ? "" : ",";
                first = false;
                appendJsonKey(out, l == Level::Unknown ? "(absent)" : levelName(l));
                out += "{";
                appendImpactRowJson(out, r);
                out += "}";
            }
            out += "},";
        }
        appendJsonKey(out, "requestsMissingRequestReceived");
        out += std::to_string(impact.requestsMissingRequestReceived) + ",";
        appendJsonKey(out, "unknowns");
        out += "[";
        for (std::size_t i = 0; i < impact.unknowns.size(); ++i) {
            out += i ? "," : "";
            appendJsonString(out, impact.unknowns[i]);
        }
        out += "]}\n";
    } else {
        char header[512];
        std::snprintf(header, sizeof header, "%-40s %10s %14s %10s %14s %10s %14s %10s %8s\n", "",
            "events", "bytes", "kept", "kept bytes", "dropped", "dropped bytes", "stripped",
            "raised");
        out += "Impact of " + a.policyPath + " on " + std::to_string(impact.total.events)
            + " recorded events (bytes = JSON bytes per event, without newlines; kept bytes are "
              "estimated under the new policy; stripped = body bytes removed from kept events; "
              "raised = kept events whose new level asks for bodies that were not recorded)\n\n";
        out += std::string("By rule") + (header + 7);
        for (std::size_t i = 0; i < impact.byRule.size(); ++i)
            out += impactRowText("  " + ruleLabel(i), impact.byRule[i]);
        out += "\nBy new level\n";
        for (const Level l : levels)
            if (impact.byNewLevel[static_cast<std::size_t>(l)].events)
                out += impactRowText("  " + std::string(levelName(l)),
                    impact.byNewLevel[static_cast<std::size_t>(l)]);
        out += "\nBy recorded level\n";
        for (const Level l : levels)
            if (impact.byRecordedLevel[static_cast<std::size_t>(l)].events)
                out += impactRowText("  "
                        + (l == Level::Unknown ? std::string("(no level)")
                                               : std::string(levelName(l))),
                    impact.byRecordedLevel[static_cast<std::size_t>(l)]);
        out += "\n" + impactRowText("Total", impact.total);
        out += "\nWhat this log cannot tell:\n";
        for (const std::string& u : impact.unknowns)
            out += "  - " + u + "\n";
    }
    writeAll(out);
    return loaded.report.badLines > 0 ? LoadedWithBadLines : Success;
}

double msSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

// --policy POLICY [--repeat N] PATH..., shared by `policy bench` and `policy editbench`.
struct BenchArguments
{
    std::string policyPath;
    int repeat = 10;
    std::vector<std::string> paths;
};

// Fills `out`; an exit code when the arguments end the command (help, usage error).
std::optional<int> parseBenchArguments(
    const std::vector<std::string>& args, const char* command, BenchArguments& out)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--policy" || a == "--repeat") {
            if (i + 1 >= args.size())
                return usageError(a + " needs a value", PolicyUsage);
            if (a == "--policy")
                out.policyPath = args[++i];
            else
                out.repeat = std::max(1, std::atoi(args[++i].c_str()));
        } else if (a == "-h" || a == "--help") {
            return std::fputs(PolicyUsage, stdout), Success;
        } else if (a.size() > 1 && a[0] == '-') {
            return usageError("unknown option '" + a + "'", PolicyUsage);
        } else {
            out.paths.push_back(a);
        }
    }
    if (out.policyPath.empty())
        return usageError(std::string("policy ") + command + " needs --policy POLICY", PolicyUsage);
    if (out.paths.empty())
        return usageError("no PATH given", PolicyUsage);
    return std::nullopt;
}

int runPolicyBench(const std::vector<std::string>& args)
{
    BenchArguments bench{{}, 10, {}};
    if (const std::optional<int> done = parseBenchArguments(args, "bench", bench))
        return *done;
    const std::string& policyPath = bench.policyPath;
    const int repeat = bench.repeat;
    const std::vector<std::string>& paths = bench.paths;
    PolicyLoadResult policy = loadPolicyFile(policyPath);
    if (!policy.loadable) {
        for (const PolicyDiagnostic& d : policy.diagnostics)
            writeAll(formatText(policyPath, d), stderr);
        std::fprintf(stderr, "%s: kube-apiserver would not load this policy\n", policyPath.c_str());
        return 1;
    }
    auto start = std::chrono::steady_clock::now();
    const LoadResult loaded = loadAuditLogs(paths);
    const double loadMs = msSince(start);
    if (loaded.store->size() == 0)
        return NothingLoadable;
    start = std::chrono::steady_clock::now();
    const auto index = PolicyAttributeIndex::build(loaded.store);
    const double indexMs = msSince(start);
    const PolicyEvaluator evaluator(std::move(policy.policy));
    // The first run allocates the per-event column; later runs reuse it, as the GUI does
    // after an edit (the previous result's buffers are recycled).
    start = std::chrono::steady_clock::now();
    PolicyStoreResult result = evaluateStore(evaluator, *index);
    const double coldMs = msSince(start);
    std::vector<double> times;
    for (int r = 0; r < repeat; ++r) {
        start = std::chrono::steady_clock::now();
        evaluateStoreInto(result, evaluator, *index);
        times.push_back(msSince(start));
    }
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    const double events = static_cast<double>(index->eventCount());
    std::uint64_t matched = 0;
    for (std::size_t r = 1; r < result.eventsPerRule.size(); ++r)
        matched += result.eventsPerRule[r];
    std::printf(
        "policy:            %s (%zu rules)\n", policyPath.c_str(), evaluator.policy().rules.size());
    std::printf("events:            %zu (%zu matched a rule)\n", index->eventCount(),
        static_cast<std::size_t>(matched));
    std::printf("load:              %.0f ms\n", loadMs);
    std::printf("attribute index:   %.1f ms (built once per store)\n", indexMs);
    std::printf("distinct tuples:   %zu (%zu as keyed by this policy)\n", index->tupleCount(),
        result.keyedTuples);
    std::printf("first evaluation:  %.2f ms (allocates the per-event column)\n", coldMs);
    std::printf("re-evaluation:     median %.2f ms, min %.2f, max %.2f over %d runs\n", median,
        times.front(), times.back(), repeat);
    std::printf("per 10 M events:   %.2f ms (scaled linearly)\n", median * 1e7 / events);
    return Success;
}

int runExplain(const std::vector<std::string>& args)
{
    std::string policyPath;
    std::vector<std::uint32_t> lines;
    std::size_t limit = 10;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--policy" || a == "--line" || a == "--limit") {
            if (i + 1 >= args.size())
                return usageError(a + " needs a value", PolicyUsage);
            const std::string& value = args[++i];
            if (a == "--policy")
                policyPath = value;
            else if (a == "--line")
                lines.push_back(
                    static_cast<std::uint32_t>(std::strtoul(value.c_str(), nullptr, 10)));
            else
                limit = std::strtoul(value.c_str(), nullptr, 10);
        } else if (a == "-h" || a == "--help") {
            return std::fputs(PolicyUsage, stdout), Success;
        } else if (a.size() > 1 && a[0] == '-') {
            return usageError("unknown option '" + a + "'", PolicyUsage);
        } else {
            paths.push_back(a);
        }
    }
    if (policyPath.empty())
        return usageError("policy explain needs --policy POLICY", PolicyUsage);
    if (paths.empty())
        return usageError("no PATH given", PolicyUsage);
    const PolicyLoadResult policy = loadPolicyFile(policyPath);
    for (const PolicyDiagnostic& d : policy.diagnostics)
        writeAll(formatText(policyPath, d), stderr);
    if (!policy.decoded) {
        std::fprintf(stderr, "%s: the policy does not decode\n", policyPath.c_str());
        return 1;
    }
    const LoadResult loaded = loadPaths(paths);
    if (loaded.store->size() == 0)
        return NothingLoadable;
    const EventStore& store = *loaded.store;
    const auto index = PolicyAttributeIndex::build(loaded.store);
    std::string out;
    std::size_t shown = 0;
    for (std::uint32_t row = 0; row < store.size(); ++row) {
        if (lines.empty() ? shown >= limit
                          : std::find(lines.begin(), lines.end(), store.line[row]) == lines.end())
            continue;
        ++shown;
        const EventId id{row};
        const RequestAttributes a = index->attributes(index->tupleOf(id));
        std::string what = a.verb + " ";
        if (a.isResourceRequest) {
            what += a.resource + (a.subresource.empty() ? "" : "/" + a.subresource);
            if (!a.apiGroup.empty())
                what += "." + a.apiGroup;
            if (!a.namespaceName.empty())
                what += " in " + a.namespaceName;
            if (!a.name.empty())
                what += " named " + a.name;
        } else {
            what += a.path;
        }
        const AuditIdId auditId = store.auditId[row];
        out += store.sourceOf(id).path + ":" + std::to_string(store.line[row]) + ": "
            + std::string(stageName(store.stage[row])) + " "
            + (auditId ? store.pools.auditIds.text(auditId.value) : std::string()) + "\n  "
            + (a.user ? a.user->name : std::string("(no user)")) + ": " + what + "\n";
        const PolicyExplanation x = explainEvent(policy.policy, *index, id);
        for (const RuleExplanation& e : x.rejected)
            out += "  " + e.sentence + "\n";
        out += "  => " + x.summary + "\n";
    }
    writeAll(out);
    return loaded.report.badLines > 0 ? LoadedWithBadLines : Success;
}

/// Median of `values` (sorted in place).
double median(std::vector<double>& values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

int runEditBench(const std::vector<std::string>& args)
{
    BenchArguments bench{{}, 20, {}};
    if (const std::optional<int> done = parseBenchArguments(args, "editbench", bench))
        return *done;
    const std::string& policyPath = bench.policyPath;
    const int repeat = bench.repeat;
    const std::vector<std::string>& paths = bench.paths;
    QFile file(QString::fromStdString(policyPath));
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "%s: cannot read\n", policyPath.c_str());
        return 1;
    }
    const QString text = QString::fromUtf8(file.readAll());
    // An edit that changes what the policy decides: the first rule's level, back and forth.
    const qsizetype levelAt = text.indexOf(QStringLiteral("level: "));
    if (levelAt < 0) {
        std::fprintf(stderr, "%s: no rule level to edit\n", policyPath.c_str());
        return 1;
    }
    const qsizetype levelEnd = text.indexOf(QLatin1Char('\n'), levelAt);
    auto edited = [&](int i) {
        QString t = text;
        const QString level =
            i % 2 ? QStringLiteral("level: Metadata") : QStringLiteral("level: RequestResponse");
        return t.replace(
            levelAt, levelEnd - levelAt, level + QStringLiteral(" # edit ") + QString::number(i));
    };

    int argc = 1;
    char name[] = "auditscope-cli";
    char* argv[] = {name, nullptr};
    std::unique_ptr<QCoreApplication> app;
    if (!QCoreApplication::instance())
        app = std::make_unique<QCoreApplication>(argc, argv);

    auto start = std::chrono::steady_clock::now();
    const LoadResult loaded = loadAuditLogs(paths);
    const double loadMs = msSince(start);
    if (loaded.store->size() == 0)
        return NothingLoadable;

    PolicyEvaluationRunner runner;
    runner.setDebounceInterval(150);
    PolicyEvaluationResultPtr last;
    QElapsedTimer latency;
    double lastLatencyMs = 0;
    QEventLoop loop;
    QTimer guard;
    guard.setSingleShot(true);
    guard.setInterval(600000);
    QObject::connect(&guard, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(&runner, &PolicyEvaluationRunner::evaluationFinished,
        [&](const PolicyEvaluationResultPtr& r) {
            lastLatencyMs = static_cast<double>(latency.nsecsElapsed()) / 1e6;
            last = r;
            loop.quit();
        });
    // One evaluation: the text changes, the debounce is skipped (evaluateNow), and the time
    // runs until the result is emitted on this thread. Returns the caller's time in the calls.
    auto evaluate = [&](const QString& t) {
        latency.start();
        QElapsedTimer caller;
        caller.start();
        runner.setPolicyText(t);
        runner.evaluateNow();
        const double callerMs = static_cast<double>(caller.nsecsElapsed()) / 1e6;
        guard.start(); // never wait forever
        loop.exec();
        guard.stop();
        return callerMs;
    };

    runner.setStore(loaded.store);
    evaluate(text); // builds the attribute index
    if (!last || !last->matches) {
        std::fprintf(stderr, "%s: the policy does not evaluate\n", policyPath.c_str());
        return 1;
    }
    const double firstMs = lastLatencyMs;
    const double indexMs = last->timings.indexMs;
    const std::size_t events = loaded.store->size();
    std::printf(
        "policy:            %s (%zu rules)\n", policyPath.c_str(), last->load.policy.rules.size());
    std::printf("events:            %zu (load %.0f ms)\n", events, loadMs);
    std::printf("first evaluation:  %.1f ms, of which the store indexes %.1f ms (once per "
                "snapshot)\n",
        firstMs, indexMs);

    for (const bool full : {true, false}) {
        PolicyEvaluationOptions options;
        options.impact = full;
        options.lintAgainstLog = full;
        runner.setOptions(options);
        std::vector<double> total, caller, parse, evaluateMs, outline, lint, impact, worker;
        for (int i = 0; i < repeat; ++i) {
            caller.push_back(evaluate(edited(i)));
            total.push_back(lastLatencyMs);
            parse.push_back(last->timings.parseMs);
            evaluateMs.push_back(last->timings.evaluateMs);
            outline.push_back(last->timings.outlineMs);
            lint.push_back(last->timings.lintMs);
            impact.push_back(last->timings.impactMs);
            worker.push_back(last->timings.totalMs);
        }
        std::vector<double> sorted = total;
        std::sort(sorted.begin(), sorted.end());
        std::printf("\n%s, %d edits:\n",
            full ? "full result (lint against the log, outline, impact)"
                 : "without impact and log lint",
            repeat);
        std::printf("  edit -> result:  median %.1f ms, min %.1f, max %.1f (debounce excluded)\n",
            median(total), sorted.front(), sorted.back());
        std::printf("  worker phases:   parse %.2f, evaluate %.2f, outline %.2f, lint %.2f, "
                    "impact %.2f; worker total %.1f ms (medians)\n",
            median(parse), median(evaluateMs), median(outline), median(lint), median(impact),
            median(worker));
        std::printf(
            "  caller thread:   %.3f ms in setPolicyText + evaluateNow (median)\n", median(caller));
    }
    return Success;
}

} // namespace

int runPolicy(const std::vector<std::string>& args)
{
    if (args.empty())
        return usageError(
            "policy needs a subcommand: check, eval, lint, impact, bench, explain or editbench",
            PolicyUsage);
    const std::string sub = args.front();
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "check")
        return runCheck(rest);
    if (sub == "eval")
        return runEval(rest);
    if (sub == "bench")
        return runPolicyBench(rest);
    if (sub == "lint")
        return runLint(rest);
    if (sub == "impact")
        return runImpact(rest);
    if (sub == "explain")
        return runExplain(rest);
    if (sub == "editbench")
        return runEditBench(rest);
    if (sub == "-h" || sub == "--help" || sub == "help")
        return std::fputs(PolicyUsage, stdout), Success;
    return usageError("unknown policy subcommand '" + sub + "'", PolicyUsage);
}

} // namespace auditscope::cli
