// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "query/query.h"
#include "query/rowsetops.h"
#include "store/eventstore.h"

#include <cstdint>
#include <stop_token>
#include <string_view>

namespace auditscope {

struct RawScanResult
{
    RowSet rows; ///< ascending; empty when stopped
    bool stopped = false;
    std::uint64_t bytes = 0, events = 0; ///< raw JSON read (unset when stopped)
};

/// The candidate rows whose raw JSON matches the Json or Text term `n` (`prefilter` is
/// rawPrefilterFor(n)), read in parallel, skipping events that lack the body member the term
/// reads (memberFlagFor()): the candidates are cut into `threads` equal slices
/// (fewer for short lists), each scanned by its own thread and RawMatcher, the calling thread
/// included. Workers poll `stop` every 1024 rows.
RawScanResult scanRaw(const EventStore& store, const QueryNode& n, std::string_view prefilter,
    const Candidates& cand, unsigned threads, const std::stop_token& stop);

} // namespace auditscope
