// SPDX-License-Identifier: Apache-2.0
// Evaluation (spec §4, §13), URL parsing (§5.3), stages (§7) and a replay of a real log.
#include "load/loader.h"
#include "policy/policyevaluator.h"
#include "policy/policyreader.h"
#include "policy/policystoreevaluation.h"
#include "policy/requestattributes.h"
#include "report/rawfieldreader.h"

#include <QTest>

#include <map>
#include <string>

using namespace auditscope;

namespace {

const std::string Head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

/// Attributes from a compact spec: "key=value;..." with keys user (none if absent or "-"),
/// groups (comma list), verb, res (resource request: group/resource[/subresource]), ns, name,
/// path.
RequestAttributes attrs(const std::string& spec)
{
    std::map<std::string, std::string> kv;
    std::size_t start = 0;
    while (start < spec.size()) {
        std::size_t end = spec.find(';', start);
        if (end == std::string::npos)
            end = spec.size();
        const std::string item = spec.substr(start, end - start);
        const std::size_t eq = item.find('=');
        kv[item.substr(0, eq)] = eq == std::string::npos ? std::string() : item.substr(eq + 1);
        start = end + 1;
    }
    RequestAttributes a;
    if (kv.count("user") && kv["user"] != "-") {
        UserAttributes u;
        u.name = kv["user"];
        std::string groups = kv["groups"];
        std::size_t s = 0;
        while (!groups.empty() && s <= groups.size()) {
            std::size_t e = groups.find(',', s);
            if (e == std::string::npos)
                e = groups.size();
            u.groups.push_back(groups.substr(s, e - s));
            s = e + 1;
        }
        a.user = u;
    }
    a.verb = kv["verb"];
    if (kv.count("res")) {
        a.isResourceRequest = true;
        const std::string r = kv["res"];
        const std::size_t slash = r.find('/');
        a.apiGroup = r.substr(0, slash);
        const std::string rest = r.substr(slash + 1);
        const std::size_t sub = rest.find('/');
        a.resource = rest.substr(0, sub);
        if (sub != std::string::npos)
            a.subresource = rest.substr(sub + 1);
    }
    a.namespaceName = kv["ns"];
    a.name = kv["name"];
    a.path = kv["path"];
    return a;
}

} // namespace

class TestPolicyEvaluator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstMatchingRule_data();
    void firstMatchingRule();
    void effectiveSettings();
    void stagesEmitted_data();
    void stagesEmitted();
    void parsesRequestUri_data();
    void parsesRequestUri();
    void replaysCorpusLog_data();
    void replaysCorpusLog();
    void storeEvaluationUsesUrlForCreate();
    void attributeIndexAgreesWithEachEvent();
};

