// SPDX-License-Identifier: Apache-2.0
#include "policyoutline.h"

#include "policy/policyevaluator.h"
#include "policy/policylint.h"
#include "policy/policystoreevaluation.h"

#include <algorithm>
#include <map>

namespace auditscope {

namespace {

std::string joined(const std::vector<std::string>& values, std::size_t maxShown = 6)
{
    std::string out;
    for (std::size_t i = 0; i < values.size() && i < maxShown; ++i) {
        if (i > 0)
            out += ", ";
        out += values[i].empty() ? std::string("\"\"") : values[i];
    }
    if (values.size() > maxShown)
        out += ", … (+" + std::to_string(values.size() - maxShown) + ")";
    return out;
}

std::string groupLabel(const std::string& group)
{
    if (group.empty())
        return "core";
    if (group == "*")
        return "any group";
    return group;
}

} // namespace

std::string ruleSummary(const PolicyRule& rule)
{
    std::vector<std::string> parts;
    if (!rule.users.empty())
        parts.push_back("users [" + joined(rule.users.values) + "]");
    if (!rule.userGroups.empty())
        parts.push_back("groups [" + joined(rule.userGroups.values) + "]");
    if (!rule.verbs.empty())
        parts.push_back("verbs [" + joined(rule.verbs.values) + "]");
    if (!rule.namespaces.empty())
        parts.push_back("namespaces [" + joined(rule.namespaces.values) + "]");
    if (!rule.resources.empty()) {
        std::string text;
        for (const GroupResources& gr : rule.resources) {
            if (!text.empty())
                text += "; ";
            text += gr.resources.empty() ? std::string("all") : joined(gr.resources.values);
            if (!gr.resourceNames.empty())
                text += " named [" + joined(gr.resourceNames.values) + "]";
            text += " (" + groupLabel(gr.group) + ")";
        }
        parts.push_back("resources " + text);
    } else if (!rule.nonResourceURLs.empty() && rule.namespaces.empty()) {
        parts.push_back("URLs [" + joined(rule.nonResourceURLs.values) + "]");
    }
    if (rule.namespaces.empty() && rule.resources.empty() && rule.nonResourceURLs.empty())
        parts.push_back(parts.empty() ? "every request" : "any request");
    std::string out;
    for (const std::string& p : parts)
        out += (out.empty() ? "" : " · ") + p;
    return out;
}

std::vector<std::uint64_t> bytesPerTuple(const PolicyAttributeIndex& index)
{
    std::vector<std::uint64_t> bytes(index.tupleCount(), 0);
    const std::vector<std::uint32_t>& slotOf = index.slotOfEvent();
    const std::vector<std::uint32_t>& length = index.store().rawLength;
    for (std::size_t row = 0; row < slotOf.size(); ++row)
        bytes[slotOf[row] / static_cast<std::uint32_t>(StageCount)] += length[row];
    return bytes;
}

PolicyOutline outlinePolicy(const Policy& policy)
{
    PolicyOutline outline;
    outline.rules.reserve(policy.rules.size());
    for (std::size_t i = 0; i < policy.rules.size(); ++i) {
        const PolicyRule& rule = policy.rules[i];
        PolicyRuleOutline r;
        r.rule = static_cast<int>(i);
        r.level = rule.level;
        r.parsedLevel = rule.parsedLevel.value_or(Level::Unknown);
        r.summary = ruleSummary(rule);
        r.pos = rule.pos;
        r.span = rule.span;
        r.shadowedBy = coveringRules(std::span<const PolicyRule>(policy.rules.data(), i), rule);
        outline.rules.push_back(std::move(r));
    }
    return outline;
}

PolicyOutline outlinePolicy(const PolicyEvaluator& evaluator, const PolicyAttributeIndex& index,
    const PolicyStoreResult& result, std::span<const std::uint64_t> tupleBytes)
{
    PolicyOutline outline = outlinePolicy(evaluator.policy());
    outline.hasLog = true;
    const std::size_t rules = outline.rules.size();
    const std::size_t tuples = std::min(index.tupleCount(), result.tupleDecisions.size());
    std::vector<std::uint64_t> bytes(rules + 1, 0);
    for (std::size_t t = 0; t < tuples && t < tupleBytes.size(); ++t)
        bytes[static_cast<std::size_t>(result.tupleDecisions[t].ruleIndex + 1)] += tupleBytes[t];
    for (std::size_t i = 0; i < rules; ++i) {
        PolicyRuleOutline& r = outline.rules[i];
        r.hasLog = true;
        r.events = i + 1 < result.eventsPerRule.size() ? result.eventsPerRule[i + 1] : 0;
        r.bytes = bytes[i + 1];
    }
    outline.unmatchedEvents = result.eventsPerRule.empty() ? 0 : result.eventsPerRule[0];
    outline.unmatchedBytes = bytes[0];

    // A rule that decides nothing: does its own condition match events that earlier rules
    // took? Only tuples decided by an earlier rule can (otherwise this rule would decide them).
    const std::vector<std::uint64_t>& eventsOfTuple = index.eventsPerTuple();
    for (std::size_t i = 0; i < rules; ++i) {
        PolicyRuleOutline& r = outline.rules[i];
        if (r.events != 0)
            continue;
        std::map<int, std::uint64_t> takers;
        for (std::size_t t = 0; t < tuples; ++t) {
            const int decidedBy = result.tupleDecisions[t].ruleIndex;
            if (decidedBy < 0 || static_cast<std::size_t>(decidedBy) >= i || eventsOfTuple[t] == 0)
                continue;
            if (!evaluator.ruleMatches(i, index.view(t)))
                continue;
            r.ownEvents += eventsOfTuple[t];
            takers[decidedBy] += eventsOfTuple[t];
        }
        std::uint64_t most = 0;
        for (const auto& [rule, count] : takers)
            if (count > most) {
                most = count;
                r.takenMostlyBy = rule;
            }
    }
    return outline;
}

} // namespace auditscope
