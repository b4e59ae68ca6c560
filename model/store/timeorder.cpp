// SPDX-License-Identifier: Apache-2.0
#include "store/timeorder.h"

#include "common/timestamp.h"

#include <algorithm>
#include <thread>

namespace auditscope {

EventNumbering::EventNumbering(const std::vector<const Segment*>& segments)
{
    m_first.reserve(segments.size() + 1);
    m_first.push_back(0);
    for (const Segment* segment : segments)
        m_first.push_back(m_first.back() + static_cast<std::uint32_t>(segment->size()));
}

namespace {

std::uint32_t latencyKey(std::int64_t timeNs, std::int64_t stageTimeNs)
{
    if (stageTimeNs < timeNs)
        return OrderKey::Inexact;
    const std::uint64_t latency = std::uint64_t(stageTimeNs) - std::uint64_t(timeNs);
    if (latency % 1000 != 0 || latency / 1000 >= OrderKey::Inexact)
        return OrderKey::Inexact;
    return static_cast<std::uint32_t>(latency / 1000);
}

void insertionSort(OrderKey* begin, OrderKey* end)
{
    for (OrderKey* i = begin + 1; i < end; ++i) {
        const OrderKey key = *i;
        OrderKey* j = i;
        for (; j > begin && key < j[-1]; --j)
            *j = j[-1];
        *j = key;
    }
}

// A log is written as things happen, so its keys are nearly in time order: each key goes to the
// bucket of its slice of the time range (about four keys a bucket; the writes stay close to each
// other), then each bucket is sorted. Buckets are ordered ranges, so any input comes out sorted;
// a skewed one (a few far-away times) makes some buckets big, and those are sorted as usual.
void sortNearlyOrdered(std::vector<OrderKey>& keys)
{
    if (std::is_sorted(keys.begin(), keys.end()))
        return;
    std::int64_t lo = NoTimeNs, hi = INT64_MIN;
    for (const OrderKey& k : keys) {
        if (k.timeNs != NoTimeNs)
            lo = std::min(lo, k.timeNs), hi = std::max(hi, k.timeNs);
    }
    const std::size_t buckets = keys.size() / 4 + 2; // the last one: events without a time
    const double scale =
        lo <= hi ? double(buckets - 2) / (double(std::uint64_t(hi) - std::uint64_t(lo)) + 1) : 0;
    auto bucketOf = [&](const OrderKey& k) -> std::size_t {
        if (k.timeNs == NoTimeNs) // sorts after every time
            return buckets - 1;
        // Rounding is monotone, which is all the order needs.
        const double at = double(std::uint64_t(k.timeNs) - std::uint64_t(lo)) * scale;
        return std::min(static_cast<std::size_t>(at), buckets - 2);
    };
    std::vector<std::uint32_t> start(buckets + 1, 0);
    for (const OrderKey& k : keys)
        ++start[bucketOf(k) + 1];
    for (std::size_t b = 0; b < buckets; ++b)
        start[b + 1] += start[b];
    std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
    std::vector<OrderKey> sorted(keys.size());
    for (const OrderKey& k : keys)
        sorted[next[bucketOf(k)]++] = k;
    for (std::size_t b = 0; b < buckets; ++b) {
        OrderKey* first = sorted.data() + start[b];
        OrderKey* last = sorted.data() + start[b + 1];
        if (last - first <= 16)
            insertionSort(first, last);
        else
            std::sort(first, last);
    }
    keys.swap(sorted);
}

std::vector<OrderKey> sortedKeys(const Segment& segment, std::uint32_t firstEvent)
{
    std::vector<OrderKey> keys(segment.size());
    for (std::uint32_t row = 0; row < keys.size(); ++row) {
        keys[row] = OrderKey{segment.timeNs[row],
            latencyKey(segment.timeNs[row], segment.stageTimeNs[row]), firstEvent + row};
    }
    sortNearlyOrdered(keys);
    return keys;
}

// Merges the events [from[r], to[r]) of each sorted run r into `out`.
void mergeSlice(const std::vector<std::vector<OrderKey>>& runs,
    const std::vector<std::size_t>& from, const std::vector<std::size_t>& to, OrderKey* out)
{
    std::vector<const OrderKey*> at, end;
    for (std::size_t r = 0; r < runs.size(); ++r) {
        if (from[r] < to[r])
            at.push_back(runs[r].data() + from[r]), end.push_back(runs[r].data() + to[r]);
    }
    while (at.size() > 1) {
        std::size_t best = 0;
        for (std::size_t r = 1; r < at.size(); ++r) {
            if (*at[r] < *at[best])
                best = r;
        }
        *out++ = *at[best]++;
        if (at[best] == end[best]) {
            at.erase(at.begin() + static_cast<std::ptrdiff_t>(best));
            end.erase(end.begin() + static_cast<std::ptrdiff_t>(best));
        }
    }
    if (!at.empty())
        std::copy(at[0], end[0], out);
}

// Merges sorted runs into `out` (sized for all of them) in `parts` slices, one thread each. The
// slices are cut at keys of the longest run: every run is split where those keys would go.
void mergeRuns(
    const std::vector<std::vector<OrderKey>>& runs, std::vector<OrderKey>& out, unsigned parts)
{
    std::size_t longest = 0;
    for (std::size_t r = 1; r < runs.size(); ++r) {
        if (runs[r].size() > runs[longest].size())
            longest = r;
    }
    const std::vector<OrderKey>& pivots = runs[longest];
    if (pivots.empty())
        return; // no events at all
    std::vector<std::vector<std::size_t>> cut(parts + 1, std::vector<std::size_t>(runs.size(), 0));
    for (std::size_t r = 0; r < runs.size(); ++r)
        cut[parts][r] = runs[r].size();
    for (unsigned p = 1; p < parts; ++p) {
        const OrderKey pivot = pivots[pivots.size() * p / parts];
        for (std::size_t r = 0; r < runs.size(); ++r)
            cut[p][r] = static_cast<std::size_t>(
                std::lower_bound(runs[r].begin(), runs[r].end(), pivot) - runs[r].begin());
    }
    std::vector<std::jthread> mergers;
    std::size_t outStart = 0;
    for (unsigned p = 0; p < parts; ++p) {
        OrderKey* slice = out.data() + outStart;
        for (std::size_t r = 0; r < runs.size(); ++r)
            outStart += cut[p + 1][r] - cut[p][r];
        mergers.emplace_back([&, p, slice] { mergeSlice(runs, cut[p], cut[p + 1], slice); });
    }
}

// Where keys cannot decide (equal receive times with an Inexact latency or two equal ones), the
// columns do: stage time, then source, then file offset. Such runs are short and rare (events
// of one request differ in stage; copies of one event are the common case).
void settleTies(std::vector<OrderKey>& order, const std::vector<const Segment*>& segments,
    const EventNumbering& numbering)
{
    auto columns = [&](const OrderKey& k) {
        const auto [s, row] = numbering.locate(k.event);
        const Segment& seg = *segments[s];
        return std::pair{
            seg.stageTimeNs[row], std::uint64_t(seg.source[row]) << 48 | seg.rawOffset[row]};
    };
    const std::size_t n = order.size();
    for (std::size_t begin = 0; begin < n;) {
        bool unsettled = order[begin].latencyUs == OrderKey::Inexact;
        std::size_t end = begin + 1;
        for (; end < n && order[end].timeNs == order[begin].timeNs; ++end) {
            unsettled = unsettled || order[end].latencyUs == OrderKey::Inexact
                || order[end].latencyUs == order[end - 1].latencyUs;
        }
        if (unsettled && end - begin > 1) {
            std::sort(order.begin() + static_cast<std::ptrdiff_t>(begin),
                order.begin() + static_cast<std::ptrdiff_t>(end),
                [&](const OrderKey& a, const OrderKey& b) { return columns(a) < columns(b); });
        }
        begin = end;
    }
}

} // namespace

std::vector<OrderKey> timeOrder(
    const std::vector<const Segment*>& segments, const EventNumbering& numbering, unsigned threads)
{
    const unsigned parallel = std::max(1u, threads);
    std::vector<std::vector<OrderKey>> runs(segments.size());
    {
        std::vector<std::jthread> sorters;
        for (unsigned t = 0; t < parallel; ++t) {
            sorters.emplace_back([&, t] {
                for (std::size_t s = t; s < segments.size(); s += parallel)
                    runs[s] = sortedKeys(*segments[s], numbering.first(s));
            });
        }
    }
    std::vector<OrderKey> order;
    if (runs.size() == 1) {
        order = std::move(runs[0]);
    } else if (runs.size() > 1) {
        order.resize(numbering.events());
        mergeRuns(runs, order, parallel);
    }
    std::vector<std::vector<OrderKey>>().swap(runs);
    settleTies(order, segments, numbering);
    return order;
}

bool sameTimes(const OrderKey& a, const OrderKey& b, const std::vector<const Segment*>& segments,
    const EventNumbering& numbering)
{
    if (a.timeNs != b.timeNs)
        return false;
    if (a.latencyUs != OrderKey::Inexact && b.latencyUs != OrderKey::Inexact)
        return a.latencyUs == b.latencyUs;
    const auto [sa, ra] = numbering.locate(a.event);
    const auto [sb, rb] = numbering.locate(b.event);
    return segments[sa]->stageTimeNs[ra] == segments[sb]->stageTimeNs[rb];
}

} // namespace auditscope
