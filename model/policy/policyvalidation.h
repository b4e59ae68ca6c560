// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policy.h"

#include <string_view>
#include <vector>

namespace auditscope {

/// kube-apiserver's ValidatePolicy (spec §3): every error, with the upstream field paths
/// (`omitStages[j]`, `rules[i].level`, `rules[i].resources.group`, ...). Does not check the
/// rule count (see loadPolicy).
std::vector<PolicyDiagnostic> validatePolicy(const Policy& policy);

/// apimachinery's IsDNS1123Subdomain: lower-case labels joined by '.', at most 253 bytes.
bool isDns1123Subdomain(std::string_view value);
/// The same without the length limit (the regular expression alone).
bool isDns1123SubdomainSyntax(std::string_view value);

} // namespace auditscope
