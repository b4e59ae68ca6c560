// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <compare>
#include <cstdint>

namespace auditscope {

/// A typed 32-bit index; UINT32_MAX means "none". Different tags do not mix.
template <class Tag>
struct Id
{
    std::uint32_t value = UINT32_MAX;

    constexpr Id() = default;
    constexpr explicit Id(std::uint32_t v)
        : value(v)
    { }
    constexpr explicit operator bool() const { return value != UINT32_MAX; }
    friend constexpr auto operator<=>(const Id&, const Id&) = default;
};

using EventId = Id<struct EventTag>;
using SourceId = Id<struct SourceTag>;
using VerbId = Id<struct VerbTag>;
using UserId = Id<struct UserTag>;
using GroupId = Id<struct GroupTag>;
using GroupSetId = Id<struct GroupSetTag>;
using SourceIpId = Id<struct SourceIpTag>;
using UserAgentId = Id<struct UserAgentTag>;
using ApiGroupId = Id<struct ApiGroupTag>;
using ApiVersionId = Id<struct ApiVersionTag>;
using ResourceId = Id<struct ResourceTag>;
using SubresourceId = Id<struct SubresourceTag>;
using NamespaceId = Id<struct NamespaceTag>;
using NameId = Id<struct NameTag>;
using DecisionId = Id<struct DecisionTag>;
using AuditIdId = Id<struct AuditIdTag>;

} // namespace auditscope
