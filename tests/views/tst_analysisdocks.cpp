// SPDX-License-Identifier: Apache-2.0
// The linked analysis views in the main window: a click in users or resources and a brush on
// the timeline produce the filter that selects exactly those events; pinning keeps a view's
// other rows; clearing the view filters restores the user's own filter.
#include "analysistreeview.h"
#include "eventtableview.h"
#include "filterbar.h"
#include "itemmodels/eventtablemodel.h"
#include "itemmodels/resourcesmodel.h"
#include "itemmodels/usersmodel.h"
#include "mainwindowtest.h"
#include "timelineview.h"
#include "timelinewidget.h"

#include <QApplication>
#include <QDockWidget>
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QTreeView>
#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {

// The users-view row of `name` (a child of a group row), or invalid.
QModelIndex userRow(const QAbstractItemModel* model, const QString& name)
{
    for (int g = 0; g < model->rowCount(); ++g) {
        const QModelIndex group = model->index(g, 0);
        for (int u = 0; u < model->rowCount(group); ++u)
            if (model->index(u, 0, group).data().toString() == name)
                return model->index(u, 0, group);
    }
    return {};
}

int userRowCount(const QAbstractItemModel* model)
{
    int users = 0;
    for (int g = 0; g < model->rowCount(); ++g)
        users += model->rowCount(model->index(g, 0));
    return users;
}

QStringList columnValues(EventTableModel* model, EventColumn column)
{
    QStringList values;
    for (int row = 0; row < model->rowCount(); ++row)
        values << model->index(row, static_cast<int>(column)).data().toString();
    return values;
}

} // namespace

