// SPDX-License-Identifier: Apache-2.0
#include "mainwindow.h"

#include "analysis/timeline.h"
#include "detailpane.h"
#include "eventtableview.h"
#include "filterbar.h"
#include "itemmodels/eventtablemodel.h"
#include "itemmodels/rowsort.h"
#include "load/loadcontroller.h"
#include "loadsummaryview.h"
#include "policyeditor.h"
#include "query/queryrunner.h"
#include "timelineview.h"
#include "timelinewidget.h"
#include "welcomepage.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace auditscope {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_pages(new QStackedWidget)
    , m_welcome(new WelcomePage)
    , m_model(new EventTableModel(this))
    , m_table(new EventTableView)
    , m_filterBar(new FilterBar)
    , m_detail(new DetailPane)
    , m_detailDock(new QDockWidget(tr("Event")))
    , m_runner(new QueryRunner(this))
    , m_summary(new LoadSummaryView)
    , m_reportDock(new QDockWidget(tr("Load report")))
    , m_progress(new QProgressBar)
    , m_status(new QLabel)
    , m_cancel(new QPushButton(tr("Cancel")))
    , m_loader(new LoadController(this))
{
    setWindowTitle(tr("AuditScope"));
    m_table->setModel(m_model);
    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_table, 1);
    m_pages->addWidget(m_welcome);
    m_pages->addWidget(central);
    setCentralWidget(m_pages);
    connect(m_welcome, &WelcomePage::sampleRequested, this,
        [this] { openPaths({samplePath(QStringLiteral("incident-story.log.gz"))}); });
    connect(m_welcome, &WelcomePage::realSampleRequested, this,
        [this] { openPaths({samplePath(QStringLiteral("microk8s-audit.log.gz"))}); });
    m_detailDock->setObjectName(QStringLiteral("eventDetails"));
    m_detailDock->setWidget(m_detail);
    addDockWidget(Qt::RightDockWidgetArea, m_detailDock);

    connect(m_filterBar, &FilterBar::filterRequested, this, &MainWindow::filterFromBar);
    connect(m_runner, &QueryRunner::queryFinished, this,
        [this](const EventStorePtr& store, const std::optional<RowSet>& rows, const QString&,
            qint64 ms) { showFilterResult(store, rows, ms); });
    connect(m_runner, &QueryRunner::queryInvalid, this, [this](int column, const QString& message) {
        m_status->setText(tr("Filter not applied: col %1: %2").arg(column).arg(message));
    });
    connect(m_detail, &DetailPane::filterRequested, m_filterBar, &FilterBar::useFilter);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) {
            const EventId id = current.isValid() ? m_model->eventAt(current.row()) : EventId{};
            m_detail->setEvent(m_model->store(), id);
            m_timeline->histogram()->setCurrentTime(
                id ? std::optional(m_model->store()->timeNs[id.value]) : std::nullopt);
        });
    m_reportDock->setObjectName(QStringLiteral("loadReport"));
    m_reportDock->setWidget(m_summary);
    addDockWidget(Qt::BottomDockWidgetArea, m_reportDock);
    setAcceptDrops(true);
    connect(m_table, &EventTableView::sortRequested, this, &MainWindow::sortTable);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(240);
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    createAnalysisDocks();
    createPolicyDocks();
    createChainDocks();
    createActions();

    connect(m_cancel, &QPushButton::clicked, m_loader, &LoadController::cancel);
    connect(m_welcome, &WelcomePage::openFilesRequested, this, &MainWindow::chooseFiles);
    connect(m_welcome, &WelcomePage::openFolderRequested, this, &MainWindow::chooseFolder);
    connect(m_loader, &LoadController::loadStarted, this, [this](const QStringList& paths) {
        if (m_pages->currentWidget() == m_welcome) { // the docks were hidden on the welcome page
            m_detailDock->show();
            m_timelineDock->show();
            m_usersDock->show();
            m_resourcesDock->show();
            m_usersDock->raise();
            resizeDocks({m_detailDock, m_usersDock}, {width() / 3, width() / 5}, Qt::Horizontal);
            resizeDocks({m_timelineDock}, {height() / 5}, Qt::Vertical);
        }
        m_pages->setCurrentIndex(1);
        m_summary->showLoading(paths);
        m_progress->setValue(0);
        m_progress->setVisible(true);
        m_cancel->setVisible(true);
        m_status->setText(tr("Opening…"));
    });
    connect(m_loader, &LoadController::progressChanged, this, &MainWindow::showProgress);
    connect(m_loader, &LoadController::partialSnapshot, this, [this](const EventStorePtr& store) {
        m_summary->showPartial(*store);
        useSnapshot(store); // the first rows, while the rest loads
    });
    connect(m_loader, &LoadController::loadFinished, this, &MainWindow::finishLoad);
    resize(1360, 820);
    resizeDocks({m_detailDock}, {width() / 3}, Qt::Horizontal); // a saved layout wins below
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_table->restoreColumnState(settings.value(QStringLiteral("table/columns")).toByteArray());
    // Nothing to show yet: the welcome page gets the room. The report opens after a load that
    // went wrong (finishLoad), the event pane when a load starts.
    m_detailDock->hide();
    m_reportDock->hide();
    m_timelineDock->hide();
    m_usersDock->hide();
    m_resourcesDock->hide();
}

