// SPDX-License-Identifier: Apache-2.0
#include "fieldvaluecounts.h"

#include "chain/chainintegrity.h"

#include <algorithm>
#include <array>

namespace auditscope {

namespace {

class ValueCounter
{
public:
    ValueCounter(const EventStorePtr& store, const PolicyQueryContext* policy,
        const FindingQueryContext* findings)
        : m_store(*store)
        , m_policy(policy && policy->covers(*store) ? policy : nullptr)
        , m_findings(findings && findings->covers(*store) ? findings : nullptr)
    { }

    std::vector<FieldValueCount> count(QueryField field)
    {
        switch (field) {
        case QueryField::Code:
            countCodes();
            break;
        case QueryField::Stage:
        case QueryField::Level:
            countStagesOrLevels(field == QueryField::Stage);
            break;
        case QueryField::Group:
            countGroups();
            break;
        case QueryField::Chain:
            countChainFlags();
            break;
        case QueryField::Rule:
            countRules();
            break;
        case QueryField::PolicyLevel:
        case QueryField::Emitted:
            countPolicyLevels(field == QueryField::Emitted);
            break;
        case QueryField::PolicyChange:
            countPolicyChanges();
            break;
        case QueryField::Warning:
            countFlagged();
            break;
        case QueryField::Finding:
            countFindings();
            break;
        case QueryField::Severity:
            countSeverities();
            break;
        default:
            countPooled(field);
            break;
        }
        std::stable_sort(m_out.begin(), m_out.end(),
            [](const FieldValueCount& a, const FieldValueCount& b) { return a.count > b.count; });
        return std::move(m_out);
    }

private:
    void add(std::uint32_t id, std::uint64_t count) { m_out.push_back({id, count}); }

    // Every key below `keys` that has events.
    void fromIndex(const PostingIndex& index, std::uint32_t keys)
    {
        for (std::uint32_t k = 0; k < keys && k < index.keyCount(); ++k)
            if (const std::uint32_t n = index.count(k))
                add(k, n);
    }

    template <class Column>
    void fromColumn(const Column& column, std::uint32_t keys)
    {
        std::vector<std::uint64_t> counts(keys, 0);
        column.countValues(counts);
        for (std::uint32_t k = 0; k < keys; ++k)
            if (counts[k])
                add(k, counts[k]);
    }

    template <class Column>
    void fromIndexOrColumn(const PostingIndex& index, const Column& column, std::uint32_t keys)
    {
        m_store.indexed ? fromIndex(index, keys) : fromColumn(column, keys);
    }

    // Fields whose values are pool ids (and file: source indexes).
    void countPooled(QueryField field)
    {
        const EventStore& s = m_store;
        const StringPools& pools = s.pools;
        const EventIndexes& ix = s.indexes;
        switch (field) {
        case QueryField::User:
            return fromIndexOrColumn(ix.byUser, s.user, pools.users.size());
        case QueryField::Verb:
            return fromIndexOrColumn(ix.byVerb, s.verb, pools.verbs.size());
        case QueryField::Resource:
            return fromIndexOrColumn(ix.byResource, s.resource, pools.resources.size());
        case QueryField::Namespace:
            return fromIndexOrColumn(ix.byNamespace, s.namespaceId, pools.namespaces.size());
        case QueryField::Name:
            return fromIndexOrColumn(ix.byName, s.name, pools.names.size());
        case QueryField::UserAgent:
            return fromIndexOrColumn(ix.byUserAgent, s.userAgent, pools.userAgents.size());
        case QueryField::Ip:
            return fromIndexOrColumn(ix.bySourceIp, s.sourceIp, pools.sourceIps.size());
        case QueryField::As:
            return fromColumn(s.impersonatedUser, pools.users.size());
        case QueryField::Subresource:
            return fromColumn(s.subresource, pools.subresources.size());
        case QueryField::ApiGroup:
            return fromColumn(s.apiGroup, pools.apiGroups.size());
        case QueryField::ApiVersion:
            return fromColumn(s.apiVersion, pools.apiVersions.size());
        case QueryField::Decision:
            return fromColumn(s.decision, pools.decisions.size());
        case QueryField::File:
            return fromColumn(s.source, static_cast<std::uint32_t>(s.sources.size()));
        default:
            return;
        }
    }

    // Indexed: the codes below 1000 (the index's keys); else every code but 0 (absent).
    void countCodes()
    {
        if (m_store.indexed)
            return fromIndex(m_store.indexes.byCode, 1000);
        std::vector<std::uint64_t> counts(65536, 0);
        for (std::uint16_t c : m_store.code)
            ++counts[c];
        for (std::uint32_t c = 1; c < 65536; ++c)
            if (counts[c])
                add(c, counts[c]);
    }

    void countStagesOrLevels(bool stage)
    {
        std::vector<std::uint64_t> counts(8, 0);
        if (m_store.indexed) {
            const PostingIndex& index = stage ? m_store.indexes.byStage : m_store.indexes.byLevel;
            for (std::uint32_t v = 1; v < 5; ++v)
                counts[v] = index.count(v);
        } else {
            for (std::size_t row = 0; row < m_store.size(); ++row)
                ++counts[stage ? std::size_t(m_store.stage[row]) : std::size_t(m_store.level[row])];
        }
        for (std::uint32_t v = 1; v < 5; ++v)
            if (counts[v])
                add(v, counts[v]);
    }

