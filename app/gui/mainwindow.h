// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "itemmodels/eventcolumns.h"
#include "store/eventstore.h"

#include <QMainWindow>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace auditscope {

class AnalysisDocks;
class AnalysisTreeView;
class ChainDocks;
class ChainView;
class DetailPane;
class EventTableModel;
class EventTableView;
class FilterBar;
class FindingsDocks;
class FindingsView;
class Investigation;
class LoadController;
class LoadSummaryView;
class ObjectHistoryView;
class PolicyDocks;
class PolicyEditor;
class PolicyEvaluationRunner;
class PolicyRulesPanel;
class SettingsWriter;
class TimelineView;
class WelcomePage;
struct LoadProgress;
struct LoadResult;
struct Summary;

/// The AuditScope window: builds the widgets, menus and docks and connects them to the
/// investigation (model/investigation), which holds the state and runs every job. The filter
/// bar, the event table (selection kept by event id), the event pane, the load report and the
/// status bar are here; the analysis, policy, chain and findings docks are groups of their own.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    Investigation* investigation() const { return m_investigation; }
    LoadSummaryView* summaryView() const { return m_summary; }
    LoadController* loadController() const;
    EventTableView* eventTable() const { return m_table; }
    EventTableModel* eventModel() const;
    /// True while the welcome page shows (nothing open).
    bool showsWelcome() const;
    WelcomePage* welcomePage() const { return m_welcome; }
    /// A bundled sample log: installed beside the binary's data, or from the source tree.
    static QString samplePath(const QString& fileName);
    FilterBar* filterBar() const { return m_filterBar; }
    DetailPane* detailPane() const { return m_detail; }
    TimelineView* timelineView() const;
    AnalysisTreeView* usersView() const;
    AnalysisTreeView* resourcesView() const;
    QDockWidget* timelineDock() const;
    QDockWidget* usersDock() const;
    QDockWidget* resourcesDock() const;
    PolicyEditor* policyEditor() const;
    PolicyRulesPanel* policyRules() const;
    PolicyEvaluationRunner* policyRunner() const;
    QDockWidget* policyDock() const;
    QDockWidget* rulesDock() const;
    ChainView* chainView() const;
    ObjectHistoryView* historyView() const;
    QDockWidget* chainDock() const;
    QDockWidget* historyDock() const;
    FindingsDocks* findingsDocks() const { return m_findingsDocks; }
    FindingsView* findingsView() const;
    QDockWidget* findingsDock() const;

public Q_SLOTS:
    /// Replaces the investigation with these files, folders or globs.
    void openPaths(const QStringList& paths);
    /// Adds sources to the investigation (all are merged by time).
    void addPaths(const QStringList& paths);
    void reload();
    void closeInvestigation();
    /// Applies a filter as if typed in the filter bar and confirmed (empty: all events).
    void applyFilter(const QString& text);
    /// Sorts the table as a header click would.
    void sortBy(EventColumn column, bool descending);
    /// Opens an audit policy in the editor; it becomes the active policy.
    bool openPolicy(const QString& path);
    /// A new policy from a bundled complete-policy template (PolicyTemplate::id).
    void newPolicyFromTemplate(const QString& id);

Q_SIGNALS:
    /// A sort asked for with the table header has been applied.
    void sortFinished();
    /// The rows of a filter are shown.
    void filterFinished();
    /// The analysis views show new numbers.
    void analysisFinished();
    /// The policy editor, rules and table show a new evaluation of the active policy.
    void policyResultShown();
    /// The request chain / object history dock shows a new result.
    void chainShown();
    void historyShown();
    /// The Findings dock, event pane, timeline and status bar show a new detection result.
    void findingsShown();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // Window parts and their connections (mainwindow.cpp).
    void createStatusBar();
    void connectInvestigation();
    void connectTable();
    void restoreLayout();
    /// Keeps the selected event selected when the table's rows are replaced (same snapshot).
    void keepSelectionAcrossResets();
    // Menus and shortcuts (mainwindowactions.cpp).
    void createActions();
    void createCopyActions();
    QMenu* createFileMenu();
    void createEditMenu();
    void createViewMenu();
    void createGoMenu();
    void createHelpMenu();
    void createTableMenu();
    /// Makes `row` of the table current and visible.
    void goToRow(int row);
    /// Makes the event current in the table, if the filter shows it.
    void selectEvent(EventId id);
    EventId currentEvent() const;
    // Loading (mainwindowload.cpp).
    void startLoad(const QStringList& paths);
    void showProgress(const LoadProgress& progress);
    void finishLoad(const LoadResult& result, const Summary& summary);
    void chooseFiles();
    void chooseFolder();
    void rememberRecent(const QStringList& paths);
    void fillRecentMenu();

    Investigation* m_investigation;
    QStackedWidget* m_pages; // the welcome page, or filter bar + table
    WelcomePage* m_welcome;
    EventTableView* m_table;
    FilterBar* m_filterBar;
    DetailPane* m_detail;
    QDockWidget* m_detailDock;
    LoadSummaryView* m_summary;
    QDockWidget* m_reportDock;
    QProgressBar* m_progress;
    QLabel* m_status;
    QPushButton* m_cancel;
    AnalysisDocks* m_analysisDocks;
    PolicyDocks* m_policyDocks;
    ChainDocks* m_chainDocks;
    FindingsDocks* m_findingsDocks;
    SettingsWriter* m_settings; // recent files, written off the GUI thread
    QMenu* m_recentMenu = nullptr;
    QAction* m_reloadAction = nullptr;
    QAction* m_closeAction = nullptr;
    QAction* m_referenceAction = nullptr; // View > Time > Set the selected event as reference
    QAction* m_copyRowAction = nullptr;
    QAction* m_copyEventAction = nullptr;
    // The selected event while the table's rows are replaced, and the snapshot it belongs to.
    EventId m_selectedBeforeReset;
    EventStorePtr m_storeBeforeReset;
};

} // namespace auditscope
