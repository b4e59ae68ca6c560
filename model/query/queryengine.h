// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "query/query.h"
#include "store/eventstore.h"
#include "store/rowset.h"

#include <stop_token>
#include <vector>

namespace auditscope {

/// The events a query matched, ascending (= time order).

struct QueryOptions
{
    unsigned threads = 2; ///< for raw re-parsing (deep fields, bare words)
};

struct QueryResult
{
    RowSet rows;
    bool cancelled = false; ///< stop was requested; rows are empty
    /// Raw JSON bytes re-read for deep fields and bare words (for throughput figures).
    std::uint64_t rawBytesScanned = 0;
    std::uint64_t rawEventsScanned = 0;
};

/// Runs `query` against the store: posting-list unions/intersections for indexed fields, binary
/// search on time, column scans for other columns, and parallel simdjson re-parsing of raw
/// events only for JSON paths and bare words, only over the rows the cheaper terms leave.
/// Works on unindexed (partial) snapshots too, by scanning. Never throws; any thread.
QueryResult runQuery(const EventStore& store, const Query& query, std::stop_token stop = {},
    const QueryOptions& options = {});

/// The reference evaluator: every row, every term, no index and no planning. For tests.
RowSet runQueryBruteForce(const EventStore& store, const Query& query);

} // namespace auditscope
