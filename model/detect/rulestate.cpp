// SPDX-License-Identifier: Apache-2.0
// Step two of detection: what each query rule keeps across events. Matches become requests
// (one row per auditID), then findings by the rule's kind: every request (event rules), bursts
// per key (threshold), a first occurrence after a baseline of the key's own activity (first
// seen), or one request followed by another (sequence).
#include "common/timestamp.h"
#include "detect/enginesteps.h"

#include "detect/rulekeys.h"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace auditscope {

namespace {

/// a - b, clamped to the int64 range: times near the ends of the range (a log from a hostile
/// cluster can say year 1678 or 2262) and windows of up to 106,751 days must not overflow.
std::int64_t saturatingSub(std::int64_t a, std::int64_t b)
{
    std::int64_t out = 0;
    if (__builtin_sub_overflow(a, b, &out))
        return b < 0 ? INT64_MAX : INT64_MIN;
    return out;
}

// Requests grouped by key, each group ascending.
struct KeyGroups
{
    std::vector<RuleKey> keys;
    std::vector<std::vector<std::uint32_t>> rows;
};

// Requests whose key lacks a field (no user: a failed login) have no principal to keep state
// for, and are left out.
KeyGroups groupByKey(const RuleKeyReader& reader, const RowSet& requests)
{
    KeyGroups groups;
    std::unordered_map<RuleKey, std::uint32_t, RuleKeyHash> indexOf;
    for (EventId e : requests) {
        const RuleKey key = reader.keyOf(e.value);
        if (!reader.complete(key))
            continue;
        const auto [it, added] =
            indexOf.try_emplace(key, static_cast<std::uint32_t>(groups.keys.size()));
        if (added) {
            groups.keys.push_back(key);
            groups.rows.emplace_back();
        }
        groups.rows[it->second].push_back(e.value);
    }
    return groups;
}

// "create pods/exec prod/web-1": the request an event rule flagged, in a few words.
std::string describeRequest(const EventStore& s, std::uint32_t row)
{
    std::string out = columnText(s, QueryField::Verb, columnIdOf(s, QueryField::Verb, row));
    const std::string resource =
        columnText(s, QueryField::Resource, columnIdOf(s, QueryField::Resource, row));
    if (!resource.empty()) {
        out += ' ' + resource;
        const std::string sub =
            columnText(s, QueryField::Subresource, columnIdOf(s, QueryField::Subresource, row));
        if (!sub.empty())
            out += '/' + sub;
        const std::string ns =
            columnText(s, QueryField::Namespace, columnIdOf(s, QueryField::Namespace, row));
        const std::string name =
            columnText(s, QueryField::Name, columnIdOf(s, QueryField::Name, row));
        if (!ns.empty() || !name.empty())
            out += ' ' + (ns.empty() ? name : name.empty() ? ns : ns + '/' + name);
    }
    if (s.code[row] != 0)
        out += " (" + std::to_string(s.code[row]) + ')';
    return out;
}

// A value of `newValueOf` that a key's matching requests carry, and when the key first used it.
struct WatchedValue
{
    std::uint32_t value = 0;
    std::int64_t firstUseNs = std::numeric_limits<std::int64_t>::max();
    bool reported = false;
    bool operator<(std::uint32_t v) const { return value < v; }
};

// One key's activity in time order, for first-seen rules: when it began, how many requests it
// made (each counted from the next instant on, so that the stages of one request and requests
// in the same nanosecond are not "before" it), and when it first used each watched value.
struct KeyActivity
{
    std::int64_t firstNs = -1;
    std::uint64_t requests = 0, pendingRequests = 0;
    std::int64_t pendingTimeNs = std::numeric_limits<std::int64_t>::min();
    std::vector<WatchedValue> watched; ///< sorted by value
    std::size_t nextMatch = 0; ///< into the key's matched requests

    void advanceTo(std::int64_t timeNs)
    {
        if (timeNs <= pendingTimeNs)
            return;
        pendingTimeNs = timeNs;
        requests += pendingRequests;
        pendingRequests = 0;
    }
    WatchedValue* find(std::uint32_t value)
    {
        const auto it = std::lower_bound(watched.begin(), watched.end(), value);
        return it != watched.end() && it->value == value ? &*it : nullptr;
    }
};

} // namespace

Finding makeFinding(const EventStore& s, std::uint32_t rule, std::vector<EventId> events,
    std::string principal, std::string detail)
{
    Finding f;
    f.rule = rule;
    f.events = std::move(events);
    f.principal = std::move(principal);
    f.firstNs = s.timeNs[f.events.front().value];
    f.lastNs = s.timeNs[f.events.back().value];
    f.detail = std::move(detail);
    return f;
}

