// SPDX-License-Identifier: Apache-2.0
// Checks on the evidence itself: holes in a source's log, a sudden fall of its rate, clock skew
// between servers, a policy that started logging less, and gaps between rotated files. Each is
// conservative: an ordinary log, with its quiet nights and its mixed policies, says nothing.
#include "detect/enginesteps.h"

#include "chain/chainintegrity.h"
#include "common/timestamp.h"

#include <algorithm>
#include <bit>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace auditscope {

namespace {

constexpr std::int64_t SecondNs = 1'000'000'000;
constexpr std::int64_t MinuteNs = 60 * SecondNs;
/// Silences and rotation gaps shorter than this are never findings, whatever the usual gap.
constexpr std::int64_t MinHoleNs = 60 * SecondNs;
/// A source needs this many events before its usual gap means anything.
constexpr std::uint64_t MinEventsForGaps = 20;
/// Rate drop: busy minutes right before, and low minutes in a row.
constexpr int BusyMinutesBefore = 10;
constexpr int LowMinutes = 5;
/// Clock skew: stage times out of order by more than this (forwarding takes far less).
constexpr std::int64_t SkewToleranceNs = SecondNs;
/// Level drop: requests at the higher level before, and at lower ones after, per kind.
constexpr std::uint32_t MinLevelRequests = 5;

/// A source written over more minutes than this (a bogus timestamp) gets no per-minute checks.
constexpr std::int64_t MaxMinutes = 1 << 20;
/// The same for all sources together (32 B a minute: at most 128 MiB).
constexpr std::int64_t MaxMinutesAllSources = 4 << 20;

std::int64_t floorDiv(std::int64_t a, std::int64_t b)
{
    return a / b - (a % b < 0 ? 1 : 0);
}

// Gaps on a log scale, 8 buckets per power of two: bucket 0 holds gaps of 0 ns.
constexpr int GapBuckets = 1 + 64 * 8;

int gapBucket(std::int64_t gap)
{
    if (gap <= 0)
        return 0;
    const auto g = static_cast<std::uint64_t>(gap);
    const int octave = std::bit_width(g) - 1;
    const auto sub =
        static_cast<int>(octave >= 3 ? (g >> (octave - 3)) & 7 : (g << (3 - octave)) & 7);
    return 1 + octave * 8 + sub;
}

// The largest gap bucket `b` can hold (rounded up).
std::int64_t bucketUpperNs(int b)
{
    if (b == 0)
        return 0;
    const int octave = (b - 1) / 8, sub = (b - 1) % 8;
    if (octave >= 59)
        return std::numeric_limits<std::int64_t>::max() / 4;
    return octave >= 3 ? std::int64_t(9 + sub) << (octave - 3)
                       : std::int64_t(9 + sub) >> (3 - octave);
}

double factorOf(const DetectionRule& rule)
{
    return rule.factor > 1 ? rule.factor : 10.0;
}

// `factor` × `ns`, saturating.
std::int64_t scaled(double factor, std::int64_t ns)
{
    const double v = factor * double(ns);
    return v >= 9.0e18 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(v);
}

Finding integrityFinding(const EventStore& s, std::uint32_t rule, std::vector<EventId> events,
    std::string principal, std::string detail)
{
    std::sort(events.begin(), events.end());
    events.erase(std::unique(events.begin(), events.end()), events.end());
    return makeFinding(s, rule, std::move(events), std::move(principal), std::move(detail));
}

int stageRank(Stage stage)
{
    switch (stage) {
    case Stage::RequestReceived:
        return 0;
    case Stage::ResponseStarted:
        return 1;
    case Stage::ResponseComplete:
    case Stage::Panic:
        return 2;
    case Stage::Unknown:
        break;
    }
    return -1;
}

// One kind of request on one source, for level drops: who did what where.
struct LevelKey
{
    std::uint32_t source, verb, resource, subresource, ns, user;
    bool operator==(const LevelKey&) const = default;
};
struct LevelKeyHash
{
    std::size_t operator()(const LevelKey& k) const
    {
        std::uint64_t h = 0xCBF29CE484222325ULL;
        for (std::uint32_t v : {k.source, k.verb, k.resource, k.subresource, k.ns, k.user})
            h = (h ^ v) * 0x100000001B3ULL;
        return static_cast<std::size_t>(h ^ (h >> 32));
    }
};
// One kind's levels in time order: a run at its first level, then a run below it, and never
// up again. Any rise (a mix of levels, as policies by user or by name give) rules it out.
struct LevelState
{
    Level first = Level::Unknown, last = Level::Unknown;
    bool rose = false;
    std::uint32_t highRequests = 0, lowRequests = 0;
    std::uint32_t lastHighRow = 0, firstLowRow = 0;

