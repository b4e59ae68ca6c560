// SPDX-License-Identifier: Apache-2.0
#include "investigation/investigation.h"

#include "analysis/analysisrunner.h"
#include "chain/chainintegrity.h"
#include "detect/detectionrunner.h"
#include "detect/rulecoverage.h"
#include "detect/rulereader.h"
#include "investigation/loadcontroller.h"
#include "itemmodels/eventtablemodel.h"
#include "itemmodels/rowsort.h"
#include "policy/policyevaluationrunner.h"
#include "query/findingterms.h"
#include "query/policyterms.h"
#include "query/queryrunner.h"

#include <QFile>
#include <QFileInfo>
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
    , m_detection(new DetectionRunner(this))
    , m_rows(std::make_shared<const std::optional<RowSet>>())
{
    qRegisterMetaType<EventStorePtr>();
    qRegisterMetaType<PolicyEvaluationResultPtr>();
    qRegisterMetaType<Chain>();
    qRegisterMetaType<ObjectHistory>();
    qRegisterMetaType<std::shared_ptr<const RuleSet>>();
    qRegisterMetaType<RuleSetCoveragePtr>();
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
    connect(m_detection, &DetectionRunner::detectionFinished, this, &Investigation::showFindings);
    connect(m_detection, &DetectionRunner::detectionFailed, this,
        reportAs(QStringLiteral("Detection failed: ")));
    connect(&m_coverageJobs, &JobRunner::jobFailed, this,
        reportAs(QStringLiteral("Rule coverage failed: ")));
    if (QFileInfo::exists(QString::fromStdString(userRulesPath())))
        setRulesFile({}); // the user's own rules over the built-in pack
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
    updateDetectionStore();
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

void Investigation::setPolicyText(const QString& text, bool now)
{
    m_policyActive = true;
    updatePolicyStore();
    m_policy->setPolicyText(text);
    if (now)
        m_policy->evaluateNow();
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
    const EventStorePtr& store = snapshot();
    const bool partial = store && !store->indexed; // the first rows of a load
    if (!m_policyActive) {
        // No policy yet: the whole log's indexes are built ahead, at low priority, so that
        // opening one does not wait seconds for them; a load in progress lets the last go.
        m_policy->prepareStore(partial ? nullptr : store);
        return;
    }
    if (partial)
        return; // match the whole log
    if (store != m_policy->store())
        m_policy->setStore(store);
}

void Investigation::showPolicyResult(const PolicyEvaluationResultPtr& result)
{
    if (result && result->store && result->store != snapshot())
        return; // computed on a snapshot that has been replaced; the new one is on its way
    if (result && !m_policyActive)
        return; // the policy was closed while it was evaluated
    const bool sameDecodedPolicy = result && m_policyResult
        && result->load.decoded == m_policyResult->load.decoded
        && result->text == m_policyResult->text;
    m_policyResult = result;
    m_policyContext = result ? result->queryContext() : nullptr;
    if (!sameDecodedPolicy)
        updateCoverage(); // a new snapshot alone leaves the coverage as it was
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

void Investigation::updateDetectionStore()
{
    const EventStorePtr& store = snapshot();
    // A partial snapshot gets no findings: the old ones are dropped, the whole log is awaited.
    EventStorePtr target = store && store->indexed ? store : nullptr;
    if (target == m_detectionStore)
        return;
    m_detectionStore = std::move(target);
    m_detection->setStore(m_detectionStore); // null: cancels, and reports no findings
}

void Investigation::showFindings(const DetectionResultPtr& result)
{
    if (result && result->store != snapshot())
        return; // computed on a snapshot that has been replaced
    if (!result && !m_findings)
        return;
    m_findings = result;
    m_query->setFindingContext(findingContext());
    if (snapshot() && readsFindings(m_filter.toStdString()))
        m_query->run(snapshot(), m_filter); // finding:X means something new
    Q_EMIT findingsChanged(m_findings);
}

FindingQueryContextPtr Investigation::findingContext() const
{
    return m_findings ? m_findings->context : nullptr;
}

const std::shared_ptr<const RuleSet>& Investigation::rules() const
{
    return m_detection->rules();
}

void Investigation::setRules(std::shared_ptr<const RuleSet> rules)
{
    if (!rules)
        rules = std::make_shared<const RuleSet>(builtinRules());
    m_detection->setRules(rules); // runs again over the current snapshot
    updateCoverage();
    Q_EMIT rulesChanged(m_detection->rules());
}

void Investigation::setRulesFile(const QString& path)
{
    // Rules files are a few kB: read on this thread, so the diagnostics come with the call.
    RuleSet rules = builtinRules();
    const std::string own = userRulesPath();
    if (QFileInfo::exists(QString::fromStdString(own)))
        rules = applyRulesFile(rules, own);
    if (!path.isEmpty())
        rules = applyRulesFile(rules, QFile::encodeName(path).toStdString());
    m_rulesFile = path;
    setRules(std::make_shared<const RuleSet>(std::move(rules)));
}

void Investigation::updateCoverage()
{
    const PolicyEvaluationResultPtr policy = m_policyActive ? m_policyResult : nullptr;
    if (!policy || !policy->load.decoded) {
        m_coverageJobs.cancel();
        if (m_coverage) {
            m_coverage.reset();
            Q_EMIT coverageChanged(m_coverage);
        }
        return;
    }
    m_coverageJobs.start(
        [policy, rules = m_detection->rules()](JobContext&) {
            auto coverage = std::make_shared<RuleSetCoverage>();
            coverage->rules = rules;
            coverage->coverage = coverageAgainst(*rules, policy->load.policy);
            return RuleSetCoveragePtr(std::move(coverage));
        },
        [this](RuleSetCoveragePtr coverage) {
            m_coverage = std::move(coverage);
            Q_EMIT coverageChanged(m_coverage);
        });
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
