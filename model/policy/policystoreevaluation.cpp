// SPDX-License-Identifier: Apache-2.0
#include "policystoreevaluation.h"

#include "policy/parallelranges.h"
#include "policy/requestattributes.h"
#include "report/rawfieldreader.h"
#include "report/rawjsonscan.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <unordered_map>

namespace auditscope {

namespace {

struct TupleHash
{
    std::size_t operator()(const PolicyAttributeIndex::Tuple& t) const
    {
        std::uint64_t h = 0x9E3779B97F4A7C15ull;
        for (const std::uint32_t v : {t.user, t.groupSet, t.verb, t.apiGroup, t.resource,
                 t.subresource, t.namespaceName, t.name, t.path, t.bits}) {
            h ^= v;
            h *= 0xFF51AFD7ED558CCDull;
            h ^= h >> 32;
        }
        return static_cast<std::size_t>(h);
    }
};

/// Tuple -> dense id, by open addressing (linear probing) over the tuples' own list: one probe
/// per event, mostly in cache, where std::unordered_map chases a node. Ids are given in the
/// order tuples are first seen.
class TupleIds
{
public:
    using Tuple = PolicyAttributeIndex::Tuple;

    /// The id of `t` in `tuples`, appended when new; `inserted` tells which.
    std::uint32_t idOf(const Tuple& t, std::vector<Tuple>& tuples, bool& inserted)
    {
        if ((tuples.size() + 1) * 2 > m_slots.size())
            grow(tuples);
        const std::uint64_t hash = TupleHash{}(t);
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
            const std::uint64_t slot = m_slots[i];
            if (slot == 0) { // empty: a new tuple
                const auto id = static_cast<std::uint32_t>(tuples.size());
                tuples.push_back(t);
                m_slots[i] = (hash & ~0xFFFFFFFFull) | (std::uint64_t(id) + 1);
                inserted = true;
                return id;
            }
            const auto id = static_cast<std::uint32_t>((slot & 0xFFFFFFFFull) - 1);
            if ((slot >> 32) == (hash >> 32) && tuples[id] == t) {
                inserted = false;
                return id;
            }
        }
    }

private:
    void grow(const std::vector<Tuple>& tuples)
    {
        m_slots.assign(std::max<std::size_t>(1024, m_slots.size() * 2), 0);
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t id = 0; id < tuples.size(); ++id) {
            const std::uint64_t hash = TupleHash{}(tuples[id]);
            std::size_t i = hash & mask;
            while (m_slots[i] != 0)
                i = (i + 1) & mask;
            m_slots[i] = (hash & ~0xFFFFFFFFull) | (std::uint64_t(id) + 1);
        }
    }

    std::vector<std::uint64_t> m_slots; // hash's high 32 bits, id + 1; 0 = empty
};

} // namespace

namespace {

/// The request URI's part of a tuple, per distinct URI: the namespace and name it names (create
/// and update) or its decoded path (non-resource requests), in a range's own pool.
struct UriAttributes
{
    bool resourceRequest = false;
    std::uint32_t namespaceName = UINT32_MAX, name = UINT32_MAX, path = UINT32_MAX;
};

/// The tuples of one range of events, with namespaces, names and paths in the range's own pool
/// (merged into the index's afterwards). URIs repeat a lot (collection URLs for create, lease
/// URLs for update, /healthz): each distinct one is parsed once.
class RangeTuples
{
public:
    using Tuple = PolicyAttributeIndex::Tuple;

    explicit RangeTuples(const EventStore& store)
        : m_store(store)
        , m_namespaceMap(store.pools.namespaces.size(), UINT32_MAX)
        , m_nameMap(store.pools.names.size(), UINT32_MAX)
        , m_createVerb(store.pools.verbs.find("create"))
        , m_updateVerb(store.pools.verbs.find("update"))
    { }

    /// Fills localTuple[begin, end) with this range's own tuple ids; false when stopped.
    bool collect(
        std::size_t begin, std::size_t end, std::uint32_t* localTuple, const std::stop_token& stop);

    StringPool strings; ///< namespaces, names and paths as the policy saw them
    std::vector<Tuple> tuples;
    std::vector<std::uint64_t> eventsPerTuple;

private:
    Tuple tupleOf(std::size_t row);
    /// The event's requestURI up to its query (nullopt: none, or not a string).
    std::optional<std::string_view> requestPath(EventId id);
    /// What the policy reads from a requestURI without its query (parsed once per distinct one).
    const UriAttributes& uriAttributes(std::string_view uriPath);
    template <class Id>
    std::uint32_t mapped(std::vector<std::uint32_t>& map, const StringPool& pool, Id id)
    {
        if (!id)
            return strings.intern("");
        std::uint32_t& slot = map[id.value];
        if (slot == UINT32_MAX)
            slot = strings.intern(pool.view(id.value));
        return slot;
    }

