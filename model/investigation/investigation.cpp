// SPDX-License-Identifier: Apache-2.0
#include "investigation/investigation.h"

#include "analysis/analysisrunner.h"
#include "chain/chainintegrity.h"
#include "investigation/loadcontroller.h"
#include "itemmodels/eventtablemodel.h"
#include "itemmodels/rowsort.h"
#include "policy/policyevaluationrunner.h"
#include "query/policyterms.h"
#include "query/queryrunner.h"

#include <QStringList>

namespace auditscope {

namespace {

// A part joined with others: always in parentheses (`a||b` has no space but an `or`).
QString parenthesised(const QString& filter)
{
    return QLatin1Char('(') + filter + QLatin1Char(')');
}

} // namespace

Investigation::Investigation(QObject* parent)
    : QObject(parent)
    , m_model(new EventTableModel(this))
    , m_loader(new LoadController(this))
    , m_query(new QueryRunner(this))
    , m_analysis(new AnalysisRunner(this))
    , m_policy(new PolicyEvaluationRunner(this))
    , m_rows(std::make_shared<const std::optional<RowSet>>())
{
    qRegisterMetaType<EventStorePtr>();
    qRegisterMetaType<PolicyEvaluationResultPtr>();
    qRegisterMetaType<Chain>();
    qRegisterMetaType<ObjectHistory>();
    connect(m_loader, &LoadController::loadStarted, this, &Investigation::loadStarted);
    connect(m_loader, &LoadController::partialSnapshot, this, &Investigation::useSnapshot);
    connect(m_loader, &LoadController::loadFinished, this,
        [this](const LoadResult& result, const Summary& summary) {
            useSnapshot(result.store);
            Q_EMIT loadFinished(result, summary);
        });
    connect(m_query, &QueryRunner::queryFinished, this,
        [this](const EventStorePtr& store, const std::optional<RowSet>& rows, const QString&,
            qint64 ms) { showFilterResult(store, rows, ms); });
    connect(m_query, &QueryRunner::queryInvalid, this,
        [this](int column, const QString& message) { Q_EMIT filterInvalid(column, message); });
    connect(m_policy, &PolicyEvaluationRunner::evaluationFinished, this,
        &Investigation::showPolicyResult);
    connect(m_loader, &LoadController::loadFailed, this, &Investigation::loadFailed);
    // An error in a job is shown, never swallowed: the job delivers nothing else.
    auto reportAs = [this](const QString& what) {
        return [this, what](const QString& message) { Q_EMIT jobFailed(what + message); };
    };
    connect(m_query, &QueryRunner::queryFailed, this, reportAs(QStringLiteral("Filter failed: ")));
    connect(m_policy, &PolicyEvaluationRunner::evaluationFailed, this,
        reportAs(QStringLiteral("Policy evaluation failed: ")));
    connect(&m_sortJobs, &JobRunner::jobFailed, this, reportAs(QStringLiteral("Sort failed: ")));
    connect(&m_chainJobs, &JobRunner::jobFailed, this,
        reportAs(QStringLiteral("Chain or history failed: ")));
}

Investigation::~Investigation() = default;

const EventStorePtr& Investigation::snapshot() const
{
    return m_model->store();
}

void Investigation::open(const QStringList& paths)
{
    m_paths = paths;
    m_loader->open(m_paths);
}

void Investigation::add(const QStringList& paths)
{
    QStringList all = m_paths + paths;
    all.removeDuplicates(); // the loader drops duplicates too
    open(all);
}

void Investigation::reload()
{
    if (!m_paths.isEmpty())
        m_loader->open(m_paths);
}

void Investigation::close()
{
    m_loader->discard(); // a load still running must not bring its events back
    m_paths.clear();
    useSnapshot(nullptr);
}

void Investigation::useSnapshot(const EventStorePtr& store)
{
    m_sortJobs.cancel(); // a sort of the previous snapshot is stale now
    m_sortColumn.reset();
    m_model->setSnapshot(store); // every event in time order until the filter's rows arrive
    updatePolicyStore();
    Q_EMIT snapshotChanged(store);
    if (store && !m_filter.trimmed().isEmpty())
        m_query->run(store, m_filter); // the filter holds across reloads
    else
        setFilterRows(store, std::nullopt);
}

void Investigation::applyFilter(const QString& text)
{
    if (text.trimmed() != m_composedFilter) {
        // Typed or chosen by the user: that is the filter now; view selections are folded in.
        m_typedFilter = text.trimmed();
        if (!m_viewTerms.isEmpty()) {
            m_viewTerms.clear();
            Q_EMIT viewTermsCleared();
        }
        m_composedFilter = m_typedFilter;
    }
    m_filter = text;
    m_query->run(snapshot(), text);
}

QString Investigation::composedFilter(const QString& without) const
{
    QStringList parts;
    if (!m_typedFilter.trimmed().isEmpty())
        parts << m_typedFilter.trimmed();
    for (auto it = m_viewTerms.cbegin(); it != m_viewTerms.cend(); ++it)
        if (it.key() != without)
            parts << it.value();
    if (parts.size() == 1)
        return parts.front(); // one part needs no parentheses
    for (QString& part : parts)
        part = parenthesised(part);
    return parts.join(QStringLiteral(" and "));
}

QString Investigation::setViewTerm(const QString& view, const QString& term)
{
    if (term.isEmpty())
        m_viewTerms.remove(view);
    else
        m_viewTerms.insert(view, term);
    m_composedFilter = composedFilter();
    return m_composedFilter;
}

std::optional<QString> Investigation::clearViewTerms()
{
    if (m_viewTerms.isEmpty())
        return std::nullopt;
    m_viewTerms.clear();
    m_composedFilter = composedFilter();
    return m_composedFilter;
}

void Investigation::showFilterResult(
    const EventStorePtr& store, const std::optional<RowSet>& rows, qint64 elapsedMs)
{
    if (store != snapshot())
        return; // a filter of a snapshot that has been replaced
    m_sortJobs.cancel();
    const qint64 total = store ? qint64(store->size()) : 0;
    const qint64 shown = rows ? qint64(rows->size()) : total;
    if (rows)
        m_model->setSnapshot(store, *rows);
    else
        m_model->setSnapshot(store);
    setFilterRows(store, rows);
    if (m_sortColumn)
        startSort(); // keep the user's sort: sort the new rows the same way
    Q_EMIT filterFinished(shown, total, elapsedMs);
}

void Investigation::setFilterRows(const EventStorePtr& store, std::optional<RowSet> rows)
{
    m_rows = std::make_shared<const std::optional<RowSet>>(std::move(rows));
    m_rowsStore = store;
    Q_EMIT filterRowsChanged();
}

void Investigation::sortBy(std::optional<EventColumn> column, bool descending)
{
    m_sortColumn = column;
    m_sortDescending = descending;
    startSort();
}

void Investigation::startSort()
{
    const EventStorePtr store = snapshot();
    if (!store)
        return;
    if (!m_sortColumn) { // time order: the filter's rows as they came
        m_sortJobs.cancel();
        if (m_rowsStore == store && *m_rows)
            m_model->setSnapshot(store, **m_rows);
        else
            m_model->setSnapshot(store);
        Q_EMIT sortFinished();
        return;
    }
    // The filter's rows (time order, shared) are copied on the worker, not here: 10 M rows are
    // 40 MB. Sorting them rather than the shown order keeps ties in time order.
    std::shared_ptr<const std::optional<RowSet>> filterRows =
        m_rowsStore == store ? m_rows : std::make_shared<const std::optional<RowSet>>();
    m_sortJobs.start(
        [store, filterRows = std::move(filterRows), column = *m_sortColumn,
            descending = m_sortDescending, policy = m_model->policyContext()](JobContext& job) {
            RowSet rows;
            if (*filterRows) {
                rows = **filterRows;
            } else {
                rows.resize(store->size());
                for (std::uint32_t i = 0; i < rows.size(); ++i)
                    rows[i] = EventId{i};
            }
            return sortRows(
                *store, std::move(rows), column, descending, job.stopToken(), policy.get());
        },
        [this, store](RowSet sorted) {
            if (store != snapshot())
                return; // superseded by a newer load
            m_model->setSnapshot(store, std::move(sorted));
            Q_EMIT sortFinished();
        });
}

void Investigation::setPolicyText(const QString& text)
{
    m_policyActive = true;
    updatePolicyStore();
    m_policy->setPolicyText(text);
}

void Investigation::setPolicyBaseline(const QString& text)
{
    m_policy->setBaselineText(text);
    if (!m_policyActive)
        m_policy->cancel(); // remembered for the next policy; nothing to evaluate now
}

void Investigation::clearPolicy()
{
    m_policyActive = false;
    m_policy->cancel();
    showPolicyResult(nullptr);
}

void Investigation::updatePolicyStore()
{
    if (!m_policyActive)
        return; // nothing to match
    const EventStorePtr& store = snapshot();
    if (store && !store->indexed)
        return; // a partial snapshot while loading: match the whole log
    if (store != m_policy->store())
        m_policy->setStore(store);
}

void Investigation::showPolicyResult(const PolicyEvaluationResultPtr& result)
{
    if (result && result->store && result->store != snapshot())
        return; // computed on a snapshot that has been replaced; the new one is on its way
    if (result && !m_policyActive)
        return; // the policy was closed while it was evaluated
    m_policyResult = result;
    m_policyContext = result ? result->queryContext() : nullptr;
    const PolicyQueryContextPtr& context = m_policyContext;
    m_model->setPolicyContext(context);
    m_query->setPolicyContext(context);
    if (snapshot() && readsPolicyResult(m_filter.toStdString()))
        m_query->run(snapshot(), m_filter); // rule:N means something new
    else if (context
        && (m_sortColumn == EventColumn::Rule || m_sortColumn == EventColumn::PolicyLevel))
        startSort(); // a new order
    Q_EMIT policyResultChanged(result);
}

void Investigation::followRequest(EventId id)
{
    const EventStorePtr store = snapshot();
    if (!store || !id)
        return;
    m_chainJobs.start(
        [store, id](JobContext& job) -> std::optional<Chain> {
            const ChainIntegrityPtr integrity = chainIntegrityFor(store, job.stopToken());
            if (!integrity || job.stopRequested())
                return std::nullopt;
            return buildChain(*store, *integrity, id);
        },
        [this, store](std::optional<Chain> chain) {
            if (chain)
                Q_EMIT chainReady(store, *chain);
        });
}

bool Investigation::showObjectHistory(EventId id)
{
    const EventStorePtr store = snapshot();
    const std::optional<ObjectKey> key = store ? ObjectKey::of(*store, id) : std::nullopt;
    if (!key)
        return false;
    m_chainJobs.start([store, key = *key](JobContext&) { return buildObjectHistory(*store, key); },
        [this, store](ObjectHistory history) { Q_EMIT historyReady(store, history); });
    return true;
}

} // namespace auditscope
