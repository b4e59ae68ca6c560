// SPDX-License-Identifier: Apache-2.0
// The main window's menus, shortcuts and the event table's context menu.
#include "mainwindow.h"

#include "analysisdocks.h"
#include "chaindocks.h"
#include "detailpane.h"
#include "eventtableview.h"
#include "filterbar.h"
#include "findingsdocks.h"
#include "itemmodels/columnfilter.h"
#include "itemmodels/eventtablemodel.h"
#include "policydocks.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QDockWidget>
#include <QFileDialog>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>

namespace auditscope {

void MainWindow::createActions()
{
    createCopyActions();
    QMenu* file = createFileMenu();
    createEditMenu();
    createViewMenu();
    createGoMenu();
    createHelpMenu();
    createTableMenu();
    m_policyDocks->createMenus(file);
    m_findingsDocks->createMenus(file);
    // Quit last in File, after the entries the other menus do not add.
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);
}

QMenu* MainWindow::createFileMenu()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::chooseFiles);
    open->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open &Folder…"), this, &MainWindow::chooseFolder);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    QAction* add = file->addAction(tr("&Add to Investigation…"), this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(this, tr("Add audit logs"),
            QString(), tr("Audit logs (*.log *.log.gz *.json *.jsonl *.gz);;All files (*)"));
        if (!files.isEmpty())
            addPaths(files);
    });
    add->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_reloadAction = file->addAction(tr("Re&load"), this, &MainWindow::reload);
    m_reloadAction->setShortcut(QKeySequence::Refresh);
    m_closeAction = file->addAction(tr("&Close"), this, &MainWindow::closeInvestigation);
    m_closeAction->setShortcut(QKeySequence::Close);
    m_reloadAction->setEnabled(false);
    m_closeAction->setEnabled(false);
    return file;
}

void MainWindow::createEditMenu()
{
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* find = edit->addAction(tr("&Filter…"), this, [this] {
        m_filterBar->setFocus();
        m_filterBar->lineEdit()->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    edit->addSeparator();
    edit->addAction(m_copyRowAction);
    edit->addAction(m_copyEventAction);
}

void MainWindow::createViewMenu()
{
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_detailDock->toggleViewAction());
    view->addAction(m_reportDock->toggleViewAction());
    view->addAction(timelineDock()->toggleViewAction());
    view->addAction(usersDock()->toggleViewAction());
    view->addAction(resourcesDock()->toggleViewAction());
    view->addAction(chainDock()->toggleViewAction());
    view->addAction(historyDock()->toggleViewAction());
    view->addAction(findingsDock()->toggleViewAction());
    QAction* clearViews = view->addAction(
        tr("&Clear View Filters"), this, [this] { m_analysisDocks->clearViewFilters(); });
    clearViews->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Backspace));
    clearViews->setToolTip(tr("Remove the terms the timeline, users and resources views added"));
    view->addSeparator();
    // Time: UTC (audit logs are UTC), the machine's local time, or relative to a reference event.
    QMenu* time = view->addMenu(tr("&Time"));
    auto* zones = new QActionGroup(this);
    QAction* utc = time->addAction(tr("&UTC"));
    QAction* local = time->addAction(tr("&Local time"));
    QAction* relative = time->addAction(tr("&Relative to the reference event"));
    for (QAction* a : {utc, local, relative}) {
        a->setCheckable(true);
        zones->addAction(a);
    }
    utc->setChecked(true);
    relative->setEnabled(false); // until a reference is set
    auto apply = [this, local, relative] {
        TimeDisplay display = eventModel()->timeDisplay();
        display.zone = local->isChecked() ? TimeDisplay::Zone::Local : TimeDisplay::Zone::Utc;
        display.relative = relative->isChecked();
        eventModel()->setTimeDisplay(display);
    };
    connect(zones, &QActionGroup::triggered, this, apply);
    time->addSeparator();
    m_referenceAction =
        time->addAction(tr("Set the selected event as &reference"), this, [this, relative, apply] {
            const EventId id = currentEvent();
            if (!id)
                return;
            TimeDisplay display = eventModel()->timeDisplay();
            display.referenceNs = eventModel()->store()->timeNsOf(id);
            eventModel()->setTimeDisplay(display);
            relative->setEnabled(true);
            relative->setChecked(true);
            apply();
        });
    m_referenceAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
}