void TestPolicyEvaluator::firstMatchingRule_data()
{
    QTest::addColumn<QString>("rules"); // YAML rule list (after "rules:\n")
    QTest::addColumn<QString>("request"); // attrs() spec
    QTest::addColumn<int>("rule");
    auto row = [](const char* name, const char* rules, const char* request, int rule) {
        QTest::newRow(name) << QString::fromLatin1(rules) << QString::fromLatin1(request) << rule;
    };
    // resources (§4.1, §13.1, §13.2)
    const char* pods = "- level: Metadata\n  resources: [{group: \"\", resources: [pods]}]\n";
    row("pods matches pods", pods, "user=a;verb=get;res=/pods;ns=d;name=p", 0);
    row("pods not pods/log", pods, "user=a;verb=get;res=/pods/log;ns=d;name=p", -1);
    row("pods not apps group", pods, "user=a;verb=get;res=apps/pods", -1);
    row("pods not non-resource", pods, "user=a;verb=get;path=/pods", -1);
    const char* podsLog = "- level: Metadata\n  resources: [{resources: [pods/log]}]\n";
    row("pods/log exact", podsLog, "verb=get;res=/pods/log", 0);
    row("pods/log not pods", podsLog, "verb=get;res=/pods", -1);
    const char* podsStar = "- level: Metadata\n  resources: [{resources: [\"pods/*\"]}]\n";
    row("pods/* matches subresource", podsStar, "verb=get;res=/pods/exec", 0);
    row("pods/* matches plain pods", podsStar, "verb=get;res=/pods", 0);
    row("pods/* not services", podsStar, "verb=get;res=/services", -1);
    const char* starStatus =
        "- level: Metadata\n  resources: [{group: \"*\", resources: [\"*/status\"]}]\n";
    row("*/status any resource", starStatus, "verb=update;res=apps/deployments/status", 0);
    row("*/status needs subresource", starStatus, "verb=update;res=apps/deployments", -1);
    const char* starStar =
        "- level: Metadata\n  resources: [{group: \"*\", resources: [\"*/*\"]}]\n";
    row("*/* matches nothing real", starStar, "verb=get;res=/pods/log", -1);
    row("*/* plain", starStar, "verb=get;res=/pods", -1);
    const char* star = "- level: Metadata\n  resources: [{resources: [\"*\"]}]\n";
    row("* matches subresources", star, "verb=get;res=/pods/log", 0);
    row("* core only", star, "verb=get;res=apps/deployments", -1);
    const char* emptyEntry = "- level: Metadata\n  resources: [{}]\n";
    row("{} core resource", emptyEntry, "verb=get;res=/secrets", 0);
    row("{} core subresource", emptyEntry, "verb=get;res=/pods/exec", 0);
    row("{} not apps", emptyEntry, "verb=get;res=apps/deployments", -1);
    const char* anyGroup = "- level: Metadata\n  resources: [{group: \"*\"}]\n";
    row("group * any", anyGroup, "verb=get;res=apps/deployments/scale", 0);
    const char* falco =
        "- level: Metadata\n  resources: [{group: \"\", resources: [deployments]}]\n";
    row("deployments under core never matches apps", falco, "verb=get;res=apps/deployments", -1);
    const char* names =
        "- level: None\n  resources: [{resources: [configmaps], resourceNames: [leader]}]\n";
    row("resourceNames match", names, "verb=get;res=/configmaps;ns=k;name=leader", 0);
    row("resourceNames other name", names, "verb=get;res=/configmaps;ns=k;name=x", -1);
    row("resourceNames list has name \"\"", names, "verb=list;res=/configmaps;ns=k", -1);
    const char* namesEmpty =
        "- level: None\n  resources: [{resources: [configmaps], resourceNames: [\"\"]}]\n";
    row("resourceNames [\"\"] matches list", namesEmpty, "verb=list;res=/configmaps", 0);
    const char* namesNoRes = "- level: None\n  resources: [{group: \"\", resourceNames: [x]}]\n";
    row("resourceNames ignored without resources", namesNoRes, "verb=get;res=/pods;name=y", 0);
    const char* multi = "- level: None\n  resources: [{group: apps, resources: [x]}, {group: \"\", "
                        "resources: [pods]}]\n";
    row("entries ORed", multi, "verb=get;res=/pods", 0);
    // namespaces (§13.3)
    const char* clusterScoped = "- level: None\n  namespaces: [\"\"]\n";
    row("ns \"\" cluster-scoped", clusterScoped, "verb=get;res=/nodes;name=n1", 0);
    row("ns \"\" all-namespaces list", clusterScoped, "verb=list;res=/pods", 0);
    row("ns \"\" not namespaced", clusterScoped, "verb=get;res=/pods;ns=d;name=p", -1);
    row("ns \"\" not non-resource", clusterScoped, "verb=get;path=/healthz", -1);
    const char* nsFoo = "- level: None\n  namespaces: [foo]\n";
    row("namespace object is its own ns", nsFoo, "verb=get;res=/namespaces;ns=foo;name=foo", 0);
    row("namespaces not wildcard", "- level: None\n  namespaces: [\"*\"]\n",
        "verb=get;res=/pods;ns=d", -1);
    row("empty namespaces list = absent", "- level: None\n  namespaces: []\n", "verb=get;path=/x",
        0);
    // nonResourceURLs (§13.5)
    const char* healthz = "- level: None\n  nonResourceURLs: [\"/healthz*\"]\n";
    row("/healthz* matches /healthz", healthz, "verb=get;path=/healthz", 0);
    row("/healthz* matches /healthzfoo", healthz, "verb=get;path=/healthzfoo", 0);
    row("/healthz* matches /healthz/etcd", healthz, "verb=get;path=/healthz/etcd", 0);
    row("nonResourceURLs not resource", healthz, "verb=get;res=/healthz", -1);
    const char* healthzSlash = "- level: None\n  nonResourceURLs: [\"/healthz/*\"]\n";
    row("/healthz/* not /healthz", healthzSlash, "verb=get;path=/healthz", -1);
    const char* api = "- level: None\n  nonResourceURLs: [\"/api*\"]\n";
    row("/api* matches /apis", api, "verb=get;path=/apis/apps/v1", 0);
    const char* exact = "- level: None\n  nonResourceURLs: [\"/version\"]\n";
    row("exact", exact, "verb=get;path=/version", 0);
    row("trailing slash significant", exact, "verb=get;path=/version/", -1);
    row("* any path", "- level: None\n  nonResourceURLs: [\"*\"]\n", "verb=get;path=/metrics", 0);
    // users, groups, verbs (§13.6, §13.7)
    const char* alice = "- level: None\n  users: [alice]\n";
    row("user match", alice, "user=alice;verb=get;path=/x", 0);
    row("user case-sensitive", alice, "user=Alice;verb=get;path=/x", -1);
    row("no user never matches users", "- level: None\n  users: [\"\"]\n", "verb=get;path=/x", -1);
    row("users * literal", "- level: None\n  users: [\"*\"]\n", "user=bob;verb=get;path=/x", -1);
    const char* group = "- level: None\n  userGroups: [system:authenticated]\n";
    row("group any of", group, "user=a;groups=x,system:authenticated;verb=get;path=/x", 0);
    row("group none", group, "user=a;groups=x;verb=get;path=/x", -1);
    row("no user never matches groups", group, "verb=get;path=/x", -1);
    const char* and_ = "- level: None\n  users: [a]\n  userGroups: [g]\n";
    row("users AND groups", and_, "user=a;groups=h;verb=get;path=/x", -1);
    row("users AND groups both", and_, "user=a;groups=g;verb=get;path=/x", 0);
    const char* verbs = "- level: None\n  verbs: [get]\n";
    row("verb match", verbs, "verb=get;res=/pods", 0);
    row("verb no list", verbs, "verb=list;res=/pods", -1);
    row("verbs * literal", "- level: None\n  verbs: [\"*\"]\n", "verb=get;res=/pods", -1);
    // catch-all and ordering (§13.4, §13.8)
    row("catch-all resource", "- level: Metadata\n", "verb=get;res=/pods", 0);
    row("catch-all non-resource", "- level: Metadata\n", "verb=get;path=/x", 0);
    row("catch-all no user", "- level: Metadata\n", "verb=get;path=/x", 0);
    row("first match wins even None", "- level: None\n- level: Metadata\n", "verb=get;path=/x", 0);
    row("later rule", "- level: None\n  verbs: [list]\n- level: Metadata\n", "verb=get;path=/x", 1);
    row("no match", "- level: None\n  verbs: [list]\n", "verb=get;path=/x", -1);
}

