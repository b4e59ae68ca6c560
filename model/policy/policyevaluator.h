// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policy.h"
#include "policy/requestattributes.h"

#include <span>
#include <string_view>
#include <vector>

namespace auditscope {

/// Non-owning attributes, the form the matcher works on (no allocation per evaluation).
struct RequestAttributesView
{
    bool hasUser = false;
    std::string_view userName;
    std::span<const std::string_view> groups;
    std::string_view verb;
    bool isResourceRequest = false;
    std::string_view apiGroup, resource, subresource, namespaceName, name, path;
};

/// kube-apiserver's answer for one request (spec §4, §7).
struct PolicyDecision
{
    int ruleIndex = -1; ///< first matching rule, -1 if none
    Level level = Level::None; ///< Unknown only for a rule whose level is invalid
    StageMask omitStages = 0; ///< effective set: policy ∪ rule
    bool omitManagedFields = false;

    /// Whether an event for `stage` is written (level ≠ None and stage not omitted).
    /// Stage::Unknown is judged on the level alone.
    bool emitted(Stage stage) const
    {
        if (level == Level::None || level == Level::Unknown)
            return false;
        return stage == Stage::Unknown || !(omitStages & stageBit(stage));
    }
    /// The omitted stages in enum order (RequestReceived, ResponseStarted, ResponseComplete,
    /// Panic).
    std::vector<Stage> omitStageList() const;
    friend bool operator==(const PolicyDecision&, const PolicyDecision&) = default;
};

/// Evaluates one policy (checker.go): rules in order, first match wins. Holds a copy of the
/// policy with stage sets precomputed. Immutable after construction; usable from any thread.
class PolicyEvaluator
{
public:
    explicit PolicyEvaluator(Policy policy);

    PolicyDecision evaluate(const RequestAttributes& attributes) const;
    PolicyDecision evaluate(const RequestAttributesView& attributes) const;
    /// Whether rule `index` matches (the `matches` of spec §4).
    bool ruleMatches(std::size_t index, const RequestAttributesView& attributes) const;

    const Policy& policy() const { return m_policy; }
    /// The decision returned for rule `index` (or -1) regardless of attributes.
    const PolicyDecision& decisionForRule(int index) const;

private:
    Policy m_policy;
    std::vector<PolicyDecision> m_ruleDecisions; ///< per rule
    PolicyDecision m_noMatch;
};

/// Bit set of stages from their names; unknown names are ignored (validation reports them).
StageMask stageMaskOf(const StringList& stages);

/// Spec §4 pathMatches for one nonResourceURLs entry.
bool nonResourceUrlMatches(std::string_view spec, std::string_view path);

/// Spec §4 resourceMatch for one `resources[].resources` entry (`*`, `pods`, `pods/log`,
/// `*/status`, `pods/*`) against the request's resource and subresource; names and groups are
/// checked by the caller.
bool resourcePatternMatches(
    std::string_view pattern, std::string_view resource, std::string_view subresource);

} // namespace auditscope
