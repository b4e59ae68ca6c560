// SPDX-License-Identifier: Apache-2.0
// Why-not explanations (issue 8): the first failing check of every rule before the matching
// one, in the evaluator's order (spec §4), agreeing with the evaluator on real and generated
// logs against every corpus policy.
#include "load/loader.h"
#include "policy/policyevaluator.h"
#include "policy/policyexplain.h"
#include "policy/policyreader.h"
#include "policy/policystoreevaluation.h"

#include <QDir>
#include <QTest>

#include <random>
#include <string>

using namespace auditscope;

namespace {

const std::string Head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

/// Owns the strings a RequestAttributesView points into.
struct Request
{
    bool hasUser = true;
    std::string user = "alice";
    std::vector<std::string> groups{"system:authenticated"};
    std::string verb = "get";
    bool resource = true;
    std::string apiGroup, res = "pods", sub, ns = "default", name, path;
    std::vector<std::string_view> groupViews;

    RequestAttributesView view()
    {
        groupViews.assign(groups.begin(), groups.end());
        RequestAttributesView v;
        v.hasUser = hasUser;
        v.userName = user;
        v.groups = groupViews;
        v.verb = verb;
        v.isResourceRequest = resource;
        v.apiGroup = apiGroup;
        v.resource = res;
        v.subresource = sub;
        v.namespaceName = ns;
        v.name = name;
        v.path = path;
        return v;
    }
};

// --- An independent statement of spec §4, check by check ----------------------------------

bool listed(const StringList& list, std::string_view v)
{
    for (const std::string& s : list.values)
        if (s == v)
            return true;
    return false;
}

/// Spec §4 resource patterns, written from the table in §4.1 (split at the first '/').
bool patternHits(const std::string& pattern, std::string_view res, std::string_view sub)
{
    if (pattern == "*")
        return true;
    const std::size_t slash = pattern.find('/');
    if (slash == std::string::npos)
        return sub.empty() && pattern == res;
    const std::string left = pattern.substr(0, slash), right = pattern.substr(slash + 1);
    if (left == "*")
        return !sub.empty() && right == sub; // "*/x" needs a subresource
    if (right == "*")
        return left == res; // "pods/*" also matches plain pods
    return !sub.empty() && left == res && right == sub;
}

bool urlHits(const std::string& spec, std::string_view path)
{
    if (spec == "*" || spec == path)
        return true;
    if (spec.empty() || spec.back() != '*')
        return false;
    const std::string prefix = spec.substr(0, spec.find_last_not_of('*') + 1);
    return path.substr(0, prefix.size()) == prefix;
}

/// The checks of `rule` in the evaluator's order, each with whether it passes.
std::vector<std::pair<RuleMismatch, bool>> checks(
    const PolicyRule& rule, const RequestAttributesView& a)
{
    std::vector<std::pair<RuleMismatch, bool>> out;
    if (!rule.users.empty()) {
        out.emplace_back(RuleMismatch::NoUserForUsers, a.hasUser);
        out.emplace_back(RuleMismatch::User, a.hasUser && listed(rule.users, a.userName));
    }
    if (!rule.userGroups.empty()) {
        out.emplace_back(RuleMismatch::NoUserForGroups, a.hasUser);
        bool any = false;
        for (std::string_view g : a.groups)
            any = any || listed(rule.userGroups, g);
        out.emplace_back(RuleMismatch::UserGroups, a.hasUser && any);
    }
    if (!rule.verbs.empty())
        out.emplace_back(RuleMismatch::Verb, listed(rule.verbs, a.verb));
    if (!rule.namespaces.empty() || !rule.resources.empty()) {
        out.emplace_back(RuleMismatch::NotResourceRequest, a.isResourceRequest);
        if (!rule.namespaces.empty())
            out.emplace_back(RuleMismatch::Namespace, listed(rule.namespaces, a.namespaceName));
        if (!rule.resources.empty()) {
            bool group = false, wholeGroup = false, pattern = false, named = false;
            for (const GroupResources& e : rule.resources) {
                if (e.group != "*" && e.group != a.apiGroup)
                    continue;
                group = true;
                wholeGroup = wholeGroup || e.resources.empty();
                for (const std::string& r : e.resources.values) {
                    if (!patternHits(r, a.resource, a.subresource))
                        continue;
                    pattern = true;
                    named = named || e.resourceNames.empty() || listed(e.resourceNames, a.name);
                }
            }
            out.emplace_back(RuleMismatch::ApiGroup, group);
            out.emplace_back(RuleMismatch::Resource, wholeGroup || pattern);
            out.emplace_back(RuleMismatch::ResourceName, wholeGroup || named);
        }
    } else if (!rule.nonResourceURLs.empty()) {
        out.emplace_back(RuleMismatch::ResourceRequest, !a.isResourceRequest);
        bool any = false;
        for (const std::string& u : rule.nonResourceURLs.values)
            any = any || urlHits(u, a.path);
        out.emplace_back(RuleMismatch::Path, any);
    }
    return out;
}

/// Checks one explanation against the independent checks; returns "" or what is wrong.
std::string verify(const Policy& policy, const PolicyEvaluator& evaluator,
    const RequestAttributesView& a, const PolicyExplanation& x)
{
    const int expected = evaluator.evaluate(a).ruleIndex;
    if (x.matchedRule != expected)
        return "explained rule " + std::to_string(x.matchedRule) + ", evaluator "
            + std::to_string(expected);
    const std::size_t before = expected < 0 ? policy.rules.size() : std::size_t(expected);
    if (x.rejected.size() != before)
        return "rejected " + std::to_string(x.rejected.size()) + " rules, expected "
            + std::to_string(before);
    for (std::size_t i = 0; i < before; ++i) {
        const RuleExplanation& e = x.rejected[i];
        if (e.rule != static_cast<int>(i) || e.mismatch == RuleMismatch::None)
            return "rule " + std::to_string(i) + " has no mismatch";
        bool seen = false;
        for (const auto& [check, passes] : checks(policy.rules[i], a)) {
            if (check == e.mismatch) {
                if (passes)
                    return e.sentence + ": that check passes";
                seen = true;
                break;
            }
            if (!passes)
                return e.sentence + ": an earlier check (" + std::string(ruleMismatchName(check))
                    + ") fails first";
        }
        if (!seen)
            return e.sentence + ": the rule has no such check";
        if (e.sentence.rfind("rule " + std::to_string(i) + ": ", 0) != 0)
            return e.sentence + ": not a sentence about rule " + std::to_string(i);
    }
    return {};
}

/// A log whose requests vary in every attribute a policy reads, with URLs that agree with
/// objectRef (the index re-reads them for create/update).
std::string generatedLog(int events, unsigned seed)
{
    std::mt19937 rng(seed);
    auto pick = [&](std::initializer_list<const char*> options) {
        std::uniform_int_distribution<std::size_t> d(0, options.size() - 1);
        return std::string(*(options.begin() + d(rng)));
    };
    std::string out;
    for (int i = 0; i < events; ++i) {
        std::string user;
        switch (rng() % 9) {
        case 0:
            user = "{}"; // failed authentication
            break;
        case 1:
            user = R"({"username":"system:kube-proxy","groups":["system:authenticated"]})";
            break;
        case 2:
            user =
                R"({"username":"system:node:n1","groups":["system:nodes","system:authenticated"]})";
            break;
        case 3:
            user = R"({"username":"system:anonymous","groups":["system:unauthenticated"]})";
            break;
        case 4:
            user =
                R"({"username":"system:serviceaccount:kube-system:generic-garbage-collector","groups":["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]})";
            break;
        case 5:
            user =
                R"({"username":"system:kube-controller-manager","groups":["system:authenticated"]})";
            break;
        case 6:
            user = R"({"username":"admin","groups":["system:masters","system:authenticated"]})";
            break;
        default:
            user = R"({"username":"alice","groups":["dev","system:authenticated"]})";
            break;
        }
        std::string verb, uri, objectRef;
        if (rng() % 4 == 0) {
            verb = pick({"get", "get", "post", "head", "put"});
            uri = pick({"/healthz", "/healthz/etcd", "/readyz", "/livez", "/api", "/apis",
                "/apis/apps", "/version", "/metrics", "/openapi/v2", "/logs/a%20b", "/api/v1"});
            if (rng() % 3 == 0)
                uri += "?timeout=32s";
        } else {
            struct Res
            {
                const char* group;
                const char* resource;
            };
            static constexpr Res Resources[] = {{"", "pods"}, {"", "secrets"}, {"", "configmaps"},
                {"", "services"}, {"", "endpoints"}, {"", "events"}, {"", "namespaces"},
                {"", "nodes"}, {"apps", "deployments"}, {"coordination.k8s.io", "leases"},
                {"rbac.authorization.k8s.io", "roles"}, {"authentication.k8s.io", "tokenreviews"},
                {"extensions", "ingresses"}, {"events.k8s.io", "events"}};
            const Res r = Resources[rng() % std::size(Resources)];
            verb = pick({"get", "list", "watch", "create", "update", "patch", "delete",
                "deletecollection"});
            const std::string ns =
                r.resource == std::string("nodes") || r.resource == std::string("namespaces")
                ? std::string()
                : pick({"default", "kube-system", "prod", ""});
            std::string name = pick({"web-1", "controller-leader", "leader", "db"});
            if (verb == "list" || verb == "watch" || verb == "deletecollection")
                name.clear();
            const std::string sub = rng() % 4 == 0 ? pick({"status", "log", "exec"}) : "";
            const std::string group = r.group;
            uri = group.empty() ? "/api/v1" : "/apis/" + group + "/v1";
            if (!ns.empty())
                uri += "/namespaces/" + ns;
            uri += "/" + std::string(r.resource);
            if (verb != "create" && !name.empty())
                uri += "/" + name + (sub.empty() ? "" : "/" + sub);
            objectRef = R"(,"objectRef":{"resource":")" + std::string(r.resource) + "\"";
            if (!ns.empty())
                objectRef += R"(,"namespace":")" + ns + "\"";
            if (!name.empty())
                objectRef += R"(,"name":")" + name + "\""; // create: filled from the body
            if (!group.empty())
                objectRef += R"(,"apiGroup":")" + group + "\"";
            if (!sub.empty() && verb != "create")
                objectRef += R"(,"subresource":")" + sub + "\"";
            objectRef += R"(,"apiVersion":"v1"})";
        }
        out += R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"id-)"
            + std::to_string(i) + R"(","stage":")" + pick({"RequestReceived", "ResponseComplete"})
            + R"(","requestURI":")" + uri + R"(","verb":")" + verb + R"(","user":)" + user
            + objectRef
            + R"(,"requestReceivedTimestamp":"2025-03-14T09:00:00.000000Z","stageTimestamp":"2025-03-14T09:00:00.000000Z"})"
            + "\n";
    }
    return out;
}

} // namespace