void TestPolicyEvaluator::firstMatchingRule()
{
    QFETCH(QString, rules);
    QFETCH(QString, request);
    QFETCH(int, rule);
    // Decode only: evaluation does not depend on validation (one row is deliberately invalid).
    const PolicyReadResult read = readPolicy(Head + "rules:\n" + rules.toStdString());
    QVERIFY(read.decoded);
    const PolicyEvaluator evaluator(read.policy);
    QCOMPARE(evaluator.evaluate(attrs(request.toStdString())).ruleIndex, rule);
}

void TestPolicyEvaluator::effectiveSettings()
{
    const PolicyLoadResult loaded = loadPolicy(Head
        + "omitStages: [RequestReceived]\nomitManagedFields: true\nrules:\n"
          "- level: Request\n  verbs: [get]\n  omitStages: [ResponseStarted, RequestReceived]\n"
          "- level: RequestResponse\n  verbs: [list]\n  omitManagedFields: false\n"
          "- level: None\n  verbs: [watch]\n  omitStages: [Panic]\n");
    QVERIFY(loaded.loadable);
    const PolicyEvaluator evaluator(loaded.policy);
    const PolicyDecision get = evaluator.evaluate(attrs("verb=get;res=/pods"));
    QCOMPARE(get.level, Level::Request);
    QCOMPARE(
        get.omitStageList(), (std::vector<Stage>{Stage::RequestReceived, Stage::ResponseStarted}));
    QVERIFY(get.omitManagedFields);
    const PolicyDecision list = evaluator.evaluate(attrs("verb=list;res=/pods"));
    QCOMPARE(list.omitStageList(), std::vector<Stage>{Stage::RequestReceived});
    QVERIFY(!list.omitManagedFields);
    const PolicyDecision watch = evaluator.evaluate(attrs("verb=watch;res=/pods"));
    QCOMPARE(watch.level, Level::None);
    QCOMPARE(watch.omitStageList(), (std::vector<Stage>{Stage::RequestReceived, Stage::Panic}));
    const PolicyDecision none = evaluator.evaluate(attrs("verb=delete;res=/pods"));
    QCOMPARE(none.ruleIndex, -1);
    QCOMPARE(none.level, Level::None);
    QCOMPARE(none.omitStageList(), std::vector<Stage>{Stage::RequestReceived});
    QVERIFY(none.omitManagedFields);
}

