// SPDX-License-Identifier: Apache-2.0
// Lint (issue 3 §4): static checks with line:column and field path, and checks against a log.
#include "policy/policylint.h"
#include "policy/policyreader.h"
#include "policy/policystoreevaluation.h"
#include "testutil.h"

#include <QTest>

#include <fstream>
#include <sstream>
#include <string>

using namespace auditscope;

namespace {

const std::string Head = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n";

/// "check path line:column" per finding, in order.
QStringList describe(const std::vector<PolicyLintFinding>& findings)
{
    QStringList out;
    for (const PolicyLintFinding& f : findings) {
        const bool warning = f.diagnostic.severity == PolicyDiagnostic::Severity::Warning;
        out << QString::fromStdString(std::string(warning ? "" : "NOT A WARNING ")
            + std::string(lintCheckName(f.check)) + " " + f.diagnostic.fieldPath + " "
            + std::to_string(f.diagnostic.line) + ":" + std::to_string(f.diagnostic.column));
    }
    return out;
}

QStringList strings(std::initializer_list<const char*> items)
{
    QStringList out;
    for (const char* item : items)
        out << QString::fromLatin1(item);
    return out;
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

class TestPolicyLint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void staticFindings_data();
    void staticFindings();
    void ruleCovers_data();
    void ruleCovers();
    void corpusPolicies_data();
    void corpusPolicies();
    void againstLog();
};

void TestPolicyLint::staticFindings_data()
{
    QTest::addColumn<QString>("rules"); // YAML after "rules:\n" (rules start on line 4)
    QTest::addColumn<QStringList>("expected");
    auto row = [](const char* name, const char* rules,
                   std::initializer_list<const char*> expected) {
        QTest::newRow(name) << QString::fromLatin1(rules) << strings(expected);
    };
    row("rule after catch-all is shadowed", "- level: Metadata\n- level: None\n  users: [a]\n",
        {"shadowed-rule rules[1] 5:3"});
    row("verb superset shadows",
        "- level: None\n  verbs: [get, list]\n  resources: [{group: apps}]\n"
        "- level: Metadata\n  verbs: [get]\n  namespaces: [kube-system]\n"
        "  resources: [{group: apps, resources: [deployments]}]\n",
        {"shadowed-rule rules[1] 7:3"});
    row("narrower earlier rule does not shadow", "- level: None\n  users: [a]\n- level: Metadata\n",
        {});
    row("pods/* shadows pods/exec",
        "- level: None\n  resources: [{resources: [\"pods/*\"]}]\n"
        "- level: Metadata\n  resources: [{resources: [pods/exec, pods]}]\n",
        {"shadowed-rule rules[1] 6:3"});
    row("*/* shadows nothing",
        "- level: None\n  resources: [{group: \"*\", resources: [\"*/*\"]}]\n"
        "- level: Metadata\n  resources: [{resources: [pods/log]}]\n",
        {});
    row("non-resource prefix shadows",
        "- level: None\n  nonResourceURLs: [\"/healthz*\"]\n"
        "- level: Metadata\n  nonResourceURLs: [/healthz/etcd, \"/healthz*\"]\n",
        {"shadowed-rule rules[1] 6:3"});
    row("resource rule does not shadow a catch-all",
        "- level: None\n  resources: [{group: \"*\"}]\n- level: Metadata\n", {});
    row("group rule shadows resource-only rule",
        "- level: None\n  userGroups: [system:nodes]\n"
        "- level: Metadata\n  userGroups: [system:nodes]\n  namespaces: [\"\"]\n",
        {"shadowed-rule rules[1] 6:3"});
    row("secrets at RequestResponse",
        "- level: RequestResponse\n  resources:\n  - group: \"\"\n    resources: [pods, secrets]\n",
        {"pods-without-subresources rules[0].resources[0].resources[0] 7:17",
            "sensitive-bodies rules[0].resources[0].resources[1] 7:23"});
    row("tokenreviews at Request",
        "- level: Request\n  resources:\n  - group: authentication.k8s.io\n"
        "    resources: [tokenreviews]\n",
        {"sensitive-bodies rules[0].resources[0].resources[0] 7:17"});
    row("catch-all Request after Metadata for secrets and configmaps",
        "- level: Metadata\n  resources: [{group: \"\", resources: [secrets, configmaps]}]\n"
        "- level: Request\n",
        {"sensitive-bodies rules[1].level 6:10"});
    row("catch-all after all three at Metadata",
        "- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [secrets, configmaps]\n"
        "  - group: authentication.k8s.io\n    resources: [tokenreviews]\n"
        "- level: RequestResponse\n",
        {});
    row("secrets at Request for deletecollection only: no body with secret data",
        "- level: Request\n  verbs: [deletecollection]\n"
        "  resources: [{group: \"\", resources: [secrets]}]\n",
        {});
    row("secrets at RequestResponse for get: the response holds the data",
        "- level: RequestResponse\n  verbs: [get]\n"
        "  resources: [{group: \"\", resources: [secrets]}]\n",
        {"sensitive-bodies rules[0].resources[0].resources[0] 6:39"});
    row("tokenreviews in an extension group are not flagged",
        "- level: Metadata\n  resources: [{group: oauth.openshift.io, resources: "
        "[tokenreviews]}]\n",
        {});
    row("pods without exec or attach",
        "- level: RequestResponse\n  verbs: [create]\n  resources: [{group: \"\", resources: "
        "[pods]}]\n",
        {"pods-without-subresources rules[0].resources[0].resources[0] 6:39"});
    row("pods with pods/exec named elsewhere",
        "- level: Metadata\n  resources: [{resources: [pods/exec]}]\n"
        "- level: Request\n  resources: [{resources: [pods]}]\n",
        {});
    row("deployments in core group",
        "- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [deployments]\n",
        {"wrong-group rules[0].resources[0].resources[0] 7:17"});
    row("deployments/scale in batch",
        "- level: Metadata\n  resources: [{group: batch, resources: [deployments/scale, jobs]}]\n",
        {"wrong-group rules[0].resources[0].resources[0] 5:42"});
    row("events in events.k8s.io is fine",
        "- level: Metadata\n  resources: [{group: events.k8s.io, resources: [events]}]\n", {});
    row("group with version",
        "- level: Metadata\n  resources:\n  - group: apps/v1\n    resources: [deployments]\n",
        {"group-looks-like-version rules[0].resources[0].group 6:12"});
    row("group v1", "- level: Metadata\n  resources: [{group: v1, resources: [configmaps]}]\n",
        {"group-looks-like-version rules[0].resources[0].group 5:23"});
}

void TestPolicyLint::staticFindings()
{
    QFETCH(QString, rules);
    QFETCH(QStringList, expected);
    const PolicyReadResult read = readPolicy(Head + rules.toStdString());
    QVERIFY(!read.policy.rules.empty());
    QCOMPARE(describe(lintPolicy(read.policy)), expected);
}

void TestPolicyLint::ruleCovers_data()
{
    QTest::addColumn<QString>("earlier");
    QTest::addColumn<QString>("later");
    QTest::addColumn<bool>("covers");
    auto row = [](const char* name, const char* earlier, const char* later, bool covers) {
        QTest::newRow(name) << QString::fromLatin1(earlier) << QString::fromLatin1(later) << covers;
    };
    row("catch-all covers anything", "{level: None}", "{level: None, users: [a], verbs: [get]}",
        true);
    row("users subset", "{level: None, users: [a, b]}", "{level: None, users: [a]}", true);
    row("users not subset", "{level: None, users: [a]}", "{level: None, users: [a, b]}", false);
    row("unconstrained later", "{level: None, verbs: [get]}", "{level: None}", false);
    row("group * covers apps", "{level: None, resources: [{group: \"*\"}]}",
        "{level: None, resources: [{group: apps, resources: [deployments]}]}", true);
    row("core does not cover apps", "{level: None, resources: [{group: \"\"}]}",
        "{level: None, resources: [{group: apps}]}", false);
    row("resources [*] covers entry without resources",
        "{level: None, resources: [{resources: [\"*\"]}]}", "{level: None, resources: [{}]}", true);
    row("*/status covers deployments/status",
        "{level: None, resources: [{group: \"*\", resources: [\"*/status\"]}]}",
        "{level: None, resources: [{group: apps, resources: [deployments/status]}]}", true);
    row("*/status does not cover deployments",
        "{level: None, resources: [{group: \"*\", resources: [\"*/status\"]}]}",
        "{level: None, resources: [{group: apps, resources: [deployments]}]}", false);
    row("resourceNames subset",
        "{level: None, resources: [{resources: [configmaps], resourceNames: [a, b]}]}",
        "{level: None, resources: [{resources: [configmaps], resourceNames: [a]}]}", true);
    row("resourceNames do not cover all names",
        "{level: None, resources: [{resources: [configmaps], resourceNames: [a]}]}",
        "{level: None, resources: [{resources: [configmaps]}]}", false);
    row("namespaces subset", "{level: None, namespaces: [a, b]}",
        "{level: None, namespaces: [a], resources: [{resources: [pods]}]}", true);
    row("resource rule vs non-resource", "{level: None, resources: [{group: \"*\"}]}",
        "{level: None, nonResourceURLs: [/healthz]}", false);
    row("url * covers all", "{level: None, nonResourceURLs: [\"*\"]}",
        "{level: None, nonResourceURLs: [\"/api*\"]}", true);
    row("exact url does not cover prefix", "{level: None, nonResourceURLs: [/healthz]}",
        "{level: None, nonResourceURLs: [\"/healthz*\"]}", false);
    row("/api* covers /apis", "{level: None, nonResourceURLs: [\"/api*\"]}",
        "{level: None, nonResourceURLs: [/apis]}", true);
}

void TestPolicyLint::ruleCovers()
{
    QFETCH(QString, earlier);
    QFETCH(QString, later);
    QFETCH(bool, covers);
    const PolicyReadResult read =
        readPolicy(Head + "- " + earlier.toStdString() + "\n- " + later.toStdString() + "\n");
    QCOMPARE(read.policy.rules.size(), std::size_t{2});
    QCOMPARE(auditscope::ruleCovers(read.policy.rules[0], read.policy.rules[1]), covers);
}

void TestPolicyLint::corpusPolicies_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QStringList>("mustContain");
    QTest::newRow("falco plugins: deployments under core group")
        << QStringLiteral("falcosecurity-plugins-k8saudit-audit-policy.yaml")
        << strings({"wrong-group rules[0].resources[0].resources[1] 13:27",
               "pods-without-subresources rules[0].resources[0].resources[0] 13:19"});
    QTest::newRow("falco v1beta1 (decoded, not loadable): same finding")
        << QStringLiteral("falcosecurity-falco-k8s_audit_config-v1beta1.yaml")
        << strings({"wrong-group rules[0].resources[0].resources[1] 13:27"});
    QTest::newRow("kubernetes website example: clean of wrong groups")
        << QStringLiteral("kubernetes-website-audit-policy.yaml") << QStringList{};
}

