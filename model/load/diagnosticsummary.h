// SPDX-License-Identifier: Apache-2.0
#pragma once
// Diagnostics that the load report merges or counts across the parsers' segments.

#include "load/loader.h"
#include "source/diagnostic.h"
#include "store/segment.h"

#include <cstdint>
#include <vector>

namespace auditscope {

/// One warning per source for the lines that hold other Kubernetes objects (kind Pod, ...),
/// located at the first of them: "1,234 lines are Kubernetes objects (kind Pod), not audit
/// Events". `chunkLineBase` gives the lines before each chunk in its source.
std::vector<Diagnostic> foreignObjectWarnings(
    const std::vector<Segment*>& segments, const std::vector<std::uint64_t>& chunkLineBase);

/// Adds `n` warnings or notes (which are not bad lines) to a source's and the load's counts.
void countNotice(Severity severity, std::uint64_t n, SourceReport& source, LoadReport& report);
/// Counts the warnings and notes a segment's parser did not keep (its diagnostic limit).
void countOmittedNotices(const Segment& segment, LoadReport& report);

} // namespace auditscope
