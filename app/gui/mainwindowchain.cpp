// SPDX-License-Identifier: Apache-2.0
// Follow Request (the auditID chain of the selected event) and Object History (every request on
// the object it touched), each built on a worker and shown in a dock; picking an event there
// selects it in the table.
#include "mainwindow.h"

#include "chain/chain.h"
#include "chain/objecthistory.h"
#include "chaingantt.h"
#include "chainview.h"
#include "eventtableview.h"
#include "itemmodels/eventtablemodel.h"
#include "objecthistoryview.h"

#include <QAction>
#include <QDockWidget>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>

namespace auditscope {

void MainWindow::createChainDocks()
{
    m_chainView = new ChainView;
    m_historyView = new ObjectHistoryView;
    m_chainDock = new QDockWidget(tr("Request chain"));
    m_chainDock->setObjectName(QStringLiteral("requestChain"));
    m_chainDock->setWidget(m_chainView);
    m_historyDock = new QDockWidget(tr("Object history"));
    m_historyDock->setObjectName(QStringLiteral("objectHistory"));
    m_historyDock->setWidget(m_historyView);
    addDockWidget(Qt::BottomDockWidgetArea, m_chainDock);
    addDockWidget(Qt::BottomDockWidgetArea, m_historyDock);
    tabifyDockWidget(m_timelineDock, m_chainDock);
    tabifyDockWidget(m_chainDock, m_historyDock);
    m_chainDock->hide();
    m_historyDock->hide();
    connect(m_chainView, &ChainView::eventActivated, this, &MainWindow::selectEvent);
    connect(m_historyView, &ObjectHistoryView::eventActivated, this, &MainWindow::selectEvent);

    m_followAction = new QAction(tr("&Follow Request"), this);
    m_followAction->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_F));
    m_followAction->setToolTip(tr("Every event with this event's auditID, across all loaded logs"));
    connect(m_followAction, &QAction::triggered, this, &MainWindow::followRequest);
    m_historyAction = new QAction(tr("Object &History"), this);
    m_historyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_H));
    m_historyAction->setToolTip(tr("Every request on the object this event touched, with diffs"));
    connect(m_historyAction, &QAction::triggered, this, &MainWindow::showObjectHistory);
}

void MainWindow::selectEvent(EventId id)
{
    if (m_chainStore != m_model->store()) { // ids of an earlier load name other events now
        m_status->setText(tr("That chain or history is from an earlier load: follow it again"));
        return;
    }
    const int row = m_model->rowOf(id);
    if (row >= 0)
        goToRow(row);
    else
        m_status->setText(
            tr("That event is not among the shown events: clear the filter to see it"));
}

// A running build is asked to stop and kept aside: assigning over it would join it on the
// GUI thread (an object history of a busy object takes a while).
void MainWindow::retireChainWorker()
{
    if (!m_chainWorker.joinable())
        return;
    m_chainWorker.request_stop();
    m_retiredChainWorkers.push_back(std::move(m_chainWorker));
}

void MainWindow::followRequest()
{
    const EventStorePtr store = m_model->store();
    const EventId id = m_model->eventAt(m_table->currentIndex().row());
    if (!store || !id)
        return;
    const quint64 generation = ++m_chainGeneration;
    QPointer<MainWindow> self(this);
    retireChainWorker();
    m_chainWorker = std::jthread([self, store, id, generation](std::stop_token stop) {
        const ChainIntegrityPtr integrity = chainIntegrityFor(store, stop);
        if (!integrity || stop.stop_requested())
            return;
        Chain chain = buildChain(*store, *integrity, id);
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, store, chain = std::move(chain)] {
                if (!self || generation != self->m_chainGeneration)
                    return;
                self->m_retiredChainWorkers.clear(); // stopped earlier: short joins
                self->m_chainStore = store;
                self->m_chainView->setChain(chain);
                self->m_chainView->gantt()->setSelectedEvent(
                    self->m_model->eventAt(self->m_table->currentIndex().row()));
                self->m_chainDock->show();
                self->m_chainDock->raise();
                // Room for the findings, the Gantt and the tree.
                self->resizeDocks({self->m_chainDock}, {self->height() * 2 / 5}, Qt::Vertical);
                Q_EMIT self->chainShown();
            },
            Qt::QueuedConnection);
    });
}

void MainWindow::showObjectHistory()
{
    const EventStorePtr store = m_model->store();
    const EventId id = m_model->eventAt(m_table->currentIndex().row());
    if (!store || !id)
        return;
    const EventStore& s = *store;
    const std::uint32_t row = id.value;
    if (!s.apiGroup[row] || !s.resource[row] || !s.name[row]) {
        m_status->setText(tr("This event names no object (no objectRef name): no history"));
        return;
    }
    ObjectKey key;
    key.group = std::string(s.pools.apiGroups.view(s.apiGroup[row].value));
    key.resource = std::string(s.pools.resources.view(s.resource[row].value));
    if (s.namespaceId[row])
        key.namespaceName = std::string(s.pools.namespaces.view(s.namespaceId[row].value));
    key.name = std::string(s.pools.names.view(s.name[row].value));
    const quint64 generation = ++m_chainGeneration;
    QPointer<MainWindow> self(this);
    retireChainWorker();
    m_chainWorker = std::jthread([self, store, key, generation](std::stop_token stop) {
        ObjectHistory history = buildObjectHistory(*store, key);
        if (stop.stop_requested())
            return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, store, history = std::move(history)] {
                if (!self || generation != self->m_chainGeneration)
                    return;
                self->m_retiredChainWorkers.clear();
                self->m_chainStore = store;
                self->m_historyView->setHistory(history);
                self->m_historyDock->show();
                self->m_historyDock->raise();
                self->resizeDocks({self->m_historyDock}, {self->height() * 2 / 5}, Qt::Vertical);
                Q_EMIT self->historyShown();
            },
            Qt::QueuedConnection);
    });
}

} // namespace auditscope
