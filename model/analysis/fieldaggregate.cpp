// SPDX-License-Identifier: Apache-2.0
#include "fieldaggregate.h"

#include "analysis/analysisutil.h"
#include "analysis/classification.h"

#include <algorithm>
#include <atomic>
#include <limits>

namespace auditscope {

using namespace analysis_detail;

namespace {

struct Stats
{
    std::uint64_t events = 0, writes = 0, deletes = 0, failures = 0;
    std::int64_t firstNs = std::numeric_limits<std::int64_t>::max();
    std::int64_t lastNs = std::numeric_limits<std::int64_t>::min();
    std::uint32_t lastUser = UINT32_MAX;

    void add(const Stats& o)
    {
        events += o.events;
        writes += o.writes;
        deletes += o.deletes;
        failures += o.failures;
        firstNs = std::min(firstNs, o.firstNs);
        lastNs = std::max(lastNs, o.lastNs);
    }
};

struct Part
{
    std::vector<Stats> stats; // by key slot
    FlatIndex<std::uint64_t> principals; // key slot << 32 | user slot
};

// Every value of the field is a dense key slot: pool id (none = the pool size), the code, or
// for resources a slot per distinct (apiGroup, resource, subresource) or path among the
// index's objects.
struct KeySlots
{
    std::size_t count = 0;
    std::vector<std::uint32_t> ofTuple; ///< Resource: slot of each index tuple
    std::vector<FieldSummary> rows; ///< Resource: what each slot is (paths as index path ids)
};

KeySlots resourceSlots(const ResourceIndex& index)
{
    KeySlots slots;
    std::vector<std::uint32_t> slotOfObject;
    FlatIndex<Key128> keys;
    for (const ResourceObject& o : index.objects()) {
        const Key128 key = o.nonResource
            ? Key128{0, o.path == ResourceObject::NoPath ? 0 : std::uint64_t(o.path) + 1}
            : Key128{plusOne(o.apiGroup) | plusOne(o.resource) << 32, plusOne(o.subresource)};
        const std::uint32_t slot = keys.insert(key);
        slotOfObject.push_back(slot);
        if (slot == slots.rows.size()) {
            FieldSummary row;
            row.nonResource = o.nonResource;
            row.apiGroup = o.apiGroup;
            row.resource = o.resource;
            row.subresource = o.subresource;
            row.path = o.path; // an index path id for now
            slots.rows.push_back(row);
        }
    }
    slots.count = keys.size();
    for (const ResourceTuple& t : index.tuples())
        slots.ofTuple.push_back(slotOfObject[t.object.value]);
    return slots;
}

KeySlots keySlots(const StringPools& pools, SummaryField field, const ResourceIndex* index)
{
    KeySlots slots;
    switch (field) {
    case SummaryField::Namespace:
        slots.count = pools.namespaces.size() + 1;
        break;
    case SummaryField::Verb:
        slots.count = pools.verbs.size() + 1;
        break;
    case SummaryField::Code:
        slots.count = 65536;
        break;
    case SummaryField::Resource:
        slots = resourceSlots(*index);
        break;
    }
    return slots;
}

// The per-event body of the count: one part's stats per key slot.
class PartCounter
{
public:
    PartCounter(const EventStore& store, SummaryField field, const ResourceIndex* index,
        const KeySlots& slots, const StoreClasses& classes, Part& part)
        : m_store(store)
        , m_field(field)
        , m_index(index)
        , m_slotOfTuple(slots.ofTuple)
        , m_classes(classes)
        , m_noUser(store.pools.users.size())
        , m_part(part)
    { }

    void count(std::uint32_t row)
    {
        const std::uint32_t slot = slotOf(row);
        Stats& s = m_part.stats[slot];
        addEventTotals(s, m_store, m_classes, row);
        const UserId user = m_store.user[row];
        const std::uint32_t u = user ? user.value : m_noUser;
        if (u != s.lastUser) {
            s.lastUser = u;
            m_part.principals.insert(std::uint64_t(slot) << 32 | u);
        }
    }

private:
    std::uint32_t slotOf(std::uint32_t row) const
    {
        const StringPools& pools = m_store.pools;
        switch (m_field) {
        case SummaryField::Namespace: {
            const NamespaceId ns = m_store.namespaceId[row];
            return ns ? ns.value : pools.namespaces.size();
        }
        case SummaryField::Verb: {
            const VerbId verb = m_store.verb[row];
            return verb ? verb.value : pools.verbs.size();
        }
        case SummaryField::Code:
            return m_store.code[row];
        case SummaryField::Resource:
            break;
        }
        return m_slotOfTuple[m_index->tupleOf(row).value];
    }

