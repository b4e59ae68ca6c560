// SPDX-License-Identifier: Apache-2.0
#include "storebuilder.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

namespace auditscope {

namespace {

struct SortKey
{
    std::int64_t timeNs;
    std::int64_t stageTimeNs;
    std::uint64_t tie; // source << 48 | raw offset: source order, then file order
    std::uint32_t segment;
    std::uint32_t row;

    bool operator<(const SortKey& o) const
    {
        if (timeNs != o.timeNs)
            return timeNs < o.timeNs;
        if (stageTimeNs != o.stageTimeNs)
            return stageTimeNs < o.stageTimeNs;
        return tie < o.tie;
    }
};

// Local id -> global id for one pool kind of one segment.
std::vector<std::uint32_t> remapPool(const StringPool& local, StringPool& global)
{
    std::vector<std::uint32_t> map(local.size());
    for (std::uint32_t id = 0; id < local.size(); ++id)
        map[id] = global.intern(local.view(id));
    return map;
}

std::vector<SortKey> sortedKeys(const Segment& segment, std::uint32_t segmentIndex)
{
    std::vector<SortKey> keys(segment.size());
    for (std::uint32_t row = 0; row < segment.size(); ++row) {
        keys[row] = SortKey{segment.timeNs[row], segment.stageTimeNs[row],
            std::uint64_t(segment.source[row]) << 48 | segment.rawOffset[row], segmentIndex, row};
    }
    // Logs are mostly in order already; is_sorted makes that case a linear pass.
    if (!std::is_sorted(keys.begin(), keys.end()))
        std::sort(keys.begin(), keys.end());
    return keys;
}

} // namespace

std::shared_ptr<EventStore> buildEventStore(const std::vector<const Segment*>& segments,
    std::vector<SourceInfo> sources, bool withIndexes, unsigned threads,
    std::vector<SourceCounts>* counts, double* indexSeconds)
{
    auto store = std::make_shared<EventStore>();
    store->sources = std::move(sources);
    StringPools& pools = store->pools;

    // 1. Global dictionaries and per-segment id maps.
    struct Maps
    {
        std::vector<std::uint32_t> verbs, users, sourceIps, userAgents, apiGroups, apiVersions,
            resources, subresources, namespaces, names, decisions, auditIds, groupSets;
    };
    std::vector<Maps> maps(segments.size());
    // Audit IDs are the one big dictionary (about one per two events): merge them on a second
    // thread while this one merges the small ones.
    std::jthread auditIdMerger([&] {
        for (std::size_t s = 0; s < segments.size(); ++s) {
            const AuditIdPool& local = segments[s]->pools.auditIds;
            maps[s].auditIds.resize(local.size());
            for (std::uint32_t id = 0; id < local.size(); ++id)
                maps[s].auditIds[id] = pools.auditIds.internFrom(local, id);
        }
    });
    StringPool groupSetKeys;
    std::string key;
    for (std::size_t s = 0; s < segments.size(); ++s) {
        const Segment& seg = *segments[s];
        Maps& m = maps[s];
        m.verbs = remapPool(seg.pools.verbs, pools.verbs);
        m.users = remapPool(seg.pools.users, pools.users);
        m.sourceIps = remapPool(seg.pools.sourceIps, pools.sourceIps);
        m.userAgents = remapPool(seg.pools.userAgents, pools.userAgents);
        m.apiGroups = remapPool(seg.pools.apiGroups, pools.apiGroups);
        m.apiVersions = remapPool(seg.pools.apiVersions, pools.apiVersions);
        m.resources = remapPool(seg.pools.resources, pools.resources);
        m.subresources = remapPool(seg.pools.subresources, pools.subresources);
        m.namespaces = remapPool(seg.pools.namespaces, pools.namespaces);
        m.names = remapPool(seg.pools.names, pools.names);
        m.decisions = remapPool(seg.pools.decisions, pools.decisions);
        const std::vector<std::uint32_t> groups = remapPool(seg.pools.groups, pools.groups);
        m.groupSets.resize(seg.groupSetOffsets.size() - 1);
        for (std::size_t set = 0; set + 1 < seg.groupSetOffsets.size(); ++set) {
            key.clear();
            for (std::uint32_t i = seg.groupSetOffsets[set]; i < seg.groupSetOffsets[set + 1];
                 ++i) {
                const std::uint32_t global = groups[seg.groupSetMembers[i]];
                key.append(reinterpret_cast<const char*>(&global), sizeof global);
            }
            const std::uint32_t id = groupSetKeys.intern(key);
            if (id + 1 == store->groupSetOffsets.size()) {
                for (std::size_t i = 0; i < key.size(); i += 4) {
                    std::uint32_t g;
                    std::memcpy(&g, key.data() + i, 4);
                    store->groupSetMembers.push_back(GroupId{g});
                }
                store->groupSetOffsets.push_back(
                    static_cast<std::uint32_t>(store->groupSetMembers.size()));
            }
            m.groupSets[set] = id;
        }
    }
    const auto groupSetCount = static_cast<std::uint32_t>(store->groupSetOffsets.size() - 1);

    // 2. Time order: sort each segment (in parallel), then merge.
    std::vector<std::vector<SortKey>> perSegment(segments.size());
    {
        std::vector<std::jthread> sorters;
        const unsigned parallel = std::max(1u, threads);
        for (unsigned t = 0; t < parallel; ++t) {
            sorters.emplace_back([&, t] {
                for (std::size_t s = t; s < segments.size(); s += parallel)
                    perSegment[s] = sortedKeys(*segments[s], static_cast<std::uint32_t>(s));
            });
        }
    }
    std::vector<SortKey> order;
    for (auto& keys : perSegment) {
        if (order.empty()) {
            order = std::move(keys);
            continue;
        }
        std::vector<SortKey> merged(order.size() + keys.size());
        std::merge(order.begin(), order.end(), keys.begin(), keys.end(), merged.begin());
        order = std::move(merged);
        std::vector<SortKey>().swap(keys);
    }
    const std::size_t n = order.size();

    auditIdMerger.join(); // the audit ID dictionary is complete

    // 3. Columns in time order.
    EventStore& st = *store;
    st.timeNs.resize(n);
    st.stageLatencyNs.resize(n);
    st.stage.resize(n);
    st.level.resize(n);
    st.flags.resize(n);
    st.code.resize(n);
    st.line.resize(n);
    st.rawOffset.resize(n);
    st.rawLength.resize(n);
    st.verb = PackedIdColumn<VerbId>(n, pools.verbs.size());
    st.user = PackedIdColumn<UserId>(n, pools.users.size());
    st.groupSet = PackedIdColumn<GroupSetId>(n, groupSetCount);
    st.impersonatedUser = PackedIdColumn<UserId>(n, pools.users.size());
    st.sourceIp = PackedIdColumn<SourceIpId>(n, pools.sourceIps.size());
    st.userAgent = PackedIdColumn<UserAgentId>(n, pools.userAgents.size());
    st.apiGroup = PackedIdColumn<ApiGroupId>(n, pools.apiGroups.size());
    st.apiVersion = PackedIdColumn<ApiVersionId>(n, pools.apiVersions.size());
    st.resource = PackedIdColumn<ResourceId>(n, pools.resources.size());
    st.subresource = PackedIdColumn<SubresourceId>(n, pools.subresources.size());
    st.namespaceId = PackedIdColumn<NamespaceId>(n, pools.namespaces.size());
    st.name = PackedIdColumn<NameId>(n, pools.names.size());
    st.decision = PackedIdColumn<DecisionId>(n, pools.decisions.size());
    st.auditId = PackedIdColumn<AuditIdId>(n, pools.auditIds.size());
    st.source = PackedIdColumn<SourceId>(n, static_cast<std::uint32_t>(st.sources.size()));
    auto mapped = [](const std::vector<std::uint32_t>& map, std::uint32_t local) {
        return local == UINT32_MAX ? UINT32_MAX : map[local];
    };
    // Where each segment row lands, for the few segments with extra sourceIPs entries.
    std::vector<std::vector<std::uint32_t>> finalRow(segments.size());
    for (std::size_t s = 0; s < segments.size(); ++s) {
        if (!segments[s]->extraSourceIps.empty())
            finalRow[s].resize(segments[s]->size());
    }
    auto writeRows = [&](std::size_t begin, std::size_t end, std::vector<SourceCounts>& partCounts,
                         std::vector<std::pair<std::size_t, std::int64_t>>& longLatencies) {
        for (std::size_t i = begin; i < end; ++i) {
            const SortKey& k = order[i];
            const Segment& seg = *segments[k.segment];
            const Maps& m = maps[k.segment];
            const std::uint32_t r = k.row;
            st.timeNs[i] = seg.timeNs[r];
            const std::int64_t latency = seg.stageTimeNs[r] - seg.timeNs[r];
            if (LatencyColumn::fitsInline(latency))
                st.stageLatencyNs.setInline(i, latency);
            else
                longLatencies.emplace_back(i, latency);
            st.stage[i] = seg.stage[r];
            st.level[i] = seg.level[r];
            st.flags[i] = seg.flags[r];
            st.code[i] = seg.code[r];
            st.line[i] = seg.line[r];
            st.rawOffset.set(i, seg.rawOffset[r]);
            st.rawLength[i] = seg.rawLength[r];
            st.verb.set(i, VerbId{mapped(m.verbs, seg.verb[r])});
            st.user.set(i, UserId{mapped(m.users, seg.user[r])});
            st.groupSet.set(i, GroupSetId{mapped(m.groupSets, seg.groupSet[r])});
            st.impersonatedUser.set(i, UserId{mapped(m.users, seg.impersonatedUser[r])});
            st.sourceIp.set(i, SourceIpId{mapped(m.sourceIps, seg.sourceIp[r])});
            st.userAgent.set(i, UserAgentId{mapped(m.userAgents, seg.userAgent[r])});
            st.apiGroup.set(i, ApiGroupId{mapped(m.apiGroups, seg.apiGroup[r])});
            st.apiVersion.set(i, ApiVersionId{mapped(m.apiVersions, seg.apiVersion[r])});
            st.resource.set(i, ResourceId{mapped(m.resources, seg.resource[r])});
            st.subresource.set(i, SubresourceId{mapped(m.subresources, seg.subresource[r])});
            st.namespaceId.set(i, NamespaceId{mapped(m.namespaces, seg.namespaceId[r])});
            st.name.set(i, NameId{mapped(m.names, seg.name[r])});
            st.decision.set(i, DecisionId{mapped(m.decisions, seg.decision[r])});
            st.auditId.set(i, AuditIdId{mapped(m.auditIds, seg.auditId[r])});
            st.source.set(i, SourceId{seg.source[r]});
            if (!finalRow[k.segment].empty())
                finalRow[k.segment][r] = static_cast<std::uint32_t>(i);
            {
                SourceCounts& c = partCounts[seg.source[r]];
                if (c.events == 0 || seg.timeNs[r] < c.firstTimeNs)
                    c.firstTimeNs = seg.timeNs[r];
                if (c.events == 0 || seg.timeNs[r] > c.lastTimeNs)
                    c.lastTimeNs = seg.timeNs[r];
                ++c.events;
            }
        }
    };
    // Rows are independent: write them on all threads, in contiguous ranges.
    const unsigned parts = std::max(1u, threads);
    std::vector<std::vector<SourceCounts>> partCounts(
        parts, std::vector<SourceCounts>(st.sources.size()));
    std::vector<std::vector<std::pair<std::size_t, std::int64_t>>> longLatencies(parts);
    {
        std::vector<std::jthread> writers;
        for (unsigned t = 1; t < parts; ++t)
            writers.emplace_back([&, t] {
                writeRows(n * t / parts, n * (t + 1) / parts, partCounts[t], longLatencies[t]);
            });
        writeRows(0, n / parts, partCounts[0], longLatencies[0]);
    }
    for (std::size_t s = 0; s < segments.size(); ++s) {
        for (const auto& [row, ip] : segments[s]->extraSourceIps)
            st.extraSourceIps.push_back({finalRow[s][row], SourceIpId{maps[s].sourceIps[ip]}});
    }
    std::stable_sort(st.extraSourceIps.begin(), st.extraSourceIps.end(),
        [](const auto& a, const auto& b) { return a.row < b.row; });
    for (const auto& part : longLatencies) {
        for (const auto& [row, latency] : part)
            st.stageLatencyNs.set(row, latency);
    }
    if (counts) {
        counts->assign(st.sources.size(), SourceCounts{});
        for (const auto& part : partCounts) {
            for (std::size_t src = 0; src < part.size(); ++src) {
                SourceCounts& total = (*counts)[src];
                const SourceCounts& c = part[src];
                if (c.events == 0)
                    continue;
                if (total.events == 0 || c.firstTimeNs < total.firstTimeNs)
                    total.firstTimeNs = c.firstTimeNs;
                if (total.events == 0 || c.lastTimeNs > total.lastTimeNs)
                    total.lastTimeNs = c.lastTimeNs;
                total.events += c.events;
            }
        }
    }
    std::vector<SortKey>().swap(order);
    if (withIndexes) {
        const auto start = std::chrono::steady_clock::now();
        buildIndexes(st);
        if (indexSeconds)
            *indexSeconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    return store;
}

void buildIndexes(EventStore& st)
{
    const std::size_t n = st.size();
    EventIndexes& ix = st.indexes;
    auto ids = [n](const auto& column, std::uint32_t keyCount) {
        return PostingIndex::build(n, keyCount, [&](std::size_t row) { return column[row].value; });
    };
    // Independent lists; two threads halve the wall time on the 2-core target.
    std::jthread second([&] {
        ix.byUser = ids(st.user, st.pools.users.size());
        ix.byGroupSet = ids(st.groupSet, static_cast<std::uint32_t>(st.groupSetOffsets.size() - 1));
        ix.byVerb = ids(st.verb, st.pools.verbs.size());
        ix.byResource = ids(st.resource, st.pools.resources.size());
        ix.byNamespace = ids(st.namespaceId, st.pools.namespaces.size());
        ix.byName = ids(st.name, st.pools.names.size());
    });
    ix.byCode = PostingIndex::build(n, 1000, [&](std::size_t row) {
        return st.code[row] == 0 || st.code[row] >= 1000 ? UINT32_MAX : std::uint32_t(st.code[row]);
    });
    ix.byStage = PostingIndex::build(
        n, StageCount, [&](std::size_t row) { return std::uint32_t(st.stage[row]); });
    ix.byLevel = PostingIndex::build(
        n, LevelCount, [&](std::size_t row) { return std::uint32_t(st.level[row]); });
    // Every entry of sourceIPs, so that `ip:` finds an address anywhere in the chain.
    std::size_t extra = 0;
    ix.bySourceIp =
        PostingIndex::buildMulti(n, st.pools.sourceIps.size(), [&](std::size_t row, auto&& emit) {
            if (row == 0)
                extra = 0; // buildMulti makes two passes
            if (const SourceIpId first = st.sourceIp[row])
                emit(first.value);
            for (; extra < st.extraSourceIps.size() && st.extraSourceIps[extra].row == row; ++extra)
                emit(st.extraSourceIps[extra].ip.value);
        });
    ix.byUserAgent = ids(st.userAgent, st.pools.userAgents.size());
    ix.byAuditId = ids(st.auditId, st.pools.auditIds.size());
    second.join();
    st.indexed = true;
}

} // namespace auditscope
