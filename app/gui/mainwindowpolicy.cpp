// SPDX-License-Identifier: Apache-2.0
// The policy editor in the window: the Policy dock (editor tabs, problems, load status), the
// Rules dock (outline, why-not explanation, impact) and live matching. The active policy's text
// goes to a PolicyEvaluationRunner (debounced, evaluated on a worker) with the table's store;
// each result gives the table its Rule and Policy level columns and the filter its rule:,
// policylevel: and emitted: terms.
#include "mainwindow.h"

#include "eventtableview.h"
#include "filterbar.h"
#include "itemmodels/eventtablemodel.h"
#include "policy/policydocument.h"
#include "policy/policyevaluationrunner.h"
#include "policy/policytemplates.h"
#include "policycodeedit.h"
#include "policyeditor.h"
#include "policyrulespanel.h"
#include "query/query.h"
#include "query/queryrunner.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QStatusBar>

namespace auditscope {

namespace {

/// Whether `filter` has a term that reads the active policy's result (rule:, policylevel:,
/// emitted:, policychange:): a new result changes what it selects.
bool usesPolicyTerms(const QString& filter)
{
    const ParseResult parsed = parseQuery(filter.toStdString());
    if (!parsed.query)
        return false;
    for (const QueryNode& n : parsed.query->nodes)
        if (n.kind == QueryNode::Kind::Match
            && (n.field == QueryField::Rule || n.field == QueryField::PolicyLevel
                || n.field == QueryField::Emitted || n.field == QueryField::PolicyChange))
            return true;
    return false;
}

} // namespace

void MainWindow::createPolicyDocks()
{
    m_policyRunner = new PolicyEvaluationRunner(this);
    m_policyEditor = new PolicyEditor;
    m_policyRules = new PolicyRulesPanel;
    m_policyDock = new QDockWidget(tr("Policy"));
    m_policyDock->setObjectName(QStringLiteral("policyEditor"));
    m_policyDock->setWidget(m_policyEditor);
    addDockWidget(Qt::RightDockWidgetArea, m_policyDock);
    m_rulesDock = new QDockWidget(tr("Rules"));
    m_rulesDock->setObjectName(QStringLiteral("policyRules"));
    m_rulesDock->setWidget(m_policyRules);
    addDockWidget(Qt::BottomDockWidgetArea, m_rulesDock);
    m_policyDock->hide();
    m_rulesDock->hide();
    // The policy columns mean nothing until a policy is active.
    m_table->setColumnHidden(int(EventColumn::Rule), true);
    m_table->setColumnHidden(int(EventColumn::PolicyLevel), true);

    connect(m_policyEditor, &PolicyEditor::activeTextChanged, this, [this](const QString& text) {
        if (m_policyEditor->documentCount() == 0) {
            m_policyRunner->cancel();
            showPolicyResult(nullptr);
            return;
        }
        updatePolicyStore();
        if (m_choicesFor != m_policyEditor->activeDocument())
            updateComparisonChoices(); // another tab became active
        updatePolicyBaseline(); // another policy's text may have changed meanwhile
        m_policyRunner->setPolicyText(text);
    });
    connect(m_policyEditor, &PolicyEditor::documentsChanged, this, [this] {
        updateComparisonChoices();
        updatePolicyBaseline();
    });
    connect(m_policyRules, &PolicyRulesPanel::comparisonChosen, this, [this](int choice) {
        const PolicyDocument* active = m_policyEditor->activeDocument();
        if (!active)
            return;
        ComparisonChoice& chosen = m_comparisonChoices[active];
        chosen.kind = choice == 1 ? PolicyBaseline::SavedFile
            : choice >= 2         ? PolicyBaseline::OtherPolicy
                                  : PolicyBaseline::RecordedLog;
        chosen.other = choice >= 2 && choice - 2 < m_baselineChoices.size()
            ? m_baselineChoices[choice - 2]
            : nullptr;
        updatePolicyBaseline();
    });
    connect(m_policyRules, &PolicyRulesPanel::changeActivated, this, [this](const QString& term) {
        if (m_model->store())
            m_filterBar->applyFilter(term);
    });
    connect(m_policyRunner, &PolicyEvaluationRunner::evaluationFinished, this,
        &MainWindow::showPolicyResult);
    // A new snapshot (load, reload, close): match it. Sorting and filtering keep the store.
    connect(m_model, &QAbstractItemModel::modelReset, this, &MainWindow::updatePolicyStore);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) {
            showPolicyForEvent(current.isValid() ? m_model->eventAt(current.row()) : EventId{});
        });
    connect(m_policyRules, &PolicyRulesPanel::ruleActivated, this, [this](int rule) {
        if (rule < 0)
            return;
        m_policyEditor->goToRule(rule);
        if (m_model->store())
            m_filterBar->applyFilter(QStringLiteral("rule:%1").arg(rule));
    });
    // Edits left unsaved by a session that ended without saving: offer them back.
    if (m_policyEditor->checkRecoverable() > 0)
        showPolicyEditor();
}

