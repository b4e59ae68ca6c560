// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "analysis/classification.h"
#include "analysis/eventselection.h"
#include "store/eventstore.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// What one authenticated user did in the selected events. Ids refer to the store's pools.
struct UserSummary
{
    UserId user; ///< none = events without a username (`"user":{}`: failed authentication)
    /// classifyPrincipal() of the username and the union of its groups.
    PrincipalKind kind = PrincipalKind::Human;
    std::uint64_t events = 0;
    std::uint64_t writes = 0; ///< VerbClass::Write
    std::uint64_t deletes = 0; ///< VerbClass::Delete
    std::uint64_t authFailures = 0; ///< responseStatus.code 401 or 403
    std::int64_t firstNs = 0, lastNs = 0; ///< requestReceivedTimestamp of the first and last event
    std::vector<SourceIpId> sourceIps; ///< distinct, every entry of sourceIPs; sorted by text
    std::vector<UserAgentId> userAgents; ///< distinct; sorted by text
    std::vector<GroupId> groups; ///< union of the user's groups; sorted by text
};

/// `user` acted as `impersonated` (impersonatedUser.username) in `events` events.
struct ImpersonationEdge
{
    UserId user; ///< none = no username
    UserId impersonated;
    std::uint64_t events = 0;
};

/// Users of one kind; service accounts get one group per namespace.
struct UserGroup
{
    PrincipalKind kind = PrincipalKind::Human;
    std::string serviceAccountNamespace; ///< ServiceAccount groups only
    std::vector<std::uint32_t> members; ///< indexes into UsersAggregate::users, in its order
    std::uint64_t events = 0;
};

/// The users view's data: one row per user, grouped by kind. Immutable once computed;
/// readable from any thread; refers to the store by id (keep the snapshot alive).
struct UsersAggregate
{
    std::vector<UserSummary> users; ///< most events first, ties by username
    /// Kinds in PrincipalKind order, only non-empty ones; ServiceAccount groups by namespace.
    std::vector<UserGroup> groups;
    std::vector<ImpersonationEdge> impersonations; ///< most events first
    std::uint64_t events = 0; ///< selected events counted
    bool cancelled = false; ///< stopped early: everything above is incomplete

    /// Index into `users` of this user (none = the "no username" row), or -1. O(users).
    std::ptrdiff_t indexOf(UserId user) const;
};

/// Aggregates the selected events per user: dense counters by user id, and the distinct
/// (user, IP / agent / group set) pairs through a last-seen cache per user and a hash set, so
/// the cost is O(rows) with a small constant, split over options.threads.
UsersAggregate aggregateUsers(
    const EventStore& store, const EventSelection& rows = {}, const AnalysisOptions& options = {});

/// The username, or "(no user)" for none.
std::string_view userDisplayName(const EventStore& store, UserId user);

} // namespace auditscope
