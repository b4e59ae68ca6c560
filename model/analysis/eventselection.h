// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/rowset.h"

#include <cstddef>
#include <optional>
#include <span>
#include <stop_token>

namespace auditscope {

/// Which events an aggregation reads: every event of the store (default-constructed, or a
/// nullopt RowSet as QueryRunner reports a blank filter), or an ascending list of events such
/// as a query's RowSet. Non-owning: the list must outlive the call. A RowSet re-sorted for
/// display is not ascending; pass the filter's result instead.
struct EventSelection
{
    // Implicit on purpose: a RowSet or a QueryRunner result can be passed where a selection is
    // expected, as std::span converts from vectors.
    EventSelection() = default;
    EventSelection(std::span<const EventId> ascending)
        : ids(ascending)
        , all(false)
    { }
    EventSelection(const RowSet& ascending)
        : ids(ascending)
        , all(false)
    { }
    EventSelection(const std::optional<RowSet>& rows)
        : all(!rows.has_value())
    {
        if (rows)
            ids = *rows;
    }

    std::span<const EventId> ids; ///< used when !all
    bool all = true;
};

/// How an aggregation runs: on how many threads (each takes a contiguous share of the rows)
/// and with which stop token. A stopped aggregation returns promptly (it checks every 64 k
/// rows) with `cancelled` set and its counts incomplete.
struct AnalysisOptions
{
    unsigned threads = 2;
    std::stop_token stop;
    /// Fewer threads when each would get fewer rows than this (threads cost ~50 µs to start).
    std::size_t minRowsPerThread = 200'000;
};

} // namespace auditscope
