// SPDX-License-Identifier: Apache-2.0
#include "query/policyterms.h"

#include "query/query.h"

#include <algorithm>

namespace auditscope {

bool readsPolicyResult(const QueryNode& n)
{
    return n.kind == QueryNode::Kind::Match
        && (n.field == QueryField::Rule || n.field == QueryField::PolicyLevel
            || n.field == QueryField::Emitted || n.field == QueryField::PolicyChange);
}

bool readsPolicyResult(const Query& query)
{
    return std::any_of(query.nodes.begin(), query.nodes.end(),
        [](const QueryNode& n) { return readsPolicyResult(n); });
}

const QueryNode* firstPolicyTerm(const Query& query)
{
    const QueryNode* first = nullptr;
    for (const QueryNode& n : query.nodes)
        if (readsPolicyResult(n) && (!first || n.offset < first->offset))
            first = &n;
    return first;
}

bool readsPolicyResult(std::string_view filter)
{
    const ParseResult parsed = parseQuery(filter);
    return parsed.query && readsPolicyResult(*parsed.query);
}

} // namespace auditscope
