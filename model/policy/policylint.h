// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policy.h"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace auditscope {

class PolicyAttributeIndex;
class PolicyImpactIndex;
struct PolicyStoreResult;

/// The kinds of lint finding. Lint never rejects a policy: every finding is a Warning.
enum class PolicyLintCheck : std::uint8_t {
    ShadowedRule, ///< an earlier rule matches every request this rule matches (static)
    SensitiveBodies, ///< secrets/configmaps/tokenreviews reach Request or RequestResponse
    PodsWithoutSubresources, ///< `pods` listed, exec/attach named nowhere in the policy
    WrongGroup, ///< a well-known resource under a group it does not live in
    GroupLooksLikeVersion, ///< `apps/v1`, `v1`, `v1beta1` as a group
    UnmatchedRule, ///< the rule matches none of the loaded events
    RecordedLevelDiffers, ///< the log was written under another policy
};

std::string_view lintCheckName(PolicyLintCheck check);

struct PolicyLintFinding
{
    PolicyLintCheck check = PolicyLintCheck::ShadowedRule;
    int rule = -1; ///< the rule the finding is about; -1 for "no rule matched"
    int otherRule = -1; ///< ShadowedRule/SensitiveBodies: the earlier rule involved, else -1
    std::uint64_t events = 0; ///< RecordedLevelDiffers: events concerned
    PolicyDiagnostic diagnostic; ///< always Severity::Warning, with line:column and field path
};

/// Static lint: needs only the policy (works on any decoded policy, loadable or not).
std::vector<PolicyLintFinding> lintPolicy(const Policy& policy);

/// Lint against a loaded log: rules that match no event, and recorded levels that disagree with
/// the policy's (per rule and recorded level, with a count and one example). `result` must be
/// evaluateStore(PolicyEvaluator(policy), index).
std::vector<PolicyLintFinding> lintPolicyAgainstLog(
    const Policy& policy, const PolicyAttributeIndex& index, const PolicyStoreResult& result);
/// The same findings from the impact index's groups: O(groups) instead of O(events).
std::vector<PolicyLintFinding> lintPolicyAgainstLog(const Policy& policy,
    const PolicyAttributeIndex& index, const PolicyImpactIndex& groups,
    const PolicyStoreResult& result);

/// Whether every request matched by rule `later` is also matched by rule `earlier`, decided
/// from the rules' text alone (conservative: false when unsure).
bool ruleCovers(const PolicyRule& earlier, const PolicyRule& later);

/// The earlier rules that together match every request rule `later` matches, so that `later`
/// never decides anything (first match wins); empty when that cannot be shown. One covering
/// rule is looked for first (ruleCovers); otherwise `later` is split into single-value parts
/// (one user, group, verb, namespace, resource entry/resource/name or URL each; a rule with
/// none of resources, namespaces and nonResourceURLs into "every resource request" and
/// "every non-resource request") and each part must be covered by one earlier rule.
/// Conservative: empty when unsure or when `later` has more than `maxParts` parts. Indexes
/// are into `earlier`, ascending.
std::vector<int> coveringRules(
    std::span<const PolicyRule> earlier, const PolicyRule& later, std::size_t maxParts = 4096);

/// The API groups a well-known built-in resource lives in (empty for unknown resources).
std::vector<std::string_view> knownGroupsOf(std::string_view resource);

} // namespace auditscope
