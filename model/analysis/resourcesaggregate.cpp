// SPDX-License-Identifier: Apache-2.0
#include "resourcesaggregate.h"

#include "analysis/analysisutil.h"
#include "analysis/classification.h"

#include <algorithm>
#include <array>
#include <atomic>

namespace auditscope {

using namespace analysis_detail;

namespace {

struct Counts
{
    std::uint64_t events = 0, writes = 0, deletes = 0;
};

// Events per (object, user, verb class) tuple: one dense increment per event, per part, then
// summed. False when stopped.
bool countTupleEvents(const ResourceIndex& index, const EventSelection& rows, std::size_t count,
    const AnalysisOptions& options, std::vector<std::uint32_t>& tupleEvents)
{
    const std::size_t tuples = index.tuples().size();
    const unsigned parts = partsFor(count, options);
    std::vector<std::vector<std::uint32_t>> perPart(parts);
    std::atomic<bool> stopped = false;
    runParts(count, parts, [&](unsigned part, std::size_t begin, std::size_t end) {
        std::vector<std::uint32_t>& counts = perPart[part];
        counts.assign(tuples, 0);
        if (!forRows(rows, begin, end, options.stop,
                [&](std::uint32_t row) { ++counts[index.tupleOf(row).value]; }))
            stopped = true;
    });
    if (stopped)
        return false;
    for (unsigned i = 1; i < parts; ++i)
        for (std::size_t t = 0; t < tuples; ++t)
            perPart[0][t] += perPart[i][t];
    tupleEvents = std::move(perPart[0]);
    return true;
}

// The tuple counts per object, by rank, as prefix sums (so any run of ranks is O(1)), and per
// (object, user) pair.
struct ObjectCounts
{
    std::vector<Counts> prefix; ///< ranks + 1 entries
    std::vector<std::uint64_t> pairEvents;

    ObjectCounts(const std::vector<std::uint32_t>& tupleEvents,
        const std::vector<ResourceTuple>& tuples, const ResourceTreeShape& shape)
        : prefix(shape.objectAt.size() + 1)
        , pairEvents(shape.pairUser.size(), 0)
    {
        for (std::size_t t = 0; t < tuples.size(); ++t) {
            const std::uint32_t n = tupleEvents[t];
            if (n == 0)
                continue;
            Counts& c = prefix[shape.rankOf[tuples[t].object.value] + 1];
            c.events += n;
            c.writes += tuples[t].verbClass == VerbClass::Write ? n : 0;
            c.deletes += tuples[t].verbClass == VerbClass::Delete ? n : 0;
            pairEvents[shape.pairOfTuple[t]] += n;
        }
        for (std::size_t r = 0; r + 1 < prefix.size(); ++r) {
            prefix[r + 1].events += prefix[r].events;
            prefix[r + 1].writes += prefix[r].writes;
            prefix[r + 1].deletes += prefix[r].deletes;
        }
    }

    std::uint64_t eventsIn(std::uint32_t begin, std::uint32_t end) const
    {
        return prefix[end].events - prefix[begin].events;
    }
};

// Where a node comes from: a run of a resource level (0..4), the NonResource root (5) or a
// path object's rank (6).
struct NodeSource
{
    std::uint8_t level = 0;
    std::uint32_t index = 0; ///< run index (levels 0..4) or rank (6)
    std::uint32_t begin = 0, end = 0; ///< ranks
};

// Lays the nodes out breadth first: each node's children contiguous, sorted by events (most
// first), then by key (pool ids: about first-seen order; absent last); subresources before
// namespaces, the NonResource root last.
class TreeLayout
{
public:
    TreeLayout(const ResourceIndex& index, const ObjectCounts& counts, ResourcesAggregate& result)
        : m_index(index)
        , m_shape(index.shape())
        , m_counts(counts)
        , m_result(result)
        , m_pathIndex(index.pathCount(), ResourceNode::Absent)
    { }

    // Fills result.nodes and rootCount; returns where each node comes from.
    std::vector<NodeSource> build()
    {
        m_children.clear();
        for (std::uint32_t r = 0; r < m_shape.runs[0].size(); ++r)
            addRun(0, r);
        addChild({5, 0, m_shape.pathRankBase, static_cast<std::uint32_t>(m_shape.objectAt.size())});
        m_result.rootCount = append(ResourceNode::NoParent).second;
        for (std::uint32_t i = 0; i < m_result.nodes.size(); ++i) {
            collectChildren(m_sources[i]);
            const auto [first, last] = append(i);
            m_result.nodes[i].firstChild = first;
            m_result.nodes[i].childCount = last - first;
        }
        return std::move(m_sources);
    }

private:
    struct Child
    {
        std::uint64_t events;
        std::uint32_t order; ///< subresources 0, others 1, NonResource 2
        std::uint32_t key;
        NodeSource source;
    };