class TestPolicyExplain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sentences_data();
    void sentences();
    void matchingRuleEndsTheExplanation();
    void pointsAtTheFailingField();
    void agreesWithTheEvaluatorOnCorpusAndGeneratedLogs();
    void explainsAnEventThroughItsTuple();
};

void TestPolicyExplain::sentences_data()
{
    QTest::addColumn<QString>("rules");
    QTest::addColumn<QString>("request"); // a key of the requests below
    QTest::addColumn<QString>("sentence");
    QTest::addColumn<QString>("mismatch");

    QTest::newRow("verb") << "- level: None\n  verbs: [create, update]\n"
                          << "alice get pods"
                          << "rule 0: verb get not in [create, update]"
                          << "verb";
    QTest::newRow("user") << "- level: None\n  users: [\"system:anonymous\"]\n"
                          << "kube-proxy watch services"
                          << "rule 0: user system:kube-proxy not in users [system:anonymous]"
                          << "user";
    QTest::newRow("resource with group")
        << "- level: None\n  resources: [{group: \"\", resources: [secrets]}]\n"
        << "alice get configmaps"
        << "rule 0: resource configmaps not in resources [secrets] (group \"\")"
        << "resource";
    QTest::newRow("path") << "- level: None\n  nonResourceURLs: [\"/api*\"]\n"
                          << "alice get /healthz"
                          << "rule 0: path /healthz does not match nonResourceURLs [/api*]"
                          << "path";
    QTest::newRow("namespace") << "- level: None\n  namespaces: [prod]\n"
                               << "alice get configmaps"
                               << "rule 0: namespace kube-system not in namespaces [prod]"
                               << "namespace";
    QTest::newRow("resource request on a URL rule")
        << "- level: None\n  nonResourceURLs: [\"/healthz\"]\n"
        << "alice get pods"
        << "rule 0: a resource request, but the rule has nonResourceURLs only"
        << "resource-request";
    QTest::newRow("non-resource request on a resource rule")
        << "- level: None\n  resources: [{resources: [pods]}]\n"
        << "alice get /healthz"
        << "rule 0: a non-resource request, but the rule has resources only"
        << "not-resource-request";
    QTest::newRow("no user for users")
        << "- level: None\n  users: [alice]\n"
        << "anonymous 401"
        << "rule 0: the request has no authenticated user, but the rule needs users [alice]"
        << "no-user-for-users";
    QTest::newRow("groups") << "- level: None\n  userGroups: [\"system:nodes\"]\n"
                            << "alice get pods"
                            << "rule 0: no group of alice [dev, system:authenticated] in "
                               "userGroups [system:nodes]"
                            << "user-groups";
    // An entry of another group only: the group is what fails.
    QTest::newRow("api group")
        << "- level: None\n  resources: [{group: apps, resources: [deployments]}, {group: batch}]\n"
        << "alice get pods"
        << "rule 0: group \"\" (resource pods) not in resources groups [\"apps\", \"batch\"]"
        << "api-group";
    // pods matches, the name does not: resourceNames fails, with the empty name of a list.
    QTest::newRow("resource name")
        << "- level: None\n  resources: [{resources: [pods], resourceNames: [web-1]}]\n"
        << "alice list pods"
        << "rule 0: name \"\" not in resourceNames [web-1] (resource pods)"
        << "resource-name";
    // "pods" does not match pods/log (spec §13.1); the combined form is shown.
    QTest::newRow("subresource") << "- level: None\n  resources: [{resources: [pods]}]\n"
                                 << "alice get pods/log"
                                 << "rule 0: resource pods/log not in resources [pods] (group \"\")"
                                 << "resource";
    // users is checked before verbs: a rule failing both reports users.
    QTest::newRow("order: users before verbs")
        << "- level: None\n  users: [bob]\n  verbs: [delete]\n"
        << "alice get pods"
        << "rule 0: user alice not in users [bob]"
        << "user";
    // namespaces before resources, and verbs before both.
    QTest::newRow("order: namespaces before resources")
        << "- level: None\n  namespaces: [prod]\n  resources: [{resources: [secrets]}]\n"
        << "alice get configmaps"
        << "rule 0: namespace kube-system not in namespaces [prod]"
        << "namespace";
}

