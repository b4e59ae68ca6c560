// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/ids.h"
#include "policy/policycomparison.h"
#include "policy/policyexplain.h"
#include "policy/policyimpact.h"
#include "policy/policylint.h"
#include "policy/policyoutline.h"
#include "policy/policyquerycontext.h"
#include "policy/policyreader.h"
#include "policy/policystoreevaluation.h"
#include "store/eventstore.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <string_view>
#include <vector>

namespace auditscope {

/// The attribute index of one store snapshot, its bytes per tuple and its impact groups, built
/// on first use and shared by every evaluation on that snapshot. Thread-safe: a second caller waits
/// for the build in progress instead of repeating it. Keeps the store alive.
class PolicyStoreIndex
{
public:
    explicit PolicyStoreIndex(EventStorePtr store);

    const EventStorePtr& store() const { return m_store; }
    /// Builds the indexes on the first call (seconds per 10 M events), then returns the
    /// attribute index at once. `built` is set when this call did the build. A stop request
    /// (for a build ahead of need, PolicyEvaluationRunner::prepareStore) abandons the build:
    /// null, and the next call builds. Evaluations pass none: typing must not restart it.
    std::shared_ptr<const PolicyAttributeIndex> index(
        bool* built = nullptr, std::stop_token stop = {});
    /// bytesPerTuple() of the index; valid after index() returned.
    std::span<const std::uint64_t> tupleBytes() const { return m_tupleBytes; }
    /// The impact groups (impact and log lint in O(groups)); valid after index() returned.
    const PolicyImpactIndex& impactIndex() const { return *m_impact; }
    bool isBuilt() const;
    /// A per-event result to evaluate into: the buffers of an earlier result whose last holder
    /// let it go (warm pages: re-evaluating 10 M events then costs about a fifth of a first
    /// evaluation), or a new one. When the last holder of the returned pointer lets it go, its
    /// buffers come back here (one spare is kept).
    std::shared_ptr<PolicyStoreResult> recycledResult();

private:
    struct Pool
    {
        std::mutex mutex;
        std::unique_ptr<PolicyStoreResult> spare;
    };
    EventStorePtr m_store;
    std::shared_ptr<Pool> m_pool = std::make_shared<Pool>();
    mutable std::mutex m_mutex;
    std::shared_ptr<const PolicyAttributeIndex> m_index;
    std::atomic<bool> m_built = false; // isBuilt() without waiting for a build in progress
    std::vector<std::uint64_t> m_tupleBytes;
    std::shared_ptr<const PolicyImpactIndex> m_impact;
};

/// What to compute besides decoding, validation and evaluation.
struct PolicyEvaluationOptions
{
    bool lint = true; ///< static lint (lintPolicy)
    /// Lint against the log (lintPolicyAgainstLog: rules that match nothing, recorded levels
    /// that differ), from the store's impact groups.
    bool lintAgainstLog = true;
    bool outline = true;
    bool impact = true; ///< computePolicyImpact, from the store's impact groups
    unsigned threads = 0; ///< for evaluateStore (0 = up to 2)
};

/// Milliseconds per phase of one evaluation.
struct PolicyEvaluationTimings
{
    double parseMs = 0; ///< decode + validate
    double lintMs = 0;
    double indexMs = 0; ///< 0 when the store's index was already built
    double evaluateMs = 0;
    double outlineMs = 0;
    double impactMs = 0;
    double totalMs = 0;
};

/// Everything the policy editor shows for one policy text over one store snapshot: diagnostics
/// and whether kube-apiserver loads it, lint, the per-event outcome, the rule outline and the
/// impact. Immutable once published; readable from any thread.
struct PolicyEvaluationResult
{
    std::uint64_t generation = 0; ///< the runner's generation (0 outside a runner)
    std::string text; ///< the policy text evaluated
    EventStorePtr store; ///< null when no log is open
    std::shared_ptr<const PolicyAttributeIndex> index; ///< null when no log is open

    /// Decoding and validation as kube-apiserver does them (`load.loadable`: it would start
    /// with this file). `load.policy` is what was decoded.
    PolicyLoadResult load;
    /// The text decoded (YAML and types) and has rules: the policy was evaluated even if
    /// validation failed (invalid levels evaluate as Unknown), so the editor stays live.
    bool evaluated = false;
    std::vector<PolicyLintFinding> lint; ///< static, then against the log (all Warnings)

    std::shared_ptr<const PolicyEvaluator> evaluator; ///< set when `evaluated`
    /// Per event and per tuple; null without a log or when not evaluated.
    std::shared_ptr<const PolicyStoreResult> matches;
    PolicyOutline outline; ///< static part even without a log; empty when not decoded
    std::optional<PolicyImpact> impact; ///< with a log, when asked for
    /// The policy this one is compared with (the saved version or another open policy),
    /// evaluated over the same store without lint or outline; null when there is none.
    std::shared_ptr<const PolicyEvaluationResult> baseline;
    /// This policy against `baseline`, when both were evaluated over a log.
    std::optional<PolicyComparison> comparison;
    PolicyEvaluationTimings timings;
    bool cancelled = false; ///< stopped early: only the fields computed so far are set

    /// Decoding/validation diagnostics and lint warnings, ordered by line and column (items
    /// without a position last).
    std::vector<PolicyDiagnostic> diagnostics() const;
    /// The context for the query engine's rule:/policylevel:/emitted:/policychange: terms (null
    /// when there are no matches).
    PolicyQueryContextPtr queryContext() const;
    /// Why event `id` of `store` got its rule (empty explanation without matches).
    PolicyExplanation explainEvent(EventId id) const;
};
using PolicyEvaluationResultPtr = std::shared_ptr<const PolicyEvaluationResult>;

/// Decodes, validates, lints and evaluates `text` over `store` (null: no log), then computes
/// the outline and the impact. A pure function of its inputs apart from building the store's
/// index on first use; call it off the GUI thread. `stop` is checked between phases.
PolicyEvaluationResult evaluatePolicyText(std::string_view text, PolicyStoreIndex* store,
    const PolicyEvaluationOptions& options = {}, std::stop_token stop = {});

/// The result of a baseline policy (what an edited policy is compared with) over `store`:
/// `cached` when it was evaluated from the same text over the same snapshot, else a new
/// evaluation without lint or outline (null when stopped). Off the GUI thread.
std::shared_ptr<const PolicyEvaluationResult> evaluateBaseline(std::string_view text,
    PolicyStoreIndex* store, std::shared_ptr<const PolicyEvaluationResult> cached,
    std::stop_token stop = {});

/// Sets `edited.baseline` and, when both were matched over the same snapshot of `store`,
/// `edited.comparison` (O(impact groups)).
void compareWithBaseline(PolicyEvaluationResult& edited,
    std::shared_ptr<const PolicyEvaluationResult> baseline, PolicyStoreIndex* store);

} // namespace auditscope
