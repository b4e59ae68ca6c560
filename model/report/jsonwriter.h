// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace auditscope {

/// Appends `text` as a JSON string literal (quotes included): the one JSON string escaper.
void appendJsonString(std::string& out, std::string_view text);
/// Appends `"key":`.
void appendJsonKey(std::string& out, std::string_view key);

/// Writes compact JSON text at the end of a string it does not own: commas, keys, nesting and
/// escaping, so that a layout reads as its list of members. Object members take a key (which
/// may be empty); array elements do not. An array begun with Layout::OnePerLine puts each
/// element, and its closing `]`, on a new line. Writes no trailing newline. One writer per
/// output; not for concurrent use.
class JsonWriter
{
public:
    enum class Layout { Compact, OnePerLine };

    explicit JsonWriter(std::string& out)
        : m_out(out)
    { }

    void beginObject();
    void beginObject(std::string_view key);
    void endObject();
    void beginArray(Layout layout = Layout::Compact);
    void beginArray(std::string_view key, Layout layout = Layout::Compact);
    void endArray();

    // Object members.
    void string(std::string_view key, std::string_view value);
    /// null when `value` is empty.
    void stringOrNull(std::string_view key, std::string_view value);
    /// null when there is no value; "" when the value is empty.
    void optionalString(std::string_view key, std::optional<std::string_view> value);
    template <class T>
    requires std::integral<T> &&(!std::same_as<T, bool>)void number(std::string_view key, T value)
    {
        member(key);
        m_out += std::to_string(value);
    }
    void optionalNumber(std::string_view key, std::optional<std::int64_t> value);
    void boolean(std::string_view key, bool value);
    void null(std::string_view key);
    /// RFC 3339 UTC with microseconds.
    void time(std::string_view key, std::int64_t ns);
    void optionalTime(std::string_view key, std::optional<std::int64_t> ns);
    /// `json` is valid JSON text, written as it is; null when empty.
    void raw(std::string_view key, std::string_view json);

    // Array elements.
    void string(std::string_view value);
    template <class T>
    requires std::integral<T> &&(!std::same_as<T, bool>)void number(T value)
    {
        element();
        m_out += std::to_string(value);
    }

private:
    void element();
    void member(std::string_view key);
    void open(char bracket, Layout layout);
    void close(char bracket);

    std::string& m_out;
    bool m_first = true; ///< nothing written yet in the innermost container
    /// Bit i: the container i levels up from the innermost one is a OnePerLine array (bit 0 =
    /// the innermost). Containers nested deeper than 64 levels lose their outer layouts.
    std::uint64_t m_onePerLine = 0;
};

} // namespace auditscope
