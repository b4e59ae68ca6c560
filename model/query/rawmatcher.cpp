// SPDX-License-Identifier: Apache-2.0
#include "rawmatcher.h"

#include "common/limits.h"
#include "query/bytesearch.h"
#include "query/querychars.h"
#include "query/termvalue.h"

#include <charconv>
#include <cstring>

namespace auditscope {

namespace od = simdjson::ondemand;

namespace {

// Whether `pred` holds for an element of the array `value` (false when it does not read as one,
// setting `failed`): a path step and a leaf both match when any element does.
template <class Pred>
bool anyElement(od::value& value, bool& failed, Pred pred)
{
    od::array array;
    if (value.get_array().get(array)) {
        failed = true;
        return false;
    }
    for (auto element : array) {
        od::value item;
        if (std::move(element).get(item)) {
            failed = true;
            return false;
        }
        if (pred(item))
            return true;
    }
    return false;
}

// Whether `text` contains the pieces of the bare word `pattern` between its `*`s in order,
// anywhere: the glob `*pattern*`. Taking each piece at its first occurrence is enough because
// stars surround every piece, and keeps this linear in the event's size.
bool containsGlob(std::string_view text, std::string_view pattern)
{
    std::size_t from = 0;
    while (!pattern.empty()) {
        const std::size_t star = pattern.find('*');
        const std::string_view piece = pattern.substr(0, star);
        if (!piece.empty()) {
            const std::size_t at = text.find(piece, from);
            if (at == std::string_view::npos)
                return false;
            from = at + piece.size();
        }
        pattern.remove_prefix(star == std::string_view::npos ? pattern.size() : star + 1);
    }
    return true;
}

// The longest run of `value` without `*`.
std::string longestLiteralRun(std::string_view value)
{
    std::string_view best;
    while (!value.empty()) {
        const std::size_t star = value.find('*');
        const std::string_view run = value.substr(0, star);
        if (run.size() > best.size())
            best = run;
        value.remove_prefix(star == std::string_view::npos ? value.size() : star + 1);
    }
    return std::string(best);
}

} // namespace

std::uint8_t memberFlagFor(const QueryNode& n)
{
    if (n.field != QueryField::Json || n.path.size() < 2)
        return 0; // a one-step path may match the member's null
    const std::string_view first = n.path.front();
    if (asciiIEquals(first, "requestObject"))
        return HasRequestObject;
    if (asciiIEquals(first, "responseObject"))
        return HasResponseObject;
    if (asciiIEquals(first, "objectRef"))
        return HasObjectRef;
    if (asciiIEquals(first, "responseStatus"))
        return HasResponseStatus;
    return 0;
}

std::string rawPrefilterFor(const QueryNode& n)
{
    if (n.field == QueryField::Text) // raw text, byte for byte: no escaping to allow for
        return n.wildcard ? longestLiteralRun(n.value) : n.value;
    if (n.op != CompareOp::Match)
        return {};
    const std::string best = longestLiteralRun(n.value);
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
    if (raw.data() != m_countedRaw) {
        m_countedRaw = raw.data();
        m_bytes += raw.size();
        ++m_events;
    }
    if (!containsBytes(raw, prefilter))
        return false;
    if (n.field == QueryField::Text)
        return !n.wildcard || containsGlob(raw, n.value);
    od::object object;
    if (!objectOf(store, row, raw, object))
        return false;
    m_node = &n;
    return matchObject(object, 0, 1);
}

bool RawMatcher::objectOf(
    const EventStore& store, std::uint32_t row, std::string_view raw, od::object& object)
{
    if (raw.data() == m_parsedRaw && m_parsedOk && !m_walkFailed) {
        // A term before this one walked (part of) the document: start again from its top. A
        // walk that met an error may have left the iterator in it: then parse afresh, as a
        // term on its own would.
        m_doc.rewind();
    } else {
        m_parsedRaw = raw.data();
        m_parsedOk = !m_parser.parse(store, EventId{row}, raw).get(m_doc);
        if (!m_parsedOk)
            return false;
    }
    m_walkFailed = false;
    if (m_doc.get_object().get(object))
        return walkFailed();
    return true;
}

// `nesting` counts the containers entered, the event's own object being 1. Arrays do not
// advance along the path, so the path's length alone does not bound the recursion: the search
// stops at MaxJsonDepth (a deeper part of a body never matches) instead of overflowing the stack.
bool RawMatcher::matchObject(od::object& object, std::size_t depth, int nesting)
{
    for (auto member : object) {
        od::field field;
        std::string_view key;
        if (std::move(member).get(field) || field.unescaped_key().get(key))
            return walkFailed();
        if (asciiIEquals(key, m_node->path[depth]))
            return matchValue(field.value(), depth + 1, nesting);
    }
    return false;
}

bool RawMatcher::matchValue(od::value& value, std::size_t depth, int nesting)
{
    if (depth == m_node->path.size())
        return matchLeaf(value, nesting);
    if (nesting >= MaxJsonDepth)
        return false;
    od::json_type type;
    if (value.type().get(type))
        return walkFailed();
    if (type == od::json_type::object) {
        od::object object;
        if (value.get_object().get(object))
            return walkFailed();
        return matchObject(object, depth, nesting + 1);
    }
    if (type == od::json_type::array)
        return anyElement(value, m_walkFailed,
            [&](od::value& item) { return matchValue(item, depth, nesting + 1); });
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

bool RawMatcher::matchLeaf(od::value& value, int nesting)
{
    const bool compare = m_node->op != CompareOp::Match;
    od::json_type type;
    if (value.type().get(type))
        return walkFailed();
    switch (type) {
    case od::json_type::string: {
        std::string_view text;
        if (value.get_string().get(text))
            return walkFailed();
        return compare ? compareNumber(text) : valueMatches(*m_node, text);
    }
    case od::json_type::number: {
        const std::string_view token = value.raw_json_token();
        return compare ? compareNumber(token) : valueMatches(*m_node, token);
    }
    case od::json_type::boolean: {
        bool b = false;
        if (value.get_bool().get(b))
            return walkFailed();
        return !compare && valueMatches(*m_node, b ? "true" : "false");
    }
    case od::json_type::null:
        return !compare && valueMatches(*m_node, "null");
    case od::json_type::array:
        return nesting < MaxJsonDepth && anyElement(value, m_walkFailed, [&](od::value& item) {
            return matchLeaf(item, nesting + 1);
        });
    case od::json_type::object:
        return !compare && m_node->value == "*";
    }
    return false;
}

} // namespace auditscope
