// SPDX-License-Identifier: Apache-2.0
// The canonical S-expression of a parsed query (Query::toString).
#include "query/query.h"

#include "common/timestamp.h"

#include <array>

namespace auditscope {

namespace {

void appendQuoted(std::string& out, std::string_view text)
{
    out.push_back('"');
    for (char c : text) {
        if (c == '"' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
}

void appendNode(std::string& out, const Query& q, std::uint32_t index)
{
    const QueryNode& n = q.nodes[index];
    switch (n.kind) {
    case QueryNode::Kind::All:
        out += "(all)";
        return;
    case QueryNode::Kind::And:
    case QueryNode::Kind::Or:
    case QueryNode::Kind::Not:
        out += n.kind == QueryNode::Kind::And ? "(and"
            : n.kind == QueryNode::Kind::Or   ? "(or"
                                              : "(not";
        for (std::uint32_t child : n.children) {
            out.push_back(' ');
            appendNode(out, q, child);
        }
        out.push_back(')');
        return;
    case QueryNode::Kind::Match:
        break;
    }
    if (n.field == QueryField::Json) {
        out += "json:";
        for (std::size_t i = 0; i < n.path.size(); ++i) {
            if (i > 0)
                out.push_back('.');
            if (n.path[i].find_first_of("./") != std::string::npos)
                appendQuoted(out, n.path[i]);
            else
                out += n.path[i];
        }
    } else if (n.field == QueryField::Text && !n.wildcard
        && n.value.find('*') != std::string::npos) {
        out += "literal"; // a quoted phrase: its `*` is a star, not the wildcard of `text:`
    } else {
        out += queryFieldName(n.field);
    }
    static constexpr std::array<std::string_view, 5> Ops{":", "<", "<=", ">", ">="};
    out += Ops[static_cast<std::size_t>(n.op)];
    if ((n.field == QueryField::Time || n.field == QueryField::StageTime) && !n.relativeTime)
        appendQuoted(out, formatRfc3339Micros(n.number));
    else
        appendQuoted(out, n.value);
}

} // namespace

std::string Query::toString() const
{
    std::string out;
    if (!nodes.empty())
        appendNode(out, *this, root);
    return out;
}

} // namespace auditscope
