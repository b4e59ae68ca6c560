// SPDX-License-Identifier: Apache-2.0
#include "jsonwriter.h"

#include "common/timestamp.h"

namespace auditscope {

void appendJsonString(std::string& out, std::string_view text)
{
    static constexpr char Hex[] = "0123456789abcdef";
    out.push_back('"');
    // Runs of characters that need no escape are appended at once.
    std::size_t plain = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto u = static_cast<unsigned char>(text[i]);
        if (u >= 0x20 && u != '"' && u != '\\')
            continue;
        out.append(text.data() + plain, i - plain);
        plain = i + 1;
        switch (u) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += "\\u00";
            out.push_back(Hex[u >> 4]);
            out.push_back(Hex[u & 15]);
        }
    }
    out.append(text.data() + plain, text.size() - plain);
    out.push_back('"');
}

void appendJsonKey(std::string& out, std::string_view key)
{
    appendJsonString(out, key);
    out.push_back(':');
}

void JsonWriter::beginObject()
{
    element();
    open('{', Layout::Compact);
}

void JsonWriter::beginObject(std::string_view key)
{
    member(key);
    open('{', Layout::Compact);
}

void JsonWriter::endObject()
{
    close('}');
}

void JsonWriter::beginArray(Layout layout)
{
    element();
    open('[', layout);
}

void JsonWriter::beginArray(std::string_view key, Layout layout)
{
    member(key);
    open('[', layout);
}

void JsonWriter::endArray()
{
    close(']');
}

void JsonWriter::string(std::string_view key, std::string_view value)
{
    member(key);
    appendJsonString(m_out, value);
}

void JsonWriter::stringOrNull(std::string_view key, std::string_view value)
{
    if (value.empty())
        null(key);
    else
        string(key, value);
}

void JsonWriter::optionalString(std::string_view key, std::optional<std::string_view> value)
{
    if (value)
        string(key, *value);
    else
        null(key);
}

void JsonWriter::optionalNumber(std::string_view key, std::optional<std::int64_t> value)
{
    if (value)
        number(key, *value);
    else
        null(key);
}

void JsonWriter::boolean(std::string_view key, bool value)
{
    member(key);
    m_out += value ? "true" : "false";
}

void JsonWriter::null(std::string_view key)
{
    member(key);
    m_out += "null";
}

void JsonWriter::time(std::string_view key, std::int64_t ns)
{
    string(key, formatRfc3339Micros(ns));
}

void JsonWriter::optionalTime(std::string_view key, std::optional<std::int64_t> ns)
{
    if (ns)
        time(key, *ns);
    else
        null(key);
}

void JsonWriter::raw(std::string_view key, std::string_view json)
{
    member(key);
    m_out += json.empty() ? std::string_view("null") : json;
}

void JsonWriter::string(std::string_view value)
{
    element();
    appendJsonString(m_out, value);
}

void JsonWriter::element()
{
    if (!m_first)
        m_out.push_back(',');
    m_first = false;
    if (m_onePerLine & 1)
        m_out.push_back('\n');
}

void JsonWriter::member(std::string_view key)
{
    element();
    appendJsonKey(m_out, key);
}

void JsonWriter::open(char bracket, Layout layout)
{
    m_out.push_back(bracket);
    m_first = true;
    m_onePerLine = (m_onePerLine << 1) | (layout == Layout::OnePerLine ? 1 : 0);
}

void JsonWriter::close(char bracket)
{
    if (m_onePerLine & 1)
        m_out.push_back('\n');
    m_out.push_back(bracket);
    m_first = false;
    m_onePerLine >>= 1;
}

} // namespace auditscope
