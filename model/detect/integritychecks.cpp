// SPDX-License-Identifier: Apache-2.0
// Checks on the evidence itself: holes in a source's log, a sudden fall of its rate, clock skew
// between servers, a policy that started logging less, and gaps between rotated files. Each is
// conservative: an ordinary log, with its quiet nights and its mixed policies, says nothing.
#include "detect/enginesteps.h"

#include "chain/chainintegrity.h"

#include <algorithm>
#include <bit>
#include <map>
#include <unordered_map>

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
/// Level drop: events at the higher level before, and at the lower one after, per kind.
constexpr std::uint32_t MinLevelEvents = 3;

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
    Finding f;
    f.rule = rule;
    f.events = std::move(events);
    f.principal = std::move(principal);
    f.firstNs = s.timeNs[f.events.front().value];
    f.lastNs = s.timeNs[f.events.back().value];
    f.detail = std::move(detail);
    return f;
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
struct LevelState
{
    Level highest = Level::Unknown;
    std::uint32_t highEvents = 0, lowEvents = 0; ///< low: since the last event at `highest`
    std::uint32_t lastHighRow = 0, firstLowRow = 0;
};

} // namespace

IntegrityChecks::IntegrityChecks(EventStorePtr store)
    : m_store(std::move(store))
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
    std::vector<std::uint32_t> histogram(s.sources.size() * GapBuckets, 0);
    for (std::uint32_t row = 0; row < s.size(); ++row) {
        const std::uint32_t src = s.source[row].value;
        SourceStats& st = m_sources[src];
        const std::int64_t t = s.timeNs[row];
        if (st.events == 0) {
            st.firstRow = row;
            st.firstNs = t;
        } else {
            ++histogram[src * GapBuckets + gapBucket(t - st.lastNs)];
        }
        st.lastRow = row;
        st.lastNs = t;
        ++st.events;
    }
    for (std::size_t src = 0; src < m_sources.size(); ++src) {
        SourceStats& st = m_sources[src];
        if (st.events < 2)
            continue;
        const std::uint64_t half = st.events / 2; // of events - 1 gaps, the middle one
        std::uint64_t seen = 0;
        for (int b = 0; b < GapBuckets; ++b) {
            seen += histogram[src * GapBuckets + b];
            if (seen >= half) {
                st.medianGapNs = bucketUpperNs(b);
                break;
            }
        }
    }
    return m_sources;
}

// A gap between consecutive events of one source far longer than its usual gap.
void IntegrityChecks::silence(
    const DetectionRule& rule, std::uint32_t ruleIndex, std::vector<Finding>& out)
{
    const EventStore& s = *m_store;
    const std::vector<SourceStats>& stats = sourceStats();
    std::vector<std::int64_t> limit(stats.size(), std::numeric_limits<std::int64_t>::max());
    for (std::size_t src = 0; src < stats.size(); ++src) {
        if (stats[src].events >= MinEventsForGaps)
            limit[src] = std::max(scaled(factorOf(rule), stats[src].medianGapNs), MinHoleNs);
    }
    std::vector<std::uint32_t> previous(stats.size(), UINT32_MAX);
    for (std::uint32_t row = 0; row < s.size(); ++row) {
        const std::uint32_t src = s.source[row].value;
        const std::uint32_t before = previous[src];
        previous[src] = row;
        if (before == UINT32_MAX)
            continue;
        const std::int64_t gap = s.timeNs[row] - s.timeNs[before];
        if (gap <= limit[src])
            continue;
        out.push_back(
            integrityFinding(s, ruleIndex, {EventId{before}, EventId{row}}, s.sources[src].path,
                "no events for " + formatSpan(gap) + " (usual gap "
                    + formatSpan(stats[src].medianGapNs) + ")"));
    }
}

