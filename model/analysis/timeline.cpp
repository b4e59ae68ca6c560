// SPDX-License-Identifier: Apache-2.0
#include "timeline.h"

#include "common/timestamp.h"

#include "analysis/analysisutil.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <limits>

namespace auditscope {

using namespace analysis_detail;

namespace {

constexpr std::int64_t Ms = 1'000'000;
constexpr std::int64_t Sec = 1000 * Ms;
constexpr std::int64_t Min = 60 * Sec;
constexpr std::int64_t Hour = 60 * Min;
constexpr std::int64_t Day = 24 * Hour;

constexpr std::array<std::int64_t, 31> Steps{Ms, 2 * Ms, 5 * Ms, 10 * Ms, 20 * Ms, 50 * Ms,
    100 * Ms, 200 * Ms, 500 * Ms, Sec, 2 * Sec, 5 * Sec, 10 * Sec, 15 * Sec, 30 * Sec, Min, 2 * Min,
    5 * Min, 10 * Min, 15 * Min, 30 * Min, Hour, 2 * Hour, 3 * Hour, 6 * Hour, 12 * Hour, Day,
    2 * Day, 7 * Day, 14 * Day, 30 * Day};

// Rounds down to a multiple of `step` (also for times before the epoch).
std::int64_t floorTo(std::int64_t t, std::int64_t step)
{
    const std::int64_t q = t / step;
    return (q * step > t ? q - 1 : q) * step;
}

std::uint64_t bucketsFor(const TimeRange& range, std::int64_t step)
{
    if (range.empty())
        return 0;
    const std::int64_t origin = floorTo(range.fromNs, step);
    // Computed in unsigned to avoid overflow for extreme ranges.
    const std::uint64_t span = static_cast<std::uint64_t>(range.toNs - origin);
    return (span + static_cast<std::uint64_t>(step) - 1) / static_cast<std::uint64_t>(step);
}

// Position of the first selected entry with time >= t (entries are in time order).
std::size_t lowerBoundTime(const EventStore& store, const EventSelection& rows, std::int64_t t)
{
    if (rows.all)
        return static_cast<std::size_t>(
            std::lower_bound(store.timeNs.begin(), store.timeNs.end(), t) - store.timeNs.begin());
    return static_cast<std::size_t>(
        std::lower_bound(rows.ids.begin(), rows.ids.end(), t,
            [&](EventId id, std::int64_t value) { return store.timeNs[id.value] < value; })
        - rows.ids.begin());
}

std::string userLabel(const EventStore& store, UserId user)
{
    return user ? std::string(store.pools.users.view(user.value)) : std::string("(no user)");
}

// The series of the stacks whose series are fixed; Principal's come from counting users.
std::vector<std::string> fixedSeriesNames(TimelineStack stack)
{
    std::vector<std::string> names;
    switch (stack) {
    case TimelineStack::None:
        names = {"events"};
        break;
    case TimelineStack::Verb:
        for (int c = 0; c < VerbClassCount; ++c)
            names.emplace_back(verbClassName(VerbClass(c)));
        break;
    case TimelineStack::Response:
        for (int c = 0; c < ResponseClassCount; ++c)
            names.emplace_back(responseClassName(ResponseClass(c)));
        break;
    case TimelineStack::PrincipalKind:
        for (int c = 0; c < PrincipalKindCount; ++c)
            names.emplace_back(principalKindName(PrincipalKind(c)));
        break;
    case TimelineStack::Principal:
        break;
    }
    return names;
}

// The selection's entries [first, first + count) that lie in the timeline's range.
struct RowSlice
{
    std::size_t first = 0, count = 0;
};

// Events per user slot (last = no user) in the slice. False when stopped.
bool eventsPerUser(const EventStore& store, const EventSelection& rows, const RowSlice& slice,
    unsigned parts, const AnalysisOptions& options, std::vector<std::uint64_t>& perUser)
{
    const std::size_t users = store.pools.users.size() + 1;
    std::vector<std::vector<std::uint64_t>> perPart(parts);
    std::atomic<bool> stopped = false;
    runParts(slice.count, parts, [&](unsigned part, std::size_t begin, std::size_t end) {
        std::vector<std::uint64_t>& c = perPart[part];
        c.assign(users, 0);
        if (!forRows(
                rows, slice.first + begin, slice.first + end, options.stop, [&](std::uint32_t row) {
                    const UserId u = store.user[row];
                    ++c[u ? u.value : users - 1];
                }))
            stopped = true;
    });
    for (unsigned p = 1; p < parts; ++p)
        for (std::size_t u = 0; u < users; ++u)
            perPart[0][u] += perPart[p][u];
    perUser = std::move(perPart[0]);
    return !stopped;
}

// Swimlanes: the `lanes` users with most events get a lane each (ties by name), everyone else
// the last, "other". Sets the timeline's lane users and series; returns the lane of each user
// slot (last = no user).
std::vector<std::uint8_t> principalLanes(
    const EventStore& store, const std::vector<std::uint64_t>& perUser, int lanes, Timeline& t)
{
    const std::size_t users = perUser.size();
    std::vector<std::uint32_t> order;
    for (std::uint32_t u = 0; u < users; ++u)
        if (perUser[u] > 0)
            order.push_back(u);
    const std::size_t laneCount =
        std::min<std::size_t>(order.size(), static_cast<std::size_t>(std::clamp(lanes, 0, 254)));
    auto nameOf = [&](std::uint32_t u) {
        return u + 1 == users ? std::string_view() : store.pools.users.view(u);
    };
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(laneCount),
        order.end(), [&](std::uint32_t a, std::uint32_t b) {
            return perUser[a] != perUser[b] ? perUser[a] > perUser[b] : nameOf(a) < nameOf(b);
        });
    std::vector<std::uint8_t> laneOfUser(users, static_cast<std::uint8_t>(laneCount));
    for (std::size_t l = 0; l < laneCount; ++l) {
        const std::uint32_t u = order[l];
        laneOfUser[u] = static_cast<std::uint8_t>(l);
        const UserId id = u + 1 == users ? UserId{} : UserId{u};
        t.laneUsers.push_back(id);
        t.seriesNames.push_back(userLabel(store, id));
    }
    t.seriesNames.emplace_back("other");
    return laneOfUser;
}

// One part's counts: a part walks a contiguous slice of time-ordered rows, so it touches a
// contiguous run of buckets, from firstBucket on.
struct PartCounts
{
    std::size_t firstBucket = 0;
    std::vector<std::uint32_t> counts;
};

// The first cell (bucket × series) of a time's bucket in a part's counts, for times that never
// go back: a row before the current bucket's end stays in it without a division.
class BucketCursor
{
public:
    BucketCursor(const Timeline& t, std::size_t firstBucket)
        : m_t(t)
        , m_firstBucket(firstBucket)
        , m_series(t.seriesCount())
        , m_bucketEnd(t.bucketStartNs(firstBucket) + t.bucketNs)
    { }

