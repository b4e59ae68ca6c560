// SPDX-License-Identifier: Apache-2.0
// The event list's own geometry: rows are arithmetic, so positions, hit tests, scrolling and
// selection must agree with each other at any row count, including logs too long to scroll
// by pixels.
#include "eventtableview.h"
#include "itemmodels/eventtablemodel.h"

#include <QAbstractTableModel>
#include <QApplication>
#include <QContextMenuEvent>
#include <QHeaderView>
#include <QPaintEvent>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStyleFactory>
#include <QtTest>

using namespace auditscope;

namespace {

// Any number of rows, nothing stored: cell text is computed from the position.
class CountingModel final : public QAbstractTableModel
{
public:
    void setRows(int rows)
    {
        beginResetModel();
        m_rows = rows;
        endResetModel();
    }
    int rowCount(const QModelIndex& parent = {}) const override
    {
        return parent.isValid() ? 0 : m_rows;
    }
    int columnCount(const QModelIndex& parent = {}) const override
    {
        return parent.isValid() ? 0 : EventColumnCount;
    }
    QVariant data(const QModelIndex& index, int role) const override
    {
        if (role == EventTableModel::MatchedRuleRole)
            return withRules ? index.row() % 3 : QVariant();
        if (role != Qt::DisplayRole)
            return {};
        return QStringLiteral("r%1c%2").arg(index.row()).arg(index.column());
    }

    bool withRules = false; // answer MatchedRuleRole like a model with an active policy

private:
    int m_rows = 0;
};

// Records the region a widget is asked to paint.
class PaintRecorder final : public QObject
{
public:
    QRegion painted;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Paint)
            painted += static_cast<QPaintEvent*>(event)->region();
        return QObject::eventFilter(watched, event);
    }
};

} // namespace

