// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "windowparts.h"

#include <QObject>

class QDockWidget;
class QTimer;

namespace auditscope {

class AnalysisTreeView;
class ResourcesModel;
class TimelineView;
class UsersModel;
struct AnalysisResult;

/// The linked analysis views: the Timeline, Users and Resources docks. Each shows the events of
/// the current filter (recomputed by the investigation's analysis runner when it changes, for
/// the docks that are open), and a selection in one of them sets that view's term of the
/// investigation's filter. The filter bar always shows the whole filter: the user's own part,
/// then one term per view ("(…) and (user:alice) and (time >= …)"), so nothing is hidden state.
class AnalysisDocks final : public QObject
{
    Q_OBJECT

public:
    explicit AnalysisDocks(const WindowParts& parts);

    TimelineView* timelineView() const { return m_timeline; }
    AnalysisTreeView* usersView() const { return m_users; }
    AnalysisTreeView* resourcesView() const { return m_resources; }
    QDockWidget* timelineDock() const { return m_timelineDock; }
    QDockWidget* usersDock() const { return m_usersDock; }
    QDockWidget* resourcesDock() const { return m_resourcesDock; }

    /// Shows the docks beside the table (when a load starts from the welcome page).
    void showDocks();
    void hideDocks();
    /// Removes the views' selections and their terms from the filter.
    void clearViewFilters();

Q_SIGNALS:
    /// The views show new numbers.
    void analysisShown();

private:
    QDockWidget* addDock(
        QWidget* content, const QString& title, const QString& name, Qt::DockWidgetArea area);
    void connectTreeView(AnalysisTreeView* view, const QString& term);
    void setViewFilter(const QString& view, const QString& term);
    /// The view selections were folded into a filter the user typed.
    void clearSelections();
    void filterRowsChanged();
    void requestAnalysis(bool timeline, bool users, bool resources);
    void showAnalysis(const AnalysisResult& result);
    void showUsersStatus(const AnalysisResult& result);

    WindowParts m_parts;
    TimelineView* m_timeline;
    UsersModel* m_usersModel;
    AnalysisTreeView* m_users;
    ResourcesModel* m_resourcesModel;
    AnalysisTreeView* m_resources;
    QDockWidget* m_timelineDock;
    QDockWidget* m_usersDock;
    QDockWidget* m_resourcesDock;
    QTimer* m_timelineDebounce;
    // What a run superseded before it delivered is asked for again.
    bool m_pendingTimeline = false, m_pendingUsers = false, m_pendingResources = false;
};

} // namespace auditscope
