// SPDX-License-Identifier: Apache-2.0
// Policy templates (issue 8): every snippet inserted into a minimal policy, and every complete
// policy, loads in the engine with no error and the rule count the index declares.
#include "policy/policylint.h"
#include "policy/policyreader.h"
#include "policy/policytemplates.h"

#include <QFile>
#include <QSet>
#include <QTest>

using namespace auditscope;

namespace {

const QString Head = QStringLiteral("apiVersion: audit.k8s.io/v1\nkind: Policy\n");
const QString CatchAll = QStringLiteral("- level: Metadata\n");

QString errorsOf(const PolicyLoadResult& r)
{
    QString out;
    for (const PolicyDiagnostic& d : r.diagnostics)
        if (d.severity == PolicyDiagnostic::Severity::Error)
            out += QStringLiteral("%1:%2 %3\n")
                       .arg(d.line)
                       .arg(d.column)
                       .arg(QString::fromStdString(d.message));
    return out;
}

PolicyLoadResult load(const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    return loadPolicy(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
}

} // namespace

class TestPolicyTemplates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void indexListsSnippetsAndPolicies();
    void snippetsLoadInAMinimalPolicy_data();
    void snippetsLoadInAMinimalPolicy();
    void completePoliciesLoad_data();
    void completePoliciesLoad();
    void docsExampleIsTheUpstreamFile();
    void indentsSnippets();
};

void TestPolicyTemplates::indexListsSnippetsAndPolicies()
{
    const QList<PolicyTemplate> all = policyTemplates();
    QSet<QString> ids;
    int snippets = 0, policies = 0, topLevel = 0;
    for (const PolicyTemplate& t : all) {
        QVERIFY2(!ids.contains(t.id), qPrintable(t.id));
        ids.insert(t.id);
        QVERIFY(!t.title.isEmpty());
        QVERIFY(!t.description.isEmpty() && !t.description.contains(QLatin1Char('\n')));
        QVERIFY2(!t.text().isEmpty(), qPrintable(t.resourcePath));
        snippets += t.kind != PolicyTemplate::Kind::Policy;
        policies += t.kind == PolicyTemplate::Kind::Policy;
        topLevel += t.kind == PolicyTemplate::Kind::TopLevelSnippet;
    }
    QCOMPARE(snippets, 13);
    QCOMPARE(policies, 2);
    QCOMPARE(topLevel, 1);
    for (const char* id : {"silence-apiserver", "silence-controller-manager", "silence-scheduler",
             "silence-kubelets", "leases-none", "events-none", "health-endpoints-none",
             "sensitive-metadata", "rbac-requestresponse", "workloads-requestresponse",
             "admission-requestresponse", "system-masters-requestresponse", "omit-request-received",
             "kubernetes-docs-example", "gke-style"})
        QVERIFY2(ids.contains(QString::fromLatin1(id)), id);
}

void TestPolicyTemplates::snippetsLoadInAMinimalPolicy_data()
{
    QTest::addColumn<int>("index");
    const QList<PolicyTemplate> all = policyTemplates();
    for (int i = 0; i < all.size(); ++i)
        if (all[i].kind != PolicyTemplate::Kind::Policy)
            QTest::newRow(qPrintable(all[i].id)) << i;
}

void TestPolicyTemplates::snippetsLoadInAMinimalPolicy()
{
    QFETCH(int, index);
    const PolicyTemplate t = policyTemplates().at(index);
    // The minimal policy: one catch-all rule. Rule snippets go before it (indented as the
    // list is, here by 2), top-level snippets before `rules:`.
    QString text;
    if (t.kind == PolicyTemplate::Kind::TopLevelSnippet)
        text = Head + t.text() + QStringLiteral("rules:\n") + CatchAll;
    else
        text = Head + QStringLiteral("rules:\n") + indentedSnippet(t.text(), 2)
            + indentedSnippet(CatchAll, 2);
    const PolicyLoadResult r = load(text);
    QVERIFY2(r.loadable, qPrintable(errorsOf(r) + text));
    QCOMPARE(int(r.policy.rules.size()), t.ruleCount + 1);
    // No warning from decoding (unknown fields, duplicate keys) either.
    for (const PolicyDiagnostic& d : r.diagnostics)
        QVERIFY2(false, d.message.c_str());
    // A snippet never hides the catch-all or its own rules.
    for (const PolicyLintFinding& f : lintPolicy(r.policy))
        QVERIFY2(f.check != PolicyLintCheck::ShadowedRule, f.diagnostic.message.c_str());
    if (t.kind == PolicyTemplate::Kind::TopLevelSnippet)
        QCOMPARE(r.policy.omitStages.values, std::vector<std::string>{"RequestReceived"});
}

void TestPolicyTemplates::completePoliciesLoad_data()
{
    QTest::addColumn<int>("index");
    const QList<PolicyTemplate> all = policyTemplates();
    for (int i = 0; i < all.size(); ++i)
        if (all[i].kind == PolicyTemplate::Kind::Policy)
            QTest::newRow(qPrintable(all[i].id)) << i;
}

void TestPolicyTemplates::completePoliciesLoad()
{
    QFETCH(int, index);
    const PolicyTemplate t = policyTemplates().at(index);
    const PolicyLoadResult r = load(t.text());
    QVERIFY2(r.loadable, qPrintable(errorsOf(r)));
    QCOMPARE(int(r.policy.rules.size()), t.ruleCount);
    QCOMPARE(r.policy.omitStages.values, std::vector<std::string>{"RequestReceived"});
    for (const PolicyLintFinding& f : lintPolicy(r.policy))
        QVERIFY2(f.check != PolicyLintCheck::ShadowedRule, f.diagnostic.message.c_str());
}

void TestPolicyTemplates::docsExampleIsTheUpstreamFile()
{
    QFile bundled(QString::fromLatin1(PolicyTemplate::ResourcePrefix)
        + QStringLiteral("kubernetes-docs-example.yaml"));
    QFile corpus(
        QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/policies/kubernetes-website-audit-policy.yaml"));
    QVERIFY(bundled.open(QIODevice::ReadOnly) && corpus.open(QIODevice::ReadOnly));
    QCOMPARE(bundled.readAll(), corpus.readAll());
}

void TestPolicyTemplates::indentsSnippets()
{
    QCOMPARE(indentedSnippet(QStringLiteral("- level: None\n\n  verbs: [get]\n"), 4),
        QStringLiteral("    - level: None\n\n      verbs: [get]\n"));
    QCOMPARE(
        indentedSnippet(QStringLiteral("- level: None"), 0), QStringLiteral("- level: None\n"));
}

QTEST_GUILESS_MAIN(TestPolicyTemplates)
#include "tst_policytemplates.moc"