    void add(Level level, std::uint32_t row)
    {
        if (first == Level::Unknown) {
            first = level;
        } else if (level > last) {
            rose = true;
        }
        if (level == first && lowRequests == 0) {
            ++highRequests;
            lastHighRow = row;
        } else if (level < first && lowRequests++ == 0) {
            firstLowRow = row;
        }
        last = level;
    }
    bool dropped() const
    {
        return !rose && highRequests >= MinLevelRequests && lowRequests >= MinLevelRequests;
    }
};

} // namespace

IntegrityChecks::IntegrityChecks(EventStorePtr store, RequestStarts& starts)
    : m_store(std::move(store))
    , m_startsRequest(starts)
{ }

bool IntegrityChecks::run(const DetectionRule& rule, std::uint32_t ruleIndex,
    const std::stop_token& stop, std::vector<Finding>& out)
{
    if (m_store->size() == 0)
        return true;
    switch (rule.check) {
    case IntegrityCheck::Silence:
        silence(rule, ruleIndex, out);
        break;
    case IntegrityCheck::RateDrop:
        rateDrop(rule, ruleIndex, out);
        break;
    case IntegrityCheck::ClockSkew:
        return clockSkew(ruleIndex, stop, out);
    case IntegrityCheck::LevelDrop:
        levelDrop(ruleIndex, out);
        break;
    case IntegrityCheck::RotationGap:
        rotationGap(rule, ruleIndex, out);
        break;
    case IntegrityCheck::None:
        break;
    }
    return !stop.stop_requested();
}

