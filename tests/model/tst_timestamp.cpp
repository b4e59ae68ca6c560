// SPDX-License-Identifier: Apache-2.0
#include "common/timestamp.h"

#include <QtTest>

using namespace auditscope;

class TestTimestamp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesKubernetesForms_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expectedNs");
        // 2023-03-10T22:38:26Z = 1678487906 s since the epoch.
        const qint64 base = 1678487906LL * 1000000000LL;
        QTest::newRow("no fraction (v1beta1)") << "2023-03-10T22:38:26Z" << base;
        QTest::newRow("6 digits (kube-apiserver)")
            << "2023-03-10T22:38:26.382098Z" << base + 382098000;
        QTest::newRow("9 digits (AKS, GKE)")
            << "2023-03-10T22:38:26.382098123Z" << base + 382098123;
        QTest::newRow("1 digit") << "2023-03-10T22:38:26.5Z" << base + 500000000;
        QTest::newRow("positive offset") << "2023-03-11T00:38:26+02:00" << base;
        QTest::newRow("negative offset") << "2023-03-10T17:38:26.000001-05:00" << base + 1000;
        QTest::newRow("epoch") << "1970-01-01T00:00:00Z" << qint64(0);
        QTest::newRow("last year that keeps differences in int64")
            << "2261-12-31T23:59:59.999999999Z" << qint64(9214646399999999999LL);
        QTest::newRow("leap day") << "2024-02-29T00:00:00Z" << 1709164800LL * 1000000000LL;
    }
    void parsesKubernetesForms()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expectedNs);
        const auto parsed = parseRfc3339(text.toStdString());
        QVERIFY(parsed.has_value());
        QCOMPARE(qint64(*parsed), expectedNs);
    }

    void rejectsMalformed_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << "";
        QTest::newRow("date only") << "2023-03-10";
        QTest::newRow("no zone") << "2023-03-10T22:38:26";
        QTest::newRow("10 fraction digits") << "2023-03-10T22:38:26.1234567890Z";
        QTest::newRow("dot without digits") << "2023-03-10T22:38:26.Z";
        QTest::newRow("month 13") << "2023-13-10T22:38:26Z";
        QTest::newRow("Feb 29 in a common year") << "2023-02-29T00:00:00Z";
        QTest::newRow("hour 24") << "2023-03-10T24:00:00Z";
        QTest::newRow("trailing garbage") << "2023-03-10T22:38:26Zx";
        QTest::newRow("letters") << "2023-0a-10T22:38:26Z";
        // Outside 1970..2261 the nanosecond arithmetic would overflow int64.
        QTest::newRow("Go zero time") << "0001-01-01T00:00:00Z";
        QTest::newRow("before 1970") << "1969-12-31T23:59:59.5Z";
        QTest::newRow("year 9999") << "9999-12-31T23:59:59Z";
    }
    void rejectsMalformed()
    {
        QFETCH(QString, text);
        QVERIFY(!parseRfc3339(text.toStdString()).has_value());
    }

    void formatsMicrosecondsUtc()
    {
        QCOMPARE(QString::fromStdString(formatRfc3339Micros(1678487906382098000LL)),
            QStringLiteral("2023-03-10T22:38:26.382098Z"));
        QCOMPARE(QString::fromStdString(formatRfc3339Micros(-500000000LL)),
            QStringLiteral("1969-12-31T23:59:59.500000Z"));
        // Round trip over a spread of instants.
        for (std::int64_t ns = 0; ns < 86400LL * 1000000000LL * 40000;
             ns += 86400LL * 1000000000LL * 37 + 123456000) {
            QCOMPARE(parseRfc3339(formatRfc3339Micros(ns)).value(), ns);
        }
    }
};

QTEST_GUILESS_MAIN(TestTimestamp)
#include "tst_timestamp.moc"
