// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "load/loader.h"
#include "report/summary.h"

#include <QObject>
#include <QStringList>

#include <thread>
#include <vector>

namespace auditscope {

/// Runs loadAuditLogs() on a worker thread for the GUI and reports back on the GUI thread.
/// Opening again (or destroying the controller) cancels the running load; results of a
/// superseded load are dropped by generation number. Lives on the GUI thread.
class LoadController final : public QObject
{
    Q_OBJECT

public:
    explicit LoadController(QObject* parent = nullptr);
    ~LoadController() override;

    bool isLoading() const { return m_loading; }

public Q_SLOTS:
    void open(const QStringList& paths);
    /// Stops the running load; loadFinished still arrives with what was loaded.
    void cancel();

Q_SIGNALS:
    void loadStarted(const QStringList& paths);
    void progressChanged(const auditscope::LoadProgress& progress);
    /// The first rows, before the whole load is indexed.
    void partialSnapshot(const auditscope::EventStorePtr& store);
    /// The summary is computed on the worker too: at 10 M events it takes ~10 ms.
    void loadFinished(const auditscope::LoadResult& result, const auditscope::Summary& summary);

private:
    quint64 m_generation = 0;
    bool m_loading = false;
    // Superseded loads, asked to stop and joined later (a join on the GUI thread could wait for
    // the old load's merge and index phases).
    std::vector<std::jthread> m_retired;
    std::jthread m_worker; // last member: joins before anything it uses is destroyed
};

} // namespace auditscope

Q_DECLARE_METATYPE(auditscope::LoadProgress)
Q_DECLARE_METATYPE(auditscope::EventStorePtr)
Q_DECLARE_METATYPE(auditscope::LoadResult)
Q_DECLARE_METATYPE(auditscope::Summary)
