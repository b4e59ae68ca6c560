// SPDX-License-Identifier: Apache-2.0
#include "itemmodels/columnfilter.h"

#include "common/timestamp.h"
#include "query/querytext.h"

namespace auditscope {

namespace {

// `field:value`, or `not field:*` when the event has no value.
template <class IdT>
std::string poolTerm(const char* field, const StringPool& pool, IdT id)
{
    if (!id)
        return std::string("not ") + field + ":*";
    return std::string(field) + ":" + quoteQueryValue(pool.view(id.value));
}

std::string positiveFilter(const EventStore& s, std::uint32_t row, EventColumn column)
{
    const StringPools& p = s.pools;
    switch (column) {
    case EventColumn::Time:
        return "time >= " + quoteQueryValue(formatRfc3339Micros(s.timeNs[row]));
    case EventColumn::Stage:
        return "stage:" + std::string(stageName(s.stage[row]));
    case EventColumn::User:
        return poolTerm("user", p.users, s.user[row]);
    case EventColumn::Verb:
        return poolTerm("verb", p.verbs, s.verb[row]);
    case EventColumn::Resource: {
        std::string term = poolTerm("resource", p.resources, s.resource[row]);
        if (s.subresource[row])
            term += " and " + poolTerm("subresource", p.subresources, s.subresource[row]);
        return term;
    }
    case EventColumn::Namespace:
        return poolTerm("ns", p.namespaces, s.namespaceId[row]);
    case EventColumn::Name:
        return poolTerm("name", p.names, s.name[row]);
    case EventColumn::Code:
        return s.code[row] ? "code:" + std::to_string(s.code[row]) : "not code:*";
    case EventColumn::Decision:
        return poolTerm("decision", p.decisions, s.decision[row]);
    case EventColumn::SourceIp:
        return poolTerm("ip", p.sourceIps, s.sourceIp[row]);
    case EventColumn::UserAgent:
        return poolTerm("ua", p.userAgents, s.userAgent[row]);
    case EventColumn::Level:
        return "level:" + std::string(levelName(s.level[row]));
    case EventColumn::SourceFile:
        return "file:" + quoteQueryValue(s.sources[s.source[row].value].path);
    case EventColumn::AuditId:
        return s.auditId[row] ? "id:" + quoteQueryValue(p.auditIds.text(s.auditId[row].value))
                              : "not id:*";
    case EventColumn::Latency:
    case EventColumn::Rule: // the policy's outcome is not in the store
    case EventColumn::PolicyLevel:
    case EventColumn::ColumnCount:
        break;
    }
    return {};
}

} // namespace

std::string columnFilter(const EventStore& store, EventId id, EventColumn column, bool exclude)
{
    if (!id || id.value >= store.size())
        return {};
    const std::string term = positiveFilter(store, id.value, column);
    if (term.empty() || !exclude)
        return term;
    if (column == EventColumn::Time) // the events before this one
        return "time < " + quoteQueryValue(formatRfc3339Micros(store.timeNs[id.value]));
    if (term.starts_with("not ") && term.find(" and ") == std::string::npos)
        return term.substr(4); // not x:* -> x:*
    return negateQueryTerm(term);
}

} // namespace auditscope