void TestPolicyEvaluator::stagesEmitted_data()
{
    QTest::addColumn<QString>("omitStages");
    QTest::addColumn<QString>("level");
    QTest::addColumn<QString>("emitted"); // RR,RS,RC,Panic as 0/1
    QTest::newRow("nothing omitted")
        << QString() << QStringLiteral("Metadata") << QStringLiteral("1111");
    QTest::newRow("RequestReceived") << QStringLiteral("RequestReceived")
                                     << QStringLiteral("Metadata") << QStringLiteral("0111");
    QTest::newRow("Panic only") << QStringLiteral(
        "RequestReceived, ResponseStarted, ResponseComplete")
                                << QStringLiteral("Request") << QStringLiteral("0001");
    QTest::newRow("failed authn dropped without ResponseStarted") << QStringLiteral(
        "ResponseStarted") << QStringLiteral("Metadata") << QStringLiteral("1011");
    QTest::newRow("None emits nothing")
        << QString() << QStringLiteral("None") << QStringLiteral("0000");
}

void TestPolicyEvaluator::stagesEmitted()
{
    QFETCH(QString, omitStages);
    QFETCH(QString, level);
    QFETCH(QString, emitted);
    const PolicyLoadResult loaded = loadPolicy(Head + "omitStages: [" + omitStages.toStdString()
        + "]\nrules:\n- level: " + level.toStdString() + "\n");
    QVERIFY(loaded.loadable);
    const PolicyDecision d = PolicyEvaluator(loaded.policy).evaluate(attrs("verb=get;path=/x"));
    const Stage stages[] = {
        Stage::RequestReceived, Stage::ResponseStarted, Stage::ResponseComplete, Stage::Panic};
    QString actual;
    for (const Stage s : stages)
        actual += d.emitted(s) ? QLatin1Char('1') : QLatin1Char('0');
    QCOMPARE(actual, emitted);
}

void TestPolicyEvaluator::parsesRequestUri_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<bool>("resource");
    QTest::addColumn<QString>("expected"); // group|resource|subresource|namespace|name|path
    auto row = [](const char* uri, bool resource, const char* expected) {
        QTest::newRow(uri) << QString::fromLatin1(uri) << resource << QString::fromLatin1(expected);
    };
    row("/api/v1/namespaces/d/pods", true, "|pods||d||/api/v1/namespaces/d/pods");
    row("/api/v1/namespaces/d/pods/p1/log?follow=true", true,
        "|pods|log|d|p1|/api/v1/namespaces/d/pods/p1/log");
    row("/apis/apps/v1/namespaces/d/deployments/x/scale", true,
        "apps|deployments|scale|d|x|/apis/apps/v1/namespaces/d/deployments/x/scale");
    row("/api/v1/namespaces", true, "|namespaces||||/api/v1/namespaces");
    row("/api/v1/namespaces/foo", true, "|namespaces||foo|foo|/api/v1/namespaces/foo");
    row("/api/v1/namespaces/foo/finalize", true,
        "|namespaces|finalize|foo|foo|/api/v1/namespaces/foo/finalize");
    row("/api/v1/nodes/n1", true, "|nodes|||n1|/api/v1/nodes/n1");
    row("/api/v1/watch/namespaces/d/pods", true, "|pods||d||/api/v1/watch/namespaces/d/pods");
    row("/api/v1", false, "|||||/api/v1");
    row("/apis/apps/v1", false, "|||||/apis/apps/v1");
    row("/healthz?verbose", false, "|||||/healthz");
    row("/logs/a%20b", false, "|||||/logs/a b");
    row("/openapi/v2", false, "|||||/openapi/v2");
}

