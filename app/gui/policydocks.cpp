// SPDX-License-Identifier: Apache-2.0
#include "policydocks.h"

#include "eventtableview.h"
#include "filterbar.h"
#include "investigation/investigation.h"
#include "itemmodels/eventtablemodel.h"
#include "policy/policydocument.h"
#include "policy/policytemplates.h"
#include "policyeditor.h"
#include "policyrulespanel.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QStatusBar>

namespace auditscope {

PolicyDocks::PolicyDocks(const WindowParts& parts, QDockWidget* bottomNeighbour)
    : QObject(parts.window)
    , m_parts(parts)
    , m_editor(new PolicyEditor)
    , m_rules(new PolicyRulesPanel)
    , m_policyDock(new QDockWidget(tr("Policy")))
    , m_rulesDock(new QDockWidget(tr("Rules")))
    , m_bottomNeighbour(bottomNeighbour)
{
    m_policyDock->setObjectName(QStringLiteral("policyEditor"));
    m_policyDock->setWidget(m_editor);
    m_parts.window->addDockWidget(Qt::RightDockWidgetArea, m_policyDock);
    m_rulesDock->setObjectName(QStringLiteral("policyRules"));
    m_rulesDock->setWidget(m_rules);
    m_parts.window->addDockWidget(Qt::BottomDockWidgetArea, m_rulesDock);
    m_policyDock->hide();
    m_rulesDock->hide();
    // The policy columns mean nothing until a policy is active.
    m_parts.table->setColumnHidden(int(EventColumn::Rule), true);
    m_parts.table->setColumnHidden(int(EventColumn::PolicyLevel), true);

    Investigation* investigation = m_parts.investigation;
    connect(m_editor, &PolicyEditor::activeTextChanged, this, &PolicyDocks::activeTextChanged);
    connect(m_editor, &PolicyEditor::documentsChanged, this, [this] {
        updateComparisonChoices();
        updateBaseline();
    });
    connect(m_rules, &PolicyRulesPanel::comparisonChosen, this, &PolicyDocks::chooseComparison);
    connect(m_rules, &PolicyRulesPanel::changeActivated, this, [this](const QString& term) {
        if (m_parts.investigation->snapshot())
            m_parts.filterBar->applyFilter(term);
    });
    connect(investigation, &Investigation::policyResultChanged, this, &PolicyDocks::showResult);
    connect(m_rules, &PolicyRulesPanel::ruleActivated, this, [this](int rule) {
        if (rule < 0)
            return;
        m_editor->goToRule(rule);
        if (m_parts.investigation->snapshot())
            m_parts.filterBar->applyFilter(QStringLiteral("rule:%1").arg(rule));
    });
    // Edits left unsaved by a session that ended without saving: offer them back.
    if (m_editor->checkRecoverable() > 0)
        showEditor();
}

void PolicyDocks::activeTextChanged(const QString& text)
{
    if (m_editor->documentCount() == 0) {
        m_parts.investigation->clearPolicy();
        return;
    }
    const bool switched = m_choicesFor != m_editor->activeDocument();
    if (switched)
        updateComparisonChoices(); // another tab became active
    updateBaseline(); // another policy's text may have changed meanwhile
    // Only typing waits for the debounce: a policy opened or switched to is evaluated at once.
    m_parts.investigation->setPolicyText(text, switched);
}

void PolicyDocks::chooseComparison(int choice)
{
    const PolicyDocument* active = m_editor->activeDocument();
    if (!active)
        return;
    ComparisonChoice& chosen = m_choices[active];
    chosen.kind = choice == 1 ? Baseline::SavedFile
        : choice >= 2         ? Baseline::OtherPolicy
                              : Baseline::RecordedLog;
    chosen.other = choice >= 2 && choice - 2 < m_baselineChoices.size()
        ? m_baselineChoices[choice - 2]
        : nullptr;
    updateBaseline();
}

void PolicyDocks::createMenus(QMenu* file)
{
    file->addSeparator();
    QAction* open = file->addAction(tr("Open &Policy…"), this, &PolicyDocks::choosePolicy);
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_P));
    QMenu* fromTemplate = file->addMenu(tr("New Policy from &Template"));
    QMenu* policy = m_parts.window->menuBar()->addMenu(tr("&Policy"));
    policy->addAction(open);
    policy->addMenu(fromTemplate);
    QMenu* insert = policy->addMenu(tr("&Insert Template"));
    const QList<PolicyTemplate> templates = policyTemplates();
    for (const PolicyTemplate& t : templates) {
        if (t.kind == PolicyTemplate::Kind::Policy) {
            QAction* action = fromTemplate->addAction(
                t.title, this, [this, id = t.id] { newPolicyFromTemplate(id); });
            action->setToolTip(t.description);
        } else {
            QAction* action = insert->addAction(t.title, this, [this, t] {
                if (m_editor->documentCount() == 0)
                    newPolicyFromTemplate({});
                m_editor->insertSnippet(t.text(), t.kind == PolicyTemplate::Kind::TopLevelSnippet);
            });
            action->setToolTip(t.description);
            action->setStatusTip(t.description);
        }
    }
    fromTemplate->addSeparator();
    fromTemplate->addAction(tr("Empty policy"), this, [this] { newPolicyFromTemplate({}); });
    insert->setToolTipsVisible(true);
    fromTemplate->setToolTipsVisible(true);
    policy->addSeparator();
    QAction* save = policy->addAction(tr("&Save Policy"), this, [this] { m_editor->save(); });
    QAction* saveAs =
        policy->addAction(tr("Save Policy &As…"), this, [this] { m_editor->saveAs(); });
    // Ctrl+S works while the editor has the focus (the window has nothing else to save).
    save->setShortcut(QKeySequence::Save);
    saveAs->setShortcut(QKeySequence::SaveAs);
    file->addAction(save);
    file->addAction(saveAs);
    QAction* find = policy->addAction(tr("&Find in Policy…"), this, [this] {
        showEditor();
        m_editor->showFindBar();
    });
    find->setToolTip(tr("Ctrl+Shift+F in the editor; F3 finds the next one"));
    policy->addSeparator();
    policy->addAction(m_policyDock->toggleViewAction());
    policy->addAction(m_rulesDock->toggleViewAction());
    auto updateEnabled = [this, save, saveAs] {
        const bool any = m_editor->documentCount() > 0;
        save->setEnabled(any);
        saveAs->setEnabled(any);
    };
    connect(m_editor, &PolicyEditor::documentsChanged, this, updateEnabled);
    updateEnabled();
}

