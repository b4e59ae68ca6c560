// SPDX-License-Identifier: Apache-2.0
#include "policyevaluationrunner.h"

#include <QLoggingCategory>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

namespace auditscope {

namespace {

// Timings per evaluation: QT_LOGGING_RULES="auditscope.policy.debug=true".
Q_LOGGING_CATEGORY(lcPolicy, "auditscope.policy", QtInfoMsg)

} // namespace

PolicyEvaluationRunner::PolicyEvaluationRunner(QObject* parent)
    : QObject(parent)
{
    m_debounce.setSingleShot(true);
    connect(&m_debounce, &QTimer::timeout, this, &PolicyEvaluationRunner::evaluateNow);
    // Seconds of index building on a big log must not take the cores from the GUI thread.
    m_jobs.setLowPriority(true); // the default; said here because it matters most here
    qRegisterMetaType<PolicyEvaluationResultPtr>();
    connect(&m_jobs, &JobRunner::jobFailed, this, &PolicyEvaluationRunner::evaluationFailed);
}

PolicyEvaluationRunner::~PolicyEvaluationRunner() = default;

void PolicyEvaluationRunner::setDebounceInterval(int ms)
{
    m_adaptiveDebounce = false;
    m_debounceMs = std::max(0, ms);
}

void PolicyEvaluationRunner::adaptDebounce(const PolicyEvaluationResult& result)
{
    if (!m_adaptiveDebounce || result.cancelled || !result.evaluated)
        return; // nothing measured: a stopped evaluation, or one without a log
    // The index is built once per snapshot: not what the next edit costs.
    const double ms = std::max(0.0, result.timings.totalMs - result.timings.indexMs);
    m_evaluationMs = m_evaluationMs < 0 ? ms : (m_evaluationMs + ms) / 2;
    // Taken by the next change (a debounce already running keeps its interval).
    m_debounceMs = std::clamp(int(std::lround(m_evaluationMs)), MinDebounceMs, MaxDebounceMs);
}

int PolicyEvaluationRunner::debounceInterval() const
{
    return m_debounceMs;
}

void PolicyEvaluationRunner::setOptions(const PolicyEvaluationOptions& options)
{
    m_options = options;
}

bool PolicyEvaluationRunner::isPending() const
{
    return m_debounce.isActive() || m_jobs.isRunning();
}

void PolicyEvaluationRunner::setPolicyText(const QString& text)
{
    m_text = text;
    scheduleEvaluation();
}

void PolicyEvaluationRunner::setBaselineText(const QString& text)
{
    if (text == m_baselineText && text.isNull() == m_baselineText.isNull())
        return;
    m_baselineText = text;
    newBaselineEpoch();
    // A result on its way was compared with the previous baseline: drop it (the debounce that
    // starts the next evaluation keeps isPending() true).
    m_jobs.cancel();
    scheduleEvaluation();
}

void PolicyEvaluationRunner::newBaselineEpoch()
{
    const std::lock_guard lock(m_baselineCache->mutex);
    ++m_baselineCache->epoch;
    m_baselineCache->result.reset(); // its per-event outcomes can go
}

bool PolicyEvaluationRunner::useStore(const EventStorePtr& store)
{
    if (store == m_store)
        return false;
    m_store = store;
    newBaselineEpoch();
    m_storeIndex = store ? std::make_shared<PolicyStoreIndex>(store) : nullptr;
    m_prepareJobs.cancel(); // a build for the previous store stops: its store can go
    if (m_adaptiveDebounce) { // another log: its cost is unknown again
        m_evaluationMs = -1;
        m_debounceMs = MaxDebounceMs;
    }
    return true;
}

void PolicyEvaluationRunner::setStore(const EventStorePtr& store)
{
    useStore(store);
    scheduleEvaluation();
}

void PolicyEvaluationRunner::prepareStore(const EventStorePtr& store)
{
    if (!useStore(store) || !m_storeIndex || m_storeIndex->isBuilt())
        return;
    m_prepareJobs.start(
        [index = m_storeIndex](JobContext& job) { index->index(nullptr, job.stopToken()); }, [] {});
}

bool PolicyEvaluationRunner::isStoreIndexed() const
{
    return m_storeIndex && m_storeIndex->isBuilt();
}

void PolicyEvaluationRunner::scheduleEvaluation()
{
    m_debounce.start(m_debounceMs); // restarts
}

void PolicyEvaluationRunner::evaluateNow()
{
    m_debounce.stop();
    const QByteArray utf8 = m_text.toUtf8();
    std::optional<std::string> baseline;
    if (!m_baselineText.isNull()) {
        const QByteArray baselineUtf8 = m_baselineText.toUtf8();
        baseline.emplace(baselineUtf8.constData(), baselineUtf8.size());
    }
    std::uint64_t epoch = 0;
    {
        const std::lock_guard lock(m_baselineCache->mutex);
        epoch = m_baselineCache->epoch;
    }
    const quint64 generation = m_jobs.start(
        [storeIndex = m_storeIndex, options = m_options, cache = m_baselineCache, epoch,
            text = std::string(utf8.constData(), utf8.size()),
            baseline = std::move(baseline)](JobContext& job) -> PolicyEvaluationResultPtr {
            const std::stop_token& stop = job.stopToken();
            // The baseline first, cached at once: typing that stops the edited policy's
            // evaluation does not throw the baseline away, so the next edit only compares.
            std::shared_ptr<const PolicyEvaluationResult> baselineResult;
            if (baseline) {
                {
                    const std::lock_guard lock(cache->mutex);
                    baselineResult = cache->result;
                }
                baselineResult =
                    evaluateBaseline(*baseline, storeIndex.get(), baselineResult, stop);
                const std::lock_guard lock(cache->mutex);
                if (baselineResult && cache->epoch == epoch)
                    cache->result = baselineResult;
            }
            PolicyEvaluationResult result = stop.stop_requested()
                ? PolicyEvaluationResult{}
                : evaluatePolicyText(text, storeIndex.get(), options, stop);
            compareWithBaseline(result, baselineResult, storeIndex.get());
            result.generation = job.generation();
            qCDebug(lcPolicy) << "policy evaluation" << result.generation << "parse"
                              << result.timings.parseMs << "ms, index" << result.timings.indexMs
                              << "ms, evaluate" << result.timings.evaluateMs << "ms, outline"
                              << result.timings.outlineMs << "ms, impact" << result.timings.impactMs
                              << "ms, total" << result.timings.totalMs << "ms";
            return std::make_shared<const PolicyEvaluationResult>(std::move(result));
        },
        [this](PolicyEvaluationResultPtr result) {
            m_last = std::move(result);
            adaptDebounce(*m_last);
            Q_EMIT evaluationFinished(m_last);
        });
    Q_EMIT evaluationStarted(generation);
}

void PolicyEvaluationRunner::cancel()
{
    m_debounce.stop();
    m_jobs.cancel();
}

} // namespace auditscope
