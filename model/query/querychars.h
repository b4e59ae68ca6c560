// SPDX-License-Identifier: Apache-2.0
// Character-level helpers of the filter language, shared by the parser, the completer and the
// engine: ASCII case folding, the characters that separate and form words, and columns.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

inline char asciiLower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// `text` with ASCII letters lower-cased (field names and keywords are ASCII).
inline std::string asciiLowered(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        c = asciiLower(c);
    return out;
}

/// Equal but for the case of ASCII letters.
inline bool asciiIEquals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (asciiLower(a[i]) != asciiLower(b[i]))
            return false;
    return true;
}

/// Levenshtein distance, ASCII letters compared without case: for "did you mean" messages.
inline std::size_t asciiEditDistance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                diagonal + (asciiLower(a[i - 1]) != asciiLower(b[j - 1]))});
            diagonal = up;
        }
    }
    return row[b.size()];
}

inline bool isQuerySpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// A character of a field name or JSON path (quoted path segments aside).
inline bool isFieldChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
        || c == '.' || c == '-' || c == '/';
}

/// The 1-based column, in UTF-8 characters, of byte `offset` of `text` (clamped to its end).
inline std::size_t columnAt(std::string_view text, std::size_t offset)
{
    std::size_t column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
        column += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    return column;
}

} // namespace auditscope
