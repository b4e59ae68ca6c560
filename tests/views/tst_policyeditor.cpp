// SPDX-License-Identifier: Apache-2.0
// The policy editor in the main window: typing re-validates (errors located in the text) and
// re-matches the log (the table's Rule column); the current event's rule is highlighted and
// explained; a click on a rule in the outline filters the table to it; unsaved edits are
// autosaved and offered back, and closing asks about them; the impact compares the edit with
// the saved file or another open policy, and a click on a change filters to its events; every
// bundled template gives a policy the engine loads.
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
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTimer>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

#include <memory>

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

// Waits until no evaluation is pending and returns the last result shown.
PolicyEvaluationResultPtr settledResult(MainWindow& window)
{
    while (window.policyRunner()->isPending())
        if (!waitForPolicy(window))
            return nullptr;
    return window.policyRunner()->lastResult();
}

// Answers the next modal message boxes, in order, with `buttons` as each one shows; their texts
// go to `texts`. Gives up after 10 s (a question that never came fails the caller's checks).
void answerQuestions(QList<QMessageBox::StandardButton> buttons, QStringList* texts = nullptr)
{
    auto* poll = new QTimer(QCoreApplication::instance());
    poll->setInterval(20);
    auto answered = std::make_shared<QPointer<QMessageBox>>();
    auto deadline = std::make_shared<QElapsedTimer>();
    deadline->start();
    QObject::connect(poll, &QTimer::timeout, poll, [=]() mutable {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (box && box != answered->data() && !buttons.isEmpty()) {
            if (texts)
                *texts << box->text();
            *answered = box;
            box->button(buttons.takeFirst())->click();
        }
        if (buttons.isEmpty() || deadline->elapsed() > 10000)
            poll->deleteLater();
    });
    poll->start();
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
        // Underlined, in the error's colour on top of any warning on the same span (the last
        // selection paints over the others).
        QColor shown;
        for (const QTextEdit::ExtraSelection& s : editor->extraSelections())
            if (s.format.underlineStyle() == QTextCharFormat::WaveUnderline
                && s.cursor.block().blockNumber() == 63
                && s.cursor.selectedText() == QStringLiteral("Metadatum"))
                shown = s.format.underlineColor();
        QVERIFY(shown.isValid());
        QVERIFY2(shown.red() > 200 && shown.green() < 100, qPrintable(shown.name()));
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

    void sortsByRuleAndResortsAfterAnEdit()
    {
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, IncidentSample));
        QVERIFY(window.openPolicy(DocsPolicy));
        QVERIFY(settledResult(window));
        // Rules ascend; within a rule, events in store (time) order.
        auto rulesAscend = [&window] {
            const EventTableModel* model = window.eventModel();
            int previous = -2;
            EventId previousEvent;
            for (int row = 0; row < model->rowCount(); ++row) {
                const int rule =
                    model->index(row, 0).data(EventTableModel::MatchedRuleRole).toInt();
                const EventId event = model->eventAt(row);
                if (rule < previous || (rule == previous && event.value < previousEvent.value))
                    return false;
                previous = rule;
                previousEvent = event;
            }
            return model->rowCount() > 0;
        };
        QSignalSpy sorted(&window, &MainWindow::sortFinished);
        window.sortBy(EventColumn::Rule, false);
        QVERIFY(sorted.wait(10000));
        QVERIFY(rulesAscend());
        // A rule for watches typed at the top: the rules change and the table is sorted again,
        // the watches (rule 0 now) first.
        PolicyCodeEdit* editor = window.policyEditor()->activeEditor();
        editor->setTextCursor(editor->cursorAt(7, 1));
        QTest::keyClicks(editor, QStringLiteral("- level: None"));
        QTest::keyClick(editor, Qt::Key_Return); // indents the next line by two
        QTest::keyClicks(editor, QStringLiteral("verbs: [watch]"));
        QTest::keyClick(editor, Qt::Key_Return);
        QVERIFY(settledResult(window));
        QTRY_VERIFY(sorted.count() >= 2);
        QVERIFY(rulesAscend());
        const EventTableModel* model = window.eventModel();
        int watches = 0;
        for (int row = 0; row < model->rowCount(); ++row)
            watches += model->index(row, int(EventColumn::Verb)).data() == QStringLiteral("watch");
        QVERIFY(watches > 0);
        for (int row = 0; row < model->rowCount(); ++row)
            QCOMPARE(model->index(row, int(EventColumn::Verb)).data() == QStringLiteral("watch"),
                row < watches);
        window.policyEditor()->closeTab(0);
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

    void closingAsksAboutUnsavedPolicies()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.newPolicyFromTemplate(QStringLiteral("gke-style"));
        PolicyEditor* editor = window.policyEditor();
        QVERIFY(editor->activeDocument()->isModified());
        QCOMPARE(editor->modifiedCount(), 1);
        // Cancel keeps the window and the edits.
        QStringList questions;
        answerQuestions({QMessageBox::Cancel}, &questions);
        QVERIFY(!window.close());
        QCOMPARE(questions.size(), 1);
        QVERIFY(questions.front().contains(QStringLiteral("Untitled policy")));
        QVERIFY(window.isVisible());
        QCOMPARE(editor->documentCount(), 1);
        // A tab's close button asks too.
        answerQuestions({QMessageBox::Cancel});
        Q_EMIT editor->tabs()->tabCloseRequested(0);
        QCOMPARE(editor->documentCount(), 1);
        answerQuestions({QMessageBox::Discard});
        Q_EMIT editor->tabs()->tabCloseRequested(0);
        QCOMPARE(editor->documentCount(), 0);

        // A save that fails says why, and the window stays open with the edits.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("policy.yaml"));
        QVERIFY(QFile::copy(DocsPolicy, path));
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
        QVERIFY(window.openPolicy(path));
        QTest::keyClicks(editor->activeEditor(), QStringLiteral("# edit"));
        QVERIFY(dir.remove()); // the folder is gone: the save cannot be written
        questions.clear();
        answerQuestions({QMessageBox::Save, QMessageBox::Ok}, &questions);
        QVERIFY(!window.close());
        QCOMPARE(questions.size(), 2);
        QVERIFY2(questions.back().startsWith(QStringLiteral("policy.yaml was not saved")),
            qPrintable(questions.back()));
        QVERIFY(editor->activeDocument()->isModified());

        // Discard on close deletes the autosave and writes no new one: nothing is offered next
        // time.
        editor->setAutosaveInterval(50);
        QSignalSpy autosaved(editor->activeDocument(), &PolicyDocument::autosaved);
        QTest::keyClicks(editor->activeEditor(), QStringLiteral(" more"));
        QVERIFY(autosaved.wait(5000));
        const QString autosave = editor->activeDocument()->autosavePath();
        QVERIFY(QFileInfo::exists(autosave));
        answerQuestions({QMessageBox::Discard});
        QVERIFY(window.close());
        QVERIFY(!QFileInfo::exists(autosave));
        QTest::qWait(200); // autosave ticks would have come by now
        QVERIFY(!QFileInfo::exists(autosave));
        QVERIFY(PolicyDocument::recoverableAutosaves().isEmpty());
    }

    void comparesTheEditWithTheSavedFileOrAnotherPolicy()
    {
        QTemporaryDir dir; // a copy, so that saving leaves the bundled template alone
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("cluster-policy.yaml"));
        QVERIFY(QFile::copy(DocsPolicy, path));
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
        MainWindow window;
        window.resize(1360, 820);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, IncidentSample));
        QVERIFY(window.openPolicy(path));
        QVERIFY(settledResult(window));
        PolicyRulesPanel* rules = window.policyRules();
        QComboBox* compareWith = rules->comparisonBox();
        QCOMPARE(compareWith->count(), 2); // the recorded log; the saved file
        QVERIFY(compareWith->itemText(1).contains(QStringLiteral("cluster-policy.yaml")));
        QVERIFY(rules->changesView()->isHidden());
        QVERIFY(!window.policyRunner()->lastResult()->comparison);

        compareWith->setCurrentIndex(1);
        Q_EMIT compareWith->activated(1);
        PolicyEvaluationResultPtr result = settledResult(window);
        QVERIFY(result && result->comparison);
        QCOMPARE(result->comparison->changedEvents(), std::uint64_t(0));
        QVERIFY(rules->blindSpotsLabel()->text().startsWith(QStringLiteral("No event changes")));
        QVERIFY(rules->changesView()->isHidden());

        // The catch-all rule at None: what it wrote is dropped, and nothing else changes.
        typeOver(window.policyEditor()->activeEditor(), 64, 10, QStringLiteral("Metadata"),
            QStringLiteral("None"));
        result = settledResult(window);
        QVERIFY(result && result->comparison);
        const std::uint64_t dropped =
            result->comparison->events[std::size_t(PolicyChange::Dropped)];
        QVERIFY(dropped > 0);
        QCOMPARE(result->comparison->changedEvents(), dropped);
        QCOMPARE(result->comparison->baseline.total.keptEvents - result->impact->total.keptEvents,
            dropped);
        QVERIFY2(rules->blindSpotsLabel()->text().contains(QStringLiteral("events change")),
            qPrintable(rules->blindSpotsLabel()->text()));
        QTreeWidget* changes = rules->changesView();
        QVERIFY(!changes->isHidden());
        QTreeWidgetItem* droppedItem = changes->topLevelItem(0);
        QVERIFY(droppedItem->text(0).startsWith(QStringLiteral("Dropped")));
        QCOMPARE(droppedItem->text(1), QLocale().toString(qulonglong(dropped)));
        QVERIFY(droppedItem->childCount() >= 1); // e.g. Metadata → not written
        QVERIFY(droppedItem->child(0)->text(0).endsWith(QStringLiteral("→ not written")));
        QVERIFY(changes->topLevelItem(1)->isHidden()); // nothing added

        // A click on the change shows exactly its events: written before, not now.
        QSignalSpy filtered(&window, &MainWindow::filterFinished);
        const QRect cell = changes->visualItemRect(droppedItem);
        QVERIFY(cell.isValid());
        QTest::mouseClick(changes->viewport(), Qt::LeftButton, {}, cell.center());
        QVERIFY(filtered.wait(10000));
        QCOMPARE(window.filterBar()->filterText(), QStringLiteral("policychange:dropped"));
        QCOMPARE(std::uint64_t(window.eventModel()->rowCount()), dropped);
        for (int row = 0; row < window.eventModel()->rowCount(); row += 7)
            QCOMPARE(window.eventModel()->index(row, int(EventColumn::PolicyLevel)).data(),
                QVariant(QStringLiteral("None")));

        // Another open policy can be the baseline; the saved file of an untitled one cannot.
        window.newPolicyFromTemplate(QStringLiteral("gke-style"));
        QCOMPARE(compareWith->count(), 3);
        QVERIFY(!qobject_cast<QStandardItemModel*>(compareWith->model())->item(1)->isEnabled());
        QVERIFY(compareWith->itemText(2).startsWith(QStringLiteral("cluster-policy.yaml")));
        QCOMPARE(compareWith->currentIndex(), 0); // the saved file of this one does not exist
        compareWith->setCurrentIndex(2);
        Q_EMIT compareWith->activated(2);
        result = settledResult(window);
        QVERIFY(result && result->comparison);
        QCOMPARE(QString::fromStdString(result->baseline->text),
            window.policyEditor()->documentAt(0)->text());
        QVERIFY(result->comparison->changedEvents() > 0);

        // Each policy keeps its own choice: back on the first, it is its saved file again.
        window.policyEditor()->tabs()->setCurrentIndex(0);
        QCOMPARE(compareWith->currentIndex(), 1);
        result = settledResult(window);
        QCOMPARE(result->comparison->events[std::size_t(PolicyChange::Dropped)], dropped);
        window.policyEditor()->tabs()->setCurrentIndex(1);
        QCOMPARE(compareWith->currentIndex(), 2);
        QVERIFY(settledResult(window)->comparison);
        window.policyEditor()->tabs()->setCurrentIndex(0);
        // Saving makes the edit the saved file: nothing changes.
        QVERIFY(window.policyEditor()->save());
        result = settledResult(window);
        QVERIFY(result && result->comparison);
        QCOMPARE(result->comparison->changedEvents(), std::uint64_t(0));
        window.policyEditor()->closeTab(1); // the untitled template: no question in cleanup
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
            // A new document is evaluated at once, the snippet after the debounce: the last.
            const PolicyEvaluationResultPtr result = settledResult(window);
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
        // The impact against the saved file, with rule 2 (core resources) at None instead.
        typeOver(editor, 43, 10, QStringLiteral("Requests"), QStringLiteral("None"));
        QComboBox* compareWith = window.policyRules()->comparisonBox();
        compareWith->setCurrentIndex(1);
        Q_EMIT compareWith->activated(1);
        const PolicyEvaluationResultPtr result = settledResult(window);
        QVERIFY(result && result->comparison);
        QTest::qWait(300);
        window.rulesDock()->grab().save(shots + QStringLiteral("/policy-impact.png"));
        window.grab().save(shots + QStringLiteral("/policy-compared.png"));
    }
};

QTEST_MAIN(TestPolicyEditor)
#include "tst_policyeditor.moc"
