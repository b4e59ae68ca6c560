// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "load/loader.h"
#include "query/query.h"

#include <optional>
#include <string>
#include <vector>

namespace auditscope::cli {

/// Exit codes of every command (documented in the README).
enum ExitCode : int {
    Success = 0,
    LoadedWithBadLines = 1,
    NothingLoadable = 2,
    UsageError = 2,
    NotFound = 3, ///< chain/history: the auditID or object is not in the logs
};

int runSummary(const std::vector<std::string>& args);
int runEvents(const std::vector<std::string>& args);
int runBench(const std::vector<std::string>& args);
int runPolicy(const std::vector<std::string>& args);
int runQueryCommand(const std::vector<std::string>& args);
/// `summary --by FIELD` and `summary --histogram BUCKET` (analysiscommand.cpp).
int runSummaryAnalysis(const std::vector<std::string>& args);
/// `analysis bench`.
int runAnalysis(const std::vector<std::string>& args);
int runChain(const std::vector<std::string>& args);
int runHistory(const std::vector<std::string>& args);
/// `detect` (detectcommand.cpp).
int runDetect(const std::vector<std::string>& args);

/// Whether a query may have terms that read a policy's outcome (rule:, policylevel:, emitted:,
/// policychange:). No command that runs a query has a policy for them.
enum class PolicyTerms { Reject, Allow };
/// Parses a --query/EXPR argument; on error prints it with a caret under the column to stderr.
/// Policy terms are errors unless allowed (they would match nothing).
std::optional<Query> parseQueryArgument(
    const std::string& text, PolicyTerms policyTerms = PolicyTerms::Reject);

} // namespace auditscope::cli
