// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace auditscope::cli {

/// Prints `message` and the command's `usage` to stderr; returns UsageError.
int usageError(const std::string& message, const char* usage);

/// Prints `usage` to stdout (the answer to -h and --help); returns Success.
int printUsage(const char* usage);

/// "-x" or "--xyz": an option rather than a PATH ("-" alone is not an option).
bool isOption(const std::string& arg);

/// The N of --repeat N and --threads N: at least 1 (text that is no number counts as 0, so 1).
int atLeastOne(const std::string& text);

} // namespace auditscope::cli