const std::vector<SourceStats>& IntegrityChecks::sourceStats()
{
    if (m_haveSources)
        return m_sources;
    m_haveSources = true;
    const EventStore& s = *m_store;
    m_sources.assign(s.sources.size(), {});
    // Pass 1: each source's span in stage time, and its gaps (in the store's order, by receive
    // time, which for the median is as good as the order of writing).
    std::vector<std::uint32_t> histogram(s.sources.size() * GapBuckets, 0);
    std::vector<std::int64_t> previous(s.sources.size(), NoTimeNs);
    std::vector<std::uint64_t> requests(s.sources.size(), 0);
    for (std::uint32_t row = 0; row < s.size(); ++row) {
        if (s.timeNs[row] == NoTimeNs)
            continue;
        const std::uint32_t src = s.source[row].value;
        SourceStats& st = m_sources[src];
        const std::int64_t written = s.stageTimeNs(row);
        if (st.events == 0 || written < st.firstNs) {
            st.firstNs = written;
            st.firstRow = row;
        }
        if (st.events == 0 || written >= st.lastNs) {
            st.lastNs = written;
            st.lastRow = row;
        }
        if (m_startsRequest(row)) {
            if (previous[src] != NoTimeNs)
                ++histogram[src * GapBuckets + gapBucket(s.timeNs[row] - previous[src])];
            previous[src] = s.timeNs[row];
            ++requests[src];
        }
        ++st.events;
    }
    std::int64_t minutesLeft = MaxMinutesAllSources;
    for (std::size_t src = 0; src < m_sources.size(); ++src) {
        SourceStats& st = m_sources[src];
        if (st.events < 2)
            continue;
        const std::uint64_t half = (requests[src] + 1) / 2; // of requests - 1 gaps, the middle
        std::uint64_t seen = 0;
        for (int b = 0; b < GapBuckets; ++b) {
            seen += histogram[src * GapBuckets + b];
            if (seen >= half) {
                st.medianGapNs = bucketUpperNs(b);
                break;
            }
        }
        st.firstMinute = floorDiv(st.firstNs, MinuteNs);
        const std::int64_t minutes = floorDiv(st.lastNs, MinuteNs) - st.firstMinute + 1;
        // One budget for all sources: a thousand rotated files with a bogus early time each
        // must not ask for a thousand times the memory.
        if (minutes <= MaxMinutes && minutes <= minutesLeft) {
            st.minutes.resize(static_cast<std::size_t>(minutes));
            minutesLeft -= minutes;
        }
    }
    // Pass 2: events per minute of writing, with the first and last written in each.
    for (std::uint32_t row = 0; row < s.size(); ++row) {
        if (s.timeNs[row] == NoTimeNs)
            continue;
        SourceStats& st = m_sources[s.source[row].value];
        if (st.minutes.empty())
            continue;
        const std::int64_t written = s.stageTimeNs(row);
        MinuteOfLog& m =
            st.minutes[static_cast<std::size_t>(floorDiv(written, MinuteNs) - st.firstMinute)];
        if (m.events == 0 || written < m.firstNs) {
            m.firstNs = written;
            m.firstRow = row;
        }
        if (m.events == 0 || written >= m.lastNs) {
            m.lastNs = written;
            m.lastRow = row;
        }
        ++m.events;
    }
    findBusySpan();
    return m_sources;
}

// The span in which the log goes on: from the first minute in which some source wrote at its
// usual rate to the last one. Outside it (a log's first and last stragglers, such as watches
// that end after everything else) there are no holes or drops to speak of.
void IntegrityChecks::findBusySpan()
{
    m_firstBusyNs = std::numeric_limits<std::int64_t>::max();
    m_lastBusyNs = std::numeric_limits<std::int64_t>::min();
    for (SourceStats& st : m_sources) {
        if (st.minutes.size() < 3)
            continue;
        std::vector<std::uint32_t> whole;
        for (std::size_t m = 1; m + 1 < st.minutes.size(); ++m)
            whole.push_back(st.minutes[m].events);
        std::nth_element(whole.begin(), whole.begin() + whole.size() / 2, whole.end());
        st.medianPerMinute = whole[whole.size() / 2];
        for (std::size_t m = 0; m < st.minutes.size(); ++m) {
            if (st.minutes[m].events * 2 < st.medianPerMinute || st.minutes[m].events == 0)
                continue;
            const std::int64_t start = (st.firstMinute + static_cast<std::int64_t>(m)) * MinuteNs;
            m_firstBusyNs = std::min(m_firstBusyNs, start);
            m_lastBusyNs = std::max(m_lastBusyNs, start + MinuteNs);
        }
    }
}

bool IntegrityChecks::logGoesOn(std::int64_t timeNs)
{
    sourceStats();
    return timeNs >= m_firstBusyNs && timeNs <= m_lastBusyNs;
}