namespace {

Request requestNamed(const QString& key)
{
    Request r;
    if (key == QLatin1String("kube-proxy watch services")) {
        r.user = "system:kube-proxy";
        r.verb = "watch";
        r.res = "services";
    } else if (key == QLatin1String("alice get configmaps")) {
        r.res = "configmaps";
        r.ns = "kube-system";
        r.name = "cfg";
    } else if (key == QLatin1String("alice get /healthz")) {
        r.resource = false;
        r.res.clear();
        r.ns.clear();
        r.path = "/healthz";
    } else if (key == QLatin1String("anonymous 401")) {
        r.hasUser = false;
        r.user.clear();
        r.groups.clear();
    } else if (key == QLatin1String("alice list pods")) {
        r.verb = "list";
    } else if (key == QLatin1String("alice get pods/log")) {
        r.sub = "log";
        r.name = "web-1";
    } else {
        r.groups = {"dev", "system:authenticated"};
        r.name = "web-1";
    }
    if (key.startsWith(QLatin1String("alice")) && r.groups.size() == 1)
        r.groups = {"dev", "system:authenticated"};
    return r;
}

} // namespace

void TestPolicyExplain::sentences()
{
    QFETCH(QString, rules);
    QFETCH(QString, request);
    QFETCH(QString, sentence);
    QFETCH(QString, mismatch);
    const PolicyLoadResult p = loadPolicy(Head + "rules:\n" + rules.toStdString());
    QVERIFY(p.decoded);
    Request r = requestNamed(request);
    const RequestAttributesView a = r.view();
    const RuleExplanation e = explainRule(p.policy, 0, a);
    QCOMPARE(QString::fromStdString(e.sentence), sentence);
    QCOMPARE(QString::fromLatin1(ruleMismatchName(e.mismatch).data()), mismatch);
    // The rule really does not match, and the independent checks agree on the first failure.
    QVERIFY(!PolicyEvaluator(p.policy).ruleMatches(0, a));
    const std::string wrong =
        verify(p.policy, PolicyEvaluator(p.policy), a, explainRequest(p.policy, a));
    QVERIFY2(wrong.empty(), wrong.c_str());
}

