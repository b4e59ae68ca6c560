// SPDX-License-Identifier: Apache-2.0
// Why an event matched a rule, for the event pane: each positive term it satisfied with the
// value it had, JSON paths written out with the array indexes where the value was found.
#include "detect/detectionengine.h"

#include "common/limits.h"
#include "common/timestamp.h"
#include "detect/rulekeys.h"
#include "query/querychars.h"
#include "query/rawmatcher.h"
#include "query/rowmatcher.h"
#include "query/termvalue.h"
#include "report/raweventparser.h"

#include <charconv>

namespace auditscope {

namespace {

namespace od = simdjson::ondemand;
using Kind = QueryNode::Kind;

// A key as a path segment: bare when the query language would read it back as one.
std::string pathSegment(std::string_view key)
{
    bool plain = !key.empty();
    for (char c : key)
        plain = plain && isFieldChar(c) && c != '.';
    return plain ? std::string(key) : '"' + std::string(key) + '"';
}

// Finds where a Json term matched, walking the event as RawMatcher does (keys in any case,
// arrays element by element at every step), and keeps the concrete path and the value.
class JsonExplainer final
{
public:
    explicit JsonExplainer(const QueryNode& n)
        : m_node(n)
    { }

    std::optional<std::string> explain(const EventStore& store, std::uint32_t row)
    {
        RawEventParser parser;
        od::document doc;
        od::object object;
        if (parser.parse(store, EventId{row}).get(doc) || doc.get_object().get(object))
            return std::nullopt;
        if (!matchObject(object, 0, 1))
            return std::nullopt;
        return m_path + ": " + m_value;
    }

private:
    bool matchObject(od::object& object, std::size_t depth, int nesting)
    {
        for (auto member : object) {
            od::field field;
            std::string_view key;
            if (std::move(member).get(field) || field.unescaped_key().get(key))
                return false;
            if (!asciiIEquals(key, m_node.path[depth]))
                continue;
            const std::size_t mark = m_path.size();
            m_path += (m_path.empty() ? "" : ".") + pathSegment(key);
            if (matchValue(field.value(), depth + 1, nesting))
                return true;
            m_path.resize(mark);
            return false;
        }
        return false;
    }

    template <class Pred>
    bool anyElement(od::value& value, int nesting, Pred pred)
    {
        od::array array;
        if (nesting >= MaxJsonDepth || value.get_array().get(array))
            return false;
        std::size_t index = 0;
        for (auto element : array) {
            od::value item;
            if (std::move(element).get(item))
                return false;
            const std::size_t mark = m_path.size();
            m_path += '[' + std::to_string(index++) + ']';
            if (pred(item))
                return true;
            m_path.resize(mark);
        }
        return false;
    }

    bool matchValue(od::value& value, std::size_t depth, int nesting)
    {
        if (depth == m_node.path.size())
            return matchLeaf(value, nesting);
        od::json_type type;
        if (nesting >= MaxJsonDepth || value.type().get(type))
            return false;
        if (type == od::json_type::object) {
            od::object object;
            return !value.get_object().get(object) && matchObject(object, depth, nesting + 1);
        }
        if (type == od::json_type::array)
            return anyElement(value, nesting + 1,
                [&](od::value& item) { return matchValue(item, depth, nesting + 1); });
        return false;
    }

    bool compareNumber(std::string_view text) const
    {
        double d = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (ec != std::errc() || end != text.data() + text.size())
            return false;
        switch (m_node.op) {
        case CompareOp::Lt:
            return d < m_node.real;
        case CompareOp::Le:
            return d <= m_node.real;
        case CompareOp::Gt:
            return d > m_node.real;
        case CompareOp::Ge:
            return d >= m_node.real;
        case CompareOp::Match:
            break;
        }
        return false;
    }

    bool accept(std::string_view text, bool number)
    {
        const bool compare = m_node.op != CompareOp::Match;
        if (compare ? !(number && compareNumber(text)) : !valueMatches(m_node, text))
            return false;
        m_value = std::string(text);
        return true;
    }

    bool matchLeaf(od::value& value, int nesting)
    {
        od::json_type type;
        if (value.type().get(type))
            return false;
        switch (type) {
        case od::json_type::string: {
            std::string_view text;
            if (value.get_string().get(text))
                return false;
            return accept(text, m_node.op != CompareOp::Match);
        }
        case od::json_type::number:
            return accept(value.raw_json_token(), true);
        case od::json_type::boolean: {
            bool b = false;
            return !value.get_bool().get(b) && m_node.op == CompareOp::Match
                && accept(b ? "true" : "false", false);
        }
        case od::json_type::null:
            return m_node.op == CompareOp::Match && accept("null", false);
        case od::json_type::array:
            return anyElement(
                value, nesting + 1, [&](od::value& item) { return matchLeaf(item, nesting + 1); });
        case od::json_type::object:
            if (m_node.op != CompareOp::Match || m_node.value != "*")
                return false;
            m_value = "{…}";
            return true;
        }
        return false;
    }

