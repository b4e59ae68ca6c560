// SPDX-License-Identifier: Apache-2.0
#include "queryrunner.h"

#include "chain/chainintegrity.h"
#include "query/querychars.h"
#include "query/queryengine.h"

#include <QElapsedTimer>
#include <QLoggingCategory>

#include <algorithm>

namespace auditscope {

namespace {

// Debug output (timings) only when asked: QT_LOGGING_RULES="auditscope.query.debug=true".
Q_LOGGING_CATEGORY(lcQuery, "auditscope.query", QtInfoMsg)

// The index of the first UTF-16 unit of `text` that is half a surrogate pair, or -1.
qsizetype loneSurrogateAt(const QString& text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            ++i; // a pair: one character
        else if (c.isSurrogate())
            return i;
    }
    return -1;
}

} // namespace

ParseResult parseFilterText(const QString& text, const QByteArray& utf8)
{
    const std::string_view view(utf8.constData(), static_cast<std::size_t>(utf8.size()));
    const qsizetype lone = loneSurrogateAt(text);
    if (lone < 0)
        return parseQuery(view);
    QueryError error;
    error.offset = static_cast<std::size_t>(text.left(lone).toUtf8().size());
    error.column = columnAt(view, error.offset);
    error.message = "invalid text: a lone UTF-16 surrogate (U+"
        + QString::number(text.at(lone).unicode(), 16).toUpper().toStdString() + ")";
    return ParseResult{std::nullopt, std::move(error)};
}

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
    ParseResult parsed = parseFilterText(text, utf8);
    QueryOptions options;
    options.policy = m_policy;
    options.findings = m_findings;
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
    ParseResult parsed = parseFilterText(text, utf8);
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

void QueryRunner::setFindingContext(const FindingQueryContextPtr& context)
{
    m_findings = context;
}

void QueryRunner::cancel()
{
    m_jobs.cancel();
}

} // namespace auditscope
