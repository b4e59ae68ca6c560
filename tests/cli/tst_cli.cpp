// SPDX-License-Identifier: Apache-2.0
// auditscope-cli's output is a contract for scripts: run the real binary and check it.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

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
            QStringLiteral("requestURI"), QStringLiteral("file"), QStringLiteral("line")};
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
    }
    void exitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QCOMPARE(runCli(args).exitCode, exitCode);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
