// SPDX-License-Identifier: Apache-2.0
// Time terms: binary searches on the time-sorted requestReceivedTimestamp column.
#pragma once

#include "query/rowsetops.h"
#include "store/eventstore.h"

#include <cstdint>

namespace auditscope {

/// The first row received at or after `timeNs`.
std::uint32_t firstRowAtOrAfter(const EventStore& store, std::int64_t timeNs);
/// The first row received after `timeNs`.
std::uint32_t firstRowAfter(const EventStore& store, std::int64_t timeNs);

/// The candidate rows received in [loNs, hiNs] (inclusive), ascending.
RowSet rowsReceivedBetween(
    const EventStore& store, std::int64_t loNs, std::int64_t hiNs, const Candidates& cand);

} // namespace auditscope