void TestPolicyExplain::matchingRuleEndsTheExplanation()
{
    const PolicyLoadResult p = loadPolicy(Head
        + "rules:\n- level: None\n  verbs: [watch]\n- level: Metadata\n  resources: "
          "[{resources: [secrets]}]\n- level: Request\n- level: RequestResponse\n");
    QVERIFY(p.loadable);
    Request r;
    const RequestAttributesView a = r.view();
    const PolicyExplanation x = explainRequest(p.policy, a);
    QCOMPARE(x.matchedRule, 2);
    QCOMPARE(int(x.rejected.size()), 2);
    QCOMPARE(QString::fromStdString(x.rejected[0].sentence),
        QStringLiteral("rule 0: verb get not in [watch]"));
    QCOMPARE(QString::fromStdString(x.rejected[1].sentence),
        QStringLiteral("rule 1: resource pods not in resources [secrets] (group \"\")"));
    QCOMPARE(QString::fromStdString(x.summary), QStringLiteral("rule 2 matches: level Request"));
    QCOMPARE(explainRule(p.policy, 3, a).mismatch, RuleMismatch::None);
    QCOMPARE(QString::fromStdString(explainRule(p.policy, 3, a).sentence),
        QStringLiteral("rule 3: matches"));

    // No rule matches: every rule is explained.
    const PolicyLoadResult none = loadPolicy(Head + "rules:\n- level: None\n  verbs: [watch]\n");
    const PolicyExplanation y = explainRequest(none.policy, a);
    QCOMPARE(y.matchedRule, -1);
    QCOMPARE(int(y.rejected.size()), 1);
    QCOMPARE(QString::fromStdString(y.summary),
        QStringLiteral("no rule matches: level None, nothing is written"));
}