std::string formatWindow(std::int64_t ns)
{
    struct Unit
    {
        std::int64_t ns;
        const char* name;
    };
    static constexpr Unit Units[] = {{86'400'000'000'000, "d"}, {3'600'000'000'000, "h"},
        {60'000'000'000, "m"}, {1'000'000'000, "s"}, {1'000'000, "ms"}, {1, "ns"}};
    if (ns <= 0)
        return "0 s";
    for (std::size_t i = 0; i < std::size(Units); ++i) {
        if (ns % Units[i].ns != 0)
            continue;
        // "60 s" reads better than "1 m", "24 h" than "1 d".
        if (ns == Units[i].ns && i + 1 < std::size(Units) - 1)
            return std::to_string(ns / Units[i + 1].ns) + ' ' + Units[i + 1].name;
        return std::to_string(ns / Units[i].ns) + ' ' + Units[i].name;
    }
    return std::to_string(ns) + " ns";
}

std::string formatSpan(std::int64_t ns)
{
    constexpr std::int64_t Ms = 1'000'000, S = 1000 * Ms, M = 60 * S, H = 60 * M, D = 24 * H;
    if (ns < S)
        return std::to_string(std::max<std::int64_t>(ns, 0) / Ms) + " ms";
    if (ns < 10 * S) {
        const std::int64_t tenths = ns / (S / 10);
        return std::to_string(tenths / 10) + '.' + std::to_string(tenths % 10) + " s";
    }
    if (ns < 2 * M)
        return std::to_string(ns / S) + " s";
    if (ns < 2 * H)
        return std::to_string(ns / M) + " m";
    if (ns < 3 * D)
        return std::to_string(ns / H) + " h";
    return std::to_string(ns / D) + " d";
}

std::string formatCount(std::uint64_t n)
{
    std::string digits = std::to_string(n);
    for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3)
        digits.insert(static_cast<std::size_t>(at), 1, ',');
    return digits;
}

RuleStates::RuleStates(const EventStore& store, const RuleSet& rules, RequestStarts& starts)
    : m_store(store)
    , m_rules(rules)
    , m_maintenance(rules.settings.maintenanceWindows)
    , m_startsRequest(starts)
    , m_seenIds((store.pools.auditIds.size() + 63) / 64, 0)
{ }

void RuleStates::run(std::uint32_t ruleIndex, const RuleMatches& matches, std::vector<Finding>& out)
{
    const DetectionRule& rule = m_rules.rules[ruleIndex];
    const RowSet requests = requestsOf(rule, matches.match);
    switch (rule.kind) {
    case RuleKind::Event:
        return eventFindings(ruleIndex, requests, out);
    case RuleKind::Threshold:
        return thresholdFindings(ruleIndex, requests, out);
    case RuleKind::FirstSeen:
        return firstSeenFindings(ruleIndex, requests, out);
    case RuleKind::Sequence:
        return sequenceFindings(ruleIndex, requests, requestsOf(rule, matches.then), out);
    case RuleKind::Integrity:
        break;
    }
}

RowSet RuleStates::requestsOf(const DetectionRule& rule, const RowSet& rows)
{
    RowSet out;
    std::vector<std::uint32_t> touched;
    for (EventId e : rows) {
        const AuditIdId id = m_store.auditId[e.value];
        if (id) {
            std::uint64_t& word = m_seenIds[id.value >> 6];
            const std::uint64_t bit = 1ULL << (id.value & 63);
            if (word & bit)
                continue; // a later stage of a request already taken
            word |= bit;
            touched.push_back(id.value);
        }
        // An event without a time has no place in a window or a baseline.
        if (m_store.timeNs[e.value] == NoTimeNs)
            continue;
        if (rule.outsideMaintenance && m_maintenance.contains(m_store.timeNs[e.value]))
            continue;
        out.push_back(e);
    }
    for (std::uint32_t id : touched)
        m_seenIds[id >> 6] = 0;
    return out;
}

void RequestStarts::compute()
{
    const std::size_t rows = m_store.size();
    m_bits.assign(rows / 64 + 1, 0);
    std::vector<std::uint64_t> seen((m_store.pools.auditIds.size() + 63) / 64, 0);
    for (std::size_t r = 0; r < rows; ++r) {
        const AuditIdId id = m_store.auditId[r];
        if (id) {
            std::uint64_t& word = seen[id.value >> 6];
            const std::uint64_t bit = 1ULL << (id.value & 63);
            if (word & bit)
                continue;
            word |= bit;
        }
        m_bits[r >> 6] |= 1ULL << (r & 63);
    }
}