    std::size_t cellOf(std::int64_t time)
    {
        if (time >= m_bucketEnd) {
            const std::size_t b = *m_t.bucketAt(time);
            m_bucketEnd = m_t.bucketStartNs(b) + m_t.bucketNs;
            m_cell = (b - m_firstBucket) * m_series;
        }
        return m_cell;
    }

private:
    const Timeline& m_t;
    const std::size_t m_firstBucket;
    const std::size_t m_series;
    std::int64_t m_bucketEnd;
    std::size_t m_cell = 0;
};

// Counts the selection's entries [begin, end) (not empty) into `pc`, by the stack's series.
// False when stopped.
bool countPart(const EventStore& store, const EventSelection& rows, std::size_t begin,
    std::size_t end, const StoreClasses& classes, const std::vector<std::uint8_t>& laneOfUser,
    const Timeline& t, const std::stop_token& stop, PartCounts& pc)
{
    auto timeAt = [&](std::size_t i) { return store.timeNs[rows.all ? i : rows.ids[i].value]; };
    const std::size_t b0 = *t.bucketAt(timeAt(begin));
    const std::size_t b1 = *t.bucketAt(timeAt(end - 1));
    pc.firstBucket = b0;
    pc.counts.assign((b1 - b0 + 1) * t.seriesCount(), 0);
    std::uint32_t* out = pc.counts.data();
    BucketCursor cursor(t, b0);
    switch (t.stack) {
    case TimelineStack::None:
        return forRows(rows, begin, end, stop,
            [&](std::uint32_t row) { ++out[cursor.cellOf(store.timeNs[row])]; });
    case TimelineStack::Verb:
        return forRows(rows, begin, end, stop, [&](std::uint32_t row) {
            ++out[cursor.cellOf(store.timeNs[row])
                + static_cast<std::size_t>(classes.verbClassOf(store.verb[row]))];
        });
    case TimelineStack::Response:
        return forRows(rows, begin, end, stop, [&](std::uint32_t row) {
            ++out[cursor.cellOf(store.timeNs[row])
                + static_cast<std::size_t>(responseClassOf(store.code[row]))];
        });
    case TimelineStack::PrincipalKind:
        return forRows(rows, begin, end, stop, [&](std::uint32_t row) {
            ++out[cursor.cellOf(store.timeNs[row])
                + static_cast<std::size_t>(
                    classes.principalKindOf(store.user[row], store.groupSet[row]))];
        });
    case TimelineStack::Principal: {
        const std::size_t noUser = laneOfUser.size() - 1;
        return forRows(rows, begin, end, stop, [&](std::uint32_t row) {
            const UserId u = store.user[row];
            ++out[cursor.cellOf(store.timeNs[row]) + laneOfUser[u ? u.value : noUser]];
        });
    }
    }
    return true;
}

// Adds the parts' runs of buckets into the timeline's counts and total.
void addParts(const std::vector<PartCounts>& perPart, Timeline& t)
{
    const std::size_t series = t.seriesCount();
    for (const PartCounts& pc : perPart) {
        std::uint32_t* out = t.counts.data() + pc.firstBucket * series;
        for (std::size_t i = 0; i < pc.counts.size(); ++i) {
            out[i] += pc.counts[i];
            t.total += pc.counts[i];
        }
    }
}

} // namespace

