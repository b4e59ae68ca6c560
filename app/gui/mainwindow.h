// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QMainWindow>
#include <QMap>
#include <QPointer>

#include <optional>

#include "itemmodels/eventcolumns.h"
#include "report/summary.h"
#include "store/eventstore.h"
#include "store/rowset.h"

#include <thread>

class QAction;
class QDockWidget;
class QMenu;
class QLabel;
class QProgressBar;
class QStackedWidget;
class QTimer;
class QPushButton;

namespace auditscope {

class AnalysisRunner;
struct AnalysisResult;
class AnalysisTreeView;
class ChainView;
class ObjectHistoryView;
class DetailPane;
class EventTableModel;
class EventTableView;
class FilterBar;
class QueryRunner;
class ResourcesModel;
class TimelineView;
class UsersModel;
class LoadController;
class LoadSummaryView;
class WelcomePage;
class PolicyDocument;
class PolicyEditor;
class PolicyEvaluationRunner;
class PolicyRulesPanel;
struct PolicyEvaluationResult;
struct LoadProgress;
struct LoadResult;

/// The AuditScope window: filter bar, event table (filtered and sorted off the GUI thread,
/// selection kept by event id), detail pane of the current event, load report. Analysis views
/// are issues #6 and #7.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    LoadSummaryView* summaryView() const { return m_summary; }
    LoadController* loadController() const { return m_loader; }
    EventTableView* eventTable() const { return m_table; }
    EventTableModel* eventModel() const { return m_model; }
    /// True while the welcome page shows (nothing open).
    bool showsWelcome() const;
    WelcomePage* welcomePage() const { return m_welcome; }
    /// A bundled sample log: installed beside the binary's data, or from the source tree.
    static QString samplePath(const QString& fileName);
    FilterBar* filterBar() const { return m_filterBar; }
    DetailPane* detailPane() const { return m_detail; }
    TimelineView* timelineView() const { return m_timeline; }
    AnalysisTreeView* usersView() const { return m_users; }
    AnalysisTreeView* resourcesView() const { return m_resources; }
    QDockWidget* timelineDock() const { return m_timelineDock; }
    QDockWidget* usersDock() const { return m_usersDock; }
    QDockWidget* resourcesDock() const { return m_resourcesDock; }
    PolicyEditor* policyEditor() const { return m_policyEditor; }
    PolicyRulesPanel* policyRules() const { return m_policyRules; }
    PolicyEvaluationRunner* policyRunner() const { return m_policyRunner; }
    QDockWidget* policyDock() const { return m_policyDock; }
    QDockWidget* rulesDock() const { return m_rulesDock; }
    ChainView* chainView() const { return m_chainView; }
    ObjectHistoryView* historyView() const { return m_historyView; }
    QDockWidget* chainDock() const { return m_chainDock; }
    QDockWidget* historyDock() const { return m_historyDock; }

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

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
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
    // Analysis views (mainwindowanalysis.cpp).
    void createAnalysisDocks();
    /// The filter: the user's part and the views' terms; `without` leaves one view's term out.
    QString composeFilter(const QString& without = {}) const;
    void filterFromBar(const QString& text);
    void setViewFilter(const QString& view, const QString& term);
    void clearViewFilters();
    void setAnalysisRows(const EventStorePtr& store, std::optional<RowSet> rows);
    void requestAnalysis(bool timeline, bool users, bool resources);
    void showAnalysis(const AnalysisResult& result);
    // Policy editor, rules and live matching (mainwindowpolicy.cpp).
    void createPolicyDocks();
    void createPolicyMenu(QMenu* file);
    void choosePolicy();
    void showPolicyEditor();
    void updatePolicyStore();
    void showPolicyResult(const std::shared_ptr<const PolicyEvaluationResult>& result);
    void showPolicyForEvent(EventId id);
    void updateComparisonChoices();
    void updatePolicyBaseline();
    // Request chains and object histories (mainwindowchain.cpp).
    void createChainDocks();
    void followRequest();
    void showObjectHistory();
    /// Makes the event current in the table, if the filter shows it.
    void selectEvent(EventId id);
    void retireChainWorker();
    void showProgress(const LoadProgress& progress);
    void finishLoad(const LoadResult& result, const Summary& summary);
    void sortTable(EventColumn column, bool descending);
    void chooseFiles();
    void chooseFolder();
    void rememberRecent(const QStringList& paths);
    void fillRecentMenu();
    void showFilterResult(
        const EventStorePtr& store, const std::optional<RowSet>& rows, qint64 elapsedMs);
    /// A new snapshot: the filter bar completes on it, and the current filter runs again.
    void useSnapshot(const EventStorePtr& store);
    /// Shows new rows and selects the event that was selected before, if it is still there.
    void showRows(EventStorePtr store, std::optional<RowSet> rows);

