// SPDX-License-Identifier: Apache-2.0
#include "timerange.h"

#include <algorithm>

namespace auditscope {

std::uint32_t firstRowAtOrAfter(const EventStore& store, std::int64_t timeNs)
{
    return static_cast<std::uint32_t>(
        std::lower_bound(store.timeNs.begin(), store.timeNs.end(), timeNs) - store.timeNs.begin());
}

std::uint32_t firstRowAfter(const EventStore& store, std::int64_t timeNs)
{
    return static_cast<std::uint32_t>(
        std::upper_bound(store.timeNs.begin(), store.timeNs.end(), timeNs) - store.timeNs.begin());
}

RowSet rowsReceivedBetween(
    const EventStore& store, std::int64_t loNs, std::int64_t hiNs, const Candidates& cand)
{
    const std::uint32_t lo = firstRowAtOrAfter(store, loNs), hi = firstRowAfter(store, hiNs);
    if (!cand.list)
        return materialize(Candidates{nullptr, std::max(lo, cand.lo), std::min(hi, cand.hi)});
    const auto first = std::lower_bound(cand.list->begin(), cand.list->end(), EventId{lo});
    const auto last = std::lower_bound(first, cand.list->end(), EventId{hi});
    return RowSet(first, last);
}

} // namespace auditscope
