// SPDX-License-Identifier: Apache-2.0
#include "policyimpact.h"

#include "policy/policystoreevaluation.h"

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
    return impact;
}

} // namespace auditscope
