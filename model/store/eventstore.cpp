// SPDX-License-Identifier: Apache-2.0
#include "eventstore.h"

#include <algorithm>
#include <string>

namespace auditscope {

std::string_view EventStore::rawJson(EventId id) const
{
    const std::string_view bytes = sourceOf(id).buffer->bytes();
    return bytes.substr(rawOffset[id.value], rawLength[id.value]);
}

std::span<const GroupId> EventStore::groupsOf(GroupSetId set) const
{
    if (!set || set.value + 1 >= groupSetOffsets.size())
        return {};
    return {groupSetMembers.data() + groupSetOffsets[set.value],
        groupSetMembers.data() + groupSetOffsets[set.value + 1]};
}

std::span<const EventStore::ExtraSourceIp> EventStore::extraSourceIpsOf(std::uint32_t row) const
{
    const auto [first, last] =
        std::equal_range(extraSourceIps.begin(), extraSourceIps.end(), ExtraSourceIp{row, {}},
            [](const ExtraSourceIp& a, const ExtraSourceIp& b) { return a.row < b.row; });
    return {first, last};
}

std::span<const EventStore::DuplicatePlace> EventStore::duplicatePlacesOf(std::uint32_t row) const
{
    const auto [first, last] =
        std::equal_range(duplicatePlaces.begin(), duplicatePlaces.end(), DuplicatePlace{row, {}, 0},
            [](const DuplicatePlace& a, const DuplicatePlace& b) { return a.row < b.row; });
    return {first, last};
}

std::vector<EventId> EventStore::eventsWithGroup(GroupId group) const
{
    std::vector<EventId> out;
    for (std::uint32_t set = 0; set + 1 < groupSetOffsets.size(); ++set) {
        const auto members = groupsOf(GroupSetId{set});
        if (std::find(members.begin(), members.end(), group) == members.end())
            continue;
        const std::size_t before = out.size();
        indexes.byGroupSet.forEach(set, [&](EventId id) { out.push_back(id); });
        std::inplace_merge(
            out.begin(), out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
    }
    return out;
}

std::pair<std::size_t, std::size_t> EventStore::rowsBetween(
    std::int64_t fromNs, std::int64_t toNs) const
{
    const auto first = std::lower_bound(timeNs.begin(), timeNs.end(), fromNs);
    const auto last = std::lower_bound(first, timeNs.end(), std::max(fromNs, toNs));
    return {static_cast<std::size_t>(first - timeNs.begin()),
        static_cast<std::size_t>(last - timeNs.begin())};
}

std::vector<EventId> EventStore::eventsWithAuditId(std::string_view id) const
{
    const std::uint32_t key = pools.auditIds.find(id);
    return key == UINT32_MAX ? std::vector<EventId>{} : indexes.byAuditId.events(key);
}

std::vector<std::pair<std::string, std::size_t>> EventStore::memoryBreakdown() const
{
    std::vector<std::pair<std::string, std::size_t>> parts{
        {"column time+stageLatency", timeNs.capacity() * 8 + stageLatencyNs.memoryBytes()},
        {"column stage+level+flags+code",
            stage.capacity() + level.capacity() + flags.capacity() + code.capacity() * 2},
        {"column line+rawOffset+rawLength",
            line.capacity() * 4 + rawOffset.memoryBytes() + rawLength.capacity() * 4},
        {"duplicate places", duplicatePlaces.capacity() * sizeof(DuplicatePlace)},
        {"column verb", verb.memoryBytes()},
        {"column user+impersonatedUser", user.memoryBytes() + impersonatedUser.memoryBytes()},
        {"column groupSet", groupSet.memoryBytes()},
        {"column sourceIp+userAgent",
            sourceIp.memoryBytes() + userAgent.memoryBytes()
                + extraSourceIps.capacity() * sizeof(ExtraSourceIp)},
        {"column apiGroup+apiVersion+resource+subresource",
            apiGroup.memoryBytes() + apiVersion.memoryBytes() + resource.memoryBytes()
                + subresource.memoryBytes()},
        {"column namespace", namespaceId.memoryBytes()},
        {"column name", name.memoryBytes()},
        {"column decision+source", decision.memoryBytes() + source.memoryBytes()},
        {"column auditId", auditId.memoryBytes()},
        {"pool auditIds", pools.auditIds.memoryBytes()},
        {"pool names", pools.names.memoryBytes()},
        {"other pools + group sets",
            pools.verbs.memoryBytes() + pools.users.memoryBytes() + pools.groups.memoryBytes()
                + pools.sourceIps.memoryBytes() + pools.userAgents.memoryBytes()
                + pools.apiGroups.memoryBytes() + pools.apiVersions.memoryBytes()
                + pools.resources.memoryBytes() + pools.subresources.memoryBytes()
                + pools.namespaces.memoryBytes() + pools.decisions.memoryBytes()
                + groupSetOffsets.capacity() * 4 + groupSetMembers.capacity() * 4},
        {"index byAuditId", indexes.byAuditId.memoryBytes()},
        {"index byName", indexes.byName.memoryBytes()},
        {"other indexes",
            indexes.byUser.memoryBytes() + indexes.byGroupSet.memoryBytes()
                + indexes.byVerb.memoryBytes() + indexes.byResource.memoryBytes()
                + indexes.byNamespace.memoryBytes() + indexes.byCode.memoryBytes()
                + indexes.byStage.memoryBytes() + indexes.byLevel.memoryBytes()
                + indexes.bySourceIp.memoryBytes() + indexes.byUserAgent.memoryBytes()},
    };
    return parts;
}

std::size_t EventStore::memoryBytes() const
{
    std::size_t bytes = 0;
    for (const auto& part : memoryBreakdown())
        bytes += part.second;
    return bytes;
}

} // namespace auditscope
