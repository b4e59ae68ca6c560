// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "jobs/jobrunner.h"
#include "policy/policyeditorevaluation.h"
#include "store/eventstore.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>
#include <mutex>

namespace auditscope {

/// Re-evaluates the policy being edited for the GUI: a change of the text (or of the store)
/// starts a debounce timer; when it fires, a job decodes, validates, lints and
/// evaluates the text over the store (building the store's attribute index once per snapshot),
/// computes the outline and the impact, and the runner emits evaluationFinished() on its own
/// thread. A newer change supersedes a running evaluation (asked to stop; its result is dropped
/// by generation). The caller's thread only copies the text and starts the job. Lives on the
/// GUI thread.
class PolicyEvaluationRunner final : public QObject
{
    Q_OBJECT

public:
    explicit PolicyEvaluationRunner(QObject* parent = nullptr);
    /// Stops the running evaluation and waits for it (at most an index build in progress).
    ~PolicyEvaluationRunner() override;

    /// The debounce follows the evaluation time (the default): about one evaluation on the
    /// worker (index builds excluded) after the last change, from MinDebounceMs to
    /// MaxDebounceMs. A key typed while an evaluation runs stops it, so waiting longer than an
    /// evaluation saves no work; a cheap evaluation then follows typing within a few frames.
    static constexpr int MinDebounceMs = 25;
    static constexpr int MaxDebounceMs = 150; ///< also the start, before any evaluation
    /// Milliseconds from the last change to the start of an evaluation, fixed (no adapting).
    void setDebounceInterval(int ms);
    /// The wait before the next evaluation starts.
    int debounceInterval() const;
    bool adaptsDebounce() const { return m_adaptiveDebounce; }
    /// What the next evaluations compute (lint against the log, outline, impact).
    void setOptions(const PolicyEvaluationOptions& options);
    const PolicyEvaluationOptions& options() const { return m_options; }

    const QString& policyText() const { return m_text; }
    const QString& baselineText() const { return m_baselineText; }
    const EventStorePtr& store() const { return m_store; }
    /// The generation of the latest evaluation started (results carry theirs).
    quint64 generation() const { return m_jobs.generation(); }
    /// A change waits for its debounce or an evaluation runs.
    bool isPending() const;
    /// The last result emitted (null before the first).
    const PolicyEvaluationResultPtr& lastResult() const { return m_last; }

public Q_SLOTS:
    /// Schedules an evaluation of `text` after the debounce interval (restarted by each call).
    void setPolicyText(const QString& text);
    /// Compares the next evaluations with the policy `text` (the saved version of the edited
    /// policy, or another open one); a null QString stops comparing. The baseline is evaluated
    /// once per text and store, so typing in the edited policy costs one comparison of O(groups).
    void setBaselineText(const QString& text);
    /// Schedules an evaluation over `store` (null: no log; only decoding, validation, lint and
    /// the static outline). A new snapshot gets its own attribute index.
    void setStore(const auditscope::EventStorePtr& store);
    /// Takes `store` for the next evaluations without scheduling one, and builds its indexes
    /// ahead of need, as a low-priority job: at 10 M events they take seconds, which opening a
    /// policy then does not wait for (or waits only for the rest). Costs 4 bytes per event
    /// while the store is current. Null drops the store and stops a build still running.
    void prepareStore(const auditscope::EventStorePtr& store);
    /// The indexes of the current store are built (for tests and benchmarks).
    bool isStoreIndexed() const;
    /// Starts an evaluation of the current text and store now (skipping the debounce).
    void evaluateNow();
    /// Stops the debounce and the running evaluation; nothing is emitted for them.
    void cancel();

Q_SIGNALS:
    void evaluationStarted(quint64 generation);
    /// One result per evaluation that was not superseded or cancelled.
    void evaluationFinished(const auditscope::PolicyEvaluationResultPtr& result);
    /// The evaluation ended with an error instead of a result (e.g. out of memory).
    void evaluationFailed(const QString& message);

private:
    void scheduleEvaluation();

    // The last baseline evaluated, reused while its text and store stay. Written by workers;
    // `epoch` changes with the baseline text or the store, and a worker that started in an
    // earlier epoch does not write.
    struct BaselineCache
    {
        std::mutex mutex;
        std::uint64_t epoch = 0;
        std::shared_ptr<const PolicyEvaluationResult> result;
    };
    void newBaselineEpoch();

    /// After a result: the next debounce from the worker's time (when adapting).
    void adaptDebounce(const PolicyEvaluationResult& result);
    /// Takes a new store (with a new index, not built yet); false if it is the current one.
    bool useStore(const EventStorePtr& store);

    QTimer m_debounce;
    bool m_adaptiveDebounce = true;
    int m_debounceMs = MaxDebounceMs; // the cost is unknown until an evaluation ran
    double m_evaluationMs = -1; // running average of the worker's time per evaluation
    QString m_text;
    QString m_baselineText;
    std::shared_ptr<BaselineCache> m_baselineCache = std::make_shared<BaselineCache>();
    EventStorePtr m_store;
    std::shared_ptr<PolicyStoreIndex> m_storeIndex;
    PolicyEvaluationOptions m_options;
    PolicyEvaluationResultPtr m_last;
    JobRunner m_prepareJobs; // the build ahead of need (prepareStore)
    // Low priority: an evaluation may build an index for seconds. Superseded ones are never
    // waited for on the GUI thread. Last member: its jobs are joined before anything else goes.
    JobRunner m_jobs;
};

} // namespace auditscope
