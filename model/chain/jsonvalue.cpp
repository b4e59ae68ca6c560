// SPDX-License-Identifier: Apache-2.0
#include "jsonvalue.h"

#include "common/limits.h"
#include "report/jsonwriter.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>

namespace auditscope {

namespace {

namespace od = simdjson::ondemand;

bool isIntegerToken(std::string_view token)
{
    return token.find_first_of(".eE") == std::string_view::npos;
}

bool sameNumber(std::string_view a, std::string_view b)
{
    if (a == b)
        return true;
    if (isIntegerToken(a) && isIntegerToken(b))
        return false; // distinct integer texts (no leading zeros in JSON) differ
    double x = 0, y = 0;
    const auto [ea, ca] = std::from_chars(a.data(), a.data() + a.size(), x);
    const auto [eb, cb] = std::from_chars(b.data(), b.data() + b.size(), y);
    return ca == std::errc() && cb == std::errc() && x == y;
}

std::string_view trimmedToken(std::string_view token)
{
    while (!token.empty()
        && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r'
            || token.back() == '\t'))
        token.remove_suffix(1);
    return token;
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool isNumberToken(std::string_view t)
{
    std::size_t i = 0;
    auto digits = [&] {
        const std::size_t start = i;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9')
            ++i;
        return i - start;
    };
    if (i < t.size() && t[i] == '-')
        ++i;
    const std::size_t intStart = i;
    const std::size_t intDigits = digits();
    if (intDigits == 0 || (intDigits > 1 && t[intStart] == '0'))
        return false;
    if (i < t.size() && t[i] == '.') {
        ++i;
        if (digits() == 0)
            return false;
    }
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        if (i < t.size() && (t[i] == '+' || t[i] == '-'))
            ++i;
        if (digits() == 0)
            return false;
    }
    return i == t.size();
}

// Builds the DOM from an On-Demand value. On-Demand itself does not limit depth: parseJson()
// has the DOM parser refuse a text nested deeper than MaxJsonDepth before this recursion runs.
simdjson::error_code build(od::value value, JsonValue& out)
{
    od::json_type type;
    if (auto error = value.type().get(type))
        return error;
    switch (type) {
    case od::json_type::object: {
        out = JsonValue::makeObject();
        od::object object;
        if (auto error = value.get_object().get(object))
            return error;
        for (auto member : object) {
            od::field field;
            if (auto error = std::move(member).get(field))
                return error;
            std::string_view key;
            if (auto error = field.unescaped_key().get(key))
                return error;
            JsonValue child;
            if (auto error = build(field.value(), child))
                return error;
            out.members().emplace_back(std::string(key), std::move(child));
        }
        return simdjson::SUCCESS;
    }
    case od::json_type::array: {
        out = JsonValue::makeArray();
        od::array array;
        if (auto error = value.get_array().get(array))
            return error;
        for (auto element : array) {
            od::value item;
            if (auto error = std::move(element).get(item))
                return error;
            JsonValue child;
            if (auto error = build(item, child))
                return error;
            out.items().push_back(std::move(child));
        }
        return simdjson::SUCCESS;
    }
    case od::json_type::string: {
        std::string_view text;
        if (auto error = value.get_string().get(text))
            return error;
        out = JsonValue::makeString(std::string(text));
        return simdjson::SUCCESS;
    }
    case od::json_type::number: {
        const std::string_view token = trimmedToken(value.raw_json_token());
        if (!isNumberToken(token))
            return simdjson::NUMBER_ERROR;
        out = JsonValue::makeNumber(std::string(token));
        return simdjson::SUCCESS;
    }
    case od::json_type::boolean: {
        bool b = false;
        if (auto error = value.get_bool().get(b))
            return error;
        out = JsonValue::makeBool(b);
        return simdjson::SUCCESS;
    }
    case od::json_type::null:
        if (!value.is_null())
            return simdjson::N_ATOM_ERROR;
        out = JsonValue();
        return simdjson::SUCCESS;
    }
    return simdjson::INCORRECT_TYPE;
}

void appendIndent(std::string& out, int spaces)
{
    out.append(static_cast<std::size_t>(spaces), ' ');
}

} // namespace

