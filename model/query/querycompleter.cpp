// SPDX-License-Identifier: Apache-2.0
#include "querycompleter.h"

#include "chain/chainintegrity.h"
#include "policy/policycomparison.h"
#include "querytext.h"

#include <algorithm>

namespace auditscope {

namespace {

std::string lowered(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The field before a ':' that ends at `colon`, resolved like the parser does; nullopt if none.
std::optional<QueryField> fieldBefore(std::string_view text, std::size_t colon)
{
    std::size_t start = colon;
    while (start > 0 && !isSpace(text[start - 1]) && text[start - 1] != '('
        && text[start - 1] != '-' && text[start - 1] != '!')
        --start;
    const std::string name = lowered(text.substr(start, colon - start));
    for (const FieldName& f : queryFieldNames())
        if (lowered(f.name) == name)
            return f.field;
    return std::nullopt;
}

} // namespace

QueryCompleter::QueryCompleter(EventStorePtr store)
    : m_store(std::move(store))
{ }

const std::vector<QueryCompleter::ValueCount>& QueryCompleter::countsOf(QueryField field)
{
    const auto slot = static_cast<std::size_t>(field);
    std::vector<ValueCount>& out = m_counts[slot];
    if (m_counted[slot])
        return out;
    m_counted[slot] = true;
    const EventStore& s = *m_store;
    const EventIndexes& ix = s.indexes;
    auto fromIndex = [&](const PostingIndex& index, std::uint32_t keys) {
        for (std::uint32_t k = 0; k < keys && k < index.keyCount(); ++k)
            if (const std::uint32_t n = index.count(k))
                out.push_back({k, n});
    };
    auto fromColumn = [&](const auto& column, std::uint32_t keys) {
        std::vector<std::uint64_t> counts(keys, 0);
        for (std::size_t row = 0; row < s.size(); ++row)
            if (const auto id = column[row])
                ++counts[id.value];
        for (std::uint32_t k = 0; k < keys; ++k)
            if (counts[k])
                out.push_back({k, counts[k]});
    };
    const bool indexed = s.indexed;
    switch (field) {
    case QueryField::User:
        indexed ? fromIndex(ix.byUser, s.pools.users.size())
                : fromColumn(s.user, s.pools.users.size());
        break;
    case QueryField::Verb:
        indexed ? fromIndex(ix.byVerb, s.pools.verbs.size())
                : fromColumn(s.verb, s.pools.verbs.size());
        break;
    case QueryField::Resource:
        indexed ? fromIndex(ix.byResource, s.pools.resources.size())
                : fromColumn(s.resource, s.pools.resources.size());
        break;
    case QueryField::Namespace:
        indexed ? fromIndex(ix.byNamespace, s.pools.namespaces.size())
                : fromColumn(s.namespaceId, s.pools.namespaces.size());
        break;
    case QueryField::Name:
        indexed ? fromIndex(ix.byName, s.pools.names.size())
                : fromColumn(s.name, s.pools.names.size());
        break;
    case QueryField::UserAgent:
        indexed ? fromIndex(ix.byUserAgent, s.pools.userAgents.size())
                : fromColumn(s.userAgent, s.pools.userAgents.size());
        break;
    case QueryField::Ip:
        indexed ? fromIndex(ix.bySourceIp, s.pools.sourceIps.size())
                : fromColumn(s.sourceIp, s.pools.sourceIps.size());
        break;
    case QueryField::As:
        fromColumn(s.impersonatedUser, s.pools.users.size());
        break;
    case QueryField::Subresource:
        fromColumn(s.subresource, s.pools.subresources.size());
        break;
    case QueryField::ApiGroup:
        fromColumn(s.apiGroup, s.pools.apiGroups.size());
        break;
    case QueryField::ApiVersion:
        fromColumn(s.apiVersion, s.pools.apiVersions.size());
        break;
    case QueryField::Decision:
        fromColumn(s.decision, s.pools.decisions.size());
        break;
    case QueryField::File:
        fromColumn(s.source, static_cast<std::uint32_t>(s.sources.size()));
        break;
    case QueryField::Code:
        if (indexed) {
            fromIndex(ix.byCode, 1000);
        } else {
            std::vector<std::uint64_t> counts(65536, 0);
            for (std::uint16_t c : s.code)
                ++counts[c];
            for (std::uint32_t c = 1; c < 65536; ++c)
                if (counts[c])
                    out.push_back({c, counts[c]});
        }
        break;
    case QueryField::Stage:
    case QueryField::Level: {
        const bool stage = field == QueryField::Stage;
        std::vector<std::uint64_t> counts(8, 0);
        if (indexed) {
            for (std::uint32_t v = 1; v < 5; ++v)
                counts[v] = (stage ? ix.byStage : ix.byLevel).count(v);
        } else {
            for (std::size_t row = 0; row < s.size(); ++row)
                ++counts[stage ? std::size_t(s.stage[row]) : std::size_t(s.level[row])];
        }
        for (std::uint32_t v = 1; v < 5; ++v)
            if (counts[v])
                out.push_back({v, counts[v]});
        break;
    }
    case QueryField::Group: {
        std::vector<std::uint64_t> counts(s.pools.groups.size(), 0);
        const auto sets = static_cast<std::uint32_t>(s.groupSetOffsets.size() - 1);
        std::vector<std::uint64_t> perSet(sets, 0);
        if (indexed) {
            for (std::uint32_t set = 0; set < sets; ++set)
                perSet[set] = ix.byGroupSet.count(set);
        } else {
            for (std::size_t row = 0; row < s.size(); ++row)
                if (const GroupSetId set = s.groupSet[row])
                    ++perSet[set.value];
        }
        for (std::uint32_t set = 0; set < sets; ++set)
            for (GroupId g : s.groupsOf(GroupSetId{set}))
                counts[g.value] += perSet[set];
        for (std::uint32_t g = 0; g < counts.size(); ++g)
            if (counts[g])
                out.push_back({g, counts[g]});
        break;
    }
    case QueryField::Chain:
        // Values are the flag names (ids 0..ChainFlagCount-1) and "ok" (ChainFlagCount).
        if (const ChainIntegrityPtr chains = chainIntegrityFor(m_store)) {
            for (std::uint32_t i = 0; i < ChainFlagCount; ++i)
                if (const std::uint64_t n = chains->eventsWith(chainFlagInfos()[i].flag))
                    out.push_back({i, n});
            if (const std::uint64_t n = chains->eventsWith(0))
                out.push_back({ChainFlagCount, n});
        }
        break;
    case QueryField::Rule:
        // Values: rule index + 1 (0 = "none"), counted by the evaluation itself.
        if (hasPolicy()) {
            const std::vector<std::uint64_t>& perRule = m_policy->result->eventsPerRule;
            for (std::uint32_t r = 0; r < perRule.size(); ++r)
                if (perRule[r])
                    out.push_back({r, perRule[r]});
        }
        break;
    case QueryField::PolicyLevel:
    case QueryField::Emitted:
        if (hasPolicy()) {
            std::array<std::uint64_t, 8> counts{};
            if (m_policy->levelsCounted) { // by the evaluation (this may be the GUI thread)
                const std::uint64_t events = m_policy->result->events.size();
                if (field == QueryField::Emitted) {
                    counts[0] = events - m_policy->emittedEvents;
                    counts[1] = m_policy->emittedEvents;
                } else {
                    std::copy(m_policy->eventsPerLevel.begin(), m_policy->eventsPerLevel.end(),
                        counts.begin());
                }
            } else {
                for (const PolicyEventMatch m : m_policy->result->events)
                    ++counts[field == QueryField::Emitted ? std::size_t(m.emitted())
                                                          : std::size_t(m.level()) & 7];
            }
            for (std::uint32_t v = 0; v < counts.size(); ++v)
                if (counts[v] && (field == QueryField::Emitted || v != 0))
                    out.push_back({v, counts[v]});
        }
        break;
    case QueryField::PolicyChange:
        // Counted by the comparison itself (per group of events, off the GUI thread).
        if (hasPolicy() && m_policy->comparesOn(*m_store))
            for (std::uint32_t v = 0; v < m_policy->changeCounts.size(); ++v)
                if (m_policy->changeCounts[v])
                    out.push_back({v, m_policy->changeCounts[v]});
        break;
    default:
        break;
    }
    std::stable_sort(out.begin(), out.end(),
        [](const ValueCount& a, const ValueCount& b) { return a.count > b.count; });
    return out;
}

void QueryCompleter::setPolicyContext(PolicyQueryContextPtr context)
{
    m_policy = std::move(context);
    for (const QueryField f : {QueryField::Rule, QueryField::PolicyLevel, QueryField::Emitted,
             QueryField::PolicyChange}) {
        m_counted[static_cast<std::size_t>(f)] = false;
        m_counts[static_cast<std::size_t>(f)].clear();
    }
}

void QueryCompleter::warmUp()
{
    for (const FieldName& f : queryFieldNames())
        countsOf(f.field);
}

std::string QueryCompleter::valueText(QueryField field, std::uint32_t id) const
{
    const EventStore& s = *m_store;
    switch (field) {
    case QueryField::User:
    case QueryField::As:
        return std::string(s.pools.users.view(id));
    case QueryField::Verb:
        return std::string(s.pools.verbs.view(id));
    case QueryField::Resource:
        return std::string(s.pools.resources.view(id));
    case QueryField::Namespace:
        return std::string(s.pools.namespaces.view(id));
    case QueryField::Name:
        return std::string(s.pools.names.view(id));
    case QueryField::UserAgent:
        return std::string(s.pools.userAgents.view(id));
    case QueryField::Ip:
        return std::string(s.pools.sourceIps.view(id));
    case QueryField::Subresource:
        return std::string(s.pools.subresources.view(id));
    case QueryField::ApiGroup:
        return std::string(s.pools.apiGroups.view(id));
    case QueryField::ApiVersion:
        return std::string(s.pools.apiVersions.view(id));
    case QueryField::Decision:
        return std::string(s.pools.decisions.view(id));
    case QueryField::Group:
        return std::string(s.pools.groups.view(id));
    case QueryField::File:
        return s.sources[id].path;
    case QueryField::Code:
        return std::to_string(id);
    case QueryField::Stage:
        return std::string(stageName(Stage(id)));
    case QueryField::Level:
        return std::string(levelName(Level(id)));
    case QueryField::Chain:
        return std::string(id < ChainFlagCount ? chainFlagInfos()[id].name : ChainOkName);
    case QueryField::Rule:
        return id == 0 ? std::string("none") : std::to_string(id - 1);
    case QueryField::PolicyLevel:
        return std::string(levelName(Level(id)));
    case QueryField::Emitted:
        return id ? "true" : "false";
    case QueryField::PolicyChange:
        return std::string(policyChangeName(PolicyChange(id)));
    default:
        return {};
    }
}

Completions QueryCompleter::complete(
    std::string_view text, std::size_t cursor, std::size_t maxItems)
{
    Completions result;
    cursor = std::min(cursor, text.size());
    // Start of the word under the cursor; an open quote starts it.
    bool inQuote = false;
    std::size_t quoteStart = 0;
    for (std::size_t i = 0; i < cursor; ++i) {
        if (text[i] == '\\' && inQuote) {
            ++i;
            continue;
        }
        if (text[i] == '"') {
            inQuote = !inQuote;
            quoteStart = i;
        }
    }
    std::size_t start = cursor;
    if (inQuote) {
        start = quoteStart;
    } else {
        while (start > 0 && !isSpace(text[start - 1]) && text[start - 1] != '('
            && text[start - 1] != ')')
            --start;
    }
    std::size_t end = cursor;
    if (!inQuote)
        while (end < text.size() && !isSpace(text[end]) && text[end] != ')')
            ++end;
    std::string_view word = text.substr(start, cursor - start);
    // Value context: `field:partial`, or inside `field:( ... partial`.
    std::optional<QueryField> field;
    std::size_t valueStart = start;
    const std::size_t colon = inQuote ? std::string_view::npos : word.find(':');
    if (!inQuote && colon != std::string_view::npos) {
        field = fieldBefore(text, start + colon);
        valueStart = start + colon + 1;
    } else if (inQuote && start > 0 && text[start - 1] == ':') {
        field = fieldBefore(text, start - 1);
    } else {
        int depth = 0;
        for (std::size_t i = start; i-- > 0;) {
            if (text[i] == ')')
                ++depth;
            else if (text[i] == '(' && depth-- == 0) {
                if (i > 0 && text[i - 1] == ':')
                    field = fieldBefore(text, i - 1);
                break;
            }
        }
    }
    if (field) {
        std::string prefix(text.substr(valueStart, cursor - valueStart));
        if (!prefix.empty() && prefix.front() == '"')
            prefix.erase(0, 1);
        result.field = std::string(queryFieldName(*field));
        result.replaceOffset = valueStart;
        result.replaceLength = end - valueStart;
        for (const ValueCount& v : countsOf(*field)) {
            if (result.items.size() >= maxItems)
                break;
            std::string value = valueText(*field, v.id);
            const bool match = prefix.find('*') != std::string::npos
                ? globMatch(prefix, value)
                : std::string_view(value).starts_with(prefix);
            if (match)
                result.items.push_back({CompletionItem::Kind::Value, quoteQueryValue(value),
                    static_cast<std::int64_t>(v.count)});
        }
        return result;
    }
    // Field names (and keywords) matching the word, case-insensitively.
    std::size_t skip = 0;
    while (skip < word.size() && (word[skip] == '-' || word[skip] == '!'))
        ++skip;
    const std::string prefix = lowered(word.substr(skip));
    result.replaceOffset = start + skip;
    result.replaceLength = end - result.replaceOffset;
    for (const FieldName& f : queryFieldNames()) {
        if (result.items.size() >= maxItems)
            break;
        const bool policyField = f.field == QueryField::Rule || f.field == QueryField::PolicyLevel
            || f.field == QueryField::Emitted;
        if (policyField && !hasPolicy())
            continue; // they would only report "no active policy"
        if (f.field == QueryField::PolicyChange && !(hasPolicy() && m_policy->comparesOn(*m_store)))
            continue;
        if (lowered(f.name).starts_with(prefix))
            result.items.push_back({CompletionItem::Kind::Field, std::string(f.name) + ":", -1});
    }
    for (std::string_view extra : {"uri", "reason", "requestObject.", "responseObject.",
             "annotations.", "responseStatus.", "objectRef.", "user."}) {
        if (result.items.size() >= maxItems)
            break;
        if (lowered(extra).starts_with(prefix)
            && std::none_of(result.items.begin(), result.items.end(),
                [&](const CompletionItem& i) { return i.text == std::string(extra) + ":"; }))
            result.items.push_back({CompletionItem::Kind::Field,
                std::string(extra) + (extra.ends_with('.') ? "" : ":"), -1});
    }
    if (!prefix.empty()) {
        for (std::string_view keyword : {"and", "or", "not"})
            if (keyword.starts_with(prefix) && result.items.size() < maxItems)
                result.items.push_back({CompletionItem::Kind::Keyword, std::string(keyword), -1});
    }
    return result;
}

} // namespace auditscope
