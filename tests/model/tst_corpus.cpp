// SPDX-License-Identifier: Apache-2.0
// Real logs from public projects (tests/data/PROVENANCE.md) load with the counts their
// provenance states, checked independently with Python's json module.
#include "testutil.h"

#include "common/timestamp.h"
#include "report/summary.h"

#include <QDir>
#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {
std::string dataPath(const char* relative)
{
    return std::string(AUDITSCOPE_TEST_DATA_DIR) + "/corpus/" + relative;
}
} // namespace

class TestCorpus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void microk8sLogLoadsCompletely()
    {
        const LoadResult r = loadAuditLogs({dataPath("microk8s-k8s.log.gz")});
        const EventStore& s = *r.store;
        const Summary sum = summarize(s);
        QCOMPARE(s.size(), std::size_t(2971));
        QCOMPARE(r.report.badLines, 0u);
        QVERIFY(r.report.sources[0].compressed);
        QCOMPARE(sum.byStage.at("RequestReceived"), 1484u);
        QCOMPARE(sum.byStage.at("ResponseStarted"), 111u);
        QCOMPARE(sum.byStage.at("ResponseComplete"), 1376u);
        QCOMPARE(sum.byLevel.at("Metadata"), 2971u);
        QCOMPARE(sum.byVerb.size(), std::size_t(6));
        QCOMPARE(sum.byCode.at("200"), 1426u);
        QCOMPARE(sum.byCode.at("201"), 52u);
        QCOMPARE(sum.byCode.at("500"), 7u);
        QCOMPARE(sum.byCode.at("409"), 2u);
        QCOMPARE(sum.byCode.at("none"), 1484u); // RequestReceived has no responseStatus
        QCOMPARE(sum.distinctUsers, 18u);
        QCOMPARE(sum.distinctAuditIds, 1484u);
        QCOMPARE(QString::fromStdString(formatRfc3339Micros(sum.firstTimeNs)),
            QStringLiteral("2023-03-10T22:38:26.382098Z"));
        QCOMPARE(QString::fromStdString(formatRfc3339Micros(sum.lastTimeNs)),
            QStringLiteral("2023-03-10T22:41:59.519013Z"));
        // 898 non-resource requests (no objectRef); kubectl's user "admin" made 24 events.
        QCOMPARE(std::count_if(s.flags.begin(), s.flags.end(),
                     [](std::uint8_t f) { return !(f & HasObjectRef); }),
            898);
        QCOMPARE(s.indexes.byUser.count(s.pools.users.find("admin")), 24u);
        // Lines are out of time order in the file; the store is in time order.
        QVERIFY(std::is_sorted(s.timeNs.begin(), s.timeNs.end()));
        std::vector<std::uint32_t> lines(s.line.begin(), s.line.end());
        QVERIFY(!std::is_sorted(lines.begin(), lines.end()));
        std::sort(lines.begin(), lines.end());
        for (std::uint32_t i = 0; i < lines.size(); ++i)
            QCOMPARE(lines[i], i + 1); // every line is an event, each exactly once
    }

    void audit2rbacLogsBothVersions_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("v1 (with v1beta1-only timestamp fields)") << "audit2rbac/demo.log";
        QTest::newRow("real v1beta1 from 2017") << "audit2rbac/demo-v1beta1-2017.log";
    }
    void audit2rbacLogsBothVersions()
    {
        QFETCH(QString, file);
        const LoadResult r = loadAuditLogs({dataPath(file.toUtf8().constData())});
        const EventStore& s = *r.store;
        const Summary sum = summarize(s);
        QCOMPARE(s.size(), std::size_t(37));
        QCOMPARE(r.report.badLines, 0u);
        QCOMPARE(sum.byCode.at("403"), 11u);
        QCOMPARE(sum.byCode.at("200"), 26u);
        // No requestReceivedTimestamp at all: times come from `timestamp` (whole seconds).
        QCOMPARE(QString::fromStdString(formatRfc3339Micros(sum.firstTimeNs)),
            QStringLiteral("2017-09-11T19:55:05.000000Z"));
        QCOMPARE(QString::fromStdString(formatRfc3339Micros(sum.lastTimeNs)),
            QStringLiteral("2017-09-11T20:29:04.000000Z"));
        // system:admin impersonates bob 29 times, sa1 5 times, alice 3 times.
        std::map<std::string, int> impersonated;
        for (std::uint32_t i = 0; i < s.size(); ++i) {
            QCOMPARE(std::string(s.pools.users.view(s.user[i].value)), std::string("system:admin"));
            ++impersonated[std::string(s.pools.users.view(s.impersonatedUser[i].value))];
        }
        QCOMPARE(impersonated["bob"], 29);
        QCOMPARE(impersonated["system:serviceaccount:ns1:sa1"], 5);
        QCOMPARE(impersonated["alice"], 3);
        QCOMPARE(std::string(s.pools.sourceIps.view(s.sourceIp[0].value)), std::string("::1"));
    }

    void falcoTraceFilesLoadPerFile()
    {
        const QDir dir(QString::fromStdString(dataPath("falco")));
        const QStringList files =
            dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
        QCOMPARE(files.size(), 47);
        std::uint64_t total = 0;
        for (const QString& f : files) {
            const LoadResult r = loadAuditLogs({dir.filePath(f).toStdString()});
            const std::uint64_t expected =
                f == QLatin1String("create_configmap_sensitive_values.json") ? 6
                : f == QLatin1String("fal_01_003.json")                      ? 0
                                                                             : 1;
            QVERIFY2(r.store->size() == expected, qPrintable(f));
            if (f == QLatin1String("fal_01_003.json")) {
                // {"kind": 0}: a located diagnostic, no crash.
                QCOMPARE(r.report.badLines, 1u);
                QVERIFY(toQString(r.report.diagnostics[0].message)
                            .contains(QStringLiteral("kind: expected a string")));
            } else {
                QVERIFY2(r.report.badLines == 0, qPrintable(f)); // trailing blank lines are fine
            }
            total += r.store->size();
        }
        QCOMPARE(total, 51u);
        // The whole folder at once merges them by time.
        const LoadResult all = loadAuditLogs({dir.path().toStdString()});
        QCOMPARE(all.store->size(), std::size_t(51));
        QCOMPARE(all.report.sources.size(), std::size_t(47));
        // exec and attach: ResponseStarted with code 101.
        QCOMPARE(all.store->indexes.byCode.count(101), 2u);
    }
};

QTEST_GUILESS_MAIN(TestCorpus)
#include "tst_corpus.moc"
