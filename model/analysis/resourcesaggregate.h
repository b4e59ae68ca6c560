// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "analysis/eventselection.h"
#include "analysis/resourceindex.h"
#include "store/eventstore.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace auditscope {

/// The level of a node in the resources tree.
enum class ResourceNodeKind : std::uint8_t {
    ApiGroup, ///< objectRef.apiGroup ("" = the core group)
    Resource, ///< objectRef.resource (absent = an objectRef without a resource)
    Subresource, ///< objectRef.subresource, shown as "pods/log"
    Namespace, ///< objectRef.namespace (absent = cluster-scoped, or across all namespaces)
    Name, ///< objectRef.name (absent = a collection request: list, watch, create, ...)
    NonResource, ///< the branch of events without an objectRef (one per tree)
    Path, ///< requestURI up to its '?', under NonResource (absent = no requestURI)
};

/// One principal and how many of a node's events it sent.
struct PrincipalCount
{
    UserId user; ///< none = events without a username
    std::uint64_t events = 0;
};

/// A node of the resources tree. Its events are exactly those of its children.
struct ResourceNode
{
    static constexpr std::uint32_t NoParent = UINT32_MAX;
    /// `key` when the node stands for "field absent".
    static constexpr std::uint32_t Absent = UINT32_MAX;

    ResourceNodeKind kind = ResourceNodeKind::ApiGroup;
    std::uint32_t parent = NoParent;
    /// Children are nodes[firstChild .. firstChild + childCount).
    std::uint32_t firstChild = 0, childCount = 0;
    /// The id in the store pool of its kind (apiGroups, resources, subresources, namespaces,
    /// names) or, for Path, an index into ResourcesAggregate::paths; Absent when the event has
    /// no such field. Unused for NonResource.
    std::uint32_t key = Absent;
    std::uint64_t events = 0;
    std::uint64_t writes = 0; ///< VerbClass::Write
    std::uint64_t deletes = 0; ///< VerbClass::Delete
    std::uint32_t distinctPrincipals = 0; ///< users (and "no user") that sent its events
};

/// The resources view's data: apiGroup → resource → (subresource →) namespace → name, and a
/// NonResource branch → path. A Resource node's children are its Subresource nodes followed by
/// the Namespace nodes of its requests without a subresource. Siblings are ordered by events
/// (most first), then by pool id (about first-seen order; absent values last); the NonResource
/// branch is the last root. Only nodes with events exist. Immutable once computed; readable from
/// any thread; refers to the store by id (keep the snapshot alive).
struct ResourcesAggregate
{
    /// nodes[0 .. rootCount) are the roots; every node's children are contiguous.
    std::vector<ResourceNode> nodes;
    std::uint32_t rootCount = 0;
    /// Per node, its most active principals (at most `topPrincipals` of the request, most
    /// events first, ties by username): principals[principalOffsets[n] .. principalOffsets[n+1]).
    std::vector<PrincipalCount> principals;
    std::vector<std::uint32_t> principalOffsets;
    std::vector<std::string> paths; ///< keys of Path nodes
    std::uint64_t events = 0; ///< selected events counted
    std::uint64_t nonResourceEvents = 0;
    bool cancelled = false; ///< stopped early: everything above is incomplete

    std::span<const ResourceNode> roots() const { return {nodes.data(), rootCount}; }
    std::span<const ResourceNode> children(std::uint32_t node) const
    {
        return {nodes.data() + nodes[node].firstChild, nodes[node].childCount};
    }
    std::span<const PrincipalCount> topPrincipals(std::uint32_t node) const
    {
        return {principals.data() + principalOffsets[node],
            principals.data() + principalOffsets[node + 1]};
    }
    /// The index of a node of `nodes` (for a node reached through roots() or children()).
    std::uint32_t indexOf(const ResourceNode& node) const
    {
        return static_cast<std::uint32_t>(&node - nodes.data());
    }
};

struct ResourcesRequest
{
    /// How many principals each node keeps in ResourcesAggregate::principals.
    std::size_t topPrincipals = 10;
};

/// Aggregates the selected events into the resources tree. `index` is the store's
/// ResourceIndex (built once per snapshot, with the tree's shape). Each worker adds one per
/// event to a dense count per (object, user, verb class) tuple, so the cost is O(rows) with one
/// increment per event; node counts are then prefix sums over the objects in tree order, and
/// the layout and top principals cost O(nodes · log siblings + pairs · depth).
ResourcesAggregate aggregateResources(const EventStore& store, const ResourceIndex& index,
    const EventSelection& rows = {}, const ResourcesRequest& request = {},
    const AnalysisOptions& options = {});

/// What a node shows: "core" or the group, "pods", "pods/log", the namespace or
/// "(cluster-scoped)", the name or "(no name)", "(no resource)", "non-resource URLs", the
/// path or "(no requestURI)".
std::string resourceNodeLabel(
    const EventStore& store, const ResourcesAggregate& aggregate, std::uint32_t node);

} // namespace auditscope
