// SPDX-License-Identifier: Apache-2.0
#include "mainwindow.h"

#include "analysisdocks.h"
#include "chaindocks.h"
#include "detailpane.h"
#include "eventtableview.h"
#include "filterbar.h"
#include "findingsdocks.h"
#include "findingsview.h"
#include "investigation/investigation.h"
#include "investigation/loadcontroller.h"
#include "itemmodels/eventtablemodel.h"
#include "jobs/settingswriter.h"
#include "loadsummaryview.h"
#include "policydocks.h"
#include "policyeditor.h"
#include "timelineview.h"
#include "timelinewidget.h"
#include "welcomepage.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace auditscope {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_investigation(new Investigation(this))
    , m_pages(new QStackedWidget)
    , m_welcome(new WelcomePage)
    , m_table(new EventTableView)
    , m_filterBar(new FilterBar)
    , m_detail(new DetailPane)
    , m_detailDock(new QDockWidget(tr("Event")))
    , m_summary(new LoadSummaryView)
    , m_reportDock(new QDockWidget(tr("Load report")))
    , m_progress(new QProgressBar)
    , m_status(new QLabel)
    , m_cancel(new QPushButton(tr("Cancel")))
    , m_settings(new SettingsWriter(this))
{
    setWindowTitle(tr("AuditScope"));
    m_table->setModel(eventModel());
    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_table, 1);
    m_pages->addWidget(m_welcome);
    m_pages->addWidget(central);
    setCentralWidget(m_pages);
    m_detailDock->setObjectName(QStringLiteral("eventDetails"));
    m_detailDock->setWidget(m_detail);
    addDockWidget(Qt::RightDockWidgetArea, m_detailDock);
    m_reportDock->setObjectName(QStringLiteral("loadReport"));
    m_reportDock->setWidget(m_summary);
    addDockWidget(Qt::BottomDockWidgetArea, m_reportDock);
    setAcceptDrops(true);
    createStatusBar();

    // First: the filter bar completes rule: terms before the policy docks show the result.
    connect(m_investigation, &Investigation::policyResultChanged, m_filterBar,
        [this] { m_filterBar->setPolicyContext(m_investigation->policyContext()); });
    const WindowParts parts{this, m_investigation, m_table, m_filterBar, m_detailDock, m_status};
    m_analysisDocks = new AnalysisDocks(parts);
    m_policyDocks = new PolicyDocks(parts, m_analysisDocks->timelineDock());
    m_chainDocks = new ChainDocks(parts, m_analysisDocks->timelineDock());
    m_findingsDocks = new FindingsDocks(
        parts, m_detail, timelineView()->histogram(), m_analysisDocks->timelineDock());
    connect(m_analysisDocks, &AnalysisDocks::analysisShown, this, &MainWindow::analysisFinished);
    connect(m_policyDocks, &PolicyDocks::resultShown, this, &MainWindow::policyResultShown);
    connect(m_chainDocks, &ChainDocks::chainShown, this, &MainWindow::chainShown);
    connect(m_chainDocks, &ChainDocks::historyShown, this, &MainWindow::historyShown);
    connect(m_chainDocks, &ChainDocks::eventActivated, this, &MainWindow::selectEvent);
    connect(m_findingsDocks, &FindingsDocks::eventActivated, this, &MainWindow::selectEvent);
    connect(m_findingsDocks, &FindingsDocks::findingsShown, this, &MainWindow::findingsShown);
    createActions();
    connectInvestigation();
    connectTable();
    restoreLayout();
}

MainWindow::~MainWindow() = default;

void MainWindow::createStatusBar()
{
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(240);
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
}

