// SPDX-License-Identifier: Apache-2.0
#include "columnscan.h"

#include "policy/policycomparison.h"

#include <algorithm>

namespace auditscope {

namespace {

template <class Column>
bool poolRowMatches(const PreparedTerm& p, const Column& column, std::uint32_t row)
{
    const auto id = column[row];
    if (!id)
        return false;
    return p.exact ? id.value == p.key : p.matches[id.value] != 0;
}

// Any entry of sourceIPs: the column holds the first, the rest are extras.
bool ipRowMatches(const EventStore& s, const PreparedTerm& p, std::uint32_t row)
{
    if (poolRowMatches(p, s.sourceIp, row))
        return true;
    for (const EventStore::ExtraSourceIp& extra : s.extraSourceIpsOf(row)) {
        if (p.exact ? extra.ip.value == p.key : p.matches[extra.ip.value] != 0)
            return true;
    }
    return false;
}

// Any place the event was read from: its source, or the source of a dropped byte-identical copy.
bool fileRowMatches(const EventStore& s, const PreparedTerm& p, std::uint32_t row)
{
    if (p.matches[s.source[row].value] != 0)
        return true;
    if (s.duplicatePlaces.empty()) // the usual case: no copies anywhere
        return false;
    for (const EventStore::DuplicatePlace& place : s.duplicatePlacesOf(row)) {
        if (p.matches[place.source.value] != 0)
            return true;
    }
    return false;
}

// Rule, PolicyLevel, Emitted, PolicyChange: the policies' outcome for the row.
bool policyRowMatches(QueryField field, const PreparedTerm& p, std::uint32_t row)
{
    switch (field) {
    case QueryField::Rule: {
        if (!p.policyEvents)
            return false;
        const auto slot = static_cast<std::size_t>(p.policyEvents[row].rule() + 1);
        return slot < p.matches.size() && p.matches[slot] != 0;
    }
    case QueryField::PolicyLevel:
        return p.policyEvents
            && p.matches[static_cast<std::size_t>(p.policyEvents[row].level())] != 0;
    case QueryField::Emitted:
        return p.policyEvents && p.matches[p.policyEvents[row].emitted() ? 1 : 0] != 0;
    case QueryField::PolicyChange:
        return p.baselineEvents
            && p.matches[static_cast<std::size_t>(
                   policyChangeOf(p.baselineEvents[row], p.policyEvents[row]))]
            != 0;
    default:
        return false;
    }
}

// Finding: one of the rules that flagged the row; Severity: the highest severity among them.
bool findingRowMatches(QueryField field, const PreparedTerm& p, std::uint32_t row)
{
    const FindingQueryContext* f = p.findings;
    if (!f)
        return false;
    if (field == QueryField::Severity) {
        const std::size_t top = f->topSeverity[row];
        return top < p.matches.size() && p.matches[top] != 0;
    }
    for (std::uint32_t i = f->offsets[row]; i < f->offsets[row + 1]; ++i) {
        const std::uint32_t rule = f->ruleIndexes[i];
        if (rule < p.matches.size() && p.matches[rule] != 0)
            return true;
    }
    return false;
}

// The candidate rows for which `pred(row)` holds; polls `cancel` every 1 M rows.
template <class Pred>
RowSet scanWith(const Candidates& cand, CancelFlag& cancel, Pred pred)
{
    RowSet out;
    const std::size_t size = cand.size();
    for (std::size_t begin = 0; begin < size; begin += 1 << 20) {
        if (cancel.poll())
            return {};
        const std::size_t end = std::min(size, begin + (1 << 20));
        if (cand.list) {
            for (std::size_t i = begin; i < end; ++i)
                if (pred((*cand.list)[i].value))
                    out.push_back((*cand.list)[i]);
        } else {
            for (std::size_t i = begin; i < end; ++i) {
                const auto row = static_cast<std::uint32_t>(cand.lo + i);
                if (pred(row))
                    out.push_back(EventId{row});
            }
        }
    }
    return out;
}

template <class Column>
RowSet scanPool(
    const PreparedTerm& p, const Column& column, const Candidates& cand, CancelFlag& cancel)
{
    if (p.exact) {
        if (p.key == UINT32_MAX)
            return {};
        return scanWith(
            cand, cancel, [&](std::uint32_t row) { return column[row].value == p.key; });
    }
    return scanWith(cand, cancel, [&](std::uint32_t row) {
        const auto id = column[row];
        return id && p.matches[id.value] != 0;
    });
}

} // namespace

bool columnRowMatches(
    const EventStore& s, QueryField field, const PreparedTerm& p, std::uint32_t row)
{
    switch (field) {
    case QueryField::User:
        return poolRowMatches(p, s.user, row);
    case QueryField::As:
        return poolRowMatches(p, s.impersonatedUser, row);
    case QueryField::Verb:
        return poolRowMatches(p, s.verb, row);
    case QueryField::Resource:
        return poolRowMatches(p, s.resource, row);
    case QueryField::Namespace:
        return poolRowMatches(p, s.namespaceId, row);
    case QueryField::Name:
        return poolRowMatches(p, s.name, row);
    case QueryField::UserAgent:
        return poolRowMatches(p, s.userAgent, row);
    case QueryField::Ip:
        return ipRowMatches(s, p, row);
    case QueryField::Subresource:
        return poolRowMatches(p, s.subresource, row);
    case QueryField::ApiGroup:
        return poolRowMatches(p, s.apiGroup, row);
    case QueryField::ApiVersion:
        return poolRowMatches(p, s.apiVersion, row);
    case QueryField::Decision:
        return poolRowMatches(p, s.decision, row);
    case QueryField::AuditId:
        return poolRowMatches(p, s.auditId, row);
    case QueryField::Group: {
        const GroupSetId set = s.groupSet[row];
        return set && set.value < p.matches.size() && p.matches[set.value];
    }
    case QueryField::Code:
        return p.matches[s.code[row]] != 0;
    case QueryField::Stage:
        return p.matches[static_cast<std::size_t>(s.stage[row])] != 0;
    case QueryField::Level:
        return p.matches[static_cast<std::size_t>(s.level[row])] != 0;
    case QueryField::Time:
        return s.timeNs[row] >= p.lo && s.timeNs[row] <= p.hi;
    case QueryField::StageTime: {
        const std::int64_t t = s.stageTimeNs(row);
        return t >= p.lo && t <= p.hi;
    }
    case QueryField::File:
        return fileRowMatches(s, p, row);
    case QueryField::Chain: {
        const AuditIdId id = s.auditId[row];
        return id && p.chains && p.matches[p.chains->flagsOf(id)] != 0;
    }
    case QueryField::Warning:
        return p.matches[(s.flags[row] & LoadedWithWarnings) ? 1 : 0] != 0;
    case QueryField::Rule:
    case QueryField::PolicyLevel:
    case QueryField::Emitted:
    case QueryField::PolicyChange:
        return policyRowMatches(field, p, row);
    case QueryField::Finding:
    case QueryField::Severity:
        return findingRowMatches(field, p, row);
    case QueryField::Json:
    case QueryField::Text:
        break;
    }
    return false;
}

RowSet scanColumn(const EventStore& s, QueryField field, const PreparedTerm& p,
    const Candidates& cand, CancelFlag& cancel)
{
    switch (field) {
    case QueryField::As:
        return scanPool(p, s.impersonatedUser, cand, cancel);
    case QueryField::Subresource:
        return scanPool(p, s.subresource, cand, cancel);
    case QueryField::ApiGroup:
        return scanPool(p, s.apiGroup, cand, cancel);
    case QueryField::ApiVersion:
        return scanPool(p, s.apiVersion, cand, cancel);
    case QueryField::Decision:
        return scanPool(p, s.decision, cand, cancel);
    case QueryField::Code:
        return scanWith(
            cand, cancel, [&](std::uint32_t row) { return p.matches[s.code[row]] != 0; });
    default:
        return scanWith(
            cand, cancel, [&](std::uint32_t row) { return columnRowMatches(s, field, p, row); });
    }
}

} // namespace auditscope
