// SPDX-License-Identifier: Apache-2.0
// The engine's entry points. The evaluation is QueryEvaluator's (queryevaluator.h); the
// reference evaluator is in querybruteforce.cpp.
#include "queryengine.h"

#include "query/policyterms.h"
#include "query/querychars.h"
#include "query/queryevaluator.h"

#include <algorithm>

namespace auditscope {

namespace {

// Whether term `n` reads a policy outcome that the options do not give for the store.
bool lacksPolicyContext(const QueryNode& n, bool covered, bool compared)
{
    if (!readsPolicyResult(n))
        return false;
    return n.field == QueryField::PolicyChange ? !compared : !covered;
}

} // namespace

QueryResult runQuery(
    const EventStore& store, const Query& query, std::stop_token stop, const QueryOptions& options)
{
    if (query.nodes.empty())
        return {};
    return QueryEvaluator(store, query, std::move(stop), options).run();
}

std::optional<QueryError> checkQueryContext(
    const Query& query, std::string_view text, const EventStore& store, const QueryOptions& options)
{
    const bool covered = options.policy && options.policy->covers(store);
    const bool compared = options.policy && options.policy->comparesOn(store);
    const QueryNode* first = nullptr; // the leftmost policy term without its context
    for (const QueryNode& n : query.nodes) {
        if (lacksPolicyContext(n, covered, compared) && (!first || n.offset < first->offset))
            first = &n;
    }
    if (!first)
        return std::nullopt;
    QueryError error;
    error.offset = std::min(first->offset, text.size());
    error.column = columnAt(text, error.offset);
    error.message = !options.policy ? "no active policy: open one in the policy editor"
        : !covered ? "the active policy has not been evaluated on these events yet; try again when "
                     "the policy editor shows its result"
                   : "the active policy is not compared with another policy: choose one under "
                     "'Impact compared with' in the Rules dock";
    return error;
}

} // namespace auditscope