    const EventStore& m_store;
    const SummaryField m_field;
    const ResourceIndex* m_index;
    const std::vector<std::uint32_t>& m_slotOfTuple;
    const StoreClasses& m_classes;
    const std::uint32_t m_noUser;
    Part& m_part;
};

// Adds parts 1.. into part 0.
void mergeParts(std::vector<Part>& perPart)
{
    Part& all = perPart[0];
    for (std::size_t i = 1; i < perPart.size(); ++i) {
        for (std::size_t k = 0; k < all.stats.size(); ++k)
            all.stats[k].add(perPart[i].stats[k]);
        for (const std::uint64_t key : perPart[i].principals.keys())
            all.principals.insert(key);
    }
}

// What key slot `k` stands for (Resource: with its path as an index into result.paths).
FieldSummary slotRow(SummaryField field, const StringPools& pools, const KeySlots& slots,
    const ResourceIndex* index, std::uint32_t k, std::vector<std::uint32_t>& pathIndex,
    FieldAggregate& result)
{
    FieldSummary row;
    switch (field) {
    case SummaryField::Namespace:
        row.value = k == pools.namespaces.size() ? FieldSummary::Absent : k;
        break;
    case SummaryField::Verb:
        row.value = k == pools.verbs.size() ? FieldSummary::Absent : k;
        break;
    case SummaryField::Code:
        row.value = k;
        break;
    case SummaryField::Resource:
        row = slots.rows[k];
        if (row.nonResource && row.path != FieldSummary::Absent) {
            if (pathIndex[row.path] == FieldSummary::Absent) {
                pathIndex[row.path] = static_cast<std::uint32_t>(result.paths.size());
                result.paths.emplace_back(index->path(row.path));
            }
            row.path = pathIndex[row.path];
        }
        break;
    }
    return row;
}

// One row per key slot with events, in slot order.
void summaryRows(const EventStore& store, const KeySlots& slots, const ResourceIndex* index,
    const Part& all, FieldAggregate& result)
{
    std::vector<std::uint32_t> principals(slots.count, 0);
    for (const std::uint64_t key : all.principals.keys())
        ++principals[key >> 32];
    std::vector<std::uint32_t> pathIndex(index ? index->pathCount() : 0, FieldSummary::Absent);
    for (std::uint32_t k = 0; k < slots.count; ++k) {
        const Stats& s = all.stats[k];
        if (s.events == 0)
            continue;
        FieldSummary row = slotRow(result.field, store.pools, slots, index, k, pathIndex, result);
        row.events = s.events;
        row.writes = s.writes;
        row.deletes = s.deletes;
        row.authFailures = s.failures;
        row.firstNs = s.firstNs;
        row.lastNs = s.lastNs;
        row.distinctPrincipals = principals[k];
        result.events += s.events;
        result.rows.push_back(row);
    }
}

// Most events first, ties by label.
void sortRows(const EventStore& store, FieldAggregate& result)
{
    std::vector<std::pair<std::string, std::size_t>> labels;
    for (std::size_t i = 0; i < result.rows.size(); ++i)
        labels.emplace_back(fieldSummaryLabel(store, result, result.rows[i]), i);
    std::sort(labels.begin(), labels.end(), [&](const auto& a, const auto& b) {
        const FieldSummary& ra = result.rows[a.second];
        const FieldSummary& rb = result.rows[b.second];
        if (ra.events != rb.events)
            return ra.events > rb.events;
        return a.first < b.first;
    });
    std::vector<FieldSummary> sorted;
    sorted.reserve(result.rows.size());
    for (const auto& [label, i] : labels)
        sorted.push_back(result.rows[i]);
    result.rows = std::move(sorted);
}

} // namespace

std::string fieldSummaryLabel(
    const EventStore& store, const FieldAggregate& aggregate, const FieldSummary& row)
{
    const StringPools& p = store.pools;
    switch (aggregate.field) {
    case SummaryField::Namespace:
        return row.value == FieldSummary::Absent ? "(none)"
                                                 : std::string(p.namespaces.view(row.value));
    case SummaryField::Verb:
        return row.value == FieldSummary::Absent ? "(none)" : std::string(p.verbs.view(row.value));
    case SummaryField::Code:
        return row.value == 0 ? "none" : std::to_string(row.value);
    case SummaryField::Resource:
        break;
    }
    if (row.nonResource)
        return row.path == FieldSummary::Absent ? "(no requestURI)" : aggregate.paths[row.path];
    std::string text = row.resource ? std::string(p.resources.view(row.resource.value))
                                    : std::string("(no resource)");
    if (row.apiGroup && !p.apiGroups.view(row.apiGroup.value).empty())
        text += "." + std::string(p.apiGroups.view(row.apiGroup.value));
    if (row.subresource)
        text += "/" + std::string(p.subresources.view(row.subresource.value));
    return text;
}

FieldAggregate aggregateByField(const EventStore& store, const EventSelection& rows,
    SummaryField field, const ResourceIndex* index, const AnalysisOptions& options)
{
    FieldAggregate result;
    result.field = field;
    if (field == SummaryField::Resource && !index)
        return result;
    const KeySlots slots = keySlots(store.pools, field, index);

    const StoreClasses classes(store);
    const std::size_t count = selectionSize(store, rows);
    const unsigned parts = partsFor(count, options);
    std::vector<Part> perPart(parts);
    std::atomic<bool> stopped = false;
    runParts(count, parts, [&](unsigned part, std::size_t begin, std::size_t end) {
        Part& p = perPart[part];
        p.stats.assign(slots.count, Stats{});
        PartCounter counter(store, field, index, slots, classes, p);
        if (!forRows(
                rows, begin, end, options.stop, [&](std::uint32_t row) { counter.count(row); }))
            stopped = true;
    });
    result.cancelled = stopped;

    mergeParts(perPart);
    summaryRows(store, slots, index, perPart[0], result);
    sortRows(store, result);
    return result;
}

} // namespace auditscope
