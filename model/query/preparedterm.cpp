// SPDX-License-Identifier: Apache-2.0
#include "preparedterm.h"

#include "common/timestamp.h"
#include "policy/policycomparison.h"
#include "query/findingterms.h"
#include "query/postingscan.h"
#include "query/rawmatcher.h"
#include "query/termvalue.h"

#include <algorithm>
#include <string>

namespace auditscope {

TermPreparer::TermPreparer(const EventStore& store, const Query& query,
    const PolicyQueryContext* policy, const FindingQueryContext* findings, CancelFlag& cancel)
    : m_store(store)
    , m_query(query)
    , m_policy(policy)
    , m_findings(findings)
    , m_cancel(cancel)
    , m_prepared(query.nodes.size())
{ }

PreparedTerm& TermPreparer::prepare(std::uint32_t index)
{
    PreparedTerm& p = m_prepared[index];
    if (p.ready)
        return p;
    p.ready = true;
    const QueryNode& n = m_query.nodes[index];
    // Fields with posting lists read them once the store is indexed (codes: see prepareCode).
    p.indexable = m_store.indexed && postingIndexOf(m_store.indexes, n.field) != nullptr;
    prepareField(p, n);
    return p;
}

void TermPreparer::prepareField(PreparedTerm& p, const QueryNode& n)
{
    const StringPools& pools = m_store.pools;
    switch (n.field) {
    case QueryField::User:
    case QueryField::As:
        return preparePool(p, n, pools.users);
    case QueryField::Verb:
        return preparePool(p, n, pools.verbs);
    case QueryField::Resource:
        return preparePool(p, n, pools.resources);
    case QueryField::Namespace:
        return preparePool(p, n, pools.namespaces);
    case QueryField::Name:
        return preparePool(p, n, pools.names);
    case QueryField::UserAgent:
        return preparePool(p, n, pools.userAgents);
    case QueryField::Ip:
        if (n.value.find('/') != std::string::npos)
            p.cidr = parseCidr(n.value);
        return preparePool(p, n, pools.sourceIps);
    case QueryField::Subresource:
        return preparePool(p, n, pools.subresources);
    case QueryField::ApiGroup:
        return preparePool(p, n, pools.apiGroups);
    case QueryField::ApiVersion:
        return preparePool(p, n, pools.apiVersions);
    case QueryField::Decision:
        return preparePool(p, n, pools.decisions);
    case QueryField::AuditId:
        return prepareAuditId(p, n);
    case QueryField::Group:
        return prepareGroup(p, n);
    case QueryField::Code:
        return prepareCode(p, n);
    case QueryField::Stage:
    case QueryField::Level:
        return prepareStageOrLevel(p, n);
    case QueryField::Time:
    case QueryField::StageTime:
        return prepareTime(p, n);
    case QueryField::File:
        return prepareFile(p, n);
    case QueryField::Chain:
        return prepareChain(p, n);
    case QueryField::Warning: // matches[flagged]
        p.matches.assign(2, 0);
        p.matches[static_cast<std::size_t>(n.number != 0)] = 1;
        return;
    case QueryField::Rule:
    case QueryField::PolicyLevel:
    case QueryField::Emitted:
    case QueryField::PolicyChange:
        return preparePolicy(p, n);
    case QueryField::Finding:
    case QueryField::Severity:
        return prepareFindings(p, n);
    case QueryField::Json:
    case QueryField::Text:
        p.prefilter = rawPrefilterFor(n);
        return;
    }
}

// An exact value is one pool id; a glob or an address range marks every pool entry it accepts.
template <class Pool>
void TermPreparer::preparePool(PreparedTerm& p, const QueryNode& n, const Pool& pool)
{
    if (!n.wildcard && !p.cidr) {
        p.exact = true;
        p.key = pool.find(n.value);
        if (p.key != UINT32_MAX)
            p.keys.push_back(p.key);
        return;
    }
    p.matches.assign(pool.size(), 0);
    for (std::uint32_t id = 0; id < pool.size(); ++id) {
        const std::string_view text = pool.view(id);
        if (p.cidr ? p.cidr->contains(text) : globMatch(n.value, text)) {
            p.matches[id] = 1;
            p.keys.push_back(id);
        }
    }
}

void TermPreparer::prepareAuditId(PreparedTerm& p, const QueryNode& n)
{
    const AuditIdPool& ids = m_store.pools.auditIds;
    if (!n.wildcard) {
        p.exact = true;
        p.key = ids.find(n.value);
        if (p.key != UINT32_MAX)
            p.keys.push_back(p.key);
        return;
    }
    p.matches.assign(ids.size(), 0);
    for (std::uint32_t id = 0; id < ids.size(); ++id) {
        if (globMatch(n.value, ids.text(id))) {
            p.matches[id] = 1;
            p.keys.push_back(id);
        }
    }
}

// Rows carry group sets: a set matches when one of its groups does.
void TermPreparer::prepareGroup(PreparedTerm& p, const QueryNode& n)
{
    const StringPool& groupPool = m_store.pools.groups;
    std::vector<std::uint8_t> groups(groupPool.size(), 0);
    for (std::uint32_t g = 0; g < groupPool.size(); ++g)
        groups[g] = valueMatches(n, groupPool.view(g));
    const auto sets = static_cast<std::uint32_t>(m_store.groupSetOffsets.size() - 1);
    p.matches.assign(sets, 0);
    for (std::uint32_t set = 0; set < sets; ++set) {
        for (GroupId g : m_store.groupsOf(GroupSetId{set})) {
            if (groups[g.value]) {
                p.matches[set] = 1;
                p.keys.push_back(set);
                break;
            }
        }
    }
}

void TermPreparer::prepareCode(PreparedTerm& p, const QueryNode& n)
{
    constexpr std::int64_t MaxCode = 65535;
    p.matches.assign(MaxCode + 1, 0);
    // The codes that match, as one range [lo, hi] for a number or a comparison, or by glob:
    // detection rules prepare dozens of `code:*` and `code:401` terms per run, so the common
    // shapes must not try all 65,535 codes.
    std::int64_t lo = 1, hi = MaxCode;
    const bool glob = n.wildcard && n.op == CompareOp::Match;
    if (!glob) {
        switch (n.op) {
        case CompareOp::Match:
            lo = hi = n.number;
            break;
        case CompareOp::Lt:
            hi = n.number == INT64_MIN ? 0 : n.number - 1;
            break;
        case CompareOp::Le:
            hi = n.number;
            break;
        case CompareOp::Gt:
            lo = n.number == INT64_MAX ? MaxCode + 1 : n.number + 1;
            break;
        case CompareOp::Ge:
            lo = n.number;
            break;
        }
        lo = std::max<std::int64_t>(lo, 1);
        hi = std::min<std::int64_t>(hi, MaxCode);
    }
    const bool everyCode = glob && n.value.find_first_not_of('*') == std::string::npos;
    bool aboveIndex = false;
    if (glob && !everyCode) {
        for (std::int64_t code = lo; code <= hi; ++code) {
            if (!globMatch(n.value, std::to_string(code)))
                continue;
            p.matches[static_cast<std::size_t>(code)] = 1;
            if (code < 1000)
                p.keys.push_back(static_cast<std::uint32_t>(code));
            else
                aboveIndex = true;
        }
    } else if (lo <= hi) {
        std::fill(p.matches.begin() + lo, p.matches.begin() + hi + 1, std::uint8_t{1});
        for (std::int64_t code = lo; code <= std::min<std::int64_t>(hi, 999); ++code)
            p.keys.push_back(static_cast<std::uint32_t>(code));
        aboveIndex = hi >= 1000;
    }
    // Codes from 1000 on are not indexed: use the index only if none occur.
    p.indexable = p.indexable && (!aboveIndex || !hasUnindexedCodes());
}

void TermPreparer::prepareStageOrLevel(PreparedTerm& p, const QueryNode& n)
{
    const bool stage = n.field == QueryField::Stage;
    const int count = stage ? StageCount : LevelCount;
    p.matches.assign(static_cast<std::size_t>(count), 0);
    for (int v = 1; v < count; ++v) {
        const auto name = [stage, v] { return stage ? stageName(Stage(v)) : levelName(Level(v)); };
        if (numberedValueMatches(n, v, name)) {
            p.matches[static_cast<std::size_t>(v)] = 1;
            p.keys.push_back(static_cast<std::uint32_t>(v));
        }
    }
}

// [lo, hi] inclusive, in ns; relative times count from the last timed event. Events without
// a time (NoTimeNs, sorted last) match no time comparison.
void TermPreparer::prepareTime(PreparedTerm& p, const QueryNode& n)
{
    const auto& times = m_store.timeNs;
    const auto timedEnd = std::lower_bound(times.begin(), times.end(), NoTimeNs);
    const std::int64_t last = timedEnd == times.begin() ? 0 : *(timedEnd - 1);
    // Saturating: now+100000d is simply after every event, not a wrapped time.
    std::int64_t t = n.number;
    if (n.relativeTime && __builtin_add_overflow(last, n.number, &t))
        t = n.number < 0 ? INT64_MIN : INT64_MAX;
    p.hi = std::min(p.hi, NoTimeNs - 1);
    switch (n.op) {
    case CompareOp::Match:
        p.lo = p.hi = t;
        break;
    case CompareOp::Lt:
        p.hi = t == INT64_MIN ? INT64_MIN : t - 1;
        break;
    case CompareOp::Le:
        p.hi = t;
        break;
    case CompareOp::Gt:
        p.lo = t == INT64_MAX ? INT64_MAX : t + 1;
        break;
    case CompareOp::Ge:
        p.lo = t;
        break;
    }
}

// A source matches by its path as given or by its file name.
void TermPreparer::prepareFile(PreparedTerm& p, const QueryNode& n)
{
    p.matches.assign(m_store.sources.size(), 0);
    for (std::size_t i = 0; i < m_store.sources.size(); ++i) {
        const std::string_view path = m_store.sources[i].path;
        const std::size_t slash = path.rfind('/');
        const std::string_view base =
            slash == std::string_view::npos ? path : path.substr(slash + 1);
        p.matches[i] = valueMatches(n, path) || valueMatches(n, base);
    }
}

void TermPreparer::prepareChain(PreparedTerm& p, const QueryNode& n)
{
    // Cached once a holder of the store's shared_ptr asked chainIntegrityFor() (the
    // QueryRunner, the completer); else one pass for this query.
    if (!m_chains)
        m_chains = cachedChainIntegrity(m_store);
    if (!m_chains)
        m_chains = ChainIntegrity::compute(m_store, m_cancel.token()); // once per query
    if (!m_chains)
        m_cancel.set();
    p.chains = m_chains;
    p.matches.assign(256, 0);
    for (std::uint32_t flags = 0; flags < 256; ++flags) {
        bool match = !(flags & ChainProblemFlags) && valueMatches(n, ChainOkName);
        for (const ChainFlagInfo& info : chainFlagInfos())
            match = match || ((flags & info.flag) && valueMatches(n, info.name));
        p.matches[flags] = match;
    }
}

void TermPreparer::preparePolicy(PreparedTerm& p, const QueryNode& n)
{
    if (!m_policy || !m_policy->covers(m_store))
        return; // nothing matches; checkQueryContext() reports why
    if (n.field == QueryField::PolicyChange && !m_policy->comparesOn(m_store))
        return; // nothing matches; checkQueryContext() reports why
    p.policyEvents = m_policy->result->events.data();
    switch (n.field) {
    case QueryField::PolicyChange:
        p.baselineEvents = m_policy->baseline->events.data();
        p.matches.assign(PolicyChangeCount, 0);
        for (int c = 0; c < PolicyChangeCount; ++c) {
            const std::string_view name = policyChangeName(PolicyChange(c));
            const bool changed = c != int(PolicyChange::Same);
            p.matches[static_cast<std::size_t>(c)] = n.wildcard
                ? globMatch(n.value, name) || (changed && globMatch(n.value, "changed"))
                : n.value == name || (changed && n.value == "changed");
        }
        break;
    case QueryField::Rule:
        // Index rule + 1: 0 is "no rule matched".
        p.matches.assign(m_policy->ruleCount + 1, 0);
        if (n.op == CompareOp::Match && n.value == "none") {
            p.matches[0] = 1;
            break;
        }
        for (std::size_t rule = 0; rule < m_policy->ruleCount; ++rule)
            p.matches[rule + 1] = numberedValueMatches(
                n, static_cast<std::int64_t>(rule), [rule] { return std::to_string(rule); });
        break;
    case QueryField::PolicyLevel:
        p.matches.assign(static_cast<std::size_t>(LevelCount), 0);
        for (int v = 1; v < LevelCount; ++v)
            p.matches[static_cast<std::size_t>(v)] =
                numberedValueMatches(n, v, [v] { return levelName(Level(v)); });
        break;
    default: // Emitted
        p.matches.assign(2, 0);
        p.matches[static_cast<std::size_t>(n.number != 0)] = 1;
        break;
    }
}

void TermPreparer::prepareFindings(PreparedTerm& p, const QueryNode& n)
{
    if (!m_findings || !m_findings->covers(m_store))
        return; // nothing matches; checkQueryContext() reports why
    p.findings = m_findings;
    if (n.field == QueryField::Finding) {
        p.matches.assign(m_findings->ruleIds.size(), 0);
        for (std::size_t rule = 0; rule < m_findings->ruleIds.size(); ++rule)
            p.matches[rule] = valueMatches(n, m_findings->ruleIds[rule]);
        return;
    }
    // Per topSeverity: 0 is "not flagged", which no severity term matches.
    p.matches.assign(FindingSeverityNames.size() + 1, 0);
    for (std::size_t v = 0; v < FindingSeverityNames.size(); ++v)
        p.matches[v + 1] = numberedValueMatches(
            n, static_cast<std::int64_t>(v), [v] { return FindingSeverityNames[v]; });
}

bool TermPreparer::hasUnindexedCodes()
{
    if (m_unindexedCodes < 0) {
        bool any = false;
        for (std::uint16_t c : m_store.code)
            any |= c >= 1000;
        m_unindexedCodes = any;
    }
    return m_unindexedCodes > 0;
}

} // namespace auditscope
