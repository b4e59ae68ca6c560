// SPDX-License-Identifier: Apache-2.0
#include "queryrunner.h"

#include "chain/chainintegrity.h"
#include "query/queryengine.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QPointer>

#include <algorithm>

namespace auditscope {

namespace {

// Debug output (timings) only when asked: QT_LOGGING_RULES="auditscope.query.debug=true".
Q_LOGGING_CATEGORY(lcQuery, "auditscope.query", QtInfoMsg)

} // namespace

QueryRunner::QueryRunner(QObject* parent)
    : QObject(parent)
{ }

QueryRunner::~QueryRunner()
{
    // Stop and join while `this` is whole; the worker posts to us only through a QPointer.
    m_worker.request_stop();
    for (std::jthread& old : m_retired)
        old.request_stop();
    if (m_worker.joinable())
        m_worker.join();
    m_retired.clear(); // joins
}

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
    const quint64 generation = ++m_generation;
    if (m_worker.joinable()) {
        m_worker.request_stop();
        m_retired.push_back(std::move(m_worker));
    }
    Q_EMIT queryStarted(text);
    if (text.trimmed().isEmpty() || !store) {
        m_running = false;
        m_retired.clear(); // superseded runs were asked to stop: these joins are short
        Q_EMIT queryFinished(
            store, store ? std::nullopt : std::optional<RowSet>(RowSet{}), text, 0);
        return;
    }
    m_running = true;
    QPointer<QueryRunner> self(this);
    m_worker = std::jthread([self, store, text, generation, options,
                                query = std::move(*parsed.query)](std::stop_token stop) {
        QElapsedTimer timer;
        timer.start();
        QueryResult result = runPreparedQuery(store, query, stop, options);
        if (result.cancelled)
            return;
        const qint64 elapsedMs = timer.elapsed();
        qCDebug(lcQuery) << "query" << text << "matched" << result.rows.size() << "in" << elapsedMs
                         << "ms";
        QMetaObject::invokeMethod(
            self.data(),
            [self, store, text, generation, elapsedMs, rows = std::move(result.rows)]() mutable {
                if (!self || self->m_generation != generation)
                    return;
                self->m_running = false;
                self->m_retired.clear();
                Q_EMIT self->queryFinished(
                    store, std::optional<RowSet>(std::move(rows)), text, elapsedMs);
            },
            Qt::QueuedConnection);
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
    ++m_generation;
    m_running = false;
    m_worker.request_stop();
}

} // namespace auditscope
