// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "detect/finding.h"
#include "jobs/jobrunner.h"
#include "store/eventstore.h"

#include <QObject>
#include <QString>

#include <memory>

namespace auditscope {

/// Runs the detection rules for the GUI as a job on each new complete snapshot (after a load,
/// after sources are added) and when the rules change; a newer run supersedes the running one.
/// Reports progress and the result on the thread it lives on (the GUI thread).
class DetectionRunner final : public QObject
{
    Q_OBJECT

public:
    explicit DetectionRunner(QObject* parent = nullptr);
    ~DetectionRunner() override;

    const std::shared_ptr<const RuleSet>& rules() const { return m_rules; }
    const DetectionResultPtr& lastResult() const { return m_last; }
    bool isRunning() const { return m_jobs.isRunning(); }

public Q_SLOTS:
    /// Runs the rules over `store` (an indexed, complete snapshot; null: forget the result).
    void setStore(const auditscope::EventStorePtr& store);
    /// Uses these rules from now on and runs them again over the current store.
    void setRules(const std::shared_ptr<const auditscope::RuleSet>& rules);
    void cancel();

Q_SIGNALS:
    void detectionStarted();
    void detectionProgress(double share);
    /// A new result (null when the store was closed).
    void detectionFinished(const auditscope::DetectionResultPtr& result);
    void detectionFailed(const QString& message);

private:
    void start();

    EventStorePtr m_store;
    std::shared_ptr<const RuleSet> m_rules;
    DetectionResultPtr m_last;
    JobRunner m_jobs; // last member: its jobs are joined before anything else goes
};

} // namespace auditscope
