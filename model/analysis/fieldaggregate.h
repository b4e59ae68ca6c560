// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "analysis/eventselection.h"
#include "analysis/resourceindex.h"
#include "store/eventstore.h"

#include <cstdint>
#include <string>
#include <vector>

namespace auditscope {

/// What aggregateByField() groups by.
enum class SummaryField : std::uint8_t {
    Namespace, ///< objectRef.namespace
    Verb,
    Code, ///< responseStatus.code
    /// The resource as RBAC names it: apiGroup + resource, or resource/subresource
    /// ("pods/log" is not "pods"); events without an objectRef by request path.
    Resource,
};

/// The events of one value of a SummaryField.
struct FieldSummary
{
    static constexpr std::uint32_t Absent = UINT32_MAX;

    /// Namespace: namespace id; Verb: verb id; Code: the code (0 = none); Absent = no value.
    /// Resource: unused (see the ids below).
    std::uint32_t value = Absent;
    bool nonResource = false; ///< Resource: an event without an objectRef; `path` applies
    ApiGroupId apiGroup; ///< Resource
    ResourceId resource;
    SubresourceId subresource;
    std::uint32_t path = Absent; ///< index into FieldAggregate::paths; Absent = no requestURI

    std::uint64_t events = 0;
    std::uint64_t writes = 0; ///< VerbClass::Write
    std::uint64_t deletes = 0; ///< VerbClass::Delete
    std::uint64_t authFailures = 0; ///< 401 and 403
    std::uint32_t distinctPrincipals = 0; ///< users (and "no user") that sent its events
    std::int64_t firstNs = 0, lastNs = 0;
};

/// One row per value of the field, for `auditscope-cli summary --by`. Immutable once computed.
struct FieldAggregate
{
    SummaryField field = SummaryField::Namespace;
    std::vector<FieldSummary> rows; ///< most events first, ties by label
    std::vector<std::string> paths; ///< non-resource request paths used by rows
    std::uint64_t events = 0;
    bool cancelled = false;
};

/// Counts the selected events per value of `field`, densely by pool id (Resource: by the
/// objects of `index`, which that field requires; the others ignore it); distinct principals
/// through a last-user cache per value. O(rows) split over options.threads.
FieldAggregate aggregateByField(const EventStore& store, const EventSelection& rows,
    SummaryField field, const ResourceIndex* index = nullptr, const AnalysisOptions& options = {});

/// "prod" / "(none)", "get", "403" / "none", "pods/log", "deployments.apps",
/// "deployments.apps/scale", "/healthz" / "(no requestURI)". Resources are spelled as kubectl
/// and RBAC do: resource.group/subresource (the core group has no suffix).
std::string fieldSummaryLabel(
    const EventStore& store, const FieldAggregate& aggregate, const FieldSummary& row);

} // namespace auditscope