MainWindow::~MainWindow() = default;

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!m_policyEditor->confirmClose()) {
        event->ignore(); // unsaved policy edits and the user chose Cancel
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("table/columns"), m_table->saveColumnState());
    QMainWindow::closeEvent(event);
}

void MainWindow::showRows(EventStorePtr store, std::optional<RowSet> rows)
{
    const EventId selected = m_model->eventAt(m_table->currentIndex().row());
    const bool sameStore = store == m_model->store();
    if (rows)
        m_model->setSnapshot(std::move(store), std::move(*rows));
    else
        m_model->setSnapshot(std::move(store));
    // Event ids are rows of one store: only a sort or filter of the same store keeps them.
    int row = sameStore && selected ? m_model->rowOf(selected) : -1;
    if (row < 0 && m_model->rowCount() > 0)
        row = 0; // the selected event is gone (or there was none): show the first one
    if (row < 0)
        m_detail->clear(); // nothing to show: do not leave an event the table no longer has
    if (row >= 0) {
        const QModelIndex index = m_model->index(row, 0);
        m_table->setCurrentIndex(index);
        m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
    }
}

void MainWindow::sortTable(EventColumn column, bool descending)
{
    const EventStorePtr store = m_model->store();
    if (!store)
        return;
    const quint64 generation = ++m_sortGeneration;
    RowSet rows = m_model->rows();
    const bool all = m_model->showsAllEvents();
    PolicyQueryContextPtr policy = m_model->policyContext(); // the Rule and Policy level columns
    QPointer<MainWindow> self(this);
    // Assigning a new jthread stops the previous sort and joins it (a sort checks its stop
    // token between phases, so the wait is short).
    m_sorter = std::jthread([self, store, rows = std::move(rows), all, column, descending,
                                generation, policy](std::stop_token stop) mutable {
        if (all) {
            rows.resize(store->size());
            for (std::uint32_t i = 0; i < rows.size(); ++i)
                rows[i] = EventId{i};
        }
        RowSet sorted = sortRows(*store, std::move(rows), column, descending, stop, policy.get());
        if (stop.stop_requested())
            return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, store, sorted = std::move(sorted), generation]() mutable {
                if (!self || generation != self->m_sortGeneration
                    || store != self->m_model->store())
                    return; // superseded by a newer sort or load
                self->showRows(store, std::move(sorted));
                Q_EMIT self->sortFinished();
            },
            Qt::QueuedConnection);
    });
}

void MainWindow::applyFilter(const QString& text)
{
    m_filterBar->applyFilter(text);
}

void MainWindow::sortBy(EventColumn column, bool descending)
{
    m_table->horizontalHeader()->setSortIndicator(
        static_cast<int>(column), descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    sortTable(column, descending);
}

void MainWindow::useSnapshot(const EventStorePtr& store)
{
    ++m_sortGeneration; // a sort of the previous snapshot is stale now
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // time order
    m_filterBar->setStore(store);
    showRows(store, std::nullopt);
    const qint64 total = store ? qint64(store->size()) : 0;
    m_filterBar->setCounts(total, total);
    if (store && store->indexed)
        m_timeline->histogram()->setFullRange(timeRangeOf(*store));
    if (!m_filterBar->filterText().trimmed().isEmpty())
        m_runner->run(store, m_filterBar->filterText()); // the filter holds across reloads
    else
        setAnalysisRows(store, std::nullopt);
}

void MainWindow::showFilterResult(
    const EventStorePtr& store, const std::optional<RowSet>& rows, qint64 elapsedMs)
{
    if (store != m_model->store())
        return; // a filter of a snapshot that has been replaced
    ++m_sortGeneration;
    const qint64 total = store ? qint64(store->size()) : 0;
    const qint64 shown = rows ? qint64(rows->size()) : total;
    showRows(store, rows);
    setAnalysisRows(store, rows);
    m_filterBar->setCounts(shown, total);
    const QLocale locale;
    m_status->setText(
        tr("%1 of %2 events match (%3 ms)")
            .arg(locale.toString(shown), locale.toString(total), locale.toString(elapsedMs)));
    // Keep the user's sort: sort the new rows the same way.
    const QHeaderView* header = m_table->horizontalHeader();
    if (header->sortIndicatorSection() >= 0)
        sortTable(static_cast<EventColumn>(header->sortIndicatorSection()),
            header->sortIndicatorOrder() == Qt::DescendingOrder);
    Q_EMIT filterFinished();
}

void MainWindow::chooseFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Open audit logs"), QString(),
        tr("Audit logs (*.log *.log.gz *.json *.jsonl *.gz);;All files (*)"));
    if (!files.isEmpty())
        openPaths(files);
}

