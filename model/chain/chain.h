// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "chain/chainintegrity.h"
#include "store/eventstore.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auditscope {

/// One event of a chain, with what its raw JSON adds to the columns.
struct ChainEvent
{
    EventId id;
    Stage stage = Stage::Unknown;
    std::uint32_t lane = 0; ///< index into Chain::lanes
    std::uint32_t request = 0; ///< index into Chain::requests
    std::int64_t receivedNs = 0; ///< requestReceivedTimestamp
    std::int64_t stageNs = 0; ///< stageTimestamp
    std::uint16_t code = 0; ///< responseStatus.code; 0 = none (RequestReceived)
    std::string status, message, reason; ///< responseStatus.status / message / reason
    std::string decision; ///< annotation authorization.k8s.io/decision
    std::string authorizationReason; ///< annotation authorization.k8s.io/reason
    /// `apiserver.latency.k8s.io/*` annotations without the prefix (`total`, `etcd`, ...).
    std::vector<std::pair<std::string, std::string>> latencies;
    std::vector<std::pair<std::string, std::string>> annotations; ///< all of them, as logged
    std::string requestObject, responseObject; ///< raw JSON text; empty when not logged
    std::string file; ///< source path
    std::uint32_t line = 0; ///< 1-based line in the source
};

/// One request: the events one server logged for it (same lane and receive time).
struct ChainRequest
{
    std::uint32_t lane = 0;
    std::int64_t receivedNs = 0;
    std::vector<std::uint32_t> events; ///< indexes into Chain::events, time order
    /// Stage time per Stage value (index = int(Stage)); nullopt if the stage was not logged.
    std::array<std::optional<std::int64_t>, StageCount> stageNs;
    std::uint8_t flags = 0; ///< ChainIncomplete / ChainPanic / ChainNoReceived
    bool rejectedBeforeAuthentication = false; ///< a lone ResponseStarted with `user: {}`
    bool longRunning = false; ///< watch, proxy, exec, attach, log, portforward (spec §7)
    // What the client asked (from the first event) and the final outcome (last event).
    std::string user, impersonatedUser, sourceIp, userAgent, verb, requestUri;
    std::string apiGroup, resource, subresource, namespaceName, name;
    std::uint16_t code = 0;
    std::string decision, authorizationReason;

    /// ResponseStarted - RequestReceived; nullopt if either is missing. Same for the others.
    std::optional<std::int64_t> receivedToStartedNs() const;
    std::optional<std::int64_t> startedToEndNs() const; ///< to ResponseComplete or Panic
    /// From RequestReceived (or the receive time when that event is missing) to the last stage.
    std::optional<std::int64_t> totalNs() const;
    /// Time of the last stage (ResponseComplete, Panic, or the latest logged).
    std::int64_t endNs() const;
};

/// A lane of the chain's time axis: one API server (see ChainLane).
struct ChainLaneRef
{
    std::uint32_t lane = 0; ///< index into ChainIntegrity::lanes()
    std::string name;
    std::vector<std::string> files;
    std::int64_t logFirstNs = 0, logLastNs = 0; ///< what the lane's loaded files cover
    bool logsRequestReceived = true; ///< false: the lane has no RequestReceived event at all
};

/// A flag of the chain with the reasons behind it, in a responder's words.
struct ChainIssue
{
    ChainFlag flag;
    std::string explanation;
};

/// Everything about one auditID: its events on a shared time axis, per server lane and per
/// request, latencies, the integrity flags and why they were raised. A plain value built on
/// request (a few events re-read from disk); copyable; no reference to the store.
struct Chain
{
    std::string auditId;
    std::uint8_t flags = 0; ///< ChainFlag bits (equal to ChainIntegrity::flagsOf)
    std::uint8_t reuseReasons = 0; ///< ReuseReason bits (chainanalysis.h) when reused
    std::vector<ChainLaneRef> lanes; ///< in order of first appearance
    std::vector<ChainRequest> requests; ///< in order of first event
    std::vector<ChainEvent> events; ///< time order (receive time, then stage time)
    std::vector<ChainIssue> issues; ///< one per flag set, in ChainFlag order
    std::int64_t firstNs = 0, lastNs = 0; ///< the time axis: earliest receive, latest stage

    bool empty() const { return events.empty(); }
};

/// The chain of `auditId` (exact text). Empty (no events) when the ID is not in the store.
/// `integrity` gives the lanes and their log ranges; use the store's cached one.
Chain buildChain(
    const EventStore& store, const ChainIntegrity& integrity, std::string_view auditId);
/// The chain of the event `id` (any of its stages).
Chain buildChain(const EventStore& store, const ChainIntegrity& integrity, EventId id);

/// Human-readable duration: `850 µs`, `12.3 ms`, `4.21 s`, `5 min 3 s`, `2 h 10 min`.
std::string formatDurationNs(std::int64_t ns);

} // namespace auditscope