JsonValue JsonValue::makeBool(bool value)
{
    JsonValue v;
    v.m_type = Type::Bool;
    v.m_bool = value;
    return v;
}

JsonValue JsonValue::makeNumber(std::string token)
{
    JsonValue v;
    v.m_type = Type::Number;
    v.m_text = std::move(token);
    return v;
}

JsonValue JsonValue::makeString(std::string text)
{
    JsonValue v;
    v.m_type = Type::String;
    v.m_text = std::move(text);
    return v;
}

JsonValue JsonValue::makeArray()
{
    JsonValue v;
    v.m_type = Type::Array;
    return v;
}

JsonValue JsonValue::makeObject()
{
    JsonValue v;
    v.m_type = Type::Object;
    return v;
}

const JsonValue* JsonValue::find(std::string_view key) const
{
    for (const Member& m : m_members)
        if (m.first == key)
            return &m.second;
    return nullptr;
}

JsonValue* JsonValue::find(std::string_view key)
{
    for (Member& m : m_members)
        if (m.first == key)
            return &m.second;
    return nullptr;
}

std::string_view JsonValue::stringAt(std::string_view key) const
{
    const JsonValue* v = find(key);
    return v && v->isString() ? std::string_view(v->text()) : std::string_view();
}

void JsonValue::set(std::string_view key, JsonValue value)
{
    if (JsonValue* existing = find(key))
        *existing = std::move(value);
    else
        m_members.emplace_back(std::string(key), std::move(value));
}

bool JsonValue::erase(std::string_view key)
{
    const auto it = std::find_if(
        m_members.begin(), m_members.end(), [&](const Member& m) { return m.first == key; });
    if (it == m_members.end())
        return false;
    m_members.erase(it);
    return true;
}

const JsonValue* JsonValue::at(std::string_view pointer) const
{
    return const_cast<JsonValue*>(this)->at(pointer);
}

JsonValue* JsonValue::at(std::string_view pointer)
{
    const auto tokens = splitJsonPointer(pointer);
    if (!tokens)
        return nullptr;
    JsonValue* v = this;
    for (const std::string& token : *tokens) {
        if (v->isObject()) {
            v = v->find(token);
        } else if (v->isArray()) {
            std::size_t index = 0;
            const auto [end, ec] =
                std::from_chars(token.data(), token.data() + token.size(), index);
            if (ec != std::errc() || end != token.data() + token.size() || token.empty()
                || (token.size() > 1 && token[0] == '0') || index >= v->m_items.size())
                return nullptr;
            v = &v->m_items[index];
        } else {
            return nullptr;
        }
        if (!v)
            return nullptr;
    }
    return v;
}

bool JsonValue::operator==(const JsonValue& other) const
{
    if (m_type != other.m_type)
        return false;
    switch (m_type) {
    case Type::Null:
        return true;
    case Type::Bool:
        return m_bool == other.m_bool;
    case Type::Number:
        return sameNumber(m_text, other.m_text);
    case Type::String:
        return m_text == other.m_text;
    case Type::Array:
        return m_items == other.m_items;
    case Type::Object:
        if (m_members.size() != other.m_members.size())
            return false;
        for (const Member& m : m_members) {
            const JsonValue* o = other.find(m.first);
            if (!o || !(*o == m.second))
                return false;
        }
        return true;
    }
    return false;
}

void JsonValue::appendJson(std::string& out) const
{
    switch (m_type) {
    case Type::Null:
        out += "null";
        return;
    case Type::Bool:
        out += m_bool ? "true" : "false";
        return;
    case Type::Number:
        out += m_text;
        return;
    case Type::String:
        appendJsonString(out, m_text);
        return;
    case Type::Array:
        out.push_back('[');
        for (std::size_t i = 0; i < m_items.size(); ++i) {
            if (i > 0)
                out.push_back(',');
            m_items[i].appendJson(out);
        }
        out.push_back(']');
        return;
    case Type::Object:
        out.push_back('{');
        for (std::size_t i = 0; i < m_members.size(); ++i) {
            if (i > 0)
                out.push_back(',');
            appendJsonKey(out, m_members[i].first);
            m_members[i].second.appendJson(out);
        }
        out.push_back('}');
        return;
    }
}

