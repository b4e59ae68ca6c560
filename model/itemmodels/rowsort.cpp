// SPDX-License-Identifier: Apache-2.0
#include "rowsort.h"

#include <algorithm>
#include <numeric>

namespace auditscope {

namespace {

// rank[id] = position of the pool's value id in byte order; absent values sort first.
template <class Pool>
std::vector<std::uint32_t> ranksOf(const Pool& pool)
{
    std::vector<std::uint32_t> order(pool.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
        [&](std::uint32_t a, std::uint32_t b) { return pool.view(a) < pool.view(b); });
    std::vector<std::uint32_t> rank(pool.size());
    for (std::uint32_t i = 0; i < order.size(); ++i)
        rank[order[i]] = i + 1;
    return rank;
}

template <class Column>
std::vector<std::uint64_t> rankKeys(
    const RowSet& rows, const Column& column, const std::vector<std::uint32_t>& rank)
{
    std::vector<std::uint64_t> keys(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto id = column[rows[i].value];
        keys[i] = id ? rank[id.value] : 0;
    }
    return keys;
}

// Sort key per row; 64 bits hold every column's order (times as offset integers).
std::vector<std::uint64_t> keysFor(
    const EventStore& s, const RowSet& rows, EventColumn column, const PolicyQueryContext* policy)
{
    const PolicyEventMatch* matches =
        policy && policy->covers(s) ? policy->result->events.data() : nullptr;
    const StringPools& p = s.pools;
    auto each = [&](auto keyOf) {
        std::vector<std::uint64_t> keys(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
            keys[i] = keyOf(rows[i].value);
        return keys;
    };
    switch (column) {
    case EventColumn::Time:
        return each([&](std::uint32_t r) { return std::uint64_t(s.timeNs[r]) ^ (1ull << 63); });
    case EventColumn::Stage:
        return each([&](std::uint32_t r) { return std::uint64_t(s.stage[r]); });
    case EventColumn::Level:
        return each([&](std::uint32_t r) { return std::uint64_t(s.level[r]); });
    case EventColumn::Code:
        return each([&](std::uint32_t r) { return std::uint64_t(s.code[r]); });
    case EventColumn::Latency:
        return each(
            [&](std::uint32_t r) { return std::uint64_t(s.stageLatencyNs[r]) ^ (1ull << 63); });
    case EventColumn::SourceFile:
        return each([&](std::uint32_t r) { return std::uint64_t(s.source[r].value); });
    case EventColumn::User:
        return rankKeys(rows, s.user, ranksOf(p.users));
    case EventColumn::Verb:
        return rankKeys(rows, s.verb, ranksOf(p.verbs));
    case EventColumn::Resource: {
        // resource, then subresource: two ranks in one key
        const auto resources = ranksOf(p.resources);
        const auto subresources = ranksOf(p.subresources);
        return each([&](std::uint32_t r) {
            const std::uint64_t high = s.resource[r] ? resources[s.resource[r].value] : 0;
            const std::uint64_t low = s.subresource[r] ? subresources[s.subresource[r].value] : 0;
            return high << 32 | low;
        });
    }
    case EventColumn::Namespace:
        return rankKeys(rows, s.namespaceId, ranksOf(p.namespaces));
    case EventColumn::Name:
        return rankKeys(rows, s.name, ranksOf(p.names));
    case EventColumn::Decision:
        return rankKeys(rows, s.decision, ranksOf(p.decisions));
    case EventColumn::SourceIp:
        return rankKeys(rows, s.sourceIp, ranksOf(p.sourceIps));
    case EventColumn::UserAgent:
        return rankKeys(rows, s.userAgent, ranksOf(p.userAgents));
    case EventColumn::AuditId: {
        // Canonical UUID text order equals byte order of the 16 bytes; others are rare: rank by
        // text.
        std::vector<std::uint32_t> order(p.auditIds.size());
        std::iota(order.begin(), order.end(), 0u);
        std::vector<std::string> texts(p.auditIds.size());
        for (std::uint32_t i = 0; i < texts.size(); ++i)
            texts[i] = p.auditIds.text(i);
        std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return texts[a] < texts[b]; });
        std::vector<std::uint32_t> rank(order.size());
        for (std::uint32_t i = 0; i < order.size(); ++i)
            rank[order[i]] = i + 1;
        return rankKeys(rows, s.auditId, rank);
    }
    case EventColumn::Rule: // rule + 1: no rule (0) first
        if (matches)
            return each([&](std::uint32_t r) { return std::uint64_t(matches[r].rule() + 1); });
        break;
    case EventColumn::PolicyLevel:
        if (matches)
            return each([&](std::uint32_t r) { return std::uint64_t(matches[r].level()); });
        break;
    case EventColumn::ColumnCount:
        break;
    }
    return std::vector<std::uint64_t>(rows.size(), 0);
}

} // namespace

RowSet sortRows(const EventStore& store, RowSet rows, EventColumn column, bool descending,
    std::stop_token stop, const PolicyQueryContext* policy)
{
    const std::vector<std::uint64_t> keys = keysFor(store, rows, column, policy);
    if (stop.stop_requested())
        return rows;
    std::vector<std::uint32_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0u);
    // Ties in store (time) order in both directions, whatever order `rows` came in (after a sort
    // by another column, or an earlier sort by a policy column whose rules have changed).
    if (descending)
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            return keys[a] != keys[b] ? keys[a] > keys[b] : rows[a] < rows[b];
        });
    else
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            return keys[a] != keys[b] ? keys[a] < keys[b] : rows[a] < rows[b];
        });
    if (stop.stop_requested())
        return rows;
    RowSet sorted(rows.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        sorted[i] = rows[order[i]];
    return sorted;
}

} // namespace auditscope
