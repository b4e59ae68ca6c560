// SPDX-License-Identifier: Apache-2.0
#include "storebuilder.h"

#include "store/timeorder.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

namespace auditscope {

namespace {

// Local id -> global id for one pool kind of one segment. Entry 0 stands for "none", so that a
// local UINT32_MAX maps to UINT32_MAX without a branch (local + 1 wraps to 0).
struct IdMap
{
    std::vector<std::uint32_t> global{UINT32_MAX};

    std::uint32_t operator()(std::uint32_t local) const
    {
        return global[static_cast<std::uint32_t>(local + 1)];
    }
};

// The id maps of one segment, per pool kind.
struct SegmentMaps
{
    IdMap verbs, users, sourceIps, userAgents, apiGroups, apiVersions, resources, subresources,
        namespaces, names, decisions, auditIds, groupSets;
};

// Rows whose stage latency does not fit the column's inline width, set after the parallel
// write: (row, latency).
using LongLatencies = std::vector<std::pair<std::size_t, std::int64_t>>;

IdMap remapPool(const StringPool& local, StringPool& global)
{
    IdMap map;
    map.global.resize(std::size_t(local.size()) + 1);
    for (std::uint32_t id = 0; id < local.size(); ++id)
        map.global[id + 1] = global.intern(local.view(id));
    return map;
}

void mergeAuditIds(const std::vector<const Segment*>& segments, AuditIdPool& global,
    std::vector<SegmentMaps>& maps)
{
    // Sized once for all: a request's events are mostly in one segment, so the sum is close to
    // the number of distinct IDs, and the table is never rehashed nor the entries copied.
    std::size_t upperBound = 0;
    for (const Segment* segment : segments)
        upperBound += segment->pools.auditIds.size();
    global.reserve(upperBound);
    for (std::size_t s = 0; s < segments.size(); ++s) {
        const AuditIdPool& local = segments[s]->pools.auditIds;
        std::vector<std::uint32_t>& map = maps[s].auditIds.global;
        map.resize(std::size_t(local.size()) + 1);
        global.internAllFrom(local, map.data() + 1);
    }
}

// A segment's group sets (lists of its local group ids) as global sets. A set is keyed by the
// bytes of its global group ids in `setKeys`, so equal sets from any segment get one id; a new
// set's members are appended to the store. `key` is scratch space.
IdMap remapGroupSets(const Segment& seg, const IdMap& groups, StringPool& setKeys, std::string& key,
    EventStore& store)
{
    IdMap map;
    map.global.resize(seg.groupSetOffsets.size());
    for (std::size_t set = 0; set + 1 < seg.groupSetOffsets.size(); ++set) {
        key.clear();
        for (std::uint32_t i = seg.groupSetOffsets[set]; i < seg.groupSetOffsets[set + 1]; ++i) {
            const std::uint32_t global = groups(seg.groupSetMembers[i]);
            key.append(reinterpret_cast<const char*>(&global), sizeof global);
        }
        const std::uint32_t id = setKeys.intern(key);
        if (id + 1 == store.groupSetOffsets.size()) {
            for (std::size_t i = 0; i < key.size(); i += 4) {
                std::uint32_t g;
                std::memcpy(&g, key.data() + i, 4);
                store.groupSetMembers.push_back(GroupId{g});
            }
            store.groupSetOffsets.push_back(
                static_cast<std::uint32_t>(store.groupSetMembers.size()));
        }
        map.global[set + 1] = id;
    }
    return map;
}

// Every dictionary but the audit IDs into the store's pools, and each segment's id maps.
void mergeSmallDictionaries(
    const std::vector<const Segment*>& segments, EventStore& store, std::vector<SegmentMaps>& maps)
{
    StringPools& pools = store.pools;
    StringPool groupSetKeys;
    std::string key;
    for (std::size_t s = 0; s < segments.size(); ++s) {
        const Segment& seg = *segments[s];
        SegmentMaps& m = maps[s];
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
        const IdMap groups = remapPool(seg.pools.groups, pools.groups);
        m.groupSets = remapGroupSets(seg, groups, groupSetKeys, key, store);
    }
}

// Finds byte-identical events in the time order. Copies of one event have the same receive and
// stage times, so they sit in one run of equal times; within a run the cheap parts (auditID,
// stage, raw length) are compared first and the raw bytes last. Never a hash alone: two events
// are the same only if every byte is. Copies within one source count too: kube-apiserver writes
// each (auditID, stage) once, so a repeated line comes from concatenated or replayed files; the
// load report names it, so nothing is hidden.
class DuplicateFinder
{
public:
    /// A copy (`duplicate`) of the event at `kept`, both indexes into the time order; `kept`
    /// is the copy earliest in that order (first source, then first in the file).
    struct Pair
    {
        std::uint32_t kept, duplicate;
    };

