// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auditscope {

/// A small JSON DOM for request and response bodies (object histories, diffs, patches). Keeps
/// object members in their logged order and numbers as their logged text, so values print back
/// as they were written. Built for a handful of bodies at a time, never per event of a store.
/// A plain value type; copyable, no shared state.
class JsonValue
{
public:
    enum class Type : std::uint8_t { Null, Bool, Number, String, Array, Object };
    using Member = std::pair<std::string, JsonValue>;

    JsonValue() = default;
    static JsonValue makeBool(bool value);
    /// `token` is the number as JSON text (`3`, `-1.5e3`); not checked.
    static JsonValue makeNumber(std::string token);
    static JsonValue makeString(std::string text);
    static JsonValue makeArray();
    static JsonValue makeObject();

    Type type() const { return m_type; }
    bool isNull() const { return m_type == Type::Null; }
    bool isObject() const { return m_type == Type::Object; }
    bool isArray() const { return m_type == Type::Array; }
    bool isString() const { return m_type == Type::String; }
    bool boolValue() const { return m_bool; }
    /// A string's text (unescaped) or a number's token; empty for other types.
    const std::string& text() const { return m_text; }

    const std::vector<JsonValue>& items() const { return m_items; }
    std::vector<JsonValue>& items() { return m_items; }
    const std::vector<Member>& members() const { return m_members; }
    std::vector<Member>& members() { return m_members; }

    /// The member `key` of an object (first one if repeated), or nullptr.
    const JsonValue* find(std::string_view key) const;
    JsonValue* find(std::string_view key);
    /// The string member `key` of an object, or "" when absent or not a string.
    std::string_view stringAt(std::string_view key) const;
    /// Replaces member `key` or appends it (objects only).
    void set(std::string_view key, JsonValue value);
    /// Removes member `key`; false if there was none.
    bool erase(std::string_view key);

    /// The value at an RFC 6901 JSON Pointer (`""` = this value, `/spec/containers/0`), or
    /// nullptr if a step is missing or malformed.
    const JsonValue* at(std::string_view pointer) const;
    JsonValue* at(std::string_view pointer);

    /// Structural equality; object members compare as unordered maps, numbers by their text
    /// after normalising (`1.0` equals `1`, `1e2` equals `100`).
    bool operator==(const JsonValue& other) const;

    /// Compact JSON (no spaces), members in stored order.
    std::string toJson() const;
    void appendJson(std::string& out) const;
    /// Indented JSON (`indent` spaces per level), for reading.
    std::string toPrettyJson(int indent = 2) const;

private:
    void appendPretty(std::string& out, int indent, int depth) const;

    Type m_type = Type::Null;
    bool m_bool = false;
    std::string m_text;
    std::vector<JsonValue> m_items;
    std::vector<Member> m_members;
};

/// Parses one JSON document (simdjson On-Demand). On failure returns nullopt and, if `error` is
/// given, a message. Nesting deeper than MaxJsonDepth is such a failure (DEPTH_ERROR).
std::optional<JsonValue> parseJson(std::string_view text, std::string* error = nullptr);

/// `text` pretty-printed, or `text` unchanged when it is not valid JSON.
std::string prettyJson(std::string_view text, int indent = 2);

/// One RFC 6901 reference token: `~` becomes `~0`, `/` becomes `~1`.
std::string jsonPointerToken(std::string_view key);
/// Splits a JSON Pointer into unescaped tokens; nullopt when it does not start with `/`
/// (the empty pointer gives no tokens).
std::optional<std::vector<std::string>> splitJsonPointer(std::string_view pointer);

} // namespace auditscope
