// SPDX-License-Identifier: Apache-2.0
// Validation (spec §3): every row, every error reported, upstream field paths.
#include "policy/policyreader.h"
#include "policy/policyvalidation.h"

#include <QTest>

#include <string>

using namespace auditscope;

namespace {

const std::string Head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

QStringList errorPaths(const std::vector<PolicyDiagnostic>& diagnostics)
{
    QStringList paths;
    for (const PolicyDiagnostic& d : diagnostics)
        if (d.severity == PolicyDiagnostic::Severity::Error)
            paths << QString::fromStdString(d.fieldPath);
    return paths;
}

} // namespace

class TestPolicyValidation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reportsEveryError_data();
    void reportsEveryError();
    void dns1123_data();
    void dns1123();
};

void TestPolicyValidation::reportsEveryError_data()
{
    QTest::addColumn<QString>("body"); // after apiVersion/kind
    QTest::addColumn<QStringList>("errors");
    auto row = [](const char* name, const char* body, std::initializer_list<const char*> errors) {
        QStringList list;
        for (const char* e : errors)
            list << QString::fromLatin1(e);
        QTest::newRow(name) << QString::fromLatin1(body) << list;
    };
    row("valid", "rules:\n- level: Metadata\n", {});
    row("policy omitStages bad",
        "omitStages: [RequestReceived, requestreceived, Foo]\n"
        "rules:\n- level: None\n",
        {"omitStages[1]", "omitStages[2]"});
    row("level missing", "rules:\n- verbs: [get]\n", {"rules[0].level"});
    row("level empty string", "rules:\n- level: \"\"\n", {"rules[0].level"});
    row("level wrong case", "rules:\n- level: metadata\n", {"rules[0].level"});
    row("level unknown", "rules:\n- level: Everything\n", {"rules[0].level"});
    row("nonResourceURL without slash", "rules:\n- level: None\n  nonResourceURLs: [healthz]\n",
        {"rules[0].nonResourceURLs[0]"});
    row("nonResourceURL empty", "rules:\n- level: None\n  nonResourceURLs: [\"\"]\n",
        {"rules[0].nonResourceURLs[0]"});
    row("nonResourceURL star ok", "rules:\n- level: None\n  nonResourceURLs: [\"*\", \"/x*\"]\n",
        {});
    row("nonResourceURL inner wildcard",
        "rules:\n- level: None\n  nonResourceURLs: [\"/logs/*/*\", \"/logs/*.log\", \"/logs**\"]\n",
        {"rules[0].nonResourceURLs[0]", "rules[0].nonResourceURLs[1]",
            "rules[0].nonResourceURLs[2]"});
    row("nonResourceURL both errors", "rules:\n- level: None\n  nonResourceURLs: [\"a*b\"]\n",
        {"rules[0].nonResourceURLs[0]", "rules[0].nonResourceURLs[0]"});
    row("group upper case", "rules:\n- level: None\n  resources:\n  - group: Apps\n",
        {"rules[0].resources.group"});
    row("group with version",
        "rules:\n- level: None\n  resources:\n  - group: rbac.authorization.k8s.io/v1\n",
        {"rules[0].resources.group"});
    row("group star and core ok",
        "rules:\n- level: None\n  resources:\n  - group: \"*\"\n  - group: \"\"\n  - {}\n", {});
    row("resourceNames without resources",
        "rules:\n- level: None\n  resources:\n  - group: \"\"\n    resourceNames: [x]\n",
        {"rules[0].resources.resourceNames"});
    row("rule omitStages bad", "rules:\n- level: None\n  omitStages: [Panic, panic]\n",
        {"rules[0].omitStages[1]"});
    row("nonResourceURLs with resources",
        "rules:\n- level: None\n  nonResourceURLs: [/x]\n  resources: [{group: \"\"}]\n",
        {"rules[0].nonResourceURLs"});
    row("nonResourceURLs with namespaces",
        "rules:\n- level: None\n  nonResourceURLs: [/x]\n  namespaces: [a]\n",
        {"rules[0].nonResourceURLs"});
    row("not validated",
        "rules:\n- level: None\n  users: [\"\"]\n  verbs: [\"*\"]\n"
        "  namespaces: [\"NotDNS\"]\n  resources:\n"
        "  - resources: [Pods, \"*/*\", x/y/z]\n    resourceNames: [\"*\"]\n",
        {});
    row("all errors, in rule order",
        "omitStages: [X]\nrules:\n- level: \"\"\n  nonResourceURLs: [x]\n  namespaces: [a]\n"
        "  omitStages: [Z]\n- level: Bad\n  resources:\n  - group: A\n    resourceNames: [m]\n",
        {"omitStages[0]", "rules[0].level", "rules[0].nonResourceURLs[0]", "rules[0].omitStages[0]",
            "rules[0].nonResourceURLs", "rules[1].level", "rules[1].resources.group",
            "rules[1].resources.resourceNames"});
}

void TestPolicyValidation::reportsEveryError()
{
    QFETCH(QString, body);
    QFETCH(QStringList, errors);
    const PolicyLoadResult result = loadPolicy(Head + body.toStdString());
    QCOMPARE(errorPaths(result.diagnostics), errors);
    QCOMPARE(result.loadable, errors.isEmpty());
    for (const PolicyDiagnostic& d : result.diagnostics)
        QVERIFY2(d.line > 0 && d.column > 0, d.fieldPath.c_str());
}

void TestPolicyValidation::dns1123_data()
{
    QTest::addColumn<QString>("group");
    QTest::addColumn<bool>("valid");
    QTest::newRow("apps") << QStringLiteral("apps") << true;
    QTest::newRow("dotted") << QStringLiteral("rbac.authorization.k8s.io") << true;
    QTest::newRow("digits and dash") << QStringLiteral("a-1.b2") << true;
    QTest::newRow("upper") << QStringLiteral("Apps") << false;
    QTest::newRow("leading dash") << QStringLiteral("-a") << false;
    QTest::newRow("trailing dot") << QStringLiteral("a.") << false;
    QTest::newRow("double dot") << QStringLiteral("a..b") << false;
    QTest::newRow("slash") << QStringLiteral("apps/v1") << false;
    QTest::newRow("253") << QString(253, QLatin1Char('a')) << true;
    QTest::newRow("254") << QString(254, QLatin1Char('a')) << false;
}

void TestPolicyValidation::dns1123()
{
    QFETCH(QString, group);
    QFETCH(bool, valid);
    QCOMPARE(isDns1123Subdomain(group.toStdString()), valid);
}

QTEST_GUILESS_MAIN(TestPolicyValidation)
#include "tst_policyvalidation.moc"