    const EventStore& m_store;
    std::vector<std::uint32_t> m_namespaceMap, m_nameMap; // store pool id -> own pool id
    std::uint32_t m_createVerb, m_updateVerb;
    TupleIds m_ids;
    StringPool m_uris; // distinct request paths; m_uriAttributes is indexed by their ids
    std::vector<UriAttributes> m_uriAttributes;
    RawFieldReader m_reader; // for the lines a byte scan does not decide
    std::string m_unescaped;
};

std::optional<std::string_view> RangeTuples::requestPath(EventId id)
{
    // The policy reads only the path (parseRequestUri and decodedPath stop at '?'), and the raw
    // bytes before the first '?' are the string's own when they hold no escape: Go writes `&`
    // in query strings as \u0026, which would otherwise send most list URLs to the parser.
    const RawScan scan = scanTopLevelString(m_store.rawJson(id), "requestURI");
    if (scan.result == RawScanResult::Absent)
        return std::nullopt;
    if (scan.result == RawScanResult::Found) {
        const std::string_view path = scan.value.substr(0, scan.value.find('?'));
        if (!scan.escaped || path.find('\\') == std::string_view::npos)
            return path;
    }
    std::optional<std::string> parsed = m_reader.topLevelString(m_store, id, "requestURI");
    if (!parsed)
        return std::nullopt;
    m_unescaped = std::move(*parsed);
    return std::string_view(m_unescaped).substr(0, m_unescaped.find('?'));
}

const UriAttributes& RangeTuples::uriAttributes(std::string_view uriPath)
{
    const std::uint32_t id = m_uris.intern(uriPath);
    if (id < m_uriAttributes.size())
        return m_uriAttributes[id];
    UriAttributes a;
    const ParsedRequestUri parsed = parseRequestUri(uriPath);
    a.resourceRequest = parsed.isResourceRequest;
    if (parsed.isResourceRequest) {
        a.namespaceName = strings.intern(parsed.namespaceName);
        a.name = strings.intern(parsed.name);
    }
    a.path = strings.intern(parsed.path); // decodedPath(uriPath)
    m_uriAttributes.push_back(a);
    return m_uriAttributes.back();
}

PolicyAttributeIndex::Tuple RangeTuples::tupleOf(std::size_t row)
{
    auto raw = [](auto id) { return id ? id.value : UINT32_MAX; };
    const EventStore& store = m_store;
    const EventId id{static_cast<std::uint32_t>(row)};
    const std::uint8_t flags = store.flags[row];
    Tuple t{};
    const bool hasUser = !(flags & NoUser);
    const bool isResource = (flags & HasObjectRef) != 0;
    t.bits = (hasUser ? 1u : 0u) | (isResource ? 2u : 0u);
    t.user = hasUser ? raw(store.user[row]) : UINT32_MAX;
    t.groupSet = hasUser ? raw(store.groupSet[row]) : UINT32_MAX;
    t.verb = raw(store.verb[row]);
    t.apiGroup = t.resource = t.subresource = UINT32_MAX;
    t.namespaceName = t.name = t.path = UINT32_MAX;
    if (isResource) {
        t.apiGroup = raw(store.apiGroup[row]);
        t.resource = raw(store.resource[row]);
        t.subresource = raw(store.subresource[row]);
        t.namespaceName = mapped(m_namespaceMap, store.pools.namespaces, store.namespaceId[row]);
        t.name = mapped(m_nameMap, store.pools.names, store.name[row]);
        if (t.verb != UINT32_MAX && (t.verb == m_createVerb || t.verb == m_updateVerb)) {
            // Handlers fill objectRef from the body after evaluation (spec §5.2).
            if (const auto uri = requestPath(id)) {
                const UriAttributes& a = uriAttributes(*uri);
                if (a.resourceRequest) {
                    t.namespaceName = a.namespaceName;
                    t.name = a.name;
                }
            }
        }
    } else {
        const auto uri = requestPath(id);
        t.path = uri ? uriAttributes(*uri).path : strings.intern("");
    }
    return t;
}

bool RangeTuples::collect(
    std::size_t begin, std::size_t end, std::uint32_t* localTuple, const std::stop_token& stop)
{
    for (std::size_t row = begin; row < end; ++row) {
        if (row % 65536 == 0 && stop.stop_requested())
            return false;
        bool inserted = false;
        const std::uint32_t id = m_ids.idOf(tupleOf(row), tuples, inserted);
        if (inserted)
            eventsPerTuple.push_back(0);
        ++eventsPerTuple[id];
        localTuple[row] = id;
    }
    return true;
}

} // namespace

