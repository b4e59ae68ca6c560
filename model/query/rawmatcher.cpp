// SPDX-License-Identifier: Apache-2.0
#include "rawmatcher.h"

#include "query/querychars.h"
#include "query/termvalue.h"

#include <charconv>
#include <cstring>

namespace auditscope {

namespace od = simdjson::ondemand;

namespace {

// Whether `pred` holds for an element of the array `value` (false when it does not read as one):
// a path step and a leaf both match when any element does.
template <class Pred>
bool anyElement(od::value& value, Pred pred)
{
    od::array array;
    if (value.get_array().get(array))
        return false;
    for (auto element : array) {
        od::value item;
        if (std::move(element).get(item))
            return false;
        if (pred(item))
            return true;
    }
    return false;
}

} // namespace

std::string rawPrefilterFor(const QueryNode& n)
{
    if (n.field == QueryField::Text)
        return n.value;
    if (n.op != CompareOp::Match)
        return {};
    std::string best, current;
    for (char c : n.value + '*') {
        if (c == '*') {
            if (current.size() > best.size())
                best = current;
            current.clear();
        } else {
            current.push_back(c);
        }
    }
    for (unsigned char c : best) {
        // Go's encoder escapes these; non-ASCII may be \u-escaped by other writers.
        if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&')
            return {};
    }
    return best;
}

bool RawMatcher::matches(
    const EventStore& store, std::uint32_t row, const QueryNode& n, std::string_view prefilter)
{
    const std::string_view raw = store.rawJson(EventId{row});
    m_bytes += raw.size();
    ++m_events;
    if (!prefilter.empty() && !memmem(raw.data(), raw.size(), prefilter.data(), prefilter.size()))
        return false;
    if (n.field == QueryField::Text)
        return true;
    od::document doc;
    od::object object;
    if (m_parser.parse(store, EventId{row}, raw).get(doc) || doc.get_object().get(object))
        return false;
    m_node = &n;
    return matchObject(object, 0);
}

bool RawMatcher::matchObject(od::object& object, std::size_t depth)
{
    for (auto member : object) {
        od::field field;
        std::string_view key;
        if (std::move(member).get(field) || field.unescaped_key().get(key))
            return false;
        if (asciiIEquals(key, m_node->path[depth]))
            return matchValue(field.value(), depth + 1);
    }
    return false;
}

bool RawMatcher::matchValue(od::value& value, std::size_t depth)
{
    if (depth == m_node->path.size())
        return matchLeaf(value);
    od::json_type type;
    if (value.type().get(type))
        return false;
    if (type == od::json_type::object) {
        od::object object;
        return !value.get_object().get(object) && matchObject(object, depth);
    }
    if (type == od::json_type::array)
        return anyElement(value, [&](od::value& item) { return matchValue(item, depth); });
    return false;
}

bool RawMatcher::compareNumber(std::string_view text) const
{
    double d = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec != std::errc() || end != text.data() + text.size())
        return false;
    switch (m_node->op) {
    case CompareOp::Lt:
        return d < m_node->real;
    case CompareOp::Le:
        return d <= m_node->real;
    case CompareOp::Gt:
        return d > m_node->real;
    case CompareOp::Ge:
        return d >= m_node->real;
    case CompareOp::Match:
        break;
    }
    return false;
}

bool RawMatcher::matchLeaf(od::value& value)
{
    const bool compare = m_node->op != CompareOp::Match;
    od::json_type type;
    if (value.type().get(type))
        return false;
    switch (type) {
    case od::json_type::string: {
        std::string_view text;
        if (value.get_string().get(text))
            return false;
        return compare ? compareNumber(text) : valueMatches(*m_node, text);
    }
    case od::json_type::number: {
        const std::string_view token = value.raw_json_token();
        return compare ? compareNumber(token) : valueMatches(*m_node, token);
    }
    case od::json_type::boolean: {
        bool b = false;
        if (value.get_bool().get(b))
            return false;
        return !compare && valueMatches(*m_node, b ? "true" : "false");
    }
    case od::json_type::null:
        return !compare && valueMatches(*m_node, "null");
    case od::json_type::array:
        return anyElement(value, [&](od::value& item) { return matchLeaf(item); });
    case od::json_type::object:
        return !compare && m_node->value == "*";
    }
    return false;
}

} // namespace auditscope