void TestPolicyEvaluator::parsesRequestUri()
{
    QFETCH(QString, uri);
    QFETCH(bool, resource);
    QFETCH(QString, expected);
    const ParsedRequestUri p = parseRequestUri(uri.toStdString());
    QCOMPARE(p.isResourceRequest, resource);
    const std::string actual = p.apiGroup + "|" + p.resource + "|" + p.subresource + "|"
        + p.namespaceName + "|" + p.name + "|" + p.path;
    QCOMPARE(QString::fromStdString(actual), expected);
}

void TestPolicyEvaluator::replaysCorpusLog_data()
{
    // Lines of codenotary-immudb-log-audit/k8s.log, judged by hand against
    // kubernetes-website-audit-policy.yaml (rules 0..8; policy omitStages [RequestReceived]).
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("rule");
    QTest::addColumn<QString>("level");
    QTest::addColumn<bool>("emitted");
    // GET /api by admin (system:authenticated): rule 4, /api* None.
    QTest::newRow("GET /api") << 1 << 4 << QStringLiteral("None") << false;
    // GET /healthz: no /healthz in rule 4, so the catch-all; RequestReceived omitted.
    QTest::newRow("GET /healthz RequestReceived") << 3 << 8 << QStringLiteral("Metadata") << false;
    // list pods across namespaces: rule 0.
    QTest::newRow("list pods") << 28 << 0 << QStringLiteral("RequestResponse") << false;
    // update pods/status: rule 1.
    QTest::newRow("update pods/status") << 1070 << 1 << QStringLiteral("Metadata") << false;
    // watch services by system:kube-proxy: rule 3.
    QTest::newRow("kube-proxy watch services") << 147 << 3 << QStringLiteral("None") << false;
    // list configmaps in kube-system: rule 5.
    QTest::newRow("list configmaps kube-system") << 42 << 5 << QStringLiteral("Request") << false;
    // list secrets: rule 6.
    QTest::newRow("list secrets") << 17 << 6 << QStringLiteral("Metadata") << false;
    // list services (core): rule 7.
    QTest::newRow("list services") << 11 << 7 << QStringLiteral("Request") << false;
    // create events.k8s.io events, ResponseComplete: catch-all, emitted.
    QTest::newRow("create events ResponseComplete")
        << 146 << 8 << QStringLiteral("Metadata") << true;
}

void TestPolicyEvaluator::replaysCorpusLog()
{
    QFETCH(int, line);
    QFETCH(int, rule);
    QFETCH(QString, level);
    QFETCH(bool, emitted);
    const std::string log = AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz";
    const PolicyLoadResult policy =
        loadPolicyFile(AUDITSCOPE_TEST_DATA_DIR "/policies/kubernetes-website-audit-policy.yaml");
    QVERIFY(policy.loadable);
    static LoadResult loaded; // load the log once for all rows
    if (!loaded.store)
        loaded = loadAuditLogs({log});
    if (loaded.store->size() == 0)
        QSKIP("corpus log not available");
    const auto index = PolicyAttributeIndex::build(loaded.store);
    QVERIFY(index->tupleCount() < loaded.store->size());
    const PolicyStoreResult result = evaluateStore(PolicyEvaluator(policy.policy), *index);
    const EventStore& store = *loaded.store;
    bool found = false;
    for (std::uint32_t row = 0; row < store.size(); ++row) {
        if (store.line[row] != static_cast<std::uint32_t>(line))
            continue;
        found = true;
        QCOMPARE(result.events[row].rule(), rule);
        QCOMPARE(QString::fromLatin1(levelName(result.events[row].level()).data()), level);
        QCOMPARE(result.events[row].emitted(), emitted);
        // The per-tuple path agrees with evaluating the reconstructed attributes directly.
        RawFieldReader reader;
        const RequestAttributes a = attributesOf(store, EventId{row}, reader);
        QCOMPARE(PolicyEvaluator(policy.policy).evaluate(a).ruleIndex, rule);
    }
    QVERIFY(found);
}

