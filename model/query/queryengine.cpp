// SPDX-License-Identifier: Apache-2.0
// The engine's entry points. The evaluation is QueryEvaluator's (queryevaluator.h); the
// reference evaluator is in querybruteforce.cpp.
#include "queryengine.h"

#include "query/findingterms.h"
#include "query/policyterms.h"
#include "query/querychars.h"
#include "query/queryevaluator.h"

#include <algorithm>

namespace auditscope {

namespace {

// Why term `n` cannot run with what the options give for the store, or "" when it can.
std::string missingContext(const QueryNode& n, const EventStore& store, const QueryOptions& options)
{
    if (readsPolicyResult(n)) {
        const bool covered = options.policy && options.policy->covers(store);
        const bool compared = options.policy && options.policy->comparesOn(store);
        if (n.field == QueryField::PolicyChange ? compared : covered)
            return {};
        return !options.policy ? "no active policy: open one in the policy editor"
            : !covered
            ? "the active policy has not been evaluated on these events yet; try again when the "
              "policy editor shows its result"
            : "the active policy is not compared with another policy: choose one under "
              "'Impact compared with' in the Rules dock";
    }
    if (!readsFindings(n))
        return {};
    if (!options.findings)
        return "no findings computed: run detection first";
    if (!options.findings->covers(store))
        return "the findings are not for these events yet; try again when detection has finished";
    if (n.field != QueryField::Finding)
        return {};
    const std::vector<std::string>& ids = options.findings->ruleIds;
    if (std::any_of(ids.begin(), ids.end(), [&](const std::string& id) {
            return n.wildcard ? globMatch(n.value, id) : id == n.value;
        }))
        return {};
    return n.wildcard ? "no detection rule matches '" + n.value + "'"
                      : "unknown detection rule '" + n.value + "'";
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
    const QueryNode* first = nullptr; // the leftmost term without its context
    std::string message;
    for (const QueryNode& n : query.nodes) {
        if (first && n.offset >= first->offset)
            continue;
        if (std::string why = missingContext(n, store, options); !why.empty()) {
            first = &n;
            message = std::move(why);
        }
    }
    if (!first)
        return std::nullopt;
    QueryError error;
    error.offset = std::min(first->offset, text.size());
    error.column = columnAt(text, error.offset);
    error.message = std::move(message);
    return error;
}

} // namespace auditscope
