// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/eventstore.h"

#include <array>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// What can be noticed about an auditID chain (all events sharing one auditID, across every
/// loaded source). Bits of one byte; the first four are problems, MultiServer is information.
enum ChainFlag : std::uint8_t {
    /// A request without ResponseComplete or Panic: still running when the log ends (an open
    /// watch or exec), or its last event was lost. Not set for the single ResponseStarted event
    /// kube-apiserver writes for a request rejected before authentication (spec §7).
    ChainIncomplete = 1 << 0,
    /// A request that ended in a Panic event (status 500, "APIServer panic'd").
    ChainPanic = 1 << 1,
    /// A request with ResponseStarted, ResponseComplete or Panic but no RequestReceived. Expected
    /// for failed authentication (a lone ResponseStarted, `user: {}`, code 401) and normal with
    /// a policy that sets `omitStages: [RequestReceived]`.
    ChainNoReceived = 1 << 2,
    /// The auditID carries more than one request: different users, targets (verb, objectRef,
    /// requestURI), source IPs, two requests on one server, or receive times far apart.
    /// Clients may send their own Audit-ID header, which kube-apiserver uses as is (spec §8).
    ChainReused = 1 << 3,
    /// Events on more than one server (lane): kube-apiserver forwarding to an aggregated API
    /// server, which logs the request under the same auditID.
    ChainMultiServer = 1 << 4,
};
inline constexpr std::uint8_t ChainProblemFlags =
    ChainIncomplete | ChainPanic | ChainNoReceived | ChainReused;
inline constexpr int ChainFlagCount = 5;

/// Names and texts of one flag: `name` is its value in the query language (`chain:incomplete`).
struct ChainFlagInfo
{
    ChainFlag flag;
    std::string_view name;
    std::string_view title; ///< short, for a column or a badge
    std::string_view description; ///< one sentence, for a tooltip
};
const std::array<ChainFlagInfo, ChainFlagCount>& chainFlagInfos();
/// The query name of every flag set in `flags`, comma-separated ("incomplete,panic"), or "ok".
std::string chainFlagNames(std::uint8_t flags);
/// The query value "ok" means: no problem flag (MultiServer allowed).
inline constexpr std::string_view ChainOkName = "ok";

/// One server's events: the sources that belong to one API server. Rotated backups
/// (`audit-2025-03-14T09-26-53.589.log.gz`) join the lane of their active file (`audit.log`)
/// in the same folder, and a source that shares byte-identical events with another (the same
/// log collected twice) joins its lane; anything else is its own lane.
struct ChainLane
{
    std::string name; ///< folder/active-file name, e.g. `/var/log/kube/audit.log`
    std::vector<SourceId> sources;
    std::uint64_t events = 0;
    std::uint64_t requestReceivedEvents = 0; ///< 0: the policy likely omits RequestReceived
    std::int64_t firstNs = 0, lastNs = 0; ///< earliest receive and latest stage time (events > 0)
};

/// The lane key of a source path: the rotation timestamp and `.gz` removed.
std::string chainLaneKey(std::string_view path);

struct ChainOptions
{
    /// Requests of one auditID on different servers received further apart than this are two
    /// requests (reused ID), not one forwarded request.
    std::int64_t reuseGapNs = 5'000'000'000;
};

/// The integrity flags of every auditID chain of one store, from one pass over its columns
/// (plus a re-read of the raw events of the rare chains with several requests). Immutable once
/// computed; readable from any thread. Get it through chainIntegrityFor(), which caches it per
/// store snapshot.
class ChainIntegrity
{
public:
    /// One pass over `store` (indexed or not). Returns nullptr if `stop` was requested.
    static std::shared_ptr<const ChainIntegrity> compute(
        const EventStore& store, std::stop_token stop = {}, const ChainOptions& options = {});

    /// Flags of the chain with this auditID (pool id); 0 for an unknown id.
    std::uint8_t flagsOf(AuditIdId id) const
    {
        return id.value < m_flags.size() ? m_flags[id.value] : 0;
    }
    /// Flags of the chain of event `row`; 0 for an event without auditID.
    std::uint8_t flagsOfRow(const EventStore& store, std::size_t row) const
    {
        return flagsOf(store.auditId[row]);
    }
    /// Flags per auditID pool id.
    const std::vector<std::uint8_t>& flags() const { return m_flags; }

    const std::vector<ChainLane>& lanes() const { return m_lanes; }
    std::uint32_t laneOf(SourceId source) const { return m_laneOfSource[source.value]; }
    const std::vector<std::uint32_t>& laneOfSource() const { return m_laneOfSource; }

    std::uint64_t chains() const { return m_chains; } ///< distinct auditIDs with events
    /// Chains with `flag` set; with 0, chains without any problem flag ("ok").
    std::uint64_t chainsWith(std::uint8_t flag) const;
    /// Events whose chain has `flag`; with 0, events of chains without any problem flag.
    std::uint64_t eventsWith(std::uint8_t flag) const;
    const ChainOptions& options() const { return m_options; }
    double seconds() const { return m_seconds; } ///< how long compute() took

private:
    std::vector<std::uint8_t> m_flags;
    std::vector<ChainLane> m_lanes;
    std::vector<std::uint32_t> m_laneOfSource;
    std::array<std::uint64_t, 256> m_chainsByFlags{}; // chains per exact flag byte
    std::array<std::uint64_t, 256> m_eventsByFlags{};
    std::uint64_t m_chains = 0;
    ChainOptions m_options;
    double m_seconds = 0;
};

using ChainIntegrityPtr = std::shared_ptr<const ChainIntegrity>;

/// The integrity of `store`, computed on first use and cached while the store lives (a
/// snapshot is immutable, so its integrity never changes). Thread-safe; concurrent callers
/// for the same store wait for one computation. Returns nullptr if `stop` was requested
/// before it was known.
ChainIntegrityPtr chainIntegrityFor(const EventStorePtr& store, std::stop_token stop = {});
/// The cached integrity of `store` if chainIntegrityFor() computed it and the store is alive,
/// else nullptr. For code that holds only a reference (the query engine).
ChainIntegrityPtr cachedChainIntegrity(const EventStore& store);
/// The same without waiting: nullptr also while a chainIntegrityFor() call holds the store's
/// entry (computing it). For the GUI thread, which must not wait for a computation.
ChainIntegrityPtr readyChainIntegrity(const EventStore& store);

} // namespace auditscope
