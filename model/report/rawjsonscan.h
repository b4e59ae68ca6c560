// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string_view>

namespace auditscope {

/// Byte scans over an event's raw JSON, without a parser: for members that a parse would reach
/// only after reading the bodies (requestURI of a third of 10 M events for the policy index,
/// the sizes of requestObject and responseObject for the policy's impact). They trust that the
/// loader parsed the line once; whatever they do not decide is for the parser.
namespace rawjson {

constexpr std::size_t npos = std::string_view::npos;

inline bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// The first position from `i` on that is not JSON whitespace (s.size() at the end).
std::size_t skipSpace(std::string_view s, std::size_t i);
/// `s[i]` is an opening quote: the position after the closing one (npos: unterminated).
std::size_t skipString(std::string_view s, std::size_t i);
/// `i` is at the first byte of a value: the position after it (npos: malformed or cut).
std::size_t skipValue(std::string_view s, std::size_t i);

} // namespace rawjson

/// What scanTopLevelString() found.
enum class RawScanResult {
    Found, ///< a top-level string: `value` is it as written, between its quotes
    Absent, ///< the object has no top-level member of that name
    Unsure, ///< something the scan does not decide (an escaped key, not a string, odd bytes)
};

struct RawScan
{
    RawScanResult result = RawScanResult::Unsure;
    std::string_view value;
    bool escaped = false; ///< `value` has backslash escapes: it is not the string itself
};

/// Looks for the top-level member `key` of the JSON object `json`: keys are compared as
/// written, the values before it skipped by their brackets and quotes. kube-apiserver writes
/// requestURI sixth, so this reads a few hundred bytes where a parse reads the whole line.
RawScan scanTopLevelString(std::string_view json, std::string_view key);

} // namespace auditscope
