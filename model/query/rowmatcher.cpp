// SPDX-License-Identifier: Apache-2.0
#include "rowmatcher.h"

#include "query/columnscan.h"

#include <algorithm>

namespace auditscope {

using Kind = QueryNode::Kind;

RowMatcher::RowMatcher(
    const EventStore& store, const Query& query, const QueryOptions& options, bool bodyFlags)
    : m_store(store)
    , m_query(query)
    , m_options(options)
    , m_terms(store, m_query, m_options.policy.get(), m_options.findings.get(), m_cancel)
    , m_prepared(m_query.nodes.size(), nullptr)
    , m_memberFlags(m_query.nodes.size(), 0)
{
    for (std::uint32_t i = 0; i < m_query.nodes.size(); ++i) {
        QueryNode& n = m_query.nodes[i];
        if (n.kind == Kind::Match) {
            m_prepared[i] = &m_terms.prepare(i);
            m_readsRaw = m_readsRaw || isRawField(n.field);
            if (bodyFlags)
                m_memberFlags[i] = memberFlagFor(n);
        }
    }
    // The result of `and`/`or` does not depend on the order of its parts: the cheap ones first
    // often decide it without re-reading the event.
    for (QueryNode& n : m_query.nodes) {
        if (n.kind == Kind::And || n.kind == Kind::Or)
            std::stable_partition(n.children.begin(), n.children.end(),
                [this](std::uint32_t c) { return !subtreeReadsRaw(c); });
    }
}

bool RowMatcher::subtreeReadsRaw(std::uint32_t index) const
{
    const QueryNode& n = m_query.nodes[index];
    if (n.kind == Kind::Match)
        return isRawField(n.field);
    return std::any_of(n.children.begin(), n.children.end(),
        [this](std::uint32_t c) { return subtreeReadsRaw(c); });
}

bool RowMatcher::matches(std::uint32_t row, RawMatcher& raw) const
{
    return !m_query.nodes.empty() && matchesNode(m_query.root, row, raw);
}

bool RowMatcher::matchesNode(std::uint32_t index, std::uint32_t row, RawMatcher& raw) const
{
    const QueryNode& n = m_query.nodes[index];
    switch (n.kind) {
    case Kind::All:
        return true;
    case Kind::And:
        for (std::uint32_t c : n.children)
            if (!matchesNode(c, row, raw))
                return false;
        return true;
    case Kind::Or:
        for (std::uint32_t c : n.children)
            if (matchesNode(c, row, raw))
                return true;
        return false;
    case Kind::Not:
        return !matchesNode(n.children.front(), row, raw);
    case Kind::Match:
        break;
    }
    const PreparedTerm& p = *m_prepared[index];
    if (isRawField(n.field)) {
        return mayHaveMember(m_store.flags[row], m_memberFlags[index])
            && raw.matches(m_store, row, n, p.prefilter);
    }
    return columnRowMatches(m_store, n.field, p, row);
}

} // namespace auditscope
