// SPDX-License-Identifier: Apache-2.0
#include "chaindocks.h"

#include "chaingantt.h"
#include "chainview.h"
#include "eventtableview.h"
#include "investigation/investigation.h"
#include "itemmodels/eventtablemodel.h"
#include "objecthistoryview.h"

#include <QAction>
#include <QDockWidget>
#include <QLabel>
#include <QMainWindow>

namespace auditscope {

ChainDocks::ChainDocks(const WindowParts& parts, QDockWidget* bottomNeighbour)
    : QObject(parts.window)
    , m_parts(parts)
    , m_chainView(new ChainView)
    , m_historyView(new ObjectHistoryView)
    , m_chainDock(new QDockWidget(tr("Request chain")))
    , m_historyDock(new QDockWidget(tr("Object history")))
    , m_followAction(new QAction(tr("&Follow Request"), this))
    , m_historyAction(new QAction(tr("Object &History"), this))
{
    m_chainDock->setObjectName(QStringLiteral("requestChain"));
    m_chainDock->setWidget(m_chainView);
    m_historyDock->setObjectName(QStringLiteral("objectHistory"));
    m_historyDock->setWidget(m_historyView);
    QMainWindow* window = m_parts.window;
    window->addDockWidget(Qt::BottomDockWidgetArea, m_chainDock);
    window->addDockWidget(Qt::BottomDockWidgetArea, m_historyDock);
    window->tabifyDockWidget(bottomNeighbour, m_chainDock);
    window->tabifyDockWidget(m_chainDock, m_historyDock);
    m_chainDock->hide();
    m_historyDock->hide();
    connect(m_chainView, &ChainView::eventActivated, this, &ChainDocks::activateEvent);
    connect(m_historyView, &ObjectHistoryView::eventActivated, this, &ChainDocks::activateEvent);

    m_followAction->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_F));
    m_followAction->setToolTip(tr("Every event with this event's auditID, across all loaded logs"));
    connect(m_followAction, &QAction::triggered, this, &ChainDocks::followRequest);
    m_historyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_H));
    m_historyAction->setToolTip(tr("Every request on the object this event touched, with diffs"));
    connect(m_historyAction, &QAction::triggered, this, &ChainDocks::showObjectHistory);

    Investigation* investigation = m_parts.investigation;
    connect(investigation, &Investigation::chainReady, this,
        [this](const EventStorePtr& store, const Chain& chain) {
            m_shownStore = store;
            m_chainView->setChain(chain);
            m_chainView->gantt()->setSelectedEvent(currentEvent());
            showDock(m_chainDock);
            Q_EMIT chainShown();
        });
    connect(investigation, &Investigation::historyReady, this,
        [this](const EventStorePtr& store, const ObjectHistory& history) {
            m_shownStore = store;
            m_historyView->setHistory(history);
            showDock(m_historyDock);
            Q_EMIT historyShown();
        });
}

EventId ChainDocks::currentEvent() const
{
    return m_parts.investigation->eventModel()->eventAt(m_parts.table->currentIndex().row());
}

void ChainDocks::showDock(QDockWidget* dock)
{
    dock->show();
    dock->raise();
    // Room for the findings, the Gantt and the tree.
    m_parts.window->resizeDocks({dock}, {m_parts.window->height() * 2 / 5}, Qt::Vertical);
}

void ChainDocks::activateEvent(EventId id)
{
    if (m_shownStore != m_parts.investigation->snapshot()) { // ids of an earlier load
        m_parts.status->setText(
            tr("That chain or history is from an earlier load: follow it again"));
        return;
    }
    Q_EMIT eventActivated(id);
}

void ChainDocks::followRequest()
{
    m_parts.investigation->followRequest(currentEvent());
}

void ChainDocks::showObjectHistory()
{
    const EventId id = currentEvent();
    if (id && !m_parts.investigation->showObjectHistory(id))
        m_parts.status->setText(tr("This event names no object (no objectRef name): no history"));
}

} // namespace auditscope
