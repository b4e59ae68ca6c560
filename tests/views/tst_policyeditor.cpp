// SPDX-License-Identifier: Apache-2.0
// The policy editor in the main window: typing re-validates (errors located in the text) and
// re-matches the log (the table's Rule column); the current event's rule is highlighted and
// explained; a click on a rule in the outline filters the table to it; unsaved edits are
// autosaved and offered back; every bundled template gives a policy the engine loads.
#include "eventtableview.h"
#include "filterbar.h"
#include "itemmodels/eventtablemodel.h"
#include "itemmodels/policyruleoutlinemodel.h"
#include "mainwindowtest.h"
#include "policy/policyevaluationrunner.h"
#include "policy/policytemplates.h"
#include "policycodeedit.h"
#include "policyeditor.h"
#include "policyrulespanel.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QListWidget>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QTextBlock>
#include <QTreeView>
#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {

const QString DocsPolicy =
    QStringLiteral(AUDITSCOPE_SAMPLE_DIR "/../policies/kubernetes-docs-example.yaml");

// Waits for the window to show an evaluation of the active policy.
bool waitForPolicy(MainWindow& window, int timeoutMs = 20000)
{
    QSignalSpy shown(&window, &MainWindow::policyResultShown);
    return shown.wait(timeoutMs);
}

QString ruleCell(MainWindow& window, int row)
{
    return window.eventModel()->index(row, int(EventColumn::Rule)).data().toString();
}

// Selects `text` at line:column of the editor and types `replacement` over it.
void typeOver(
    PolicyCodeEdit* editor, int line, int column, const QString& text, const QString& replacement)
{
    QTextCursor cursor = editor->cursorAt(line, column);
    cursor.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor, int(text.size()));
    QCOMPARE(cursor.selectedText(), text);
    editor->setTextCursor(cursor);
    editor->setFocus();
    QTest::keyClicks(editor, replacement);
}

void removeAutosaves()
{
    QDir dir(PolicyDocument::autosaveDirectory());
    for (const QString& file : dir.entryList(QDir::Files))
        dir.remove(file);
}

} // namespace

class TestPolicyEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QLocale::setDefault(QLocale::c());
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        removeAutosaves();
        QVERIFY(QFileInfo::exists(DocsPolicy));
    }

    void cleanup() { removeAutosaves(); }

    void typingUpdatesDiagnosticsAndTheRuleColumn()
    {
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, IncidentSample));
        QVERIFY(window.openPolicy(DocsPolicy));
        QVERIFY(waitForPolicy(window));
        QVERIFY(window.policyDock()->isVisible());
        QVERIFY(!window.eventTable()->isColumnHidden(int(EventColumn::Rule)));
        QVERIFY(window.policyEditor()->statusText().contains(QStringLiteral("would load")));
        QVERIFY(!ruleCell(window, 0).isEmpty());
        PolicyCodeEdit* editor = window.policyEditor()->activeEditor();

        // An invalid level on the catch-all rule (line 64): an error at that line.
        QElapsedTimer typing;
        typing.start();
        typeOver(editor, 64, 10, QStringLiteral("Metadata"), QStringLiteral("Metadatum"));
        QVERIFY(waitForPolicy(window));
        qInfo("keystroke to shown result: %lld ms (debounce %d ms)", typing.elapsed(),
            window.policyRunner()->debounceInterval());
        QVERIFY(window.policyEditor()->statusText().contains(QStringLiteral("refuse")));
        bool found = false;
        for (const EditorDiagnostic& d : editor->diagnostics())
            found = found || (d.error && d.line == 64);
        QVERIFY2(found, "no error at line 64");
        bool underlined = false;
        for (const QTextEdit::ExtraSelection& s : editor->extraSelections())
            underlined = underlined
                || (s.format.underlineStyle() == QTextCharFormat::WaveUnderline
                    && s.cursor.block().blockNumber() == 63
                    && s.cursor.selectedText() == QStringLiteral("Metadatum"));
        QVERIFY(underlined);
        QVERIFY(window.policyEditor()->problemsList()->count() >= 1);

        // A catch-all rule typed at the top decides every event: Rule 0 everywhere.
        QTextCursor top = editor->cursorAt(7, 1);
        editor->setTextCursor(top);
        QTest::keyClicks(editor, QStringLiteral("- level: None"));
        QTest::keyClick(editor, Qt::Key_Return); // keeps the list item's mapping indentation
        QCOMPARE(editor->textCursor().block().text(),
            QStringLiteral("  # Log pod changes at RequestResponse level"));
        QCOMPARE(editor->textCursor().positionInBlock(), 2);
        QVERIFY(waitForPolicy(window));
        while (window.policyRunner()->isPending())
            QVERIFY(waitForPolicy(window));
        QVERIFY(window.eventModel()->rowCount() > 100);
        for (int row = 0; row < window.eventModel()->rowCount(); row += 37)
            QCOMPARE(ruleCell(window, row), QStringLiteral("0"));
        QCOMPARE(window.eventModel()->index(0, int(EventColumn::PolicyLevel)).data().toString(),
            QStringLiteral("None"));
    }

    void selectingAnEventHighlightsItsRule()
    {
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, IncidentSample));
        QVERIFY(window.openPolicy(DocsPolicy));
        QVERIFY(waitForPolicy(window));
        PolicyCodeEdit* editor = window.policyEditor()->activeEditor();
        const PolicyRuleOutlineModel* outline = window.policyRules()->outlineModel();
        QVERIFY(outline->rowCount() == 9);
        // Events decided by a rule past the first: the explanation lists the earlier rules.
        int checked = 0;
        for (int row = 0; row < window.eventModel()->rowCount() && checked < 3; row += 11) {
            const int rule =
                window.eventModel()->index(row, 0).data(EventTableModel::MatchedRuleRole).toInt();
            if (rule < 1)
                continue;
            window.eventTable()->setCurrentIndex(window.eventModel()->index(row, 0));
            const QModelIndex ruleRow = outline->index(outline->rowOfRule(rule), 0);
            const int begin = ruleRow.data(PolicyRuleOutlineModel::SpanBeginLineRole).toInt();
            const int endExclusive = ruleRow.data(PolicyRuleOutlineModel::SpanEndLineRole).toInt();
            QVERIFY(begin > 0);
            QCOMPARE(editor->highlightedBeginLine(), begin);
            QVERIFY(editor->highlightedEndLine() >= begin
                && editor->highlightedEndLine() <= endExclusive);
            // The extra selections cover exactly the rule's lines, full width.
            QList<int> lines;
            for (const QTextEdit::ExtraSelection& s : editor->extraSelections())
                if (s.format.property(QTextFormat::FullWidthSelection).toBool())
                    lines << s.cursor.block().blockNumber() + 1;
            QCOMPARE(lines.front(), begin);
            QCOMPARE(lines.back(), editor->highlightedEndLine());
            QCOMPARE(lines.size(), editor->highlightedEndLine() - begin + 1);
            const QString why = window.policyRules()->explanationView()->toPlainText();
            QVERIFY2(why.contains(QStringLiteral("rule %1").arg(rule)), qPrintable(why));
            QVERIFY2(why.contains(QStringLiteral("rule 0")), qPrintable(why));
            // The outline selects the rule.
            QCOMPARE(window.policyRules()->outlineView()->currentIndex().row(), rule);
            ++checked;
        }
        QVERIFY(checked > 0);
    }

    void clickingARuleFiltersTheTable()
    {
        MainWindow window;
        window.resize(1360, 820);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, IncidentSample));
        QVERIFY(window.openPolicy(DocsPolicy));
        QVERIFY(waitForPolicy(window));
        const PolicyRuleOutlineModel* outline = window.policyRules()->outlineModel();
        int rule = -1;
        qulonglong events = 0;
        for (int row = outline->rowCount() - 1; row >= 0 && rule < 0; --row) {
            events = outline->index(row, 0).data(PolicyRuleOutlineModel::EventsRole).toULongLong();
            if (events > 0 && events < qulonglong(window.eventModel()->rowCount()))
                rule = row;
        }
        QVERIFY(rule >= 0);
        QTreeView* view = window.policyRules()->outlineView();
        const QRect cell = view->visualRect(outline->index(rule, 0));
        QVERIFY(cell.isValid());
        QSignalSpy filtered(&window, &MainWindow::filterFinished);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cell.center());
        QVERIFY(filtered.wait(10000));
        QCOMPARE(window.filterBar()->filterText(), QStringLiteral("rule:%1").arg(rule));
        QCOMPARE(qulonglong(window.eventModel()->rowCount()), events);
        for (int row = 0; row < window.eventModel()->rowCount(); ++row)
            QCOMPARE(ruleCell(window, row), QString::number(rule));
        // The editor's cursor is on the rule.
        const int begin =
            outline->index(rule, 0).data(PolicyRuleOutlineModel::SpanBeginLineRole).toInt();
        QCOMPARE(window.policyEditor()->activeEditor()->textCursor().blockNumber() + 1, begin);
    }

    void unsavedEditsAreAutosavedAndOfferedBack()
    {
        QString edited;
        {
            MainWindow first;
            first.newPolicyFromTemplate(QStringLiteral("gke-style"));
            QCOMPARE(first.policyEditor()->documentCount(), 1);
            PolicyDocument* document = first.policyEditor()->activeDocument();
            QSignalSpy autosaved(document, &PolicyDocument::autosaved);
            first.policyEditor()->setAutosaveInterval(100);
            PolicyCodeEdit* editor = first.policyEditor()->activeEditor();
            editor->moveCursor(QTextCursor::End);
            QTest::keyClicks(editor, QStringLiteral("# an edit worth keeping"));
            edited = editor->toPlainText();
            QVERIFY(autosaved.wait(5000));
            QVERIFY(document->hasAutosave());
        } // the window goes without saving: a crash, as far as the autosave knows
        QCOMPARE(PolicyDocument::recoverableAutosaves().size(), 1);
        MainWindow second;
        second.show();
        QVERIFY(second.policyEditor()->recoveryOffered());
        QVERIFY(second.policyDock()->isVisible());
        QCOMPARE(second.policyEditor()->documentCount(), 0);
        auto* restore =
            second.policyEditor()->findChild<QPushButton*>(QStringLiteral("restoreAutosaves"));
        QVERIFY(restore);
        QTest::mouseClick(restore, Qt::LeftButton);
        QCOMPARE(second.policyEditor()->documentCount(), 1);
        QCOMPARE(second.policyEditor()->activeText(), edited);
        QVERIFY(second.policyEditor()->activeDocument()->isModified());
        // Closing the tab is a decision: the autosave goes.
        second.policyEditor()->closeTab(0);
        QVERIFY(PolicyDocument::recoverableAutosaves().isEmpty());
    }

    void everyTemplateGivesAPolicyTheEngineLoads()
    {
        MainWindow window; // no log: decoding, validation and lint only
        const QList<PolicyTemplate> templates = policyTemplates();
        QVERIFY(templates.size() >= 10);
        for (const PolicyTemplate& t : templates) {
            if (t.kind == PolicyTemplate::Kind::Policy) {
                window.newPolicyFromTemplate(t.id);
            } else {
                window.newPolicyFromTemplate(QStringLiteral("kubernetes-docs-example"));
                // The cursor inside a rule in the middle: the snippet goes before that rule.
                window.policyEditor()->activeEditor()->goTo(30, 5);
                window.policyEditor()->insertSnippet(
                    t.text(), t.kind == PolicyTemplate::Kind::TopLevelSnippet);
            }
            QVERIFY(waitForPolicy(window));
            const PolicyEvaluationResultPtr result = window.policyRunner()->lastResult();
            QVERIFY(result);
            QString problems;
            for (const PolicyDiagnostic& d : result->load.diagnostics)
                problems += QStringLiteral("%1:%2 %3\n")
                                .arg(d.line)
                                .arg(d.column)
                                .arg(QString::fromStdString(d.message));
            QVERIFY2(result->load.loadable,
                qPrintable(
                    t.id + QLatin1Char('\n') + problems + window.policyEditor()->activeText()));
            const int expectedRules =
                t.kind == PolicyTemplate::Kind::Policy ? t.ruleCount : 9 + t.ruleCount;
            QCOMPARE(int(result->load.policy.rules.size()), expectedRules);
            window.policyEditor()->closeTab(window.policyEditor()->tabs()->currentIndex());
        }
    }

    void screenshots()
    {
        const QString shots = qEnvironmentVariable("AUDITSCOPE_SCREENSHOT_DIR");
        if (shots.isEmpty())
            QSKIP("set AUDITSCOPE_SCREENSHOT_DIR to write screenshots");
        MainWindow window;
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, IncidentSample));
        QVERIFY(window.openPolicy(DocsPolicy));
        QVERIFY(waitForPolicy(window));
        PolicyCodeEdit* editor = window.policyEditor()->activeEditor();
        // A rule after the catch-all (shadowed), and an invalid level.
        editor->moveCursor(QTextCursor::End);
        editor->insertPlainText(
            QStringLiteral("\n- level: RequestResponse\n  verbs: [\"delete\"]\n"));
        typeOver(editor, 43, 10, QStringLiteral("Request"), QStringLiteral("Requests"));
        QVERIFY(waitForPolicy(window));
        while (window.policyRunner()->isPending())
            QVERIFY(waitForPolicy(window));
        QTest::qWait(300); // the docks settle
        editor->horizontalScrollBar()->setValue(0);
        editor->centerCursor();
        window.policyDock()->grab().save(shots + QStringLiteral("/policy-editor-error.png"));
        window.eventTable()->setFocus(); // the editor then shows the event's rule
        window.eventTable()->setCurrentIndex(window.eventModel()->index(40, 0));
        QTest::qWait(300);
        window.grab().save(shots + QStringLiteral("/policy-window.png"));
        window.policyDock()->grab().save(shots + QStringLiteral("/policy-editor.png"));
        window.rulesDock()->grab().save(shots + QStringLiteral("/policy-rules.png"));
    }
};

QTEST_MAIN(TestPolicyEditor)
#include "tst_policyeditor.moc"