    // The node's key (see ResourceNode::key); a path gets its index in result.paths on first use.
    std::uint32_t keyOf(const NodeSource& s)
    {
        if (s.level < ResourceTreeShape::Levels) {
            const std::uint32_t slot = m_shape.runs[s.level][s.index].key;
            return slot == 0 ? ResourceNode::Absent : slot - 1;
        }
        if (s.level == 5)
            return ResourceNode::Absent;
        const std::uint32_t path = m_index.objects()[m_shape.objectAt[s.index].value].path;
        if (path == ResourceObject::NoPath)
            return ResourceNode::Absent;
        if (m_pathIndex[path] == ResourceNode::Absent) {
            m_pathIndex[path] = static_cast<std::uint32_t>(m_result.paths.size());
            m_result.paths.emplace_back(m_index.path(path));
        }
        return m_pathIndex[path];
    }

    void addChild(const NodeSource& s)
    {
        const std::uint64_t events = m_counts.eventsIn(s.begin, s.end);
        if (events == 0)
            return;
        const std::uint32_t order = s.level == 2 ? 0 : s.level == 5 ? 2 : 1;
        const std::uint32_t key = s.level < ResourceTreeShape::Levels
            ? m_shape.runs[s.level][s.index].key - 1 // absent (0) wraps to the largest key: last
            : s.index;
        m_children.push_back({events, order, key, s});
    }

    void addRun(int level, std::uint32_t run)
    {
        const ResourceTreeShape::Run& r = m_shape.runs[static_cast<std::size_t>(level)][run];
        addChild({static_cast<std::uint8_t>(level), run, r.begin, r.end});
    }

    void collectChildren(const NodeSource& s)
    {
        m_children.clear();
        if (s.level == 5) {
            for (std::uint32_t r = s.begin; r < s.end; ++r)
                addChild({6, r, r, r + 1});
            return;
        }
        if (s.level >= ResourceTreeShape::Levels - 1)
            return;
        const ResourceTreeShape::Run& run = m_shape.runs[s.level][s.index];
        for (std::uint32_t c = run.childBegin; c < run.childEnd; ++c) {
            const ResourceTreeShape::Run& child = m_shape.runs[s.level + 1u][c];
            if (s.level == 1 && child.key == 0) {
                // Requests without a subresource: their namespaces hang off the resource.
                for (std::uint32_t n = child.childBegin; n < child.childEnd; ++n)
                    addRun(3, n);
            } else {
                addRun(s.level + 1, c);
            }
        }
    }

    // Sorts the collected children and appends them as nodes; returns their [first, last).
    std::pair<std::uint32_t, std::uint32_t> append(std::uint32_t parent)
    {
        static constexpr std::array<ResourceNodeKind, 7> Kinds{ResourceNodeKind::ApiGroup,
            ResourceNodeKind::Resource, ResourceNodeKind::Subresource, ResourceNodeKind::Namespace,
            ResourceNodeKind::Name, ResourceNodeKind::NonResource, ResourceNodeKind::Path};
        std::sort(m_children.begin(), m_children.end(), [](const Child& a, const Child& b) {
            if (a.order != b.order)
                return a.order < b.order;
            if (a.events != b.events)
                return a.events > b.events;
            return a.key < b.key;
        });
        const std::vector<Counts>& prefix = m_counts.prefix;
        const auto first = static_cast<std::uint32_t>(m_result.nodes.size());
        for (const Child& c : m_children) {
            ResourceNode n;
            n.kind = Kinds[c.source.level];
            n.parent = parent;
            n.key = keyOf(c.source);
            n.events = c.events;
            n.writes = prefix[c.source.end].writes - prefix[c.source.begin].writes;
            n.deletes = prefix[c.source.end].deletes - prefix[c.source.begin].deletes;
            m_result.nodes.push_back(n);
            m_sources.push_back(c.source);
        }
        return std::pair{first, static_cast<std::uint32_t>(m_result.nodes.size())};
    }