void MainWindow::createPolicyMenu(QMenu* file)
{
    file->addSeparator();
    QAction* open = file->addAction(tr("Open &Policy…"), this, &MainWindow::choosePolicy);
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_P));
    QMenu* fromTemplate = file->addMenu(tr("New Policy from &Template"));
    QMenu* policy = menuBar()->addMenu(tr("&Policy"));
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
                if (m_policyEditor->documentCount() == 0)
                    newPolicyFromTemplate({});
                m_policyEditor->insertSnippet(
                    t.text(), t.kind == PolicyTemplate::Kind::TopLevelSnippet);
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
    QAction* save = policy->addAction(tr("&Save Policy"), this, [this] { m_policyEditor->save(); });
    QAction* saveAs =
        policy->addAction(tr("Save Policy &As…"), this, [this] { m_policyEditor->saveAs(); });
    // Ctrl+S works while the editor has the focus (the window has nothing else to save).
    save->setShortcut(QKeySequence::Save);
    saveAs->setShortcut(QKeySequence::SaveAs);
    file->addAction(save);
    file->addAction(saveAs);
    QAction* find = policy->addAction(tr("&Find in Policy…"), this, [this] {
        showPolicyEditor();
        m_policyEditor->showFindBar();
    });
    find->setToolTip(tr("Ctrl+Shift+F in the editor; F3 finds the next one"));
    policy->addSeparator();
    policy->addAction(m_policyDock->toggleViewAction());
    policy->addAction(m_rulesDock->toggleViewAction());
    auto updateEnabled = [this, save, saveAs] {
        const bool any = m_policyEditor->documentCount() > 0;
        save->setEnabled(any);
        saveAs->setEnabled(any);
    };
    connect(m_policyEditor, &PolicyEditor::documentsChanged, this, updateEnabled);
    updateEnabled();
}

void MainWindow::choosePolicy()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open audit policy"), QString(),
        tr("Audit policies (*.yaml *.yml *.json);;All files (*)"));
    if (!path.isEmpty())
        openPolicy(path);
}

bool MainWindow::openPolicy(const QString& path)
{
    QString error;
    if (!m_policyEditor->openFile(path, &error)) {
        statusBar()->showMessage(tr("Policy not opened: %1").arg(error), 8000);
        return false;
    }
    showPolicyEditor();
    return true;
}

void MainWindow::newPolicyFromTemplate(const QString& id)
{
    QString text = QStringLiteral("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n");
    QString title;
    for (const PolicyTemplate& t : policyTemplates())
        if (t.id == id && t.kind == PolicyTemplate::Kind::Policy) {
            text = t.text();
            title = t.title;
        }
    m_policyEditor->newDocument(text, title);
    showPolicyEditor();
}

void MainWindow::showPolicyEditor()
{
    // The editor takes the event pane's place (a tab away), the rules the timeline's: the table
    // keeps its room, and the event, its rule and the outline are all in sight.
    if (!m_policyDock->isVisible()) {
        if (m_detailDock->isVisible() && dockWidgetArea(m_detailDock) == Qt::RightDockWidgetArea)
            tabifyDockWidget(m_detailDock, m_policyDock);
        m_policyDock->show();
        resizeDocks({m_policyDock}, {width() * 2 / 5}, Qt::Horizontal);
    }
    if (!m_rulesDock->isVisible() && m_policyEditor->documentCount() > 0) {
        if (m_timelineDock->isVisible()
            && dockWidgetArea(m_timelineDock) == Qt::BottomDockWidgetArea)
            tabifyDockWidget(m_timelineDock, m_rulesDock);
        m_rulesDock->show();
        m_rulesDock->raise();
        resizeDocks({m_rulesDock}, {height() / 3}, Qt::Vertical);
    }
    m_policyDock->raise();
}

void MainWindow::updatePolicyStore()
{
    if (m_policyEditor->documentCount() == 0)
        return; // nothing to match
    const EventStorePtr store = m_model->store();
    if (store && !store->indexed)
        return; // a partial snapshot while loading: match the whole log
    if (store != m_policyRunner->store())
        m_policyRunner->setStore(store);
}

