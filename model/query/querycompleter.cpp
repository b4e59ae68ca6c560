// SPDX-License-Identifier: Apache-2.0
#include "querycompleter.h"

#include "chain/chainintegrity.h"
#include "policy/policycomparison.h"
#include "query/findingterms.h"
#include "query/querychars.h"
#include "querytext.h"

#include <algorithm>
#include <optional>

namespace auditscope {

namespace {

/// The word under the cursor: [start, end). An open quote starts it and runs to the cursor.
struct CursorWord
{
    std::size_t start = 0, end = 0;
    bool inQuote = false;
};

CursorWord wordAt(std::string_view text, std::size_t cursor)
{
    CursorWord w;
    std::size_t quoteStart = 0;
    for (std::size_t i = 0; i < cursor; ++i) {
        if (text[i] == '\\' && w.inQuote) {
            ++i;
            continue;
        }
        if (text[i] == '"') {
            w.inQuote = !w.inQuote;
            quoteStart = i;
        }
    }
    w.start = cursor;
    w.end = cursor;
    if (w.inQuote) {
        w.start = quoteStart;
        return w;
    }
    while (w.start > 0 && !isQuerySpace(text[w.start - 1]) && text[w.start - 1] != '('
        && text[w.start - 1] != ')')
        --w.start;
    while (w.end < text.size() && !isQuerySpace(text[w.end]) && text[w.end] != ')')
        ++w.end;
    return w;
}

// The field before a ':' that ends at `colon`, resolved like the parser does; nullopt if none.
std::optional<QueryField> fieldBefore(std::string_view text, std::size_t colon)
{
    std::size_t start = colon;
    while (start > 0 && !isQuerySpace(text[start - 1]) && text[start - 1] != '('
        && text[start - 1] != '-' && text[start - 1] != '!')
        --start;
    const std::string name = asciiLowered(text.substr(start, colon - start));
    for (const FieldName& f : queryFieldNames())
        if (asciiLowered(f.name) == name)
            return f.field;
    return std::nullopt;
}

// The field of the group `field:( ...` that encloses `offset`, if any.
std::optional<QueryField> groupFieldAround(std::string_view text, std::size_t offset)
{
    int depth = 0;
    for (std::size_t i = offset; i-- > 0;) {
        if (text[i] == ')') {
            ++depth;
        } else if (text[i] == '(' && depth-- == 0) {
            if (i > 0 && text[i - 1] == ':')
                return fieldBefore(text, i - 1);
            return std::nullopt;
        }
    }
    return std::nullopt;
}

/// Where a value of `field` is being written: `field:partial`, `field:"partial`, or inside
/// `field:( ... partial`.
struct ValueSlot
{
    std::optional<QueryField> field;
    std::size_t valueStart = 0;
};

ValueSlot valueSlotAt(std::string_view text, const CursorWord& w, std::size_t cursor)
{
    const std::string_view word = text.substr(w.start, cursor - w.start);
    const std::size_t colon = w.inQuote ? std::string_view::npos : word.find(':');
    if (colon != std::string_view::npos)
        return {fieldBefore(text, w.start + colon), w.start + colon + 1};
    if (w.inQuote && w.start > 0 && text[w.start - 1] == ':')
        return {fieldBefore(text, w.start - 1), w.start};
    return {groupFieldAround(text, w.start), w.start};
}

} // namespace

// m_counts and m_counted have one slot per field.
static_assert(static_cast<int>(QueryField::Text) < 32);

QueryCompleter::QueryCompleter(EventStorePtr store)
    : m_store(std::move(store))
{ }

const std::vector<FieldValueCount>& QueryCompleter::countsOf(QueryField field)
{
    const auto slot = static_cast<std::size_t>(field);
    // chain: waits (without blocking) for the snapshot's chain integrity, computed once per
    // snapshot elsewhere: by the completer's builder after warmUp(), by detection, by a query.
    if (!m_counted[slot] && (field != QueryField::Chain || readyChainIntegrity(*m_store))) {
        m_counted[slot] = true;
        m_counts[slot] = countFieldValues(m_store, m_policy.get(), field, m_findings.get());
    }
    return m_counts[slot];
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

void QueryCompleter::setFindingContext(FindingQueryContextPtr context)
{
    m_findings = std::move(context);
    for (const QueryField f : {QueryField::Finding, QueryField::Severity}) {
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
    case QueryField::Warning:
        return id ? "true" : "false";
    case QueryField::PolicyChange:
        return std::string(policyChangeName(PolicyChange(id)));
    case QueryField::Finding:
        return m_findings && id < m_findings->ruleIds.size() ? m_findings->ruleIds[id]
                                                             : std::string();
    case QueryField::Severity:
        return id >= 1 && id <= FindingSeverityNames.size()
            ? std::string(FindingSeverityNames[id - 1])
            : std::string();
    default:
        return {};
    }
}

Completions QueryCompleter::complete(
    std::string_view text, std::size_t cursor, std::size_t maxItems)
{
    cursor = std::min(cursor, text.size());
    const CursorWord word = wordAt(text, cursor);
    const ValueSlot slot = valueSlotAt(text, word, cursor);
    if (slot.field)
        return completeValues(*slot.field, text.substr(slot.valueStart, cursor - slot.valueStart),
            slot.valueStart, word.end, maxItems);
    return completeFields(
        text.substr(word.start, cursor - word.start), word.start, word.end, maxItems);
}

Completions QueryCompleter::completeValues(QueryField field, std::string_view prefix,
    std::size_t from, std::size_t to, std::size_t maxItems)
{
    if (!prefix.empty() && prefix.front() == '"')
        prefix.remove_prefix(1);
    Completions result;
    result.field = std::string(queryFieldName(field));
    result.replaceOffset = from;
    result.replaceLength = to - from;
    const bool glob = prefix.find('*') != std::string_view::npos;
    const std::vector<FieldValueCount>& counts = countsOf(field);
    // Before the chain integrity is known, the chain flags (and "ok") without counts.
    const bool uncounted = field == QueryField::Chain && !m_counted[std::size_t(field)];
    std::vector<FieldValueCount> names;
    for (std::uint32_t id = 0; uncounted && id <= ChainFlagCount; ++id)
        names.push_back({id, 0});
    for (const FieldValueCount& v : uncounted ? names : counts) {
        if (result.items.size() >= maxItems)
            break;
        std::string value = valueText(field, v.id);
        if (glob ? globMatch(prefix, value) : std::string_view(value).starts_with(prefix))
            result.items.push_back({CompletionItem::Kind::Value, quoteQueryValue(value),
                uncounted ? -1 : static_cast<std::int64_t>(v.count)});
    }
    return result;
}

Completions QueryCompleter::completeFields(
    std::string_view word, std::size_t from, std::size_t to, std::size_t maxItems) const
{
    std::size_t skip = 0;
    while (skip < word.size() && (word[skip] == '-' || word[skip] == '!'))
        ++skip;
    const std::string prefix = asciiLowered(word.substr(skip));
    Completions result;
    result.replaceOffset = from + skip;
    result.replaceLength = to - result.replaceOffset;
    const bool compares = hasPolicy() && m_policy->comparesOn(*m_store);
    for (const FieldName& f : queryFieldNames()) {
        if (result.items.size() >= maxItems)
            break;
        const bool policyField = f.field == QueryField::Rule || f.field == QueryField::PolicyLevel
            || f.field == QueryField::Emitted;
        if (policyField && !hasPolicy())
            continue; // they would only report "no active policy"
        if (f.field == QueryField::PolicyChange && !compares)
            continue;
        if ((f.field == QueryField::Finding || f.field == QueryField::Severity) && !hasFindings())
            continue; // they would only report "no findings computed"
        if (asciiLowered(f.name).starts_with(prefix))
            result.items.push_back({CompletionItem::Kind::Field, std::string(f.name) + ":", -1});
    }
    for (std::string_view extra : {"uri", "reason", "requestObject.", "responseObject.",
             "annotations.", "responseStatus.", "objectRef.", "user."}) {
        if (result.items.size() >= maxItems)
            break;
        if (asciiLowered(extra).starts_with(prefix)
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