    QStackedWidget* m_pages; // the welcome page, or filter bar + table
    WelcomePage* m_welcome;
    EventTableModel* m_model;
    EventTableView* m_table;
    FilterBar* m_filterBar;
    DetailPane* m_detail;
    QDockWidget* m_detailDock;
    QueryRunner* m_runner;
    QStringList m_paths; // the sources of the investigation
    QMenu* m_recentMenu = nullptr;
    QAction* m_reloadAction = nullptr;
    QAction* m_closeAction = nullptr;
    QAction* m_referenceAction = nullptr; // View > Time > Set the selected event as reference
    QAction* m_copyRowAction = nullptr;
    QAction* m_copyEventAction = nullptr;
    LoadSummaryView* m_summary;
    QDockWidget* m_reportDock;
    QProgressBar* m_progress;
    QLabel* m_status;
    QPushButton* m_cancel;
    LoadController* m_loader;
    quint64 m_sortGeneration = 0;
    AnalysisRunner* m_analysis = nullptr;
    TimelineView* m_timeline = nullptr;
    UsersModel* m_usersModel = nullptr;
    AnalysisTreeView* m_users = nullptr;
    ResourcesModel* m_resourcesModel = nullptr;
    AnalysisTreeView* m_resources = nullptr;
    QDockWidget* m_timelineDock = nullptr;
    QDockWidget* m_usersDock = nullptr;
    QDockWidget* m_resourcesDock = nullptr;
    QString m_baseFilter; // what the user typed or chose
    QMap<QString, QString> m_viewTerms; // view -> its term, in a fixed order
    QString m_composedFilter; // the last filter the views put in the bar
    std::shared_ptr<const std::optional<RowSet>> m_currentRows; // the current filter's events
    EventStorePtr m_currentRowsStore; // the snapshot m_currentRows belongs to
    bool m_pendingTimeline = false, m_pendingUsers = false, m_pendingResources = false;
    QTimer* m_timelineDebounce = nullptr;
    EventStorePtr m_chainStore; // the snapshot the chain / history docks were built on
    std::vector<std::jthread> m_retiredChainWorkers; // superseded builds, joined when one lands
    ChainView* m_chainView = nullptr;
    ObjectHistoryView* m_historyView = nullptr;
    QDockWidget* m_chainDock = nullptr;
    QDockWidget* m_historyDock = nullptr;
    QAction* m_followAction = nullptr;
    QAction* m_historyAction = nullptr;
    quint64 m_chainGeneration = 0;
    std::jthread m_chainWorker; // builds a chain or history; joins before the members it uses go
    PolicyEditor* m_policyEditor = nullptr;
    PolicyRulesPanel* m_policyRules = nullptr;
    PolicyEvaluationRunner* m_policyRunner = nullptr;
    QDockWidget* m_policyDock = nullptr;
    QDockWidget* m_rulesDock = nullptr;
    std::shared_ptr<const PolicyEvaluationResult> m_policyResult; // shown now
    // What each open policy's impact is compared with ("Impact compared with" in the Rules
    // dock), per policy: switching tabs keeps each one's choice.
    enum class PolicyBaseline { RecordedLog, SavedFile, OtherPolicy };
    struct ComparisonChoice
    {
        PolicyBaseline kind = PolicyBaseline::RecordedLog;
        QPointer<PolicyDocument> other; // OtherPolicy
    };
    QHash<const PolicyDocument*, ComparisonChoice> m_comparisonChoices;
    QList<QPointer<PolicyDocument>> m_baselineChoices; // the policies from entry 2 on
    QPointer<PolicyDocument> m_choicesFor; // the active policy the entries were made for
    std::jthread m_sorter; // last: stops and joins before the members it uses go
};

} // namespace auditscope
