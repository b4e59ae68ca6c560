// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "windowparts.h"

#include "store/eventstore.h"

#include <QObject>

class QAction;
class QDockWidget;

namespace auditscope {

class ChainView;
class ObjectHistoryView;

/// Follow Request (the auditID chain of the selected event) and Object History (every request
/// on the object it touched): the investigation builds them in a job, and they show here in a
/// dock each; picking an event there selects it in the table.
class ChainDocks final : public QObject
{
    Q_OBJECT

public:
    /// `bottomNeighbour`: the dock the two docks share tabs with (the timeline).
    ChainDocks(const WindowParts& parts, QDockWidget* bottomNeighbour);

    ChainView* chainView() const { return m_chainView; }
    ObjectHistoryView* historyView() const { return m_historyView; }
    QDockWidget* chainDock() const { return m_chainDock; }
    QDockWidget* historyDock() const { return m_historyDock; }
    QAction* followAction() const { return m_followAction; }
    QAction* historyAction() const { return m_historyAction; }

Q_SIGNALS:
    /// The request chain / object history dock shows a new result.
    void chainShown();
    void historyShown();
    /// The user picked `id` in a chain or history: the window selects it in the table.
    void eventActivated(auditscope::EventId id);

private:
    void followRequest();
    void showObjectHistory();
    void activateEvent(EventId id);
    void showDock(QDockWidget* dock);
    EventId currentEvent() const;

    WindowParts m_parts;
    ChainView* m_chainView;
    ObjectHistoryView* m_historyView;
    QDockWidget* m_chainDock;
    QDockWidget* m_historyDock;
    QAction* m_followAction;
    QAction* m_historyAction;
    EventStorePtr m_shownStore; // the snapshot the chain / history docks were built on
};

} // namespace auditscope