void RuleStates::eventFindings(
    std::uint32_t ruleIndex, const RowSet& requests, std::vector<Finding>& out)
{
    const RuleKeyReader keys(m_store, m_rules.rules[ruleIndex].by);
    for (EventId e : requests)
        out.push_back(makeFinding(m_store, ruleIndex, {e}, keys.text(keys.keyOf(e.value)),
            describeRequest(m_store, e.value)));
}

// Per key, a sliding window over its requests in time order: a finding as soon as `count`
// requests (or distinct values) fit in [t0, t0 + window]; the finding takes every request of
// that window, and the next one starts after them.
void RuleStates::thresholdFindings(
    std::uint32_t ruleIndex, const RowSet& requests, std::vector<Finding>& out)
{
    const DetectionRule& rule = m_rules.rules[ruleIndex];
    const RuleKeyReader keys(m_store, rule.by);
    const KeyGroups groups = groupByKey(keys, requests);
    const std::size_t count = static_cast<std::size_t>(std::max(rule.count, 1));
    const std::int64_t window = std::max<std::int64_t>(rule.windowNs, 0);
    // Distinct: the value of a request, UINT32_MAX when it has none (a list has no name),
    // which is not a value to count.
    const auto valueOf = [&](std::uint32_t row) {
        return rule.distinct ? columnIdOf(m_store, *rule.distinct, row) : UINT32_MAX;
    };
    std::unordered_map<std::uint32_t, int> inWindow; // distinct: value → requests in the window
    for (std::size_t g = 0; g < groups.keys.size(); ++g) {
        const std::vector<std::uint32_t>& rows = groups.rows[g];
        const auto timeOf = [&](std::size_t i) { return m_store.timeNs[rows[i]]; };
        inWindow.clear();
        std::size_t left = 0;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            for (; saturatingSub(timeOf(i), timeOf(left)) > window; ++left) {
                const std::uint32_t v = valueOf(rows[left]);
                if (v != UINT32_MAX && --inWindow[v] == 0)
                    inWindow.erase(v);
            }
            if (const std::uint32_t v = valueOf(rows[i]); v != UINT32_MAX)
                ++inWindow[v];
            const std::size_t reached = rule.distinct ? inWindow.size() : i - left + 1;
            if (reached < count)
                continue;
            std::size_t end = i;
            while (end + 1 < rows.size() && saturatingSub(timeOf(end + 1), timeOf(left)) <= window)
                ++end;
            std::vector<EventId> events;
            std::unordered_set<std::uint32_t> values;
            for (std::size_t k = left; k <= end; ++k) {
                events.push_back(EventId{rows[k]});
                if (valueOf(rows[k]) != UINT32_MAX)
                    values.insert(valueOf(rows[k]));
            }
            const std::string detail = rule.distinct
                ? std::to_string(values.size()) + " different "
                    + std::string(queryFieldName(*rule.distinct)) + " values within "
                    + formatWindow(window)
                : formatCount(events.size()) + " requests within " + formatWindow(window);
            out.push_back(makeFinding(
                m_store, ruleIndex, std::move(events), keys.text(groups.keys[g]), detail));
            inWindow.clear();
            left = end + 1;
            i = end;
        }
    }
}

