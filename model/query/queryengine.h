// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policyquerycontext.h"
#include "query/findingquerycontext.h"
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
    /// The active policy's outcome per event, for rule:, policylevel: and emitted:, and the
    /// compared policy's, for policychange:. Without one that covers the store, those terms
    /// match nothing (see checkQueryContext).
    PolicyQueryContextPtr policy;
    /// The detection rules' findings per event, for finding: and severity (null: no findings
    /// computed; those terms then match nothing, see checkQueryContext).
    FindingQueryContextPtr findings;
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

/// The first term of `query` that needs context the options do not give for `store`:
/// rule:, policylevel: or emitted: without an active policy ("no active policy: open one in the
/// policy editor") or with one evaluated on another snapshot; policychange: without a compared
/// policy; finding: or severity without findings for the store ("no findings computed: run
/// detection first"), and finding: naming no rule of those findings. Located in `text`, the
/// text the query was parsed from. nullopt when the query can run.
std::optional<QueryError> checkQueryContext(const Query& query, std::string_view text,
    const EventStore& store, const QueryOptions& options);

/// The reference evaluator: every row, every term, no index and no planning. For tests.
RowSet runQueryBruteForce(
    const EventStore& store, const Query& query, const QueryOptions& options = {});

} // namespace auditscope
