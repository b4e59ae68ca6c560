// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "load/loader.h"
#include "policy/policycomparison.h"
#include "policy/policyreader.h"

#include <string>
#include <vector>

namespace auditscope::cli {

/// The usage of `policy` and all its subcommands.
extern const char* const PolicyUsage;

/// One diagnostic as "POLICY:LINE:COLUMN: severity: [field] message\n" (no LINE:COLUMN when
/// the line is unknown, no [field] when there is none).
std::string formatPolicyDiagnostic(const std::string& file, const PolicyDiagnostic& d);

/// The arguments of eval, lint and impact.
struct PolicyArgs
{
    std::string policyPath;
    std::string againstPath; ///< impact: the policy to compare with
    std::vector<std::string> paths;
    bool json = false;
};

/// Parses `--policy POLICY [--json] [--against OLD] PATH...`; returns -1 when parsing succeeded,
/// else the exit code that ends the command (help, usage error).
int parsePolicyArgs(const std::vector<std::string>& args, bool allowJson, PolicyArgs& out,
    bool allowAgainst = false);

/// Loads the log paths; prints the sources' errors to stderr. An empty store means nothing loaded.
LoadResult loadPolicyLogs(const std::vector<std::string>& paths);

/// `policy impact` (policyimpactcommand.cpp).
int runPolicyImpact(const std::vector<std::string>& args);
/// `policy bench` and `policy editbench` (policybenchcommand.cpp).
int runPolicyBench(const std::vector<std::string>& args);
int runPolicyEditBench(const std::vector<std::string>& args);

/// `policy impact --against OLD` (policycompareoutput.cpp): `now` is the impact of the policy
/// at `policyPath`, `comparison` its comparison with the one at `againstPath`.
std::string impactComparisonText(const std::string& policyPath, const std::string& againstPath,
    const PolicyImpact& now, const PolicyComparison& comparison);
std::string impactComparisonJson(const std::string& policyPath, const std::string& againstPath,
    const PolicyImpact& now, const PolicyComparison& comparison);

} // namespace auditscope::cli
