// SPDX-License-Identifier: Apache-2.0
// `auditscope-cli detect` (issue 16, Scope 7) and --query with finding:/severity in the other
// commands: run the real binary and check exit codes, text, JSON, rules files and coverage.
#include "tst_clidetect.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QtTest>

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out, err;
};

// Runs the CLI with XDG_CONFIG_HOME at `configHome`, so that the user's own rules file is the
// test's (none unless the test writes one), never the real user's.
Run runCli(const QStringList& args, const QString& configHome)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), configHome);
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(AUDITSCOPE_CLI), args);
    process.waitForFinished(120000);
    return Run{process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

// One audit event on one line; `extra` goes before the closing brace (start it with a comma).
QByteArray event(const QByteArray& id, int second, const QByteArray& user, const QByteArray& verb,
    const QByteArray& resource, int code, const QByteArray& extra = {})
{
    const QByteArray t =
        "2025-03-14T09:00:" + QByteArray::number(second).rightJustified(2, '0') + ".000000Z";
    return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":")" + id
        + R"(","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/)" + resource
        + R"(","verb":")" + verb + R"(","user":{"username":")" + user
        + R"(","groups":["system:authenticated"]},"sourceIPs":["10.0.0.7"],"userAgent":"kubectl/v1.29",)"
        + R"("objectRef":{"resource":")" + resource
        + R"(","namespace":"default","name":"x","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":)"
        + QByteArray::number(code) + "}" + extra + R"(,"requestReceivedTimestamp":")" + t
        + R"(","stageTimestamp":")" + t + "\"}\n";
}

QByteArray quietLog()
{
    QByteArray out;
    for (int i = 0; i < 6; ++i)
        out += event("q" + QByteArray::number(i), i, "alice", "get", "configmaps", 200);
    return out;
}

// Line 4 is alice creating a privileged pod.
QByteArray incidentLog()
{
    QByteArray out;
    for (int i = 0; i < 3; ++i)
        out += event("q" + QByteArray::number(i), i, "alice", "get", "configmaps", 200);
    out += event("priv", 10, "alice", "create", "pods", 201,
        R"(,"requestObject":{"kind":"Pod","spec":{"containers":[{"name":"a"},{"name":"b","securityContext":{"privileged":true}}]}})");
    out += event("q9", 20, "alice", "get", "configmaps", 200);
    return out;
}

QJsonObject jsonOf(const Run& run)
{
    QJsonParseError error;
    const QJsonObject o = QJsonDocument::fromJson(run.out, &error).object();
    if (error.error != QJsonParseError::NoError)
        qWarning() << "not JSON:" << run.out.left(400);
    return o;
}

QStringList ruleIdsOf(const QJsonObject& o)
{
    QStringList ids;
    for (const QJsonValue& f : o.value(QStringLiteral("findings")).toArray())
        ids.push_back(f.toObject().value(QStringLiteral("rule")).toString());
    return ids;
}

const QString Detect = QStringLiteral("detect");
const QString Json = QStringLiteral("--json");

} // namespace

QString TestCliDetect::write(const QString& name, const QByteArray& text)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    file.write(text);
    return path;
}

void TestCliDetect::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("config")));
    m_incident = write(QStringLiteral("incident.log"), incidentLog());
    m_quiet = write(QStringLiteral("quiet.log"), quietLog());
    QVERIFY(!m_incident.isEmpty() && !m_quiet.isEmpty());
}

void TestCliDetect::exitsFourOnFindingsAndZeroOnQuietLogs()
{
    const QString config = m_dir.filePath(QStringLiteral("config"));
    const Run found = runCli({Detect, m_incident}, config);
    QCOMPARE(found.exitCode, 4);
    QVERIFY2(found.out.contains("privileged-container"), found.out.constData());
    const Run quiet = runCli({Detect, m_quiet}, config);
    QCOMPARE(quiet.exitCode, 0);
    QVERIFY2(quiet.out.startsWith("No findings at or above low"), quiet.out.constData());
    QVERIFY(quiet.err.isEmpty());
}

