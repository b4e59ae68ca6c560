// SPDX-License-Identifier: Apache-2.0
#include "policyimpact.h"

#include "policy/parallelranges.h"
#include "policy/policystoreevaluation.h"
#include "report/rawjsonscan.h"

#include <algorithm>
#include <atomic>

namespace auditscope {

namespace {

// Member sizes are found by skipping raw JSON (memchr from quote to quote, brackets counted).
using rawjson::skipSpace;
using rawjson::skipString;
using rawjson::skipValue;

void addTo(PolicyImpactRow& row, std::uint64_t recordedBytes, bool kept, std::uint64_t keptBytes,
    std::uint64_t stripped, bool raised)
{
    ++row.events;
    row.bytes += recordedBytes;
    if (kept) {
        ++row.keptEvents;
        row.keptBytes += keptBytes;
        if (stripped) {
            ++row.strippedEvents;
            row.strippedBytes += stripped;
        }
        row.raisedEvents += raised ? 1 : 0;
    } else {
        ++row.droppedEvents;
        row.droppedBytes += recordedBytes;
    }
}

/// addTo for `n` events at once: `stripped` bytes over `strippedEvents` of them.
void addMany(PolicyImpactRow& row, std::uint64_t n, std::uint64_t recordedBytes, bool kept,
    std::uint64_t keptBytes, std::uint64_t stripped, std::uint64_t strippedEvents, bool raised)
{
    row.events += n;
    row.bytes += recordedBytes;
    if (kept) {
        row.keptEvents += n;
        row.keptBytes += keptBytes;
        row.strippedEvents += strippedEvents;
        row.strippedBytes += stripped;
        row.raisedEvents += raised ? n : 0;
    } else {
        row.droppedEvents += n;
        row.droppedBytes += recordedBytes;
    }
}

void addUnknowns(PolicyImpact& impact)
{
    impact.unknowns.push_back(
        "Requests the recorded policy audited at None are not in the log: this policy may "
        "record them, and neither their number nor their size can be known.");
    if (impact.total.raisedEvents)
        impact.unknowns.push_back(std::to_string(impact.total.raisedEvents)
            + " kept events would be logged at a higher level than recorded: their request/"
              "response bodies were never recorded, so they are counted at their recorded size "
              "and the kept bytes are a lower bound.");
    if (impact.requestsMissingRequestReceived)
        impact.unknowns.push_back(std::to_string(impact.requestsMissingRequestReceived)
            + " requests would get a RequestReceived event that is not in the log (the recorded "
              "policy omitted that stage); these events are not counted.");
    impact.unknowns.push_back(
        "omitManagedFields is not re-estimated: bodies that are kept are counted as recorded.");
}

} // namespace

void PolicyImpactRow::add(const PolicyImpactRow& o)
{
    events += o.events;
    bytes += o.bytes;
    keptEvents += o.keptEvents;
    keptBytes += o.keptBytes;
    droppedEvents += o.droppedEvents;
    droppedBytes += o.droppedBytes;
    strippedEvents += o.strippedEvents;
    strippedBytes += o.strippedBytes;
    raisedEvents += o.raisedEvents;
}

namespace {

/// topLevelMemberBytes() for two keys in one pass over the line (requestObject comes before
/// responseObject: a second pass would skip the request body again).
void topLevelMembersBytes(
    std::string_view s, const std::string_view (&keys)[2], std::size_t (&bytes)[2])
{
    bytes[0] = bytes[1] = 0;
    std::size_t i = skipSpace(s, 0);
    if (i >= s.size() || s[i] != '{')
        return;
    i = skipSpace(s, i + 1);
    std::size_t previousEnd = std::string_view::npos; // end of the previous member
    int left = int(!keys[0].empty()) + int(!keys[1].empty());
    while (left > 0 && i < s.size() && s[i] == '"') {
        const std::size_t keyStart = i;
        const std::size_t keyEnd = skipString(s, i);
        if (keyEnd == std::string_view::npos)
            return;
        std::size_t v = skipSpace(s, keyEnd);
        if (v >= s.size() || s[v] != ':')
            return;
        const std::size_t valueEnd = skipValue(s, skipSpace(s, v + 1));
        if (valueEnd == std::string_view::npos)
            return;
        const std::size_t next = skipSpace(s, valueEnd);
        const std::string_view name = s.substr(keyStart + 1, keyEnd - keyStart - 2);
        for (int k = 0; k < 2; ++k) {
            if (keys[k].empty() || name != keys[k] || bytes[k] != 0)
                continue;
            if (next < s.size() && s[next] == ',') // `"k":v,` up to the next key
                bytes[k] = skipSpace(s, next + 1) - keyStart;
            else if (previousEnd != std::string_view::npos) // last member: `,"k":v`
                bytes[k] = valueEnd - previousEnd;
            else
                bytes[k] = valueEnd - keyStart; // the only member
            --left;
        }
        if (next >= s.size() || s[next] != ',')
            return;
        previousEnd = valueEnd;
        i = skipSpace(s, next + 1);
    }
}

} // namespace

std::size_t topLevelMemberBytes(std::string_view s, std::string_view key)
{
    std::size_t bytes[2];
    topLevelMembersBytes(s, {key, {}}, bytes);
    return bytes[0];
}

PolicyImpact computePolicyImpact(const PolicyAttributeIndex& index, const PolicyStoreResult& result)
{
    PolicyImpact impact;
    const EventStore& store = index.store();
    const std::size_t n = index.eventCount();
    impact.byRule.resize(result.eventsPerRule.empty() ? 1 : result.eventsPerRule.size());

    // Per auditID: stages seen, and whether the new policy writes RequestReceived.
    const std::size_t ids = store.pools.auditIds.size();
    std::vector<std::uint8_t> seenStages(ids, 0);
    std::vector<std::uint8_t> wantsRequestReceived(ids, 0);

    for (std::uint32_t row = 0; row < n; ++row) {
        const PolicyEventMatch m = result.events[row];
        const Level recorded = store.level[row];
        const Level decided = m.level();
        const std::uint8_t flags = store.flags[row];
        const std::uint64_t bytes = store.rawLength[row];
        std::uint64_t stripped = 0;
        bool raised = false;
        std::uint64_t keptBytes = bytes;
        if (m.emitted()) {
            const bool lowered = recorded != Level::Unknown && decided < recorded;
            if (lowered && (flags & (HasRequestObject | HasResponseObject))) {
                const std::string_view json = store.rawJson(EventId{row});
                if ((flags & HasRequestObject) && decided < Level::Request)
                    stripped += topLevelMemberBytes(json, "requestObject");
                if ((flags & HasResponseObject) && decided < Level::RequestResponse)
                    stripped += topLevelMemberBytes(json, "responseObject");
            }
            // Request adds requestObject and RequestResponse responseObject, for resource
            // requests past RequestReceived (spec §6): not in the log when recorded lower.
            const Stage stage = store.stage[row];
            raised = recorded != Level::Unknown && decided > recorded && decided >= Level::Request
                && (flags & HasObjectRef) && stage != Stage::RequestReceived;
            keptBytes = bytes - stripped;
            if (recorded != Level::Unknown)
                keptBytes = keptBytes + levelName(decided).size() - levelName(recorded).size();
        }
        const bool kept = m.emitted();
        addTo(impact.byRule[static_cast<std::size_t>(m.rule() + 1)], bytes, kept, keptBytes,
            stripped, raised);
        addTo(impact.byNewLevel[static_cast<std::size_t>(decided)], bytes, kept, keptBytes,
            stripped, raised);
        addTo(impact.byRecordedLevel[static_cast<std::size_t>(recorded)], bytes, kept, keptBytes,
            stripped, raised);
        addTo(impact.total, bytes, kept, keptBytes, stripped, raised);

        if (const AuditIdId id = store.auditId[row]; id && !(flags & NoUser)) {
            seenStages[id.value] |= stageBit(store.stage[row]);
            const PolicyDecision& d = result.tupleDecisions[index.tupleOf(EventId{row})];
            if (d.emitted(Stage::RequestReceived))
                wantsRequestReceived[id.value] = 1;
        }
    }
    for (std::size_t id = 0; id < ids; ++id)
        if (wantsRequestReceived[id] && !(seenStages[id] & stageBit(Stage::RequestReceived)))
            ++impact.requestsMissingRequestReceived;
    addUnknowns(impact);
    return impact;
}

namespace {

using Group = PolicyImpactIndex::Group;

/// Groups by (tuple, stage) slot, then by (recorded level, flags): a short list per slot.
class SlotGroups
{
public:
    explicit SlotGroups(std::size_t tuples)
        : m_firstOfSlot(tuples * StageCount, UINT32_MAX)
    { }