    const QueryNode& m_node;
    std::string m_path, m_value;
};

// "group: system:masters": the groups of the event that the term accepts.
std::string groupsMatching(const EventStore& s, const QueryNode& n, std::uint32_t row)
{
    std::string out;
    const GroupSetId set = s.groupSet[row];
    if (!set)
        return out;
    for (GroupId g : s.groupsOf(set)) {
        const std::string_view group = s.pools.groups.view(g.value);
        if (valueMatches(n, group))
            out += (out.empty() ? "" : ", ") + std::string(group);
    }
    return out;
}

// The value a column term saw in `row`.
std::string columnValue(const EventStore& s, const QueryNode& n, std::uint32_t row)
{
    switch (n.field) {
    case QueryField::Time:
        return formatRfc3339Micros(s.timeNs[row]);
    case QueryField::StageTime:
        return formatRfc3339Micros(s.stageTimeNs(row));
    case QueryField::Group:
        return groupsMatching(s, n, row);
    case QueryField::Ip: {
        std::string out = columnText(s, n.field, columnIdOf(s, n.field, row));
        for (const EventStore::ExtraSourceIp& extra : s.extraSourceIpsOf(row))
            out += ", " + std::string(s.pools.sourceIps.view(extra.ip.value));
        return out;
    }
    case QueryField::User:
    case QueryField::As:
    case QueryField::Verb:
    case QueryField::Resource:
    case QueryField::Subresource:
    case QueryField::Namespace:
    case QueryField::Name:
    case QueryField::ApiGroup:
    case QueryField::ApiVersion:
    case QueryField::Code:
    case QueryField::Stage:
    case QueryField::Level:
    case QueryField::UserAgent:
    case QueryField::AuditId:
    case QueryField::Decision:
    case QueryField::File: {
        const std::string text = columnText(s, n.field, columnIdOf(s, n.field, row));
        return text.empty() ? std::string("\"\"") : text;
    }
    default:
        return n.value; // policy and chain terms: what the term asked for
    }
}

class MatchExplainer final
{
public:
    MatchExplainer(const EventStore& store, std::uint32_t row, const Query& query,
        std::vector<std::string>& out)
        : m_store(store)
        , m_row(row)
        , m_query(query)
        , m_matcher(store, query)
        , m_out(out)
    { }

    bool matchesWhole() { return m_matcher.matches(m_row, m_raw); }

    // Positive terms only: a `not` says what the event is not, which explains nothing here.
    void explain(std::uint32_t index)
    {
        const QueryNode& n = m_query.nodes[index];
        if (n.kind == Kind::All || n.kind == Kind::Not
            || !m_matcher.matchesNode(index, m_row, m_raw))
            return;
        switch (n.kind) {
        case Kind::All:
        case Kind::Not:
            return;
        case Kind::And:
        case Kind::Or:
            for (std::uint32_t c : n.children)
                explain(c);
            return;
        case Kind::Match:
            break;
        }
        std::string line;
        if (n.field == QueryField::Json) {
            line = JsonExplainer(n).explain(m_store, m_row).value_or(std::string());
        } else if (n.field == QueryField::Text) {
            line = "text: \"" + n.value + '"';
        } else {
            line = std::string(queryFieldName(n.field)) + ": " + columnValue(m_store, n, m_row);
        }
        if (!line.empty() && std::find(m_out.begin(), m_out.end(), line) == m_out.end())
            m_out.push_back(std::move(line));
    }

private:
    const EventStore& m_store;
    std::uint32_t m_row;
    const Query& m_query;
    RowMatcher m_matcher;
    RawMatcher m_raw;
    std::vector<std::string>& m_out;
};

} // namespace

std::vector<std::string> explainMatch(
    const EventStore& store, std::uint32_t row, const DetectionRule& rule)
{
    std::vector<std::string> out;
    if (row >= store.size())
        return out;
    std::vector<const Query*> queries;
    for (const Query* q : {&rule.matchQuery, &rule.thenQuery}) {
        if (!q->nodes.empty())
            queries.push_back(q);
    }
    bool explained = false;
    for (const Query* q : queries) {
        MatchExplainer e(store, row, *q, out);
        if (e.matchesWhole()) {
            e.explain(q->root);
            explained = true;
        }
    }
    // Not a match of either as a whole: still say which parts of the match it satisfied.
    if (!explained && !rule.matchQuery.nodes.empty())
        MatchExplainer(store, row, rule.matchQuery, out).explain(rule.matchQuery.root);
    return out;
}

} // namespace auditscope