TimeRange timeRangeOf(const EventStore& store, const EventSelection& rows)
{
    // Events without a time (NoTimeNs) sort last and have no place on the time axis.
    const std::size_t timed = lowerBoundTime(store, rows, NoTimeNs);
    if (timed == 0)
        return {};
    auto timeAt = [&](std::size_t i) { return store.timeNs[rows.all ? i : rows.ids[i].value]; };
    return {timeAt(0), timeAt(timed - 1) + 1};
}

std::span<const std::int64_t> bucketSteps()
{
    return Steps;
}

std::int64_t chooseBucketNs(const TimeRange& range, int targetBuckets)
{
    const std::uint64_t target = static_cast<std::uint64_t>(std::max(1, targetBuckets));
    for (const std::int64_t step : Steps) {
        if (bucketsFor(range, step) <= target)
            return step;
    }
    return Steps.back();
}

std::optional<std::int64_t> parseBucketWidth(std::string_view text)
{
    if (text.empty())
        return std::nullopt;
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::int64_t amount = 0;
        const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), amount);
        if (ec != std::errc() || end == text.data() + i || amount < 0)
            return std::nullopt;
        i = static_cast<std::size_t>(end - text.data());
        std::int64_t unit = 0;
        if (text.substr(i, 2) == "ms") {
            unit = Ms;
            i += 2;
        } else if (text.substr(i, 2) == "ns") {
            unit = 1;
            i += 2;
        } else if (i < text.size()) {
            switch (text[i++]) {
            case 's':
                unit = Sec;
                break;
            case 'm':
                unit = Min;
                break;
            case 'h':
                unit = Hour;
                break;
            case 'd':
                unit = Day;
                break;
            case 'w':
                unit = 7 * Day;
                break;
            default:
                return std::nullopt;
            }
        } else {
            return std::nullopt;
        }
        if (amount > std::numeric_limits<std::int64_t>::max() / unit - total / unit)
            return std::nullopt;
        total += amount * unit;
    }
    if (total <= 0)
        return std::nullopt;
    return total;
}

