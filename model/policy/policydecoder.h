// SPDX-License-Identifier: Apache-2.0
// Internal to the policy reader (not for views): a parsed YAML document to a Policy.
#pragma once

#include "policy/policy.h"

#include <yaml-cpp/node/node.h>

#include <cstddef>
#include <string_view>
#include <vector>

namespace auditscope::policy_detail {

/// Decodes the document `root` into `policy` the way kube-apiserver's strict-then-lenient
/// decoder does (spec §2), appending every problem to `diagnostics` in text order: wrong types
/// and a wrong apiVersion/kind are Errors; unknown or wrong-case fields and duplicate keys are
/// Warnings (the last duplicate wins). `text` is what yaml-cpp parsed; `baseOffset` the bytes
/// before it in the caller's text (a byte order mark), added to span offsets.
void decodePolicy(const YAML::Node& root, std::string_view text, std::size_t baseOffset,
    Policy& policy, std::vector<PolicyDiagnostic>& diagnostics);

} // namespace auditscope::policy_detail
