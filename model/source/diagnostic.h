// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

namespace auditscope {

/// One problem found in the input: a bad line, or a whole source that failed (line 0).
struct Diagnostic
{
    std::uint32_t source = 0; ///< index into the load's sources
    std::uint64_t line = 0; ///< 1-based; 0 = the whole source
    std::uint32_t column = 0; ///< 1-based byte column within the line; 0 = unknown
    std::string message;
};

} // namespace auditscope