void TestPolicyEvaluator::storeEvaluationUsesUrlForCreate()
{
    // ResponseComplete of a create shows objectRef.name filled from the body; the policy saw "".
    // Failed authentication (user {}) never matches a userGroups rule.
    auto line = [](const char* id, const char* stage, const char* verb, const char* uri,
                    const char* user, const char* objectRef) {
        return std::string(
                   R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":")")
            + id + R"(","stage":")" + stage + R"(","requestURI":")" + uri + R"(","verb":")" + verb
            + R"(","user":)" + user + objectRef
            + R"(,"requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z","stageTimestamp":"2024-01-01T00:00:01.000000Z"})"
            + "\n";
    };
    const std::string text =
        line("a", "ResponseComplete", "create", "/api/v1/namespaces/kube-system/configmaps",
            R"({"username":"u","groups":["g"]})",
            R"(,"objectRef":{"resource":"configmaps","namespace":"kube-system","name":"leader","apiVersion":"v1"})")
        + line("b", "ResponseComplete", "update",
            "/api/v1/namespaces/kube-system/configmaps/leader",
            R"({"username":"u","groups":["g"]})",
            R"(,"objectRef":{"resource":"configmaps","namespace":"kube-system","name":"leader","apiVersion":"v1"})")
        + line("c", "ResponseStarted", "get", "/api/v1/pods", "{}",
            R"(,"objectRef":{"resource":"pods","apiVersion":"v1"})")
        + line("d", "ResponseComplete", "get", "/logs/a%20b?x=1",
            R"({"username":"u","groups":["g"]})", "");
    const LoadResult loaded = loadAuditBuffers({{"mem.log", text}});
    QCOMPARE(loaded.store->size(), std::size_t(4));
    const PolicyLoadResult policy = loadPolicy(Head
        + "rules:\n- level: None\n  resources: [{resources: [configmaps], resourceNames: "
          "[leader]}]\n"
          "- level: Request\n  userGroups: [g]\n  resources: [{}]\n"
          "- level: RequestResponse\n  nonResourceURLs: [\"/logs/a b\"]\n"
          "- level: Metadata\n");
    QVERIFY(policy.loadable);
    const auto index = PolicyAttributeIndex::build(loaded.store);
    const PolicyStoreResult result = evaluateStore(PolicyEvaluator(policy.policy), *index);
    std::map<std::string, int> ruleOf;
    const EventStore& store = *loaded.store;
    for (std::uint32_t row = 0; row < store.size(); ++row)
        ruleOf[std::string(store.pools.auditIds.text(store.auditId[row].value))] =
            result.events[row].rule();
    QCOMPARE(ruleOf["a"], 1); // create: name "" from the URL, resourceNames does not match
    QCOMPARE(ruleOf["b"], 0); // update: name from the URL
    QCOMPARE(ruleOf["c"], 3); // no user: the userGroups rule does not match
    QCOMPARE(ruleOf["d"], 2); // decoded path without query
    QCOMPARE(result.eventsPerRule, (std::vector<std::uint64_t>{0, 1, 1, 1, 1}));
}

