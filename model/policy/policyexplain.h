// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/ids.h"
#include "policy/policy.h"
#include "policy/policyevaluator.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

class PolicyAttributeIndex;

/// The first check of a rule that a request fails, in the order of kube-apiserver's
/// `matches` (spec §4): users, userGroups, verbs, then either the resource side (resource
/// request, namespaces, resources) or the non-resource side (non-resource request,
/// nonResourceURLs).
enum class RuleMismatch : std::uint8_t {
    None, ///< the rule matches the request
    NoUserForUsers, ///< the rule lists users; the request has no authenticated user
    User, ///< the user name is not in `users`
    NoUserForGroups, ///< the rule lists userGroups; the request has no authenticated user
    UserGroups, ///< none of the user's groups is in `userGroups`
    Verb, ///< the verb is not in `verbs`
    NotResourceRequest, ///< the rule has namespaces/resources; the request is non-resource
    Namespace, ///< the namespace is not in `namespaces`
    ApiGroup, ///< no `resources` entry is for the request's API group (nor "*")
    Resource, ///< entries of the group exist, but none lists the resource[/subresource]
    ResourceName, ///< a listed resource matches, but the name is not in its resourceNames
    ResourceRequest, ///< the rule has nonResourceURLs only; the request is a resource request
    Path, ///< the path matches none of `nonResourceURLs`
};

std::string_view ruleMismatchName(RuleMismatch mismatch);

/// Why one rule does (or does not) match one request: the first failing check only.
struct RuleExplanation
{
    int rule = -1;
    RuleMismatch mismatch = RuleMismatch::None;
    /// The rule's field that failed: "users", "userGroups", "verbs", "namespaces",
    /// "resources", "resourceNames", "nonResourceURLs"; "" when the rule matches.
    std::string field;
    std::string fieldPath; ///< "rules[2].verbs", "rules[3].resources"; "" when matching
    SourcePos pos; ///< where that field is written (else the rule), for the editor
    /// The request's value that failed, as the policy saw it: the user name, the verb, the
    /// namespace, the API group, `resource[/subresource]`, the name, or the path. Groups are
    /// in `requestGroups`.
    std::string value;
    std::vector<std::string> requestGroups; ///< UserGroups: the user's groups
    /// What the rule allows, for the sentence: the list that failed (for Resource the
    /// resources of the entries for the request's group; for ApiGroup the entries' groups;
    /// for ResourceName the names of the entries whose resource matched).
    std::vector<std::string> allowed;
    /// One line in developer English, e.g. `rule 2: verb get not in [create, update]`.
    std::string sentence;
};

/// Why a request got the rule it got: every earlier rule with its first failing check.
struct PolicyExplanation
{
    int matchedRule = -1; ///< the evaluator's rule (-1: none matched)
    /// One entry per rule before matchedRule (every rule when none matched), in order; each
    /// has a mismatch other than None.
    std::vector<RuleExplanation> rejected;
    /// `rule 4 matches (level None)` or `no rule matches: level None, nothing is written`.
    std::string summary;
};

/// Explains rule `index` of `policy` for request `attributes` (no allocation beyond the
/// result). Agrees with PolicyEvaluator::ruleMatches: mismatch == None exactly when it matches.
RuleExplanation explainRule(
    const Policy& policy, std::size_t index, const RequestAttributesView& attributes);

/// Explains the evaluation of `attributes` under `policy`: the first matching rule, and why
/// each earlier rule did not match.
PolicyExplanation explainRequest(const Policy& policy, const RequestAttributesView& attributes);

/// The same for one distinct tuple of an attribute index.
PolicyExplanation explainTuple(
    const Policy& policy, const PolicyAttributeIndex& index, std::size_t tuple);
/// The same for one event of the index's store (its tuple: the attributes the policy saw).
PolicyExplanation explainEvent(
    const Policy& policy, const PolicyAttributeIndex& index, EventId event);

} // namespace auditscope
