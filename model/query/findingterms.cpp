// SPDX-License-Identifier: Apache-2.0
#include "query/findingterms.h"

#include "query/query.h"
#include "query/querychars.h"

#include <algorithm>

namespace auditscope {

std::optional<int> findingSeverityIndex(std::string_view name)
{
    const std::string lowered = asciiLowered(name);
    for (std::size_t i = 0; i < FindingSeverityNames.size(); ++i)
        if (FindingSeverityNames[i] == lowered)
            return static_cast<int>(i);
    return std::nullopt;
}

bool readsFindings(const QueryNode& n)
{
    return n.kind == QueryNode::Kind::Match
        && (n.field == QueryField::Finding || n.field == QueryField::Severity);
}

bool readsFindings(const Query& query)
{
    return std::any_of(query.nodes.begin(), query.nodes.end(),
        [](const QueryNode& n) { return readsFindings(n); });
}

bool readsFindings(std::string_view filter)
{
    const ParseResult parsed = parseQuery(filter);
    return parsed.query && readsFindings(*parsed.query);
}

} // namespace auditscope
