// SPDX-License-Identifier: Apache-2.0
// The reference evaluator (runQueryBruteForce): every row, every term, no index and no
// planning, so that tests can hold the planned evaluation against it.
#include "query/queryengine.h"

#include "query/cancelflag.h"
#include "query/columnscan.h"
#include "query/preparedterm.h"
#include "query/rawmatcher.h"

namespace auditscope {

namespace {

class BruteForceEvaluator final
{
public:
    BruteForceEvaluator(const EventStore& store, const Query& query, const QueryOptions& options)
        : m_store(store)
        , m_query(query)
        , m_terms(store, query, options.policy.get(), options.findings.get(), m_cancel)
    { }

    RowSet run()
    {
        RowSet out;
        const auto rows = static_cast<std::uint32_t>(m_store.size());
        for (std::uint32_t row = 0; row < rows; ++row) {
            if (rowMatches(m_query.root, row))
                out.push_back(EventId{row});
        }
        return out;
    }

private:
    bool rowMatches(std::uint32_t index, std::uint32_t row)
    {
        const QueryNode& n = m_query.nodes[index];
        switch (n.kind) {
        case QueryNode::Kind::All:
            return true;
        case QueryNode::Kind::And:
            for (std::uint32_t c : n.children)
                if (!rowMatches(c, row))
                    return false;
            return true;
        case QueryNode::Kind::Or:
            for (std::uint32_t c : n.children)
                if (rowMatches(c, row))
                    return true;
            return false;
        case QueryNode::Kind::Not:
            return !rowMatches(n.children.front(), row);
        case QueryNode::Kind::Match:
            break;
        }
        const PreparedTerm& p = m_terms.prepare(index);
        if (isRawField(n.field))
            return m_raw.matches(m_store, row, n, p.prefilter);
        return columnRowMatches(m_store, n.field, p, row);
    }

    const EventStore& m_store;
    const Query& m_query;
    CancelFlag m_cancel{std::stop_token{}};
    TermPreparer m_terms;
    RawMatcher m_raw;
};

} // namespace

RowSet runQueryBruteForce(const EventStore& store, const Query& query, const QueryOptions& options)
{
    if (query.nodes.empty())
        return {};
    return BruteForceEvaluator(store, query, options).run();
}

} // namespace auditscope