void TestPolicyExplain::pointsAtTheFailingField()
{
    // Line 4 is the rule, line 5 its verbs, line 6 resources.
    const PolicyLoadResult p = loadPolicy(
        Head + "rules:\n- level: None\n  verbs: [get]\n  resources:\n  - resources: [secrets]\n");
    QVERIFY(p.loadable);
    Request r;
    r.verb = "list";
    RequestAttributesView a = r.view();
    RuleExplanation e = explainRule(p.policy, 0, a);
    QCOMPARE(QString::fromStdString(e.fieldPath), QStringLiteral("rules[0].verbs"));
    QCOMPARE(e.pos.line, 5);
    QCOMPARE(QString::fromStdString(e.value), QStringLiteral("list"));
    QCOMPARE(e.allowed, std::vector<std::string>{"get"});
    r.verb = "get";
    a = r.view();
    e = explainRule(p.policy, 0, a);
    QCOMPARE(QString::fromStdString(e.fieldPath), QStringLiteral("rules[0].resources"));
    QCOMPARE(e.pos.line, 7); // the list under `resources:` starts on the next line
    QCOMPARE(QString::fromStdString(e.value), QStringLiteral("pods"));
}

void TestPolicyExplain::agreesWithTheEvaluatorOnCorpusAndGeneratedLogs()
{
    const std::string data = AUDITSCOPE_TEST_DATA_DIR;
    const std::vector<std::string> logs{data + "/corpus/microk8s-k8s.log.gz",
        data + "/corpus/audit2rbac/demo.log", data + "/corpus/falco"};
    std::vector<LoadResult> loaded;
    for (const std::string& log : logs)
        loaded.push_back(loadAuditLogs({log}));
    loaded.push_back(loadAuditBuffers({{"generated.log", generatedLog(4000, 11)}}));
    std::vector<std::shared_ptr<const PolicyAttributeIndex>> indexes;
    std::size_t tuples = 0;
    for (const LoadResult& l : loaded) {
        QVERIFY(l.store && l.store->size() > 0);
        indexes.push_back(PolicyAttributeIndex::build(l.store));
        tuples += indexes.back()->tupleCount();
    }
    QVERIFY(tuples > 500);

    const QDir policies(QString::fromStdString(data + "/policies"));
    int policiesChecked = 0;
    std::size_t explained = 0, rejections = 0;
    for (const QString& file : policies.entryList({QStringLiteral("*.yaml")}, QDir::Files)) {
        const PolicyLoadResult p = loadPolicyFile(policies.filePath(file).toStdString());
        if (!p.decoded || p.policy.rules.empty())
            continue; // v1beta1, the ConfigMap wrapper: nothing to evaluate
        ++policiesChecked;
        const PolicyEvaluator evaluator(p.policy);
        for (const auto& index : indexes) {
            for (std::size_t t = 0; t < index->tupleCount(); ++t) {
                const RequestAttributesView a = index->view(t);
                const PolicyExplanation x = explainTuple(p.policy, *index, t);
                const std::string wrong = verify(p.policy, evaluator, a, x);
                if (!wrong.empty())
                    QFAIL(qPrintable(file + QStringLiteral(", tuple ") + QString::number(t)
                        + QStringLiteral(": ") + QString::fromStdString(wrong)));
                ++explained;
                rejections += x.rejected.size();
            }
        }
    }
    QVERIFY(policiesChecked >= 12);
    QVERIFY(rejections > explained); // most requests pass several rules before matching
}