std::string formatBucketWidth(std::int64_t ns)
{
    if (ns <= 0)
        return "0s";
    if (ns % Ms != 0)
        return std::to_string(ns) + "ns";
    if (ns < Sec)
        return std::to_string(ns / Ms) + "ms";
    std::string out;
    std::int64_t rest = ns;
    for (const auto& [unit, suffix] : {std::pair{Day, "d"}, std::pair{Hour, "h"},
             std::pair{Min, "m"}, std::pair{Sec, "s"}, std::pair{Ms, "ms"}}) {
        if (rest >= unit) {
            out += std::to_string(rest / unit) + suffix;
            rest %= unit;
        }
    }
    return out;
}

std::uint64_t Timeline::bucketTotal(std::size_t bucket) const
{
    std::uint64_t sum = 0;
    for (std::size_t s = 0; s < seriesCount(); ++s)
        sum += count(bucket, s);
    return sum;
}

std::uint64_t Timeline::maxBucketTotal() const
{
    std::uint64_t best = 0;
    for (std::size_t b = 0; b < bucketCount; ++b)
        best = std::max(best, bucketTotal(b));
    return best;
}

TimeRange Timeline::bucketRange(std::size_t bucket) const
{
    const std::int64_t start = bucketStartNs(bucket);
    return {std::max(start, range.fromNs), std::min(start + bucketNs, range.toNs)};
}

std::optional<std::size_t> Timeline::bucketAt(std::int64_t timeNs) const
{
    if (bucketNs <= 0 || timeNs < originNs)
        return std::nullopt;
    const auto bucket =
        static_cast<std::uint64_t>(timeNs - originNs) / static_cast<std::uint64_t>(bucketNs);
    if (bucket >= bucketCount)
        return std::nullopt;
    return static_cast<std::size_t>(bucket);
}

Timeline computeTimeline(const EventStore& store, const EventSelection& rows,
    const TimelineRequest& request, const AnalysisOptions& options)
{
    Timeline t;
    t.stack = request.stack;
    t.range = request.range.empty() ? timeRangeOf(store, rows) : request.range;
    t.bucketNs =
        request.bucketNs > 0 ? request.bucketNs : chooseBucketNs(t.range, request.targetBuckets);
    t.originNs = t.range.empty() ? t.range.fromNs : floorTo(t.range.fromNs, t.bucketNs);
    t.seriesNames = fixedSeriesNames(request.stack);

    const std::uint64_t buckets = bucketsFor(t.range, t.bucketNs);
    if (buckets > Timeline::MaxBuckets) {
        t.tooManyBuckets = true;
        if (t.seriesNames.empty())
            t.seriesNames = {"other"};
        return t;
    }
    t.bucketCount = static_cast<std::size_t>(buckets);

    // The selection's entries inside the range: two binary searches.
    RowSlice slice;
    if (!t.range.empty()) {
        slice.first = lowerBoundTime(store, rows, t.range.fromNs);
        slice.count =
            std::max(slice.first, lowerBoundTime(store, rows, t.range.toNs)) - slice.first;
    }
    const unsigned parts = partsFor(slice.count, options);
    bool stopped = false;

    std::vector<std::uint8_t> laneOfUser;
    if (request.stack == TimelineStack::Principal) {
        std::vector<std::uint64_t> perUser;
        stopped = !eventsPerUser(store, rows, slice, parts, options, perUser);
        laneOfUser = principalLanes(store, perUser, request.lanes, t);
    }

    t.counts.assign(t.bucketCount * t.seriesCount(), 0);
    if (stopped || t.bucketCount == 0) {
        t.cancelled = stopped;
        return t;
    }

    const StoreClasses classes(store);
    std::vector<PartCounts> perPart(parts);
    std::atomic<bool> partStopped = false;
    runParts(slice.count, parts, [&](unsigned part, std::size_t begin, std::size_t end) {
        if (begin != end
            && !countPart(store, rows, slice.first + begin, slice.first + end, classes, laneOfUser,
                t, options.stop, perPart[part]))
            partStopped = true;
    });
    if (partStopped) {
        t.cancelled = true;
        return t;
    }
    addParts(perPart, t);
    return t;
}

} // namespace auditscope
