// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "windowparts.h"

#include "detect/finding.h"

#include <QObject>

class QDockWidget;
class QMenu;
class QProgressBar;
class QToolButton;

namespace auditscope {

class DetailPane;
class FindingsView;
class TimelineWidget;

/// The detection rules in the window: the Findings dock (findings by rule, and the Rules tab
/// with each rule's coverage by the open policy), the findings in the event pane ("Flagged
/// by"), marks on the timeline, the filter bar's finding: and severity terms, a status-bar
/// button ("12 findings (3 high or critical)") that raises the dock, detection's progress, and
/// File > Load Detection Rules. The investigation runs the rules; this shows what they found.
class FindingsDocks final : public QObject
{
    Q_OBJECT

public:
    /// `bottomNeighbour`: the dock the Findings dock shares tabs with (the timeline).
    FindingsDocks(const WindowParts& parts, DetailPane* detail, TimelineWidget* timeline,
        QDockWidget* bottomNeighbour);

    FindingsView* view() const { return m_view; }
    QDockWidget* dock() const { return m_dock; }
    /// The status bar's findings count; a click raises the dock.
    QToolButton* statusButton() const { return m_statusButton; }

    /// Adds Load Detection Rules and Use Built-in Detection Rules Only to `file`.
    void createMenus(QMenu* file);
    /// Applies a rules file over the built-in rules (and the user's own rules file); its
    /// problems are listed in the Rules tab and counted in the status bar.
    void loadRulesFile(const QString& path);
    /// Shows the Findings dock as a tab behind the timeline (when a load starts from the welcome
    /// page: the timeline's ticks mark the findings, the status bar counts them).
    void showBehindNeighbour();
    /// Shows and raises the Findings dock (the Findings tab, or the Rules tab).
    void showDock(bool rulesTab = false);

Q_SIGNALS:
    /// The user picked a finding: the window selects its event in the table.
    void eventActivated(auditscope::EventId id);
    /// The dock, the event pane, the timeline and the status bar show a new result.
    void findingsShown();

private:
    void chooseRulesFile();
    void showFindings(const DetectionResultPtr& result);
    void showRules();
    void updateStatusButton();

    WindowParts m_parts;
    DetailPane* m_detail;
    TimelineWidget* m_timeline;
    FindingsView* m_view;
    QDockWidget* m_dock;
    QDockWidget* m_bottomNeighbour;
    QToolButton* m_statusButton;
    QProgressBar* m_progress;
};

} // namespace auditscope
