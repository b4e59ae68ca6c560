// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace auditscope {

/// Lowers the calling thread's scheduling priority (Linux: nice +5 for this thread and the
/// threads it starts afterwards), so that a background computation yields the cores to the GUI
/// thread when both want to run. Best effort: does nothing where it is not supported.
void lowerCurrentThreadPriority();

} // namespace auditscope