void TestPolicyExplain::explainsAnEventThroughItsTuple()
{
    // A create: the policy saw name "" (from the URL), although the event shows the name.
    const std::string line =
        R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/kube-system/configmaps","verb":"create","user":{"username":"u","groups":["g"]},"objectRef":{"resource":"configmaps","namespace":"kube-system","name":"leader","apiVersion":"v1"},"requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z","stageTimestamp":"2024-01-01T00:00:01.000000Z"})"
        "\n";
    const LoadResult loaded = loadAuditBuffers({{"mem.log", line}});
    QCOMPARE(loaded.store->size(), std::size_t(1));
    const auto index = PolicyAttributeIndex::build(loaded.store);
    const PolicyLoadResult p = loadPolicy(Head
        + "rules:\n- level: None\n  resources: [{resources: [configmaps], resourceNames: "
          "[leader]}]\n- level: Metadata\n");
    const PolicyExplanation x = explainEvent(p.policy, *index, EventId{0});
    QCOMPARE(x.matchedRule, 1);
    QCOMPARE(QString::fromStdString(x.rejected.at(0).sentence),
        QStringLiteral("rule 0: name \"\" not in resourceNames [leader] (resource configmaps)"));
}

QTEST_GUILESS_MAIN(TestPolicyExplain)
#include "tst_policyexplain.moc"