    // A group counts the events of every group set that holds it.
    void countGroups()
    {
        const EventStore& s = m_store;
        std::vector<std::uint64_t> counts(s.pools.groups.size(), 0);
        const auto sets = static_cast<std::uint32_t>(s.groupSetOffsets.size() - 1);
        std::vector<std::uint64_t> perSet(sets, 0);
        if (s.indexed) {
            for (std::uint32_t set = 0; set < sets; ++set)
                perSet[set] = s.indexes.byGroupSet.count(set);
        } else {
            for (std::size_t row = 0; row < s.size(); ++row)
                if (const GroupSetId set = s.groupSet[row])
                    ++perSet[set.value];
        }
        for (std::uint32_t set = 0; set < sets; ++set)
            for (GroupId g : s.groupsOf(GroupSetId{set}))
                counts[g.value] += perSet[set];
        for (std::uint32_t g = 0; g < counts.size(); ++g)
            if (counts[g])
                add(g, counts[g]);
    }

    // Values are the flag names (ids 0..ChainFlagCount-1) and "ok" (ChainFlagCount).
    void countChainFlags()
    {
        const ChainIntegrityPtr chains = cachedChainIntegrity(m_store);
        if (!chains)
            return;
        for (std::uint32_t i = 0; i < ChainFlagCount; ++i)
            if (const std::uint64_t n = chains->eventsWith(chainFlagInfos()[i].flag))
                add(i, n);
        if (const std::uint64_t n = chains->eventsWith(0))
            add(ChainFlagCount, n);
    }

    // Values: 0 = false, 1 = true (loaded with warnings).
    void countFlagged()
    {
        const std::uint64_t flagged =
            static_cast<std::uint64_t>(std::count_if(m_store.flags.begin(), m_store.flags.end(),
                [](std::uint8_t f) { return f & LoadedWithWarnings; }));
        if (flagged < m_store.size())
            add(0, m_store.size() - flagged);
        if (flagged)
            add(1, flagged);
    }

    // Values: rule index + 1 (0 = "none"), counted by the evaluation itself.
    void countRules()
    {
        if (!m_policy)
            return;
        const std::vector<std::uint64_t>& perRule = m_policy->result->eventsPerRule;
        for (std::uint32_t r = 0; r < perRule.size(); ++r)
            if (perRule[r])
                add(r, perRule[r]);
    }

    void countPolicyLevels(bool emitted)
    {
        if (!m_policy)
            return;
        std::array<std::uint64_t, 8> counts{};
        if (m_policy->levelsCounted) { // by the evaluation (this may be the GUI thread)
            const std::uint64_t events = m_policy->result->events.size();
            if (emitted) {
                counts[0] = events - m_policy->emittedEvents;
                counts[1] = m_policy->emittedEvents;
            } else {
                std::copy(m_policy->eventsPerLevel.begin(), m_policy->eventsPerLevel.end(),
                    counts.begin());
            }
        } else {
            for (const PolicyEventMatch m : m_policy->result->events)
                ++counts[emitted ? std::size_t(m.emitted()) : std::size_t(m.level()) & 7];
        }
        for (std::uint32_t v = 0; v < counts.size(); ++v)
            if (counts[v] && (emitted || v != 0))
                add(v, counts[v]);
    }

    // Counted by the comparison itself (per group of events, off the GUI thread).
    void countPolicyChanges()
    {
        if (!m_policy || !m_policy->comparesOn(m_store))
            return;
        for (std::uint32_t v = 0; v < m_policy->changeCounts.size(); ++v)
            if (m_policy->changeCounts[v])
                add(v, m_policy->changeCounts[v]);
    }

    // Values: rule indexes; an event counts once for each rule that flagged it.
    void countFindings()
    {
        if (!m_findings)
            return;
        std::vector<std::uint64_t> counts(m_findings->ruleIds.size(), 0);
        for (const std::uint32_t rule : m_findings->ruleIndexes)
            if (rule < counts.size())
                ++counts[rule];
        for (std::uint32_t r = 0; r < counts.size(); ++r)
            if (counts[r])
                add(r, counts[r]);
    }

    // Values: 1 + the highest severity that flagged the event (unflagged events are left out).
    void countSeverities()
    {
        if (!m_findings)
            return;
        std::array<std::uint64_t, 256> counts{};
        for (const std::uint8_t top : m_findings->topSeverity)
            ++counts[top];
        for (std::uint32_t v = 1; v < counts.size(); ++v)
            if (counts[v])
                add(v, counts[v]);
    }

    const EventStore& m_store;
    const PolicyQueryContext* m_policy; ///< null unless it covers the store
    const FindingQueryContext* m_findings; ///< null unless it covers the store
    std::vector<FieldValueCount> m_out;
};

} // namespace

std::vector<FieldValueCount> countFieldValues(const EventStorePtr& store,
    const PolicyQueryContext* policy, QueryField field, const FindingQueryContext* findings)
{
    return ValueCounter(store, policy, findings).count(field);
}

} // namespace auditscope
