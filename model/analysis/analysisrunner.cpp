// SPDX-License-Identifier: Apache-2.0
#include "analysis/analysisrunner.h"

#include "query/queryrunner.h"

#include <QElapsedTimer>

#include <functional>
#include <map>

namespace auditscope {

// The resources index of the last store, built once per snapshot by whichever worker needs it
// first; later runs on the same snapshot reuse it.
struct AnalysisRunner::IndexCache
{
    std::mutex mutex;
    std::weak_ptr<const EventStore> store;
    std::shared_ptr<const ResourceIndex> index;

    std::shared_ptr<const ResourceIndex> get(
        const EventStorePtr& forStore, const AnalysisOptions& options)
    {
        std::lock_guard lock(mutex); // a second worker waits rather than building it again
        if (index && store.lock() == forStore)
            return index;
        auto built = std::make_shared<ResourceIndex>(ResourceIndex::build(*forStore, options));
        if (built->cancelled())
            return nullptr;
        store = forStore;
        index = std::move(built);
        return index;
    }
};

AnalysisRunner::AnalysisRunner(QObject* parent)
    : QObject(parent)
    , m_cache(std::make_shared<IndexCache>())
{
    qRegisterMetaType<AnalysisResult>();
    connect(&m_jobs, &JobRunner::jobFailed, this, &AnalysisRunner::analysisFailed);
}

AnalysisRunner::~AnalysisRunner() = default;

void AnalysisRunner::cancel()
{
    m_jobs.cancel();
}

namespace {

struct Analysed
{
    AnalysisResult result;
    QString failure; ///< a view's own filter did not parse
};

// The aggregates `request` asks for, on a worker.
Analysed analyse(const AnalysisRequest& request,
    const std::function<std::shared_ptr<const ResourceIndex>(const AnalysisOptions&)>& indexFor,
    std::stop_token stop)
{
    QElapsedTimer timer;
    timer.start();
    AnalysisOptions options;
    options.stop = stop;
    Analysed out;
    // Each distinct own filter runs once.
    std::map<QString, std::shared_ptr<const std::optional<RowSet>>> selections;
    auto rowsFor = [&](const AnalysisInput& input) {
        if (!input.own)
            return request.rows;
        const QString text = input.filter.trimmed();
        auto& rows = selections[text];
        if (!rows) {
            FilterOutcome outcome = runFilter(request.store, text, stop, request.queryOptions);
            if (!outcome.error.isEmpty())
                out.failure = outcome.error;
            rows = std::make_shared<const std::optional<RowSet>>(std::move(outcome.rows));
        }
        return rows;
    };
    AnalysisResult& result = out.result;
    result.store = request.store;
    const EventStore& store = *request.store;
    if (request.timeline) {
        const auto rows = rowsFor(request.timelineInput);
        result.timeline = std::make_shared<const Timeline>(
            computeTimeline(store, EventSelection(*rows), request.timelineRequest, options));
    }
    if (request.users && !stop.stop_requested()) {
        const auto rows = rowsFor(request.usersInput);
        result.users = std::make_shared<const UsersAggregate>(
            aggregateUsers(store, EventSelection(*rows), options));
    }
    if (request.resources && !stop.stop_requested()) {
        const auto rows = rowsFor(request.resourcesInput);
        if (const auto index = indexFor(options))
            result.resources = std::make_shared<const ResourcesAggregate>(
                aggregateResources(store, *index, EventSelection(*rows), {}, options));
    }
    result.elapsedMs = timer.elapsed();
    return out;
}

} // namespace

void AnalysisRunner::run(AnalysisRequest request)
{
    if (!request.store) {
        m_jobs.cancel();
        Q_EMIT analysisFinished(AnalysisResult{});
        return;
    }
    if (!request.rows)
        request.rows = std::make_shared<const std::optional<RowSet>>();
    m_jobs.start(
        [cache = m_cache, request = std::move(request)](JobContext& job) {
            return analyse(
                request,
                [&](const AnalysisOptions& options) { return cache->get(request.store, options); },
                job.stopToken());
        },
        [this](Analysed analysed) {
            if (!analysed.failure.isEmpty())
                Q_EMIT analysisFailed(analysed.failure);
            Q_EMIT analysisFinished(analysed.result);
        });
}

} // namespace auditscope
