// SPDX-License-Identifier: Apache-2.0
// Follow Request and Object History opened from the event table: a real three-stage watch, a
// reused auditID across two servers, and an object whose updates and patches have diffs.
#include "chain/chainintegrity.h"
#include "chaingantt.h"
#include "chainview.h"
#include "eventtableview.h"
#include "itemmodels/eventtablemodel.h"
#include "itemmodels/objecthistorymodel.h"
#include "mainwindowtest.h"
#include "objecthistoryview.h"

#include <QApplication>
#include <QDockWidget>
#include <QSettings>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QTreeView>
#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {

const QString ChainData = QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/chain");

void saveShot(QWidget* widget, const QString& name)
{
    const QString shots = qEnvironmentVariable("AUDITSCOPE_SCREENSHOT_DIR");
    if (!shots.isEmpty())
        widget->grab().save(shots + QLatin1Char('/') + name);
}

} // namespace

class TestChainViews : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { initMainWindowTest(); }

    void followsAThreeStageWatchFromTheTable()
    {
        MainWindow window;
        window.resize(1400, 900);
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(openAndWait(window, MicroK8sLog));
        QVERIFY(filterAndWait(
            window, QStringLiteral("verb:watch id:8c80830a-f7c1-47cc-9e36-29a18c771355")));
        EventTableModel* model = window.eventModel();
        QCOMPARE(model->rowCount(), 3);
        window.eventTable()->setCurrentIndex(model->index(0, 0));
        window.eventTable()->setFocus();

        // Go ▸ Follow Request from the keyboard.
        QSignalSpy shown(&window, &MainWindow::chainShown);
        QTest::keyClick(window.eventTable(), Qt::Key_F, Qt::ControlModifier | Qt::AltModifier);
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
        QVERIFY(window.chainDock()->isVisible());
        const Chain& chain = window.chainView()->chain();
        QCOMPARE(chain.auditId, std::string("8c80830a-f7c1-47cc-9e36-29a18c771355"));
        QCOMPARE(chain.requests.size(), std::size_t(1));
        QCOMPARE(chain.events.size(), std::size_t(3));
        QCOMPARE(int(chain.flags & ~ChainMultiServer), 0);
        const ChainRequest& watch = chain.requests.front();
        QVERIFY(watch.stageNs[int(Stage::RequestReceived)]);
        QVERIFY(watch.stageNs[int(Stage::ResponseStarted)]);
        QVERIFY(watch.stageNs[int(Stage::ResponseComplete)]);
        QCOMPARE(*watch.receivedToStartedNs(), std::int64_t(300000)); // from the raw times

        // Clicking the ResponseComplete mark selects that event in the table.
        ChainGantt* gantt = window.chainView()->gantt();
        QCOMPARE(gantt->markCount(), std::size_t(3));
        std::size_t complete = 0;
        for (std::size_t i = 0; i < chain.events.size(); ++i)
            if (chain.events[i].stage == Stage::ResponseComplete)
                complete = i;
        QTest::mouseClick(gantt, Qt::LeftButton, {}, gantt->markPosition(complete).toPoint());
        QCOMPARE(
            model->eventAt(window.eventTable()->currentIndex().row()), chain.events[complete].id);
        QVERIFY(window.chainView()->detailText().startsWith(QStringLiteral("ResponseComplete")));
        saveShot(&window, QStringLiteral("chain-watch.png"));
    }

    void explainsAReusedAuditIdAcrossServers()
    {
        MainWindow window;
        window.resize(1400, 900);
        window.show();
        QVERIFY(openAndWait(window, ChainData + QStringLiteral("/servers")));
        QVERIFY(filterAndWait(window, QStringLiteral("id:deploy-42")));
        QVERIFY(window.eventModel()->rowCount() >= 2);
        window.eventTable()->setCurrentIndex(window.eventModel()->index(0, 0));
        QSignalSpy shown(&window, &MainWindow::chainShown);
        QMetaObject::invokeMethod(&window, [&] {
            for (QAction* action : window.findChildren<QAction*>())
                if (action->text() == MainWindow::tr("&Follow Request"))
                    action->trigger();
        });
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
        const Chain& chain = window.chainView()->chain();
        QVERIFY(chain.flags & ChainReused);
        QVERIFY(chain.flags & ChainMultiServer);
        QCOMPARE(chain.lanes.size(), std::size_t(2));
        QVERIFY(chain.requests.size() >= 2);
        QVERIFY(!chain.issues.empty());
        saveShot(&window, QStringLiteral("chain-reused.png"));
    }

    void showsAnObjectsHistoryWithDiffs()
    {
        MainWindow window;
        window.resize(1400, 900);
        window.show();
        QVERIFY(openAndWait(window, ChainData + QStringLiteral("/object-history.log")));
        QVERIFY(filterAndWait(window, QStringLiteral("resource:configmaps name:app-config")));
        window.eventTable()->setCurrentIndex(window.eventModel()->index(0, 0));
        QSignalSpy shown(&window, &MainWindow::historyShown);
        QMetaObject::invokeMethod(&window, [&] {
            for (QAction* action : window.findChildren<QAction*>())
                if (action->text() == MainWindow::tr("Object &History"))
                    action->trigger();
        });
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
        const ObjectHistory& history = window.historyView()->history();
        QCOMPARE(history.key.toString(), std::string("core/configmaps/prod/app-config"));
        QVERIFY(history.entries.size() >= 5);
        QCOMPARE(history.lifetimes.size(), std::size_t(1));
        QVERIFY(history.lifetimes.front().createdNs && history.lifetimes.front().deletedNs);
        // The first successful update by bob changed data.mode: its diff says so.
        QTreeView* tree = window.historyView()->treeView();
        int update = -1;
        for (std::size_t i = 0; i < history.entries.size(); ++i)
            if (history.entries[i].action == HistoryAction::Update
                && history.entries[i].succeeded) {
                update = int(i);
                break;
            }
        QVERIFY(update >= 0);
        tree->setCurrentIndex(tree->model()->index(update, 0));
        QVERIFY2(window.historyView()->diffText().contains(
                     QStringLiteral("~ /data/mode: \"blue\" -> \"green\"")),
            qPrintable(window.historyView()->diffText()));
        // Picking the entry selected its event in the table.
        QCOMPARE(window.eventModel()->eventAt(window.eventTable()->currentIndex().row()),
            history.entries[std::size_t(update)].finalEvent);
        saveShot(&window, QStringLiteral("object-history.png"));
    }
};

QTEST_MAIN(TestChainViews)
#include "tst_chainviews.moc"
