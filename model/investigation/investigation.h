// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "chain/chain.h"
#include "chain/objecthistory.h"
#include "detect/finding.h"
#include "itemmodels/detectionrulesmodel.h"
#include "itemmodels/eventcolumns.h"
#include "jobs/jobrunner.h"
#include "policy/policyeditorevaluation.h"
#include "store/eventstore.h"
#include "store/rowset.h"

#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace auditscope {

class AnalysisRunner;
class DetectionRunner;
class EventTableModel;
class LoadController;
class PolicyEvaluationRunner;
class QueryRunner;
struct LoadResult;
struct Summary;

/// The state of one investigation and the jobs that compute it: its sources and their current
/// snapshot, the event table (the current filter's rows in the current sort), the composed
/// filter (what the user typed plus one term per analysis view), the active policy's result and
/// its comparison, the detection rules' findings and their coverage by the active policy, and
/// the runners of loading, filtering, sorting, analysis, policy evaluation, detection and chain
/// building. Widgets observe it through its signals and the models it owns; it knows
/// nothing of them. Lives on the GUI thread.
class Investigation final : public QObject
{
    Q_OBJECT

public:
    explicit Investigation(QObject* parent = nullptr);
    ~Investigation() override;

    LoadController* loader() const { return m_loader; }
    QueryRunner* queryRunner() const { return m_query; }
    AnalysisRunner* analysisRunner() const { return m_analysis; }
    PolicyEvaluationRunner* policyRunner() const { return m_policy; }
    DetectionRunner* detectionRunner() const { return m_detection; }
    /// The events shown: the current filter's rows of the current snapshot, in the current sort.
    EventTableModel* eventModel() const { return m_model; }

    // Sources.
    const QStringList& paths() const { return m_paths; }
    /// Replaces the investigation with these files, folders or globs.
    void open(const QStringList& paths);
    /// Adds sources (all are merged by time: the union is loaded again, at ~1 GB/s).
    void add(const QStringList& paths);
    void reload();
    void close();
    /// The snapshot shown (a partial one while a load goes on; null when nothing is open).
    const EventStorePtr& snapshot() const;

    // The filter: the typed part and each view's term.
    /// Runs `text` as the filter. Text other than the composed filter is the user's own: it
    /// becomes the typed part, and the views' terms are dropped (viewTermsCleared()).
    void applyFilter(const QString& text);
    /// The filter last applied.
    const QString& filter() const { return m_filter; }
    /// The typed part and every view's term but `without`'s, each parenthesised when joined.
    QString composedFilter(const QString& without = {}) const;
    bool hasViewTerm(const QString& view) const { return m_viewTerms.contains(view); }
    /// Sets (empty: removes) `view`'s term; returns the new composed filter, for the filter bar
    /// to show and apply.
    QString setViewTerm(const QString& view, const QString& term);
    /// Removes every view's term; returns the new composed filter (nullopt: there were none).
    std::optional<QString> clearViewTerms();
    /// The current filter's events (nullopt = every event) and the snapshot they belong to.
    const std::shared_ptr<const std::optional<RowSet>>& filterRows() const { return m_rows; }
    const EventStorePtr& filterRowsStore() const { return m_rowsStore; }

    // Sorting (off the GUI thread; ties stay in time order).
    /// Sorts the shown rows by `column`; nullopt: time order (as loaded).
    void sortBy(std::optional<EventColumn> column, bool descending);
    std::optional<EventColumn> sortColumn() const { return m_sortColumn; }
    bool sortDescending() const { return m_sortDescending; }

    // The active policy.
    /// Evaluates `text` as the active policy over the snapshot: debounced (typing), or at once
    /// (a policy opened or switched to).
    void setPolicyText(const QString& text, bool now = false);
    /// Compares the active policy with `text` (null: with the recorded log only).
    void setPolicyBaseline(const QString& text);
    /// No active policy any more: no policy columns, terms or result.
    void clearPolicy();
    const PolicyEvaluationResultPtr& policyResult() const { return m_policyResult; }
    /// The active policy's outcome per event for the shown snapshot, or null.
    const PolicyQueryContextPtr& policyContext() const { return m_policyContext; }

