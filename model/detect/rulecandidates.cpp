// SPDX-License-Identifier: Apache-2.0
// Step one of detection: which rows each rule's match (and then) matches. Indexed and column
// terms run through the query engine on a relaxed form of each query; the event bodies that
// some rule still has to look into are then read once, for all rules at a time.
#include "detect/enginesteps.h"

#include "query/queryengine.h"
#include "query/rawmatcher.h"
#include "query/rowmatcher.h"
#include "query/rowsetops.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

namespace auditscope {

namespace {

using Kind = QueryNode::Kind;

// A relaxed subtree: constant, or a node of the relaxed query.
struct Folded
{
    enum class Value : std::uint8_t { True, False, Node };
    Value value = Value::True;
    std::uint32_t node = 0;
};

class Relaxer final
{
public:
    explicit Relaxer(const Query& in)
        : m_in(in)
    { }

    RelaxedQuery run()
    {
        RelaxedQuery out;
        const Folded root = fold(m_in.root, false);
        out.exact = !m_sawRaw;
        if (root.value == Folded::Value::True) {
            out.kind = RelaxedQuery::Kind::All;
        } else if (root.value == Folded::Value::False) {
            out.kind = RelaxedQuery::Kind::None;
        } else {
            out.kind = RelaxedQuery::Kind::Query;
            m_out.root = root.node;
            out.query = std::move(m_out);
        }
        return out;
    }

private:
    Folded add(QueryNode node)
    {
        m_out.nodes.push_back(std::move(node));
        return {Folded::Value::Node, static_cast<std::uint32_t>(m_out.nodes.size() - 1)};
    }

    Folded fold(std::uint32_t index, bool negated)
    {
        const QueryNode& n = m_in.nodes[index];
        switch (n.kind) {
        case Kind::All:
            return {};
        case Kind::Match:
            if (isRawField(n.field)) {
                m_sawRaw = true;
                // True where it can only add rows, false where (under a `not`) it can only
                // remove them: either way the relaxed query matches a superset.
                return {negated ? Folded::Value::False : Folded::Value::True, 0};
            }
            return add(n);
        case Kind::Not:
            return foldNot(n, negated);
        case Kind::And:
        case Kind::Or:
            break;
        }
        return foldJunction(n, negated);
    }

    Folded foldNot(const QueryNode& n, bool negated)
    {
        const Folded child = fold(n.children.front(), !negated);
        if (child.value != Folded::Value::Node)
            return {
                child.value == Folded::Value::True ? Folded::Value::False : Folded::Value::True, 0};
        QueryNode copy = n;
        copy.children = {child.node};
        return add(std::move(copy));
    }

    // An `and` is false with one false part and drops true ones; an `or` the other way round.
    Folded foldJunction(const QueryNode& n, bool negated)
    {
        const bool isAnd = n.kind == Kind::And;
        const Folded::Value absorbing = isAnd ? Folded::Value::False : Folded::Value::True;
        std::vector<std::uint32_t> parts;
        for (std::uint32_t c : n.children) {
            const Folded child = fold(c, negated);
            if (child.value == absorbing)
                return {absorbing, 0};
            if (child.value == Folded::Value::Node)
                parts.push_back(child.node);
        }
        if (parts.empty())
            return {isAnd ? Folded::Value::True : Folded::Value::False, 0};
        if (parts.size() == 1)
            return {Folded::Value::Node, parts.front()};
        QueryNode copy = n;
        copy.children = std::move(parts);
        return add(std::move(copy));
    }

