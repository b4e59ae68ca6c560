// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <vector>

namespace auditscope::cli {

/// The clock of every wall-time measurement the commands print.
using Clock = std::chrono::steady_clock;

/// Wall time since `start`, ms.
double msSince(Clock::time_point start);

/// CPU time of the whole process (all threads), ms: less disturbed by other load than wall time.
double processCpuMs();

/// The middle value of `values` (the upper middle one of an even count); 0 when empty.
double median(std::vector<double> values);

} // namespace auditscope::cli
