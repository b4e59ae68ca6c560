// SPDX-License-Identifier: Apache-2.0
#include "policyeditorevaluation.h"

#include "policy/policyevaluator.h"

#include <algorithm>
#include <chrono>

namespace auditscope {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

} // namespace

PolicyStoreIndex::PolicyStoreIndex(EventStorePtr store)
    : m_store(std::move(store))
{ }

std::shared_ptr<const PolicyAttributeIndex> PolicyStoreIndex::index(
    bool* built, std::stop_token stop)
{
    const std::lock_guard lock(m_mutex);
    if (built)
        *built = false;
    if (!m_index && m_store) {
        auto index = PolicyAttributeIndex::build(m_store, 0, stop);
        auto impact = index ? PolicyImpactIndex::build(*index, 0, stop) : nullptr;
        if (!impact)
            return nullptr; // stopped
        m_tupleBytes = bytesPerTuple(*index);
        m_impact = std::move(impact);
        m_index = std::move(index);
        m_built = true;
        if (built)
            *built = true;
    }
    return m_index;
}

std::shared_ptr<PolicyStoreResult> PolicyStoreIndex::recycledResult()
{
    std::unique_ptr<PolicyStoreResult> result;
    {
        const std::lock_guard lock(m_pool->mutex);
        result = std::move(m_pool->spare);
    }
    if (!result)
        result = std::make_unique<PolicyStoreResult>();
    std::weak_ptr<Pool> weakPool = m_pool;
    return std::shared_ptr<PolicyStoreResult>(result.release(), [weakPool](PolicyStoreResult* r) {
        if (const std::shared_ptr<Pool> pool = weakPool.lock()) {
            const std::lock_guard lock(pool->mutex);
            if (!pool->spare) {
                pool->spare.reset(r);
                return;
            }
        }
        delete r;
    });
}

bool PolicyStoreIndex::isBuilt() const
{
    return m_built;
}

std::vector<PolicyDiagnostic> PolicyEvaluationResult::diagnostics() const
{
    std::vector<PolicyDiagnostic> out = load.diagnostics;
    for (const PolicyLintFinding& f : lint)
        out.push_back(f.diagnostic);
    std::stable_sort(
        out.begin(), out.end(), [](const PolicyDiagnostic& a, const PolicyDiagnostic& b) {
            const auto key = [](const PolicyDiagnostic& d) {
                return std::pair(d.line > 0 ? d.line : INT32_MAX, d.column);
            };
            return key(a) < key(b);
        });
    return out;
}

PolicyQueryContextPtr PolicyEvaluationResult::queryContext() const
{
    if (!matches || !store)
        return nullptr;
    auto context = std::make_shared<PolicyQueryContext>();
    context->store = store;
    context->result = matches;
    context->ruleCount = load.policy.rules.size();
    context->generation = generation;
    if (impact) { // the impact counted them per group: no pass over the events later
        context->levelsCounted = true;
        for (std::size_t l = 0; l < context->eventsPerLevel.size(); ++l)
            context->eventsPerLevel[l] = impact->byNewLevel[l].events;
        context->emittedEvents = impact->total.keptEvents;
    }
    if (comparison && baseline && baseline->matches) {
        context->baseline = baseline->matches;
        context->changeCounts = comparison->events;
    }
    return context;
}

PolicyExplanation PolicyEvaluationResult::explainEvent(EventId id) const
{
    if (!evaluated || !index || id.value >= index->eventCount())
        return {};
    return auditscope::explainEvent(load.policy, *index, id);
}