void MainWindow::createHelpMenu()
{
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About AuditScope"), this, [this] {
        QMessageBox::about(this, tr("About AuditScope"),
            tr("<h3>AuditScope %1</h3><p>An investigation tool for Kubernetes API-server audit "
               "logs: load, filter, follow and replay audit policies on real traffic.</p>"
               "<p>Licensed under the Apache License 2.0. Bundled samples: see "
               "<code>samples/PROVENANCE.md</code>.</p><p>Built with Qt %2, simdjson and "
               "yaml-cpp.</p>")
                .arg(QStringLiteral(AUDITSCOPE_VERSION), QString::fromLatin1(qVersion())));
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createCopyActions()
{
    m_copyRowAction = new QAction(tr("Copy &Row"), this);
    m_copyRowAction->setShortcut(QKeySequence::Copy);
    m_copyRowAction->setShortcutContext(Qt::WidgetShortcut); // Ctrl+C elsewhere copies there
    m_table->addAction(m_copyRowAction);
    connect(m_copyRowAction, &QAction::triggered, this, [this] {
        const int row = m_table->currentIndex().row();
        if (row < 0)
            return;
        // The shown columns in the shown order, tab-separated (pastes into a spreadsheet).
        const QHeaderView* header = m_table->horizontalHeader();
        QStringList cells;
        for (int visual = 0; visual < header->count(); ++visual) {
            const int column = header->logicalIndex(visual);
            if (!header->isSectionHidden(column))
                cells << eventModel()->index(row, column).data().toString();
        }
        QGuiApplication::clipboard()->setText(cells.join(QLatin1Char('\t')));
    });
    m_copyEventAction = new QAction(tr("Copy Event as &JSON"), this);
    m_copyEventAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    connect(m_copyEventAction, &QAction::triggered, m_detail, &DetailPane::copyEvent);
}

// Wireshark's Go menu: step through the shown events from anywhere, and move between panes.
void MainWindow::createGoMenu()
{
    QMenu* go = menuBar()->addMenu(tr("&Go"));
    auto addMove = [this, go](const QString& text, const QKeySequence& key, auto rowFor) {
        QAction* action = go->addAction(text, this, [this, rowFor] {
            const int rows = eventModel()->rowCount();
            if (rows > 0)
                goToRow(std::clamp(rowFor(m_table->currentIndex().row(), rows), 0, rows - 1));
        });
        action->setShortcut(key);
    };
    addMove(tr("&Next Event"), QKeySequence(Qt::CTRL | Qt::Key_Down),
        [](int row, int) { return row + 1; });
    addMove(tr("&Previous Event"), QKeySequence(Qt::CTRL | Qt::Key_Up),
        [](int row, int) { return row < 0 ? 0 : row - 1; });
    addMove(tr("&First Event"), QKeySequence(Qt::CTRL | Qt::Key_Home), [](int, int) { return 0; });
    addMove(tr("&Last Event"), QKeySequence(Qt::CTRL | Qt::Key_End),
        [](int, int rows) { return rows - 1; });
    go->addSeparator();
    go->addAction(m_chainDocks->followAction());
    go->addAction(m_chainDocks->historyAction());
    go->addSeparator();
    QAction* list = go->addAction(
        tr("Event &List"), this, [this] { m_table->setFocus(Qt::ShortcutFocusReason); });
    list->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction* details = go->addAction(tr("Event &Details"), this, [this] {
        m_detailDock->show();
        m_detail->setFocus(Qt::ShortcutFocusReason);
    });
    details->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
}

void MainWindow::goToRow(int row)
{
    const int column = std::max(0, m_table->currentIndex().column());
    const QModelIndex index = eventModel()->index(row, column);
    m_table->setCurrentIndex(index);
    m_table->scrollTo(index);
}

void MainWindow::createTableMenu()
{
    connect(m_table, &EventTableView::eventMenuRequested, this,
        [this](const QModelIndex& index, const QPoint& globalPosition) {
            const EventStorePtr store = eventModel()->store();
            const EventId id = eventModel()->eventAt(index.row());
            if (!store || !id)
                return;
            const auto column = static_cast<EventColumn>(index.column());
            const QString filter = QString::fromStdString(columnFilter(*store, id, column, false));
            const QString exclude = QString::fromStdString(columnFilter(*store, id, column, true));
            const QFontMetrics metrics = fontMetrics();
            auto shown = [&](const QString& text) {
                return metrics.elidedText(text, Qt::ElideMiddle, 40 * metrics.averageCharWidth());
            };
            QMenu menu(this);
            if (!filter.isEmpty()) {
                menu.addAction(tr("Apply as Filter: %1").arg(shown(filter)), this,
                    [this, filter] { m_filterBar->useFilter(filter, true); });
                menu.addAction(tr("Prepare as Filter: %1").arg(shown(filter)), this,
                    [this, filter] { m_filterBar->useFilter(filter, false); });
                menu.addAction(tr("Exclude: %1").arg(shown(exclude)), this,
                    [this, exclude] { m_filterBar->useFilter(exclude, true); });
                menu.addSeparator();
            }
            const QString cell = index.data().toString();
            menu.addAction(
                tr("Copy &Cell"), this, [cell] { QGuiApplication::clipboard()->setText(cell); });
            menu.addAction(m_copyRowAction);
            menu.addAction(m_copyEventAction);
            menu.addSeparator();
            menu.addAction(m_chainDocks->followAction());
            menu.addAction(m_chainDocks->historyAction());
            menu.addAction(m_referenceAction);
            menu.exec(globalPosition);
        });
}

} // namespace auditscope