void TestCliDetect::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString log = QStringLiteral("@");
    QTest::newRow("no path") << QStringList{} << "no PATH given";
    QTest::newRow("bad severity") << QStringList{QStringLiteral("--min-severity"),
        QStringLiteral("urgent"), log}
                                  << "unknown severity 'urgent' for --min-severity";
    QTest::newRow("missing value")
        << QStringList{log, QStringLiteral("--rules")} << "--rules needs a value";
    QTest::newRow("unknown option")
        << QStringList{QStringLiteral("--fast"), log} << "unknown option '--fast'";
    QTest::newRow("unreadable rules file")
        << QStringList{QStringLiteral("--rules"), QStringLiteral("/nonexistent/rules.yaml"), log}
        << "cannot read rules file /nonexistent/rules.yaml: no such file";
    QTest::newRow("rules file is a folder") << QStringList{QStringLiteral("--rules"),
        QStringLiteral("/"), log} << "cannot read rules file /: a directory, not a file";
    QTest::newRow("unreadable policy")
        << QStringList{QStringLiteral("--policy"), QStringLiteral("/nonexistent/policy.yaml"), log}
        << "cannot read this audit policy";
}

void TestCliDetect::usageErrorsExitTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    // A log with findings first (the error must still win); "@" in `args` is where it goes.
    QStringList all{Detect};
    for (const QString& a : args)
        all.push_back(a == QStringLiteral("@") ? m_incident : a);
    const Run run = runCli(all, m_dir.filePath(QStringLiteral("config")));
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(message.toUtf8()), run.err.constData());
    QVERIFY(run.out.isEmpty());
}

void TestCliDetect::loadErrorsExitOneUnlessSomethingWasFound()
{
    const QString config = m_dir.filePath(QStringLiteral("config"));
    const QString quietBad =
        write(QStringLiteral("quiet-bad.log"), quietLog() + "{\"kind\":\"Event\",\n");
    Run run = runCli({Detect, quietBad}, config);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("quiet-bad.log:7"), run.err.constData());
    // Findings decide the exit code; the bad line is still reported.
    const QString incidentBad =
        write(QStringLiteral("incident-bad.log"), incidentLog() + "not json\n");
    run = runCli({Detect, incidentBad}, config);
    QCOMPARE(run.exitCode, 4);
    QVERIFY2(run.err.contains("incident-bad.log:6"), run.err.constData());
    // Nothing loadable, as in every other command.
    run = runCli({Detect, m_dir.filePath(QStringLiteral("missing.log"))}, config);
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains("no audit events could be loaded"));
}

void TestCliDetect::textGroupsFindingsByRuleWithPlaces()
{
    const Run run = runCli({Detect, m_incident}, m_dir.filePath(QStringLiteral("config")));
    QCOMPARE(run.exitCode, 4);
    const QList<QByteArray> lines = run.out.split('\n');
    const qsizetype header = lines.indexOf("HIGH  privileged-container: Privileged container in a "
                                           "pod or workload (1 finding)");
    QVERIFY2(header >= 0, run.out.constData());
    // The finding: its time (UTC), principal and the file:line of its event.
    const QByteArray finding = lines.value(header + 1);
    QVERIFY2(finding.startsWith("  2025-03-14T09:00:10.000000Z  alice  "), finding.constData());
    QVERIFY2(finding.endsWith(QByteArray(m_incident.toUtf8() + ":4")), finding.constData());
    QVERIFY2(run.out.contains("high) from "), run.out.constData());
    QVERIFY(!run.out.contains("Coverage by"));
}