    /// The group of `groups` for the slot, level and flags; a new one (`added`) if none.
    Group& find(std::vector<Group>& groups, std::uint32_t slot, Level recorded, std::uint8_t flags,
        bool& added)
    {
        std::uint32_t g = m_firstOfSlot[slot];
        while (g != UINT32_MAX && (groups[g].recorded != recorded || groups[g].flags != flags))
            g = m_nextInSlot[g];
        added = g == UINT32_MAX;
        if (added) {
            g = static_cast<std::uint32_t>(groups.size());
            groups.emplace_back();
            m_nextInSlot.push_back(m_firstOfSlot[slot]);
            m_firstOfSlot[slot] = g;
        }
        return groups[g];
    }

private:
    std::vector<std::uint32_t> m_firstOfSlot;
    std::vector<std::uint32_t> m_nextInSlot;
};

/// The groups of events [begin, end), with the sizes of their bodies; false when stopped.
bool collectGroups(const PolicyAttributeIndex& index, std::size_t begin, std::size_t end,
    std::vector<Group>& groups, const std::stop_token& stop)
{
    constexpr std::uint8_t BodyFlags = HasObjectRef | HasRequestObject | HasResponseObject;
    const EventStore& store = index.store();
    const std::vector<std::uint32_t>& slotOfEvent = index.slotOfEvent();
    SlotGroups slots(index.tupleCount());
    for (std::size_t r = begin; r < end; ++r) {
        if (r % 65536 == 0 && stop.stop_requested())
            return false;
        const auto row = static_cast<std::uint32_t>(r);
        const std::uint32_t slot = slotOfEvent[row];
        const Level recorded = store.level[row];
        const auto flags = static_cast<std::uint8_t>(store.flags[row] & BodyFlags);
        bool added = false;
        Group& group = slots.find(groups, slot, recorded, flags, added);
        if (added) {
            group.tuple = slot / StageCount;
            group.stage = store.stage[row];
            group.recorded = recorded;
            group.flags = flags;
            group.firstRow = row;
        }
        ++group.events;
        group.bytes += store.rawLength[row];
        if (flags & (HasRequestObject | HasResponseObject)) {
            std::size_t bytes[2];
            topLevelMembersBytes(store.rawJson(EventId{row}),
                {(flags & HasRequestObject) ? std::string_view("requestObject")
                                            : std::string_view(),
                    (flags & HasResponseObject) ? std::string_view("responseObject")
                                                : std::string_view()},
                bytes);
            group.requestObjectBytes += bytes[0];
            group.responseObjectBytes += bytes[1];
            group.withRequestObject += bytes[0] > 0;
            group.withResponseObject += bytes[1] > 0;
            group.withBoth += bytes[0] > 0 && bytes[1] > 0;
        }
    }
    return true;
}

} // namespace

std::shared_ptr<const PolicyImpactIndex> PolicyImpactIndex::build(
    const PolicyAttributeIndex& index, unsigned threads, std::stop_token stop)
{
    std::shared_ptr<PolicyImpactIndex> out(new PolicyImpactIndex());
    const EventStore& store = index.store();
    const std::size_t n = index.eventCount();
    out->m_events = n;

    // Groups per range of events (in parallel: measuring the bodies reads the lines), then
    // merged in range order, which keeps them in the order of their first event.
    if (threads == 0)
        threads = passThreads(n);
    std::vector<std::vector<Group>> ranges(threads);
    std::atomic<bool> stopped = false;
    forEachRange(n, threads, [&](unsigned part, std::size_t begin, std::size_t end) {
        if (!collectGroups(index, begin, end, ranges[part], stop))
            stopped = true;
    });
    if (stopped)
        return nullptr;
    SlotGroups merged(index.tupleCount());
    for (const std::vector<Group>& range : ranges)
        for (const Group& group : range) {
            const std::uint32_t slot = group.tuple * StageCount + std::uint32_t(group.stage);
            bool added = false;
            Group& into = merged.find(out->m_groups, slot, group.recorded, group.flags, added);
            if (added) {
                into = group;
                continue;
            }
            into.events += group.events;
            into.bytes += group.bytes;
            into.requestObjectBytes += group.requestObjectBytes;
            into.responseObjectBytes += group.responseObjectBytes;
            into.withRequestObject += group.withRequestObject;
            into.withResponseObject += group.withResponseObject;
            into.withBoth += group.withBoth;
        }

    // auditIDs (events with a user) without a RequestReceived event, by their tuples.
    const std::size_t ids = store.pools.auditIds.size();
    std::vector<std::uint8_t> seen(ids, 0);
    for (std::uint32_t row = 0; row < n; ++row)
        if (const AuditIdId id = store.auditId[row]; id && !(store.flags[row] & NoUser))
            seen[id.value] |= 1 | (store.stage[row] == Stage::RequestReceived ? 2 : 0);
    // Their (auditID, tuple) pairs, in event order: usually few, so no list per auditID (4.7 M
    // empty vectors, 113 MB, at 10 M events).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> missing;
    for (std::uint32_t row = 0; row < n; ++row) {
        const AuditIdId id = store.auditId[row];
        if (id && !(store.flags[row] & NoUser) && seen[id.value] == 1)
            missing.emplace_back(id.value, index.tupleOf(EventId{row}));
    }
    std::stable_sort(missing.begin(), missing.end(),
        [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::uint64_t> single(index.tupleCount(), 0);
    out->m_missingMultiOffsets.push_back(0);
    std::vector<std::uint32_t> tuples; // one auditID's, in the order of its events
    for (std::size_t i = 0; i < missing.size();) {
        tuples.clear();
        const std::uint32_t id = missing[i].first;
        for (; i < missing.size() && missing[i].first == id; ++i)
            if (std::find(tuples.begin(), tuples.end(), missing[i].second) == tuples.end())
                tuples.push_back(missing[i].second);
        if (tuples.size() == 1) {
            ++single[tuples.front()];
        } else {
            out->m_missingMultiTuples.insert(
                out->m_missingMultiTuples.end(), tuples.begin(), tuples.end());
            out->m_missingMultiOffsets.push_back(
                static_cast<std::uint32_t>(out->m_missingMultiTuples.size()));
        }
    }
    for (std::uint32_t t = 0; t < single.size(); ++t)
        if (single[t])
            out->m_missingBySingleTuple.emplace_back(t, single[t]);
    return out;
}

PolicyImpact computePolicyImpact(const PolicyImpactIndex& index, const PolicyStoreResult& result)
{
    PolicyImpact impact;
    impact.byRule.resize(result.eventsPerRule.empty() ? 1 : result.eventsPerRule.size());
    for (const PolicyImpactIndex::Group& g : index.groups()) {
        const PolicyDecision& d = result.tupleDecisions[g.tuple];
        const Level decided = d.level;
        const bool kept = d.emitted(g.stage);
        std::uint64_t stripped = 0, strippedEvents = 0, keptBytes = g.bytes;
        bool raised = false;
        if (kept) {
            const bool lowered = g.recorded != Level::Unknown && decided < g.recorded;
            if (lowered) {
                const bool request = (g.flags & HasRequestObject) && decided < Level::Request;
                const bool response =
                    (g.flags & HasResponseObject) && decided < Level::RequestResponse;
                stripped =
                    (request ? g.requestObjectBytes : 0) + (response ? g.responseObjectBytes : 0);
                strippedEvents = request && response
                    ? g.withRequestObject + g.withResponseObject - g.withBoth
                    : request  ? g.withRequestObject
                    : response ? g.withResponseObject
                               : 0;
            }
            raised = g.recorded != Level::Unknown && decided > g.recorded
                && decided >= Level::Request && (g.flags & HasObjectRef)
                && g.stage != Stage::RequestReceived;
            keptBytes = g.bytes - stripped;
            if (g.recorded != Level::Unknown)
                keptBytes +=
                    g.events * levelName(decided).size() - g.events * levelName(g.recorded).size();
        }
        const auto rule = static_cast<std::size_t>(d.ruleIndex + 1);
        addMany(impact.byRule[std::min(rule, impact.byRule.size() - 1)], g.events, g.bytes, kept,
            keptBytes, stripped, strippedEvents, raised);
        addMany(impact.byNewLevel[static_cast<std::size_t>(decided)], g.events, g.bytes, kept,
            keptBytes, stripped, strippedEvents, raised);
        addMany(impact.byRecordedLevel[static_cast<std::size_t>(g.recorded)], g.events, g.bytes,
            kept, keptBytes, stripped, strippedEvents, raised);
        addMany(impact.total, g.events, g.bytes, kept, keptBytes, stripped, strippedEvents, raised);
    }
    const auto wantsRequestReceived = [&](std::uint32_t tuple) {
        return result.tupleDecisions[tuple].emitted(Stage::RequestReceived);
    };
    for (const auto& [tuple, count] : index.m_missingBySingleTuple)
        if (wantsRequestReceived(tuple))
            impact.requestsMissingRequestReceived += count;
    for (std::size_t k = 0; k + 1 < index.m_missingMultiOffsets.size(); ++k) {
        for (std::uint32_t i = index.m_missingMultiOffsets[k];
             i < index.m_missingMultiOffsets[k + 1]; ++i)
            if (wantsRequestReceived(index.m_missingMultiTuples[i])) {
                ++impact.requestsMissingRequestReceived;
                break;
            }
    }
    addUnknowns(impact);
    return impact;
}

} // namespace auditscope
