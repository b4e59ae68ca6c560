// SPDX-License-Identifier: Apache-2.0
// The rules behind the chain flags, shared by the store-wide pass (ChainIntegrity) and the
// detailed view of one chain (buildChain), so both always agree.
#pragma once

#include "chain/chainintegrity.h"
#include "report/rawfieldreader.h"

#include <cstdint>
#include <span>
#include <vector>

namespace auditscope {

/// Why one auditID is taken for several requests (bits).
enum ReuseReason : std::uint8_t {
    ReuseUsers = 1 << 0, ///< different user or impersonated user
    ReuseTargets = 1 << 1, ///< different verb, objectRef or requestURI
    ReuseSourceIps = 1 << 2, ///< different client address (first sourceIPs entry)
    ReuseFarApart = 1 << 3, ///< received further apart than ChainOptions::reuseGapNs
    ReuseSameServer = 1 << 4, ///< two receive times on one server
    ReuseRepeatedStage = 1 << 5, ///< one stage twice in one request, at different times
};

/// The events of one auditID that one server logged for one request: same lane, same
/// requestReceivedTimestamp (spec §5.4).
struct RequestGroup
{
    std::uint32_t lane = 0;
    std::int64_t receivedNs = 0;
    std::vector<EventId> events; ///< time order; exact duplicates (same stage and time) kept
    std::uint8_t stages = 0; ///< bit (1 << Stage) per stage seen
    /// Only ResponseStarted, `user: {}`: rejected before authentication (spec §7).
    bool rejectedBeforeAuthentication = false;
    std::uint8_t flags = 0; ///< ChainIncomplete / ChainPanic / ChainNoReceived of this request
};

struct ChainAnalysis
{
    std::vector<RequestGroup> requests; ///< by first event
    std::uint8_t flags = 0; ///< ChainFlag bits of the whole chain
    std::uint8_t reuseReasons = 0; ///< ReuseReason bits when ChainReused is set
};

inline constexpr std::uint8_t chainStageBit(Stage stage)
{
    return stage == Stage::Unknown ? 0 : static_cast<std::uint8_t>(1u << static_cast<int>(stage));
}

/// Compares what a client chose (user, impersonation, verb, objectRef, first source IP) of two
/// events of one auditID; returns ReuseUsers / ReuseTargets / ReuseSourceIps bits. A namespace
/// or name missing on one side is no difference: create handlers fill them in after
/// RequestReceived (spec §5.2).
class AttributeComparer
{
public:
    explicit AttributeComparer(const EventStore& store);
    std::uint8_t differences(std::size_t a, std::size_t b) const;
    /// Verb, API group, resource or subresource differ (strictly).
    bool targetsDiffer(std::size_t a, std::size_t b) const;
    std::uint32_t emptyNamespace() const { return m_emptyNamespace; }
    std::uint32_t emptyName() const { return m_emptyName; }

private:
    const EventStore& m_store;
    std::uint32_t m_emptyNamespace, m_emptyName;
};

/// Flags of one request from the stages it logged.
std::uint8_t requestFlags(std::uint8_t stages, bool rejectedBeforeAuthentication);

/// Groups `rows` (one auditID, time order) into requests and applies every rule. Events of one
/// request are compared with its first event; requests with each other by their first events
/// (any difference counts, whatever the order). `uris` reads requestURIs to compare requests;
/// may be null (URIs not compared).
ChainAnalysis analyzeChain(const EventStore& store, std::span<const EventId> rows,
    const std::vector<std::uint32_t>& laneOfSource, const ChainOptions& options,
    RawFieldReader* uris);

} // namespace auditscope
