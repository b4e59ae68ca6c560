// SPDX-License-Identifier: Apache-2.0
// The detection engine's steps (detectionengine.h), shared by its source files: each rule's
// matching rows (rulecandidates.cpp), the rules' state over them (rulestate.cpp), the checks on
// the log itself (integritychecks.cpp). Internal to model/detect.
#pragma once

#include "detect/detectionengine.h"
#include "detect/maintenancewindow.h"
#include "store/rowset.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace auditscope {

/// A finding of rule `rule` over `events` (ascending, not empty), its times from theirs.
Finding makeFinding(const EventStore& s, std::uint32_t rule, std::vector<EventId> events,
    std::string principal, std::string detail);

/// A query with its Json and Text terms made always true where they could only add rows (under
/// an even number of `not`s) and always false where they could only remove them: it matches
/// every row the query matches, and runs on indexes and columns alone. Constant-folded, so an
/// `and` with a relaxed term is its other parts.
struct RelaxedQuery
{
    enum class Kind : std::uint8_t { None, All, Query };
    Kind kind = Kind::All;
    Query query; ///< Kind::Query only
    bool exact = false; ///< the query had no Json or Text term: the relaxed rows are its rows
};
RelaxedQuery relaxQuery(const Query& query);

/// The rows each rule's `match` and `then` matched, ascending (every stage of every request).
struct RuleMatches
{
    RowSet match, then;
};

/// Runs every enabled query rule's match (and then) over the store: the relaxed queries through
/// the query engine, then one pass over the union of the candidates of rules that read event
/// bodies, each candidate parsed once for all of them, on `threads` threads. Reports progress
/// as 0..1 of this step. nullopt when stopped.
std::optional<std::vector<RuleMatches>> matchRules(const EventStore& store, const RuleSet& rules,
    const std::stop_token& stop, unsigned threads, const std::function<void(double)>& progress);

/// Which rows start a request: the first event of each auditID in the store (events without
/// one each start their own). Computed on first use, one pass over the store.
class RequestStarts final
{
public:
    explicit RequestStarts(const EventStore& store)
        : m_store(store)
    { }
    bool operator()(std::uint32_t row)
    {
        if (m_bits.empty())
            compute();
        return (m_bits[row >> 6] >> (row & 63)) & 1;
    }

private:
    void compute();
    const EventStore& m_store;
    std::vector<std::uint64_t> m_bits;
};

/// Turns query rules' matches into findings, by kind (event, threshold, first seen, sequence)
/// and maintenance-window setting. Keeps what rules share: which rows start a request, and
/// scratch space. One per detection run; single thread.
class RuleStates final
{
public:
    RuleStates(const EventStore& store, const RuleSet& rules, RequestStarts& starts);

    /// Appends the findings of rule `ruleIndex` (a query rule) to `out`.
    void run(std::uint32_t ruleIndex, const RuleMatches& matches, std::vector<Finding>& out);

private:
    /// The first matching row of each request (auditID), ascending; requests inside a
    /// maintenance window are left out when the rule says so.
    RowSet requestsOf(const DetectionRule& rule, const RowSet& rows);

    void eventFindings(std::uint32_t ruleIndex, const RowSet& requests, std::vector<Finding>& out);
    void thresholdFindings(
        std::uint32_t ruleIndex, const RowSet& requests, std::vector<Finding>& out);
    void firstSeenFindings(
        std::uint32_t ruleIndex, const RowSet& requests, std::vector<Finding>& out);
    void sequenceFindings(std::uint32_t ruleIndex, const RowSet& first, const RowSet& then,
        std::vector<Finding>& out);

    const EventStore& m_store;
    const RuleSet& m_rules;
    MaintenanceSchedule m_maintenance;
    RequestStarts& m_startsRequest;
    std::vector<std::uint64_t> m_seenIds; ///< per auditID, a bit; all clear between uses
};

/// One minute of a source's writing (by stageTimestamp, the order a log is written in).
struct MinuteOfLog
{
    std::uint32_t events = 0;
    std::int64_t firstNs = 0, lastNs = 0; ///< earliest and latest stage time in the minute
    std::uint32_t firstRow = 0, lastRow = 0; ///< their events
};

/// Per source file: its span, events and usual gap between consecutive events, and its
/// events per minute. Times are stage times: when the server wrote the event.
struct SourceStats
{
    std::uint64_t events = 0;
    std::uint32_t firstRow = 0, lastRow = 0; ///< the first and last event written
    std::int64_t firstNs = 0, lastNs = 0; ///< their stage times
    /// Between requests received in a row, within 1/8 (a log-scale histogram), rounded up.
    std::int64_t medianGapNs = 0;
    std::int64_t firstMinute = 0; ///< minutes[0] is this minute since the epoch
    std::uint32_t medianPerMinute = 0; ///< events written in a whole minute
    /// From the first written minute to the last; empty when that would be absurdly long.
    std::vector<MinuteOfLog> minutes;
};

/// The checks on the evidence itself (RuleKind::Integrity), over the whole store. Keeps what
/// several checks share (per-source statistics, the chain integrity). Single thread.
class IntegrityChecks final
{
public:
    IntegrityChecks(EventStorePtr store, RequestStarts& starts);

    /// Appends the findings of integrity rule `ruleIndex` to `out`; false when stopped.
    bool run(const DetectionRule& rule, std::uint32_t ruleIndex, const std::stop_token& stop,
        std::vector<Finding>& out);

private:
    const std::vector<SourceStats>& sourceStats();
    /// Whether the log goes on at `timeNs`: some source wrote at its usual rate (half its
    /// median minute or more) in a minute at or before it, and in one at or after it.
    bool logGoesOn(std::int64_t timeNs);
    void findBusySpan();
    void silence(const DetectionRule& rule, std::uint32_t ruleIndex, std::vector<Finding>& out);
    void rateDrop(const DetectionRule& rule, std::uint32_t ruleIndex, std::vector<Finding>& out);
    bool clockSkew(std::uint32_t ruleIndex, const std::stop_token& stop, std::vector<Finding>& out);
    void levelDrop(std::uint32_t ruleIndex, std::vector<Finding>& out);
    void rotationGap(const DetectionRule& rule, std::uint32_t ruleIndex, std::vector<Finding>& out);

    EventStorePtr m_store;
    RequestStarts& m_startsRequest;
    std::vector<SourceStats> m_sources; ///< empty until first needed
    bool m_haveSources = false;
    std::int64_t m_firstBusyNs = 0, m_lastBusyNs = 0; ///< of any source; see logGoesOn()
};

/// Durations as findings' details show them: a window exactly ("60 s", "5 m", "36 h"), a
/// measured span rounded down to its largest unit ("36 h", "2 m", "1.2 s").
std::string formatWindow(std::int64_t ns);
std::string formatSpan(std::int64_t ns);
/// 4120 → "4,120".
std::string formatCount(std::uint64_t n);

} // namespace auditscope