void PolicyDocks::choosePolicy()
{
    const QString path = QFileDialog::getOpenFileName(m_parts.window, tr("Open audit policy"),
        QString(), tr("Audit policies (*.yaml *.yml *.json);;All files (*)"));
    if (!path.isEmpty())
        openPolicy(path);
}

bool PolicyDocks::openPolicy(const QString& path)
{
    QString error;
    if (!m_editor->openFile(path, &error)) {
        m_parts.window->statusBar()->showMessage(tr("Policy not opened: %1").arg(error), 8000);
        return false;
    }
    showEditor();
    return true;
}

void PolicyDocks::newPolicyFromTemplate(const QString& id)
{
    QString text = QStringLiteral("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n");
    QString title;
    for (const PolicyTemplate& t : policyTemplates())
        if (t.id == id && t.kind == PolicyTemplate::Kind::Policy) {
            text = t.text();
            title = t.title;
        }
    m_editor->newDocument(text, title);
    showEditor();
}

void PolicyDocks::showEditor()
{
    // The editor takes the event pane's place (a tab away), the rules the timeline's: the table
    // keeps its room, and the event, its rule and the outline are all in sight.
    QMainWindow* window = m_parts.window;
    if (!m_policyDock->isVisible()) {
        if (m_parts.detailDock->isVisible()
            && window->dockWidgetArea(m_parts.detailDock) == Qt::RightDockWidgetArea)
            window->tabifyDockWidget(m_parts.detailDock, m_policyDock);
        m_policyDock->show();
        window->resizeDocks({m_policyDock}, {window->width() * 2 / 5}, Qt::Horizontal);
    }
    if (!m_rulesDock->isVisible() && m_editor->documentCount() > 0) {
        if (m_bottomNeighbour->isVisible()
            && window->dockWidgetArea(m_bottomNeighbour) == Qt::BottomDockWidgetArea)
            window->tabifyDockWidget(m_bottomNeighbour, m_rulesDock);
        m_rulesDock->show();
        m_rulesDock->raise();
        window->resizeDocks({m_rulesDock}, {window->height() / 3}, Qt::Vertical);
    }
    m_policyDock->raise();
}

