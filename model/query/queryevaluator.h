// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "query/cancelflag.h"
#include "query/preparedterm.h"
#include "query/queryengine.h"
#include "query/rowbitmap.h"
#include "query/rowsetops.h"

#include <cstdint>
#include <stop_token>

namespace auditscope {

/// Plans and runs one query over a store (see runQuery): each part is evaluated on the rows the
/// parts before it left (candidates), an `and` runs its cheapest parts first, and each term
/// takes the cheapest way to its rows: a time range, posting lists, a column scan, or a
/// parallel raw scan. One per query; single use.
class QueryEvaluator final
{
public:
    QueryEvaluator(const EventStore& store, const Query& query, std::stop_token stop,
        const QueryOptions& options);

    QueryResult run();

private:
    const QueryNode& node(std::uint32_t i) const { return m_query.nodes[i]; }

    RowSet eval(std::uint32_t index, const Candidates& cand);
    RowSet evalAnd(const QueryNode& n, const Candidates& cand);
    RowSet evalOr(std::uint32_t index, const Candidates& cand);
    RowSet evalNot(const QueryNode& n, const Candidates& cand);
    RowSet evalTerm(std::uint32_t index, const Candidates& cand);
    RowSet rawScan(std::uint32_t index, const Candidates& cand);

    int cost(std::uint32_t index);
    std::int64_t estimate(std::uint32_t index);
    bool allIndexed(std::uint32_t index);
    void markIndexed(std::uint32_t index, RowBitmap& bits);
    RowSet indexedRows(std::uint32_t index, const Candidates& cand, bool invert);

    const EventStore& m_store;
    const Query& m_query;
    QueryOptions m_options;
    std::uint32_t m_rows;
    CancelFlag m_cancel;
    TermPreparer m_terms;
    std::uint64_t m_rawBytes = 0, m_rawEvents = 0;
};

} // namespace auditscope
