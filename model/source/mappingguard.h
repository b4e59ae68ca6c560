// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <cstddef>

namespace auditscope {

/// Keeps memory-mapped log files from crashing the program when they shrink while open
/// (logrotate's copytruncate, an editor saving over the file): touching a page past the new
/// end raises SIGBUS. For addresses inside a registered mapping, the SIGBUS handler maps a
/// zero page there and sets the mapping's flag; the reader then sees NUL bytes (bad lines or
/// empty raw JSON, reported as such) instead of the process dying. Faults elsewhere go to
/// the previous handler. Thread-safe.
class MappingGuard
{
public:
    /// Returns a slot for unregisterMapping(), or -1 if the registry is full (the mapping is
    /// then unprotected).
    static int registerMapping(const void* begin, std::size_t size, std::atomic<bool>* shrunk);
    static void unregisterMapping(int slot);
};

} // namespace auditscope