void PolicyDocks::showResult(const PolicyEvaluationResultPtr& result)
{
    m_editor->showResult(result);
    m_rules->setResult(result);
    showPolicyColumns(m_parts.investigation->policyContext() != nullptr);
    const EventTableModel* model = m_parts.investigation->eventModel();
    showEvent(model->eventAt(m_parts.table->currentIndex().row()));
    Q_EMIT resultShown();
}

void PolicyDocks::showPolicyColumns(bool matching)
{
    EventTableView* table = m_parts.table;
    if (m_editor->documentCount() == 0) { // no policy any more: no policy columns
        table->setColumnHidden(int(EventColumn::Rule), true);
        table->setColumnHidden(int(EventColumn::PolicyLevel), true);
    }
    if (matching && table->isColumnHidden(int(EventColumn::Rule))) {
        // Shown next to the time, where they are seen with the event they describe.
        QHeaderView* header = table->horizontalHeader();
        for (auto [column, visual] :
            {std::pair{EventColumn::Rule, 1}, std::pair{EventColumn::PolicyLevel, 2}}) {
            table->setColumnHidden(int(column), false);
            header->moveSection(header->visualIndex(int(column)), visual);
        }
    }
}

void PolicyDocks::updateComparisonChoices()
{
    PolicyDocument* active = m_editor->activeDocument();
    m_choicesFor = active;
    // Forget the choices of closed policies.
    QSet<const PolicyDocument*> open;
    for (int i = 0; i < m_editor->documentCount(); ++i)
        open.insert(m_editor->documentAt(i));
    m_choices.removeIf([&open](const auto& entry) { return !open.contains(entry.key()); });

    const ComparisonChoice chosen = m_choices.value(active);
    const bool saved = active && !active->isUntitled();
    QStringList titles{tr("the recorded log"),
        saved ? tr("the saved file of %1").arg(active->displayName())
              : tr("the saved file (not saved yet)")};
    QList<bool> enabled{true, saved};
    int current = chosen.kind == Baseline::SavedFile && saved ? 1 : 0;
    m_baselineChoices.clear();
    for (int i = 0; i < m_editor->documentCount(); ++i) {
        PolicyDocument* document = m_editor->documentAt(i);
        if (document == active)
            continue;
        m_baselineChoices.append(document);
        // Tab numbers tell apart several untitled policies.
        titles << tr("%1 (tab %2)").arg(document->displayName()).arg(i + 1);
        enabled << true;
        if (chosen.kind == Baseline::OtherPolicy && document == chosen.other)
            current = int(titles.size()) - 1;
    }
    if (current == 0 && active) // what was chosen is gone: the other policy was closed
        m_choices.remove(active);
    m_rules->setComparisonChoices(titles, enabled, current);
}

void PolicyDocks::updateBaseline()
{
    const PolicyDocument* active = m_editor->activeDocument();
    const ComparisonChoice chosen = m_choices.value(active);
    QString text; // null: compare with the recorded log only
    if (chosen.kind == Baseline::SavedFile && active && !active->isUntitled())
        text = active->savedText();
    else if (chosen.kind == Baseline::OtherPolicy && chosen.other)
        text = chosen.other->text();
    if (chosen.kind != Baseline::RecordedLog && text.isNull())
        text = QLatin1String(""); // an empty policy is still one to compare with
    m_parts.investigation->setPolicyBaseline(text);
}

void PolicyDocks::showEvent(EventId id)
{
    const PolicyEvaluationResultPtr& result = m_parts.investigation->policyResult();
    const bool covered = result && result->matches && id
        && result->store == m_parts.investigation->snapshot()
        && id.value < result->matches->events.size();
    m_editor->highlightRule(covered ? result->matches->events[id.value].rule() : -1);
    m_rules->explainEvent(covered ? id : EventId{});
}

} // namespace auditscope