void TestPolicyLint::corpusPolicies()
{
    QFETCH(QString, file);
    QFETCH(QStringList, mustContain);
    const std::string text =
        readFile(std::string(AUDITSCOPE_TEST_DATA_DIR) + "/policies/" + file.toStdString());
    QVERIFY(!text.empty());
    const PolicyReadResult read = readPolicy(text);
    QVERIFY(!read.policy.rules.empty());
    const QStringList found = describe(lintPolicy(read.policy));
    for (const QString& m : mustContain)
        QVERIFY2(found.contains(m), qPrintable(found.join(QLatin1String("\n"))));
    if (mustContain.isEmpty())
        for (const QString& f : found)
            QVERIFY2(!f.startsWith(QLatin1String("wrong-group"))
                    && !f.startsWith(QLatin1String("group-looks-like-version")),
                qPrintable(f));
}

void TestPolicyLint::againstLog()
{
    // Two requests recorded at Metadata: a get of pod p1 (RequestReceived + ResponseComplete)
    // and a list of pods; the policy logs pods at Request and has a rule for secrets.
    const std::string log = test::eventLine("a1", "RequestReceived", "2025-01-01T00:00:00.000000Z",
                                "2025-01-01T00:00:00.000000Z")
        + "\n"
        + test::eventLine(
            "a1", "ResponseComplete", "2025-01-01T00:00:00.000000Z", "2025-01-01T00:00:00.100000Z")
        + "\n"
        + test::eventLine("a2", "ResponseComplete", "2025-01-01T00:00:01.000000Z",
            "2025-01-01T00:00:01.100000Z", "list")
        + "\n";
    const LoadResult loaded = test::loadText(log);
    QCOMPARE(loaded.store->size(), std::size_t{3});
    const PolicyLoadResult policy = loadPolicy(Head
        + "- level: Metadata\n  resources: [{resources: [secrets]}]\n"
          "- level: Request\n  verbs: [get]\n  resources: [{resources: [pods]}]\n"
          "- level: Metadata\n");
    QVERIFY(policy.loadable);
    const auto index = PolicyAttributeIndex::build(loaded.store);
    const PolicyEvaluator evaluator(policy.policy);
    const PolicyStoreResult result = evaluateStore(evaluator, *index);
    const std::vector<PolicyLintFinding> findings =
        lintPolicyAgainstLog(policy.policy, *index, result);
    QCOMPARE(describe(findings),
        strings({"unmatched-rule rules[0] 4:3", "recorded-level-differs rules[1].level 6:10"}));
    QCOMPARE(findings[1].events, std::uint64_t{2});
    QCOMPARE(findings[1].rule, 1);
    QVERIFY(findings[1].diagnostic.message.find("recorded at Metadata but this rule gives Request")
        != std::string::npos);
    QVERIFY(findings[1].diagnostic.message.find("mem.log:1") != std::string::npos);
}

QTEST_GUILESS_MAIN(TestPolicyLint)
#include "tst_policylint.moc"
