// SPDX-License-Identifier: Apache-2.0
// Matching column terms (every field but Json and Text) row by row.
#pragma once

#include "query/cancelflag.h"
#include "query/preparedterm.h"
#include "query/rowsetops.h"
#include "store/eventstore.h"

#include <cstdint>

namespace auditscope {

/// Whether row `row` matches the column term on `field` prepared as `p`.
bool columnRowMatches(
    const EventStore& store, QueryField field, const PreparedTerm& p, std::uint32_t row);

/// The candidate rows that match the column term on `field` prepared as `p`, ascending, by a
/// scan of its column. Polls `cancel` every 1 M rows; empty if cancelled.
RowSet scanColumn(const EventStore& store, QueryField field, const PreparedTerm& p,
    const Candidates& cand, CancelFlag& cancel);

} // namespace auditscope