void TestPolicyEvaluator::attributeIndexAgreesWithEachEvent()
{
    // The index reads requestURI with a byte scan, keeps only its path, parses each distinct
    // one once and splits the events over threads: every event's tuple must still give the
    // attributes read from the event itself, and the tuple ids must not depend on the threads.
    // Extra lines: a requestURI with escapes in the path (the parser's way) and in the query
    // only (\u0026, as Go writes '&'), and one after a body that holds the key too.
    const std::string extra =
        std::string(
            R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"e1","stage":"ResponseComplete",)")
        + R"("requestURI":"/api/v1/namespaces/a\u002db/configmaps?x=1\u0026y=2","verb":"create",)"
        + R"("user":{"username":"u"},"objectRef":{"resource":"configmaps","namespace":"x",)"
        + R"("apiVersion":"v1"},"requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z",)"
        + R"("stageTimestamp":"2024-01-01T00:00:01.000000Z"})" + "\n"
        + R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"e2","stage":"ResponseComplete",)"
        + R"("requestURI":"/api/v1/namespaces/q/pods?w=1\u0026v=2","verb":"update",)"
        + R"("user":{"username":"u"},"objectRef":{"resource":"pods","namespace":"x","name":"n",)"
        + R"("apiVersion":"v1"},"requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z",)"
        + R"("stageTimestamp":"2024-01-01T00:00:01.000000Z"})" + "\n"
        + R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"e3","stage":"ResponseComplete",)"
        + R"("requestObject":{"requestURI":"/wrong","a":["}",{"b":"\"{"}]},)"
        + R"("requestURI":"/healthz?verbose=1","verb":"get","user":{"username":"u"},)"
        + R"("requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z",)"
        + R"("stageTimestamp":"2024-01-01T00:00:01.000000Z"})" + "\n";
    const LoadResult corpus =
        loadAuditLogs({AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz"});
    if (corpus.store->size() == 0)
        QSKIP("corpus log not available");
    const LoadResult extras = loadAuditBuffers({{"extra.log", extra}});
    QCOMPARE(extras.store->size(), std::size_t(3));
    for (const EventStorePtr& store : {corpus.store, extras.store}) {
        const auto one = PolicyAttributeIndex::build(store, 1);
        const auto two = PolicyAttributeIndex::build(store, 2);
        QCOMPARE(two->tupleCount(), one->tupleCount());
        QCOMPARE(two->slotOfEvent(), one->slotOfEvent());
        QCOMPARE(two->eventsPerTuple(), one->eventsPerTuple());
        RawFieldReader reader;
        for (std::uint32_t row = 0; row < store->size(); ++row) {
            const RequestAttributes direct = attributesOf(*store, EventId{row}, reader);
            const RequestAttributes indexed = two->attributes(two->tupleOf(EventId{row}));
            QCOMPARE(indexed.user.has_value(), direct.user.has_value());
            if (direct.user) {
                QCOMPARE(indexed.user->name, direct.user->name);
                QCOMPARE(indexed.user->groups, direct.user->groups);
            }
            QCOMPARE(indexed.verb, direct.verb);
            QCOMPARE(indexed.isResourceRequest, direct.isResourceRequest);
            QCOMPARE(indexed.apiGroup, direct.apiGroup);
            QCOMPARE(indexed.resource, direct.resource);
            QCOMPARE(indexed.subresource, direct.subresource);
            QCOMPARE(indexed.namespaceName, direct.namespaceName);
            QCOMPARE(indexed.name, direct.name);
            QCOMPARE(indexed.path, direct.path);
        }
    }
    // The escaped cases, spelled out.
    const auto index = PolicyAttributeIndex::build(extras.store, 2);
    std::map<std::string, RequestAttributes> byId;
    for (std::uint32_t row = 0; row < extras.store->size(); ++row)
        byId[std::string(extras.store->pools.auditIds.text(extras.store->auditId[row].value))] =
            index->attributes(index->tupleOf(EventId{row}));
    QCOMPARE(byId["e1"].namespaceName, std::string("a-b")); // \u002d unescaped
    QCOMPARE(byId["e2"].namespaceName, std::string("q")); // from the URL, not objectRef
    QCOMPARE(byId["e2"].name, std::string()); // the URL names no object: not objectRef's "n"
    QCOMPARE(byId["e3"].path, std::string("/healthz")); // the top-level one, without its query
}

QTEST_GUILESS_MAIN(TestPolicyEvaluator)
#include "tst_policyevaluator.moc"
