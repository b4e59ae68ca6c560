// SPDX-License-Identifier: Apache-2.0
#include "filtertext.h"

#include "common/timestamp.h"
#include "query/query.h"

#include <algorithm>
#include <vector>

namespace auditscope {

namespace {

constexpr std::string_view MatchesNothing = "not *";

// `"value"` with `"` and `\` escaped (always quoted, so no value reads as a keyword).
std::string quotedValue(std::string_view value)
{
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

bool isBlank(std::string_view text)
{
    return std::all_of(text.begin(), text.end(),
        [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

std::string joinAnd(const std::vector<std::string>& terms)
{
    std::string out;
    for (const std::string& t : terms) {
        if (!out.empty())
            out += " and ";
        out += t;
    }
    return out;
}

// `field:"value"`, or `not field:*` when absent.
std::string term(std::string_view field, bool present, std::string_view value)
{
    if (!present)
        return "not " + std::string(field) + ":*";
    return std::string(field) + ":" + quotedValue(value);
}

// `(uri:"/p" or uri:"/p?*")`: the request path with or without a query string.
std::string pathTerm(bool present, std::string_view path)
{
    if (!present)
        return "not uri:*";
    return "(uri:" + quotedValue(path) + " or uri:" + quotedValue(std::string(path) + "?*") + ")";
}

// A username glob as a term, minus this store's usernames that match the glob but not the
// rule (so the text selects exactly the rule's users).
template <class Rule>
std::string usernameGlob(const EventStore& store, std::string_view glob, Rule rule)
{
    std::string out = "user:" + quotedValue(glob);
    std::vector<std::string> exceptions;
    for (std::uint32_t u = 0; u < store.pools.users.size(); ++u) {
        const std::string_view name = store.pools.users.view(u);
        if (globMatch(glob, name) && !rule(name))
            exceptions.push_back("not user:" + quotedValue(name));
    }
    if (exceptions.empty())
        return out;
    return "(" + out + " and " + joinAnd(exceptions) + ")";
}

} // namespace

// Value groups (`field:(a or b)`) are always written inside parentheses: the parser reads terms
// that follow a group's `)` as more values of its field (`verb:(get or list) ns:prod` parses as
// `verb:(get or list or ns:prod)`), so the group must end where its parentheses end.

std::string formatQueryTime(std::int64_t timeNs)
{
    std::string text = formatRfc3339Micros(timeNs); // ...SS.ffffffZ
    std::int64_t fraction = timeNs % 1'000'000'000;
    if (fraction < 0)
        fraction += 1'000'000'000;
    if (fraction == 0)
        return text.substr(0, text.size() - 8) + "Z";
    if (fraction % 1000 == 0)
        return text;
    const std::string nanos = std::to_string(1000 + fraction % 1000).substr(1);
    return text.substr(0, text.size() - 1) + nanos + "Z";
}

std::string userFilter(const EventStore& store, UserId user)
{
    return term("user", bool(user), user ? store.pools.users.view(user.value) : std::string_view());
}

std::string usersFilter(const EventStore& store, std::span<const UserId> users)
{
    std::vector<std::string> names;
    bool noUser = false;
    for (const UserId u : users) {
        if (u)
            names.push_back(quotedValue(store.pools.users.view(u.value)));
        else
            noUser = true;
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::string named;
    if (names.size() == 1) {
        named = "user:" + names.front();
    } else if (names.size() > 1) {
        named = "(user:(";
        for (std::size_t i = 0; i < names.size(); ++i)
            named += (i == 0 ? "" : " or ") + names[i];
        named += "))";
    }
    if (!noUser)
        return named.empty() ? std::string(MatchesNothing) : named;
    return named.empty() ? std::string("not user:*") : "(" + named + " or not user:*)";
}

std::string resourceNodeFilter(
    const EventStore& store, const ResourcesAggregate& aggregate, std::uint32_t node)
{
    std::vector<std::uint32_t> chain;
    for (std::uint32_t n = node; n != ResourceNode::NoParent; n = aggregate.nodes[n].parent)
        chain.push_back(n);
    std::reverse(chain.begin(), chain.end());
    const StringPools& p = store.pools;
    std::vector<std::string> terms;
    for (const std::uint32_t index : chain) {
        const ResourceNode& n = aggregate.nodes[index];
        const bool present = n.key != ResourceNode::Absent;
        switch (n.kind) {
        case ResourceNodeKind::ApiGroup:
            terms.push_back(term("apigroup", present, present ? p.apiGroups.view(n.key) : ""));
            break;
        case ResourceNodeKind::Resource:
            terms.push_back(term("resource", present, present ? p.resources.view(n.key) : ""));
            break;
        case ResourceNodeKind::Subresource:
            terms.push_back(
                term("subresource", present, present ? p.subresources.view(n.key) : ""));
            break;
        case ResourceNodeKind::Namespace:
            // Directly under a resource: its requests without a subresource.
            if (aggregate.nodes[n.parent].kind == ResourceNodeKind::Resource)
                terms.push_back("not subresource:*");
            terms.push_back(term("ns", present, present ? p.namespaces.view(n.key) : ""));
            break;
        case ResourceNodeKind::Name:
            terms.push_back(term("name", present, present ? p.names.view(n.key) : ""));
            break;
        case ResourceNodeKind::NonResource:
            terms.push_back("not apigroup:*");
            break;
        case ResourceNodeKind::Path:
            terms.push_back(pathTerm(present, present ? aggregate.paths[n.key] : ""));
            break;
        }
    }
    return joinAnd(terms);
}

std::string fieldSummaryFilter(
    const EventStore& store, const FieldAggregate& aggregate, const FieldSummary& row)
{
    const StringPools& p = store.pools;
    const bool present = row.value != FieldSummary::Absent;
    switch (aggregate.field) {
    case SummaryField::Namespace:
        return term("ns", present, present ? p.namespaces.view(row.value) : "");
    case SummaryField::Verb:
        return term("verb", present, present ? p.verbs.view(row.value) : "");
    case SummaryField::Code:
        return row.value == 0 ? std::string("not code:*") : "code:" + std::to_string(row.value);
    case SummaryField::Resource:
        break;
    }
    if (row.nonResource) {
        const bool hasPath = row.path != FieldSummary::Absent;
        return "not apigroup:* and " + pathTerm(hasPath, hasPath ? aggregate.paths[row.path] : "");
    }
    return joinAnd({term("apigroup", true, p.apiGroups.view(row.apiGroup.value)),
        term("resource", bool(row.resource),
            row.resource ? p.resources.view(row.resource.value) : ""),
        term("subresource", bool(row.subresource),
            row.subresource ? p.subresources.view(row.subresource.value) : "")});
}

std::string timeRangeFilter(const TimeRange& range)
{
    if (range.empty())
        return std::string(MatchesNothing);
    return "time >= " + quotedValue(formatQueryTime(range.fromNs)) + " and time < "
        + quotedValue(formatQueryTime(range.toNs));
}

std::string verbClassFilter(VerbClass verbClass)
{
    switch (verbClass) {
    case VerbClass::Read:
        return "(verb:(get or list or watch))";
    case VerbClass::Write:
        return "(verb:(create or update or patch))";
    case VerbClass::Delete:
        return "(verb:(delete or deletecollection))";
    case VerbClass::Other:
        break;
    }
    return "not (verb:(get or list or watch or create or update or patch or delete or "
           "deletecollection))";
}

std::string responseClassFilter(ResponseClass responseClass)
{
    switch (responseClass) {
    case ResponseClass::Success2xx:
        return "code >= 1 and code < 300";
    case ResponseClass::Redirect3xx:
        return "code >= 300 and code < 400";
    case ResponseClass::Client4xx:
        return "code >= 400 and code < 500";
    case ResponseClass::Server5xx:
        return "code >= 500";
    case ResponseClass::None:
        break;
    }
    return "not code:*";
}

std::string principalKindFilter(const EventStore& store, PrincipalKind kind)
{
    // The rules of classifyPrincipal(), term by term.
    const std::string anonymous = "(not user:* or user:\"\" or user:\"system:anonymous\" or "
                                  "group:\"system:unauthenticated\")";
    const std::string serviceAccount = usernameGlob(store, "system:serviceaccount:*:*",
        [](std::string_view name) { return !serviceAccountNamespace(name).empty(); });
    const std::string node = usernameGlob(store, "system:node:*", [](std::string_view name) {
        return name.size() > std::string_view("system:node:").size();
    });
    const std::string nodesGroup = "group:\"system:nodes\"";
    switch (kind) {
    case PrincipalKind::Anonymous:
        return anonymous;
    case PrincipalKind::ServiceAccount:
        return "not " + anonymous + " and " + serviceAccount;
    case PrincipalKind::Node:
        return "not " + anonymous + " and (" + node + " or (" + nodesGroup + " and not "
            + serviceAccount + "))";
    case PrincipalKind::ControlPlane:
        return "not " + anonymous + " and user:\"system:*\" and not " + serviceAccount + " and not "
            + node + " and not " + nodesGroup;
    case PrincipalKind::Human:
        break;
    }
    return "not " + anonymous + " and user:* and not user:\"system:*\" and not " + nodesGroup;
}

std::string timelineSeriesFilter(
    const EventStore& store, const Timeline& timeline, std::size_t series)
{
    switch (timeline.stack) {
    case TimelineStack::None:
        return {};
    case TimelineStack::Verb:
        return verbClassFilter(VerbClass(series));
    case TimelineStack::Response:
        return responseClassFilter(ResponseClass(series));
    case TimelineStack::PrincipalKind:
        return principalKindFilter(store, PrincipalKind(series));
    case TimelineStack::Principal:
        break;
    }
    if (series < timeline.laneUsers.size())
        return userFilter(store, timeline.laneUsers[series]);
    return excludeFilter(usersFilter(store, timeline.laneUsers));
}

std::string excludeFilter(std::string_view filter)
{
    if (isBlank(filter))
        return std::string(MatchesNothing);
    return "not (" + std::string(filter) + ")";
}

std::string andFilters(std::string_view a, std::string_view b)
{
    if (isBlank(a))
        return std::string(b);
    if (isBlank(b))
        return std::string(a);
    return "(" + std::string(a) + ") and (" + std::string(b) + ")";
}

} // namespace auditscope
