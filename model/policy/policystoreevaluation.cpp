// SPDX-License-Identifier: Apache-2.0
#include "policystoreevaluation.h"

#include "policy/requestattributes.h"
#include "report/rawfieldreader.h"

#include <algorithm>
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

} // namespace

std::shared_ptr<const PolicyAttributeIndex> PolicyAttributeIndex::build(EventStorePtr storePtr)
{
    std::shared_ptr<PolicyAttributeIndex> index(new PolicyAttributeIndex());
    index->m_store = std::move(storePtr);
    const EventStore& store = *index->m_store;
    const std::size_t n = store.size();
    index->m_tupleOfEvent.resize(n);

    // Store pool id -> own pool id, filled lazily.
    std::vector<std::uint32_t> namespaceMap(store.pools.namespaces.size(), UINT32_MAX);
    std::vector<std::uint32_t> nameMap(store.pools.names.size(), UINT32_MAX);
    auto mapped = [&](std::vector<std::uint32_t>& map, const StringPool& pool, auto id) {
        if (!id)
            return index->m_strings.intern("");
        std::uint32_t& slot = map[id.value];
        if (slot == UINT32_MAX)
            slot = index->m_strings.intern(pool.view(id.value));
        return slot;
    };
    auto raw = [](auto id) { return id ? id.value : UINT32_MAX; };

    const std::uint32_t createVerb = store.pools.verbs.find("create");
    const std::uint32_t updateVerb = store.pools.verbs.find("update");

    RawFieldReader reader;
    std::unordered_map<Tuple, std::uint32_t, TupleHash> seen;
    for (std::size_t row = 0; row < n; ++row) {
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
            t.namespaceName = mapped(namespaceMap, store.pools.namespaces, store.namespaceId[row]);
            t.name = mapped(nameMap, store.pools.names, store.name[row]);
            if (t.verb != UINT32_MAX && (t.verb == createVerb || t.verb == updateVerb)) {
                // Handlers fill objectRef from the body after evaluation (spec §5.2).
                if (const auto uri = reader.topLevelString(store, id, "requestURI")) {
                    const ParsedRequestUri parsed = parseRequestUri(*uri);
                    if (parsed.isResourceRequest) {
                        t.namespaceName = index->m_strings.intern(parsed.namespaceName);
                        t.name = index->m_strings.intern(parsed.name);
                    }
                }
            }
        } else {
            const auto uri = reader.topLevelString(store, id, "requestURI");
            t.path = index->m_strings.intern(uri ? decodedPath(*uri) : std::string());
        }
        const auto [it, inserted] =
            seen.try_emplace(t, static_cast<std::uint32_t>(index->m_tuples.size()));
        if (inserted)
            index->m_tuples.push_back(t);
        index->m_tupleOfEvent[row] = it->second;
    }
    index->m_slotOfEvent.resize(n);
    index->m_eventsPerTuple.assign(index->m_tuples.size(), 0);
    for (std::size_t row = 0; row < n; ++row) {
        const std::uint32_t t = index->m_tupleOfEvent[row];
        index->m_slotOfEvent[row] = t * static_cast<std::uint32_t>(StageCount)
            + static_cast<std::uint32_t>(store.stage[row]);
        ++index->m_eventsPerTuple[t];
    }

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

namespace {

/// Runs fn(begin, end) over [0, n) split into `parts` contiguous ranges, the first on the
/// calling thread.
template <class Fn>
void parallelRanges(std::size_t n, unsigned parts, Fn fn)
{
    if (parts <= 1 || n < 2) {
        fn(std::size_t{0}, n);
        return;
    }
    std::vector<std::thread> workers;
    const std::size_t step = (n + parts - 1) / parts;
    for (unsigned p = 1; p < parts; ++p) {
        const std::size_t begin = std::min(n, p * step);
        const std::size_t end = std::min(n, begin + step);
        if (begin < end)
            workers.emplace_back([=] { fn(begin, end); });
    }
    fn(std::size_t{0}, std::min(n, step));
    for (std::thread& w : workers)
        w.join();
}

} // namespace

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