std::shared_ptr<const PolicyAttributeIndex> PolicyAttributeIndex::build(
    EventStorePtr storePtr, unsigned threads, std::stop_token stop)
{
    std::shared_ptr<PolicyAttributeIndex> index(new PolicyAttributeIndex());
    index->m_store = std::move(storePtr);
    const EventStore& store = *index->m_store;
    const std::size_t n = store.size();
    // The slot column holds each range's own tuple ids until they are merged.
    index->m_slotOfEvent.resize(n);
    std::uint32_t* slotOfEvent = index->m_slotOfEvent.data();

    // 1. Each thread finds the tuples of its range of events (ids of its own).
    if (threads == 0)
        threads = passThreads(n);
    std::vector<std::unique_ptr<RangeTuples>> ranges;
    for (unsigned r = 0; r < threads; ++r)
        ranges.push_back(std::make_unique<RangeTuples>(store));
    std::atomic<bool> stopped = false;
    forEachRange(n, threads, [&](unsigned part, std::size_t begin, std::size_t end) {
        if (!ranges[part]->collect(begin, end, slotOfEvent, stop))
            stopped = true;
    });
    if (stopped)
        return nullptr;

    // 2. The ranges' tuples into one list (first seen first), and each range's ids into it.
    std::unordered_map<Tuple, std::uint32_t, TupleHash> seen;
    std::vector<std::vector<std::uint32_t>> globalOf(ranges.size());
    index->m_eventsPerTuple.clear();
    for (std::size_t r = 0; r < ranges.size(); ++r) {
        RangeTuples& range = *ranges[r];
        auto own = [&](std::uint32_t id) {
            return id == UINT32_MAX ? id : index->m_strings.intern(range.strings.view(id));
        };
        for (std::size_t local = 0; local < range.tuples.size(); ++local) {
            Tuple t = range.tuples[local];
            t.namespaceName = own(t.namespaceName);
            t.name = own(t.name);
            t.path = own(t.path);
            const auto [it, inserted] =
                seen.try_emplace(t, static_cast<std::uint32_t>(index->m_tuples.size()));
            if (inserted) {
                index->m_tuples.push_back(t);
                index->m_eventsPerTuple.push_back(0);
            }
            index->m_eventsPerTuple[it->second] += range.eventsPerTuple[local];
            globalOf[r].push_back(it->second);
        }
    }

    // 3. Per event: the index's tuple * StageCount + stage.
    forEachRange(n, threads, [&](unsigned part, std::size_t begin, std::size_t end) {
        const std::vector<std::uint32_t>& global = globalOf[part];
        for (std::size_t row = begin; row < end; ++row)
            slotOfEvent[row] = global[slotOfEvent[row]] * static_cast<std::uint32_t>(StageCount)
                + static_cast<std::uint32_t>(store.stage[row]);
    });

    const std::size_t groupSets =
        store.groupSetOffsets.empty() ? 0 : store.groupSetOffsets.size() - 1;
    index->m_groupViews.resize(groupSets);
    for (std::size_t s = 0; s < groupSets; ++s)
        for (const GroupId g : store.groupsOf(GroupSetId{static_cast<std::uint32_t>(s)}))
            index->m_groupViews[s].push_back(store.pools.groups.view(g.value));
    return index;
}

RequestAttributesView PolicyAttributeIndex::view(std::size_t i) const
{
    const Tuple& t = m_tuples[i];
    const StringPools& pools = m_store->pools;
    auto pooled = [](const StringPool& pool, std::uint32_t id) {
        return id == UINT32_MAX ? std::string_view() : pool.view(id);
    };
    RequestAttributesView v;
    v.hasUser = (t.bits & 1u) != 0;
    v.userName = pooled(pools.users, t.user);
    if (t.groupSet != UINT32_MAX && t.groupSet < m_groupViews.size())
        v.groups = m_groupViews[t.groupSet];
    v.verb = pooled(pools.verbs, t.verb);
    v.isResourceRequest = (t.bits & 2u) != 0;
    v.apiGroup = pooled(pools.apiGroups, t.apiGroup);
    v.resource = pooled(pools.resources, t.resource);
    v.subresource = pooled(pools.subresources, t.subresource);
    v.namespaceName = text(t.namespaceName);
    v.name = text(t.name);
    v.path = text(t.path);
    return v;
}

RequestAttributes PolicyAttributeIndex::attributes(std::size_t i) const
{
    const RequestAttributesView v = view(i);
    RequestAttributes a;
    if (v.hasUser) {
        UserAttributes user;
        user.name = std::string(v.userName);
        for (const std::string_view g : v.groups)
            user.groups.emplace_back(g);
        a.user = std::move(user);
    }
    a.verb = std::string(v.verb);
    a.isResourceRequest = v.isResourceRequest;
    a.apiGroup = std::string(v.apiGroup);
    a.resource = std::string(v.resource);
    a.subresource = std::string(v.subresource);
    a.namespaceName = std::string(v.namespaceName);
    a.name = std::string(v.name);
    a.path = std::string(v.path);
    return a;
}

