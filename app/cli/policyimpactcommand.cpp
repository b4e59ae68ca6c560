// SPDX-License-Identifier: Apache-2.0
// `policy impact`: events and bytes each rule and level of a policy keeps and drops, compared
// with what was recorded (or, with --against, with another policy).
#include "policycommand.h"

#include "arguments.h"
#include "commands.h"
#include "output.h"

#include "policy/policyimpact.h"
#include "policy/policystoreevaluation.h"
#include "report/jsonwriter.h"

#include <cstdio>
#include <optional>

namespace auditscope::cli {

namespace {

void impactRow(JsonWriter& w, const PolicyImpactRow& r)
{
    const std::pair<const char*, std::uint64_t> fields[] = {{"events", r.events},
        {"bytes", r.bytes}, {"keptEvents", r.keptEvents}, {"keptBytes", r.keptBytes},
        {"droppedEvents", r.droppedEvents}, {"droppedBytes", r.droppedBytes},
        {"strippedEvents", r.strippedEvents}, {"strippedBytes", r.strippedBytes},
        {"raisedEvents", r.raisedEvents}};
    for (const auto& [key, value] : fields)
        w.number(key, value);
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
        writeAll(formatPolicyDiagnostic(path, d), stderr);
    if (!policy.loadable) {
        std::fprintf(stderr, "%s: kube-apiserver would not load this policy\n", path.c_str());
        return std::nullopt;
    }
    return std::move(policy.policy);
}

} // namespace

int runPolicyImpact(const std::vector<std::string>& args)
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
    const LoadResult loaded = loadPolicyLogs(a.paths);
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
        JsonWriter w(out);
        w.beginObject();
        w.string("policy", a.policyPath);
        w.beginObject("total");
        impactRow(w, impact.total);
        w.endObject();
        w.beginArray("byRule");
        for (std::size_t i = 0; i < impact.byRule.size(); ++i) {
            w.beginObject();
            w.number("rule", static_cast<int>(i) - 1);
            w.string("level", i == 0 ? std::string("None") : p.rules[i - 1].level);
            impactRow(w, impact.byRule[i]);
            w.endObject();
        }
        w.endArray();
        for (const bool recorded : {false, true}) {
            w.beginObject(recorded ? "byRecordedLevel" : "byNewLevel");
            for (const Level l : levels) {
                const PolicyImpactRow& r =
                    (recorded ? impact.byRecordedLevel
                              : impact.byNewLevel)[static_cast<std::size_t>(l)];
                if (r.events == 0)
                    continue;
                w.beginObject(l == Level::Unknown ? "(absent)" : levelName(l));
                impactRow(w, r);
                w.endObject();
            }
            w.endObject();
        }
        w.number("requestsMissingRequestReceived", impact.requestsMissingRequestReceived);
        w.beginArray("unknowns");
        for (const std::string& u : impact.unknowns)
            w.string(u);
        w.endArray();
        w.endObject();
        out.push_back('\n');
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

} // namespace auditscope::cli