void TestCliDetect::jsonListsFindingsEventsAndRules()
{
    const Run run = runCli({Detect, Json, m_incident}, m_dir.filePath(QStringLiteral("config")));
    QCOMPARE(run.exitCode, 4);
    const QJsonObject o = jsonOf(run);
    QVERIFY(!o.contains(QStringLiteral("coverage"))); // only with --policy
    const QJsonArray findings = o.value(QStringLiteral("findings")).toArray();
    QVERIFY(ruleIdsOf(o).contains(QStringLiteral("privileged-container")));
    QJsonObject privileged;
    for (const QJsonValue& f : findings)
        if (f.toObject().value(QStringLiteral("rule")).toString()
            == QStringLiteral("privileged-container"))
            privileged = f.toObject();
    QCOMPARE(privileged.value(QStringLiteral("title")).toString(),
        QStringLiteral("Privileged container in a pod or workload"));
    QCOMPARE(privileged.value(QStringLiteral("severity")).toString(), QStringLiteral("high"));
    QCOMPARE(
        privileged.value(QStringLiteral("auditIDs")).toArray(), QJsonArray{QStringLiteral("priv")});
    const QJsonArray events = privileged.value(QStringLiteral("events")).toArray();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].toObject().value(QStringLiteral("file")).toString(), m_incident);
    QCOMPARE(events[0].toObject().value(QStringLiteral("line")).toInt(), 4);
    QCOMPARE(privileged.value(QStringLiteral("principal")).toString(), QStringLiteral("alice"));
    QCOMPARE(privileged.value(QStringLiteral("first")).toString(),
        QStringLiteral("2025-03-14T09:00:10.000000Z"));
    QCOMPARE(privileged.value(QStringLiteral("last")).toString(),
        QStringLiteral("2025-03-14T09:00:10.000000Z"));
    QVERIFY(privileged.value(QStringLiteral("why")).toString().size() > 40);
    // Every rule, with where it came from.
    const QJsonArray rules = o.value(QStringLiteral("rules")).toArray();
    QVERIFY(rules.size() >= 30);
    for (const QJsonValue& r : rules) {
        QCOMPARE(
            r.toObject().value(QStringLiteral("source")).toString(), QStringLiteral("built-in"));
        QVERIFY(!r.toObject().value(QStringLiteral("id")).toString().isEmpty());
        QVERIFY(!r.toObject().value(QStringLiteral("title")).toString().isEmpty());
        QVERIFY(!r.toObject().value(QStringLiteral("severity")).toString().isEmpty());
    }
}

void TestCliDetect::minSeverityFiltersWhatCounts()
{
    const QString config = m_dir.filePath(QStringLiteral("config"));
    // privileged-container is high: at or above high it counts, above it (critical) not.
    Run run =
        runCli({Detect, Json, QStringLiteral("--min-severity"), QStringLiteral("HIGH"), m_incident},
            config);
    QCOMPARE(run.exitCode, 4);
    QVERIFY(ruleIdsOf(jsonOf(run)).contains(QStringLiteral("privileged-container")));
    run = runCli(
        {Detect, Json, QStringLiteral("--min-severity"), QStringLiteral("critical"), m_incident},
        config);
    QCOMPARE(run.exitCode, 0);
    QVERIFY(!ruleIdsOf(jsonOf(run)).contains(QStringLiteral("privileged-container")));
    run = runCli(
        {Detect, QStringLiteral("--min-severity"), QStringLiteral("critical"), m_incident}, config);
    QVERIFY2(run.out.startsWith("No findings at or above critical"), run.out.constData());
}