std::string JsonValue::toJson() const
{
    std::string out;
    appendJson(out);
    return out;
}

void JsonValue::appendPretty(std::string& out, int indent, int depth) const
{
    if (m_type == Type::Array && !m_items.empty()) {
        out += "[\n";
        for (std::size_t i = 0; i < m_items.size(); ++i) {
            appendIndent(out, indent * (depth + 1));
            m_items[i].appendPretty(out, indent, depth + 1);
            out += i + 1 < m_items.size() ? ",\n" : "\n";
        }
        appendIndent(out, indent * depth);
        out.push_back(']');
    } else if (m_type == Type::Object && !m_members.empty()) {
        out += "{\n";
        for (std::size_t i = 0; i < m_members.size(); ++i) {
            appendIndent(out, indent * (depth + 1));
            appendJsonString(out, m_members[i].first);
            out += ": ";
            m_members[i].second.appendPretty(out, indent, depth + 1);
            out += i + 1 < m_members.size() ? ",\n" : "\n";
        }
        appendIndent(out, indent * depth);
        out.push_back('}');
    } else {
        appendJson(out);
    }
}

std::string JsonValue::toPrettyJson(int indent) const
{
    std::string out;
    appendPretty(out, indent, 0);
    return out;
}

std::optional<JsonValue> parseJson(std::string_view text, std::string* error)
{
    auto fail = [&](simdjson::error_code code) -> std::optional<JsonValue> {
        if (error)
            *error = simdjson::error_message(code);
        return std::nullopt;
    };
    // The DOM parser validates the whole text (On-Demand would not notice trailing content)
    // and bounds its depth (iteratively), which bounds build() and every walk over the tree...
    {
        simdjson::dom::parser validator;
        simdjson::dom::element ignored;
        if (auto code = validator.allocate(std::max<std::size_t>(text.size(), 1), MaxJsonDepth))
            return fail(code);
        if (auto code = validator.parse(text.data(), text.size()).get(ignored))
            return fail(code);
    }
    // ...and On-Demand builds the tree, keeping number tokens as written. Wrapped in an
    // array, because On-Demand reads a scalar document differently from a nested value.
    std::string wrapped;
    wrapped.reserve(text.size() + 2);
    wrapped.push_back('[');
    wrapped.append(text);
    wrapped.push_back(']');
    const simdjson::padded_string padded(wrapped);
    od::parser parser;
    od::document doc;
    od::array array;
    JsonValue out;
    simdjson::error_code code = parser.iterate(padded).get(doc);
    if (!code)
        code = doc.get_array().get(array);
    if (!code) {
        for (auto element : array) {
            od::value item;
            if ((code = std::move(element).get(item)) || (code = build(item, out)))
                break;
        }
    }
    if (code)
        return fail(code);
    return out;
}

std::string prettyJson(std::string_view text, int indent)
{
    const auto value = parseJson(text);
    return value ? value->toPrettyJson(indent) : std::string(text);
}

std::string jsonPointerToken(std::string_view key)
{
    std::string out;
    out.reserve(key.size());
    for (const char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out.push_back(c);
    }
    return out;
}

std::optional<std::vector<std::string>> splitJsonPointer(std::string_view pointer)
{
    std::vector<std::string> tokens;
    if (pointer.empty())
        return tokens;
    if (pointer.front() != '/')
        return std::nullopt;
    std::size_t at = 1;
    while (true) {
        const std::size_t slash = pointer.find('/', at);
        const std::string_view raw = pointer.substr(
            at, slash == std::string_view::npos ? std::string_view::npos : slash - at);
        std::string token;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
                token.push_back(raw[i + 1] == '0' ? '~' : '/');
                ++i;
            } else if (raw[i] == '~') {
                return std::nullopt;
            } else {
                token.push_back(raw[i]);
            }
        }
        tokens.push_back(std::move(token));
        if (slash == std::string_view::npos)
            break;
        at = slash + 1;
    }
    return tokens;
}

} // namespace auditscope
