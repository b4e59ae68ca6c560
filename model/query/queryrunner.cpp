// SPDX-License-Identifier: Apache-2.0
#include "queryrunner.h"

#include "chain/chainintegrity.h"
#include "query/queryengine.h"

#include <QElapsedTimer>
#include <QLoggingCategory>

#include <algorithm>

namespace auditscope {

namespace {

// Debug output (timings) only when asked: QT_LOGGING_RULES="auditscope.query.debug=true".
Q_LOGGING_CATEGORY(lcQuery, "auditscope.query", QtInfoMsg)

} // namespace

QueryRunner::QueryRunner(QObject* parent)
    : QObject(parent)
{
    connect(&m_jobs, &JobRunner::jobFailed, this, &QueryRunner::queryFailed);
}

QueryRunner::~QueryRunner() = default;

void QueryRunner::run(const EventStorePtr& store, const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    const std::string_view view(utf8.constData(), static_cast<std::size_t>(utf8.size()));
    ParseResult parsed = parseQuery(view);
    QueryOptions options;
    options.policy = m_policy;
    if (parsed.ok() && store) {
        if (std::optional<QueryError> e = checkQueryContext(*parsed.query, view, *store, options))
            parsed = ParseResult{std::nullopt, std::move(*e)};
    }
    if (!parsed.ok()) {
        const QueryError& e = parsed.error;
        const auto offset = static_cast<qsizetype>(std::min<std::size_t>(e.offset, utf8.size()));
        Q_EMIT queryInvalid(static_cast<int>(e.column), QString::fromStdString(e.message),
            static_cast<int>(QString::fromUtf8(utf8.constData(), offset).size()));
        return;
    }
    if (text.trimmed().isEmpty() || !store) {
        m_jobs.cancel(); // a running query is superseded by this one, which needs no work
        Q_EMIT queryStarted(text);
        Q_EMIT queryFinished(
            store, store ? std::nullopt : std::optional<RowSet>(RowSet{}), text, 0);
        return;
    }
    Q_EMIT queryStarted(text);
    struct Finished
    {
        QueryResult result;
        qint64 elapsedMs = 0;
    };
    m_jobs.start(
        [store, text, options, query = std::move(*parsed.query)](JobContext& job) {
            QElapsedTimer timer;
            timer.start();
            Finished finished{runPreparedQuery(store, query, job.stopToken(), options), 0};
            finished.elapsedMs = timer.elapsed();
            qCDebug(lcQuery) << "query" << text << "matched" << finished.result.rows.size() << "in"
                             << finished.elapsedMs << "ms";
            return finished;
        },
        [this, store, text](Finished finished) {
            Q_EMIT queryFinished(store, std::optional<RowSet>(std::move(finished.result.rows)),
                text, finished.elapsedMs);
        });
}

QueryResult runPreparedQuery(const EventStorePtr& store, const Query& query, std::stop_token stop,
    const QueryOptions& options)
{
    // chain: terms read the store's chain flags: compute them once per snapshot, cached.
    if (std::any_of(query.nodes.begin(), query.nodes.end(),
            [](const QueryNode& n) { return n.field == QueryField::Chain; }))
        chainIntegrityFor(store, stop);
    return runQuery(*store, query, stop, options);
}

FilterOutcome runFilter(const EventStorePtr& store, const QString& text, std::stop_token stop,
    const QueryOptions& options)
{
    FilterOutcome outcome;
    if (text.trimmed().isEmpty())
        return outcome; // every event
    const QByteArray utf8 = text.toUtf8();
    const std::string_view view(utf8.constData(), static_cast<std::size_t>(utf8.size()));
    ParseResult parsed = parseQuery(view);
    if (parsed.ok())
        if (std::optional<QueryError> e = checkQueryContext(*parsed.query, view, *store, options))
            parsed = ParseResult{std::nullopt, std::move(*e)};
    if (!parsed.ok()) {
        outcome.error = QStringLiteral("col %1: %2")
                            .arg(parsed.error.column)
                            .arg(QString::fromStdString(parsed.error.message));
        outcome.rows = RowSet{};
        return outcome;
    }
    QueryResult result = runPreparedQuery(store, *parsed.query, stop, options);
    outcome.cancelled = result.cancelled;
    outcome.rows = std::move(result.rows);
    return outcome;
}

void QueryRunner::setPolicyContext(const PolicyQueryContextPtr& context)
{
    m_policy = context;
}

void QueryRunner::cancel()
{
    m_jobs.cancel();
}

} // namespace auditscope
