// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/enums.h"

#include <array>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

class PolicyAttributeIndex;
struct PolicyStoreResult;

/// Events and bytes of the loaded log against what a candidate policy would write. Bytes are
/// JSON bytes of the events (the line without its newline; EventStore::rawLength).
struct PolicyImpactRow
{
    std::uint64_t events = 0, bytes = 0; ///< as recorded
    std::uint64_t keptEvents = 0; ///< the new policy writes them (level ≠ None, stage kept)
    std::uint64_t keptBytes = 0; ///< their estimated size under the new policy (see below)
    std::uint64_t droppedEvents = 0, droppedBytes = 0; ///< not written; recorded bytes
    /// Kept events logged at a lower level than recorded: bodies removed, and those bytes.
    std::uint64_t strippedEvents = 0, strippedBytes = 0;
    /// Kept events the new policy logs at a higher level than recorded whose bodies were never
    /// recorded (resource requests past RequestReceived): counted at recorded size, so
    /// keptBytes is a lower bound whenever this is non-zero.
    std::uint64_t raisedEvents = 0;
    void add(const PolicyImpactRow& other);
};

/// Impact per rule and per level. Exact for what was recorded; what was never recorded is
/// counted (raisedEvents, requestsMissingRequestReceived) but cannot be sized.
struct PolicyImpact
{
    PolicyImpactRow total;
    std::vector<PolicyImpactRow> byRule; ///< index rule + 1; [0] = no rule matched (None)
    std::array<PolicyImpactRow, LevelCount> byNewLevel{}; ///< by the level the policy gives
    std::array<PolicyImpactRow, LevelCount> byRecordedLevel{}; ///< by the `level` in the log
    /// Requests (auditIDs) the new policy would write a RequestReceived event for, while the log
    /// has none for them (the recorded policy omitted that stage). Their size is unknown.
    std::uint64_t requestsMissingRequestReceived = 0;
    /// Plain statements of what cannot be known from this log (always includes the None
    /// requests that are absent and that managedFields are not re-estimated).
    std::vector<std::string> unknowns;
};

/// Computes the impact of the policy evaluated in `result` (evaluateStore over `index`).
/// Re-reads raw JSON only for events whose bodies would be removed.
PolicyImpact computePolicyImpact(
    const PolicyAttributeIndex& index, const PolicyStoreResult& result);

/// What the impact and the log lint need from a store, summed per group of events that every
/// policy treats alike: same attribute tuple, stage, recorded level and body flags. With it,
/// recomputing the impact after an edit costs O(groups), not O(events) (the policy editor
/// does it per keystroke). Built once per attribute index: one pass over the events plus one
/// scan of each event that logged a body. Immutable; readable from any thread.
class PolicyImpactIndex
{
public:
    struct Group
    {
        std::uint32_t tuple = 0;
        Stage stage = Stage::Unknown;
        Level recorded = Level::Unknown;
        std::uint8_t flags = 0; ///< HasObjectRef | HasRequestObject | HasResponseObject
        std::uint32_t firstRow = 0; ///< its first event in store order
        std::uint64_t events = 0, bytes = 0;
        /// topLevelMemberBytes of requestObject / responseObject, summed.
        std::uint64_t requestObjectBytes = 0, responseObjectBytes = 0;
        /// Events whose requestObject / responseObject / both measure more than 0 bytes.
        std::uint64_t withRequestObject = 0, withResponseObject = 0, withBoth = 0;
    };

    /// Uses up to `threads` threads (0: up to 2 from 64 K events on); the groups are the same
    /// whatever the count, in the order of their first event. Null when `stop` was requested.
    static std::shared_ptr<const PolicyImpactIndex> build(
        const PolicyAttributeIndex& index, unsigned threads = 0, std::stop_token stop = {});

    const std::vector<Group>& groups() const { return m_groups; }
    std::size_t eventCount() const { return m_events; }

private:
    friend PolicyImpact computePolicyImpact(const PolicyImpactIndex&, const PolicyStoreResult&);
    PolicyImpactIndex() = default;

    std::vector<Group> m_groups;
    std::size_t m_events = 0;
    /// auditIDs (events with a user) that have no RequestReceived event, by the tuples of their
    /// events: one tuple (most requests) with a count, or several (CSR lists).
    std::vector<std::pair<std::uint32_t, std::uint64_t>> m_missingBySingleTuple;
    std::vector<std::uint32_t> m_missingMultiOffsets; ///< lists + 1 entries
    std::vector<std::uint32_t> m_missingMultiTuples;
};

/// The same as computePolicyImpact(index, result), from the groups: O(groups) per call.
PolicyImpact computePolicyImpact(const PolicyImpactIndex& groups, const PolicyStoreResult& result);

/// Bytes of the top-level member `"key":value` of a compact JSON object, including one
/// adjacent comma (what removing the member saves); 0 when absent or the text is malformed.
std::size_t topLevelMemberBytes(std::string_view json, std::string_view key);

} // namespace auditscope