    DuplicateFinder(const std::vector<const Segment*>& segments, const EventNumbering& numbering,
        const std::vector<SegmentMaps>& maps, const std::vector<SourceInfo>& sources,
        const std::vector<OrderKey>& order)
        : m_segments(segments)
        , m_numbering(numbering)
        , m_maps(maps)
        , m_sources(sources)
        , m_order(order)
    { }

    std::vector<Pair> find() const
    {
        std::vector<Pair> pairs;
        std::vector<std::uint32_t> scratch;
        const std::size_t n = m_order.size();
        for (std::size_t begin = 0; begin < n;) {
            std::size_t end = begin + 1;
            while (end < n && sameTimes(m_order[begin], m_order[end], m_segments, m_numbering))
                ++end;
            const auto first = static_cast<std::uint32_t>(begin);
            if (end - begin == 2 && compare(first, first + 1) == 0)
                pairs.push_back(Pair{first, first + 1});
            else if (end - begin > 2)
                findInRun(begin, end, scratch, pairs);
            begin = end;
        }
        return pairs;
    }

private:
    // Rows with equal times [begin, end): sorted by identity (then order), copies are neighbours
    // and the first of each group is the earliest.
    void findInRun(std::size_t begin, std::size_t end, std::vector<std::uint32_t>& rows,
        std::vector<Pair>& pairs) const
    {
        rows.resize(end - begin);
        for (std::size_t i = begin; i < end; ++i)
            rows[i - begin] = static_cast<std::uint32_t>(i);
        std::sort(rows.begin(), rows.end(), [this](std::uint32_t a, std::uint32_t b) {
            const int c = compare(a, b);
            return c != 0 ? c < 0 : a < b;
        });
        std::size_t first = 0;
        for (std::size_t i = 1; i < rows.size(); ++i) {
            if (compare(rows[first], rows[i]) == 0)
                pairs.push_back(Pair{rows[first], rows[i]});
            else
                first = i;
        }
    }

    // Orders two rows of one run by auditID, stage, then their raw JSON without surrounding
    // whitespace (a JSON line keeps its spaces; CRLF and LF copies are the same event): length
    // first, then bytes.
    int compare(std::uint32_t a, std::uint32_t b) const
    {
        const auto [segA, rowA] = m_numbering.locate(m_order[a].event);
        const auto [segB, rowB] = m_numbering.locate(m_order[b].event);
        const Segment& sa = *m_segments[segA];
        const Segment& sb = *m_segments[segB];
        const std::uint32_t idA = m_maps[segA].auditIds(sa.auditId[rowA]);
        const std::uint32_t idB = m_maps[segB].auditIds(sb.auditId[rowB]);
        if (idA != idB)
            return idA < idB ? -1 : 1;
        if (sa.stage[rowA] != sb.stage[rowB])
            return sa.stage[rowA] < sb.stage[rowB] ? -1 : 1;
        const std::string_view rawA = raw(sa, rowA), rawB = raw(sb, rowB);
        if (rawA.size() != rawB.size())
            return rawA.size() < rawB.size() ? -1 : 1;
        return rawA.compare(rawB);
    }

    std::string_view raw(const Segment& seg, std::uint32_t row) const
    {
        std::string_view text = m_sources[seg.source[row]].buffer->bytes().substr(
            seg.rawOffset[row], seg.rawLength[row]);
        constexpr std::string_view Blank = " \t\r\n";
        const std::size_t first = text.find_first_not_of(Blank);
        if (first == std::string_view::npos)
            return {};
        text.remove_prefix(first);
        return text.substr(0, text.find_last_not_of(Blank) + 1);
    }

