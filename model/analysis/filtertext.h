// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "analysis/classification.h"
#include "analysis/fieldaggregate.h"
#include "analysis/resourcesaggregate.h"
#include "analysis/timeline.h"
#include "store/eventstore.h"

#include <span>
#include <string>
#include <string_view>

namespace auditscope {

// Filter text for the linked views: each function returns query text (README "Query
// language") that parseQuery() accepts and that selects exactly the events an aggregate row
// counted, when combined with the filter the aggregate was computed under (andFilters()).
// One caveat: the language has no escape for `*`, so a value containing `*` (never in
// Kubernetes names, possible in usernames and paths) matches as a glob, a superset.

/// An instant as the `time` field reads it: RFC 3339 UTC with as many fractional digits as
/// needed (none, 6 or 9): `2025-03-14T09:00:00Z`, `2025-03-14T09:00:00.123456Z`.
std::string formatQueryTime(std::int64_t timeNs);

/// `user:"alice"`; for none (events without a username) `not user:*`.
std::string userFilter(const EventStore& store, UserId user);
/// Any of the users: `(user:("a" or "b"))`, plus `or not user:*` if none is among them.
/// An empty list gives a filter that matches nothing.
std::string usersFilter(const EventStore& store, std::span<const UserId> users);
/// The events of a resources-tree node, e.g. `apigroup:"" resource:"pods" subresource:"log"
/// ns:"prod" name:"web-1"`; absent fields are `not field:*`; a Path node tests `uri` (raw JSON,
/// slower): `not apigroup:* (uri:"/healthz" or uri:"/healthz?*")`.
std::string resourceNodeFilter(
    const EventStore& store, const ResourcesAggregate& aggregate, std::uint32_t node);
/// The events of one aggregateByField() row.
std::string fieldSummaryFilter(
    const EventStore& store, const FieldAggregate& aggregate, const FieldSummary& row);
/// `time >= "A" and time < "B"`; an empty range matches nothing.
std::string timeRangeFilter(const TimeRange& range);
/// `(verb:(get or list or watch))`, ...; Other is every other verb or none.
std::string verbClassFilter(VerbClass verbClass);
/// `code >= 200 and code < 300`, ...; None is `not code:*`.
std::string responseClassFilter(ResponseClass responseClass);
/// The events classifyPrincipal() puts in `kind`: the rules as terms on user and group, with
/// the few usernames of this store where a glob and the rule disagree listed explicitly.
std::string principalKindFilter(const EventStore& store, PrincipalKind kind);
/// The events of one series of a timeline (a stacked class, a lane's user, or "other").
std::string timelineSeriesFilter(
    const EventStore& store, const Timeline& timeline, std::size_t series);

/// `not (filter)`: the exclude variant of any of the above.
std::string excludeFilter(std::string_view filter);
/// `(a) and (b)`; a blank side gives the other unchanged (a blank filter = every event).
std::string andFilters(std::string_view a, std::string_view b);

} // namespace auditscope
