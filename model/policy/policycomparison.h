// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/enums.h"
#include "policy/policyimpact.h"
#include "policy/policystoreevaluation.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace auditscope {

/// How one event fares under an edited policy compared with a baseline policy (the saved
/// version, or another open policy): both judged by what they would write for the event's
/// stage.
enum class PolicyChange : std::uint8_t {
    Same, ///< written at the same level by both, or by neither
    Dropped, ///< the baseline writes it, the edited policy does not
    Added, ///< the edited policy writes it, the baseline does not
    Raised, ///< both write it, the edited policy at a higher level (more body)
    Lowered, ///< both write it, the edited policy at a lower level
};
inline constexpr int PolicyChangeCount = 5;

/// "same", "dropped", "added", "raised", "lowered": the values of the `policychange:` term.
std::string_view policyChangeName(PolicyChange change);
std::optional<PolicyChange> parsePolicyChange(std::string_view text);

/// The written level of an outcome: its level when emitted, Level::None when not written.
inline Level writtenLevel(PolicyEventMatch match)
{
    return match.emitted() ? match.level() : Level::None;
}

/// The change from written level `before` to `after` (Level::None = not written).
inline PolicyChange policyChangeOf(Level before, Level after)
{
    if (before == after)
        return PolicyChange::Same;
    if (before == Level::None)
        return PolicyChange::Added;
    if (after == Level::None)
        return PolicyChange::Dropped;
    return after > before ? PolicyChange::Raised : PolicyChange::Lowered;
}

inline PolicyChange policyChangeOf(PolicyEventMatch baseline, PolicyEventMatch edited)
{
    return policyChangeOf(writtenLevel(baseline), writtenLevel(edited));
}

/// The edited policy against a baseline over the same log.
struct PolicyComparison
{
    /// The baseline's impact (the edited policy's is PolicyEvaluationResult::impact).
    PolicyImpact baseline;
    /// Events by the level the baseline writes them at (first index) and the level the edited
    /// policy writes them at (second); Level::None = not written.
    std::array<std::array<std::uint64_t, LevelCount>, LevelCount> moved{};
    /// Events and their recorded bytes per PolicyChange.
    std::array<std::uint64_t, PolicyChangeCount> events{};
    std::array<std::uint64_t, PolicyChangeCount> bytes{};

    /// Events whose written level differs.
    std::uint64_t changedEvents() const;

    struct Move
    {
        Level from, to; ///< written levels (Level::None = not written)
        std::uint64_t events;
    };
    /// The non-empty cells of `moved` that are of kind `change` (e.g. Request -> None for
    /// Dropped), in level order.
    std::vector<Move> movesOf(PolicyChange change) const;
};

/// Compares two evaluations (evaluateStore) over the attribute index `groups` was built from:
/// O(groups), so it can run after every edit.
PolicyComparison comparePolicies(const PolicyImpactIndex& groups, const PolicyStoreResult& baseline,
    const PolicyStoreResult& edited);

} // namespace auditscope
