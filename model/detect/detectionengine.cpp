// SPDX-License-Identifier: Apache-2.0
// detect(): the rules' matches (rulecandidates.cpp), their state (rulestate.cpp) and the
// integrity checks (integritychecks.cpp), then the findings in order and per event.
#include "detect/detectionengine.h"

#include "chain/chainintegrity.h"
#include "detect/enginesteps.h"

#include <algorithm>
#include <chrono>

namespace auditscope {

namespace {

// Most severe first, then in rule order, then in time.
void sortFindings(std::vector<Finding>& findings, const RuleSet& rules)
{
    std::sort(findings.begin(), findings.end(), [&](const Finding& a, const Finding& b) {
        const FindingSeverity sa = rules.rules[a.rule].severity;
        const FindingSeverity sb = rules.rules[b.rule].severity;
        if (sa != sb)
            return sa > sb;
        if (a.rule != b.rule)
            return a.rule < b.rule;
        if (a.firstNs != b.firstNs)
            return a.firstNs < b.firstNs;
        return a.events < b.events;
    });
}

// Per event, the rules whose findings hold it (ascending, once each) and the highest severity.
FindingQueryContextPtr contextFor(
    const EventStorePtr& store, const RuleSet& rules, const std::vector<Finding>& findings)
{
    auto context = std::make_shared<FindingQueryContext>();
    context->store = store;
    for (const DetectionRule& r : rules.rules) {
        context->ruleIds.push_back(r.id);
        context->ruleSeverity.push_back(static_cast<std::uint8_t>(r.severity));
    }
    const std::size_t rows = store->size();
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs; // (row, rule)
    for (const Finding& f : findings)
        for (EventId e : f.events)
            pairs.emplace_back(e.value, f.rule);
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    context->offsets.assign(rows + 1, 0);
    context->topSeverity.assign(rows, 0);
    context->ruleIndexes.reserve(pairs.size());
    for (const auto& [row, rule] : pairs) {
        ++context->offsets[row + 1];
        context->ruleIndexes.push_back(rule);
        std::uint8_t& top = context->topSeverity[row];
        top = std::max<std::uint8_t>(top, context->ruleSeverity[rule] + 1);
    }
    for (std::size_t row = 0; row < rows; ++row)
        context->offsets[row + 1] += context->offsets[row];
    return context;
}

// Whether an enabled rule's match or then has a `chain:` term.
bool readsChains(const RuleSet& rules)
{
    for (const DetectionRule& r : rules.rules) {
        if (!r.enabled)
            continue;
        for (const Query* q : {&r.matchQuery, &r.thenQuery})
            for (const QueryNode& n : q->nodes)
                if (n.kind == QueryNode::Kind::Match && n.field == QueryField::Chain)
                    return true;
    }
    return false;
}

} // namespace

DetectionResult detect(const EventStorePtr& store, std::shared_ptr<const RuleSet> rules,
    std::stop_token stop, const DetectionOptions& options)
{
    const auto started = std::chrono::steady_clock::now();
    DetectionResult result;
    result.store = store;
    result.rules = rules ? std::move(rules) : std::make_shared<const RuleSet>();
    const auto finish = [&](bool cancelled) {
        result.cancelled = cancelled;
        if (cancelled)
            result.findings.clear();
        else if (store)
            result.context = contextFor(store, *result.rules, result.findings);
        result.elapsedMs =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                .count();
        return std::move(result);
    };
    if (!store)
        return finish(stop.stop_requested());
    if (stop.stop_requested())
        return finish(true);
    const RuleSet& set = *result.rules;
    if (readsChains(set) && !chainIntegrityFor(store, stop))
        return finish(true); // computed once here, not once per query that reads it
    const auto report = [&](double share) {
        if (options.progress)
            options.progress(std::clamp(share, 0.0, 1.0));
    };
    // The rules' matches: 0 .. 0.8 of the work.
    const auto matches = matchRules(*store, set, stop, std::max(1u, options.threads),
        [&](double share) { report(0.8 * share); });
    if (!matches)
        return finish(true);
    RequestStarts starts(*store);
    RuleStates states(*store, set, starts);
    IntegrityChecks checks(store, starts);
    for (std::uint32_t i = 0; i < set.rules.size(); ++i) {
        const DetectionRule& rule = set.rules[i];
        if (!rule.enabled)
            continue;
        if (rule.kind == RuleKind::Integrity) {
            if (!checks.run(rule, i, stop, result.findings))
                return finish(true);
        } else {
            states.run(i, (*matches)[i], result.findings);
        }
        if (stop.stop_requested())
            return finish(true);
        report(0.8 + 0.2 * double(i + 1) / double(set.rules.size()));
    }
    sortFindings(result.findings, set);
    return finish(false);
}

} // namespace auditscope