class TestAnalysisDocks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { initMainWindowTest(); }

    void aUserClickFiltersAndClearingRestores()
    {
        MainWindow window;
        window.resize(1400, 900);
        window.show();
        QSignalSpy analysed(&window, &MainWindow::analysisFinished);
        QVERIFY(openAndWait(window, IncidentSample));
        QTRY_VERIFY_WITH_TIMEOUT(userRowCount(window.usersView()->treeView()->model()) > 20, 10000);
        QSignalSpy reanalysed(&window, &MainWindow::analysisFinished);
        QVERIFY(filterAndWait(window, QStringLiteral("verb:delete")));
        const int deletes = window.eventModel()->rowCount();
        QTRY_VERIFY_WITH_TIMEOUT(reanalysed.count() >= 1, 10000); // the views show the deletes
        QTest::qWait(300);

        QTreeView* tree = window.usersView()->treeView();
        QTRY_VERIFY_WITH_TIMEOUT(
            userRow(tree->model(), QStringLiteral("alice@example.com")).isValid(), 10000);
        const QModelIndex alice = userRow(tree->model(), QStringLiteral("alice@example.com"));
        const qlonglong aliceEvents =
            alice.siblingAtColumn(UsersModel::EventsColumn).data().toLongLong();
        QVERIFY(aliceEvents > 0);
        QSignalSpy filtered(&window, &MainWindow::filterFinished);
        tree->selectionModel()->select(
            alice, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QTRY_COMPARE_WITH_TIMEOUT(filtered.count(), 1, 10000);
        // The bar shows the whole filter: the typed part and the view's term.
        const QString text = window.filterBar()->lineEdit()->text();
        QVERIFY2(text.startsWith(QStringLiteral("(verb:delete) and (")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("alice@example.com")), qPrintable(text));
        QCOMPARE(window.eventModel()->rowCount(), int(aliceEvents)); // the row's own count
        for (const QString& user : columnValues(window.eventModel(), EventColumn::User))
            QCOMPARE(user, QStringLiteral("alice@example.com"));
        for (const QString& verb : columnValues(window.eventModel(), EventColumn::Verb))
            QCOMPARE(verb, QStringLiteral("delete"));

        // Clear View Filters: back to the typed filter.
        QMetaObject::invokeMethod(&window, [&] {
            for (QAction* action : window.findChildren<QAction*>())
                if (action->text() == MainWindow::tr("&Clear View Filters"))
                    action->trigger();
        });
        QTRY_COMPARE_WITH_TIMEOUT(filtered.count(), 2, 10000);
        QCOMPARE(window.filterBar()->lineEdit()->text(), QStringLiteral("verb:delete"));
        QCOMPARE(window.eventModel()->rowCount(), deletes);
        QVERIFY(tree->selectionModel()->selectedRows().isEmpty());
    }

    void aPinnedViewKeepsItsOtherRows()
    {
        MainWindow window;
        window.resize(1400, 900);
        window.show();
        QVERIFY(openAndWait(window, IncidentSample));
        QTreeView* tree = window.usersView()->treeView();
        QTRY_VERIFY_WITH_TIMEOUT(
            userRow(tree->model(), QStringLiteral("alice@example.com")).isValid(), 10000);
        const int allUsers = userRowCount(tree->model());
        window.usersView()->setPinned(true);
        QSignalSpy filtered(&window, &MainWindow::filterFinished);
        QSignalSpy analysed(&window, &MainWindow::analysisFinished);
        tree->selectionModel()->select(userRow(tree->model(), QStringLiteral("alice@example.com")),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QTRY_COMPARE_WITH_TIMEOUT(filtered.count(), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(analysed.count() >= 1, 10000);
        QTest::qWait(200); // let any later analysis land too
        QCOMPARE(userRowCount(tree->model()), allUsers); // not filtered away
        QCOMPARE(tree->selectionModel()->selectedRows().size(), 1); // still selected
        for (const QString& user : columnValues(window.eventModel(), EventColumn::User))
            QCOMPARE(user, QStringLiteral("alice@example.com"));

        // Unpinned, the view shows only what the filter leaves: alice.
        window.usersView()->setPinned(false);
        QTRY_COMPARE_WITH_TIMEOUT(userRowCount(tree->model()), 1, 10000);
    }

    void aResourceClickSelectsItsEvents()
    {
        MainWindow window;
        window.resize(1400, 900);
        window.show();
        QVERIFY(openAndWait(window, IncidentSample));
        window.resourcesDock()->raise();
        QTreeView* tree = window.resourcesView()->treeView();
        QTRY_VERIFY_WITH_TIMEOUT(tree->model()->rowCount() > 1, 10000);
        QTest::qWait(300); // raising the dock recomputes: let that land before taking indexes
        // A resource under the first API group: e.g. core → configmaps.
        const QModelIndex group = tree->model()->index(0, 0);
        QVERIFY(tree->model()->rowCount(group) > 0);
        const QModelIndex resource = tree->model()->index(0, 0, group);
        const qlonglong events =
            resource.siblingAtColumn(ResourcesModel::EventsColumn).data().toLongLong();
        QVERIFY(events > 0);
        const QString name = resource.data().toString(); // before the views recompute
        QSignalSpy filtered(&window, &MainWindow::filterFinished);
        tree->selectionModel()->select(
            resource, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QTRY_COMPARE_WITH_TIMEOUT(filtered.count(), 1, 10000);
        QCOMPARE(window.eventModel()->rowCount(), int(events));
        for (const QString& shown : columnValues(window.eventModel(), EventColumn::Resource))
            QVERIFY2(shown == name || shown.startsWith(name + QLatin1Char('/')), qPrintable(shown));
    }

    void aBrushOnTheTimelineFiltersByTime()
    {
        MainWindow window;
        window.resize(1400, 900);
        window.show();
        QVERIFY(openAndWait(window, IncidentSample));
        TimelineWidget* histogram = window.timelineView()->histogram();
        QTRY_VERIFY_WITH_TIMEOUT(histogram->timeline().total == 3000, 10000);
        const QRect plot = histogram->plotRect();
        const QPoint from(plot.left() + plot.width() / 4, plot.center().y());
        const QPoint to(plot.left() + plot.width() / 2, plot.center().y());
        const std::int64_t fromNs = histogram->timeAt(from.x());
        const std::int64_t toNs = histogram->timeAt(to.x());
        QSignalSpy filtered(&window, &MainWindow::filterFinished);
        QTest::mousePress(histogram, Qt::LeftButton, {}, from);
        QTest::mouseMove(histogram, to);
        QTest::mouseRelease(histogram, Qt::LeftButton, {}, to);
        QTRY_COMPARE_WITH_TIMEOUT(filtered.count(), 1, 10000);
        QVERIFY2(window.filterBar()->lineEdit()->text().startsWith(QStringLiteral("time >= ")),
            qPrintable(window.filterBar()->lineEdit()->text()));
        EventTableModel* model = window.eventModel();
        QVERIFY(model->rowCount() > 100);
        QVERIFY(model->rowCount() < 3000);
        const EventStore& store = *model->store();
        std::int64_t before = 0, inside = 0;
        for (std::size_t row = 0; row < store.size(); ++row)
            (store.timeNs[row] >= fromNs && store.timeNs[row] < toNs ? inside : before) += 1;
        QCOMPARE(model->rowCount(), int(inside)); // exactly the events of the brushed range
        for (int row = 0; row < model->rowCount(); ++row) {
            const std::int64_t t = store.timeNs[model->eventAt(row).value];
            QVERIFY(t >= fromNs && t < toNs);
        }
        // A click on one bucket selects that bucket.
        const auto& timeline = histogram->timeline();
        QVERIFY(timeline.bucketCount > 0);

        const QString shots = qEnvironmentVariable("AUDITSCOPE_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            window.grab().save(shots + QStringLiteral("/analysis-light.png"));
            QPalette dark;
            dark.setColor(QPalette::Window, QColor(45, 45, 48));
            dark.setColor(QPalette::WindowText, QColor(220, 220, 220));
            dark.setColor(QPalette::Base, QColor(30, 30, 32));
            dark.setColor(QPalette::AlternateBase, QColor(40, 40, 44));
            dark.setColor(QPalette::Text, QColor(220, 220, 220));
            dark.setColor(QPalette::Button, QColor(50, 50, 54));
            dark.setColor(QPalette::ButtonText, QColor(220, 220, 220));
            dark.setColor(QPalette::Highlight, QColor(42, 130, 218));
            dark.setColor(QPalette::HighlightedText, Qt::white);
            const QPalette light = QApplication::palette();
            QApplication::setPalette(dark);
            QTest::qWait(100);
            window.grab().save(shots + QStringLiteral("/analysis-dark.png"));
            QApplication::setPalette(light);
            window.timelineView()->setStack(TimelineStack::Principal);
            QTest::qWait(300);
            window.timelineView()->grab().save(shots + QStringLiteral("/timeline-swimlanes.png"));
        }
    }
};

QTEST_MAIN(TestAnalysisDocks)
#include "tst_analysisdocks.moc"
