// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/enums.h"
#include "common/ids.h"
#include "source/sourcebuffer.h"
#include "store/auditidpool.h"
#include "store/compactcolumns.h"
#include "store/packedidcolumn.h"
#include "store/postingindex.h"
#include "store/stringpool.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace auditscope {

/// One opened input: a file (plain or gzip) that contributed events.
struct SourceInfo
{
    std::string path; ///< as the user gave it (after folder expansion)
    std::shared_ptr<const SourceBuffer> buffer; ///< owns the bytes raw events point into
};

/// The interned strings of every kind, shared by columns and indexes.
struct StringPools
{
    StringPool verbs, users, groups, sourceIps, userAgents, apiGroups, apiVersions, resources,
        subresources, namespaces, names, decisions;
    AuditIdPool auditIds;
};

/// Posting lists per attribute (ids of events in time order).
struct EventIndexes
{
    PostingIndex byUser, byGroupSet, byVerb, byResource, byNamespace, byName, byCode, byStage,
        byLevel, byUserAgent, byAuditId;
    PostingIndex bySourceIp; ///< every entry of sourceIPs, not only the first
};

/// All loaded events as columns, one vector per field, sorted by time
/// (requestReceivedTimestamp, then stageTimestamp, then source order). EventId is the row.
/// Immutable once published; readable from any thread. Held as shared_ptr<const EventStore>.
class EventStore
{
public:
    /// A sourceIPs entry after the first one of an event.
    struct ExtraSourceIp
    {
        std::uint32_t row;
        SourceIpId ip;
    };
    /// Another place an event was read from: a byte-identical copy in an overlapping source
    /// (a rotated copy, the same log collected twice) or a repeat within one source. The
    /// store keeps the event once, at its first place (`source`/`line` columns).
    struct DuplicatePlace
    {
        std::uint32_t row; ///< the kept event
        SourceId source;
        std::uint32_t line; ///< 1-based line of the copy in `source`
    };

    std::size_t size() const { return timeNs.size(); }
    /// requestReceivedTimestamp of event `id`, ns since the epoch, UTC.
    std::int64_t timeNsOf(EventId id) const { return timeNs[id.value]; }
    /// stageTimestamp, ns since the epoch, UTC.
    std::int64_t stageTimeNs(std::size_t row) const { return timeNs[row] + stageLatencyNs[row]; }

    /// The event's original JSON (a line, or an item of an EventList), byte for byte.
    std::string_view rawJson(EventId id) const;
    const SourceInfo& sourceOf(EventId id) const { return sources[source[id.value].value]; }
    /// Groups of the authenticated user, in logged order.
    std::span<const GroupId> groupsOf(GroupSetId set) const;
    /// The sourceIPs entries of a row after the first (usually none). O(log extras).
    std::span<const ExtraSourceIp> extraSourceIpsOf(std::uint32_t row) const;
    /// The places of a row's dropped copies, in source and line order (usually none).
    /// O(log duplicates).
    std::span<const DuplicatePlace> duplicatePlacesOf(std::uint32_t row) const;
    /// Events whose user carries `group` (union over the group sets that contain it).
    std::vector<EventId> eventsWithGroup(GroupId group) const;
    /// Rows whose requestReceivedTimestamp lies in [fromNs, toNs): a binary search on the
    /// time-sorted column, O(log n). Returns {first row, one past the last row}.
    std::pair<std::size_t, std::size_t> rowsBetween(std::int64_t fromNs, std::int64_t toNs) const;
    /// All events with this auditID, in time order (requires indexes).
    std::vector<EventId> eventsWithAuditId(std::string_view auditId) const;

    /// Heap bytes held by columns, pools and indexes (not the source buffers).
    std::size_t memoryBytes() const;
    /// The same, per part ("column time", "pool auditIds", "index byUser", ...).
    std::vector<std::pair<std::string, std::size_t>> memoryBreakdown() const;

    // Columns -----------------------------------------------------------------------------
    std::vector<std::int64_t> timeNs; ///< requestReceivedTimestamp, ns since epoch, UTC
    LatencyColumn stageLatencyNs; ///< stageTimestamp - requestReceivedTimestamp
    std::vector<Stage> stage;
    std::vector<Level> level; ///< as recorded in the log
    std::vector<std::uint8_t> flags; ///< EventFlag bits
    std::vector<std::uint16_t> code; ///< responseStatus.code; 0 = absent
    PackedIdColumn<VerbId> verb;
    PackedIdColumn<UserId> user;
    PackedIdColumn<GroupSetId> groupSet;
    PackedIdColumn<UserId> impersonatedUser;
    PackedIdColumn<SourceIpId> sourceIp; ///< first entry of sourceIPs (client-supplied if several)
    /// The other entries of sourceIPs (X-Forwarded-For chains; rare), sorted by row.
    std::vector<ExtraSourceIp> extraSourceIps;
    PackedIdColumn<UserAgentId> userAgent;
    PackedIdColumn<ApiGroupId> apiGroup; ///< objectRef.apiGroup ("" = core; none = no objectRef)
    PackedIdColumn<ApiVersionId> apiVersion;
    PackedIdColumn<ResourceId> resource;
    PackedIdColumn<SubresourceId> subresource;
    PackedIdColumn<NamespaceId> namespaceId;
    PackedIdColumn<NameId> name;
    PackedIdColumn<DecisionId> decision; ///< annotation authorization.k8s.io/decision
    PackedIdColumn<AuditIdId> auditId;
    PackedIdColumn<SourceId> source;
    std::vector<std::uint32_t> line; ///< 1-based line in its source
    OffsetColumn rawOffset; ///< byte offset of the raw JSON in its source buffer
    std::vector<std::uint32_t> rawLength;
    /// Copies of kept events that were not stored (see DuplicatePlace), sorted by row, then
    /// source and line. Its size is the number of duplicates dropped.
    std::vector<DuplicatePlace> duplicatePlaces;

    // Dictionaries ------------------------------------------------------------------------
    StringPools pools;
    std::vector<std::uint32_t> groupSetOffsets{0}; ///< set s is members[offsets[s] .. offsets[s+1])
    std::vector<GroupId> groupSetMembers;
    std::vector<SourceInfo> sources;

    // Indexes (absent in partial snapshots published while loading) -----------------------
    bool indexed = false;
    EventIndexes indexes;
};

using EventStorePtr = std::shared_ptr<const EventStore>;

} // namespace auditscope
