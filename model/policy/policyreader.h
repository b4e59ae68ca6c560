// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policy.h"

#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// The outcome of decoding a policy text (spec §2), before validation.
struct PolicyReadResult
{
    Policy policy;
    std::vector<PolicyDiagnostic> diagnostics; ///< in text order within each phase
    bool decoded = false; ///< false when kube-apiserver's decoder would fail (any Error)
};

/// The outcome of loading a policy as kube-apiserver does: decode (§2), validate (§3),
/// refuse zero rules.
struct PolicyLoadResult
{
    Policy policy;
    std::vector<PolicyDiagnostic> diagnostics; ///< decoding, then validation, then rule count
    bool loadable = false; ///< true exactly when there is no Error diagnostic
    bool decoded = false; ///< decoding succeeded (validation may still have failed)
};

/// Limits that keep hostile input bounded in time and memory.
struct PolicyReadLimits
{
    std::size_t maxBytes = 8u << 20; ///< larger texts are refused
    int maxDepth = 200; ///< nesting of mappings/sequences (pre-scanned)
};

/// Decodes YAML or JSON `text` into a Policy the way kube-apiserver's reader does: apiVersion
/// audit.k8s.io/v1 and kind Policy, go-yaml v2 scalar typing, strict-then-lenient decoding
/// (unknown/wrong-case fields and duplicate keys are warnings; the last duplicate wins).
/// Never throws; every problem is a diagnostic with a 1-based line:column.
PolicyReadResult readPolicy(std::string_view text, const PolicyReadLimits& limits = {});

/// readPolicy + validatePolicy + the "0 rules" check: exactly what decides whether
/// kube-apiserver starts with this `--audit-policy-file`.
PolicyLoadResult loadPolicy(std::string_view text, const PolicyReadLimits& limits = {});

/// Reads the file at `path` into `text`, at most `maxBytes`: returns "" on success, or why it
/// cannot be a policy (missing, a directory, larger than the limit, or a device or pipe that
/// gave more than the limit: reading stops there).
std::string readPolicyFileText(const std::string& path, std::size_t maxBytes, std::string& text);

/// Reads the file at `path` and calls loadPolicy; an unreadable file is an Error diagnostic.
PolicyLoadResult loadPolicyFile(const std::string& path, const PolicyReadLimits& limits = {});

} // namespace auditscope
