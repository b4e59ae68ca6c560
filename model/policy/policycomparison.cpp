// SPDX-License-Identifier: Apache-2.0
#include "policycomparison.h"

#include <numeric>

namespace auditscope {

namespace {

constexpr std::array<std::string_view, PolicyChangeCount> ChangeNames = {
    "same", "dropped", "added", "raised", "lowered"};

Level writtenLevel(const PolicyDecision& decision, Stage stage)
{
    return decision.emitted(stage) ? decision.level : Level::None;
}

} // namespace

std::string_view policyChangeName(PolicyChange change)
{
    return ChangeNames[static_cast<std::size_t>(change)];
}

std::optional<PolicyChange> parsePolicyChange(std::string_view text)
{
    for (std::size_t i = 0; i < ChangeNames.size(); ++i)
        if (ChangeNames[i] == text)
            return static_cast<PolicyChange>(i);
    return std::nullopt;
}

std::uint64_t PolicyComparison::changedEvents() const
{
    return std::accumulate(events.begin() + 1, events.end(), std::uint64_t(0));
}

std::vector<PolicyComparison::Move> PolicyComparison::movesOf(PolicyChange change) const
{
    std::vector<Move> out;
    for (int from = 0; from < LevelCount; ++from)
        for (int to = 0; to < LevelCount; ++to) {
            const std::uint64_t n = moved[std::size_t(from)][std::size_t(to)];
            if (n > 0 && policyChangeOf(Level(from), Level(to)) == change)
                out.push_back({Level(from), Level(to), n});
        }
    return out;
}

PolicyComparison comparePolicies(const PolicyImpactIndex& groups, const PolicyStoreResult& baseline,
    const PolicyStoreResult& edited)
{
    PolicyComparison out;
    out.baseline = computePolicyImpact(groups, baseline);
    // Every event of a group has the same tuple and stage, so both policies treat it alike.
    for (const PolicyImpactIndex::Group& g : groups.groups()) {
        const Level before = writtenLevel(baseline.tupleDecisions[g.tuple], g.stage);
        const Level after = writtenLevel(edited.tupleDecisions[g.tuple], g.stage);
        out.moved[static_cast<std::size_t>(before)][static_cast<std::size_t>(after)] += g.events;
        const PolicyChange change = policyChangeOf(before, after);
        out.events[static_cast<std::size_t>(change)] += g.events;
        out.bytes[static_cast<std::size_t>(change)] += g.bytes;
    }
    return out;
}

} // namespace auditscope
