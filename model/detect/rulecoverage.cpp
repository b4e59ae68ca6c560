// SPDX-License-Identifier: Apache-2.0
// What a detection rule needs the audit policy to record, derived from its own query terms, and
// whether a policy records it: each request shape the rule looks at becomes one synthetic
// request that the policy evaluator judges exactly as kube-apiserver would.
#include "detect/rulecoverage.h"

#include "policy/policyevaluator.h"
#include "query/querychars.h"

#include <algorithm>
#include <array>
#include <optional>

namespace auditscope {

namespace {

/// A resource the coverage knows the API group and scope of, so that a synthetic request looks
/// like a real one to the policy (`group: ""` matches the core group only, `namespaces:` only
/// namespaced requests).
struct KnownResource
{
    std::string_view name, group;
    bool namespaced;
};

constexpr std::array<KnownResource, 56> KnownResources{{
    {"pods", "", true},
    {"secrets", "", true},
    {"configmaps", "", true},
    {"services", "", true},
    {"serviceaccounts", "", true},
    {"endpoints", "", true},
    {"events", "", true},
    {"persistentvolumeclaims", "", true},
    {"replicationcontrollers", "", true},
    {"resourcequotas", "", true},
    {"limitranges", "", true},
    {"podtemplates", "", true},
    {"bindings", "", true},
    {"namespaces", "", false},
    {"nodes", "", false},
    {"persistentvolumes", "", false},
    {"componentstatuses", "", false},
    {"deployments", "apps", true},
    {"daemonsets", "apps", true},
    {"statefulsets", "apps", true},
    {"replicasets", "apps", true},
    {"controllerrevisions", "apps", true},
    {"jobs", "batch", true},
    {"cronjobs", "batch", true},
    {"roles", "rbac.authorization.k8s.io", true},
    {"rolebindings", "rbac.authorization.k8s.io", true},
    {"clusterroles", "rbac.authorization.k8s.io", false},
    {"clusterrolebindings", "rbac.authorization.k8s.io", false},
    {"ingresses", "networking.k8s.io", true},
    {"networkpolicies", "networking.k8s.io", true},
    {"ingressclasses", "networking.k8s.io", false},
    {"endpointslices", "discovery.k8s.io", true},
    {"leases", "coordination.k8s.io", true},
    {"horizontalpodautoscalers", "autoscaling", true},
    {"poddisruptionbudgets", "policy", true},
    {"podsecuritypolicies", "policy", false},
    {"tokenreviews", "authentication.k8s.io", false},
    {"selfsubjectreviews", "authentication.k8s.io", false},
    {"subjectaccessreviews", "authorization.k8s.io", false},
    {"selfsubjectaccessreviews", "authorization.k8s.io", false},
    {"selfsubjectrulesreviews", "authorization.k8s.io", false},
    {"localsubjectaccessreviews", "authorization.k8s.io", true},
    {"certificatesigningrequests", "certificates.k8s.io", false},
    {"customresourcedefinitions", "apiextensions.k8s.io", false},
    {"mutatingwebhookconfigurations", "admissionregistration.k8s.io", false},
    {"validatingwebhookconfigurations", "admissionregistration.k8s.io", false},
    {"validatingadmissionpolicies", "admissionregistration.k8s.io", false},
    {"validatingadmissionpolicybindings", "admissionregistration.k8s.io", false},
    {"auditsinks", "auditregistration.k8s.io", false},
    {"apiservices", "apiregistration.k8s.io", false},
    {"flowschemas", "flowcontrol.apiserver.k8s.io", false},
    {"prioritylevelconfigurations", "flowcontrol.apiserver.k8s.io", false},
    {"priorityclasses", "scheduling.k8s.io", false},
    {"runtimeclasses", "node.k8s.io", false},
    {"storageclasses", "storage.k8s.io", false},
    {"volumeattachments", "storage.k8s.io", false},
}};

/// Subresources and the resource they usually belong to (for a rule that names only the
/// subresource, e.g. `subresource:exec`); `only` when no other resource has it, so that
/// `resource:(pods or deployments) subresource:exec` needs pods/exec alone.
struct KnownSubresource
{
    std::string_view name, resource;
    bool only;
};

constexpr std::array<KnownSubresource, 13> KnownSubresources{{
    {"exec", "pods", true},
    {"attach", "pods", true},
    {"portforward", "pods", true},
    {"log", "pods", true},
    {"ephemeralcontainers", "pods", true},
    {"eviction", "pods", true},
    {"binding", "pods", true},
    {"status", "pods", false},
    {"proxy", "services", false},
    {"token", "serviceaccounts", true},
    {"scale", "deployments", false},
    {"approval", "certificatesigningrequests", true},
    {"finalize", "namespaces", true},
}};

constexpr std::array<std::string_view, 10> KnownVerbs{"get", "list", "watch", "create", "update",
    "patch", "delete", "deletecollection", "impersonate", "proxy"};

/// More shapes than this (a cross product of large groups) are not worth judging one by one.
constexpr std::size_t MaxShapes = 512;

const KnownSubresource* knownSubresource(std::string_view name)
{
    const auto it = std::find_if(KnownSubresources.begin(), KnownSubresources.end(),
        [name](const KnownSubresource& s) { return s.name == name; });
    return it == KnownSubresources.end() ? nullptr : &*it;
}

const KnownResource* knownResource(std::string_view name)
{
    const auto it = std::find_if(KnownResources.begin(), KnownResources.end(),
        [name](const KnownResource& r) { return r.name == name; });
    return it == KnownResources.end() ? nullptr : &*it;
}

bool isAnyShape(const RequestShape& s)
{
    return s.verb.empty() && s.apiGroup.empty() && s.resource.empty() && s.subresource.empty()
        && s.namespaceName.empty() && !s.nonResource;
}

bool sameShape(const RequestShape& a, const RequestShape& b)
{
    return a.verb == b.verb && a.apiGroup == b.apiGroup && a.resource == b.resource
        && a.subresource == b.subresource && a.namespaceName == b.namespaceName
        && a.nonResource == b.nonResource && a.path == b.path;
}

void addUnique(std::vector<RequestShape>& shapes, const RequestShape& shape)
{
    if (shapes.size() < MaxShapes
        && std::none_of(shapes.begin(), shapes.end(),
            [&](const RequestShape& s) { return sameShape(s, shape); }))
        shapes.push_back(shape);
}

// One field of two shapes that must both hold: equal, or one of them unconstrained.
bool mergeField(std::string& into, const std::string& other)
{
    if (other.empty() || into == other)
        return true;
    if (!into.empty())
        return false;
    into = other;
    return true;
}

/// The requests both shapes describe; nullopt when none can (`resource:pods and
/// resource:secrets`, or a resource and a non-resource URL).
std::optional<RequestShape> merged(RequestShape a, const RequestShape& b)
{
    const bool aResource = !a.resource.empty() || !a.subresource.empty() || !a.apiGroup.empty()
        || !a.namespaceName.empty();
    const bool bResource = !b.resource.empty() || !b.subresource.empty() || !b.apiGroup.empty()
        || !b.namespaceName.empty();
    if ((a.nonResource && bResource) || (b.nonResource && aResource))
        return std::nullopt;
    a.nonResource = a.nonResource || b.nonResource;
    if (!mergeField(a.verb, b.verb) || !mergeField(a.apiGroup, b.apiGroup)
        || !mergeField(a.resource, b.resource) || !mergeField(a.subresource, b.subresource)
        || !mergeField(a.namespaceName, b.namespaceName) || !mergeField(a.path, b.path))
        return std::nullopt;
    // deployments/exec does not exist: a subresource of one resource only stays with it.
    if (!a.resource.empty() && !a.subresource.empty())
        if (const KnownSubresource* sub = knownSubresource(a.subresource))
            if (sub->only && sub->resource != a.resource)
                return std::nullopt;
    return a;
}

// The known names a value of a term stands for: itself when exact, the known names its glob
// accepts, or nothing (= any) for `*` or a glob that names none of them.
template <class Names, class NameOf>
std::vector<std::string> valuesOf(const QueryNode& n, const Names& known, NameOf nameOf)
{
    if (!n.wildcard)
        return {n.value};
    std::vector<std::string> out;
    if (n.value == "*")
        return out;
    for (const auto& k : known)
        if (globMatch(n.value, nameOf(k)))
            out.emplace_back(nameOf(k));
    return out;
}

// A non-resource URL a `uri:` term names (`/healthz`, `/metrics*`), or "" when it names a
// resource path (`/api/...`, `/apis/...`) or no path at all (`*exec*`).
std::string nonResourcePath(const QueryNode& n)
{
    std::string path = n.value.substr(0, n.value.find_first_of("*?"));
    if (path.empty() || path.front() != '/' || path.starts_with("/api/")
        || path.starts_with("/apis/"))
        return {};
    return path;
}

/// The shapes of one positive Match term; {any} for a term that constrains no shape field.
std::vector<RequestShape> termShapes(const QueryNode& n)
{
    const std::vector<RequestShape> any(1);
    if (n.op != CompareOp::Match)
        return any;
    std::vector<std::string> values;
    std::string RequestShape::*field = nullptr;
    const auto self = [](std::string_view s) { return s; };
    switch (n.field) {
    case QueryField::Verb:
        values = valuesOf(n, KnownVerbs, self);
        field = &RequestShape::verb;
        break;
    case QueryField::Resource:
        values = valuesOf(n, KnownResources, [](const KnownResource& r) { return r.name; });
        field = &RequestShape::resource;
        break;
    case QueryField::Subresource:
        values = valuesOf(n, KnownSubresources, [](const KnownSubresource& s) { return s.name; });
        field = &RequestShape::subresource;
        break;
    case QueryField::ApiGroup:
        if (!n.wildcard)
            values = {n.value}; // "" (core) is also what an unconstrained known resource gets
        field = &RequestShape::apiGroup;
        break;
    case QueryField::Namespace:
        if (n.value != "*")
            values = {n.value}; // a glob stays a glob; requests get a namespace it matches
        field = &RequestShape::namespaceName;
        break;
    case QueryField::Json:
        if (n.path.size() == 1 && asciiIEquals(n.path.front(), "requestURI")) {
            const std::string path = nonResourcePath(n);
            if (path.empty())
                return any;
            RequestShape shape;
            shape.nonResource = true;
            shape.path = path;
            return {shape};
        }
        return any;
    default:
        return any;
    }
    std::vector<RequestShape> out;
    for (const std::string& v : values) {
        RequestShape shape;
        shape.*field = v;
        if (!isAnyShape(shape))
            addUnique(out, shape);
    }
    return out.empty() ? any : out;
}

/// The request shapes node `index` of `q` can match: `and` crosses its parts, `or` unites
/// them; negations and terms on other fields constrain nothing.
std::vector<RequestShape> shapesOf(const Query& q, std::uint32_t index)
{
    const QueryNode& n = q.nodes[index];
    switch (n.kind) {
    case QueryNode::Kind::Match:
        return termShapes(n);
    case QueryNode::Kind::And: {
        std::vector<RequestShape> product(1);
        for (const std::uint32_t child : n.children) {
            std::vector<RequestShape> next;
            for (const RequestShape& right : shapesOf(q, child))
                for (const RequestShape& left : product)
                    if (std::optional<RequestShape> both = merged(left, right))
                        addUnique(next, *both);
            product = std::move(next);
            if (product.size() >= MaxShapes) // a user's rule crossing long or-lists:
                return {RequestShape{}}; // judged as "any request" rather than in part
        }
        return product; // empty: the parts contradict each other, the rule matches nothing
    }
    case QueryNode::Kind::Or: {
        std::vector<RequestShape> out;
        for (const std::uint32_t child : n.children) {
            for (const RequestShape& s : shapesOf(q, child))
                addUnique(out, s);
            if (out.size() >= MaxShapes)
                return {RequestShape{}};
        }
        return out;
    }
    case QueryNode::Kind::Not:
    case QueryNode::Kind::All:
        break;
    }
    return std::vector<RequestShape>(1);
}

// The stages named by positive `stage:` terms (under no negation), in enum order.
void collectStages(const Query& q, std::uint32_t index, std::vector<Stage>& out)
{
    const QueryNode& n = q.nodes[index];
    if (n.kind == QueryNode::Kind::Not)
        return;
    if (n.kind == QueryNode::Kind::Match) {
        if (n.field == QueryField::Stage && n.op == CompareOp::Match && !n.wildcard)
            if (const std::optional<Stage> stage = parseStage(n.value))
                if (std::find(out.begin(), out.end(), *stage) == out.end())
                    out.push_back(*stage);
        return;
    }
    for (const std::uint32_t child : n.children)
        collectStages(q, child, out);
}

// The level a query needs: Request to read requestObject, RequestResponse for responseObject.
Level levelOf(const Query& q)
{
    Level level = Level::Metadata;
    for (const QueryNode& n : q.nodes) {
        if (n.kind != QueryNode::Kind::Match || n.field != QueryField::Json || n.path.empty())
            continue;
        if (asciiIEquals(n.path.front(), "responseObject"))
            level = std::max(level, Level::RequestResponse);
        else if (asciiIEquals(n.path.front(), "requestObject"))
            level = std::max(level, Level::Request);
    }
    return level;
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator)
{
    std::string out;
    for (const std::string& p : parts)
        out += (out.empty() ? "" : std::string(separator)) + p;
    return out;
}

// `pods/exec`, `pods`, `/healthz` or "any resource".
std::string resourceLabel(const RequestShape& s)
{
    if (s.nonResource)
        return s.path;
    std::string resource = s.resource;
    if (resource.empty() && !s.subresource.empty()) {
        const KnownSubresource* known = knownSubresource(s.subresource);
        resource = known ? std::string(known->resource) : "*";
    }
    if (resource.empty())
        resource = s.apiGroup.empty() ? "any resource" : "any " + s.apiGroup + " resource";
    return s.subresource.empty() ? resource : resource + "/" + s.subresource;
}

/// The shapes in a few words: resources that share their verbs and namespaces are listed
/// together, e.g. "pods, deployments create/update in kube-system".
std::string describeShapes(const std::vector<RequestShape>& shapes)
{
    struct Group
    {
        std::vector<std::string> labels, verbs, namespaces;
    };
    std::vector<std::string> labels;
    std::vector<Group> perLabel;
    auto addTo = [](std::vector<std::string>& list, const std::string& value) {
        if (std::find(list.begin(), list.end(), value) == list.end())
            list.push_back(value);
    };
    for (const RequestShape& s : shapes) {
        const std::string label = resourceLabel(s);
        auto it = std::find(labels.begin(), labels.end(), label);
        if (it == labels.end()) {
            labels.push_back(label);
            perLabel.push_back({{label}, {}, {}});
            it = labels.end() - 1;
        }
        Group& g = perLabel[static_cast<std::size_t>(it - labels.begin())];
        addTo(g.verbs, s.verb.empty() ? "any verb" : s.verb);
        if (!s.namespaceName.empty())
            addTo(g.namespaces, s.namespaceName);
    }
    std::vector<Group> groups; // labels with the same verbs and namespaces, merged
    for (const Group& g : perLabel) {
        auto same = std::find_if(groups.begin(), groups.end(),
            [&](const Group& o) { return o.verbs == g.verbs && o.namespaces == g.namespaces; });
        if (same == groups.end())
            groups.push_back(g);
        else
            same->labels.push_back(g.labels.front());
    }
    std::vector<std::string> parts;
    for (const Group& g : groups) {
        std::string part = joined(g.labels, ", ");
        if (g.verbs != std::vector<std::string>{"any verb"})
            part += " " + joined(g.verbs, "/");
        if (!g.namespaces.empty())
            part += " in " + joined(g.namespaces, ", ");
        parts.push_back(part);
    }
    return joined(parts, "; ");
}

/// A concrete request for `shape` as an ordinary user would make it: the shape's fields, and
/// for what it leaves open a representative (pods; create when the rule reads bodies, else
/// get; namespace "default" for namespaced resources; `*` in a namespace glob read as "x").
RequestAttributes requestFor(const RequestShape& shape, Level needed)
{
    RequestAttributes a;
    a.user = UserAttributes{"a-user", {"system:authenticated"}};
    a.verb = !shape.verb.empty() ? shape.verb : needed >= Level::Request ? "create" : "get";
    if (shape.nonResource) {
        a.path = shape.path;
        return a;
    }
    a.isResourceRequest = true;
    a.resource = shape.resource;
    if (a.resource.empty() && !shape.subresource.empty()) {
        const KnownSubresource* known = knownSubresource(shape.subresource);
        a.resource = known ? known->resource : "pods";
    }
    if (a.resource.empty() && !shape.apiGroup.empty()) {
        const auto it = std::find_if(KnownResources.begin(), KnownResources.end(),
            [&](const KnownResource& r) { return r.group == shape.apiGroup; });
        a.resource = it != KnownResources.end() ? it->name : "x";
    }
    if (a.resource.empty())
        a.resource = "pods";
    a.subresource = shape.subresource;
    const KnownResource* known = knownResource(a.resource);
    a.apiGroup = !shape.apiGroup.empty() ? shape.apiGroup
        : known                          ? std::string(known->group)
                                         : std::string();
    a.namespaceName = shape.namespaceName;
    std::replace(a.namespaceName.begin(), a.namespaceName.end(), '*', 'x');
    if (a.namespaceName.empty() && (!known || known->namespaced))
        a.namespaceName = "default";
    a.name = "x";
    a.path = "/"; // not read for resource requests
    return a;
}

// "pods/exec create in prod" or "get /healthz": the request the policy was asked about.
std::string requestLabel(const RequestShape& shape, const RequestAttributes& a)
{
    if (!a.isResourceRequest)
        return a.verb + " " + a.path;
    std::string out = a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
    out += " " + a.verb;
    if (!shape.namespaceName.empty())
        out += " in " + a.namespaceName;
    return out;
}

std::string ruleLabel(const Policy& policy, int index)
{
    if (index < 0)
        return "no rule matches (level None)";
    std::string out = "rule " + std::to_string(index); // 0-based, as the Rules dock and rule:
    const int line = policy.rules[static_cast<std::size_t>(index)].pos.line;
    if (line > 0)
        out += " (line " + std::to_string(line) + ")";
    return out;
}

// Who omits `stages`: the policy's own omitStages, the deciding rule's, or both.
std::string omittedBy(
    const PolicyEvaluator& evaluator, const PolicyDecision& d, const std::vector<Stage>& stages)
{
    const StageMask policyMask = stageMaskOf(evaluator.policy().omitStages);
    bool byPolicy = false, byRule = false;
    for (const Stage s : stages) {
        byPolicy = byPolicy || (policyMask & stageBit(s));
        byRule = byRule || !(policyMask & stageBit(s));
    }
    const std::string rule = ruleLabel(evaluator.policy(), d.ruleIndex);
    if (byPolicy && byRule)
        return "omitted by the omitStages of the policy and of " + rule;
    return byPolicy ? "omitted by the policy's omitStages" : "omitted by the omitStages of " + rule;
}

std::string stageList(const std::vector<Stage>& stages)
{
    std::vector<std::string> names;
    for (const Stage s : stages)
        names.emplace_back(stageName(s));
    return joined(names, " or ");
}

/// Why the policy does not record what the rule needs of `shape`, or "" when it does.
std::string shapeProblem(
    const PolicyEvaluator& evaluator, const RuleNeeds& needs, const RequestShape& shape)
{
    const RequestAttributes a = requestFor(shape, needs.level);
    const PolicyDecision d = evaluator.evaluate(a);
    const std::string request = requestLabel(shape, a);
    if (d.level < needs.level || d.level == Level::Unknown) {
        const std::string gives = d.ruleIndex < 0
            ? ruleLabel(evaluator.policy(), d.ruleIndex)
            : ruleLabel(evaluator.policy(), d.ruleIndex) + " gives "
                + (d.level == Level::Unknown ? std::string("an invalid level")
                                             : std::string(levelName(d.level)));
        return request + " needs " + std::string(levelName(needs.level)) + " or higher: " + gives;
    }
    // With no stage named, a request must be written at some stage every request passes
    // through (RequestReceived or ResponseComplete; ResponseStarted is long-running only).
    const std::vector<Stage> wanted = needs.stages.empty()
        ? std::vector<Stage>{Stage::ResponseComplete, Stage::RequestReceived}
        : needs.stages;
    if (std::any_of(wanted.begin(), wanted.end(), [&](Stage s) { return d.emitted(s); }))
        return {};
    return request + " needs stage " + stageList(wanted) + ": " + omittedBy(evaluator, d, wanted);
}

} // namespace

std::string RuleNeeds::toString() const
{
    std::string out = requests.empty() ? std::string("any request") : describeShapes(requests);
    out += " at " + std::string(levelName(level)) + " or higher";
    if (!stages.empty())
        out += ", stage " + stageList(stages);
    return out;
}

RuleNeeds needsOf(const DetectionRule& rule)
{
    RuleNeeds needs;
    if (rule.kind == RuleKind::Integrity)
        return needs;
    std::vector<RequestShape> shapes;
    for (const Query* q : {&rule.matchQuery, &rule.thenQuery}) {
        if (q->nodes.empty())
            continue;
        needs.level = std::max(needs.level, levelOf(*q));
        collectStages(*q, q->root, needs.stages);
        for (const RequestShape& s : shapesOf(*q, q->root))
            addUnique(shapes, s);
    }
    std::sort(needs.stages.begin(), needs.stages.end());
    // "Any request" alone is no list of shapes (RuleNeeds::requests: empty = any request).
    if (!(shapes.size() == 1 && isAnyShape(shapes.front())))
        needs.requests = std::move(shapes);
    return needs;
}

std::vector<RuleCoverage> coverageAgainst(const RuleSet& rules, const Policy& policy)
{
    const PolicyEvaluator evaluator(policy);
    std::vector<RuleCoverage> out;
    for (std::size_t i = 0; i < rules.rules.size(); ++i) {
        const DetectionRule& rule = rules.rules[i];
        if (!rule.enabled)
            continue;
        RuleCoverage c;
        c.rule = i;
        if (rule.kind == RuleKind::Integrity) {
            c.covered = true;
            c.needs = "nothing";
            out.push_back(std::move(c));
            continue;
        }
        const RuleNeeds needs = needsOf(rule);
        c.needs = needs.toString();
        const std::vector<RequestShape> shapes =
            needs.requests.empty() ? std::vector<RequestShape>(1) : needs.requests;
        for (const RequestShape& shape : shapes) {
            c.suggestion = shapeProblem(evaluator, needs, shape);
            if (!c.suggestion.empty())
                break;
        }
        c.covered = c.suggestion.empty();
        out.push_back(std::move(c));
    }
    return out;
}

} // namespace auditscope
