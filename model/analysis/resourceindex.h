// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "analysis/classification.h"
#include "analysis/eventselection.h"
#include "common/ids.h"
#include "store/eventstore.h"
#include "store/packedidcolumn.h"
#include "store/stringpool.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// A distinct target of requests in one store: see ResourceObject.
using ObjectId = Id<struct ObjectTag>;

/// What a request acted on: for a resource request the objectRef tuple (apiGroup, resource,
/// subresource, namespace, name; a missing field is a none id), for a request without an
/// objectRef its path (requestURI up to the '?').
struct ResourceObject
{
    static constexpr std::uint32_t NoPath = UINT32_MAX;

    bool nonResource = false;
    ApiGroupId apiGroup; ///< never none for a resource request ("" = core)
    ResourceId resource;
    SubresourceId subresource;
    NamespaceId namespaceId;
    NameId name;
    std::uint32_t path = NoPath; ///< non-resource: id in ResourceIndex::path(); NoPath = no URI
};

/// A distinct (object, user, verb class) combination of one store: what the resources
/// aggregations count per event.
using TupleId = Id<struct ResourceTupleTag>;
struct ResourceTuple
{
    ObjectId object;
    UserId user; ///< none = events without a username
    VerbClass verbClass = VerbClass::Other;
};

/// The shape of the resources tree over every object of a store, precomputed so that an
/// aggregation only adds counts. Objects are ranked in tree order (resource objects by apiGroup,
/// resource, subresource, namespace, name ids, absent first; then non-resource objects by path);
/// a node of level L is a run of ranks that share the fields of levels 0..L.
struct ResourceTreeShape
{
    static constexpr int Levels = 5; ///< apiGroup, resource, subresource, namespace, name
    struct Run
    {
        std::uint32_t key = 0; ///< the level's field as id + 1 (0 = absent)
        std::uint32_t begin = 0, end = 0; ///< ranks
        std::uint32_t childBegin = 0, childEnd = 0; ///< runs of the next level
    };
    std::array<std::vector<Run>, Levels> runs;
    std::vector<std::uint32_t> rankOf; ///< by object id
    std::vector<ObjectId> objectAt; ///< by rank
    std::uint32_t pathRankBase = 0; ///< ranks from here on are non-resource objects
    /// Distinct (object, user) pairs, numbered in (rank, user) order: a node's pairs are
    /// pairs[pairStart[begin] .. pairStart[end]).
    std::vector<UserId> pairUser;
    std::vector<std::uint32_t> pairStart; ///< by rank, objects + 1 entries
    std::vector<std::uint32_t> pairOfTuple; ///< by tuple id
};

/// Storage of a ResourceIndex (see there).
struct ResourceIndexData
{
    PackedIdColumn<TupleId> tupleOf;
    std::vector<ResourceTuple> tuples;
    std::vector<ResourceObject> objects;
    StringPool paths;
    ResourceTreeShape shape;
};

/// Per-snapshot lookup column for the resources aggregations: every event's (object, user,
/// verb class) tuple, and what each object is. The request paths of non-resource events are
/// read here, once, from the raw JSON (the store keeps no requestURI column). Build it once per
/// snapshot on a worker, like the store's indexes (two hash probes per event, plus one raw read
/// per non-resource event); aggregations then count by dense tuple id, one increment per event.
/// Immutable once built; readable from any thread; 2 or 4 bytes per event.
class ResourceIndex
{
public:
    ResourceIndex() = default;
    /// Indexes every event of the store. A stop request returns an incomplete index with
    /// cancelled() set; do not aggregate with it.
    static ResourceIndex build(const EventStore& store, const AnalysisOptions& options = {});

    TupleId tupleOf(std::uint32_t row) const { return m_data.tupleOf[row]; }
    ObjectId objectOf(std::uint32_t row) const { return m_data.tuples[tupleOf(row).value].object; }
    const std::vector<ResourceTuple>& tuples() const { return m_data.tuples; }
    const std::vector<ResourceObject>& objects() const { return m_data.objects; }
    const ResourceTreeShape& shape() const { return m_data.shape; }
    std::string_view path(std::uint32_t id) const { return m_data.paths.view(id); }
    std::uint32_t pathCount() const { return m_data.paths.size(); }
    std::size_t rows() const { return m_data.tupleOf.size(); }
    bool cancelled() const { return m_cancelled; }
    std::size_t memoryBytes() const;

private:
    ResourceIndexData m_data;
    bool m_cancelled = false;
};

/// The top-level "requestURI" of one raw event, cut at its '?', into `out`; false if absent.
/// Scans the bytes for the key (kube-apiserver writes it near the start) and falls back to
/// simdjson when the value has escapes or the key could be nested.
bool readRequestPath(const EventStore& store, EventId id, std::string& out);

} // namespace auditscope
