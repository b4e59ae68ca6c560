// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "chain/jsondiff.h"
#include "chain/jsonvalue.h"
#include "store/eventstore.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// One Kubernetes object: API group ("" = core), resource (plural), namespace ("" =
/// cluster-scoped) and name.
struct ObjectKey
{
    std::string group, resource, namespaceName, name;

    /// Parses `GROUP/RESOURCE/NAMESPACE/NAME`: `core` is the core group, `-` no namespace
    /// (`apps/deployments/prod/web`, `core/namespaces/-/dev`). nullopt and `error` if malformed.
    static std::optional<ObjectKey> parse(std::string_view text, std::string* error = nullptr);
    /// The object event `id` touched (its objectRef); nullopt when it names none (no group,
    /// resource or name: a list, a non-resource URL).
    static std::optional<ObjectKey> of(const EventStore& store, EventId id);
    /// The same form (`core/configmaps/prod/app-config`).
    std::string toString() const;
};

/// How a patch body is to be read (its Content-Type, which the audit log does not record).
enum class PatchKind : std::uint8_t {
    Unknown,
    JsonPatch, ///< application/json-patch+json, RFC 6902: a list of operations
    MergePatch, ///< application/merge-patch+json, RFC 7386
    StrategicMergePatch, ///< application/strategic-merge-patch+json (built-in types only)
    ApplyPatch, ///< application/apply-patch+yaml: server-side apply of a partial object
};
std::string_view patchKindName(PatchKind kind); ///< "json-patch", "merge-patch", ...
std::string_view patchContentType(PatchKind kind); ///< "application/json-patch+json", ...

/// The kind of a patch as far as the event tells, and why.
struct PatchKindGuess
{
    PatchKind kind = PatchKind::Unknown;
    bool certain = false; ///< decided by the body's shape or the URL, not by a default
    std::string why;
};

/// Reads the kind of a patch from the event: the body's shape (an array of operations, `$patch`
/// and other strategic directives), the URL (`force` exists only for apply; `fieldManager`),
/// the response's managedFields (an `Apply` entry of that manager), and the API group
/// (custom resources accept no strategic merge patch). `body` and `response` may be null.
PatchKindGuess detectPatchKind(const JsonValue* body, std::string_view requestUri,
    std::string_view apiGroup, const JsonValue* response);

enum class HistoryAction : std::uint8_t { Create, Update, Patch, Delete, Read, Other };
std::string_view historyActionName(HistoryAction action); ///< "create", "update", ...

/// One request on the object, with what it changed when the bodies tell.
struct HistoryEntry
{
    std::string auditId;
    std::vector<EventId> events; ///< every logged stage of the request, time order
    EventId finalEvent; ///< ResponseComplete, else Panic, else the last logged
    Stage finalStage = Stage::Unknown;
    std::int64_t receivedNs = 0, stageNs = 0; ///< stageNs of the final event
    std::string user, impersonatedUser, sourceIp, userAgent, verb, subresource, requestUri;
    std::string file; ///< source of the final event (the server that logged it)
    std::uint16_t code = 0;
    bool succeeded = false; ///< ResponseComplete with a 2xx code
    HistoryAction action = HistoryAction::Other;
    bool changesObject = false; ///< a successful write that changed the stored object
    PatchKindGuess patch; ///< for patches
    std::string requestObject, responseObject; ///< raw JSON as logged; empty if not logged

    /// The object before and after this request as compact JSON (ignored paths removed);
    /// empty when unknown (or when the object did not exist / no longer exists).
    std::string before, after;
    bool beforeKnown = false, afterKnown = false;
    bool existsBefore = true, existsAfter = true; ///< false around a create / a final delete
    /// before → after, when both sides are known (create: the whole object added at "";
    /// delete: removed at ""). For a read whose response differs from the last known state:
    /// changes made by requests the log does not show.
    std::vector<JsonChange> changes;
    bool hasDiff = false;
    std::string note; ///< why there is no diff, or where a side came from
};

/// One life of the object: from a create (or the start of the log) to a delete (or the end).
struct ObjectLifetime
{
    std::optional<std::int64_t> createdNs; ///< the successful create in the log
    std::string createdBy;
    /// metadata.creationTimestamp from a logged body: when the create is not in the log.
    std::optional<std::int64_t> creationTimestampNs;
    std::optional<std::int64_t> deletedNs; ///< the successful delete in the log
    std::string deletedBy;
    bool deletionPending = false; ///< delete accepted, object kept (finalizers, grace period)
    std::string uid; ///< metadata.uid from a logged body, if any
};

/// Every request on one object in time order, with diffs, and its lifetimes.
/// A plain value built on request; no reference to the store.
struct ObjectHistory
{
    ObjectKey key;
    std::vector<HistoryEntry> entries;
    std::vector<ObjectLifetime> lifetimes;
};

struct HistoryOptions
{
    DiffOptions diff; ///< suppressNoise: resourceVersion and managedFields left out
    bool includeReads = true; ///< get/list/watch of the object
};

/// Finds the requests on `key` (objectRef group, resource, namespace and name; the stages of a
/// create that carry no name yet join through their auditID) and replays them in time order:
/// create (responseObject, else requestObject), update (requestObject or responseObject against
/// the last known state), patch (its body and kind; JSON and merge patches applied to the last
/// known state when no responseObject was logged), delete. Requests on collections
/// (deletecollection, list without a name) are not included.
ObjectHistory buildObjectHistory(
    const EventStore& store, const ObjectKey& key, const HistoryOptions& options = {});

} // namespace auditscope