void MainWindow::connectInvestigation()
{
    Investigation* investigation = m_investigation;
    connect(m_welcome, &WelcomePage::sampleRequested, this,
        [this] { openPaths({samplePath(QStringLiteral("incident-story.log.gz"))}); });
    connect(m_welcome, &WelcomePage::realSampleRequested, this,
        [this] { openPaths({samplePath(QStringLiteral("microk8s-audit.log.gz"))}); });
    connect(m_welcome, &WelcomePage::openFilesRequested, this, &MainWindow::chooseFiles);
    connect(m_welcome, &WelcomePage::openFolderRequested, this, &MainWindow::chooseFolder);
    connect(m_cancel, &QPushButton::clicked, loadController(), &LoadController::cancel);
    connect(investigation, &Investigation::loadStarted, this, &MainWindow::startLoad);
    connect(loadController(), &LoadController::progressChanged, this, &MainWindow::showProgress);
    connect(loadController(), &LoadController::partialSnapshot, this,
        [this](const EventStorePtr& store) { m_summary->showPartial(*store); });
    connect(investigation, &Investigation::loadFinished, this, &MainWindow::finishLoad);

    connect(m_filterBar, &FilterBar::filterRequested, investigation, &Investigation::applyFilter);
    connect(investigation, &Investigation::filterInvalid, this,
        [this](int column, const QString& message) {
            m_status->setText(tr("Filter not applied: col %1: %2").arg(column).arg(message));
        });
    connect(
        investigation, &Investigation::snapshotChanged, this, [this](const EventStorePtr& store) {
            m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // time order
            m_filterBar->setStore(store);
            const qint64 total = store ? qint64(store->size()) : 0;
            m_filterBar->setCounts(total, total);
        });
    connect(investigation, &Investigation::filterFinished, this,
        [this](qint64 shown, qint64 total, qint64 elapsedMs) {
            m_filterBar->setCounts(shown, total);
            const QLocale locale;
            m_status->setText(tr("%1 of %2 events match (%3 ms)")
                                  .arg(locale.toString(shown), locale.toString(total),
                                      locale.toString(elapsedMs)));
            Q_EMIT filterFinished();
        });
    connect(investigation, &Investigation::sortFinished, this, &MainWindow::sortFinished);
    connect(investigation, &Investigation::loadFailed, this, [this](const QString& message) {
        m_progress->setVisible(false);
        m_cancel->setVisible(false);
        m_summary->clear();
        m_status->setText(tr("The load failed: %1").arg(message));
    });
    connect(investigation, &Investigation::jobFailed, m_status, &QLabel::setText);
}

void MainWindow::connectTable()
{
    connect(m_detail, &DetailPane::filterRequested, m_filterBar, &FilterBar::useFilter);
    connect(m_table, &EventTableView::sortRequested, m_investigation,
        [this](
            EventColumn column, bool descending) { m_investigation->sortBy(column, descending); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) {
            const EventTableModel* model = eventModel();
            const EventId id = current.isValid() ? model->eventAt(current.row()) : EventId{};
            m_detail->setEvent(model->store(), id);
            timelineView()->histogram()->setCurrentTime(
                id ? std::optional(model->store()->timeNsOf(id)) : std::nullopt);
            m_policyDocks->showEvent(id);
        });
    keepSelectionAcrossResets();
}

void MainWindow::keepSelectionAcrossResets()
{
    EventTableModel* model = eventModel();
    connect(model, &QAbstractItemModel::modelAboutToBeReset, this, [this, model] {
        m_selectedBeforeReset = model->eventAt(m_table->currentIndex().row());
        m_storeBeforeReset = model->store();
    });
    connect(model, &QAbstractItemModel::modelReset, this, [this, model] {
        // Event ids are rows of one store: only a sort or filter of the same store keeps them.
        const bool sameStore = m_storeBeforeReset == model->store();
        int row = sameStore && m_selectedBeforeReset ? model->rowOf(m_selectedBeforeReset) : -1;
        m_storeBeforeReset.reset();
        if (row < 0 && model->rowCount() > 0)
            row = 0; // the selected event is gone (or there was none): show the first one
        if (row < 0) {
            m_detail->clear(); // nothing to show: do not leave an event the table no longer has
            return;
        }
        const QModelIndex index = model->index(row, 0);
        m_table->setCurrentIndex(index);
        m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
    });
}

