// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

namespace auditscope {

struct Query;
struct QueryNode;

/// Whether `node` is a term that reads the active policy's result (rule:, policylevel:,
/// emitted:, policychange:).
bool readsPolicyResult(const QueryNode& node);
/// Whether `query` has a term that reads the active policy's result (rule:, policylevel:,
/// emitted:, policychange:): a new policy result changes what it selects.
bool readsPolicyResult(const Query& query);
/// The leftmost term of `query` that reads a policy's result, or nullptr.
const QueryNode* firstPolicyTerm(const Query& query);
/// The same for a filter's text; false when it does not parse.
bool readsPolicyResult(std::string_view filter);

} // namespace auditscope