// A stretch in which a source wrote nothing, far longer than its usual gap. Gaps of a minute or
// more always lie between two minutes that hold events, so the minutes find them exactly.
void IntegrityChecks::silence(
    const DetectionRule& rule, std::uint32_t ruleIndex, std::vector<Finding>& out)
{
    const EventStore& s = *m_store;
    const std::vector<SourceStats>& stats = sourceStats();
    for (std::size_t src = 0; src < stats.size(); ++src) {
        const SourceStats& st = stats[src];
        if (st.events < MinEventsForGaps)
            continue;
        const std::int64_t limit = std::max(scaled(factorOf(rule), st.medianGapNs), MinHoleNs);
        const MinuteOfLog* before = nullptr;
        for (const MinuteOfLog& m : st.minutes) {
            if (m.events == 0)
                continue;
            if (before && m.firstNs - before->lastNs > limit && logGoesOn(before->lastNs)
                && logGoesOn(m.firstNs))
                out.push_back(integrityFinding(s, ruleIndex,
                    {EventId{before->lastRow}, EventId{m.firstRow}}, s.sources[src].path,
                    "no events written for " + formatSpan(m.firstNs - before->lastNs)
                        + " (usual gap " + formatSpan(st.medianGapNs) + ")"));
            before = &m;
        }
    }
}

// Per source, events written per whole minute; a finding where the rate falls from its usual
// level (10 busy minutes in a row) to under 1/factor of it, at once, for at least 5 minutes in
// which the source still writes (a stretch with no events at all is a silence).
void IntegrityChecks::rateDrop(
    const DetectionRule& rule, std::uint32_t ruleIndex, std::vector<Finding>& out)
{
    const EventStore& s = *m_store;
    const std::vector<SourceStats>& stats = sourceStats();
    const double factor = factorOf(rule);
    for (std::size_t src = 0; src < stats.size(); ++src) {
        const std::vector<MinuteOfLog>& minutes = stats[src].minutes;
        if (stats[src].events < 100 || minutes.size() < BusyMinutesBefore + LowMinutes + 2)
            continue;
        const double median = stats[src].medianPerMinute; // of whole minutes
        if (median < factor) // too quiet for a fall to 1/factor to mean anything
            continue;
        const auto low = [&](std::size_t m) { return double(minutes[m].events) * factor < median; };
        // Busy minutes in a row, the last of them at `lastBusy`; one minute in between (the
        // one in which the rate fell) may separate them from the low ones.
        int busy = 0;
        std::size_t lastBusy = 0;
        for (std::size_t m = 1; m + 1 < minutes.size(); ++m) {
            if (double(minutes[m].events) * 2 >= median) {
                busy = lastBusy + 1 == m ? busy + 1 : 1;
                lastBusy = m;
                continue;
            }
            if (!low(m) || busy < BusyMinutesBefore || m - lastBusy > 2)
                continue;
            std::size_t end = m;
            std::uint64_t events = 0;
            std::uint32_t lastInside = 0;
            for (; end + 1 < minutes.size() && low(end); ++end) {
                events += minutes[end].events;
                if (minutes[end].events > 0)
                    lastInside = minutes[end].lastRow;
            }
            const std::size_t length = end - m;
            busy = 0;
            lastBusy = 0;
            const std::int64_t endNs =
                (stats[src].firstMinute + static_cast<std::int64_t>(end)) * MinuteNs;
            if (length >= static_cast<std::size_t>(LowMinutes) && events > 0 && logGoesOn(endNs)) {
                const std::uint32_t after =
                    minutes[end].events > 0 ? minutes[end].firstRow : lastInside;
                out.push_back(integrityFinding(s, ruleIndex,
                    {EventId{minutes[m - 1].lastRow}, EventId{after}}, s.sources[src].path,
                    formatCount(events) + " events in " + std::to_string(length)
                        + " m, against a usual " + formatCount(std::uint64_t(median))
                        + " a minute"));
            }
            m = end - 1;
        }
    }
}

// Requests logged by several servers (forwarded to an aggregated API server) whose stage times
// contradict the stage order across servers: a server's clock is off. One finding per pair of
// servers, at its first such request.
constexpr std::size_t MaxSkewGroup = 32;

