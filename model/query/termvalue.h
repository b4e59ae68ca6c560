// SPDX-License-Identifier: Apache-2.0
// How a term's value accepts a candidate: as text (`*` glob or equality) or as a number under
// the term's operator. Shared by the term preparation and the raw matcher.
#pragma once

#include "query/query.h"

#include <cstdint>
#include <string_view>

namespace auditscope {

/// `text` matches the term's value: a `*` glob if it has one, else equality.
inline bool valueMatches(const QueryNode& n, std::string_view text)
{
    return n.wildcard ? globMatch(n.value, text) : text == n.value;
}

/// `v op number`; Match means equality.
inline bool compares(CompareOp op, std::int64_t v, std::int64_t number)
{
    switch (op) {
    case CompareOp::Match:
        return v == number;
    case CompareOp::Lt:
        return v < number;
    case CompareOp::Le:
        return v <= number;
    case CompareOp::Gt:
        return v > number;
    case CompareOp::Ge:
        return v >= number;
    }
    return false;
}

/// A numbered value (code, rule, level, stage) whose text is `name()`: a wildcard `:` term globs
/// the text, any other term compares the number with the term's number.
template <class NameOf>
bool numberedValueMatches(const QueryNode& n, std::int64_t v, NameOf name)
{
    return n.wildcard && n.op == CompareOp::Match ? globMatch(n.value, name())
                                                  : compares(n.op, v, n.number);
}

} // namespace auditscope
