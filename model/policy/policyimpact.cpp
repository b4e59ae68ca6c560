// SPDX-License-Identifier: Apache-2.0
#include "policyimpact.h"

#include "policy/policystoreevaluation.h"

#include <algorithm>

namespace auditscope {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

std::size_t skipSpace(std::string_view s, std::size_t i)
{
    while (i < s.size() && isSpace(s[i]))
        ++i;
    return i;
}

/// `s[i]` is '"'; returns the index after the closing quote, or npos.
std::size_t skipString(std::string_view s, std::size_t i)
{
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\')
            ++i;
        else if (s[i] == '"')
            return i + 1;
    }
    return std::string_view::npos;
}

/// Returns the index after the value starting at `i`, or npos.
std::size_t skipValue(std::string_view s, std::size_t i)
{
    if (i >= s.size())
        return std::string_view::npos;
    if (s[i] == '"')
        return skipString(s, i);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < s.size()) {
            const char c = s[i];
            if (c == '"') {
                i = skipString(s, i);
                if (i == std::string_view::npos)
                    return i;
                continue;
            }
            if (c == '{' || c == '[')
                ++depth;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1;
            ++i;
        }
        return std::string_view::npos;
    }
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !isSpace(s[i]))
        ++i;
    return i;
}

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

std::size_t topLevelMemberBytes(std::string_view s, std::string_view key)
{
    std::size_t i = skipSpace(s, 0);
    if (i >= s.size() || s[i] != '{')
        return 0;
    i = skipSpace(s, i + 1);
    std::size_t previousEnd = std::string_view::npos; // end of the previous member
    while (i < s.size() && s[i] == '"') {
        const std::size_t keyStart = i;
        const std::size_t keyEnd = skipString(s, i);
        if (keyEnd == std::string_view::npos)
            return 0;
        std::size_t v = skipSpace(s, keyEnd);
        if (v >= s.size() || s[v] != ':')
            return 0;
        const std::size_t valueEnd = skipValue(s, skipSpace(s, v + 1));
        if (valueEnd == std::string_view::npos)
            return 0;
        const std::size_t next = skipSpace(s, valueEnd);
        if (s.substr(keyStart + 1, keyEnd - keyStart - 2) == key) {
            if (next < s.size() && s[next] == ',') // `"k":v,` up to the next key
                return skipSpace(s, next + 1) - keyStart;
            if (previousEnd != std::string_view::npos) // last member: `,"k":v`
                return valueEnd - previousEnd;
            return valueEnd - keyStart; // the only member
        }
        if (next >= s.size() || s[next] != ',')
            return 0;
        previousEnd = valueEnd;
        i = skipSpace(s, next + 1);
    }
    return 0;
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

std::shared_ptr<const PolicyImpactIndex> PolicyImpactIndex::build(const PolicyAttributeIndex& index)
{
    std::shared_ptr<PolicyImpactIndex> out(new PolicyImpactIndex());
    const EventStore& store = index.store();
    const std::size_t n = index.eventCount();
    out->m_events = n;
    constexpr std::uint8_t BodyFlags = HasObjectRef | HasRequestObject | HasResponseObject;

    // Group per (tuple, stage) slot, then by (recorded level, flags): a short list per slot.
    const std::vector<std::uint32_t>& slotOfEvent = index.slotOfEvent();
    std::vector<std::uint32_t> firstOfSlot(index.tupleCount() * StageCount, UINT32_MAX);
    std::vector<std::uint32_t> nextInSlot;
    std::vector<Group>& groups = out->m_groups;
    for (std::uint32_t row = 0; row < n; ++row) {
        const std::uint32_t slot = slotOfEvent[row];
        const Level recorded = store.level[row];
        const auto flags = static_cast<std::uint8_t>(store.flags[row] & BodyFlags);
        std::uint32_t g = firstOfSlot[slot];
        while (g != UINT32_MAX && (groups[g].recorded != recorded || groups[g].flags != flags))
            g = nextInSlot[g];
        if (g == UINT32_MAX) {
            g = static_cast<std::uint32_t>(groups.size());
            Group group;
            group.tuple = slot / StageCount;
            group.stage = store.stage[row];
            group.recorded = recorded;
            group.flags = flags;
            group.firstRow = row;
            groups.push_back(group);
            nextInSlot.push_back(firstOfSlot[slot]);
            firstOfSlot[slot] = g;
        }
        Group& group = groups[g];
        ++group.events;
        group.bytes += store.rawLength[row];
        if (flags & (HasRequestObject | HasResponseObject)) {
            const std::string_view json = store.rawJson(EventId{row});
            const std::size_t request =
                (flags & HasRequestObject) ? topLevelMemberBytes(json, "requestObject") : 0;
            const std::size_t response =
                (flags & HasResponseObject) ? topLevelMemberBytes(json, "responseObject") : 0;
            group.requestObjectBytes += request;
            group.responseObjectBytes += response;
            group.withRequestObject += request > 0;
            group.withResponseObject += response > 0;
            group.withBoth += request > 0 && response > 0;
        }
    }

    // auditIDs (events with a user) without a RequestReceived event, by their tuples.
    const std::size_t ids = store.pools.auditIds.size();
    std::vector<std::uint8_t> seen(ids, 0);
    for (std::uint32_t row = 0; row < n; ++row)
        if (const AuditIdId id = store.auditId[row]; id && !(store.flags[row] & NoUser))
            seen[id.value] |= 1 | (store.stage[row] == Stage::RequestReceived ? 2 : 0);
    std::vector<std::vector<std::uint32_t>> tuplesOf(ids);
    for (std::uint32_t row = 0; row < n; ++row) {
        const AuditIdId id = store.auditId[row];
        if (!id || (store.flags[row] & NoUser) || seen[id.value] != 1)
            continue;
        std::vector<std::uint32_t>& t = tuplesOf[id.value];
        const std::uint32_t tuple = index.tupleOf(EventId{row});
        if (std::find(t.begin(), t.end(), tuple) == t.end())
            t.push_back(tuple);
    }
    std::vector<std::uint64_t> single(index.tupleCount(), 0);
    out->m_missingMultiOffsets.push_back(0);
    for (const std::vector<std::uint32_t>& t : tuplesOf) {
        if (t.size() == 1) {
            ++single[t.front()];
        } else if (t.size() > 1) {
            out->m_missingMultiTuples.insert(out->m_missingMultiTuples.end(), t.begin(), t.end());
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