    const ResourceIndex& m_index;
    const ResourceTreeShape& m_shape;
    const ObjectCounts& m_counts;
    ResourcesAggregate& m_result;
    std::vector<NodeSource> m_sources; ///< by node
    std::vector<Child> m_children; ///< of the node being laid out
    std::vector<std::uint32_t> m_pathIndex; ///< index path id -> result.paths index
};

// Principals per node from its contiguous pair range, counted densely by user.
void countPrincipals(const EventStore& store, const ResourceTreeShape& shape,
    const std::vector<NodeSource>& sources, const std::vector<std::uint64_t>& pairEvents,
    std::size_t topPrincipals, ResourcesAggregate& result)
{
    const std::uint32_t noUser = store.pools.users.size();
    std::vector<std::uint64_t> perUser(std::size_t(noUser) + 1, 0);
    std::vector<std::uint32_t> touched;
    result.principalOffsets.reserve(result.nodes.size() + 1);
    result.principalOffsets.push_back(0);
    auto nameOf = [&](std::uint32_t u) {
        return u == noUser ? std::string_view() : store.pools.users.view(u);
    };
    for (std::uint32_t i = 0; i < result.nodes.size(); ++i) {
        const NodeSource& s = sources[i];
        touched.clear();
        for (std::uint32_t k = shape.pairStart[s.begin]; k < shape.pairStart[s.end]; ++k) {
            if (pairEvents[k] == 0)
                continue;
            const std::uint32_t u = shape.pairUser[k] ? shape.pairUser[k].value : noUser;
            if (perUser[u] == 0)
                touched.push_back(u);
            perUser[u] += pairEvents[k];
        }
        result.nodes[i].distinctPrincipals = static_cast<std::uint32_t>(touched.size());
        const std::size_t keep = std::min(topPrincipals, touched.size());
        std::partial_sort(touched.begin(), touched.begin() + static_cast<std::ptrdiff_t>(keep),
            touched.end(), [&](std::uint32_t a, std::uint32_t b) {
                return perUser[a] != perUser[b] ? perUser[a] > perUser[b] : nameOf(a) < nameOf(b);
            });
        for (std::size_t k = 0; k < keep; ++k)
            result.principals.push_back(
                {touched[k] == noUser ? UserId{} : UserId{touched[k]}, perUser[touched[k]]});
        for (const std::uint32_t u : touched)
            perUser[u] = 0;
        result.principalOffsets.push_back(static_cast<std::uint32_t>(result.principals.size()));
    }
}

} // namespace

std::string resourceNodeLabel(
    const EventStore& store, const ResourcesAggregate& aggregate, std::uint32_t index)
{
    const ResourceNode& n = aggregate.nodes[index];
    const StringPools& p = store.pools;
    const bool absent = n.key == ResourceNode::Absent;
    switch (n.kind) {
    case ResourceNodeKind::ApiGroup:
        if (absent || p.apiGroups.view(n.key).empty())
            return "core";
        return std::string(p.apiGroups.view(n.key));
    case ResourceNodeKind::Resource:
        return absent ? "(no resource)" : std::string(p.resources.view(n.key));
    case ResourceNodeKind::Subresource: {
        const ResourceNode& parent = aggregate.nodes[n.parent];
        const std::string resource = parent.key == ResourceNode::Absent
            ? std::string()
            : std::string(p.resources.view(parent.key));
        return resource + "/" + std::string(p.subresources.view(n.key));
    }
    case ResourceNodeKind::Namespace:
        return absent ? "(cluster-scoped)" : std::string(p.namespaces.view(n.key));
    case ResourceNodeKind::Name:
        return absent ? "(no name)" : std::string(p.names.view(n.key));
    case ResourceNodeKind::NonResource:
        return "non-resource URLs";
    case ResourceNodeKind::Path:
        return absent ? "(no requestURI)" : aggregate.paths[n.key];
    }
    return {};
}

ResourcesAggregate aggregateResources(const EventStore& store, const ResourceIndex& index,
    const EventSelection& rows, const ResourcesRequest& request, const AnalysisOptions& options)
{
    ResourcesAggregate result;
    std::vector<std::uint32_t> tupleEvents;
    if (!countTupleEvents(index, rows, selectionSize(store, rows), options, tupleEvents)) {
        result.cancelled = true;
        return result;
    }
    const ObjectCounts counts(tupleEvents, index.tuples(), index.shape());
    const std::vector<NodeSource> sources = TreeLayout(index, counts, result).build();
    countPrincipals(
        store, index.shape(), sources, counts.pairEvents, request.topPrincipals, result);
    for (const ResourceNode& root : result.roots()) {
        result.events += root.events;
        if (root.kind == ResourceNodeKind::NonResource)
            result.nonResourceEvents = root.events;
    }
    return result;
}

} // namespace auditscope
