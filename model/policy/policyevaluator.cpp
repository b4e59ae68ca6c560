// SPDX-License-Identifier: Apache-2.0
#include "policyevaluator.h"

#include <algorithm>

namespace auditscope {

namespace {

bool contains(const StringList& list, std::string_view value)
{
    return std::find(list.values.begin(), list.values.end(), value) != list.values.end();
}

bool resourceMatch(const PolicyRule& rule, const RequestAttributesView& a)
{
    if (!a.isResourceRequest)
        return false;
    if (!rule.namespaces.empty() && !contains(rule.namespaces, a.namespaceName))
        return false;
    if (rule.resources.empty())
        return true;
    for (const GroupResources& gr : rule.resources) {
        if (gr.group != a.apiGroup && gr.group != "*")
            continue;
        if (gr.resources.empty())
            return true;
        for (const std::string& r : gr.resources.values) {
            if (!gr.resourceNames.empty() && !contains(gr.resourceNames, a.name))
                continue;
            if (resourcePatternMatches(r, a.resource, a.subresource))
                return true;
        }
    }
    return false;
}

} // namespace

bool resourcePatternMatches(
    std::string_view rv, std::string_view resource, std::string_view subresource)
{
    if (rv == "*")
        return true;
    if (subresource.empty()) {
        if (rv == resource)
            return true;
    } else if (rv.size() == resource.size() + 1 + subresource.size()
        && rv.substr(0, resource.size()) == resource && rv[resource.size()] == '/'
        && rv.substr(resource.size() + 1) == subresource) {
        return true;
    }
    if (!subresource.empty() && rv.size() >= 2 && rv.substr(0, 2) == "*/"
        && rv.substr(2) == subresource)
        return true;
    if (rv.size() >= 2 && rv.substr(rv.size() - 2) == "/*"
        && rv.substr(0, rv.size() - 2) == resource)
        return true;
    return false;
}

bool nonResourceUrlMatches(std::string_view spec, std::string_view path)
{
    if (spec == "*" || spec == path)
        return true;
    if (!spec.empty() && spec.back() == '*') {
        while (!spec.empty() && spec.back() == '*')
            spec.remove_suffix(1); // strings.TrimRight(spec, "*")
        return path.substr(0, spec.size()) == spec;
    }
    return false;
}

StageMask stageMaskOf(const StringList& stages)
{
    StageMask mask = 0;
    for (const std::string& name : stages.values)
        if (const std::optional<Stage> stage = parseStage(name))
            mask |= stageBit(*stage);
    return mask;
}

std::vector<Stage> PolicyDecision::omitStageList() const
{
    std::vector<Stage> out;
    for (const Stage s :
        {Stage::RequestReceived, Stage::ResponseStarted, Stage::ResponseComplete, Stage::Panic})
        if (omitStages & stageBit(s))
            out.push_back(s);
    return out;
}

PolicyEvaluator::PolicyEvaluator(Policy policy)
    : m_policy(std::move(policy))
{
    const StageMask policyMask = stageMaskOf(m_policy.omitStages);
    m_noMatch = {-1, Level::None, policyMask, m_policy.omitManagedFields};
    m_ruleDecisions.reserve(m_policy.rules.size());
    for (std::size_t i = 0; i < m_policy.rules.size(); ++i) {
        const PolicyRule& rule = m_policy.rules[i];
        m_ruleDecisions.push_back(
            {static_cast<int>(i), parseLevel(rule.level).value_or(Level::Unknown),
                static_cast<StageMask>(policyMask | stageMaskOf(rule.omitStages)),
                rule.omitManagedFields.value_or(m_policy.omitManagedFields)});
    }
}

const PolicyDecision& PolicyEvaluator::decisionForRule(int index) const
{
    if (index < 0 || static_cast<std::size_t>(index) >= m_ruleDecisions.size())
        return m_noMatch;
    return m_ruleDecisions[static_cast<std::size_t>(index)];
}

bool PolicyEvaluator::ruleMatches(std::size_t index, const RequestAttributesView& a) const
{
    const PolicyRule& rule = m_policy.rules[index];
    if (!rule.users.empty() && (!a.hasUser || !contains(rule.users, a.userName)))
        return false;
    if (!rule.userGroups.empty()) {
        if (!a.hasUser)
            return false;
        const bool any = std::any_of(a.groups.begin(), a.groups.end(),
            [&](std::string_view g) { return contains(rule.userGroups, g); });
        if (!any)
            return false;
    }
    if (!rule.verbs.empty() && !contains(rule.verbs, a.verb))
        return false;
    if (!rule.namespaces.empty() || !rule.resources.empty())
        return resourceMatch(rule, a);
    if (!rule.nonResourceURLs.empty()) {
        if (a.isResourceRequest)
            return false;
        return std::any_of(rule.nonResourceURLs.values.begin(), rule.nonResourceURLs.values.end(),
            [&](const std::string& spec) { return nonResourceUrlMatches(spec, a.path); });
    }
    return true;
}

PolicyDecision PolicyEvaluator::evaluate(const RequestAttributesView& attributes) const
{
    for (std::size_t i = 0; i < m_policy.rules.size(); ++i)
        if (ruleMatches(i, attributes))
            return m_ruleDecisions[i];
    return m_noMatch;
}

PolicyDecision PolicyEvaluator::evaluate(const RequestAttributes& a) const
{
    std::vector<std::string_view> groups;
    RequestAttributesView view;
    if (a.user) {
        view.hasUser = true;
        view.userName = a.user->name;
        groups.assign(a.user->groups.begin(), a.user->groups.end());
        view.groups = groups;
    }
    view.verb = a.verb;
    view.isResourceRequest = a.isResourceRequest;
    view.apiGroup = a.apiGroup;
    view.resource = a.resource;
    view.subresource = a.subresource;
    view.namespaceName = a.namespaceName;
    view.name = a.name;
    view.path = a.path;
    return evaluate(view);
}

} // namespace auditscope