PolicyAttributeUse attributeUseOf(const Policy& policy)
{
    PolicyAttributeUse use;
    for (const PolicyRule& rule : policy.rules) {
        use.userName |= !rule.users.empty();
        use.groups |= !rule.userGroups.empty();
        use.verb |= !rule.verbs.empty();
        use.namespaceName |= !rule.namespaces.empty();
        use.groupResource |= !rule.resources.empty();
        for (const GroupResources& gr : rule.resources)
            use.name |= !gr.resourceNames.empty();
        // nonResourceURLs are read only when the rule has neither namespaces nor resources.
        use.path |=
            !rule.nonResourceURLs.empty() && rule.namespaces.empty() && rule.resources.empty();
    }
    return use;
}

PolicyStoreResult evaluateStore(
    const PolicyEvaluator& evaluator, const PolicyAttributeIndex& index, unsigned threads)
{
    PolicyStoreResult result;
    evaluateStoreInto(result, evaluator, index, threads);
    return result;
}

void evaluateStoreInto(PolicyStoreResult& result, const PolicyEvaluator& evaluator,
    const PolicyAttributeIndex& index, unsigned threads)
{
    if (threads == 0)
        threads = std::clamp(std::thread::hardware_concurrency(), 1u, 2u);
    const std::size_t tuples = index.tupleCount();

    // 1. Key the tuples on what the policy reads; one representative full tuple per key.
    const PolicyAttributeUse use = attributeUseOf(evaluator.policy());
    std::vector<std::uint32_t> keyOfTuple(tuples);
    std::vector<std::uint32_t> representative;
    {
        std::unordered_map<PolicyAttributeIndex::Tuple, std::uint32_t, TupleHash> keys;
        keys.reserve(std::min<std::size_t>(tuples, 1 << 16));
        for (std::size_t t = 0; t < tuples; ++t) {
            PolicyAttributeIndex::Tuple k = index.tuple(t);
            if (!use.userName)
                k.user = UINT32_MAX;
            if (!use.groups)
                k.groupSet = UINT32_MAX;
            if (!use.userName && !use.groups)
                k.bits &= ~1u;
            if (!use.verb)
                k.verb = UINT32_MAX;
            if (!use.groupResource)
                k.apiGroup = k.resource = k.subresource = UINT32_MAX;
            if (!use.namespaceName)
                k.namespaceName = UINT32_MAX;
            if (!use.name)
                k.name = UINT32_MAX;
            if (!use.path)
                k.path = UINT32_MAX;
            const auto [it, inserted] =
                keys.try_emplace(k, static_cast<std::uint32_t>(representative.size()));
            if (inserted)
                representative.push_back(static_cast<std::uint32_t>(t));
            keyOfTuple[t] = it->second;
        }
    }
    result.keyedTuples = representative.size();

    // 2. Evaluate each key once (in parallel when there are many).
    std::vector<PolicyDecision> keyDecisions(representative.size());
    parallelRanges(representative.size(), representative.size() >= 4096 ? threads : 1,
        [&](std::size_t begin, std::size_t end) {
            for (std::size_t k = begin; k < end; ++k)
                keyDecisions[k] = evaluator.evaluate(index.view(representative[k]));
        });

    // 3. Per tuple and stage, the packed 4-byte outcome; per rule, the event count.
    result.tupleDecisions.resize(tuples);
    result.tupleDecisions.shrink_to_fit();
    std::vector<PolicyEventMatch> slotTable(tuples * StageCount);
    result.eventsPerRule.assign(evaluator.policy().rules.size() + 1, 0);
    const std::vector<std::uint64_t>& perTuple = index.eventsPerTuple();
    for (std::size_t t = 0; t < tuples; ++t) {
        const PolicyDecision& d = keyDecisions[keyOfTuple[t]];
        result.tupleDecisions[t] = d;
        for (int s = 0; s < StageCount; ++s)
            slotTable[t * StageCount + static_cast<std::size_t>(s)] = PolicyEventMatch(
                d.ruleIndex, d.level, d.emitted(static_cast<Stage>(s)), d.omitManagedFields);
        result.eventsPerRule[static_cast<std::size_t>(d.ruleIndex + 1)] += perTuple[t];
    }

    // 4. Map back: one gather per event over the uint32 slot column, split over the threads.
    const std::vector<std::uint32_t>& slots = index.slotOfEvent();
    const std::size_t n = slots.size();
    result.events.resize(n); // in place when `result` is reused: no page faults
    const std::uint32_t* slot = slots.data();
    const PolicyEventMatch* table = slotTable.data();
    PolicyEventMatch* out = result.events.data();
    parallelRanges(n, n >= (1u << 16) ? threads : 1, [=](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            out[i] = table[slot[i]];
    });
}

} // namespace auditscope
