// SPDX-License-Identifier: Apache-2.0
// auditscope-cli's output is a contract for scripts: run the real binary and check it.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <tuple>

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out, err;
};

Run runCli(const QStringList& args)
{
    QProcess process;
    process.start(QStringLiteral(AUDITSCOPE_CLI), args);
    process.waitForFinished(120000);
    return Run{process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

QString data(const char* relative)
{
    return QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/corpus/") + QString::fromUtf8(relative);
}

QByteArray gunzip(const QString& path)
{
    QProcess gz;
    gz.start(QStringLiteral("gzip"), {QStringLiteral("-dc"), path});
    gz.waitForFinished();
    return gz.readAllStandardOutput();
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void summaryCountsTheDuplicatesOfOverlappingFiles()
    {
        // a.log holds lines 1-2000 of the sample, b.log lines 1001-2971: 1,000 in common.
        const QList<QByteArray> lines = gunzip(data("microk8s-k8s.log.gz")).trimmed().split('\n');
        QCOMPARE(lines.size(), 2971);
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.log"));
        const QString b = dir.filePath(QStringLiteral("b.log"));
        for (const auto& [path, first, last] :
            {std::tuple{a, 0, 2000}, std::tuple{b, 1000, 2971}}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(lines.mid(first, last - first).join('\n') + '\n');
        }
        const Run json = runCli({QStringLiteral("summary"), QStringLiteral("--json"), a, b});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject o = QJsonDocument::fromJson(json.out).object();
        QCOMPARE(o.value(QStringLiteral("events")).toInt(), 2971);
        QCOMPARE(o.value(QStringLiteral("duplicates")).toInt(), 1000);
        const QJsonObject second = o.value(QStringLiteral("sources")).toArray()[1].toObject();
        QCOMPARE(second.value(QStringLiteral("events")).toInt(), 1971);
        QCOMPARE(second.value(QStringLiteral("duplicates")).toInt(), 1000);
        const Run text = runCli({QStringLiteral("summary"), a, b});
        QVERIFY2(text.out.contains("Duplicates:    1000"), text.out.constData());
        const QByteArray fromA = "1000 duplicates of events already loaded from " + a.toUtf8();
        QVERIFY2(text.out.contains(fromA), text.out.constData());
        // `events` lists the other place of each kept copy.
        const Run events = runCli({QStringLiteral("events"), a, b});
        const QByteArray alsoInB = QByteArray("\"alsoIn\":[\"") + b.toUtf8() + ':';
        QCOMPARE(events.out.count(alsoInB), 1000);
        QVERIFY(events.err.contains("1000 duplicates of events already loaded from"));
    }

    void summaryJsonOnMicrok8s()
    {
        const Run run = runCli(
            {QStringLiteral("summary"), QStringLiteral("--json"), data("microk8s-k8s.log.gz")});
        QCOMPARE(run.exitCode, 0);
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(run.out, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(o.value(QStringLiteral("events")).toInt(), 2971);
        QCOMPARE(o.value(QStringLiteral("badLines")).toInt(), 0);
        QCOMPARE(o.value(QStringLiteral("duplicates")).toInt(-1), 0);
        QVERIFY(o.value(QStringLiteral("diagnostics")).toArray().isEmpty());
        const QJsonArray sources = o.value(QStringLiteral("sources")).toArray();
        QCOMPARE(sources.size(), 1);
        QCOMPARE(sources[0].toObject().value(QStringLiteral("events")).toInt(), 2971);
        QCOMPARE(sources[0].toObject().value(QStringLiteral("badLines")).toInt(), 0);
        const QJsonObject byStage = o.value(QStringLiteral("byStage")).toObject();
        QCOMPARE(byStage.value(QStringLiteral("RequestReceived")).toInt(), 1484);
        QCOMPARE(byStage.value(QStringLiteral("ResponseStarted")).toInt(), 111);
        QCOMPARE(byStage.value(QStringLiteral("ResponseComplete")).toInt(), 1376);
        QCOMPARE(o.value(QStringLiteral("byVerb")).toObject().value(QStringLiteral("get")).toInt(),
            1790);
        QCOMPARE(
            o.value(QStringLiteral("byLevel")).toObject().value(QStringLiteral("Metadata")).toInt(),
            2971);
        QCOMPARE(
            o.value(QStringLiteral("byCode")).toObject().value(QStringLiteral("409")).toInt(), 2);
        QCOMPARE(o.value(QStringLiteral("distinctUsers")).toInt(), 18);
        QCOMPARE(o.value(QStringLiteral("distinctAuditIDs")).toInt(), 1484);
        QCOMPARE(o.value(QStringLiteral("firstTime")).toString(),
            QStringLiteral("2023-03-10T22:38:26.382098Z"));
        QCOMPARE(o.value(QStringLiteral("lastTime")).toString(),
            QStringLiteral("2023-03-10T22:41:59.519013Z"));
    }

    void badLinesAreListedByLineAndExitCodeIsOne()
    {
        QTemporaryDir dir;
        const QByteArray original = gunzip(data("microk8s-k8s.log.gz"));
        QList<QByteArray> lines = original.split('\n');
        lines[9] = "{\"kind\":\"Event\",\"auditID\":"; // line 10: cut off
        lines[99] = "\xff\xfe not utf-8"; // line 100
        const QString path = dir.filePath(QStringLiteral("injected.log"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(lines.join('\n'));
        file.close();
        const Run run = runCli({QStringLiteral("summary"), QStringLiteral("--json"), path});
        QCOMPARE(run.exitCode, 1);
        const QJsonObject o = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(o.value(QStringLiteral("events")).toInt(), 2969);
        QCOMPARE(o.value(QStringLiteral("badLines")).toInt(), 2);
        const QJsonArray diagnostics = o.value(QStringLiteral("diagnostics")).toArray();
        QCOMPARE(diagnostics.size(), 2);
        QCOMPARE(diagnostics[0].toObject().value(QStringLiteral("line")).toInt(), 10);
        QCOMPARE(diagnostics[1].toObject().value(QStringLiteral("line")).toInt(), 100);
        QVERIFY(diagnostics[1]
                    .toObject()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("UTF-8")));
        QCOMPARE(diagnostics[0].toObject().value(QStringLiteral("file")).toString(), path);
    }

    void eventsJsonlHasTheContractKeys()
    {
        const Run run = runCli({QStringLiteral("events"), data("audit2rbac/demo.log")});
        QCOMPARE(run.exitCode, 0);
        const QList<QByteArray> lines = run.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 37);
        const QJsonObject first = QJsonDocument::fromJson(lines[0]).object();
        const QStringList keys{QStringLiteral("time"), QStringLiteral("stageTime"),
            QStringLiteral("auditID"), QStringLiteral("stage"), QStringLiteral("level"),
            QStringLiteral("verb"), QStringLiteral("user"), QStringLiteral("groups"),
            QStringLiteral("impersonatedUser"), QStringLiteral("sourceIP"),
            QStringLiteral("userAgent"), QStringLiteral("apiGroup"), QStringLiteral("apiVersion"),
            QStringLiteral("resource"), QStringLiteral("subresource"), QStringLiteral("namespace"),
            QStringLiteral("name"), QStringLiteral("code"), QStringLiteral("decision"),
            QStringLiteral("requestURI"), QStringLiteral("file"), QStringLiteral("line"),
            QStringLiteral("alsoIn")};
        for (const QString& key : keys)
            QVERIFY2(first.contains(key), qPrintable(key));
        QCOMPARE(first.value(QStringLiteral("time")).toString(),
            QStringLiteral("2017-09-11T19:55:05.000000Z"));
        QCOMPARE(first.value(QStringLiteral("user")).toString(), QStringLiteral("system:admin"));
        QCOMPARE(first.value(QStringLiteral("impersonatedUser")).toString(), QStringLiteral("bob"));
        QCOMPARE(first.value(QStringLiteral("sourceIP")).toString(), QStringLiteral("::1"));
        QCOMPARE(first.value(QStringLiteral("line")).toInt(), 1);
        QVERIFY(first.value(QStringLiteral("requestURI")).toString().startsWith(QLatin1Char('/')));
        QVERIFY(first.value(QStringLiteral("groups")).isArray());
    }

    void eventsJsonlUnescapesRequestUri()
    {
        // Go writes & as \u0026 inside requestURI; the CLI gives the real value.
        const Run run = runCli({QStringLiteral("events"), data("microk8s-k8s.log.gz")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(!run.out.contains("\\u0026"));
        QVERIFY(run.out.contains("&resourceVersion=") || run.out.contains("&timeout"));
        QCOMPARE(run.out.count('\n'), 2971);
    }

    void eventsRawReproducesEveryLineByteForByte()
    {
        const QByteArray original = gunzip(data("microk8s-k8s.log.gz"));
        const Run run = runCli({QStringLiteral("events"), QStringLiteral("--format"),
            QStringLiteral("raw"), data("microk8s-k8s.log.gz")});
        QCOMPARE(run.exitCode, 0);
        QList<QByteArray> in = original.split('\n');
        QList<QByteArray> out = run.out.split('\n');
        in.removeAll(QByteArray());
        out.removeAll(QByteArray());
        QCOMPARE(out.size(), in.size());
        QVERIFY(out != in); // reordered by time...
        std::sort(in.begin(), in.end());
        std::sort(out.begin(), out.end());
        QVERIFY(out == in); // ...but the same bytes
    }

    void eventsTsvHasAHeaderAndOneRowPerEvent()
    {
        const Run run = runCli({QStringLiteral("events"), QStringLiteral("--format"),
            QStringLiteral("tsv"), data("audit2rbac/demo.log")});
        QCOMPARE(run.exitCode, 0);
        const QList<QByteArray> lines = run.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 38);
        QVERIFY(lines[0].startsWith("time\tstageTime\tauditID"));
        QCOMPARE(lines[1].count('\t'), lines[0].count('\t'));
    }

    void chainJsonFollowsAWatchAcrossStages()
    {
        // A finished watch of the MicroK8s log (lines 1191, 1192, 1207): three stages.
        const Run run = runCli({QStringLiteral("chain"), QStringLiteral("--json"),
            QStringLiteral("8c80830a-f7c1-47cc-9e36-29a18c771355"), data("microk8s-k8s.log.gz")});
        QCOMPARE(run.exitCode, 0);
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(run.out, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(o.value(QStringLiteral("auditID")).toString(),
            QStringLiteral("8c80830a-f7c1-47cc-9e36-29a18c771355"));
        QVERIFY(o.value(QStringLiteral("flags")).toArray().isEmpty());
        QCOMPARE(o.value(QStringLiteral("eventCount")).toInt(), 3);
        const QJsonArray events = o.value(QStringLiteral("events")).toArray();
        QCOMPARE(events.size(), 3);
        QCOMPARE(events[0].toObject().value(QStringLiteral("stage")).toString(),
            QStringLiteral("RequestReceived"));
        QCOMPARE(events[2].toObject().value(QStringLiteral("stageTime")).toString(),
            QStringLiteral("2023-03-10T22:39:34.055257Z"));
        QCOMPARE(events[2].toObject().value(QStringLiteral("line")).toInt(), 1207);
        const QJsonObject request = o.value(QStringLiteral("requests")).toArray().at(0).toObject();
        QCOMPARE(request.value(QStringLiteral("verb")).toString(), QStringLiteral("watch"));
        const QJsonObject latencies = request.value(QStringLiteral("latencies")).toObject();
        QCOMPARE(latencies.value(QStringLiteral("receivedToStartedNs")).toInteger(), 300000);
        QCOMPARE(latencies.value(QStringLiteral("totalNs")).toInteger(), 16894000);
        QCOMPARE(o.value(QStringLiteral("lanes")).toArray().size(), 1);
    }

    void chainExplainsAReusedIdAcrossServers()
    {
        // tests/data/chain/servers: two API servers (a with a rotated backup); the CI pipeline's
        // own Audit-ID "deploy-42" is used by three requests, one of them by dave.
        const QString servers = QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/chain/servers");
        const Run text = runCli({QStringLiteral("chain"), QStringLiteral("deploy-42"), servers});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains("flags: reused,multiserver"));
        QVERIFY(text.out.contains("dave@example.com"));
        const Run json = runCli({QStringLiteral("chain"), QStringLiteral("deploy-42"), servers,
            QStringLiteral("--json")});
        const QJsonObject o = QJsonDocument::fromJson(json.out).object();
        const QJsonArray requests = o.value(QStringLiteral("requests")).toArray();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(o.value(QStringLiteral("lanes")).toArray().size(), 2);
        // Core group: "" (a resource request), not null.
        const QJsonValue group = requests[2].toObject().value(QStringLiteral("apiGroup"));
        QVERIFY(group.isString() && group.toString().isEmpty());
        QCOMPARE(requests[0].toObject().value(QStringLiteral("apiGroup")).toString(),
            QStringLiteral("apps"));
        const QJsonArray reasons = o.value(QStringLiteral("reuseReasons")).toArray();
        for (const char* reason : {"users", "targets", "sourceIPs", "farApart", "sameServer"})
            QVERIFY2(reasons.contains(QString::fromLatin1(reason)), reason);
        // The watch that spans the rotation of server a is one whole chain.
        const Run watch = runCli({QStringLiteral("chain"), QStringLiteral("--json"),
            QStringLiteral("0f9a7c2e-5b1d-4c3a-9e8f-7a6b5c4d3e21"), servers});
        const QJsonObject w = QJsonDocument::fromJson(watch.out).object();
        QCOMPARE(w.value(QStringLiteral("events")).toArray().size(), 3);
        QVERIFY(w.value(QStringLiteral("flags")).toArray().isEmpty());
        QCOMPARE(w.value(QStringLiteral("lanes"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("files"))
                     .toArray()
                     .size(),
            2);
        // An unknown ID: exit code 3.
        QCOMPARE(
            runCli({QStringLiteral("chain"), QStringLiteral("no-such-id"), servers}).exitCode, 3);
    }

    void historyJsonShowsDiffsAndLifetime()
    {
        const QString log = QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/chain/object-history.log");
        const Run run = runCli({QStringLiteral("history"), QStringLiteral("--json"),
            QStringLiteral("core/configmaps/prod/app-config"), log});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject o = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(
            o.value(QStringLiteral("object")).toObject().value(QStringLiteral("key")).toString(),
            QStringLiteral("core/configmaps/prod/app-config"));
        const QJsonArray entries = o.value(QStringLiteral("entries")).toArray();
        QCOMPARE(entries.size(), 9);
        const QJsonObject patch = entries[4].toObject();
        QCOMPARE(patch.value(QStringLiteral("patchKind")).toString(), QStringLiteral("json-patch"));
        QVERIFY(patch.value(QStringLiteral("patch")).isArray());
        const QJsonArray changes = patch.value(QStringLiteral("changes")).toArray();
        QCOMPARE(changes.size(), 2);
        QCOMPARE(changes[0].toObject().value(QStringLiteral("path")).toString(),
            QStringLiteral("/data/replicas"));
        QCOMPARE(
            changes[0].toObject().value(QStringLiteral("old")).toString(), QStringLiteral("3"));
        QCOMPARE(
            changes[0].toObject().value(QStringLiteral("new")).toString(), QStringLiteral("5"));
        QCOMPARE(changes[1].toObject().value(QStringLiteral("op")).toString(),
            QStringLiteral("removed"));
        const QJsonObject life = o.value(QStringLiteral("lifetimes")).toArray().at(0).toObject();
        QCOMPARE(life.value(QStringLiteral("deleted")).toString(),
            QStringLiteral("2025-03-14T09:08:00.004000Z"));
        const Run text = runCli({QStringLiteral("history"), QStringLiteral("--no-reads"),
            QStringLiteral("core/configmaps/prod/app-config"), log});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains("~ /data/replicas: \"3\" -> \"5\""));
        QVERIFY(!text.out.contains("  get  "));
    }

    void summaryByUserJsonHasOneObjectPerUser()
    {
        const Run run = runCli({QStringLiteral("summary"), QStringLiteral("--by"),
            QStringLiteral("user"), QStringLiteral("--json"), data("microk8s-k8s.log.gz")});
        QCOMPARE(run.exitCode, 0);
        QJsonParseError error;
        const QJsonArray users = QJsonDocument::fromJson(run.out, &error).array();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(users.size(), 18); // `summary` counts 18 distinct users
        int events = 0, previous = 1 << 30;
        for (const QJsonValue& v : users) {
            const QJsonObject u = v.toObject();
            for (const char* key : {"user", "kind", "serviceAccountNamespace", "events", "writes",
                     "deletes", "authFailures", "firstTime", "lastTime", "sourceIPs", "userAgents",
                     "groups", "impersonated", "query"})
                QVERIFY2(u.contains(QString::fromLatin1(key)), key);
            const int n = u.value(QStringLiteral("events")).toInt();
            QVERIFY(n <= previous); // most events first
            previous = n;
            events += n;
        }
        QCOMPARE(events, 2971);
        const QJsonObject top = users[0].toObject();
        QCOMPARE(top.value(QStringLiteral("user")).toString(),
            QStringLiteral("system:kube-controller-manager"));
        QCOMPARE(top.value(QStringLiteral("kind")).toString(), QStringLiteral("controlplane"));
        QCOMPARE(top.value(QStringLiteral("firstTime")).toString().size(), 27);
        // Each row's "query" selects exactly its events.
        for (const int i : {0, 5, 17}) {
            const QJsonObject u = users[i].toObject();
            const Run check = runCli(
                {QStringLiteral("summary"), QStringLiteral("--json"), QStringLiteral("--query"),
                    u.value(QStringLiteral("query")).toString(), data("microk8s-k8s.log.gz")});
            QCOMPARE(QJsonDocument::fromJson(check.out).object().value(QStringLiteral("events")),
                u.value(QStringLiteral("events")));
        }
        const Run text = runCli({QStringLiteral("summary"), QStringLiteral("--by"),
            QStringLiteral("user"), data("microk8s-k8s.log.gz")});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.startsWith("USER "));
        QCOMPARE(text.out.count('\n'), 19);
    }

    void summaryByResourceNamespaceVerbCodeCountEveryEvent_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("key");
        QTest::newRow("resource") << QStringLiteral("resource") << QStringLiteral("resource");
        QTest::newRow("namespace") << QStringLiteral("namespace") << QStringLiteral("namespace");
        QTest::newRow("verb") << QStringLiteral("verb") << QStringLiteral("verb");
        QTest::newRow("code") << QStringLiteral("code") << QStringLiteral("code");
    }
    void summaryByResourceNamespaceVerbCodeCountEveryEvent()
    {
        QFETCH(QString, field);
        QFETCH(QString, key);
        const Run run = runCli({QStringLiteral("summary"), QStringLiteral("--by"), field,
            QStringLiteral("--json"), data("microk8s-k8s.log.gz")});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray rows = QJsonDocument::fromJson(run.out).array();
        QVERIFY(!rows.isEmpty());
        int events = 0;
        for (const QJsonValue& v : rows) {
            const QJsonObject row = v.toObject();
            QVERIFY(row.contains(key));
            for (const char* k : {"events", "writes", "deletes", "authFailures", "principals",
                     "firstTime", "lastTime", "query"})
                QVERIFY2(row.contains(QString::fromLatin1(k)), k);
            events += row.value(QStringLiteral("events")).toInt();
        }
        QCOMPARE(events, 2971);
        if (field == QStringLiteral("verb")) {
            QCOMPARE(
                rows[0].toObject().value(QStringLiteral("verb")).toString(), QStringLiteral("get"));
            QCOMPARE(rows[0].toObject().value(QStringLiteral("events")).toInt(), 1790);
        }
        if (field == QStringLiteral("code")) // RequestReceived has no code: null
            QVERIFY(rows[0].toObject().value(QStringLiteral("code")).isNull());
        if (field == QStringLiteral("resource")) {
            bool path = false, subresource = false;
            for (const QJsonValue& v : rows) {
                path = path || v.toObject().value(QStringLiteral("path")).isString();
                subresource =
                    subresource || v.toObject().value(QStringLiteral("subresource")).isString();
            }
            QVERIFY(path && subresource);
        }
        const Run filtered = runCli({QStringLiteral("summary"), QStringLiteral("--by"), field,
            QStringLiteral("--json"), QStringLiteral("--query"), QStringLiteral("verb:update"),
            data("microk8s-k8s.log.gz")});
        int updates = 0;
        for (const QJsonValue& v : QJsonDocument::fromJson(filtered.out).array())
            updates += v.toObject().value(QStringLiteral("events")).toInt();
        QCOMPARE(updates, 608);
    }

    void summaryHistogramCountsPerBucket()
    {
        const Run run = runCli({QStringLiteral("summary"), QStringLiteral("--histogram"),
            QStringLiteral("1m"), QStringLiteral("--stack"), QStringLiteral("verb"),
            QStringLiteral("--json"), data("microk8s-k8s.log.gz")});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray buckets = QJsonDocument::fromJson(run.out).array();
        // 22:38:26 .. 22:41:59 in whole UTC minutes, empty buckets included.
        QCOMPARE(buckets.size(), 4);
        QCOMPARE(buckets[0].toObject().value(QStringLiteral("start")).toString(),
            QStringLiteral("2023-03-10T22:38:00Z"));
        QCOMPARE(buckets[3].toObject().value(QStringLiteral("start")).toString(),
            QStringLiteral("2023-03-10T22:41:00Z"));
        int events = 0;
        for (const QJsonValue& v : buckets) {
            const QJsonObject b = v.toObject();
            const QJsonObject stack = b.value(QStringLiteral("stack")).toObject();
            QCOMPARE(stack.keys().size(), 4);
            int sum = 0;
            for (const QString& k : stack.keys())
                sum += stack.value(k).toInt();
            QCOMPARE(sum, b.value(QStringLiteral("events")).toInt());
            events += sum;
        }
        QCOMPARE(events, 2971);
        const Run seconds = runCli({QStringLiteral("summary"), QStringLiteral("--histogram"),
            QStringLiteral("30s"), QStringLiteral("--query"), QStringLiteral("verb:get"),
            data("microk8s-k8s.log.gz")});
        QCOMPARE(seconds.exitCode, 0);
        const QList<QByteArray> lines = seconds.out.trimmed().split('\n');
        QVERIFY(lines[0].startsWith("BUCKET"));
        int gets = 0;
        for (qsizetype i = 1; i < lines.size(); ++i)
            gets += lines[i].simplified().split(' ').at(1).toInt();
        QCOMPARE(gets, 1790);
        const Run lanes =
            runCli({QStringLiteral("summary"), QStringLiteral("--histogram"), QStringLiteral("1m"),
                QStringLiteral("--stack"), QStringLiteral("user"), QStringLiteral("--top"),
                QStringLiteral("2"), QStringLiteral("--json"), data("microk8s-k8s.log.gz")});
        const QJsonObject stack = QJsonDocument::fromJson(lanes.out)
                                      .array()
                                      .at(0)
                                      .toObject()
                                      .value(QStringLiteral("stack"))
                                      .toObject();
        QCOMPARE(stack.size(), 3);
        QVERIFY(stack.contains(QStringLiteral("system:kube-controller-manager")));
        QVERIFY(stack.contains(QStringLiteral("other")));
    }

    void policyImpactAgainstAnotherPolicyCountsWhatChanges()
    {
        // kubernetes-website-audit-policy.yaml with its Request rules at None: exactly the
        // events they wrote are dropped.
        const QString original = QStringLiteral(
            AUDITSCOPE_TEST_DATA_DIR "/policies/kubernetes-website-audit-policy.yaml");
        QFile in(original);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray text = in.readAll();
        QVERIFY(text.contains("- level: Request\n"));
        text.replace("- level: Request\n", "- level: None\n");
        QTemporaryDir dir;
        const QString edited = dir.filePath(QStringLiteral("edited.yaml"));
        QFile out(edited);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(text);
        out.close();
        const QString log = data("microk8s-k8s.log.gz");
        auto impactOf = [&](const QString& policy) {
            const Run run = runCli({QStringLiteral("policy"), QStringLiteral("impact"),
                QStringLiteral("--json"), QStringLiteral("--policy"), policy, log});
            return QJsonDocument::fromJson(run.out).object();
        };
        const Run run =
            runCli({QStringLiteral("policy"), QStringLiteral("impact"), QStringLiteral("--json"),
                QStringLiteral("--policy"), edited, QStringLiteral("--against"), original, log});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject compared = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(compared.value(QStringLiteral("against")).toString(), original);
        const qint64 events = compared.value(QStringLiteral("events")).toInteger();
        QVERIFY(events > 0);
        const QJsonObject changes = compared.value(QStringLiteral("changes")).toObject();
        qint64 sum = 0;
        for (const QString& change : {QStringLiteral("same"), QStringLiteral("dropped"),
                 QStringLiteral("added"), QStringLiteral("raised"), QStringLiteral("lowered")})
            sum += changes.value(change).toObject().value(QStringLiteral("events")).toInteger();
        QCOMPARE(sum, events);
        const QJsonObject dropped = changes.value(QStringLiteral("dropped")).toObject();
        const qint64 droppedEvents = dropped.value(QStringLiteral("events")).toInteger();
        QVERIFY(droppedEvents > 0);
        QCOMPARE(changes.value(QStringLiteral("added")).toObject().value(QStringLiteral("events")),
            QJsonValue(0));
        // Every drop was written at Request; the totals agree with each policy's own impact.
        const QJsonArray moves = dropped.value(QStringLiteral("moves")).toArray();
        QCOMPARE(moves.size(), 1);
        QCOMPARE(moves[0].toObject().value(QStringLiteral("from")).toString(),
            QStringLiteral("Request"));
        QCOMPARE(moves[0].toObject().value(QStringLiteral("to")).toString(),
            QStringLiteral("not written"));
        const auto kept = [](const QJsonObject& impact) {
            return impact.value(QStringLiteral("total"))
                .toObject()
                .value(QStringLiteral("keptEvents"))
                .toInteger();
        };
        QCOMPARE(kept(impactOf(original)) - kept(impactOf(edited)), droppedEvents);
        const QJsonArray levels = compared.value(QStringLiteral("byWrittenLevel")).toArray();
        const QJsonObject total = levels.last().toObject();
        QCOMPARE(total.value(QStringLiteral("level")).toString(), QStringLiteral("total written"));
        QCOMPARE(total.value(QStringLiteral("against")).toObject().value(QStringLiteral("events")),
            QJsonValue(kept(impactOf(original))));

        // Against itself nothing changes; the text form says so.
        const Run same = runCli({QStringLiteral("policy"), QStringLiteral("impact"),
            QStringLiteral("--policy"), original, QStringLiteral("--against"), original, log});
        QCOMPARE(same.exitCode, 0);
        QVERIFY(same.out.contains("Events that change: 0\n"));
        // --against belongs to impact only; an unloadable OLD fails like POLICY does.
        QCOMPARE(
            runCli({QStringLiteral("policy"), QStringLiteral("lint"), QStringLiteral("--policy"),
                       original, QStringLiteral("--against"), original, log})
                .exitCode,
            2);
        QCOMPARE(runCli({QStringLiteral("policy"), QStringLiteral("impact"),
                            QStringLiteral("--policy"), original, QStringLiteral("--against"),
                            dir.filePath(QStringLiteral("missing.yaml")), log})
                     .exitCode,
            1);
    }

    void deepQueriesAreALocatedErrorNotACrash_data()
    {
        QTest::addColumn<QString>("query");
        const int n = 100000; // once a stack overflow (about 6,350 parentheses sufficed)
        QTest::newRow("parentheses") << QString(n, QLatin1Char('(')) + QStringLiteral("verb:get");
        QTest::newRow("value groups")
            << QStringLiteral("verb:") + QString(n, QLatin1Char('(')) + QStringLiteral("get");
        QTest::newRow("negations") << QString(n, QLatin1Char('!')) + QStringLiteral("verb:get");
    }
    void deepQueriesAreALocatedErrorNotACrash()
    {
        QFETCH(QString, query);
        const Run run = runCli({QStringLiteral("query"), QStringLiteral("check"), query});
        QCOMPARE(run.exitCode, 2);
        const int column = query.startsWith(QLatin1String("verb:")) ? 262 : 257;
        QVERIFY2(run.err.startsWith(
                     QStringLiteral("auditscope-cli: bad query: col %1: nesting deeper than 256\n")
                         .arg(column)
                         .toUtf8()),
            run.err.left(200).constData());
    }

    void invalidUtf8InAQueryIsALocatedError()
    {
        // QProcess passes arguments as text: the shell's printf writes the raw bytes.
        QProcess shell;
        shell.start(QStringLiteral("/bin/sh"),
            {QStringLiteral("-c"), QStringLiteral("\"$0\" query check \"$(printf 'ns:caf\\351')\""),
                QStringLiteral(AUDITSCOPE_CLI)});
        shell.waitForFinished(120000);
        QCOMPARE(shell.exitCode(), 2);
        const QByteArray err = shell.readAllStandardError();
        QVERIFY2(err.startsWith("auditscope-cli: bad query: col 7: invalid UTF-8 (byte 0xE9)\n"),
            err.constData());
    }

    void policyTermsWithoutAPolicySaySo()
    {
        const Run run = runCli({QStringLiteral("events"), QStringLiteral("--query"),
            QStringLiteral("verb:get rule:3"), data("audit2rbac/demo.log")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.startsWith("auditscope-cli: bad query: col 10: 'rule:' reads an audit "
                                    "policy's outcome, and --query has no policy"),
            run.err.constData());
        QVERIFY(run.err.contains("policy eval --policy POLICY"));
        const Run compare = runCli({QStringLiteral("summary"), QStringLiteral("--query"),
            QStringLiteral("policychange:dropped"), data("audit2rbac/demo.log")});
        QCOMPARE(compare.exitCode, 2);
        QVERIFY(compare.err.contains("col 1: 'policychange:'"));
        QVERIFY(compare.err.contains("--against OLD"));
        // query check only reads the syntax, which the filter bar shares.
        const Run check =
            runCli({QStringLiteral("query"), QStringLiteral("check"), QStringLiteral("rule:3")});
        QCOMPARE(check.exitCode, 0);
        QCOMPARE(check.out, QByteArray("rule:\"3\"\n"));
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("help") << QStringList{QStringLiteral("--help")} << 0;
        QTest::newRow("version") << QStringList{QStringLiteral("--version")} << 0;
        QTest::newRow("no command") << QStringList{} << 2;
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << 2;
        QTest::newRow("unknown option") << QStringList{QStringLiteral("summary"),
            QStringLiteral("--nope"), data("audit2rbac/demo.log")}
                                        << 2;
        QTest::newRow("no path") << QStringList{QStringLiteral("summary")} << 2;
        QTest::newRow("missing file")
            << QStringList{QStringLiteral("summary"), QStringLiteral("/no/such/audit.log")} << 2;
        QTest::newRow("only a non-event")
            << QStringList{QStringLiteral("summary"), data("falco/fal_01_003.json")} << 2;
        QTest::newRow("a good file and a missing one") << QStringList{QStringLiteral("summary"),
            data("audit2rbac/demo.log"), QStringLiteral("/no/such.log")}
                                                       << 1;
        QTest::newRow("summary by an unknown field") << QStringList{QStringLiteral("summary"),
            QStringLiteral("--by"), QStringLiteral("colour"), data("audit2rbac/demo.log")}
                                                     << 2;
        QTest::newRow("summary with a bad bucket") << QStringList{QStringLiteral("summary"),
            QStringLiteral("--histogram"), QStringLiteral("5x"), data("audit2rbac/demo.log")}
                                                   << 2;
        QTest::newRow("summary with too many buckets") << QStringList{QStringLiteral("summary"),
            QStringLiteral("--histogram"), QStringLiteral("1ns"), data("microk8s-k8s.log.gz")}
                                                       << 2;
        QTest::newRow("summary --stack without --histogram") << QStringList{
            QStringLiteral("summary"), QStringLiteral("--stack"), QStringLiteral("verb"),
            data("audit2rbac/demo.log")} << 2;
        QTest::newRow("summary --by and --histogram") << QStringList{QStringLiteral("summary"),
            QStringLiteral("--by"), QStringLiteral("user"), QStringLiteral("--histogram"),
            QStringLiteral("1m"), data("audit2rbac/demo.log")}
                                                      << 2;
        QTest::newRow("summary --by with a missing file") << QStringList{QStringLiteral("summary"),
            QStringLiteral("--by"), QStringLiteral("verb"), QStringLiteral("/no/such.log")}
                                                          << 2;
        QTest::newRow("analysis without bench") << QStringList{QStringLiteral("analysis")} << 2;
        QTest::newRow("chain without a path")
            << QStringList{QStringLiteral("chain"), QStringLiteral("x")} << 2;
        QTest::newRow("history with a bad object") << QStringList{QStringLiteral("history"),
            QStringLiteral("core/pods/x"), data("audit2rbac/demo.log")}
                                                   << 2;
        QTest::newRow("history of an object not in the log") << QStringList{
            QStringLiteral("history"), QStringLiteral("core/pods/default/nope"),
            data("audit2rbac/demo.log")} << 3;
    }
    void exitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QCOMPARE(runCli(args).exitCode, exitCode);
    }

    // `-` is standard input, plain or gzip, as in most Unix tools.
    void dashReadsStandardInput()
    {
        for (const bool compressed : {false, true}) {
            QProcess process;
            process.start(QStringLiteral(AUDITSCOPE_CLI),
                {QStringLiteral("summary"), QStringLiteral("--json"), QStringLiteral("-")});
            QVERIFY(process.waitForStarted());
            QFile gz(data("microk8s-k8s.log.gz"));
            QVERIFY(gz.open(QIODevice::ReadOnly));
            process.write(compressed ? gz.readAll() : gunzip(data("microk8s-k8s.log.gz")));
            process.closeWriteChannel();
            QVERIFY(process.waitForFinished(120000));
            QCOMPARE(process.exitCode(), 0);
            const QJsonObject o = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
            QCOMPARE(o.value(QStringLiteral("events")).toInt(), 2971);
        }
        // Standard input redirected from a file is mapped like a file, with nothing to report.
        QTemporaryDir dir;
        const QString plain = dir.filePath(QStringLiteral("plain.log"));
        QFile out(plain);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(gunzip(data("microk8s-k8s.log.gz")));
        out.close();
        QProcess process;
        process.setStandardInputFile(plain);
        process.start(QStringLiteral(AUDITSCOPE_CLI),
            {QStringLiteral("summary"), QStringLiteral("--json"), QStringLiteral("-")});
        QVERIFY(process.waitForFinished(120000));
        QCOMPARE(process.exitCode(), 0);
        const QJsonObject o = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
        QCOMPARE(o.value(QStringLiteral("events")).toInt(), 2971);
        QCOMPARE(o.value(QStringLiteral("notes")).toInt(), 0); // not "replaced while loading"
    }

    // A file that is not an audit log gets one message naming it and what it is, and the
    // closing "nothing loaded" line names the file too.
    void notAnAuditLogIsOneMessageNamingTheFile()
    {
        const QString path = QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/notaudit/twenty.log.zst");
        const Run run = runCli({QStringLiteral("events"), path});
        QCOMPARE(run.exitCode, 2);
        const QList<QByteArray> lines = run.err.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines[0].startsWith(QByteArray(path.toUtf8() + ": zstd-compressed data")),
            lines[0].constData());
        QVERIFY(lines[0].contains("zstd -d"));
        QCOMPARE(lines[1],
            QByteArray("auditscope-cli: no audit events could be loaded from ") + path.toUtf8());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
