// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policycomparison.h"
#include "policy/policystoreevaluation.h"
#include "store/eventstore.h"

#include <array>
#include <cstdint>
#include <memory>

namespace auditscope {

/// The active policy's outcome for every event of one store snapshot: what the query terms
/// `rule:`, `policylevel:`, `emitted:` and `policychange:` read. Immutable; shared between threads.
struct PolicyQueryContext
{
    EventStorePtr store; ///< the snapshot `result` was computed on
    std::shared_ptr<const PolicyStoreResult> result; ///< result->events[row] per event
    /// The compared policy's outcome per event of the same snapshot (null: no comparison), for
    /// the `policychange:` term.
    std::shared_ptr<const PolicyStoreResult> baseline;
    /// With `baseline`: events per PolicyChange (PolicyComparison::events), for completion
    /// counts without a pass over the events.
    std::array<std::uint64_t, PolicyChangeCount> changeCounts{};
    /// Whether eventsPerLevel and emittedEvents are set (from the impact, O(1)); without them
    /// the completer counts over the events.
    bool levelsCounted = false;
    std::array<std::uint64_t, LevelCount> eventsPerLevel{}; ///< by the level the policy gives
    std::uint64_t emittedEvents = 0;
    std::size_t ruleCount = 0;
    std::uint64_t generation = 0; ///< of the evaluation that produced it (the runner's)

    /// Whether this context describes `s` (same snapshot, one outcome per event).
    bool covers(const EventStore& s) const
    {
        return store.get() == &s && result && result->events.size() == s.size();
    }
    /// Whether it also has the compared policy's outcome for every event of `s`.
    bool comparesOn(const EventStore& s) const
    {
        return covers(s) && baseline && baseline->events.size() == s.size();
    }
};
using PolicyQueryContextPtr = std::shared_ptr<const PolicyQueryContext>;

} // namespace auditscope
