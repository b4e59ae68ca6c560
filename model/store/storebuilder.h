// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/eventstore.h"
#include "store/segment.h"

#include <memory>
#include <vector>

namespace auditscope {

/// Per-source counts gathered while building (events, time range).
struct SourceCounts
{
    std::uint64_t events = 0;
    std::int64_t firstTimeNs = 0;
    std::int64_t lastTimeNs = 0;
};

/// Merges segments (whose line numbers are already absolute) into one EventStore sorted by
/// requestReceivedTimestamp, then stageTimestamp, then source order. Segments are read only.
/// `threads` > 1 sorts segments in parallel. With `withIndexes` the posting lists are built.
std::shared_ptr<EventStore> buildEventStore(const std::vector<const Segment*>& segments,
    std::vector<SourceInfo> sources, bool withIndexes, unsigned threads,
    std::vector<SourceCounts>* counts, double* indexSeconds = nullptr);

/// Builds the posting lists of a store whose columns are complete.
void buildIndexes(EventStore& store);

} // namespace auditscope
