// SPDX-License-Identifier: Apache-2.0
#include "queryevaluator.h"

#include "query/columnscan.h"
#include "query/postingscan.h"
#include "query/rawmatcher.h"
#include "query/rawscan.h"
#include "query/timerange.h"

#include <algorithm>
#include <utility>

namespace auditscope {

using Kind = QueryNode::Kind;

QueryEvaluator::QueryEvaluator(
    const EventStore& store, const Query& query, std::stop_token stop, const QueryOptions& options)
    : m_store(store)
    , m_query(query)
    , m_options(options)
    , m_rows(static_cast<std::uint32_t>(store.size()))
    , m_cancel(std::move(stop))
    , m_terms(store, query, m_options.policy.get(), m_options.findings.get(), m_cancel)
{ }

QueryResult QueryEvaluator::run()
{
    QueryResult result;
    result.rows = eval(m_query.root, Candidates{nullptr, 0, m_rows});
    result.cancelled = m_cancel.isSet();
    if (result.cancelled)
        result.rows.clear();
    result.rawBytesScanned = m_rawBytes;
    result.rawEventsScanned = m_rawEvents;
    return result;
}

RowSet QueryEvaluator::eval(std::uint32_t index, const Candidates& cand)
{
    if (m_cancel.poll() || cand.size() == 0)
        return {};
    const QueryNode& n = node(index);
    switch (n.kind) {
    case Kind::All:
        return materialize(cand);
    case Kind::And:
        return evalAnd(n, cand);
    case Kind::Or:
        return evalOr(index, cand);
    case Kind::Not:
        return evalNot(n, cand);
    case Kind::Match:
        break;
    }
    return evalTerm(index, cand);
}

// Cheapest parts first, each on the rows the ones before it left; time terms only narrow the
// row range while no part has materialized rows.
RowSet QueryEvaluator::evalAnd(const QueryNode& n, const Candidates& cand)
{
    std::vector<std::uint32_t> order = n.children;
    std::vector<std::pair<int, std::int64_t>> keys(m_query.nodes.size());
    for (std::uint32_t c : order)
        keys[c] = {cost(c), estimate(c)};
    std::stable_sort(order.begin(), order.end(),
        [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
    Candidates current = cand;
    RowSet held;
    bool materialized = false;
    for (std::uint32_t c : order) {
        if (!current.list && node(c).kind == Kind::Match && node(c).field == QueryField::Time) {
            const PreparedTerm& p = m_terms.prepare(c);
            current.lo = std::max(current.lo, firstRowAtOrAfter(m_store, p.lo));
            current.hi = std::min(current.hi, firstRowAfter(m_store, p.hi));
            if (current.hi < current.lo)
                current.hi = current.lo;
            continue;
        }
        held = eval(c, current);
        materialized = true;
        current = Candidates{&held, 0, 0};
        if (held.empty() || m_cancel.poll())
            break;
    }
    return materialized ? std::move(held) : materialize(current);
}

RowSet QueryEvaluator::evalOr(std::uint32_t index, const Candidates& cand)
{
    if (!cand.list && allIndexed(index))
        return indexedRows(index, cand, false);
    std::vector<RowSet> parts;
    for (std::uint32_t c : node(index).children)
        parts.push_back(eval(c, cand));
    return unite(parts, m_rows);
}

RowSet QueryEvaluator::evalNot(const QueryNode& n, const Candidates& cand)
{
    const std::uint32_t child = n.children.front();
    if (!cand.list && allIndexed(child))
        return indexedRows(child, cand, true);
    const RowSet removed = eval(child, cand);
    if (m_cancel.poll())
        return {};
    return subtract(cand, removed);
}

RowSet QueryEvaluator::evalTerm(std::uint32_t index, const Candidates& cand)
{
    const QueryNode& n = node(index);
    const PreparedTerm& p = m_terms.prepare(index);
    if (n.field == QueryField::Time)
        return rowsReceivedBetween(m_store, p.lo, p.hi, cand);
    if (isRawField(n.field))
        return rawScan(index, cand);
    if (p.indexable) {
        // A short candidate list is cheaper to check in the column than to decode lists.
        const bool fewCandidates =
            cand.list && static_cast<std::int64_t>(cand.size()) * 2 < estimate(index);
        if (!fewCandidates)
            return postingRows(
                *postingIndexOf(m_store.indexes, n.field), p.keys, cand, m_rows, m_cancel);
    }
    return scanColumn(m_store, n.field, p, cand, m_cancel);
}

RowSet QueryEvaluator::rawScan(std::uint32_t index, const Candidates& cand)
{
    const PreparedTerm& p = m_terms.prepare(index);
    RawScanResult scan =
        scanRaw(m_store, node(index), p.prefilter, cand, m_options.threads, m_cancel.token());
    if (scan.stopped) {
        m_cancel.set();
        return {};
    }
    m_rawBytes += scan.bytes;
    m_rawEvents += scan.events;
    return std::move(scan.rows);
}

// 0 time range, 1 posting lists, 2 column scan, 3 raw re-parse; composite = worst child.
int QueryEvaluator::cost(std::uint32_t index)
{
    const QueryNode& n = node(index);
    if (n.kind == Kind::All)
        return 0;
    if (n.kind != Kind::Match) {
        int worst = 0;
        for (std::uint32_t c : n.children)
            worst = std::max(worst, cost(c));
        return worst;
    }
    if (n.field == QueryField::Time)
        return 0;
    if (isRawField(n.field))
        return 3;
    return m_terms.prepare(index).indexable ? 1 : 2;
}

// Events an indexed term yields (for ordering an `and`); m_rows when unknown. An `or` of
// indexed terms yields at most the sum of theirs, an `and` at most the fewest of its parts'.
std::int64_t QueryEvaluator::estimate(std::uint32_t index)
{
    const QueryNode& n = node(index);
    if (n.kind == Kind::Or && allIndexed(index)) {
        std::int64_t sum = 0;
        for (std::uint32_t c : n.children)
            sum = std::min<std::int64_t>(sum + estimate(c), m_rows);
        return sum;
    }
    if (n.kind == Kind::And) {
        std::int64_t fewest = m_rows;
        for (std::uint32_t c : n.children)
            fewest = std::min(fewest, estimate(c));
        return fewest;
    }
    if (n.kind != Kind::Match || !m_terms.prepare(index).indexable)
        return m_rows;
    PreparedTerm& p = m_terms.prepare(index);
    if (p.estimate < 0) {
        if (p.keys.size() > 16) {
            p.estimate = m_rows / 2;
        } else {
            p.estimate = 0;
            for (std::uint32_t k : p.keys)
                p.estimate += postingIndexOf(m_store.indexes, n.field)->count(k);
        }
    }
    return p.estimate;
}

// An indexed term, or an `or` of them: its rows can be marked straight from posting lists.
bool QueryEvaluator::allIndexed(std::uint32_t index)
{
    const QueryNode& n = node(index);
    if (n.kind == Kind::Or) {
        for (std::uint32_t c : n.children)
            if (!allIndexed(c))
                return false;
        return true;
    }
    return n.kind == Kind::Match && !isRawField(n.field) && n.field != QueryField::Time
        && m_terms.prepare(index).indexable;
}

void QueryEvaluator::markIndexed(std::uint32_t index, RowBitmap& bits)
{
    const QueryNode& n = node(index);
    if (n.kind == Kind::Or) {
        for (std::uint32_t c : n.children)
            markIndexed(c, bits);
        return;
    }
    const PreparedTerm& p = m_terms.prepare(index);
    markPostings(*postingIndexOf(m_store.indexes, n.field), p.keys, bits, m_cancel);
}

// The rows of the range `cand` that an allIndexed() part matches; with `invert`, the others.
RowSet QueryEvaluator::indexedRows(std::uint32_t index, const Candidates& cand, bool invert)
{
    RowBitmap bits(m_rows);
    markIndexed(index, bits);
    return m_cancel.poll() ? RowSet{} : bits.rows(cand.lo, cand.hi, invert);
}

} // namespace auditscope