class TestEventTableView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion"))); }

    void positionsAndHitTestsAgree_data()
    {
        QTest::addColumn<int>("rows");
        QTest::newRow("short") << 30;
        QTest::newRow("1M rows, pixel scrolling") << 1000000;
        // rows * row height overflows an int of pixels: the scroll bar counts rows instead.
        QTest::newRow("200M rows, row scrolling") << 200000000;
    }

    void positionsAndHitTestsAgree()
    {
        QFETCH(int, rows);
        CountingModel model;
        model.setRows(rows);
        EventTableView view;
        view.setModel(&model);
        view.resize(800, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        for (const int row : {0, 1, rows / 2, rows - 2, rows - 1}) {
            const QModelIndex target = model.index(row, 3);
            view.scrollTo(target, QAbstractItemView::PositionAtCenter);
            const QRect rect = view.visualRect(target);
            QVERIFY2(view.viewport()->rect().contains(rect.center()),
                qPrintable(QStringLiteral("row %1 at %2,%3 not in the viewport")
                               .arg(row)
                               .arg(rect.x())
                               .arg(rect.y())));
            QCOMPARE(rect.height(), view.rowHeight());
            QCOMPARE(view.indexAt(rect.center()), target);
        }
        // The last row can be scrolled to the bottom edge and no further.
        view.verticalScrollBar()->setValue(view.verticalScrollBar()->maximum());
        const QRect last = view.visualRect(model.index(rows - 1, 0));
        QVERIFY(last.bottom() < view.viewport()->height());
        QVERIFY(last.bottom() >= view.viewport()->height() - 2 * view.rowHeight());
        // Below the last row there is nothing.
        if (last.bottom() + 2 < view.viewport()->height())
            QVERIFY(!view.indexAt(QPoint(5, last.bottom() + 2)).isValid());
    }

    void keyboardMovesTheCurrentRow()
    {
        CountingModel model;
        model.setRows(1000);
        EventTableView view;
        view.setModel(&model);
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setFocus();
        view.setCurrentIndex(model.index(10, 2));
        QTest::keyClick(&view, Qt::Key_Down);
        QCOMPARE(view.currentIndex().row(), 11);
        QVERIFY(view.selectionModel()->isRowSelected(11, {})); // whole rows are selected
        QVERIFY(!view.selectionModel()->isRowSelected(10, {}));
        QTest::keyClick(&view, Qt::Key_PageDown);
        const int page = view.viewport()->height() / view.rowHeight();
        QCOMPARE(view.currentIndex().row(), 11 + page);
        QTest::keyClick(&view, Qt::Key_End);
        QCOMPARE(view.currentIndex().row(), 999);
        QVERIFY(view.viewport()->rect().contains(view.visualRect(view.currentIndex()).center()));
        QTest::keyClick(&view, Qt::Key_Home);
        QCOMPARE(view.currentIndex().row(), 0);
        QTest::keyClick(&view, Qt::Key_Up); // stays on the first row
        QCOMPARE(view.currentIndex().row(), 0);
        // Left and right move over the shown columns, skipping hidden ones.
        view.setColumnHidden(3, true);
        QCOMPARE(view.currentIndex().column(), 2);
        QTest::keyClick(&view, Qt::Key_Right);
        QCOMPARE(view.currentIndex().column(), 4);
        QTest::keyClick(&view, Qt::Key_Left);
        QCOMPARE(view.currentIndex().column(), 2);
    }

    void clickSelectsTheRowUnderTheMouse()
    {
        CountingModel model;
        model.setRows(5000);
        EventTableView view;
        view.setModel(&model);
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.scrollTo(model.index(2500, 0), QAbstractItemView::PositionAtTop);
        const QPoint inThirdRow(10, 2 * view.rowHeight() + view.rowHeight() / 2);
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, inThirdRow);
        QCOMPARE(view.currentIndex().row(), 2502);
        QVERIFY(view.selectionModel()->isRowSelected(2502, {}));
    }

    void aModelResetKeepsColumnsAndClampsTheScroll()
    {
        CountingModel model;
        model.setRows(100000);
        EventTableView view;
        view.setModel(&model);
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.horizontalHeader()->moveSection(5, 0);
        view.setColumnHidden(7, true);
        view.scrollTo(model.index(90000, 0), QAbstractItemView::PositionAtTop);
        model.setRows(5); // a filter left few rows
        QCOMPARE(view.horizontalHeader()->logicalIndex(0), 5);
        QVERIFY(view.isColumnHidden(7));
        QCOMPARE(view.verticalScrollBar()->maximum(), 0); // 5 rows fit
        QCOMPARE(view.indexAt(QPoint(5, view.rowHeight() / 2)).row(), 0);
    }

    void theMenuKeyAsksForTheCurrentRowsMenu()
    {
        CountingModel model;
        model.setRows(100);
        EventTableView view;
        view.setModel(&model);
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setCurrentIndex(model.index(7, 4));
        QSignalSpy asked(&view, &EventTableView::eventMenuRequested);
        QContextMenuEvent fromKeyboard(QContextMenuEvent::Keyboard, QPoint(1, 1), QPoint(1, 1));
        QApplication::sendEvent(&view, &fromKeyboard);
        QCOMPARE(asked.count(), 1);
        QCOMPARE(asked.at(0).at(0).value<QModelIndex>(), model.index(7, 4));
        // From the mouse: the cell under it.
        const QRect cell = view.visualRect(model.index(2, 1));
        QContextMenuEvent fromMouse(
            QContextMenuEvent::Mouse, cell.center(), view.viewport()->mapToGlobal(cell.center()));
        QApplication::sendEvent(view.viewport(), &fromMouse);
        QCOMPARE(asked.count(), 2);
        QCOMPARE(asked.at(1).at(0).value<QModelIndex>(), model.index(2, 1));
    }

    void rowsShowTheirPolicyRulesColour()
    {
        CountingModel model;
        model.setRows(10);
        model.withRules = true;
        EventTableView view;
        view.setModel(&model);
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QImage image = view.viewport()->grab().toImage();
        for (int row = 0; row < 6; ++row) {
            const int y = row * view.rowHeight() + view.rowHeight() / 2;
            QCOMPARE(image.pixelColor(1, y).rgb(), EventTableView::ruleColor(row % 3).rgb());
        }
        QVERIFY(EventTableView::ruleColor(0) != EventTableView::ruleColor(1));
        // Without a policy there is no strip: the cell background shows.
        model.withRules = false;
        view.viewport()->update();
        const QImage plain = view.viewport()->grab().toImage();
        QVERIFY(
            plain.pixelColor(1, view.rowHeight() / 2).rgb() != EventTableView::ruleColor(0).rgb());
    }

    void changedRowsRepaintWhereTheyAreVisible()
    {
        CountingModel model;
        model.setRows(1000000);
        EventTableView view;
        view.setModel(&model);
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.scrollTo(model.index(500000, 0), QAbstractItemView::PositionAtTop);
        QTest::qWait(50);
        PaintRecorder recorder;
        view.viewport()->installEventFilter(&recorder);
        const int rule = int(EventColumn::Rule), level = int(EventColumn::PolicyLevel);
        // Rows far above the viewport: nothing to repaint.
        Q_EMIT model.dataChanged(model.index(10, rule), model.index(20, level));
        QTest::qWait(50);
        QVERIFY(recorder.painted.isEmpty());
        // A new policy result changes the policy columns of every row: the whole viewport is
        // repainted (the rule strip sits in the first column, whichever columns changed).
        model.withRules = true;
        Q_EMIT model.dataChanged(model.index(0, rule), model.index(999999, level));
        QTRY_VERIFY(!recorder.painted.isEmpty());
        QCOMPARE(recorder.painted.boundingRect(), view.viewport()->rect());
        // One visible row: just its band.
        recorder.painted = {};
        Q_EMIT model.dataChanged(model.index(500002, rule), model.index(500002, level));
        QTRY_VERIFY(!recorder.painted.isEmpty());
        QCOMPARE(recorder.painted.boundingRect(),
            QRect(0, 2 * view.rowHeight(), view.viewport()->width(), view.rowHeight()));
    }
};

QTEST_MAIN(TestEventTableView)
#include "tst_eventtableview.moc"
