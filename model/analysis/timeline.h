// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "analysis/classification.h"
#include "analysis/eventselection.h"
#include "store/eventstore.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// A half-open time interval [fromNs, toNs) of requestReceivedTimestamp, ns since the epoch, UTC.
struct TimeRange
{
    std::int64_t fromNs = 0;
    std::int64_t toNs = 0;
    bool empty() const { return toNs <= fromNs; }
    friend bool operator==(const TimeRange&, const TimeRange&) = default;
};

/// The smallest range holding every selected event: [first time, last time + 1 ns). Empty for no
/// events. O(1) (the rows are in time order).
TimeRange timeRangeOf(const EventStore& store, const EventSelection& rows = {});

/// The bucket widths a timeline offers, ascending, in ns: 1ms 2ms 5ms 10ms 20ms 50ms 100ms
/// 200ms 500ms 1s 2s 5s 10s 15s 30s 1m 2m 5m 10m 15m 30m 1h 2h 3h 6h 12h 1d 2d 7d 14d 30d.
std::span<const std::int64_t> bucketSteps();
/// The narrowest bucketSteps() width that covers `range` in at most `targetBuckets` buckets
/// (counted after aligning, as computeTimeline() does); the widest step if none does.
std::int64_t chooseBucketNs(const TimeRange& range, int targetBuckets);
/// Parses a bucket width such as `30s`, `1m`, `1h30m`, `500ms`, `1d` (units ms s m h d w,
/// summed); nullopt for anything else or for 0.
std::optional<std::int64_t> parseBucketWidth(std::string_view text);
/// `1m`, `30s`, `1h30m`, `500ms`: the shortest text parseBucketWidth() reads back as `ns`
/// (whole ms and up; finer widths print as `Nns`).
std::string formatBucketWidth(std::int64_t ns);

/// What splits each bucket of a timeline into series.
enum class TimelineStack : std::uint8_t {
    None, ///< one series, "events"
    Verb, ///< VerbClass: read, write, delete, other
    Response, ///< ResponseClass: 2xx, 3xx, 4xx, 5xx, none
    PrincipalKind, ///< PrincipalKind: human, serviceaccount, node, controlplane, anonymous
    Principal, ///< swimlanes: the top-N users in the range, one series each, then "other"
};

struct TimelineRequest
{
    /// Events outside the range are not counted. Empty (the default) = timeRangeOf(rows).
    TimeRange range;
    /// Bucket width in ns; 0 = chooseBucketNs(range, targetBuckets).
    std::int64_t bucketNs = 0;
    int targetBuckets = 100;
    TimelineStack stack = TimelineStack::None;
    /// Principal: how many users get a lane of their own (most events first).
    int lanes = 8;
};

/// Events per time bucket, split into series. Bucket b covers
/// [originNs + b·bucketNs, originNs + (b+1)·bucketNs); originNs is range.fromNs rounded down to
/// a multiple of bucketNs since the epoch, so 1m buckets start on whole UTC minutes and 1d
/// buckets at UTC midnight. The first and last buckets may extend beyond the range; only events
/// inside the range are counted.
struct Timeline
{
    /// Most buckets computeTimeline() fills; a request for more sets tooManyBuckets.
    static constexpr std::size_t MaxBuckets = 1'000'000;

    TimeRange range;
    std::int64_t originNs = 0;
    std::int64_t bucketNs = 0;
    std::size_t bucketCount = 0;
    TimelineStack stack = TimelineStack::None;
    /// One name per series: "events"; verbClassName(); responseClassName();
    /// principalKindName(); or, for swimlanes, the usernames ("(no user)" for events without
    /// one) followed by "other".
    std::vector<std::string> seriesNames;
    /// Principal: the user of each lane except the last ("other"); none = events without a user.
    std::vector<UserId> laneUsers;
    /// bucketCount × seriesCount(), bucket-major: counts[b * seriesCount() + s].
    std::vector<std::uint32_t> counts;
    std::uint64_t total = 0; ///< events counted
    bool cancelled = false;
    bool tooManyBuckets = false; ///< the range needs more than MaxBuckets; nothing counted

    std::size_t seriesCount() const { return seriesNames.size(); }
    std::uint32_t count(std::size_t bucket, std::size_t series) const
    {
        return counts[bucket * seriesCount() + series];
    }
    std::uint64_t bucketTotal(std::size_t bucket) const;
    std::uint64_t maxBucketTotal() const;
    std::int64_t bucketStartNs(std::size_t bucket) const
    {
        return originNs + static_cast<std::int64_t>(bucket) * bucketNs;
    }
    /// The part of the timeline's range that bucket covers (the query for a click on it).
    TimeRange bucketRange(std::size_t bucket) const;
    /// The bucket holding `timeNs`, or nullopt outside [originNs, end of the last bucket).
    std::optional<std::size_t> bucketAt(std::int64_t timeNs) const;
};

/// Counts the selected events per bucket and series. Rows are in time order, so the range is
/// found by binary search and each worker walks a contiguous slice, O(rows in range) plus
/// O(buckets); Principal mode reads its rows twice (top users, then lanes).
Timeline computeTimeline(const EventStore& store, const EventSelection& rows,
    const TimelineRequest& request, const AnalysisOptions& options = {});

} // namespace auditscope