// Per source, events per whole minute; a finding where the rate falls from its usual level
// (10 busy minutes in a row) to under 1/factor of it, at once, for at least 5 minutes in which
// the source still logs (a stretch with no events at all is a silence).
void IntegrityChecks::rateDrop(
    const DetectionRule& rule, std::uint32_t ruleIndex, std::vector<Finding>& out)
{
    const EventStore& s = *m_store;
    const std::vector<SourceStats>& stats = sourceStats();
    const double factor = factorOf(rule);
    for (std::size_t src = 0; src < stats.size(); ++src) {
        const SourceStats& st = stats[src];
        const std::int64_t firstMinute = st.firstNs / MinuteNs;
        const std::int64_t minutes = st.lastNs / MinuteNs - firstMinute + 1;
        if (st.events < 100 || minutes < BusyMinutesBefore + LowMinutes + 2 || minutes > (1 << 20))
            continue;
        std::vector<std::uint32_t> count(static_cast<std::size_t>(minutes), 0);
        std::vector<std::uint32_t> firstRow(count.size(), 0), lastRow(count.size(), 0);
        for (std::uint32_t row = st.firstRow; row <= st.lastRow; ++row) {
            if (s.source[row].value != src)
                continue;
            const auto m = static_cast<std::size_t>(s.timeNs[row] / MinuteNs - firstMinute);
            if (count[m]++ == 0)
                firstRow[m] = row;
            lastRow[m] = row;
        }
        // The first and last minutes are partial: left out of the median and of the scan.
        std::vector<std::uint32_t> whole(count.begin() + 1, count.end() - 1);
        std::nth_element(whole.begin(), whole.begin() + whole.size() / 2, whole.end());
        const double median = whole[whole.size() / 2];
        if (median < factor) // too quiet for a fall to 1/factor to mean anything
            continue;
        int busy = 0;
        for (std::size_t m = 1; m + 1 < count.size(); ++m) {
            const bool low = double(count[m]) * factor < median;
            if (!low || busy < BusyMinutesBefore) {
                busy = double(count[m]) * 2 >= median ? busy + 1 : 0;
                continue;
            }
            std::size_t end = m;
            std::uint64_t events = 0;
            for (; end + 1 < count.size() && double(count[end]) * factor < median; ++end)
                events += count[end];
            const std::size_t length = end - m;
            busy = 0;
            if (length >= static_cast<std::size_t>(LowMinutes) && events > 0) {
                const std::uint32_t after = count[end] > 0 ? firstRow[end] : lastRow[m];
                out.push_back(integrityFinding(s, ruleIndex,
                    {EventId{lastRow[m - 1]}, EventId{after}}, s.sources[src].path,
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
        if (id && (chains->flagsOf(id) & ChainMultiServer))
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
// level than before, and never at the higher one again: the policy was changed. Reported once
// per verb and resource, at the first lower event.
void IntegrityChecks::levelDrop(std::uint32_t ruleIndex, std::vector<Finding>& out)
{
    const EventStore& s = *m_store;
    // Only kinds logged above Metadata somewhere can drop; most rows skip the table.
    const std::uint32_t noResource = s.pools.resources.size();
    std::vector<std::uint8_t> resourceLoggedHigh(noResource + 1, 0);
    std::unordered_map<LevelKey, LevelState, LevelKeyHash> kinds;
    for (std::uint32_t row = 0; row < s.size(); ++row) {
        const Level level = s.level[row];
        if (level <= Level::None)
            continue;
        const std::uint32_t resource = s.resource[row] ? s.resource[row].value : noResource;
        if (level > Level::Metadata)
            resourceLoggedHigh[resource] = 1;
        else if (!resourceLoggedHigh[resource])
            continue;
        const LevelKey key{s.source[row].value, s.verb[row].value, resource,
            s.subresource[row].value, s.namespaceId[row].value, s.user[row].value};
        LevelState& k = kinds[key];
        if (level > k.highest) {
            k = LevelState{level, 1, 0, row, 0};
        } else if (level == k.highest) {
            ++k.highEvents;
            k.lowEvents = 0;
            k.lastHighRow = row;
        } else if (k.lowEvents++ == 0) {
            k.firstLowRow = row;
        }
    }
    std::map<std::pair<std::uint32_t, std::uint32_t>, const LevelState*> firstDrop;
    for (const auto& [key, k] : kinds) {
        if (k.highEvents < MinLevelEvents || k.lowEvents < MinLevelEvents)
            continue;
        const LevelState*& first = firstDrop[{key.verb, key.resource}];
        if (!first || k.firstLowRow < first->firstLowRow)
            first = &k;
    }
    for (const auto& [kind, k] : firstDrop) {
        const std::uint32_t row = k->firstLowRow;
        std::string what = std::string(s.pools.verbs.view(kind.first));
        if (kind.second != noResource)
            what += ' ' + std::string(s.pools.resources.view(kind.second));
        out.push_back(integrityFinding(s, ruleIndex, {EventId{k->lastHighRow}, EventId{row}},
            s.sourceOf(EventId{row}).path,
            what + " logged at " + std::string(levelName(s.level[row])) + " from here on, at "
                + std::string(levelName(k->highest)) + " before"));
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
            "no file covers " + formatSpan(gap) + " between them (usual gap " + formatSpan(usual)
                + ")"));
    }
}

} // namespace auditscope