    // Findings: the detection rules run over each complete snapshot (after a load, after
    // sources are added; never over the partial snapshots shown while loading).
    /// The findings for the shown snapshot (null: none yet, or detection is running).
    const DetectionResultPtr& findings() const { return m_findings; }
    /// Which rules flagged each event, for the finding: and severity terms (null: no findings).
    FindingQueryContextPtr findingContext() const;
    /// The rules in force: the built-in pack, the user's own rules file, a file chosen.
    const std::shared_ptr<const RuleSet>& rules() const;
    /// Uses `rules` from now on: detection runs again, and so does the coverage.
    void setRules(std::shared_ptr<const RuleSet> rules);
    /// The built-in pack, then the user's rules file (userRulesPath(), when it exists), then
    /// `path` (empty: none), through applyRulesFile(); then setRules(). A bad entry is left out
    /// (see rules()->diagnostics) and the others still run.
    void setRulesFile(const QString& path);
    /// The file given to setRulesFile() (empty: none).
    const QString& rulesFile() const { return m_rulesFile; }
    /// The active policy's coverage of the rules (null: no policy, or it does not decode).
    const RuleSetCoveragePtr& coverage() const { return m_coverage; }

    // Request chains and object histories.
    void followRequest(EventId id);
    /// False (and nothing starts) when the event names no object.
    bool showObjectHistory(EventId id);

Q_SIGNALS:
    void loadStarted(const QStringList& paths);
    void loadFinished(const auditscope::LoadResult& result, const auditscope::Summary& summary);
    /// The load ended with an error instead of a result: nothing new is shown.
    void loadFailed(const QString& message);
    /// A filter, sort, policy evaluation or chain build ended with an error (what, then why).
    void jobFailed(const QString& message);
    /// A new snapshot is shown (the first rows of a load, the whole load, or null when closed):
    /// the table shows all of it until the filter's rows arrive, in time order.
    void snapshotChanged(const auditscope::EventStorePtr& store);
    /// The filter `text` could not run (it did not parse or names an unknown rule).
    void filterInvalid(int column, const QString& message);
    /// The table shows the filter's rows (`shown` of `total` events).
    void filterFinished(qint64 shown, qint64 total, qint64 elapsedMs);
    /// filterRows() changed: the views that show the filter's events need new numbers.
    void filterRowsChanged();
    /// The view terms were dropped because the user typed a filter of their own.
    void viewTermsCleared();
    /// The table shows the rows in the order sortBy() asked for.
    void sortFinished();
    /// A new result of the active policy (null: none): every consumer takes it from here.
    void policyResultChanged(const auditscope::PolicyEvaluationResultPtr& result);
    /// A new detection result for the shown snapshot, or null (a new snapshot, or closed).
    void findingsChanged(const auditscope::DetectionResultPtr& result);
    /// setRules() or setRulesFile() changed the rules in force.
    void rulesChanged(const std::shared_ptr<const auditscope::RuleSet>& rules);
    /// The active policy's coverage of the rules changed (null: no policy to judge).
    void coverageChanged(const auditscope::RuleSetCoveragePtr& coverage);
    void chainReady(const auditscope::EventStorePtr& store, const auditscope::Chain& chain);
    void historyReady(
        const auditscope::EventStorePtr& store, const auditscope::ObjectHistory& history);

private:
    void useSnapshot(const EventStorePtr& store);
    void showFilterResult(
        const EventStorePtr& store, const std::optional<RowSet>& rows, qint64 elapsedMs);
    void setFilterRows(const EventStorePtr& store, std::optional<RowSet> rows);
    void startSort();
    void updatePolicyStore();
    void showPolicyResult(const PolicyEvaluationResultPtr& result);
    void updateDetectionStore();
    void showFindings(const DetectionResultPtr& result);
    void updateCoverage();

    QStringList m_paths;
    EventTableModel* m_model;
    LoadController* m_loader;
    QueryRunner* m_query;
    AnalysisRunner* m_analysis;
    PolicyEvaluationRunner* m_policy;
    DetectionRunner* m_detection;
    bool m_policyActive = false;
    PolicyEvaluationResultPtr m_policyResult;
    PolicyQueryContextPtr m_policyContext; // made once per result, shared by every consumer
    QString m_filter; // the filter last applied
    QString m_typedFilter; // what the user typed or chose
    QMap<QString, QString> m_viewTerms; // view -> its term, in a fixed order
    QString m_composedFilter; // the last filter composed from the parts
    std::shared_ptr<const std::optional<RowSet>> m_rows; // the current filter's events
    EventStorePtr m_rowsStore; // the snapshot m_rows belongs to
    std::optional<EventColumn> m_sortColumn;
    bool m_sortDescending = false;
    EventStorePtr m_detectionStore; // the snapshot detection runs (or ran) on
    DetectionResultPtr m_findings;
    QString m_rulesFile;
    RuleSetCoveragePtr m_coverage;
    JobRunner m_coverageJobs; // coverage of the rules by the active policy
    JobRunner m_chainJobs; // chain and history builds
    JobRunner m_sortJobs; // last members: their jobs are joined before anything else goes
};

} // namespace auditscope