void TestCliDetect::rulesFileOverridesDisablesAndAdds()
{
    const QString config = m_dir.filePath(QStringLiteral("config"));
    const QString disable = write(
        QStringLiteral("disable.yaml"), "rules:\n- id: privileged-container\n  disabled: true\n");
    Run run = runCli({Detect, Json, QStringLiteral("--rules"), disable, m_incident}, config);
    QCOMPARE(run.exitCode, 0);
    QJsonObject o = jsonOf(run);
    QVERIFY(!ruleIdsOf(o).contains(QStringLiteral("privileged-container")));
    bool listedDisabled = false;
    for (const QJsonValue& r : o.value(QStringLiteral("rules")).toArray())
        listedDisabled = listedDisabled
            || (r.toObject().value(QStringLiteral("id")).toString()
                    == QStringLiteral("privileged-container")
                && !r.toObject().value(QStringLiteral("enabled")).toBool(true));
    QVERIFY(listedDisabled);

    const QString override = write(QStringLiteral("override.yaml"),
        "rules:\n- id: privileged-container\n  severity: critical\n");
    run = runCli({Detect, Json, QStringLiteral("--rules"), override,
                     QStringLiteral("--min-severity"), QStringLiteral("critical"), m_incident},
        config);
    QCOMPARE(run.exitCode, 4);
    o = jsonOf(run);
    QCOMPARE(o.value(QStringLiteral("findings"))
                 .toArray()[0]
                 .toObject()
                 .value(QStringLiteral("severity")),
        QJsonValue(QStringLiteral("critical")));

    const QString added = write(QStringLiteral("added.yaml"),
        "rules:\n- id: configmap-read\n  title: ConfigMap read\n  severity: low\n"
        "  why: Test rule.\n  match: resource:configmaps and verb:get\n");
    run = runCli({Detect, Json, QStringLiteral("--rules"), added, m_quiet}, config);
    QCOMPARE(run.exitCode, 4);
    o = jsonOf(run);
    QCOMPARE(ruleIdsOf(o).count(QStringLiteral("configmap-read")), 6);
    bool fromFile = false;
    for (const QJsonValue& r : o.value(QStringLiteral("rules")).toArray())
        fromFile = fromFile
            || (r.toObject().value(QStringLiteral("id")).toString()
                    == QStringLiteral("configmap-read")
                && r.toObject().value(QStringLiteral("source")).toString() == added);
    QVERIFY(fromFile);
}

void TestCliDetect::badRulesFileIsLocatedAndTheOtherRulesRun()
{
    const QString bad = write(QStringLiteral("bad.yaml"),
        "rules:\n- id: configmap-read\n  title: ConfigMap read\n  severity: urgent\n"
        "  why: Test rule.\n  match: resource:configmaps\n");
    const Run run = runCli({Detect, QStringLiteral("--rules"), bad, m_incident},
        m_dir.filePath(QStringLiteral("config")));
    // The bad entry is left out, located; the built-in rules still find the privileged pod.
    QCOMPARE(run.exitCode, 4);
    QVERIFY2(run.err.contains(QByteArray(bad.toUtf8() + ":4:")), run.err.constData());
    QVERIFY2(run.err.contains("urgent"), run.err.constData());
    QVERIFY(run.out.contains("privileged-container"));
    QVERIFY(!run.out.contains("configmap-read"));
}

void TestCliDetect::userRulesFileIsAppliedBeforeRulesOption()
{
    QTemporaryDir home;
    QVERIFY(QDir(home.path()).mkpath(QStringLiteral("AuditScope")));
    QFile user(home.filePath(QStringLiteral("AuditScope/rules.yaml")));
    QVERIFY(user.open(QIODevice::WriteOnly));
    user.write("rules:\n- id: privileged-container\n  disabled: true\n");
    user.close();
    Run run = runCli({Detect, m_incident}, home.path());
    QCOMPARE(run.exitCode, 0);
    // --rules comes after the user's file: it can turn the rule on again.
    const QString enable = write(
        QStringLiteral("enable.yaml"), "rules:\n- id: privileged-container\n  disabled: false\n");
    run = runCli({Detect, QStringLiteral("--rules"), enable, m_incident}, home.path());
    QCOMPARE(run.exitCode, 4);
}

