// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/enums.h"
#include "policy/policy.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace auditscope {

class PolicyAttributeIndex;
class PolicyEvaluator;
struct PolicyStoreResult;

/// One rule as the policy editor's outline shows it.
struct PolicyRuleOutline
{
    int rule = -1;
    std::string level; ///< as written
    Level parsedLevel = Level::Unknown; ///< Unknown when the level is missing or invalid
    /// `verbs [get, list] · resources secrets, configmaps` — what the rule selects, short.
    std::string summary;
    SourcePos pos; ///< the rule's mapping
    SourceSpan span; ///< the rule's text (see PolicyRule::span)

    /// Statically shadowed: these earlier rules together match every request this rule could
    /// match (coveringRules), so it never decides anything. Empty when not shown to be.
    std::vector<int> shadowedBy;

    // The rest needs a log (hasLog); zero without one.
    bool hasLog = false;
    std::uint64_t events = 0; ///< events this rule decides (first match)
    std::uint64_t bytes = 0; ///< their JSON bytes as recorded (raw line lengths)
    /// Set only for a rule that decides no event: events its own condition matches, all of
    /// them decided by earlier rules, and the earlier rule that decides most of them.
    std::uint64_t ownEvents = 0;
    int takenMostlyBy = -1;

    bool shadowed() const { return !shadowedBy.empty(); }
    bool matchesNothing() const { return hasLog && events == 0; }
    /// Decides no event although its own condition matches some: earlier rules take them.
    bool shadowedInLog() const { return hasLog && events == 0 && ownEvents > 0; }
};

/// The outline of a policy: one entry per rule, plus the events no rule decides.
struct PolicyOutline
{
    std::vector<PolicyRuleOutline> rules;
    bool hasLog = false;
    std::uint64_t unmatchedEvents = 0, unmatchedBytes = 0; ///< no rule: level None
};

/// JSON bytes per distinct tuple of `index` (the sum of EventStore::rawLength of its events).
/// O(events); compute once per index and pass it to outlinePolicy.
std::vector<std::uint64_t> bytesPerTuple(const PolicyAttributeIndex& index);

/// The static outline (no log): levels, summaries, spans, static shadowing.
PolicyOutline outlinePolicy(const Policy& policy);

/// The outline against a log: `result` must be evaluateStore(evaluator, index) and
/// `tupleBytes` bytesPerTuple(index). O(tuples × rules that decide nothing) on top of the
/// static part; reads no event.
PolicyOutline outlinePolicy(const PolicyEvaluator& evaluator, const PolicyAttributeIndex& index,
    const PolicyStoreResult& result, std::span<const std::uint64_t> tupleBytes);

/// The short text of PolicyRuleOutline::summary for one rule.
std::string ruleSummary(const PolicyRule& rule);

} // namespace auditscope