bool IntegrityChecks::clockSkew(
    std::uint32_t ruleIndex, const std::stop_token& stop, std::vector<Finding>& out)
{
    const EventStore& s = *m_store;
    const ChainIntegrityPtr chains = chainIntegrityFor(m_store, stop);
    if (!chains)
        return false;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> rows; // (auditID, row)
    for (std::uint32_t row = 0; row < s.size(); ++row) {
        const AuditIdId id = s.auditId[row];
        if (id && (chains->flagsOf(id) & ChainMultiServer) && s.timeNs[row] != NoTimeNs)
            rows.emplace_back(id.value, row);
    }
    std::sort(rows.begin(), rows.end());
    struct Skew
    {
        std::uint32_t early = 0, late = 0; ///< the later stage, logged earlier; the other
        std::uint64_t requests = 0;
    };
    std::map<std::pair<std::uint32_t, std::uint32_t>, Skew> byLanes;
    for (std::size_t begin = 0, end = 0; begin < rows.size(); begin = end) {
        while (end < rows.size() && rows[end].first == rows[begin].first)
            ++end;
        // One request has a few stages on a few servers; a bigger group is a reused auditID
        // (chain:reused), whose stages say nothing about clocks, and pairing it is quadratic.
        if (end - begin > MaxSkewGroup)
            continue;
        if (stop.stop_requested())
            return false;
        std::map<std::pair<std::uint32_t, std::uint32_t>, bool> counted;
        for (std::size_t i = begin; i < end; ++i)
            for (std::size_t j = begin; j < end; ++j) {
                const std::uint32_t a = rows[i].second, b = rows[j].second; // a's stage first
                const std::uint32_t laneA = chains->laneOf(s.source[a]);
                const std::uint32_t laneB = chains->laneOf(s.source[b]);
                const int rankA = stageRank(s.stage[a]), rankB = stageRank(s.stage[b]);
                if (laneA == laneB || rankA < 0 || rankB < 0 || rankA >= rankB
                    || s.stageTimeNs(a) - s.stageTimeNs(b) <= SkewToleranceNs)
                    continue;
                const auto lanes = std::minmax(laneA, laneB);
                Skew& skew = byLanes[lanes];
                if (!counted[lanes]) {
                    counted[lanes] = true;
                    if (skew.requests++ == 0) {
                        skew.early = b;
                        skew.late = a;
                    }
                }
            }
    }
    for (const auto& [lanes, skew] : byLanes) {
        const std::uint32_t a = skew.late, b = skew.early;
        const auto& laneName = [&](std::uint32_t row) {
            return chains->lanes()[chains->laneOf(s.source[row])].name;
        };
        std::string detail = std::string(stageName(s.stage[b])) + " on " + laneName(b) + ' '
            + formatSpan(s.stageTimeNs(a) - s.stageTimeNs(b)) + " before "
            + std::string(stageName(s.stage[a])) + " on " + laneName(a);
        if (skew.requests > 1)
            detail += "; " + formatCount(skew.requests - 1) + " more requests like it";
        out.push_back(integrityFinding(s, ruleIndex, {EventId{a}, EventId{b}},
            chains->lanes()[lanes.first].name + ", " + chains->lanes()[lanes.second].name,
            std::move(detail)));
    }
    return true;
}

