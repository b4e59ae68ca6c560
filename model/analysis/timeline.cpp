// SPDX-License-Identifier: Apache-2.0
#include "timeline.h"

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

} // namespace

TimeRange timeRangeOf(const EventStore& store, const EventSelection& rows)
{
    if (rows.all)
        return store.size() == 0 ? TimeRange{}
                                 : TimeRange{store.timeNs.front(), store.timeNs.back() + 1};
    if (rows.ids.empty())
        return {};
    return {store.timeNs[rows.ids.front().value], store.timeNs[rows.ids.back().value] + 1};
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

    const StoreClasses classes(store);
    switch (request.stack) {
    case TimelineStack::None:
        t.seriesNames = {"events"};
        break;
    case TimelineStack::Verb:
        for (int c = 0; c < VerbClassCount; ++c)
            t.seriesNames.emplace_back(verbClassName(VerbClass(c)));
        break;
    case TimelineStack::Response:
        for (int c = 0; c < ResponseClassCount; ++c)
            t.seriesNames.emplace_back(responseClassName(ResponseClass(c)));
        break;
    case TimelineStack::PrincipalKind:
        for (int c = 0; c < PrincipalKindCount; ++c)
            t.seriesNames.emplace_back(principalKindName(PrincipalKind(c)));
        break;
    case TimelineStack::Principal:
        break; // after counting users
    }

    const std::uint64_t buckets = bucketsFor(t.range, t.bucketNs);
    if (buckets > Timeline::MaxBuckets) {
        t.tooManyBuckets = true;
        if (t.seriesNames.empty())
            t.seriesNames = {"other"};
        return t;
    }
    t.bucketCount = static_cast<std::size_t>(buckets);

    // The selection's entries inside the range: two binary searches.
    const std::size_t first = t.range.empty() ? 0 : lowerBoundTime(store, rows, t.range.fromNs);
    const std::size_t last =
        t.range.empty() ? 0 : std::max(first, lowerBoundTime(store, rows, t.range.toNs));
    const std::size_t count = last - first;
    const unsigned parts = partsFor(count, options);
    std::atomic<bool> stopped = false;

    // Series of a row, per mode. Principal lanes map user ids (last slot = no user) to lanes.
    std::vector<std::uint8_t> laneOfUser;
    if (request.stack == TimelineStack::Principal) {
        const std::size_t users = store.pools.users.size() + 1;
        std::vector<std::vector<std::uint64_t>> perPart(parts);
        runParts(count, parts, [&](unsigned part, std::size_t begin, std::size_t end) {
            std::vector<std::uint64_t>& c = perPart[part];
            c.assign(users, 0);
            if (!forRows(rows, first + begin, first + end, options.stop, [&](std::uint32_t row) {
                    const UserId u = store.user[row];
                    ++c[u ? u.value : users - 1];
                }))
                stopped = true;
        });
        std::vector<std::uint64_t>& perUser = perPart[0];
        for (unsigned p = 1; p < parts; ++p)
            for (std::size_t u = 0; u < users; ++u)
                perUser[u] += perPart[p][u];
        std::vector<std::uint32_t> order;
        for (std::uint32_t u = 0; u < users; ++u)
            if (perUser[u] > 0)
                order.push_back(u);
        const std::size_t lanes = std::min<std::size_t>(
            order.size(), static_cast<std::size_t>(std::clamp(request.lanes, 0, 254)));
        auto nameOf = [&](std::uint32_t u) {
            return u + 1 == users ? std::string_view() : store.pools.users.view(u);
        };
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(lanes),
            order.end(), [&](std::uint32_t a, std::uint32_t b) {
                return perUser[a] != perUser[b] ? perUser[a] > perUser[b] : nameOf(a) < nameOf(b);
            });
        laneOfUser.assign(users, static_cast<std::uint8_t>(lanes));
        for (std::size_t l = 0; l < lanes; ++l) {
            const std::uint32_t u = order[l];
            laneOfUser[u] = static_cast<std::uint8_t>(l);
            const UserId id = u + 1 == users ? UserId{} : UserId{u};
            t.laneUsers.push_back(id);
            t.seriesNames.push_back(userLabel(store, id));
        }
        t.seriesNames.emplace_back("other");
    }

    const std::size_t series = t.seriesCount();
    t.counts.assign(t.bucketCount * series, 0);
    if (stopped || t.bucketCount == 0) {
        t.cancelled = stopped;
        return t;
    }

    // Each part walks a contiguous slice of time-ordered rows, so it touches a contiguous run
    // of buckets: count into a private run, then add the runs.
    struct PartCounts
    {
        std::size_t firstBucket = 0;
        std::vector<std::uint32_t> counts;
    };
    std::vector<PartCounts> perPart(parts);
    runParts(count, parts, [&](unsigned part, std::size_t begin, std::size_t end) {
        if (begin == end)
            return;
        auto timeAt = [&](std::size_t i) { return store.timeNs[rows.all ? i : rows.ids[i].value]; };
        const std::size_t b0 = *t.bucketAt(timeAt(first + begin));
        const std::size_t b1 = *t.bucketAt(timeAt(first + end - 1));
        PartCounts& pc = perPart[part];
        pc.firstBucket = b0;
        pc.counts.assign((b1 - b0 + 1) * series, 0);
        std::uint32_t* out = pc.counts.data();
        // The current bucket's end; a row at or past it moves to its own bucket.
        std::int64_t bucketEnd = t.bucketStartNs(b0) + t.bucketNs;
        std::size_t cell = 0;
        auto bucketOf = [&](std::int64_t time) {
            if (time >= bucketEnd) {
                const std::size_t b = *t.bucketAt(time);
                bucketEnd = t.bucketStartNs(b) + t.bucketNs;
                cell = (b - b0) * series;
            }
            return cell;
        };
        bool ok = true;
        switch (request.stack) {
        case TimelineStack::None:
            ok = forRows(rows, first + begin, first + end, options.stop,
                [&](std::uint32_t row) { ++out[bucketOf(store.timeNs[row])]; });
            break;
        case TimelineStack::Verb:
            ok = forRows(rows, first + begin, first + end, options.stop, [&](std::uint32_t row) {
                ++out[bucketOf(store.timeNs[row])
                    + static_cast<std::size_t>(classes.verbClassOf(store.verb[row]))];
            });
            break;
        case TimelineStack::Response:
            ok = forRows(rows, first + begin, first + end, options.stop, [&](std::uint32_t row) {
                ++out[bucketOf(store.timeNs[row])
                    + static_cast<std::size_t>(responseClassOf(store.code[row]))];
            });
            break;
        case TimelineStack::PrincipalKind:
            ok = forRows(rows, first + begin, first + end, options.stop, [&](std::uint32_t row) {
                ++out[bucketOf(store.timeNs[row])
                    + static_cast<std::size_t>(
                        classes.principalKindOf(store.user[row], store.groupSet[row]))];
            });
            break;
        case TimelineStack::Principal: {
            const std::size_t noUser = laneOfUser.size() - 1;
            ok = forRows(rows, first + begin, first + end, options.stop, [&](std::uint32_t row) {
                const UserId u = store.user[row];
                ++out[bucketOf(store.timeNs[row]) + laneOfUser[u ? u.value : noUser]];
            });
            break;
        }
        }
        if (!ok)
            stopped = true;
    });
    if (stopped) {
        t.cancelled = true;
        return t;
    }
    for (const PartCounts& pc : perPart) {
        std::uint32_t* out = t.counts.data() + pc.firstBucket * series;
        for (std::size_t i = 0; i < pc.counts.size(); ++i) {
            out[i] += pc.counts[i];
            t.total += pc.counts[i];
        }
    }
    return t;
}

} // namespace auditscope
