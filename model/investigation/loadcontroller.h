// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "jobs/jobrunner.h"
#include "load/loader.h"
#include "report/summary.h"

#include <QObject>
#include <QStringList>

namespace auditscope {

/// Runs loadAuditLogs() as a job for the GUI and reports back on the GUI thread. Opening again
/// (or destroying the controller) supersedes the running load; its results are dropped.
/// Lives on the GUI thread.
class LoadController final : public QObject
{
    Q_OBJECT

public:
    explicit LoadController(QObject* parent = nullptr);
    ~LoadController() override;

    bool isLoading() const { return m_jobs.isRunning(); }

public Q_SLOTS:
    void open(const QStringList& paths);
    /// Stops the running load; loadFinished still arrives with what was loaded.
    void cancel();
    /// Stops the running load and drops it: nothing more arrives from it.
    void discard();

Q_SIGNALS:
    void loadStarted(const QStringList& paths);
    void progressChanged(const auditscope::LoadProgress& progress);
    /// The first rows, before the whole load is indexed.
    void partialSnapshot(const auditscope::EventStorePtr& store);
    /// The summary is computed on the worker too: at 10 M events it takes ~10 ms.
    void loadFinished(const auditscope::LoadResult& result, const auditscope::Summary& summary);
    /// The load ended with an error instead of a result (e.g. out of memory).
    void loadFailed(const QString& message);

private:
    JobRunner m_jobs; // last member: its jobs are joined before anything else goes
};

} // namespace auditscope
