// SPDX-License-Identifier: Apache-2.0
// Internal to the policy reader (not for views): the checks that keep hostile or non-YAML input
// away from yaml-cpp and the decoder, bounded in time and memory.
#pragma once

#include "policy/policy.h"
#include "policy/policyreader.h"

#include <cstddef>
#include <string_view>
#include <vector>

namespace auditscope::policy_detail {

/// Byte-level checks before yaml-cpp sees the text: size, encoding, control characters, tab
/// indentation and nesting depth (yaml-cpp recurses per level, so depth is bounded first).
/// Returns false after appending the first problem to `out` as an Error.
bool preScan(
    std::string_view text, const PolicyReadLimits& limits, std::vector<PolicyDiagnostic>& out);

} // namespace auditscope::policy_detail
