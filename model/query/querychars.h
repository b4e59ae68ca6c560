// SPDX-License-Identifier: Apache-2.0
// Character-level helpers of the filter language, shared by the parser, the completer and the
// engine: ASCII case folding, the characters that separate and form words, and columns.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

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