    const std::vector<const Segment*>& m_segments;
    const EventNumbering& m_numbering;
    const std::vector<SegmentMaps>& m_maps;
    const std::vector<SourceInfo>& m_sources;
    const std::vector<OrderKey>& m_order;
};

// Removes the duplicates from `order` and records each one's place (source, line) at the store
// row its kept copy will have.
void dropDuplicates(const std::vector<const Segment*>& segments, const EventNumbering& numbering,
    const std::vector<DuplicateFinder::Pair>& pairs, std::vector<OrderKey>& order, EventStore& st)
{
    std::vector<std::uint32_t> dropped;
    dropped.reserve(pairs.size());
    for (const auto& p : pairs)
        dropped.push_back(p.duplicate);
    std::sort(dropped.begin(), dropped.end());
    // A kept entry moves up by the number of dropped entries before it.
    for (const auto& p : pairs) {
        const auto [segment, row] = numbering.locate(order[p.duplicate].event);
        const Segment& seg = *segments[segment];
        const auto before =
            std::lower_bound(dropped.begin(), dropped.end(), p.kept) - dropped.begin();
        st.duplicatePlaces.push_back({p.kept - static_cast<std::uint32_t>(before),
            SourceId{seg.source[row]}, seg.line[row]});
    }
    std::sort(
        st.duplicatePlaces.begin(), st.duplicatePlaces.end(), [](const auto& a, const auto& b) {
            return std::tie(a.row, a.source, a.line) < std::tie(b.row, b.source, b.line);
        });
    std::size_t write = 0, next = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
        if (next < dropped.size() && dropped[next] == i)
            ++next;
        else
            order[write++] = order[i];
    }
    order.resize(write);
}

// Sizes every column for `n` rows; id columns get the bit width of their (complete) pools.
// Sizing zero-fills (and so faults in) every page: the wide columns are sized on a second thread.
void sizeColumns(EventStore& st, std::size_t n)
{
    std::jthread wide([&] {
        st.timeNs.resize(n);
        st.stageLatencyNs.resize(n);
        st.line.resize(n);
        st.rawOffset.resize(n);
    });
    const StringPools& pools = st.pools;
    const auto groupSetCount = static_cast<std::uint32_t>(st.groupSetOffsets.size() - 1);
    st.stage.resize(n);
    st.level.resize(n);
    st.flags.resize(n);
    st.code.resize(n);
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
}

// Copies segment rows into the store's sized columns in time order. Rows are independent, so
// several threads write disjoint ranges of one writer at once.
class RowWriter
{
public:
    RowWriter(const std::vector<const Segment*>& segments, const EventNumbering& numbering,
        const std::vector<SegmentMaps>& maps, const std::vector<OrderKey>& order, EventStore& st)
        : m_segments(segments)
        , m_numbering(numbering)
        , m_maps(maps)
        , m_order(order)
        , m_st(st)
        , m_finalRow(segments.size())
    {
        // Only the few segments with extra sourceIPs entries need to know where rows land.
        for (std::size_t s = 0; s < segments.size(); ++s) {
            if (!segments[s]->extraSourceIps.empty())
                m_finalRow[s].assign(segments[s]->size(), Dropped);
        }
    }

    // Writes store rows [begin, end), counting events per source into `counts`.
    void write(std::size_t begin, std::size_t end, std::vector<SourceCounts>& counts,
        LongLatencies& longLatencies)
    {
        for (std::size_t i = begin; i < end; ++i) {
            const OrderKey& k = m_order[i];
            const auto [segment, row] = m_numbering.locate(k.event);
            const Segment& seg = *m_segments[segment];
            copyRow(i, k, seg, m_maps[segment], row, longLatencies);
            if (!m_finalRow[segment].empty())
                m_finalRow[segment][row] = static_cast<std::uint32_t>(i);
            countSource(counts[seg.source[row]], k.timeNs);
        }
    }

    // The extra sourceIPs entries of all segments, at their rows in the store (after write()).
    void addExtraSourceIps()
    {
        for (std::size_t s = 0; s < m_segments.size(); ++s) {
            for (const auto& [row, ip] : m_segments[s]->extraSourceIps) {
                if (m_finalRow[s][row] != Dropped) // a duplicate's are its kept copy's
                    m_st.extraSourceIps.push_back(
                        {m_finalRow[s][row], SourceIpId{m_maps[s].sourceIps(ip)}});
            }
        }
        std::stable_sort(m_st.extraSourceIps.begin(), m_st.extraSourceIps.end(),
            [](const auto& a, const auto& b) { return a.row < b.row; });
    }

private:
    // Inlined: it is the loop body of write(), the hot part of the merge.
    [[gnu::always_inline]] void copyRow(std::size_t i, const OrderKey& k, const Segment& seg,
        const SegmentMaps& m, std::uint32_t r, LongLatencies& longLatencies)
    {
        EventStore& st = m_st;
        st.timeNs[i] = k.timeNs;
        const std::int64_t latency = k.latencyUs != OrderKey::Inexact
            ? std::int64_t(k.latencyUs) * 1000
            : seg.stageTimeNs[r] - seg.timeNs[r];
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
        st.verb.set(i, VerbId{m.verbs(seg.verb[r])});
        st.user.set(i, UserId{m.users(seg.user[r])});
        st.groupSet.set(i, GroupSetId{m.groupSets(seg.groupSet[r])});
        st.impersonatedUser.set(i, UserId{m.users(seg.impersonatedUser[r])});
        st.sourceIp.set(i, SourceIpId{m.sourceIps(seg.sourceIp[r])});
        st.userAgent.set(i, UserAgentId{m.userAgents(seg.userAgent[r])});
        st.apiGroup.set(i, ApiGroupId{m.apiGroups(seg.apiGroup[r])});
        st.apiVersion.set(i, ApiVersionId{m.apiVersions(seg.apiVersion[r])});
        st.resource.set(i, ResourceId{m.resources(seg.resource[r])});
        st.subresource.set(i, SubresourceId{m.subresources(seg.subresource[r])});
        st.namespaceId.set(i, NamespaceId{m.namespaces(seg.namespaceId[r])});
        st.name.set(i, NameId{m.names(seg.name[r])});
        st.decision.set(i, DecisionId{m.decisions(seg.decision[r])});
        st.auditId.set(i, AuditIdId{m.auditIds(seg.auditId[r])});
        st.source.set(i, SourceId{seg.source[r]});
    }

