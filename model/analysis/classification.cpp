// SPDX-License-Identifier: Apache-2.0
#include "classification.h"

#include <algorithm>
#include <array>

namespace auditscope {

namespace {

constexpr std::string_view ServiceAccountPrefix = "system:serviceaccount:";
constexpr std::string_view NodePrefix = "system:node:";
constexpr std::string_view NodesGroup = "system:nodes";
constexpr std::string_view UnauthenticatedGroup = "system:unauthenticated";

// Rules 1 (by name only), 2, 3 (by name only), 4 and 5 of classifyPrincipal().
PrincipalKind classifyName(std::string_view username)
{
    if (username.empty() || username == "system:anonymous")
        return PrincipalKind::Anonymous;
    if (!serviceAccountNamespace(username).empty())
        return PrincipalKind::ServiceAccount;
    if (username.starts_with(NodePrefix) && username.size() > NodePrefix.size())
        return PrincipalKind::Node;
    if (username.starts_with("system:"))
        return PrincipalKind::ControlPlane;
    return PrincipalKind::Human;
}

} // namespace

std::string_view serviceAccountNamespace(std::string_view username)
{
    if (!username.starts_with(ServiceAccountPrefix))
        return {};
    const std::string_view rest = username.substr(ServiceAccountPrefix.size());
    const std::size_t colon = rest.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon + 1 == rest.size())
        return {};
    return rest.substr(0, colon);
}

PrincipalKind classifyPrincipal(std::string_view username, std::span<const std::string_view> groups)
{
    const PrincipalKind byName = classifyName(username);
    const bool unauthenticated =
        std::find(groups.begin(), groups.end(), UnauthenticatedGroup) != groups.end();
    if (byName == PrincipalKind::Anonymous || unauthenticated)
        return PrincipalKind::Anonymous;
    if (byName == PrincipalKind::ServiceAccount || byName == PrincipalKind::Node)
        return byName;
    if (std::find(groups.begin(), groups.end(), NodesGroup) != groups.end())
        return PrincipalKind::Node;
    return byName;
}

PrincipalKind classifyPrincipal(const EventStore& store, UserId user, GroupSetId set)
{
    std::vector<std::string_view> groups;
    for (const GroupId g : store.groupsOf(set))
        groups.push_back(store.pools.groups.view(g.value));
    return classifyPrincipal(
        user ? store.pools.users.view(user.value) : std::string_view(), groups);
}

std::string_view principalKindName(PrincipalKind kind)
{
    static constexpr std::array<std::string_view, PrincipalKindCount> Names{
        "human", "serviceaccount", "node", "controlplane", "anonymous"};
    return Names[static_cast<std::size_t>(kind)];
}

std::string_view verbClassName(VerbClass verbClass)
{
    static constexpr std::array<std::string_view, VerbClassCount> Names{
        "read", "write", "delete", "other"};
    return Names[static_cast<std::size_t>(verbClass)];
}

std::string_view responseClassName(ResponseClass responseClass)
{
    static constexpr std::array<std::string_view, ResponseClassCount> Names{
        "2xx", "3xx", "4xx", "5xx", "none"};
    return Names[static_cast<std::size_t>(responseClass)];
}

VerbClass verbClassOf(std::string_view verb)
{
    if (verb == "get" || verb == "list" || verb == "watch")
        return VerbClass::Read;
    if (verb == "create" || verb == "update" || verb == "patch")
        return VerbClass::Write;
    if (verb == "delete" || verb == "deletecollection")
        return VerbClass::Delete;
    return VerbClass::Other;
}

ResponseClass responseClassOf(std::uint16_t code)
{
    if (code == 0)
        return ResponseClass::None;
    if (code < 300)
        return ResponseClass::Success2xx;
    if (code < 400)
        return ResponseClass::Redirect3xx;
    if (code < 500)
        return ResponseClass::Client4xx;
    return ResponseClass::Server5xx;
}

StoreClasses::StoreClasses(const EventStore& store)
{
    const StringPools& pools = store.pools;
    verbClass.reserve(pools.verbs.size() + 1);
    for (std::uint32_t v = 0; v < pools.verbs.size(); ++v)
        verbClass.push_back(auditscope::verbClassOf(pools.verbs.view(v)));
    verbClass.push_back(VerbClass::Other);

    std::vector<std::uint8_t> groupFlags(pools.groups.size(), 0);
    for (std::uint32_t g = 0; g < pools.groups.size(); ++g) {
        const std::string_view name = pools.groups.view(g);
        groupFlags[g] = name == NodesGroup ? 1 : name == UnauthenticatedGroup ? 2 : 0;
    }
    const std::size_t sets = store.groupSetOffsets.empty() ? 0 : store.groupSetOffsets.size() - 1;
    groupSetFlags.assign(sets + 1, 0);
    for (std::uint32_t s = 0; s < sets; ++s) {
        for (const GroupId g : store.groupsOf(GroupSetId{s}))
            groupSetFlags[s] |= groupFlags[g.value];
    }

    userKind.reserve(pools.users.size() + 1);
    for (std::uint32_t u = 0; u < pools.users.size(); ++u)
        userKind.push_back(classifyName(pools.users.view(u)));
    userKind.push_back(PrincipalKind::Anonymous);
}

} // namespace auditscope
