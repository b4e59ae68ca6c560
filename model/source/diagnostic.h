// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

namespace auditscope {

/// How bad a Diagnostic is.
enum class Severity : std::uint8_t {
    Error, ///< the line (or the source) could not be loaded
    Warning, ///< loaded, but with odd values the user should know about (the event is flagged)
    Note, ///< loaded as it is; something about the source worth knowing (transcoded, shrank, ...)
};

/// One problem found in the input: a bad line, or a whole source that failed (line 0).
/// Only errors count as bad lines; warnings and notes describe data that did load.
struct Diagnostic
{
    std::uint32_t source = 0; ///< index into the load's sources
    std::uint64_t line = 0; ///< 1-based; 0 = the whole source
    std::uint32_t column = 0; ///< 1-based byte column within the line; 0 = unknown
    std::string message;
    Severity severity = Severity::Error;
};

} // namespace auditscope