void MainWindow::restoreLayout()
{
    resize(1360, 820);
    resizeDocks({m_detailDock}, {width() / 3}, Qt::Horizontal); // a saved layout wins below
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_table->restoreColumnState(settings.value(QStringLiteral("table/columns")).toByteArray());
    // The policy columns come back with the first result of a policy, not with the layout.
    m_table->setColumnHidden(int(EventColumn::Rule), true);
    m_table->setColumnHidden(int(EventColumn::PolicyLevel), true);
    // Nothing to show yet: the welcome page gets the room. The report opens after a load that
    // went wrong (finishLoad), the event pane when a load starts.
    m_detailDock->hide();
    m_reportDock->hide();
    m_analysisDocks->hideDocks();
    m_findingsDocks->dock()->hide();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!policyEditor()->confirmClose()) {
        event->ignore(); // unsaved policy edits and the user chose Cancel
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("table/columns"), m_table->saveColumnState());
    QMainWindow::closeEvent(event);
}

LoadController* MainWindow::loadController() const
{
    return m_investigation->loader();
}

EventTableModel* MainWindow::eventModel() const
{
    return m_investigation->eventModel();
}

EventId MainWindow::currentEvent() const
{
    return eventModel()->eventAt(m_table->currentIndex().row());
}

void MainWindow::applyFilter(const QString& text)
{
    m_filterBar->applyFilter(text);
}

void MainWindow::sortBy(EventColumn column, bool descending)
{
    m_table->horizontalHeader()->setSortIndicator(
        static_cast<int>(column), descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    m_investigation->sortBy(column, descending);
}

bool MainWindow::openPolicy(const QString& path)
{
    return m_policyDocks->openPolicy(path);
}

void MainWindow::newPolicyFromTemplate(const QString& id)
{
    m_policyDocks->newPolicyFromTemplate(id);
}

void MainWindow::selectEvent(EventId id)
{
    const int row = eventModel()->rowOf(id);
    if (row >= 0) {
        goToRow(row);
        // Picked elsewhere (a chain, a finding): in the middle, with what came before and after.
        m_table->scrollTo(m_table->currentIndex(), QAbstractItemView::PositionAtCenter);
    } else
        m_status->setText(
            tr("That event is not among the shown events: clear the filter to see it"));
}

// The docks' parts, for tests and benchmarks.
TimelineView* MainWindow::timelineView() const
{
    return m_analysisDocks->timelineView();
}
AnalysisTreeView* MainWindow::usersView() const
{
    return m_analysisDocks->usersView();
}
AnalysisTreeView* MainWindow::resourcesView() const
{
    return m_analysisDocks->resourcesView();
}
QDockWidget* MainWindow::timelineDock() const
{
    return m_analysisDocks->timelineDock();
}
QDockWidget* MainWindow::usersDock() const
{
    return m_analysisDocks->usersDock();
}
QDockWidget* MainWindow::resourcesDock() const
{
    return m_analysisDocks->resourcesDock();
}
PolicyEditor* MainWindow::policyEditor() const
{
    return m_policyDocks->editor();
}
PolicyRulesPanel* MainWindow::policyRules() const
{
    return m_policyDocks->rules();
}
PolicyEvaluationRunner* MainWindow::policyRunner() const
{
    return m_investigation->policyRunner();
}
QDockWidget* MainWindow::policyDock() const
{
    return m_policyDocks->policyDock();
}
QDockWidget* MainWindow::rulesDock() const
{
    return m_policyDocks->rulesDock();
}
ChainView* MainWindow::chainView() const
{
    return m_chainDocks->chainView();
}
ObjectHistoryView* MainWindow::historyView() const
{
    return m_chainDocks->historyView();
}
QDockWidget* MainWindow::chainDock() const
{
    return m_chainDocks->chainDock();
}
QDockWidget* MainWindow::historyDock() const
{
    return m_chainDocks->historyDock();
}
FindingsView* MainWindow::findingsView() const
{
    return m_findingsDocks->view();
}
QDockWidget* MainWindow::findingsDock() const
{
    return m_findingsDocks->dock();
}

} // namespace auditscope
