// SPDX-License-Identifier: Apache-2.0
#include "analysis/analysisrunner.h"

#include "query/queryrunner.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QPointer>

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
}

AnalysisRunner::~AnalysisRunner()
{
    m_worker.request_stop();
    for (std::jthread& old : m_retired)
        old.request_stop();
    if (m_worker.joinable())
        m_worker.join();
    m_retired.clear();
}

void AnalysisRunner::cancel()
{
    ++m_generation;
    m_running = false;
    m_worker.request_stop();
}

void AnalysisRunner::run(AnalysisRequest request)
{
    const quint64 generation = ++m_generation;
    if (m_worker.joinable()) {
        m_worker.request_stop();
        m_retired.push_back(std::move(m_worker));
    }
    if (!request.store) {
        m_running = false;
        Q_EMIT analysisFinished(AnalysisResult{});
        return;
    }
    if (!request.rows)
        request.rows = std::make_shared<const std::optional<RowSet>>();
    m_running = true;
    QPointer<AnalysisRunner> self(this);
    m_worker = std::jthread([self, generation, cache = m_cache, request = std::move(request)](
                                std::stop_token stop) {
        QElapsedTimer timer;
        timer.start();
        AnalysisOptions options;
        options.stop = stop;
        // Each distinct own filter runs once.
        std::map<QString, std::shared_ptr<const std::optional<RowSet>>> selections;
        QString failure;
        auto rowsFor = [&](const AnalysisInput& input) {
            if (!input.own)
                return request.rows;
            const QString text = input.filter.trimmed();
            auto& rows = selections[text];
            if (!rows) {
                FilterOutcome outcome = runFilter(request.store, text, stop, request.queryOptions);
                if (!outcome.error.isEmpty())
                    failure = outcome.error;
                rows = std::make_shared<const std::optional<RowSet>>(std::move(outcome.rows));
            }
            return rows;
        };
        AnalysisResult result;
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
            if (const auto index = cache->get(request.store, options))
                result.resources = std::make_shared<const ResourcesAggregate>(
                    aggregateResources(store, *index, EventSelection(*rows), {}, options));
        }
        if (stop.stop_requested())
            return;
        result.elapsedMs = timer.elapsed();
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, failure, result = std::move(result)]() {
                if (!self || self->m_generation != generation)
                    return;
                self->m_running = false;
                self->m_retired.clear();
                if (!failure.isEmpty())
                    Q_EMIT self->analysisFailed(failure);
                Q_EMIT self->analysisFinished(result);
            },
            Qt::QueuedConnection);
    });
}

} // namespace auditscope
