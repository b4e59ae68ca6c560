// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/ids.h"
#include "detect/detectionrule.h"
#include "query/findingquerycontext.h"
#include "store/eventstore.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace auditscope {

/// One occurrence of a rule: a request (Event rules), the requests of a burst (Threshold), a
/// first occurrence (FirstSeen), a pair (Sequence) or a stretch of the log (Integrity).
struct Finding
{
    std::uint32_t rule = 0; ///< index into the RuleSet's rules
    /// The events that make it up, ascending; one per request (the first stage that matched,
    /// so an exec logged at ResponseStarted and ResponseComplete counts once). Integrity
    /// findings hold the events on both sides of the hole, where there are any.
    std::vector<EventId> events;
    std::string principal; ///< the key's value (user, or "user @ ip"); "" when not keyed
    std::int64_t firstNs = 0, lastNs = 0; ///< requestReceivedTimestamp of first and last event
    /// What made it a finding beyond the match, in a few words: "12 requests within 60 s",
    /// "first time in 36 h of activity (4,120 requests)", "then deployments patch after 2 m".
    std::string detail;
};

/// All rules over one snapshot.
struct DetectionResult
{
    EventStorePtr store;
    std::shared_ptr<const RuleSet> rules;
    /// Most severe first, then by rule order, then by time.
    std::vector<Finding> findings;
    /// Per event: the rules that flagged it, for `finding:`, `severity` and the event pane.
    FindingQueryContextPtr context;
    bool cancelled = false;
    double elapsedMs = 0;
    /// How many findings have at least this severity.
    std::uint64_t countAtLeast(FindingSeverity severity) const;
};
using DetectionResultPtr = std::shared_ptr<const DetectionResult>;

} // namespace auditscope