    const Query& m_in;
    Query m_out;
    bool m_sawRaw = false;
};

// One query to run: a rule's match or its then.
struct Slot
{
    std::uint32_t rule = 0;
    bool then = false;
    bool allRows = false; ///< every row is a candidate
    RowSet candidates; ///< when !allRows
    std::unique_ptr<RowMatcher> matcher; ///< set when the candidates' bodies must be read
};

// The candidates of every slot that reads bodies, each row once, ascending.
RowSet candidateUnion(const std::vector<Slot*>& slots, std::uint32_t rows)
{
    std::vector<RowSet> parts;
    for (const Slot* slot : slots) {
        if (slot->allRows) {
            RowSet all(rows);
            for (std::uint32_t r = 0; r < rows; ++r)
                all[r] = EventId{r};
            return all;
        }
        parts.push_back(slot->candidates);
    }
    return unite(parts, rows);
}

// Reads the bodies of `rows` (ascending) on `threads` threads and evaluates each row for every
// slot whose candidates hold it. Each slot's matches are appended to `found` in row order.
// False when stopped.
bool matchBodies(const std::vector<Slot*>& slots, const RowSet& rows, unsigned threads,
    const std::stop_token& stop, const std::function<void(double)>& progress,
    std::vector<RowSet>& found)
{
    const std::size_t size = rows.size();
    const unsigned slices = static_cast<unsigned>(
        std::clamp<std::size_t>(std::min<std::size_t>(threads, size / 256 + 1), 1, 64));
    std::vector<std::vector<RowSet>> parts(slices, std::vector<RowSet>(slots.size()));
    std::atomic<bool> stopped{false};
    auto work = [&](unsigned t) {
        const std::size_t begin = size * t / slices, end = size * (t + 1) / slices;
        if (begin == end)
            return;
        RawMatcher raw;
        // Per slot: the next candidate at or after the slice's first row.
        std::vector<std::size_t> cursor(slots.size(), 0);
        for (std::size_t s = 0; s < slots.size(); ++s) {
            const RowSet& c = slots[s]->candidates;
            cursor[s] = static_cast<std::size_t>(
                std::lower_bound(c.begin(), c.end(), rows[begin]) - c.begin());
        }
        for (std::size_t i = begin; i < end; ++i) {
            if ((i & 0x3FF) == 0) {
                if (stopped || stop.stop_requested()) {
                    stopped = true;
                    return;
                }
                if (t == 0 && progress)
                    progress(double(i - begin) / double(end - begin));
            }
            const EventId row = rows[i];
            for (std::size_t s = 0; s < slots.size(); ++s) {
                const Slot& slot = *slots[s];
                if (!slot.allRows) {
                    if (cursor[s] >= slot.candidates.size() || slot.candidates[cursor[s]] != row)
                        continue;
                    ++cursor[s];
                }
                if (slot.matcher->matches(row.value, raw))
                    parts[t][s].push_back(row);
            }
        }
    };
    {
        std::vector<std::jthread> workers;
        for (unsigned t = 1; t < slices; ++t)
            workers.emplace_back(work, t);
        work(0);
    }
    if (stopped)
        return false;
    for (std::size_t s = 0; s < slots.size(); ++s) {
        for (unsigned t = 0; t < slices; ++t)
            found[s].insert(found[s].end(), parts[t][s].begin(), parts[t][s].end());
    }
    return true;
}

// Runs each slot's relaxed query (on indexes and columns only) on `threads` threads taking
// slots in turn: its candidates, or its matches when the query reads no bodies, in which case
// no RowMatcher is made. False when stopped.
bool relaxAll(const EventStore& store, const RuleSet& rules, std::vector<Slot>& slots,
    unsigned threads, const std::stop_token& stop, const std::function<void(double)>& progress)
{
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<bool> stopped{false};
    auto work = [&](bool reports) {
        for (std::size_t s = next++; s < slots.size() && !stopped; s = next++) {
            Slot& slot = slots[s];
            const DetectionRule& r = rules.rules[slot.rule];
            const Query& query = slot.then ? r.thenQuery : r.matchQuery;
            const RelaxedQuery relaxed = relaxQuery(query);
            if (relaxed.kind == RelaxedQuery::Kind::Query) {
                QueryResult result = runQuery(store, relaxed.query, stop);
                if (result.cancelled) {
                    stopped = true;
                    return;
                }
                slot.candidates = std::move(result.rows);
            } else {
                slot.allRows = relaxed.kind == RelaxedQuery::Kind::All;
            }
            if (!relaxed.exact && (slot.allRows || !slot.candidates.empty()))
                slot.matcher = std::make_unique<RowMatcher>(store, query, QueryOptions{}, true);
            ++done;
            if (reports && progress)
                progress(0.2 * double(done) / double(slots.size()));
        }
    };
    {
        std::vector<std::jthread> workers;
        for (unsigned t = 1; t < std::min<std::size_t>(threads, slots.size()); ++t)
            workers.emplace_back(work, false);
        work(true);
    }
    return !stopped && !stop.stop_requested();
}

// Whether rule `r` runs a query (integrity rules and switched-off rules do not).
bool runsQuery(const DetectionRule& r)
{
    return r.enabled && r.kind != RuleKind::Integrity;
}

} // namespace

RelaxedQuery relaxQuery(const Query& query)
{
    if (query.nodes.empty())
        return {RelaxedQuery::Kind::None, {}, true};
    return Relaxer(query).run();
}

std::optional<std::vector<RuleMatches>> matchRules(const EventStore& store, const RuleSet& rules,
    const std::stop_token& stop, unsigned threads, const std::function<void(double)>& progress)
{
    const auto rows = static_cast<std::uint32_t>(store.size());
    std::vector<RuleMatches> matches(rules.rules.size());
    std::vector<Slot> slots;
    for (std::uint32_t i = 0; i < rules.rules.size(); ++i) {
        const DetectionRule& r = rules.rules[i];
        if (!runsQuery(r))
            continue;
        slots.push_back(Slot{i, false, false, {}, nullptr});
        if (r.kind == RuleKind::Sequence)
            slots.push_back(Slot{i, true, false, {}, nullptr});
    }
    auto resultOf = [&](const Slot& slot) -> RowSet& {
        return slot.then ? matches[slot.rule].then : matches[slot.rule].match;
    };
    // Step a: the relaxed queries on indexes and columns, several at a time.
    if (!relaxAll(store, rules, slots, threads, stop, progress))
        return std::nullopt;
    std::vector<Slot*> bodySlots;
    for (Slot& slot : slots) {
        if (slot.matcher) {
            bodySlots.push_back(&slot);
        } else if (slot.allRows) {
            RowSet& all = resultOf(slot);
            all.reserve(rows);
            for (std::uint32_t row = 0; row < rows; ++row)
                all.push_back(EventId{row});
        } else {
            resultOf(slot) = std::move(slot.candidates);
        }
    }
    if (bodySlots.empty())
        return matches;
    // Step b: one read of each candidate body for all the rules that need it.
    const RowSet union_ = candidateUnion(bodySlots, rows);
    std::vector<RowSet> found(bodySlots.size());
    const auto bodyProgress = [&](double share) {
        if (progress)
            progress(0.2 + 0.8 * share);
    };
    if (!matchBodies(bodySlots, union_, threads, stop, bodyProgress, found))
        return std::nullopt;
    for (std::size_t s = 0; s < bodySlots.size(); ++s)
        resultOf(*bodySlots[s]) = std::move(found[s]);
    return matches;
}

} // namespace auditscope
