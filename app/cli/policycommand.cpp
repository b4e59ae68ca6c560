// SPDX-License-Identifier: Apache-2.0
// `policy check|eval|lint|explain` and the pieces every `policy` subcommand shares: load an
// audit policy as kube-apiserver would, and replay it over logged events.
#include "policycommand.h"

#include "arguments.h"
#include "commands.h"
#include "output.h"

#include "load/loader.h"
#include "policy/policyexplain.h"
#include "policy/policylint.h"
#include "policy/policyreader.h"
#include "policy/policystoreevaluation.h"
#include "report/jsonwriter.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace auditscope::cli {

const char* const PolicyUsage = R"(Usage: auditscope-cli policy check [--json] POLICY
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

namespace {

const char* severityName(PolicyDiagnostic::Severity severity)
{
    return severity == PolicyDiagnostic::Severity::Error ? "error" : "warning";
}

} // namespace

std::string formatPolicyDiagnostic(const std::string& file, const PolicyDiagnostic& d)
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

int parsePolicyArgs(
    const std::vector<std::string>& args, bool allowJson, PolicyArgs& out, bool allowAgainst)
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
            return printUsage(PolicyUsage);
        } else if (isOption(a)) {
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

LoadResult loadPolicyLogs(const std::vector<std::string>& paths)
{
    LoadResult loaded = loadAuditLogs(paths);
    for (const SourceReport& s : loaded.report.sources)
        if (!s.error.empty())
            std::fprintf(stderr, "%s: %s\n", s.path.c_str(), s.error.c_str());
    return loaded;
}

namespace {

int runCheck(const std::vector<std::string>& args)
{
    bool json = false;
    std::vector<std::string> files;
    for (const std::string& a : args) {
        if (a == "--json")
            json = true;
        else if (a == "-h" || a == "--help")
            return printUsage(PolicyUsage);
        else if (isOption(a))
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
        std::string out;
        JsonWriter w(out);
        w.beginObject();
        w.string("file", files.front());
        w.boolean("loadable", result.loadable);
        w.number("rules", result.policy.rules.size());
        w.number("errors", errors);
        w.number("warnings", warnings);
        w.beginArray("diagnostics");
        for (const PolicyDiagnostic& d : result.diagnostics) {
            w.beginObject();
            w.string("severity", severityName(d.severity));
            w.number("line", d.line);
            w.number("column", d.column);
            w.string("fieldPath", d.fieldPath);
            w.string("message", d.message);
            w.endObject();
        }
        w.endArray();
        w.endObject();
        out.push_back('\n');
        writeAll(out);
    } else {
        std::string out;
        for (const PolicyDiagnostic& d : result.diagnostics)
            out += formatPolicyDiagnostic(files.front(), d);
        out += files.front() + ": " + (result.loadable ? "loads" : "does NOT load") + " ("
            + std::to_string(result.policy.rules.size()) + " rules, " + std::to_string(errors)
            + " errors, " + std::to_string(warnings) + " warnings)\n";
        writeAll(out);
    }
    return result.loadable ? Success : 1;
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
        writeAll(formatPolicyDiagnostic(policyPath, d), stderr);
    if (!policy.loadable) {
        std::fprintf(stderr, "%s: kube-apiserver would not load this policy\n", policyPath.c_str());
        return 1;
    }
    const LoadResult loaded = loadPolicyLogs(paths);
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
        JsonWriter w(out);
        w.beginObject();
        const AuditIdId auditId = store.auditId[row];
        w.string("auditID", auditId ? store.pools.auditIds.text(auditId.value) : std::string());
        w.string("stage", stageName(store.stage[row]));
        w.string("file", store.sourceOf(EventId{row}).path);
        w.number("line", store.line[row]);
        w.number("rule", m.rule());
        w.string("level", levelName(m.level()));
        w.beginArray("omitStages");
        for (const Stage s : d.omitStageList())
            w.string(stageName(s));
        w.endArray();
        w.boolean("omitManagedFields", m.omitManagedFields());
        w.boolean("emitted", m.emitted());
        w.endObject();
        out.push_back('\n');
        if (out.size() > (1 << 20) - 4096) {
            writeAll(out);
            out.clear();
        }
    }
    writeAll(out);
    const bool badInput = loaded.report.badLines > 0;
    return badInput ? LoadedWithBadLines : Success;
}

int runLint(const std::vector<std::string>& args)
{
    PolicyArgs a;
    if (const int rc = parsePolicyArgs(args, true, a); rc >= 0)
        return rc;
    PolicyLoadResult policy = loadPolicyFile(a.policyPath);
    for (const PolicyDiagnostic& d : policy.diagnostics)
        writeAll(formatPolicyDiagnostic(a.policyPath, d), stderr);
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
        const LoadResult loaded = loadPolicyLogs(a.paths);
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
        JsonWriter w(out);
        w.beginObject();
        w.string("file", a.policyPath);
        w.number("events", events);
        w.beginArray("findings");
        for (const PolicyLintFinding& f : findings) {
            w.beginObject();
            w.string("check", lintCheckName(f.check));
            w.number("rule", f.rule);
            w.number("line", f.diagnostic.line);
            w.number("column", f.diagnostic.column);
            w.string("fieldPath", f.diagnostic.fieldPath);
            w.string("message", f.diagnostic.message);
            w.endObject();
        }
        w.endArray();
        w.endObject();
        out.push_back('\n');
    } else {
        for (const PolicyLintFinding& f : findings) {
            PolicyDiagnostic d = f.diagnostic;
            d.message += " [" + std::string(lintCheckName(f.check)) + "]";
            out += formatPolicyDiagnostic(a.policyPath, d);
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
            return printUsage(PolicyUsage);
        } else if (isOption(a)) {
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
        writeAll(formatPolicyDiagnostic(policyPath, d), stderr);
    if (!policy.decoded) {
        std::fprintf(stderr, "%s: the policy does not decode\n", policyPath.c_str());
        return 1;
    }
    const LoadResult loaded = loadPolicyLogs(paths);
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
        return runPolicyImpact(rest);
    if (sub == "explain")
        return runExplain(rest);
    if (sub == "editbench")
        return runPolicyEditBench(rest);
    if (sub == "-h" || sub == "--help" || sub == "help")
        return printUsage(PolicyUsage);
    return usageError("unknown policy subcommand '" + sub + "'", PolicyUsage);
}

} // namespace auditscope::cli
