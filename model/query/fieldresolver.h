// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "query/query.h"

#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// What a field name written in a query reads: a column field, or a JSON path (field Json).
struct ResolvedField
{
    QueryField field = QueryField::Json;
    std::vector<std::string> path; ///< Json: the key path
};

/// Resolves a field written in a query, split at its dots (quoted segments unquoted), as in
/// `fieldText`: an alias or the JSON path of a column field (case-insensitive), `uri` and
/// `reason`, or any path that starts with a top-level key of an audit event. Otherwise false,
/// with `error` naming the closest field ("did you mean") or suggesting quotes.
bool resolveQueryField(const std::vector<std::string>& segments, std::string_view fieldText,
    ResolvedField& out, std::string& error);

} // namespace auditscope
