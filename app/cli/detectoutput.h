// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "detect/finding.h"
#include "detect/rulecoverage.h"

#include <string>
#include <vector>

namespace auditscope::cli {

/// What `detect` prints: the findings at or above `minSeverity` and, with --policy, coverage.
struct DetectReport
{
    const DetectionResult& result;
    FindingSeverity minSeverity = FindingSeverity::Low;
    bool withCoverage = false; ///< --policy was given
    std::vector<RuleCoverage> coverage;
};

/// Findings grouped by rule, most severe first; each with its time, principal, detail and the
/// file:line of its events (the first findings of a rule and the first events of a finding,
/// then how many more); then the totals, and with a policy each rule's coverage.
std::string detectText(const DetectReport& report, const std::string& policyPath);

/// {"findings": [...], "coverage": [...] (with a policy only), "rules": [...]}: every finding
/// and every event.
std::string detectJson(const DetectReport& report);

} // namespace auditscope::cli
