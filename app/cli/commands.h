// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "query/query.h"

#include <optional>
#include <string>
#include <vector>

namespace auditscope::cli {

/// Exit codes of every command (documented in the README).
enum ExitCode : int { Success = 0, LoadedWithBadLines = 1, NothingLoadable = 2, UsageError = 2 };

int runSummary(const std::vector<std::string>& args);
int runEvents(const std::vector<std::string>& args);
int runBench(const std::vector<std::string>& args);
int runPolicy(const std::vector<std::string>& args);
int runQueryCommand(const std::vector<std::string>& args);

/// Parses a --query/EXPR argument; on error prints it with a caret under the column to stderr.
std::optional<Query> parseQueryArgument(const std::string& text);

/// Prints `message` and the command's usage to stderr; returns UsageError.
int usageError(const std::string& message, const char* usage);

} // namespace auditscope::cli
