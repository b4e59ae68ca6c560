// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "query/query.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace auditscope {

/// A term's operator as written: `text` (`:`, `>=`, ...) starts at byte `offset` of the query.
struct TermOperator
{
    CompareOp op = CompareOp::Match;
    std::string_view text;
    std::size_t offset = 0;
};

/// Why a field does not accept a value, at byte `offset` of the query.
struct ValueError
{
    std::size_t offset = 0;
    std::string message;
};

/// Checks the value of the Match term `node` (field, op, value and wildcard set) against what
/// its field accepts, and fills in what the engine reads instead of the text: `number` for
/// codes, rules, stages, levels, severities and emitted:, the time of time terms (ns;
/// relativeTime for now-1h), `real` for JSON comparisons. `valueOffset` is where the value starts
/// in the query.
std::optional<ValueError> validateTermValue(
    QueryNode& node, const TermOperator& op, std::size_t valueOffset);

} // namespace auditscope
