// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/segment.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace auditscope {

/// An event's place in the store's order: requestReceivedTimestamp, then stageTimestamp, then
/// source, then file offset. 16 bytes, so that sorting millions of them moves little memory: the
/// stage time is kept as its latency in microseconds when that is exact, and the columns decide
/// only between events the key cannot tell apart (see timeOrder()).
struct OrderKey
{
    /// `latencyUs` when stageTimestamp - requestReceivedTimestamp is not a whole number of
    /// microseconds in [0, 2^32 - 1) (nanosecond logs, negative or hour-long latencies).
    static constexpr std::uint32_t Inexact = UINT32_MAX;

    std::int64_t timeNs;
    std::uint32_t latencyUs;
    std::uint32_t event; ///< over all segments: the segment's first event + row

    bool operator<(const OrderKey& o) const
    {
        if (timeNs != o.timeNs)
            return timeNs < o.timeNs;
        if (latencyUs != o.latencyUs)
            return latencyUs < o.latencyUs;
        return event < o.event;
    }
};

/// Numbers the events of several segments 0, 1, 2, ... (segment by segment, rows in order) and
/// finds an event's segment and row.
class EventNumbering
{
public:
    explicit EventNumbering(const std::vector<const Segment*>& segments);

    std::uint32_t first(std::size_t segment) const { return m_first[segment]; }
    std::size_t events() const { return m_first.back(); }
    /// (segment, row) of `event`.
    std::pair<std::uint32_t, std::uint32_t> locate(std::uint32_t event) const
    {
        std::uint32_t s = 0;
        while (event >= m_first[s + 1]) // few segments: one per loading thread, plus the prelude
            ++s;
        return {s, event - m_first[s]};
    }

private:
    std::vector<std::uint32_t> m_first; // segment -> its first event; one more: the total
};

/// Every event of `segments` in the store's order. Each segment is sorted on its own (in
/// parallel, a bucket sort: logs are nearly in time order), the sorted runs are merged on
/// `threads` threads, and where two keys do not decide (equal times and latencies, or an
/// Inexact latency) the segments' columns do.
std::vector<OrderKey> timeOrder(
    const std::vector<const Segment*>& segments, const EventNumbering& numbering, unsigned threads);

/// Whether two events have the same receive and stage times (keys from one timeOrder()).
bool sameTimes(const OrderKey& a, const OrderKey& b, const std::vector<const Segment*>& segments,
    const EventNumbering& numbering);

} // namespace auditscope
