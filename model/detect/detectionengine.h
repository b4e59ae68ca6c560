// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "detect/finding.h"

#include <functional>
#include <stop_token>

namespace auditscope {

struct DetectionOptions
{
    unsigned threads = 2; ///< for reading bodies of candidate events
    /// Called now and then with the share done (0..1), from the calling thread.
    std::function<void(double)> progress;
};

/// Runs every enabled rule of `rules` over `store` in one pass (ARCHITECTURE "Detection
/// engine"): each rule's indexed terms through the query engine give its candidates; the body
/// of each candidate event is read once for all rules that need it; then each rule's state
/// (threshold, first seen, sequence, maintenance windows) runs over its matches in time order,
/// and the integrity checks over the store. Cancellable: a stop gives `cancelled` and no
/// findings. Never throws for bad data. Any thread.
DetectionResult detect(const EventStorePtr& store, std::shared_ptr<const RuleSet> rules,
    std::stop_token stop = {}, const DetectionOptions& options = {});

/// Why event `row` matched `rule`'s match (or then): each term it satisfied with the value it
/// had, JSON paths with their array indexes, e.g. "verb: create", "resource: pods",
/// "requestObject.spec.containers[1].securityContext.privileged: true". For the event pane.
std::vector<std::string> explainMatch(
    const EventStore& store, std::uint32_t row, const DetectionRule& rule);

} // namespace auditscope
