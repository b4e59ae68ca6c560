// SPDX-License-Identifier: Apache-2.0
#include "query/querytext.h"

#include <algorithm>

namespace auditscope {

namespace {

bool isKeyword(std::string_view value)
{
    std::string lower(value);
    std::transform(lower.begin(), lower.end(), lower.begin(),
        [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
    return lower == "and" || lower == "or" || lower == "not" || value.starts_with("&&")
        || value.starts_with("||");
}

bool needsQuotes(std::string_view value)
{
    if (value.empty() || isKeyword(value))
        return true;
    return std::any_of(value.begin(), value.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == '"'
            || c == '\\';
    });
}

} // namespace

std::string quoteQueryValue(std::string_view value)
{
    if (!needsQuotes(value))
        return std::string(value);
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

std::string negateQueryTerm(std::string_view term)
{
    const bool single = term.find(' ') == std::string_view::npos;
    return single ? "not " + std::string(term) : "not (" + std::string(term) + ")";
}

} // namespace auditscope
