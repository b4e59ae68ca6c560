// SPDX-License-Identifier: Apache-2.0
#include "policyexplain.h"

#include "policy/policystoreevaluation.h"

#include <algorithm>

namespace auditscope {

namespace {

bool contains(const StringList& list, std::string_view value)
{
    return std::find(list.values.begin(), list.values.end(), value) != list.values.end();
}

std::string quotedAlways(std::string_view value)
{
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

/// A value as the sentence shows it: bare when it reads unambiguously, else quoted.
std::string shown(std::string_view value)
{
    if (!value.empty() && value.find_first_of(" ,[]\"\t") == std::string_view::npos)
        return std::string(value);
    return quotedAlways(value);
}

/// `[a, b, c]`, at most MaxShown items (then `… (+N more)`).
std::string listText(const std::vector<std::string>& values, bool quoteAll = false)
{
    constexpr std::size_t MaxShown = 12;
    std::string out = "[";
    for (std::size_t i = 0; i < values.size() && i < MaxShown; ++i) {
        if (i > 0)
            out += ", ";
        out += quoteAll ? quotedAlways(values[i]) : shown(values[i]);
    }
    if (values.size() > MaxShown)
        out += ", … (+" + std::to_string(values.size() - MaxShown) + " more)";
    return out + "]";
}

void addUnique(std::vector<std::string>& out, const std::string& value)
{
    if (std::find(out.begin(), out.end(), value) == out.end())
        out.push_back(value);
}

SourcePos orElse(SourcePos pos, SourcePos fallback)
{
    return pos.line > 0 ? pos : fallback;
}

std::string combinedResource(const RequestAttributesView& a)
{
    std::string combined(a.resource);
    if (!a.subresource.empty())
        combined += "/" + std::string(a.subresource);
    return combined;
}

/// Sets the failing field of `e` (path, position) for rule `i`.
void setField(
    RuleExplanation& e, std::size_t i, const PolicyRule& rule, std::string field, SourcePos pos)
{
    e.fieldPath = "rules[" + std::to_string(i) + "]." + field;
    e.field = std::move(field);
    e.pos = orElse(pos, rule.pos);
}

void explainResources(
    RuleExplanation& e, std::size_t i, const PolicyRule& rule, const RequestAttributesView& a)
{
    // resourceMatch of spec §4, keeping what each entry contributed.
    bool groupMatched = false;
    bool patternMatched = false;
    std::vector<std::string> groups, resources, names;
    SourcePos firstNamesPos;
    for (const GroupResources& gr : rule.resources) {
        addUnique(groups, gr.group);
        if (gr.group != a.apiGroup && gr.group != "*")
            continue;
        groupMatched = true;
        if (gr.resources.empty()) {
            e.mismatch = RuleMismatch::None; // an entry without resources takes the group
            return;
        }
        for (const std::string& r : gr.resources.values) {
            addUnique(resources, r);
            if (!resourcePatternMatches(r, a.resource, a.subresource))
                continue;
            if (gr.resourceNames.empty() || contains(gr.resourceNames, a.name)) {
                e.mismatch = RuleMismatch::None;
                return;
            }
            patternMatched = true;
            if (firstNamesPos.line == 0)
                firstNamesPos = orElse(gr.resourceNames.pos, gr.pos);
            for (const std::string& n : gr.resourceNames.values)
                addUnique(names, n);
        }
    }
    const std::string combined = combinedResource(a);
    if (!groupMatched) {
        e.mismatch = RuleMismatch::ApiGroup;
        setField(e, i, rule, "resources", rule.resourcesPos);
        e.value = std::string(a.apiGroup);
        e.allowed = std::move(groups);
        e.sentence = "group " + quotedAlways(a.apiGroup) + " (resource " + shown(combined)
            + ") not in resources groups " + listText(e.allowed, true);
    } else if (patternMatched) {
        e.mismatch = RuleMismatch::ResourceName;
        setField(e, i, rule, "resourceNames", firstNamesPos);
        e.value = std::string(a.name);
        e.allowed = std::move(names);
        e.sentence = "name " + shown(a.name) + " not in resourceNames " + listText(e.allowed)
            + " (resource " + shown(combined) + ")";
    } else {
        e.mismatch = RuleMismatch::Resource;
        setField(e, i, rule, "resources", rule.resourcesPos);
        e.value = combined;
        e.allowed = std::move(resources);
        e.sentence = "resource " + shown(combined) + " not in resources " + listText(e.allowed)
            + " (group " + quotedAlways(a.apiGroup) + ")";
    }
}

} // namespace

std::string_view ruleMismatchName(RuleMismatch mismatch)
{
    switch (mismatch) {
    case RuleMismatch::None:
        return "none";
    case RuleMismatch::NoUserForUsers:
        return "no-user-for-users";
    case RuleMismatch::User:
        return "user";
    case RuleMismatch::NoUserForGroups:
        return "no-user-for-groups";
    case RuleMismatch::UserGroups:
        return "user-groups";
    case RuleMismatch::Verb:
        return "verb";
    case RuleMismatch::NotResourceRequest:
        return "not-resource-request";
    case RuleMismatch::Namespace:
        return "namespace";
    case RuleMismatch::ApiGroup:
        return "api-group";
    case RuleMismatch::Resource:
        return "resource";
    case RuleMismatch::ResourceName:
        return "resource-name";
    case RuleMismatch::ResourceRequest:
        return "resource-request";
    case RuleMismatch::Path:
        return "path";
    }
    return "unknown";
}

RuleExplanation explainRule(const Policy& policy, std::size_t i, const RequestAttributesView& a)
{
    const PolicyRule& rule = policy.rules[i];
    RuleExplanation e;
    e.rule = static_cast<int>(i);
    auto done = [&](RuleMismatch mismatch) {
        e.mismatch = mismatch;
        e.sentence = "rule " + std::to_string(i) + ": "
            + (mismatch == RuleMismatch::None ? "matches" : e.sentence);
        return e;
    };
    // The order of checks is the order of `matches` in spec §4 (checker.go).
    if (!rule.users.empty()) {
        if (!a.hasUser) {
            setField(e, i, rule, "users", rule.users.pos);
            e.allowed = rule.users.values;
            e.sentence = "the request has no authenticated user, but the rule needs users "
                + listText(e.allowed);
            return done(RuleMismatch::NoUserForUsers);
        }
        if (!contains(rule.users, a.userName)) {
            setField(e, i, rule, "users", rule.users.pos);
            e.value = std::string(a.userName);
            e.allowed = rule.users.values;
            e.sentence = "user " + shown(a.userName) + " not in users " + listText(e.allowed);
            return done(RuleMismatch::User);
        }
    }
    if (!rule.userGroups.empty()) {
        if (!a.hasUser) {
            setField(e, i, rule, "userGroups", rule.userGroups.pos);
            e.allowed = rule.userGroups.values;
            e.sentence = "the request has no authenticated user, but the rule needs userGroups "
                + listText(e.allowed);
            return done(RuleMismatch::NoUserForGroups);
        }
        const bool any = std::any_of(a.groups.begin(), a.groups.end(),
            [&](std::string_view g) { return contains(rule.userGroups, g); });
        if (!any) {
            setField(e, i, rule, "userGroups", rule.userGroups.pos);
            e.requestGroups.assign(a.groups.begin(), a.groups.end());
            e.allowed = rule.userGroups.values;
            e.sentence = "no group of " + shown(a.userName) + " " + listText(e.requestGroups)
                + " in userGroups " + listText(e.allowed);
            return done(RuleMismatch::UserGroups);
        }
    }
    if (!rule.verbs.empty() && !contains(rule.verbs, a.verb)) {
        setField(e, i, rule, "verbs", rule.verbs.pos);
        e.value = std::string(a.verb);
        e.allowed = rule.verbs.values;
        e.sentence = "verb " + shown(a.verb) + " not in " + listText(e.allowed);
        return done(RuleMismatch::Verb);
    }
    if (!rule.namespaces.empty() || !rule.resources.empty()) {
        // nonResourceURLs are not looked at on this path.
        if (!a.isResourceRequest) {
            const bool ns = !rule.namespaces.empty(), res = !rule.resources.empty();
            setField(e, i, rule, res ? "resources" : "namespaces",
                res ? rule.resourcesPos : rule.namespaces.pos);
            e.value = std::string(a.path);
            e.sentence = std::string("a non-resource request, but the rule has ")
                + (ns && res ? "namespaces and resources"
                        : ns ? "namespaces"
                             : "resources")
                + " only";
            return done(RuleMismatch::NotResourceRequest);
        }
        if (!rule.namespaces.empty() && !contains(rule.namespaces, a.namespaceName)) {
            setField(e, i, rule, "namespaces", rule.namespaces.pos);
            e.value = std::string(a.namespaceName);
            e.allowed = rule.namespaces.values;
            e.sentence =
                "namespace " + shown(a.namespaceName) + " not in namespaces " + listText(e.allowed);
            return done(RuleMismatch::Namespace);
        }
        if (rule.resources.empty())
            return done(RuleMismatch::None);
        explainResources(e, i, rule, a);
        return done(e.mismatch);
    }
    if (!rule.nonResourceURLs.empty()) {
        if (a.isResourceRequest) {
            setField(e, i, rule, "nonResourceURLs", rule.nonResourceURLs.pos);
            e.value = combinedResource(a);
            e.sentence = "a resource request, but the rule has nonResourceURLs only";
            return done(RuleMismatch::ResourceRequest);
        }
        const bool any =
            std::any_of(rule.nonResourceURLs.values.begin(), rule.nonResourceURLs.values.end(),
                [&](const std::string& spec) { return nonResourceUrlMatches(spec, a.path); });
        if (!any) {
            setField(e, i, rule, "nonResourceURLs", rule.nonResourceURLs.pos);
            e.value = std::string(a.path);
            e.allowed = rule.nonResourceURLs.values;
            e.sentence =
                "path " + shown(a.path) + " does not match nonResourceURLs " + listText(e.allowed);
            return done(RuleMismatch::Path);
        }
    }
    return done(RuleMismatch::None);
}

PolicyExplanation explainRequest(const Policy& policy, const RequestAttributesView& attributes)
{
    PolicyExplanation out;
    for (std::size_t i = 0; i < policy.rules.size(); ++i) {
        RuleExplanation e = explainRule(policy, i, attributes);
        if (e.mismatch == RuleMismatch::None) {
            out.matchedRule = static_cast<int>(i);
            const PolicyRule& rule = policy.rules[i];
            out.summary = "rule " + std::to_string(i) + " matches: level "
                + (rule.level.empty() ? std::string("(missing)") : rule.level);
            return out;
        }
        out.rejected.push_back(std::move(e));
    }
    out.summary = "no rule matches: level None, nothing is written";
    return out;
}

PolicyExplanation explainTuple(
    const Policy& policy, const PolicyAttributeIndex& index, std::size_t tuple)
{
    return explainRequest(policy, index.view(tuple));
}

PolicyExplanation explainEvent(
    const Policy& policy, const PolicyAttributeIndex& index, EventId event)
{
    return explainTuple(policy, index, index.tupleOf(event));
}

} // namespace auditscope
