// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "query/cancelflag.h"
#include "query/preparedterm.h"
#include "query/query.h"
#include "query/queryengine.h"
#include "query/rawmatcher.h"
#include "store/eventstore.h"

#include <cstdint>
#include <vector>

namespace auditscope {

/// Evaluates one parsed query on single rows: every term prepared once from the store's
/// dictionaries, column terms looked up in their columns, Json and Text terms through a
/// caller's RawMatcher, so that several queries on one row share one parse of the event.
/// Inside `and` and `or`, terms that read no raw JSON run first. The reference evaluator
/// (runQueryBruteForce) and the detection engine's per-candidate check. Immutable once built:
/// matches() may run on several threads at once, each with its own RawMatcher. The store must
/// outlive it.
class RowMatcher final
{
public:
    /// `bodyFlags`: a JSON-path term under requestObject, responseObject, objectRef or
    /// responseStatus is false at once for an event whose flags say it lacks that member (see
    /// memberFlagFor()), without reading the event. The same rows, faster: the detection
    /// engine's and the query engine's shortcut, off for the reference evaluator.
    RowMatcher(const EventStore& store, const Query& query, const QueryOptions& options = {},
        bool bodyFlags = false);
    RowMatcher(const RowMatcher&) = delete;
    RowMatcher& operator=(const RowMatcher&) = delete;

    /// Whether event `row` matches the query.
    bool matches(std::uint32_t row, RawMatcher& raw) const;
    /// Whether event `row` matches the part of the query at node `index` (of the query as
    /// given), e.g. one term of it.
    bool matchesNode(std::uint32_t index, std::uint32_t row, RawMatcher& raw) const;
    /// Whether the query has Json or Text terms.
    bool readsRaw() const { return m_readsRaw; }

private:
    bool subtreeReadsRaw(std::uint32_t index) const;

    const EventStore& m_store;
    Query m_query; ///< a copy whose `and`/`or` children are in evaluation order
    QueryOptions m_options; ///< holds the policy and findings the terms read
    CancelFlag m_cancel{std::stop_token{}};
    TermPreparer m_terms;
    std::vector<const PreparedTerm*> m_prepared; ///< per node; null for all but Match nodes
    std::vector<std::uint8_t> m_memberFlags; ///< per node: memberFlagFor(), 0 without bodyFlags
    bool m_readsRaw = false;
};

} // namespace auditscope
