// SPDX-License-Identifier: Apache-2.0
#include "detect/rulekeys.h"

#include "query/postingscan.h"

#include <algorithm>

namespace auditscope {

namespace {

template <class IdType>
std::uint32_t idOf(IdType id)
{
    return id.value;
}

std::string groupsText(const EventStore& s, std::uint32_t set)
{
    std::string out;
    for (GroupId g : s.groupsOf(GroupSetId{set})) {
        if (!out.empty())
            out += ',';
        out += s.pools.groups.view(g.value);
    }
    return out;
}

} // namespace

std::uint32_t columnIdOf(const EventStore& s, QueryField field, std::uint32_t row)
{
    switch (field) {
    case QueryField::User:
        return idOf(s.user[row]);
    case QueryField::Group:
        return idOf(s.groupSet[row]);
    case QueryField::As:
        return idOf(s.impersonatedUser[row]);
    case QueryField::Verb:
        return idOf(s.verb[row]);
    case QueryField::Resource:
        return idOf(s.resource[row]);
    case QueryField::Subresource:
        return idOf(s.subresource[row]);
    case QueryField::Namespace:
        return idOf(s.namespaceId[row]);
    case QueryField::Name:
        return idOf(s.name[row]);
    case QueryField::ApiGroup:
        return idOf(s.apiGroup[row]);
    case QueryField::ApiVersion:
        return idOf(s.apiVersion[row]);
    case QueryField::Code:
        return s.code[row] == 0 ? UINT32_MAX : s.code[row];
    case QueryField::Stage:
        return static_cast<std::uint32_t>(s.stage[row]);
    case QueryField::Level:
        return static_cast<std::uint32_t>(s.level[row]);
    case QueryField::Ip:
        return idOf(s.sourceIp[row]);
    case QueryField::UserAgent:
        return idOf(s.userAgent[row]);
    case QueryField::AuditId:
        return idOf(s.auditId[row]);
    case QueryField::Decision:
        return idOf(s.decision[row]);
    case QueryField::File:
        return idOf(s.source[row]);
    default:
        return 0;
    }
}

std::string columnText(const EventStore& s, QueryField field, std::uint32_t id)
{
    if (id == UINT32_MAX)
        return {};
    const StringPools& p = s.pools;
    switch (field) {
    case QueryField::User:
    case QueryField::As:
        return std::string(p.users.view(id));
    case QueryField::Group:
        return groupsText(s, id);
    case QueryField::Verb:
        return std::string(p.verbs.view(id));
    case QueryField::Resource:
        return std::string(p.resources.view(id));
    case QueryField::Subresource:
        return std::string(p.subresources.view(id));
    case QueryField::Namespace:
        return std::string(p.namespaces.view(id));
    case QueryField::Name:
        return std::string(p.names.view(id));
    case QueryField::ApiGroup:
        return std::string(p.apiGroups.view(id));
    case QueryField::ApiVersion:
        return std::string(p.apiVersions.view(id));
    case QueryField::Code:
        return std::to_string(id);
    case QueryField::Stage:
        return std::string(stageName(Stage(id)));
    case QueryField::Level:
        return std::string(levelName(Level(id)));
    case QueryField::Ip:
        return std::string(p.sourceIps.view(id));
    case QueryField::UserAgent:
        return std::string(p.userAgents.view(id));
    case QueryField::AuditId:
        return p.auditIds.text(id);
    case QueryField::Decision:
        return std::string(p.decisions.view(id));
    case QueryField::File:
        return id < s.sources.size() ? s.sources[id].path : std::string();
    default:
        return {};
    }
}

RuleKeyReader::RuleKeyReader(const EventStore& store, const std::vector<QueryField>& by)
    : m_store(store)
    , m_fields(by.empty() ? std::vector<QueryField>{QueryField::User} : by)
{
    if (m_fields.size() > RuleKey::MaxFields)
        m_fields.resize(RuleKey::MaxFields);
}

RuleKey RuleKeyReader::keyOf(std::uint32_t row) const
{
    RuleKey key;
    for (std::size_t i = 0; i < m_fields.size(); ++i)
        key.ids[i] = columnIdOf(m_store, m_fields[i], row);
    return key;
}

bool RuleKeyReader::complete(const RuleKey& key) const
{
    for (std::size_t i = 0; i < m_fields.size(); ++i)
        if (key.ids[i] == UINT32_MAX)
            return false;
    return true;
}

std::string RuleKeyReader::text(const RuleKey& key) const
{
    std::string out;
    for (std::size_t i = 0; i < m_fields.size(); ++i) {
        if (i > 0)
            out += " @ ";
        const std::string part = columnText(m_store, m_fields[i], key.ids[i]);
        out += part.empty() && key.ids[i] == UINT32_MAX ? std::string("(none)") : part;
    }
    return out;
}

bool RuleKeyReader::forEachEventOf(
    const RuleKey& key, const std::function<void(std::uint32_t)>& fn) const
{
    if (!m_store.indexed)
        return false;
    // The posting list of the first field that has one for this value; every field is then
    // checked on the row (sourceIPs' index also lists events where the address is not first).
    for (std::size_t i = 0; i < m_fields.size(); ++i) {
        const PostingIndex* index = postingIndexOf(m_store.indexes, m_fields[i]);
        if (!index || key.ids[i] == UINT32_MAX || key.ids[i] >= index->keyCount())
            continue;
        index->forEach(key.ids[i], [&](EventId e) {
            if (keyOf(e.value) == key)
                fn(e.value);
        });
        return true;
    }
    return false;
}

} // namespace auditscope
