// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/eventstore.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace auditscope {

/// Which detection rules flagged each event of one snapshot: what the query terms `finding:`
/// and `severity` read (the detection engine fills it; the query layer only reads it).
/// Immutable; shared between threads.
struct FindingQueryContext
{
    EventStorePtr store; ///< the snapshot the findings were computed on
    std::vector<std::string> ruleIds; ///< index = rule index of the RuleSet
    std::vector<std::uint8_t> ruleSeverity; ///< FindingSeverity per rule index
    /// Per event: the rules that flagged it are ruleIndexes[offsets[row] .. offsets[row+1]),
    /// ascending. offsets.size() == store->size() + 1.
    std::vector<std::uint32_t> offsets;
    std::vector<std::uint32_t> ruleIndexes;
    /// Per event: 1 + the highest FindingSeverity that flagged it; 0 = not flagged.
    std::vector<std::uint8_t> topSeverity;

    bool covers(const EventStore& s) const
    {
        return store.get() == &s && offsets.size() == s.size() + 1;
    }
};
using FindingQueryContextPtr = std::shared_ptr<const FindingQueryContext>;

} // namespace auditscope