void TestCliDetect::policyGivesCoverage()
{
    const QString config = m_dir.filePath(QStringLiteral("config"));
    const QString docs =
        QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/policies/kubernetes-website-audit-policy.yaml");
    Run run = runCli({Detect, Json, QStringLiteral("--policy"), docs, m_incident}, config);
    QCOMPARE(run.exitCode, 4);
    QJsonObject o = jsonOf(run);
    auto coverageOf = [](const QJsonObject& report, const QString& id) {
        for (const QJsonValue& c : report.value(QStringLiteral("coverage")).toArray())
            if (c.toObject().value(QStringLiteral("rule")).toString() == id)
                return c.toObject();
        return QJsonObject();
    };
    QVERIFY(o.value(QStringLiteral("coverage")).toArray().size() >= 30);
    // Pods are logged at RequestResponse, but Deployments fall to the Metadata catch-all.
    QJsonObject privileged = coverageOf(o, QStringLiteral("privileged-container"));
    QCOMPARE(privileged.value(QStringLiteral("covered")).toBool(true), false);
    QCOMPARE(privileged.value(QStringLiteral("suggestion")).toString(),
        QStringLiteral(
            "deployments create needs Request or higher: rule 8 (line 64) gives Metadata"));
    QVERIFY(privileged.value(QStringLiteral("needs"))
                .toString()
                .contains(QStringLiteral("at Request or higher")));
    const QJsonObject exec = coverageOf(o, QStringLiteral("exec-into-pod"));
    QCOMPARE(exec.value(QStringLiteral("covered")).toBool(false), true);
    QCOMPARE(exec.value(QStringLiteral("suggestion")).toString(), QString());

    const QString metadata = write(QStringLiteral("metadata-only.yaml"),
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n");
    run = runCli({Detect, Json, QStringLiteral("--policy"), metadata, m_incident}, config);
    o = jsonOf(run);
    privileged = coverageOf(o, QStringLiteral("privileged-container"));
    QCOMPARE(privileged.value(QStringLiteral("suggestion")).toString(),
        QStringLiteral("pods create needs Request or higher: rule 0 (line 4) gives Metadata"));
    QCOMPARE(coverageOf(o, QStringLiteral("exec-into-pod")).value(QStringLiteral("covered")),
        QJsonValue(true));
    // The text lists every rule's coverage after the findings.
    run = runCli({Detect, QStringLiteral("--policy"), metadata, m_incident}, config);
    QVERIFY2(run.out.contains(QByteArray("Coverage by " + metadata.toUtf8())), run.out.constData());
    QVERIFY(run.out.contains("  NOT COVERED  privileged-container"));
    QVERIFY(run.out.contains("  covered      exec-into-pod"));
}

void TestCliDetect::queriesReadFindingsInOtherCommands()
{
    const QString config = m_dir.filePath(QStringLiteral("config"));
    Run run = runCli({QStringLiteral("summary"), Json, QStringLiteral("--query"),
                         QStringLiteral("finding:privileged-container"), m_incident},
        config);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(jsonOf(run).value(QStringLiteral("events")).toInt(), 1);
    run = runCli({QStringLiteral("events"), QStringLiteral("--format"), QStringLiteral("tsv"),
                     QStringLiteral("--query"), QStringLiteral("severity >= high"), m_incident},
        config);
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains("priv"), run.out.constData());
    QCOMPARE(run.out.trimmed().split('\n').size(), 2); // the header and the one event
    // --rules applies there too: with the rule off, nothing is flagged.
    const QString disable = write(
        QStringLiteral("disable2.yaml"), "rules:\n- id: privileged-container\n  disabled: true\n");
    run = runCli({QStringLiteral("summary"), Json, QStringLiteral("--query"),
                     QStringLiteral("finding:privileged-container"), QStringLiteral("--rules"),
                     disable, m_incident},
        config);
    QCOMPARE(jsonOf(run).value(QStringLiteral("events")).toInt(), 0);
    // A rule id that does not exist is an error at its column, not an empty result.
    run = runCli(
        {QStringLiteral("summary"), QStringLiteral("--by"), QStringLiteral("user"),
            QStringLiteral("--query"), QStringLiteral("verb:get finding:no-such-rule"), m_incident},
        config);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(
        run.err.contains("col 10: unknown detection rule 'no-such-rule'"), run.err.constData());
}

QTEST_GUILESS_MAIN(TestCliDetect)
