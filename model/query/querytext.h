// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace auditscope {

/// `value` written so that the filter language reads it back as that one value: bare when it
/// can be (`get`, `system:anonymous`), otherwise quoted with `\"` and `\\` escapes (values with
/// spaces, parentheses, quotes, backslashes, or that read as `and`/`or`/`not`/`&&`/`||`).
/// A `*` stays a wildcard: the language has no literal star.
std::string quoteQueryValue(std::string_view value);

/// `term` negated: `not verb:get`; a compound term is parenthesised first.
std::string negateQueryTerm(std::string_view term);

} // namespace auditscope