void MainWindow::showPolicyResult(const PolicyEvaluationResultPtr& result)
{
    if (result && result->store && result->store != m_model->store())
        return; // computed on a snapshot that has been replaced; the new one is on its way
    m_policyResult = result;
    m_policyEditor->showResult(result);
    m_policyRules->setResult(result);
    const PolicyQueryContextPtr context = result ? result->queryContext() : nullptr;
    m_model->setPolicyContext(context);
    m_runner->setPolicyContext(context);
    m_filterBar->setPolicyContext(context);
    const bool matching = context != nullptr;
    if (m_policyEditor->documentCount() == 0) { // no policy any more: no policy columns
        m_table->setColumnHidden(int(EventColumn::Rule), true);
        m_table->setColumnHidden(int(EventColumn::PolicyLevel), true);
    }
    if (matching && m_table->isColumnHidden(int(EventColumn::Rule))) {
        // Shown next to the time, where they are seen with the event they describe.
        QHeaderView* header = m_table->horizontalHeader();
        for (auto [column, visual] :
            {std::pair{EventColumn::Rule, 1}, std::pair{EventColumn::PolicyLevel, 2}}) {
            m_table->setColumnHidden(int(column), false);
            header->moveSection(header->visualIndex(int(column)), visual);
        }
    }
    if (m_model->store() && usesPolicyTerms(m_filterBar->filterText()))
        m_runner->run(m_model->store(), m_filterBar->filterText()); // rule:N means something new
    else if (const int sorted = m_table->horizontalHeader()->sortIndicatorSection(); matching
             && (sorted == int(EventColumn::Rule) || sorted == int(EventColumn::PolicyLevel)))
        sortTable(EventColumn(sorted),
            m_table->horizontalHeader()->sortIndicatorOrder() == Qt::DescendingOrder); // new order
    showPolicyForEvent(m_model->eventAt(m_table->currentIndex().row()));
    Q_EMIT policyResultShown();
}

void MainWindow::updateComparisonChoices()
{
    PolicyDocument* active = m_policyEditor->activeDocument();
    m_choicesFor = active;
    // Forget the choices of closed policies.
    QSet<const PolicyDocument*> open;
    for (int i = 0; i < m_policyEditor->documentCount(); ++i)
        open.insert(m_policyEditor->documentAt(i));
    m_comparisonChoices.removeIf(
        [&open](const auto& entry) { return !open.contains(entry.key()); });

    const ComparisonChoice chosen = m_comparisonChoices.value(active);
    const bool saved = active && !active->isUntitled();
    QStringList titles{tr("the recorded log"),
        saved ? tr("the saved file of %1").arg(active->displayName())
              : tr("the saved file (not saved yet)")};
    QList<bool> enabled{true, saved};
    int current = chosen.kind == PolicyBaseline::SavedFile && saved ? 1 : 0;
    m_baselineChoices.clear();
    for (int i = 0; i < m_policyEditor->documentCount(); ++i) {
        PolicyDocument* document = m_policyEditor->documentAt(i);
        if (document == active)
            continue;
        m_baselineChoices.append(document);
        // Tab numbers tell apart several untitled policies.
        titles << tr("%1 (tab %2)").arg(document->displayName()).arg(i + 1);
        enabled << true;
        if (chosen.kind == PolicyBaseline::OtherPolicy && document == chosen.other)
            current = int(titles.size()) - 1;
    }
    if (current == 0 && active) // what was chosen is gone: the other policy was closed
        m_comparisonChoices.remove(active);
    m_policyRules->setComparisonChoices(titles, enabled, current);
}

void MainWindow::updatePolicyBaseline()
{
    const PolicyDocument* active = m_policyEditor->activeDocument();
    const ComparisonChoice chosen = m_comparisonChoices.value(active);
    QString text; // null: compare with the recorded log only
    if (chosen.kind == PolicyBaseline::SavedFile && active && !active->isUntitled())
        text = active->savedText();
    else if (chosen.kind == PolicyBaseline::OtherPolicy && chosen.other)
        text = chosen.other->text();
    if (chosen.kind != PolicyBaseline::RecordedLog && text.isNull())
        text = QLatin1String(""); // an empty policy is still one to compare with
    m_policyRunner->setBaselineText(text);
}

void MainWindow::showPolicyForEvent(EventId id)
{
    const bool covered = m_policyResult && m_policyResult->matches && id
        && m_policyResult->store == m_model->store()
        && id.value < m_policyResult->matches->events.size();
    m_policyEditor->highlightRule(covered ? m_policyResult->matches->events[id.value].rule() : -1);
    m_policyRules->explainEvent(covered ? id : EventId{});
}

} // namespace auditscope
