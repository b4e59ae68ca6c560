// SPDX-License-Identifier: Apache-2.0
// A whole investigation step without the mouse: find -> filter, move through events, open the
// event's fields, apply one as a filter, copy, and the Go menu's moves.
#include "detailpane.h"
#include "eventtableview.h"
#include "filterbar.h"
#include "itemmodels/eventtablemodel.h"
#include "mainwindowtest.h"

#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QTreeView>
#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

class TestKeyboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { initMainWindowTest(); }

    void anInvestigationStepWithoutTheMouse()
    {
        MainWindow window;
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(openAndWait(window, IncidentSample));
        EventTableModel* model = window.eventModel();
        EventTableView* table = window.eventTable();

        // Ctrl+F lands in the filter bar; typing and Enter filter the table.
        QTest::keySequence(&window, QKeySequence::Find);
        QLineEdit* edit = window.filterBar()->lineEdit();
        QCOMPARE(QApplication::focusWidget(), edit);
        QSignalSpy filtered(&window, &MainWindow::filterFinished);
        QTest::keyClicks(edit, QStringLiteral("verb:delete"));
        QTest::keyClick(edit, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(filtered.count(), 1, 10000);
        const int rows = model->rowCount();
        QVERIFY(rows > 3);
        const int verb = static_cast<int>(EventColumn::Verb);
        for (int row = 0; row < rows; ++row)
            QCOMPARE(model->index(row, verb).data().toString(), QStringLiteral("delete"));

        // Ctrl+1 goes to the event list; the Go moves step through the shown events and the
        // event pane follows.
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(QApplication::focusWidget(), table);
        QCOMPARE(table->currentIndex().row(), 0);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Down, Qt::ControlModifier);
        QCOMPARE(table->currentIndex().row(), 1);
        QCOMPARE(window.detailPane()->event(), model->eventAt(1));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_End, Qt::ControlModifier);
        QCOMPARE(table->currentIndex().row(), rows - 1);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Up, Qt::ControlModifier);
        QCOMPARE(table->currentIndex().row(), rows - 2);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Home, Qt::ControlModifier);
        QCOMPARE(table->currentIndex().row(), 0);
        // Plain arrows in the list move too.
        QTest::keyClick(table, Qt::Key_Down);
        QCOMPARE(table->currentIndex().row(), 1);
        const EventId chosen = model->eventAt(1);

        // Ctrl+C in the list copies the row as shown (tab-separated, shown columns in order).
        QTest::keySequence(table, QKeySequence::Copy);
        const QStringList copied = QGuiApplication::clipboard()->text().split(QLatin1Char('\t'));
        int shown = 0;
        for (int c = 0; c < EventColumnCount; ++c)
            shown += table->isColumnHidden(c) ? 0 : 1; // the policy columns wait for a policy
        QCOMPARE(copied.size(), shown);
        QCOMPARE(copied.at(verb), QStringLiteral("delete"));
        QCOMPARE(copied.at(0), model->index(1, 0).data().toString());
        // Ctrl+Shift+C copies the event's JSON.
        QTest::keyClick(table, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
        const QJsonObject event =
            QJsonDocument::fromJson(QGuiApplication::clipboard()->text().toUtf8()).object();
        QCOMPARE(event.value(QStringLiteral("verb")).toString(), QStringLiteral("delete"));
        QCOMPARE(event.value(QStringLiteral("auditID")).toString(),
            model->index(1, static_cast<int>(EventColumn::AuditId)).data().toString());

        // Ctrl+2 goes to the event's fields; typing a key's name finds it, Ctrl+Enter applies it
        // as the filter.
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_2, Qt::ControlModifier);
        QTreeView* tree = window.detailPane()->treeView();
        QCOMPARE(QApplication::focusWidget(), tree);
        QTest::keyClicks(tree, QStringLiteral("objectRef"));
        QCOMPARE(tree->currentIndex().data().toString(), QStringLiteral("objectRef"));
        QTest::keyClick(tree, Qt::Key_Right); // expand
        QTest::keyClick(tree, Qt::Key_Down); // its first field
        QTest::keyClick(tree, Qt::Key_Return, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(filtered.count(), 2, 10000);
        QVERIFY2(edit->text().startsWith(QStringLiteral("objectRef.")), qPrintable(edit->text()));
        QVERIFY(model->rowOf(chosen) >= 0); // the event the filter came from is still shown
    }
};

QTEST_MAIN(TestKeyboard)
#include "tst_keyboard.moc"
