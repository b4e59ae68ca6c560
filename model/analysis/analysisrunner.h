// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "analysis/resourceindex.h"
#include "analysis/resourcesaggregate.h"
#include "analysis/timeline.h"
#include "analysis/usersaggregate.h"
#include "jobs/jobrunner.h"
#include "query/queryengine.h"
#include "store/eventstore.h"
#include "store/rowset.h"

#include <QObject>
#include <QString>

#include <memory>
#include <mutex>
#include <optional>

namespace auditscope {

/// The events one analysis view reads: the current filter's rows, or (for a pinned view, which
/// must not filter itself away) the events of a filter of its own.
struct AnalysisInput
{
    /// False: AnalysisRequest::rows. True: the events of `filter` (blank = every event), e.g.
    /// the current filter without the view's own term.
    bool own = false;
    QString filter;
};

/// What to compute: any of timeline, users, resources, over the store's events.
struct AnalysisRequest
{
    EventStorePtr store;
    /// The current filter's result: nullopt = every event (shared: no copy per request).
    std::shared_ptr<const std::optional<RowSet>> rows;
    bool timeline = false, users = false, resources = false;
    AnalysisInput timelineInput, usersInput, resourcesInput;
    TimelineRequest timelineRequest;
    QueryOptions queryOptions; ///< for own filters (the active policy's terms)
};

/// One finished analysis. Parts not asked for are null.
struct AnalysisResult
{
    EventStorePtr store;
    std::shared_ptr<const Timeline> timeline;
    std::shared_ptr<const UsersAggregate> users;
    std::shared_ptr<const ResourcesAggregate> resources;
    qint64 elapsedMs = 0;
};

/// Computes the analysis views' aggregates for the GUI as a job and reports back on the thread
/// the runner lives on. A new run supersedes the one before (stopped, its result dropped); the
/// resources index is built once per store snapshot and kept.
class AnalysisRunner final : public QObject
{
    Q_OBJECT

public:
    explicit AnalysisRunner(QObject* parent = nullptr);
    ~AnalysisRunner() override;

    /// Starts `request`, superseding any running one.
    void run(AnalysisRequest request);
    void cancel();
    bool isRunning() const { return m_jobs.isRunning(); }

Q_SIGNALS:
    void analysisFinished(const auditscope::AnalysisResult& result);
    /// A view's own filter did not parse (it was made from the filter bar's, which did).
    void analysisFailed(const QString& message);

private:
    struct IndexCache;

    std::shared_ptr<IndexCache> m_cache; // shared with the jobs
    JobRunner m_jobs; // last member: its jobs are joined before anything else goes
};

} // namespace auditscope

Q_DECLARE_METATYPE(auditscope::AnalysisResult)
