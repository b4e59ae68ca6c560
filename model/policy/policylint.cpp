// SPDX-License-Identifier: Apache-2.0
#include "policylint.h"

#include "policy/policyimpact.h"
#include "policy/policystoreevaluation.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>

namespace auditscope {

namespace {

bool contains(const StringList& list, std::string_view value)
{
    return std::find(list.values.begin(), list.values.end(), value) != list.values.end();
}

/// Every value of `later` is in `earlier`.
bool subsetOf(const StringList& later, const StringList& earlier)
{
    return std::all_of(later.values.begin(), later.values.end(),
        [&](const std::string& v) { return contains(earlier, v); });
}

/// An "any of" filter (users, verbs, ...): empty matches everything.
bool listCovers(const StringList& earlier, const StringList& later)
{
    if (earlier.empty())
        return true;
    if (later.empty())
        return false;
    return subsetOf(later, earlier);
}

enum class RuleKind { Any, Resource, NonResource };

RuleKind kindOf(const PolicyRule& rule)
{
    if (!rule.namespaces.empty() || !rule.resources.empty())
        return RuleKind::Resource;
    if (!rule.nonResourceURLs.empty())
        return RuleKind::NonResource;
    return RuleKind::Any;
}

bool startsWith(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

/// Every resource[/subresource] matched by pattern `later` is matched by pattern `earlier`.
bool patternCovers(std::string_view earlier, std::string_view later)
{
    if (earlier == later || earlier == "*")
        return true;
    if (earlier.size() > 2 && earlier.substr(earlier.size() - 2) == "/*") {
        const std::string_view base = earlier.substr(0, earlier.size() - 2);
        if (base == "*")
            return false; // "*/*" matches nothing (§13.1)
        return later == base || startsWith(later, std::string(base) + "/");
    }
    if (earlier.size() > 2 && startsWith(earlier, "*/")) {
        const std::string_view sub = earlier.substr(1); // "/x"
        const std::size_t slash = later.find('/');
        return slash != std::string_view::npos && slash > 0 && later.substr(slash) == sub;
    }
    return false;
}

bool groupCovers(std::string_view earlier, std::string_view later)
{
    return earlier == "*" || earlier == later;
}

bool namesCover(const StringList& earlier, const StringList& later)
{
    return listCovers(earlier, later);
}

bool entryCovered(const GroupResources& later, const std::vector<GroupResources>& earlier)
{
    for (const GroupResources& f : earlier)
        if (groupCovers(f.group, later.group)
            && (f.resources.empty() || (contains(f.resources, "*") && f.resourceNames.empty())))
            return true;
    if (later.resources.empty())
        return false;
    for (const std::string& r : later.resources.values) {
        const bool covered =
            std::any_of(earlier.begin(), earlier.end(), [&](const GroupResources& f) {
                return groupCovers(f.group, later.group)
                    && namesCover(f.resourceNames, later.resourceNames)
                    && std::any_of(f.resources.values.begin(), f.resources.values.end(),
                        [&](const std::string& p) { return patternCovers(p, r); });
            });
        if (!covered)
            return false;
    }
    return true;
}

bool urlCovers(std::string_view earlier, std::string_view later)
{
    if (earlier == "*" || earlier == later)
        return true;
    if (later == "*" || earlier.empty() || earlier.back() != '*')
        return false;
    while (!earlier.empty() && earlier.back() == '*')
        earlier.remove_suffix(1);
    return startsWith(later, earlier);
}

std::string rulePath(std::size_t i)
{
    return "rules[" + std::to_string(i) + "]";
}

std::string entryPath(std::size_t i, std::size_t k)
{
    return rulePath(i) + ".resources[" + std::to_string(k) + "]";
}

std::string quoted(std::string_view s)
{
    return "\"" + std::string(s) + "\"";
}

PolicyLintFinding finding(PolicyLintCheck check, int rule, SourcePos pos, std::string path,
    std::string message, int otherRule = -1)
{
    PolicyLintFinding f;
    f.check = check;
    f.rule = rule;
    f.otherRule = otherRule;
    f.diagnostic.severity = PolicyDiagnostic::Severity::Warning;
    f.diagnostic.line = pos.line;
    f.diagnostic.column = pos.column;
    f.diagnostic.fieldPath = std::move(path);
    f.diagnostic.message = std::move(message);
    return f;
}

SourcePos orElse(SourcePos pos, SourcePos fallback)
{
    return pos.line > 0 ? pos : fallback;
}

std::string lineOf(const PolicyRule& rule)
{
    return rule.pos.line > 0 ? " (line " + std::to_string(rule.pos.line) + ")" : std::string();
}

struct KnownResource
{
    std::string_view resource;
    std::array<std::string_view, 2> groups; ///< second may be empty
    bool core = false; ///< also (or only) in the core group ""
};

// Built-in resources of current Kubernetes and the groups that serve them. Legacy groups
// (extensions) are accepted so that old but meaningful policies are not flagged.
constexpr KnownResource KnownResources[] = {
    {"pods", {}, true},
    {"services", {}, true},
    {"secrets", {}, true},
    {"configmaps", {}, true},
    {"namespaces", {}, true},
    {"nodes", {"metrics.k8s.io", {}}, true},
    {"persistentvolumes", {}, true},
    {"persistentvolumeclaims", {}, true},
    {"serviceaccounts", {}, true},
    {"endpoints", {}, true},
    {"events", {"events.k8s.io", {}}, true},
    {"limitranges", {}, true},
    {"resourcequotas", {}, true},
    {"replicationcontrollers", {}, true},
    {"podtemplates", {}, true},
    {"bindings", {}, true},
    {"componentstatuses", {}, true},
    {"deployments", {"apps", "extensions"}},
    {"replicasets", {"apps", "extensions"}},
    {"daemonsets", {"apps", "extensions"}},
    {"statefulsets", {"apps", {}}},
    {"controllerrevisions", {"apps", {}}},
    {"jobs", {"batch", {}}},
    {"cronjobs", {"batch", {}}},
    {"roles", {"rbac.authorization.k8s.io", {}}},
    {"rolebindings", {"rbac.authorization.k8s.io", {}}},
    {"clusterroles", {"rbac.authorization.k8s.io", {}}},
    {"clusterrolebindings", {"rbac.authorization.k8s.io", {}}},
    {"ingresses", {"networking.k8s.io", "extensions"}},
    {"ingressclasses", {"networking.k8s.io", {}}},
    {"networkpolicies", {"networking.k8s.io", "extensions"}},
    {"leases", {"coordination.k8s.io", {}}},
    {"tokenreviews", {"authentication.k8s.io", {}}},
    {"selfsubjectreviews", {"authentication.k8s.io", {}}},
    {"subjectaccessreviews", {"authorization.k8s.io", {}}},
    {"selfsubjectaccessreviews", {"authorization.k8s.io", {}}},
    {"localsubjectaccessreviews", {"authorization.k8s.io", {}}},
    {"selfsubjectrulesreviews", {"authorization.k8s.io", {}}},
    {"certificatesigningrequests", {"certificates.k8s.io", {}}},
    {"customresourcedefinitions", {"apiextensions.k8s.io", {}}},
    {"apiservices", {"apiregistration.k8s.io", {}}},
    {"storageclasses", {"storage.k8s.io", {}}},
    {"volumeattachments", {"storage.k8s.io", {}}},
    {"csidrivers", {"storage.k8s.io", {}}},
    {"csinodes", {"storage.k8s.io", {}}},
    {"csistoragecapacities", {"storage.k8s.io", {}}},
    {"priorityclasses", {"scheduling.k8s.io", {}}},
    {"poddisruptionbudgets", {"policy", {}}},
    {"podsecuritypolicies", {"policy", "extensions"}},
    {"horizontalpodautoscalers", {"autoscaling", {}}},
    {"endpointslices", {"discovery.k8s.io", {}}},
    {"mutatingwebhookconfigurations", {"admissionregistration.k8s.io", {}}},
    {"validatingwebhookconfigurations", {"admissionregistration.k8s.io", {}}},
    {"validatingadmissionpolicies", {"admissionregistration.k8s.io", {}}},
    {"validatingadmissionpolicybindings", {"admissionregistration.k8s.io", {}}},
    {"runtimeclasses", {"node.k8s.io", {}}},
    {"flowschemas", {"flowcontrol.apiserver.k8s.io", {}}},
    {"prioritylevelconfigurations", {"flowcontrol.apiserver.k8s.io", {}}},
};

bool isBuiltInGroup(std::string_view group)
{
    if (group.empty())
        return true;
    for (const KnownResource& k : KnownResources)
        for (const std::string_view g : k.groups)
            if (g == group)
                return true;
    return false;
}

bool looksLikeVersion(std::string_view s)
{
    // v1, v2, v1beta1, v1alpha2, v2beta3 ...
    if (s.size() < 2 || s[0] != 'v' || s[1] < '1' || s[1] > '9')
        return false;
    std::size_t i = 1;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
        ++i;
    if (i == s.size())
        return true;
    std::string_view rest = s.substr(i);
    if (startsWith(rest, "alpha"))
        rest.remove_prefix(5);
    else if (startsWith(rest, "beta"))
        rest.remove_prefix(4);
    else
        return false;
    return !rest.empty()
        && std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Whether some entry of `rule` matches requests for resource `resource` (no subresource) in
/// `group`, ignoring users, verbs and namespaces.
int entryMatching(const PolicyRule& rule, std::string_view group, std::string_view resource)
{
    for (std::size_t k = 0; k < rule.resources.size(); ++k) {
        const GroupResources& gr = rule.resources[k];
        if (gr.group != "*" && gr.group != group)
            continue;
        if (gr.resources.empty() || contains(gr.resources, "*") || contains(gr.resources, resource)
            || contains(gr.resources, std::string(resource) + "/*"))
            return static_cast<int>(k);
    }
    return -1;
}

void lintShadowed(const Policy& policy, std::vector<PolicyLintFinding>& out)
{
    for (std::size_t j = 1; j < policy.rules.size(); ++j) {
        const std::vector<int> cover = auditscope::coveringRules(
            std::span<const PolicyRule>(policy.rules.data(), j), policy.rules[j], 4096);
        if (cover.empty())
            continue;
        const auto i = static_cast<std::size_t>(cover.front());
        std::string message;
        if (cover.size() == 1) {
            const PolicyRule& earlier = policy.rules[i];
            const bool catchAll = earlier.users.empty() && earlier.userGroups.empty()
                && earlier.verbs.empty() && kindOf(earlier) == RuleKind::Any;
            message = "rule is never used: every request it matches is matched first by "
                + rulePath(i) + lineOf(earlier)
                + (catchAll ? ", which matches every request" : std::string())
                + " (first match wins)";
        } else {
            std::string names;
            for (std::size_t k = 0; k < cover.size(); ++k)
                names += (k == 0                         ? ""
                                 : k + 1 == cover.size() ? " and "
                                                         : ", ")
                    + rulePath(static_cast<std::size_t>(cover[k]));
            message = "rule is never used: every request it matches is matched first by " + names
                + " together (first match wins)";
        }
        out.push_back(finding(PolicyLintCheck::ShadowedRule, static_cast<int>(j),
            policy.rules[j].pos, rulePath(j), std::move(message), static_cast<int>(i)));
    }
}

void lintSensitive(const Policy& policy, std::vector<PolicyLintFinding>& out)
{
    struct Sensitive
    {
        std::string_view group, resource, why;
    };
    static constexpr Sensitive Items[] = {
        {"", "secrets", "Secret bodies carry the secret data"},
        {"", "configmaps", "ConfigMaps often carry credentials"},
        {"authentication.k8s.io", "tokenreviews", "TokenReview requests carry bearer tokens"},
    };
    for (std::size_t j = 0; j < policy.rules.size(); ++j) {
        const PolicyRule& rule = policy.rules[j];
        if (rule.level != "Request" && rule.level != "RequestResponse")
            continue;
        const RuleKind kind = kindOf(rule);
        if (kind == RuleKind::NonResource)
            continue;
        // At Request only the request body is logged; it holds the object only for writes.
        if (rule.level == "Request" && !rule.verbs.empty() && !contains(rule.verbs, "create")
            && !contains(rule.verbs, "update") && !contains(rule.verbs, "patch"))
            continue;
        for (const Sensitive& s : Items) {
            int entry = -1;
            if (!rule.resources.empty()) {
                entry = entryMatching(rule, s.group, s.resource);
                if (entry < 0)
                    continue;
            }
            // The part of this rule that concerns `s`: is it already decided by an earlier rule?
            PolicyRule probe = rule;
            GroupResources gr;
            gr.group = std::string(s.group);
            gr.resources.values = {std::string(s.resource)};
            probe.resources = {gr};
            const bool decidedEarlier = std::any_of(policy.rules.begin(),
                policy.rules.begin() + static_cast<std::ptrdiff_t>(j),
                [&](const PolicyRule& earlier) { return ruleCovers(earlier, probe); });
            if (decidedEarlier)
                continue;
            SourcePos pos = rule.levelPos;
            std::string path = rulePath(j) + ".level";
            if (entry >= 0) {
                const GroupResources& e = rule.resources[static_cast<std::size_t>(entry)];
                path = entryPath(j, static_cast<std::size_t>(entry));
                pos = orElse(e.pos, pos);
                for (std::size_t m = 0; m < e.resources.size(); ++m) {
                    const std::string& r = e.resources.values[m];
                    if (r == s.resource || r == std::string(s.resource) + "/*" || r == "*") {
                        path += ".resources[" + std::to_string(m) + "]";
                        pos = orElse(e.resources.positions[m], pos);
                        break;
                    }
                }
            }
            out.push_back(finding(PolicyLintCheck::SensitiveBodies, static_cast<int>(j), pos, path,
                std::string(s.resource) + " are logged at " + rule.level
                    + (entry < 0 ? " (this rule lists no resources, so it matches them)"
                                 : std::string())
                    + ": " + std::string(s.why)
                    + ", and they land in the audit log. Log them at Metadata in an earlier "
                      "rule."));
        }
    }
}

void lintPods(const Policy& policy, std::vector<PolicyLintFinding>& out)
{
    auto namesExecOrAttach = [](const std::string& r) {
        return r == "pods/exec" || r == "pods/attach" || r == "pods/*" || r == "*/exec"
            || r == "*/attach";
    };
    for (const PolicyRule& rule : policy.rules)
        for (const GroupResources& gr : rule.resources)
            if (std::any_of(
                    gr.resources.values.begin(), gr.resources.values.end(), namesExecOrAttach))
                return;
    for (std::size_t j = 0; j < policy.rules.size(); ++j) {
        const PolicyRule& rule = policy.rules[j];
        for (std::size_t k = 0; k < rule.resources.size(); ++k) {
            const GroupResources& gr = rule.resources[k];
            if (gr.group != "" && gr.group != "*")
                continue;
            for (std::size_t m = 0; m < gr.resources.size(); ++m) {
                if (gr.resources.values[m] != "pods")
                    continue;
                out.push_back(finding(PolicyLintCheck::PodsWithoutSubresources, static_cast<int>(j),
                    orElse(gr.resources.positions[m], gr.pos),
                    entryPath(j, k) + ".resources[" + std::to_string(m) + "]",
                    "\"pods\" matches pod objects only, not their subresources: kubectl exec and "
                    "attach are \"pods/exec\" and \"pods/attach\", which no rule names; use "
                    "\"pods/*\" for pods and all their subresources, or list them explicitly"));
            }
        }
    }
}

void lintGroups(const Policy& policy, std::vector<PolicyLintFinding>& out)
{
    for (std::size_t j = 0; j < policy.rules.size(); ++j) {
        const PolicyRule& rule = policy.rules[j];
        for (std::size_t k = 0; k < rule.resources.size(); ++k) {
            const GroupResources& gr = rule.resources[k];
            const std::string_view group = gr.group;
            const std::size_t slash = group.find('/');
            if (slash != std::string_view::npos && looksLikeVersion(group.substr(slash + 1))) {
                const std::string_view bare = group.substr(0, slash);
                out.push_back(finding(PolicyLintCheck::GroupLooksLikeVersion, static_cast<int>(j),
                    orElse(gr.groupPos, gr.pos), entryPath(j, k) + ".group",
                    "group " + quoted(group)
                        + " includes an API version; groups are matched without it: use "
                        + quoted(bare == "api" || bare == "core" ? "" : bare)));
            } else if (looksLikeVersion(group) || group == "core") {
                out.push_back(finding(PolicyLintCheck::GroupLooksLikeVersion, static_cast<int>(j),
                    orElse(gr.groupPos, gr.pos), entryPath(j, k) + ".group",
                    "group " + quoted(group)
                        + (group == "core" ? " is not the core group" : " is an API version")
                        + "; the core group (pods, secrets, ...) is written \"\""));
            }
            // Only built-in groups: an extension group may serve a resource of the same name
            // (OpenShift's oauth.openshift.io serves its own tokenreviews).
            if (group == "*" || !isBuiltInGroup(group))
                continue;
            for (std::size_t m = 0; m < gr.resources.size(); ++m) {
                const std::string& r = gr.resources.values[m];
                const std::string_view base = std::string_view(r).substr(0, r.find('/'));
                const std::vector<std::string_view> groups = knownGroupsOf(base);
                if (groups.empty()
                    || std::find(groups.begin(), groups.end(), group) != groups.end())
                    continue;
                std::string where;
                for (const std::string_view g : groups)
                    where += (where.empty() ? "" : " or ") + quoted(g);
                out.push_back(finding(PolicyLintCheck::WrongGroup, static_cast<int>(j),
                    orElse(gr.resources.positions[m], gr.pos),
                    entryPath(j, k) + ".resources[" + std::to_string(m) + "]",
                    quoted(base) + " is not served by group " + quoted(group)
                        + (group.empty() ? " (core)" : "") + " but by " + where
                        + ", so this entry never matches " + std::string(base)));
            }
        }
    }
}

} // namespace

std::string_view lintCheckName(PolicyLintCheck check)
{
    switch (check) {
    case PolicyLintCheck::ShadowedRule:
        return "shadowed-rule";
    case PolicyLintCheck::SensitiveBodies:
        return "sensitive-bodies";
    case PolicyLintCheck::PodsWithoutSubresources:
        return "pods-without-subresources";
    case PolicyLintCheck::WrongGroup:
        return "wrong-group";
    case PolicyLintCheck::GroupLooksLikeVersion:
        return "group-looks-like-version";
    case PolicyLintCheck::UnmatchedRule:
        return "unmatched-rule";
    case PolicyLintCheck::RecordedLevelDiffers:
        return "recorded-level-differs";
    }
    return "unknown";
}

std::vector<std::string_view> knownGroupsOf(std::string_view resource)
{
    std::vector<std::string_view> groups;
    for (const KnownResource& k : KnownResources) {
        if (k.resource != resource)
            continue;
        if (k.core)
            groups.emplace_back("");
        for (const std::string_view g : k.groups)
            if (!g.empty())
                groups.push_back(g);
    }
    return groups;
}

bool ruleCovers(const PolicyRule& earlier, const PolicyRule& later)
{
    if (!listCovers(earlier.users, later.users) || !listCovers(earlier.userGroups, later.userGroups)
        || !listCovers(earlier.verbs, later.verbs))
        return false;
    switch (kindOf(earlier)) {
    case RuleKind::Any:
        return true;
    case RuleKind::Resource: {
        if (kindOf(later) != RuleKind::Resource)
            return false;
        if (!listCovers(earlier.namespaces, later.namespaces))
            return false;
        if (earlier.resources.empty())
            return true;
        if (later.resources.empty()) {
            GroupResources all;
            all.group = "*";
            return entryCovered(all, earlier.resources);
        }
        return std::all_of(later.resources.begin(), later.resources.end(),
            [&](const GroupResources& e) { return entryCovered(e, earlier.resources); });
    }
    case RuleKind::NonResource:
        if (kindOf(later) != RuleKind::NonResource)
            return false;
        return std::all_of(later.nonResourceURLs.values.begin(), later.nonResourceURLs.values.end(),
            [&](const std::string& u) {
                return std::any_of(earlier.nonResourceURLs.values.begin(),
                    earlier.nonResourceURLs.values.end(),
                    [&](const std::string& p) { return urlCovers(p, u); });
            });
    }
    return false;
}

std::vector<int> coveringRules(
    std::span<const PolicyRule> earlier, const PolicyRule& later, std::size_t maxParts)
{
    for (std::size_t i = 0; i < earlier.size(); ++i)
        if (ruleCovers(earlier[i], later))
            return {static_cast<int>(i)};
    if (earlier.empty())
        return {};

    // The parts of `later`: the union of one-value rules over every dimension (exact: each
    // list is an "any of", and the dimensions combine with AND).
    auto singles = [](const StringList& list) {
        std::vector<StringList> out;
        if (list.empty()) {
            out.push_back(list);
            return out;
        }
        for (const std::string& v : list.values) {
            StringList one;
            one.values = {v};
            out.push_back(std::move(one));
        }
        return out;
    };
    struct Target
    {
        std::vector<GroupResources> resources;
        StringList nonResourceURLs;
    };
    std::vector<Target> targets;
    switch (kindOf(later)) {
    case RuleKind::Any: {
        Target resources;
        GroupResources all;
        all.group = "*";
        resources.resources = {all};
        targets.push_back(std::move(resources));
        Target urls;
        urls.nonResourceURLs.values = {"*"};
        targets.push_back(std::move(urls));
        break;
    }
    case RuleKind::Resource:
        if (later.resources.empty())
            targets.push_back({});
        for (const GroupResources& entry : later.resources) {
            if (entry.resources.empty()) {
                targets.push_back({{entry}, {}});
                continue;
            }
            for (const std::string& r : entry.resources.values) {
                for (const StringList& names : singles(entry.resourceNames)) {
                    GroupResources one;
                    one.group = entry.group;
                    one.resources.values = {r};
                    one.resourceNames = names;
                    targets.push_back({{one}, {}});
                }
            }
        }
        break;
    case RuleKind::NonResource:
        for (const StringList& url : singles(later.nonResourceURLs))
            targets.push_back({{}, url});
        break;
    }
    const std::vector<StringList> users = singles(later.users), groups = singles(later.userGroups),
                                  verbs = singles(later.verbs),
                                  namespaces = singles(later.namespaces);
    const std::size_t parts =
        users.size() * groups.size() * verbs.size() * namespaces.size() * targets.size();
    if (parts > maxParts)
        return {};
    std::vector<bool> used(earlier.size(), false);
    PolicyRule probe;
    probe.level = later.level;
    for (const StringList& u : users) {
        probe.users = u;
        for (const StringList& g : groups) {
            probe.userGroups = g;
            for (const StringList& v : verbs) {
                probe.verbs = v;
                for (const StringList& n : namespaces) {
                    probe.namespaces = n;
                    for (const Target& t : targets) {
                        probe.resources = t.resources;
                        probe.nonResourceURLs = t.nonResourceURLs;
                        bool covered = false;
                        for (std::size_t i = 0; i < earlier.size() && !covered; ++i) {
                            if (ruleCovers(earlier[i], probe)) {
                                covered = true;
                                used[i] = true;
                            }
                        }
                        if (!covered)
                            return {};
                    }
                }
            }
        }
    }
    std::vector<int> out;
    for (std::size_t i = 0; i < used.size(); ++i)
        if (used[i])
            out.push_back(static_cast<int>(i));
    return out;
}

std::vector<PolicyLintFinding> lintPolicy(const Policy& policy)
{
    std::vector<PolicyLintFinding> out;
    lintShadowed(policy, out);
    lintSensitive(policy, out);
    lintPods(policy, out);
    lintGroups(policy, out);
    std::stable_sort(
        out.begin(), out.end(), [](const PolicyLintFinding& a, const PolicyLintFinding& b) {
            return std::pair(a.diagnostic.line, a.diagnostic.column)
                < std::pair(b.diagnostic.line, b.diagnostic.column);
        });
    return out;
}

namespace {

/// Events whose recorded level differs from the level a rule gives (spec §6): per (rule,
/// recorded level), their number and the first of them.
struct Disagreement
{
    std::uint64_t count = 0;
    std::uint32_t example = UINT32_MAX;
    Level decided = Level::None;
};
using Disagreements = std::map<std::pair<int, Level>, Disagreement>;

void note(Disagreements& byRule, int rule, Level recorded, Level decided, std::uint64_t count,
    std::uint32_t firstRow)
{
    Disagreement& d = byRule[{rule, recorded}];
    d.count += count;
    if (firstRow < d.example) {
        d.example = firstRow;
        d.decided = decided;
    }
}

std::vector<PolicyLintFinding> logFindings(const Policy& policy, const PolicyAttributeIndex& index,
    const PolicyStoreResult& result, const Disagreements& byRule)
{
    std::vector<PolicyLintFinding> out;
    const std::size_t events = index.eventCount();
    for (std::size_t i = 0; i < policy.rules.size(); ++i) {
        if (i + 1 < result.eventsPerRule.size() && result.eventsPerRule[i + 1] != 0)
            continue;
        out.push_back(finding(PolicyLintCheck::UnmatchedRule, static_cast<int>(i),
            policy.rules[i].pos, rulePath(i),
            "rule matches none of the " + std::to_string(events) + " loaded events"));
    }
    const EventStore& store = index.store();
    for (const auto& [key, d] : byRule) {
        const auto [rule, recorded] = key;
        const std::string example =
            store.sourceOf(EventId{d.example}).path + ":" + std::to_string(store.line[d.example]);
        const PolicyRule* r = rule >= 0 ? &policy.rules[static_cast<std::size_t>(rule)] : nullptr;
        std::string message = std::to_string(d.count) + " event"
            + (d.count == 1 ? " was" : "s were") + " recorded at "
            + std::string(levelName(recorded)) + " but "
            + (r ? "this rule gives " + std::string(levelName(d.decided))
                 : std::string("no rule matches them (level None)"))
            + " (first: " + example
            + "); the log was written under a different policy, so it cannot show what this one "
              "would record";
        PolicyLintFinding f = finding(PolicyLintCheck::RecordedLevelDiffers, rule,
            r ? orElse(r->levelPos, r->pos) : SourcePos{},
            r ? rulePath(static_cast<std::size_t>(rule)) + ".level" : "rules", std::move(message));
        f.events = d.count;
        out.push_back(std::move(f));
    }
    return out;
}

} // namespace

std::vector<PolicyLintFinding> lintPolicyAgainstLog(
    const Policy& policy, const PolicyAttributeIndex& index, const PolicyStoreResult& result)
{
    Disagreements byRule;
    const EventStore& store = index.store();
    for (std::uint32_t row = 0; row < index.eventCount(); ++row) {
        const Level recorded = store.level[row];
        if (recorded == Level::Unknown)
            continue;
        const PolicyEventMatch m = result.events[row];
        if (m.level() != recorded)
            note(byRule, m.rule(), recorded, m.level(), 1, row);
    }
    return logFindings(policy, index, result, byRule);
}

std::vector<PolicyLintFinding> lintPolicyAgainstLog(const Policy& policy,
    const PolicyAttributeIndex& index, const PolicyImpactIndex& groups,
    const PolicyStoreResult& result)
{
    Disagreements byRule;
    for (const PolicyImpactIndex::Group& g : groups.groups()) {
        if (g.recorded == Level::Unknown)
            continue;
        const PolicyDecision& d = result.tupleDecisions[g.tuple];
        if (d.level != g.recorded)
            note(byRule, d.ruleIndex, g.recorded, d.level, g.events, g.firstRow);
    }
    return logFindings(policy, index, result, byRule);
}
} // namespace auditscope
