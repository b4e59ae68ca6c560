// SPDX-License-Identifier: Apache-2.0
#include "mainwindow.h"
#include "mainwindowtest.h"

#include "detailpane.h"
#include "eventtableview.h"
#include "filterbar.h"
#include "investigation/loadcontroller.h"
#include "itemmodels/eventtablemodel.h"
#include "itemmodels/jsontreemodel.h"
#include "loadsummaryview.h"
#include "welcomepage.h"

#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

using namespace auditscope;

using namespace auditscope::test;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QLocale::setDefault(QLocale::c());
        QStandardPaths::setTestModeEnabled(true); // settings go to a test location
        QSettings().clear();
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
        QCOMPARE(window.eventModel()->rowCount(), 2971);
        QVERIFY(window.eventModel()->showsAllEvents());
        QVERIFY(!window.findChild<QDockWidget*>(QStringLiteral("loadReport"))
                     ->isVisible()); // nothing went wrong: no report
        const QString shots = qEnvironmentVariable("AUDITSCOPE_SCREENSHOT_DIR");
        if (!shots.isEmpty())
            window.grab().save(shots + QStringLiteral("/mainwindow-summary.png"));
    }

    void aLogOpenedTwiceIsLoadedOnceAndTheReportSaysSo()
    {
        QTemporaryDir dir;
        const QString original =
            QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz");
        const QString copy = dir.filePath(QStringLiteral("copy-of-microk8s.log.gz"));
        QVERIFY(QFile::copy(original, copy));
        MainWindow window;
        QSignalSpy finished(window.loadController(), &LoadController::loadFinished);
        window.openPaths({original, copy});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QCOMPARE(window.eventModel()->rowCount(), 2971);
        const QString headline = window.summaryView()->headline();
        QVERIFY2(
            headline.contains(QStringLiteral("2971 duplicates loaded once")), qPrintable(headline));
        QVERIFY(window.findChild<QDockWidget*>(QStringLiteral("loadReport"))
                    ->isVisibleTo(&window)); // the report opens
        bool said = false; // the copy's row in the sources list names the original
        const QList<QTreeWidget*> trees = window.summaryView()->findChildren<QTreeWidget*>();
        for (const QTreeWidget* tree : trees) {
            for (int row = 0; row < tree->topLevelItemCount(); ++row) {
                const QTreeWidgetItem* item = tree->topLevelItem(row);
                said = said
                    || (item->text(0) == copy
                        && item->text(4)
                            == QStringLiteral("all 2971 events are duplicates of events already "
                                              "loaded from ")
                                + original + QStringLiteral(": the same log given twice"));
            }
        }
        QVERIFY(said);
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
        QVERIFY(window.findChild<QDockWidget*>(QStringLiteral("loadReport"))
                    ->isVisibleTo(&window)); // the report opens
        QCOMPARE(window.summaryView()->problemCount(), 1);
        const QString shots = qEnvironmentVariable("AUDITSCOPE_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            window.resize(1300, 800);
            window.show();
            QTest::qWait(300);
            window.grab().save(shots + QStringLiteral("/mainwindow-badlines.png"));
        }
    }

    void sortsByAHeaderClickAndKeepsTheSelection()
    {
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, MicroK8sLog));
        EventTableModel* model = window.eventModel();
        EventTableView* table = window.eventTable();
        table->setCurrentIndex(model->index(100, 0));
        const EventId selected = model->eventAt(100);
        // Click the Verb header: the sort runs on a worker, then the model is reset.
        QSignalSpy sorted(&window, &MainWindow::sortFinished);
        QHeaderView* header = table->horizontalHeader();
        const int verb = static_cast<int>(EventColumn::Verb);
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
            QPoint(header->sectionViewportPosition(verb) + 5, header->height() / 2));
        QTRY_COMPARE_WITH_TIMEOUT(sorted.count(), 1, 10000);
        QVERIFY(!model->showsAllEvents());
        QStringList verbs;
        for (int row = 0; row < model->rowCount(); ++row)
            verbs << model->data(model->index(row, verb)).toString();
        QStringList expected = verbs;
        std::sort(expected.begin(), expected.end());
        QCOMPARE(verbs, expected);
        QCOMPARE(model->eventAt(table->currentIndex().row()), selected); // same event selected
        // A second click sorts descending.
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
            QPoint(header->sectionViewportPosition(verb) + 5, header->height() / 2));
        QTRY_COMPARE_WITH_TIMEOUT(sorted.count(), 2, 10000);
        QCOMPARE(model->data(model->index(0, verb)).toString(), QStringLiteral("watch"));
        QCOMPARE(model->eventAt(table->currentIndex().row()), selected);
        const QString shots = qEnvironmentVariable("AUDITSCOPE_SCREENSHOT_DIR");
        if (!shots.isEmpty())
            window.grab().save(shots + QStringLiteral("/mainwindow-table.png"));
    }

    void filtersThroughTheBarAndFromTheDetailPane()
    {
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, MicroK8sLog));
        EventTableModel* model = window.eventModel();
        const int verb = static_cast<int>(EventColumn::Verb);

        // Type a filter and press Enter: the query runs on a worker, the table shows its rows.
        QSignalSpy filtered(&window, &MainWindow::filterFinished);
        QLineEdit* edit = window.filterBar()->lineEdit();
        edit->setFocus();
        QTest::keyClicks(edit, QStringLiteral("verb:create"));
        QTest::keyClick(edit, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(filtered.count(), 1, 10000);
        QCOMPARE(model->rowCount(), 106); // summary: byVerb create 106
        for (int row = 0; row < model->rowCount(); ++row)
            QCOMPARE(model->data(model->index(row, verb)).toString(), QStringLiteral("create"));

        // Select an event; the detail pane shows it. Apply its user as a filter.
        window.eventTable()->setCurrentIndex(model->index(0, 0));
        const EventId chosen = model->eventAt(0);
        QCOMPARE(window.detailPane()->event(), chosen);
        QTreeView* tree = window.detailPane()->treeView();
        const QAbstractItemModel* json = tree->model();
        QModelIndex user;
        for (int row = 0; row < json->rowCount(); ++row) {
            if (json->index(row, 0).data().toString() == QLatin1String("user"))
                user = json->index(0, 0, json->index(row, 0)); // user.username
        }
        QCOMPARE(user.data(JsonTreeModel::PathRole).toString(), QStringLiteral("user.username"));
        tree->setCurrentIndex(user);
        const QString name = user.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString();
        window.detailPane()->applyAsFilter(); // resets the pane's model: `user` is stale after this
        QTRY_COMPARE_WITH_TIMEOUT(filtered.count(), 2, 10000);
        QVERIFY(edit->text().startsWith(QStringLiteral("user.username:")));
        QVERIFY(model->rowCount() > 0);
        QVERIFY(model->rowOf(chosen) >= 0); // the chosen event is still there, and still selected
        QCOMPARE(model->eventAt(window.eventTable()->currentIndex().row()), chosen);
        const int userColumn = static_cast<int>(EventColumn::User);
        for (int row = 0; row < model->rowCount(); ++row)
            QCOMPARE(model->data(model->index(row, userColumn)).toString(), name);

        // Exclude it: none of that user's events remain.
        window.detailPane()->excludeAsFilter();
        QTRY_COMPARE_WITH_TIMEOUT(filtered.count(), 3, 10000);
        QCOMPARE(model->rowOf(chosen), -1);
        for (int row = 0; row < model->rowCount(); ++row)
            QVERIFY(model->data(model->index(row, userColumn)).toString() != name);
        const QString shots = qEnvironmentVariable("AUDITSCOPE_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            edit->setText(QStringLiteral("verb:create"));
            QTest::keyClick(edit, Qt::Key_Return);
            QTRY_COMPARE_WITH_TIMEOUT(filtered.count(), 4, 10000);
            window.eventTable()->setCurrentIndex(model->index(3, 0));
            window.resize(1400, 800);
            window.grab().save(shots + QStringLiteral("/mainwindow-filtered.png"));
        }
    }

    void showsTimesRelativeToAReferenceEvent()
    {
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, MicroK8sLog));
        EventTableModel* model = window.eventModel();
        window.eventTable()->setCurrentIndex(model->index(10, 0));
        QAction* reference = nullptr;
        for (QAction* action : window.findChildren<QAction*>()) {
            if (action->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_T))
                reference = action;
        }
        QVERIFY(reference);
        reference->trigger();
        QCOMPARE(model->data(model->index(10, 0)).toString(), QStringLiteral("+0 µs"));
        QVERIFY(model->data(model->index(0, 0)).toString().startsWith(QLatin1Char('-')));
        QCOMPARE(
            model->headerData(0, Qt::Horizontal).toString(), QStringLiteral("Time (relative)"));
    }

    void addsReloadsAndClosesAnInvestigation()
    {
        MainWindow window;
        window.show();
        QSignalSpy finished(window.loadController(), &LoadController::loadFinished);
        window.openPaths({QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/corpus/audit2rbac/demo.log")});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QCOMPARE(window.eventModel()->rowCount(), 37);
        // Add a second source: both are merged by time.
        window.addPaths({QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz")});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 20000);
        QCOMPARE(window.eventModel()->rowCount(), 37 + 2971);
        window.reload();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 20000);
        QCOMPARE(window.eventModel()->rowCount(), 37 + 2971);
        window.closeInvestigation();
        QCOMPARE(window.eventModel()->rowCount(), 0);
        QVERIFY(window.summaryView()->headline().startsWith(QStringLiteral("Open an audit log")));
        const QStringList recent = QSettings().value(QStringLiteral("recent/paths")).toStringList();
        QVERIFY(recent.size() >= 2);
        QVERIFY(recent.first().endsWith(QStringLiteral("microk8s-k8s.log.gz")));
    }

    void welcomePageOpensTheSampleInvestigation()
    {
        MainWindow window;
        window.show();
        QVERIFY(window.showsWelcome());
        QSignalSpy finished(window.loadController(), &LoadController::loadFinished);
        auto* button = window.welcomePage()->findChild<QPushButton*>(QStringLiteral("openSample"));
        QVERIFY(button);
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(!window.showsWelcome());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QCOMPARE(window.eventModel()->rowCount(), 3000);
        // The story it promises: who deleted the ConfigMap app-config in prod?
        QSignalSpy filtered(&window, &MainWindow::filterFinished);
        window.applyFilter(QStringLiteral("verb:delete resource:configmaps name:app-config"));
        QTRY_COMPARE_WITH_TIMEOUT(filtered.count(), 1, 10000);
        QCOMPARE(window.eventModel()->rowCount(), 2); // RequestReceived + ResponseComplete
        const QString shots = qEnvironmentVariable("AUDITSCOPE_SCREENSHOT_DIR");
        if (!shots.isEmpty())
            window.grab().save(shots + QStringLiteral("/mainwindow-incident.png"));
        window.closeInvestigation();
        QVERIFY(window.showsWelcome());
        if (!shots.isEmpty())
            window.grab().save(shots + QStringLiteral("/mainwindow-welcome.png"));
    }

    void columnLayoutIsRemembered()
    {
        const int agent = static_cast<int>(EventColumn::UserAgent);
        {
            MainWindow window;
            window.show();
            window.eventTable()->setColumnHidden(agent, true);
            window.eventTable()->horizontalHeader()->moveSection(
                static_cast<int>(EventColumn::Code), 1);
            window.close();
        }
        MainWindow again;
        again.show();
        QVERIFY(again.eventTable()->isColumnHidden(agent));
        QCOMPARE(again.eventTable()->horizontalHeader()->visualIndex(
                     static_cast<int>(EventColumn::Code)),
            1);
        again.eventTable()->setColumnHidden(agent, false);
        again.close();
        QSettings().clear();
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
