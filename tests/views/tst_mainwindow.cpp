// SPDX-License-Identifier: Apache-2.0
#include "mainwindow.h"

#include "load/loadcontroller.h"
#include "loadsummaryview.h"

#include <QApplication>
#include <QFile>
#include <QSignalSpy>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QtTest>

using namespace auditscope;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QLocale::setDefault(QLocale::c());
    }

    void opensALogAndShowsItsSummary()
    {
        MainWindow window;
        window.show();
        QSignalSpy finished(window.loadController(), &LoadController::loadFinished);
        window.openPaths({QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz")});
        QVERIFY(window.loadController()->isLoading());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QVERIFY(!window.loadController()->isLoading());
        const QString headline = window.summaryView()->headline();
        QVERIFY2(headline.startsWith(QStringLiteral("2971 events")), qPrintable(headline));
        QVERIFY(headline.contains(QStringLiteral("2023-03-10T22:38:26.382098Z")));
        QCOMPARE(window.summaryView()->problemCount(), 0);
        const QString shots = qEnvironmentVariable("AUDITSCOPE_SCREENSHOT_DIR");
        if (!shots.isEmpty())
            window.grab().save(shots + QStringLiteral("/mainwindow-summary.png"));
    }

    void badLinesAreListedWithTheirLine()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.log"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"kind\":\"Event\",\"auditID\":\"a\",\"requestReceivedTimestamp\":\"2025-01-"
                   "01T00:00:00Z\"}\n"
                   "not json\n");
        file.close();
        MainWindow window;
        QSignalSpy finished(window.loadController(), &LoadController::loadFinished);
        window.openPaths({path});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QVERIFY(window.summaryView()->headline().contains(QStringLiteral("1 bad line")));
        QCOMPARE(window.summaryView()->problemCount(), 1);
    }

    void openingAgainSupersedesTheRunningLoad()
    {
        MainWindow window;
        QSignalSpy finished(window.loadController(), &LoadController::loadFinished);
        window.openPaths({QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz")});
        window.openPaths({QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/corpus/audit2rbac/demo.log")});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QTest::qWait(200); // a stale result of the first load must not arrive late
        QCOMPARE(finished.count(), 1);
        QVERIFY(window.summaryView()->headline().startsWith(QStringLiteral("37 events")));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