// The same kind of request (verb, resource, namespace, user on one source) logged at a lower
// level from some request on, after a run at a higher one: the policy was changed. Reported
// once per verb and resource, at the first lower request.
void IntegrityChecks::levelDrop(std::uint32_t ruleIndex, std::vector<Finding>& out)
{
    const EventStore& s = *m_store;
    // Only verb+resource pairs logged above Metadata somewhere can drop: the others skip the
    // table (most reads).
    const std::uint32_t noResource = s.pools.resources.size(), noVerb = s.pools.verbs.size();
    const auto pairOf = [&](std::uint32_t row) {
        const std::uint64_t verb = s.verb[row] ? s.verb[row].value : noVerb;
        const std::uint64_t resource = s.resource[row] ? s.resource[row].value : noResource;
        return verb << 32 | resource;
    };
    // A set, not a table of verbs × resources: both are free strings in a hostile log.
    std::unordered_set<std::uint64_t> loggedHighSet;
    for (std::uint32_t row = 0; row < s.size(); ++row) {
        if (s.level[row] > Level::Metadata)
            loggedHighSet.insert(pairOf(row));
    }
    const auto loggedHigh = [&](std::uint64_t pair) { return loggedHighSet.count(pair) != 0; };
    std::unordered_map<LevelKey, LevelState, LevelKeyHash> kinds;
    for (std::uint32_t row = 0; row < s.size(); ++row) {
        if (s.level[row] <= Level::None || !loggedHigh(pairOf(row)) || !m_startsRequest(row))
            continue;
        const LevelKey key{s.source[row].value, s.verb[row].value, s.resource[row].value,
            s.subresource[row].value, s.namespaceId[row].value, s.user[row].value};
        kinds[key].add(s.level[row], row);
    }
    std::map<std::pair<std::uint32_t, std::uint32_t>, const LevelState*> firstDrop;
    for (const auto& [key, k] : kinds) {
        if (!k.dropped())
            continue;
        const LevelState*& first = firstDrop[{key.verb, key.resource}];
        if (!first || k.firstLowRow < first->firstLowRow)
            first = &k;
    }
    for (const auto& [kind, k] : firstDrop) {
        const std::uint32_t row = k->firstLowRow;
        std::string what = kind.first < noVerb ? std::string(s.pools.verbs.view(kind.first)) : "";
        if (kind.second < noResource)
            what += ' ' + std::string(s.pools.resources.view(kind.second));
        out.push_back(integrityFinding(s, ruleIndex, {EventId{k->lastHighRow}, EventId{row}},
            s.sourceOf(EventId{row}).path,
            what + " logged at " + std::string(levelName(s.level[row])) + " from here on, at "
                + std::string(levelName(k->first)) + " before"));
    }
}

// Two files whose spans do not overlap, each the other's nearest neighbour in time, with a gap
// between them far longer than the usual gap of either.
void IntegrityChecks::rotationGap(
    const DetectionRule& rule, std::uint32_t ruleIndex, std::vector<Finding>& out)
{
    const EventStore& s = *m_store;
    const std::vector<SourceStats>& stats = sourceStats();
    const auto usable = [&](std::size_t i) { return stats[i].events >= 2; };
    for (std::size_t x = 0; x < stats.size(); ++x) {
        if (!usable(x))
            continue;
        std::size_t next = stats.size(); // the first file to start once x has ended
        for (std::size_t y = 0; y < stats.size(); ++y) {
            if (y != x && usable(y) && stats[y].firstNs > stats[x].lastNs
                && (next == stats.size() || stats[y].firstNs < stats[next].firstNs))
                next = y;
        }
        if (next == stats.size())
            continue;
        std::size_t previous = x; // the last file to end before `next` starts
        for (std::size_t y = 0; y < stats.size(); ++y) {
            if (y != next && usable(y) && stats[y].lastNs < stats[next].firstNs
                && stats[y].lastNs > stats[previous].lastNs)
                previous = y;
        }
        if (previous != x)
            continue;
        const std::int64_t gap = stats[next].firstNs - stats[x].lastNs;
        const std::int64_t usual = std::max(stats[x].medianGapNs, stats[next].medianGapNs);
        if (gap <= std::max(scaled(factorOf(rule), usual), MinHoleNs))
            continue;
        out.push_back(integrityFinding(s, ruleIndex,
            {EventId{stats[x].lastRow}, EventId{stats[next].firstRow}},
            s.sources[x].path + " → " + s.sources[next].path,
            "nothing written for " + formatSpan(gap) + " between them (usual gap "
                + formatSpan(usual) + ")"));
    }
}

} // namespace auditscope
