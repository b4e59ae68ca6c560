// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/enums.h"
#include "detect/detectionrule.h"
#include "policy/policy.h"

#include <string>
#include <vector>

namespace auditscope {

/// One request shape a rule must see: from the positive verb/resource/subresource/apiGroup/
/// namespace terms of its match (and then). Empty fields mean "any".
struct RequestShape
{
    std::string verb, apiGroup, resource, subresource, namespaceName;
    bool nonResource = false; ///< a match on a non-resource URL (/healthz, ...)
    std::string path;
};

/// What a rule needs the audit policy to record, derived from its own fields (never written by
/// hand): the level (Request when it reads requestObject, RequestResponse for responseObject,
/// else Metadata), the stages it names, and the requests it looks at.
struct RuleNeeds
{
    Level level = Level::Metadata;
    std::vector<Stage> stages; ///< stages named by `stage:` terms; empty = any one stage
    std::vector<RequestShape> requests; ///< empty = any request
    /// "pods create (with subresource exec) at Request or higher, stage ResponseStarted"
    std::string toString() const;
};
RuleNeeds needsOf(const DetectionRule& rule);

/// Whether `policy` records what a rule needs, and if not the smallest change that would.
struct RuleCoverage
{
    std::size_t rule = 0; ///< index into the RuleSet
    bool covered = false;
    std::string needs; ///< RuleNeeds::toString()
    /// Empty when covered; else e.g. "pods create needs Request or higher: rule 7 gives
    /// Metadata" or "ResponseStarted is omitted by the policy's omitStages".
    std::string suggestion;
};
/// Coverage of every enabled query rule (integrity rules need nothing and are covered).
/// Requests are judged for an ordinary authenticated user (groups system:authenticated).
std::vector<RuleCoverage> coverageAgainst(const RuleSet& rules, const Policy& policy);

} // namespace auditscope