void MainWindow::chooseFolder()
{
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Open a folder of audit logs"));
    if (!folder.isEmpty())
        openPaths({folder});
}

QString MainWindow::samplePath(const QString& fileName)
{
    // Installed: <prefix>/bin/auditscope and <prefix>/share/auditscope/samples.
    const QString installed = QCoreApplication::applicationDirPath()
        + QStringLiteral("/../share/auditscope/samples/") + fileName;
    if (QFileInfo::exists(installed))
        return QFileInfo(installed).canonicalFilePath();
    return QStringLiteral(AUDITSCOPE_SAMPLE_DIR "/") + fileName; // the build tree
}

bool MainWindow::showsWelcome() const
{
    return m_pages->currentWidget() == m_welcome;
}

void MainWindow::openPaths(const QStringList& paths)
{
    m_paths = paths;
    rememberRecent(paths);
    m_loader->open(m_paths);
    m_reloadAction->setEnabled(true);
    m_closeAction->setEnabled(true);
}

void MainWindow::addPaths(const QStringList& paths)
{
    // The engine merges by time across sources: loading the union again is simplest and, at
    // ~1 GB/s, quick. The loader drops duplicates.
    QStringList all = m_paths + paths;
    all.removeDuplicates();
    openPaths(all);
}

void MainWindow::reload()
{
    if (!m_paths.isEmpty())
        m_loader->open(m_paths);
}

void MainWindow::closeInvestigation()
{
    m_loader->cancel();
    m_paths.clear();
    ++m_sortGeneration;
    m_model->setSnapshot(nullptr);
    m_filterBar->setStore(nullptr);
    m_filterBar->setCounts(0, 0);
    m_detail->clear();
    m_summary->clear();
    m_status->clear();
    m_pages->setCurrentWidget(m_welcome);
    m_detailDock->hide();
    m_reportDock->hide();
    m_timelineDock->hide();
    m_usersDock->hide();
    m_resourcesDock->hide();
    setAnalysisRows(nullptr, std::nullopt); // empties the views
    m_reloadAction->setEnabled(false);
    m_closeAction->setEnabled(false);
}

void MainWindow::rememberRecent(const QStringList& paths)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recent/paths")).toStringList();
    for (const QString& path : paths) {
        const QString absolute = QFileInfo(path).absoluteFilePath();
        recent.removeAll(absolute);
        recent.prepend(absolute);
    }
    while (recent.size() > 12)
        recent.removeLast();
    settings.setValue(QStringLiteral("recent/paths"), recent);
}

void MainWindow::fillRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recent/paths")).toStringList();
    for (const QString& path : recent)
        m_recentMenu->addAction(path, this, [this, path] { openPaths({path}); });
    if (recent.isEmpty())
        m_recentMenu->addAction(tr("(none yet)"))->setEnabled(false);
}

void MainWindow::showProgress(const LoadProgress& p)
{
    const QLocale locale;
    if (p.bytesTotal > 0)
        m_progress->setValue(int(1000.0 * double(p.bytesDone) / double(p.bytesTotal)));
    QString text = tr("%1 of %2 · %3 events")
                       .arg(locale.formattedDataSize(qint64(p.bytesDone)),
                           locale.formattedDataSize(qint64(p.bytesTotal)),
                           locale.toString(qulonglong(p.events)));
    if (p.badLines > 0)
        text += tr(" · %n bad line(s)", nullptr, int(p.badLines));
    if (p.etaSeconds >= 0 && p.bytesDone < p.bytesTotal)
        text += tr(" · about %1 s left").arg(locale.toString(p.etaSeconds, 'f', 1));
    m_status->setText(text);
}

void MainWindow::finishLoad(const LoadResult& result, const Summary& summary)
{
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_summary->showResult(result, summary);
    useSnapshot(result.store);
    // The report matters when something went wrong; otherwise the table gets the room.
    m_reportDock->setVisible(result.report.badLines > 0 || result.store->size() == 0
        || std::any_of(result.report.sources.begin(), result.report.sources.end(),
            [](const SourceReport& s) { return !s.error.empty(); }));
    const QLocale locale;
    m_status->setText(
        tr("%1 events from %n source(s) in %2 s", nullptr, int(result.report.sources.size()))
            .arg(locale.toString(qulonglong(result.store->size())),
                locale.toString(result.report.seconds, 'f', 2)));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls()) {
        if (url.isLocalFile())
            paths << url.toLocalFile();
    }
    if (paths.isEmpty())
        return;
    // Dropping with Ctrl or Shift adds to the open investigation; a plain drop replaces it.
    if (event->modifiers() & (Qt::ControlModifier | Qt::ShiftModifier))
        addPaths(paths);
    else
        openPaths(paths);
}

} // namespace auditscope