// Per key, its activity (every request, matching or not) in time order through a posting
// list; a matching request is a finding when it is the key's first one (or, with newValueOf,
// the first use of that value by the key) and the key's activity before it makes a baseline.
void RuleStates::firstSeenFindings(
    std::uint32_t ruleIndex, const RowSet& requests, std::vector<Finding>& out)
{
    const DetectionRule& rule = m_rules.rules[ruleIndex];
    const RuleKeyReader keys(m_store, rule.by);
    KeyGroups groups = groupByKey(keys, requests);
    std::vector<KeyActivity> activity(groups.keys.size());
    const auto valueOf = [&](std::uint32_t row) {
        return rule.newValueOf ? columnIdOf(m_store, *rule.newValueOf, row) : 0;
    };
    for (std::size_t g = 0; g < groups.keys.size(); ++g) {
        if (!rule.newValueOf) {
            groups.rows[g].resize(1); // only a key's first matching request can be a finding
            continue;
        }
        for (std::uint32_t row : groups.rows[g])
            activity[g].watched.push_back(WatchedValue{valueOf(row)});
        std::vector<WatchedValue>& w = activity[g].watched;
        std::sort(
            w.begin(), w.end(), [](const auto& a, const auto& b) { return a.value < b.value; });
        w.erase(std::unique(w.begin(), w.end(),
                    [](const auto& a, const auto& b) { return a.value == b.value; }),
            w.end());
    }
    const std::uint64_t minRequests =
        static_cast<std::uint64_t>(std::max(rule.baselineRequests, 0));
    const auto visit = [&](std::size_t g, std::uint32_t row) {
        KeyActivity& a = activity[g];
        const std::int64_t t = m_store.timeNs[row];
        if (t == NoTimeNs)
            return; // sorted last; not activity at any moment
        a.advanceTo(t);
        if (a.firstNs < 0)
            a.firstNs = t;
        WatchedValue* value = rule.newValueOf ? a.find(valueOf(row)) : nullptr;
        if (value && value->firstUseNs > t)
            value->firstUseNs = t;
        const std::vector<std::uint32_t>& matched = groups.rows[g];
        if (a.nextMatch < matched.size() && matched[a.nextMatch] == row) {
            ++a.nextMatch;
            // With newValueOf: a value first used at this very instant, not reported yet.
            const bool fresh = !rule.newValueOf
                || (value && value->value != UINT32_MAX && value->firstUseNs == t
                    && !value->reported);
            const std::int64_t baselineNs = saturatingSub(t, a.firstNs);
            if (fresh && baselineNs >= rule.baselineNs && a.requests >= minRequests) {
                const std::string what = rule.newValueOf
                    ? "first " + std::string(queryFieldName(*rule.newValueOf)) + ' '
                        + columnText(m_store, *rule.newValueOf, value->value)
                    : std::string("first time");
                out.push_back(
                    makeFinding(m_store, ruleIndex, {EventId{row}}, keys.text(groups.keys[g]),
                        what + " in " + formatSpan(baselineNs) + " of activity ("
                            + formatCount(a.requests) + " requests)"));
                if (value)
                    value->reported = true;
            }
        }
        if (m_startsRequest(row))
            ++a.pendingRequests;
    };
    // Each key's activity through a posting list; keys without one in one scan of the store.
    std::unordered_map<RuleKey, std::uint32_t, RuleKeyHash> scanned;
    for (std::size_t g = 0; g < groups.keys.size(); ++g) {
        const std::uint32_t last = groups.rows[g].back();
        const bool listed = keys.forEachEventOf(groups.keys[g], [&](std::uint32_t row) {
            if (row <= last)
                visit(g, row);
        });
        if (!listed)
            scanned.emplace(groups.keys[g], static_cast<std::uint32_t>(g));
    }
    if (scanned.empty())
        return;
    for (std::uint32_t row = 0; row < m_store.size(); ++row) {
        if (const auto it = scanned.find(keys.keyOf(row));
            it != scanned.end() && row <= groups.rows[it->second].back())
            visit(it->second, row);
    }
}

// Per key, each `then` request with the earliest `match` request in the window before it.
void RuleStates::sequenceFindings(
    std::uint32_t ruleIndex, const RowSet& first, const RowSet& then, std::vector<Finding>& out)
{
    const DetectionRule& rule = m_rules.rules[ruleIndex];
    const RuleKeyReader keys(m_store, rule.by);
    const KeyGroups groups = groupByKey(keys, first);
    std::unordered_map<RuleKey, std::uint32_t, RuleKeyHash> groupOf;
    for (std::size_t g = 0; g < groups.keys.size(); ++g)
        groupOf.emplace(groups.keys[g], static_cast<std::uint32_t>(g));
    for (EventId b : then) {
        const RuleKey key = keys.keyOf(b.value);
        const auto it = groupOf.find(key);
        if (it == groupOf.end())
            continue;
        const std::vector<std::uint32_t>& earlier = groups.rows[it->second];
        const std::int64_t tb = m_store.timeNs[b.value];
        const auto a =
            std::lower_bound(earlier.begin(), earlier.end(), saturatingSub(tb, rule.windowNs),
                [&](std::uint32_t row, std::int64_t t) { return m_store.timeNs[row] < t; });
        if (a == earlier.end() || m_store.timeNs[*a] >= tb)
            continue;
        std::string resource = columnText(
            m_store, QueryField::Resource, columnIdOf(m_store, QueryField::Resource, b.value));
        const std::string subresource = columnText(m_store, QueryField::Subresource,
            columnIdOf(m_store, QueryField::Subresource, b.value));
        if (!resource.empty() && !subresource.empty())
            resource += '/' + subresource;
        const std::string verb =
            columnText(m_store, QueryField::Verb, columnIdOf(m_store, QueryField::Verb, b.value));
        out.push_back(makeFinding(m_store, ruleIndex, {EventId{*a}, b}, keys.text(key),
            "then " + (resource.empty() ? verb : resource + ' ' + verb) + " after "
                + formatSpan(tb - m_store.timeNs[*a])));
    }
}

} // namespace auditscope
