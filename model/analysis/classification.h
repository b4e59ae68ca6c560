// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/eventstore.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace auditscope {

/// Who sent a request, by the shape of the authenticated user (see classifyPrincipal()).
/// The order is the display order of the users view.
enum class PrincipalKind : std::uint8_t {
    Human, ///< anything not matched below: people, OIDC/cert users, admin tokens
    ServiceAccount, ///< system:serviceaccount:NAMESPACE:NAME
    Node, ///< a kubelet: system:node:NAME, or a member of system:nodes
    ControlPlane, ///< other system: users (controller-manager, scheduler, kube-proxy, apiserver)
    Anonymous, ///< system:anonymous, system:unauthenticated, or no user at all (failed login)
};
inline constexpr int PrincipalKindCount = 5;

/// What a verb does to the cluster.
enum class VerbClass : std::uint8_t {
    Read, ///< get, list, watch
    Write, ///< create, update, patch
    Delete, ///< delete, deletecollection
    Other, ///< anything else (proxy verbs, impersonate, a missing verb)
};
inline constexpr int VerbClassCount = 4;

/// responseStatus.code by hundreds; None for events without a code (RequestReceived).
enum class ResponseClass : std::uint8_t { Success2xx, Redirect3xx, Client4xx, Server5xx, None };
inline constexpr int ResponseClassCount = 5;

/// Classifies a principal. The rules, first match wins:
/// 1. no username (`"user":{}`, a failed authentication), `system:anonymous`, or the group
///    `system:unauthenticated` → Anonymous;
/// 2. `system:serviceaccount:NS:NAME` (both parts non-empty) → ServiceAccount in NS;
/// 3. `system:node:NAME`, or the group `system:nodes` → Node;
/// 4. any other username starting with `system:` (`system:kube-controller-manager`,
///    `system:kube-scheduler`, `system:kube-proxy`, `system:apiserver`, ...) → ControlPlane;
/// 5. anything else → Human.
/// The username is the authenticated one (never impersonatedUser), as in RBAC and audit policy.
PrincipalKind classifyPrincipal(
    std::string_view username, std::span<const std::string_view> groups);
/// The same with groups from the store (`set` may be none).
PrincipalKind classifyPrincipal(const EventStore& store, UserId user, GroupSetId set);
/// NS of `system:serviceaccount:NS:NAME`, or "" for any other username.
std::string_view serviceAccountNamespace(std::string_view username);

std::string_view principalKindName(PrincipalKind kind); ///< "human", "serviceaccount", ...
std::string_view verbClassName(VerbClass verbClass); ///< "read", "write", "delete", "other"
std::string_view responseClassName(ResponseClass responseClass); ///< "2xx" ... "5xx", "none"

VerbClass verbClassOf(std::string_view verb);
/// 0 (no code) is None; 1xx counts as Success2xx (101 Switching Protocols answers a successful
/// exec, attach or port-forward); anything from 600 up counts as Server5xx.
ResponseClass responseClassOf(std::uint16_t code);
/// 401 and 403: the request was refused for who sent it.
inline bool isAuthFailure(std::uint16_t code)
{
    return code == 401 || code == 403;
}

/// Lookup tables over one store's pools, for per-event loops: O(pool sizes) to build.
/// Immutable; readable from any thread.
struct StoreClasses
{
    explicit StoreClasses(const EventStore& store);

    std::vector<VerbClass> verbClass; ///< by verb id; the last entry is for a missing verb
    /// Bits per group set: 1 = has system:nodes, 2 = has system:unauthenticated. Last = none.
    std::vector<std::uint8_t> groupSetFlags;
    /// Kind by user id from the username alone; the last entry is for events without a user.
    std::vector<PrincipalKind> userKind;

    VerbClass verbClassOf(VerbId verb) const
    {
        return verbClass[verb ? verb.value : verbClass.size() - 1];
    }
    /// classifyPrincipal() for one event's user and group set, in O(1).
    PrincipalKind principalKindOf(UserId user, GroupSetId set) const
    {
        const PrincipalKind byName = userKind[user ? user.value : userKind.size() - 1];
        const std::uint8_t flags = groupSetFlags[set ? set.value : groupSetFlags.size() - 1];
        if (byName == PrincipalKind::Anonymous || (flags & 2))
            return PrincipalKind::Anonymous;
        if (byName == PrincipalKind::ServiceAccount || byName == PrincipalKind::Node)
            return byName;
        return flags & 1 ? PrincipalKind::Node : byName;
    }
};

/// Adds event `row` to the totals every users and field aggregate row shows: events, writes,
/// deletes, authentication/authorization failures, first and last time. Inline: it is the body
/// of a per-event loop.
template <class Totals>
inline void addEventTotals(
    Totals& totals, const EventStore& store, const StoreClasses& classes, std::uint32_t row)
{
    ++totals.events;
    const VerbClass verb = classes.verbClassOf(store.verb[row]);
    totals.writes += verb == VerbClass::Write;
    totals.deletes += verb == VerbClass::Delete;
    totals.failures += isAuthFailure(store.code[row]);
    const std::int64_t t = store.timeNs[row];
    totals.firstNs = std::min(totals.firstNs, t);
    totals.lastNs = std::max(totals.lastNs, t);
}

} // namespace auditscope