    static constexpr std::uint32_t Dropped = UINT32_MAX; // a duplicate: not in the store

    static void countSource(SourceCounts& c, std::int64_t timeNs)
    {
        if (c.events == 0 || timeNs < c.firstTimeNs)
            c.firstTimeNs = timeNs;
        if (c.events == 0 || timeNs > c.lastTimeNs)
            c.lastTimeNs = timeNs;
        ++c.events;
    }

    const std::vector<const Segment*>& m_segments;
    const EventNumbering& m_numbering;
    const std::vector<SegmentMaps>& m_maps;
    const std::vector<OrderKey>& m_order;
    EventStore& m_st;
    std::vector<std::vector<std::uint32_t>> m_finalRow; // segment row -> store row, or empty
};

// The per-thread counts of each source added up.
void sumSourceCounts(
    const std::vector<std::vector<SourceCounts>>& partCounts, std::vector<SourceCounts>& counts)
{
    for (const auto& part : partCounts) {
        for (std::size_t src = 0; src < part.size(); ++src) {
            SourceCounts& total = counts[src];
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

// Fills the store's sized columns from the segments in `order`, on all threads in contiguous
// ranges; `counts` (if given) gets the events and time range of each source.
void writeColumns(const std::vector<const Segment*>& segments, const EventNumbering& numbering,
    const std::vector<SegmentMaps>& maps, const std::vector<OrderKey>& order, unsigned threads,
    EventStore& st, std::vector<SourceCounts>* counts)
{
    const std::size_t n = order.size();
    RowWriter writer(segments, numbering, maps, order, st);
    const unsigned parts = std::max(1u, threads);
    std::vector<std::vector<SourceCounts>> partCounts(
        parts, std::vector<SourceCounts>(st.sources.size()));
    std::vector<LongLatencies> longLatencies(parts);
    {
        std::vector<std::jthread> writers;
        for (unsigned t = 1; t < parts; ++t)
            writers.emplace_back([&, t] {
                writer.write(n * t / parts, n * (t + 1) / parts, partCounts[t], longLatencies[t]);
            });
        writer.write(0, n / parts, partCounts[0], longLatencies[0]);
    }
    writer.addExtraSourceIps();
    for (const auto& part : longLatencies) {
        for (const auto& [row, latency] : part)
            st.stageLatencyNs.set(row, latency);
    }
    if (counts) {
        counts->assign(st.sources.size(), SourceCounts{});
        sumSourceCounts(partCounts, *counts);
    }
}

} // namespace

std::shared_ptr<EventStore> buildEventStore(const std::vector<const Segment*>& segments,
    std::vector<SourceInfo> sources, bool withIndexes, unsigned threads,
    std::vector<SourceCounts>* counts, double* indexSeconds)
{
    auto store = std::make_shared<EventStore>();
    store->sources = std::move(sources);

    // 1. Global dictionaries and per-segment id maps. Audit IDs are the one big dictionary
    // (about one per two events): merge them on a second thread while this one merges the
    // small ones and sorts.
    std::vector<SegmentMaps> maps(segments.size());
    std::jthread auditIdMerger([&] { mergeAuditIds(segments, store->pools.auditIds, maps); });
    mergeSmallDictionaries(segments, *store, maps);

    // 2. Time order, each event once.
    const EventNumbering numbering(segments);
    std::vector<OrderKey> order = timeOrder(segments, numbering, threads);
    auditIdMerger.join(); // the audit ID dictionary is complete
    const auto duplicates =
        DuplicateFinder(segments, numbering, maps, store->sources, order).find();
    if (!duplicates.empty())
        dropDuplicates(segments, numbering, duplicates, order, *store);

    // 3. Columns in time order.
    sizeColumns(*store, order.size());
    writeColumns(segments, numbering, maps, order, threads, *store, counts);
    std::vector<OrderKey>().swap(order);
    if (withIndexes) {
        const auto start = std::chrono::steady_clock::now();
        buildIndexes(*store);
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
        return column.visit(
            [&](auto valueAt) { return PostingIndex::build(n, keyCount, valueAt); });
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