PolicyEvaluationResult evaluatePolicyText(std::string_view text, PolicyStoreIndex* store,
    const PolicyEvaluationOptions& options, std::stop_token stop)
{
    const Clock::time_point begin = Clock::now();
    PolicyEvaluationResult r;
    auto finish = [&](bool cancelled) {
        r.cancelled = cancelled;
        r.timings.totalMs = msSince(begin);
        return std::move(r);
    };

    r.text = std::string(text);
    Clock::time_point t = Clock::now();
    r.load = loadPolicy(text);
    r.timings.parseMs = msSince(t);
    // Evaluate whatever decoded, even if validation failed, so the editor stays live.
    const bool decoded = r.load.decoded;
    r.evaluated = decoded && !r.load.policy.rules.empty();
    if (stop.stop_requested())
        return finish(true);

    if (decoded && options.lint) {
        t = Clock::now();
        r.lint = lintPolicy(r.load.policy);
        r.timings.lintMs = msSince(t);
    }
    if (r.evaluated)
        r.evaluator = std::make_shared<const PolicyEvaluator>(r.load.policy);
    if (decoded && options.outline && !store)
        r.outline = outlinePolicy(r.load.policy);
    if (!store || !store->store())
        return finish(false);

    r.store = store->store();
    t = Clock::now();
    // Index time: building it, or waiting for the build ahead of need that is still running.
    const bool ready = store->isBuilt();
    r.index = store->index();
    r.timings.indexMs = ready ? 0.0 : msSince(t);
    if (stop.stop_requested())
        return finish(true);
    if (!r.evaluated) {
        if (decoded && options.outline)
            r.outline = outlinePolicy(r.load.policy);
        return finish(false);
    }

    t = Clock::now();
    std::shared_ptr<PolicyStoreResult> matches = store->recycledResult();
    evaluateStoreInto(*matches, *r.evaluator, *r.index, options.threads);
    r.matches = std::move(matches);
    r.timings.evaluateMs = msSince(t);
    if (stop.stop_requested())
        return finish(true);

    if (options.outline) {
        t = Clock::now();
        r.outline = outlinePolicy(*r.evaluator, *r.index, *r.matches, store->tupleBytes());
        r.timings.outlineMs = msSince(t);
    }
    if (options.lint && options.lintAgainstLog) {
        t = Clock::now();
        std::vector<PolicyLintFinding> logFindings =
            lintPolicyAgainstLog(r.load.policy, *r.index, store->impactIndex(), *r.matches);
        r.lint.insert(r.lint.end(), logFindings.begin(), logFindings.end());
        r.timings.lintMs += msSince(t);
    }
    if (stop.stop_requested())
        return finish(true);
    if (options.impact) {
        t = Clock::now();
        r.impact = computePolicyImpact(store->impactIndex(), *r.matches);
        r.timings.impactMs = msSince(t);
    }
    return finish(false);
}

std::shared_ptr<const PolicyEvaluationResult> evaluateBaseline(std::string_view text,
    PolicyStoreIndex* store, std::shared_ptr<const PolicyEvaluationResult> cached,
    std::stop_token stop)
{
    const EventStorePtr snapshot = store ? store->store() : nullptr;
    if (cached && cached->text == text && cached->store == snapshot)
        return cached;
    // Only what the comparison needs: the baseline's per-tuple decisions and its impact.
    PolicyEvaluationOptions options;
    options.lint = false;
    options.lintAgainstLog = false;
    options.outline = false;
    PolicyEvaluationResult fresh = evaluatePolicyText(text, store, options, stop);
    if (fresh.cancelled)
        return nullptr;
    return std::make_shared<const PolicyEvaluationResult>(std::move(fresh));
}

void compareWithBaseline(PolicyEvaluationResult& edited,
    std::shared_ptr<const PolicyEvaluationResult> baseline, PolicyStoreIndex* store)
{
    if (!baseline)
        return;
    if (edited.matches && baseline->matches && store && baseline->store == edited.store) {
        const Clock::time_point t = Clock::now();
        edited.comparison =
            comparePolicies(store->impactIndex(), *baseline->matches, *edited.matches);
        const double ms = msSince(t);
        edited.timings.impactMs += ms;
        edited.timings.totalMs += ms;
    }
    edited.baseline = std::move(baseline);
}

} // namespace auditscope
