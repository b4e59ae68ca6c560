// SPDX-License-Identifier: Apache-2.0
// Internal to the policy reader (not for views): how go-yaml v2, the resolver sigs.k8s.io/yaml
// uses, types a YAML node, so the reader reports what kube-apiserver would decode.
#pragma once

#include <yaml-cpp/node/node.h>

#include <string>
#include <string_view>

namespace auditscope::policy_detail {

/// What a YAML node resolves to under go-yaml v2.
enum class Kind { Null, Bool, Int, Float, String, Sequence, Map };

/// The JSON-ish name of a kind, as kube-apiserver's errors say it ("string", "number", ...).
const char* kindName(Kind kind);

/// True when `s` is one of go-yaml v2's boolean spellings (y, Yes, off, TRUE, ...); then
/// `*value` (if given) is the boolean.
bool isGoYamlBool(std::string_view s, bool* value);

/// The kind of `node`: plain scalars are resolved by their text, tagged ones by their tag.
Kind kindOf(const YAML::Node& node);

/// "string foo", "bool yes", "object": the kind, and a scalar's text, for messages.
std::string describe(const YAML::Node& node, Kind kind);

} // namespace auditscope::policy_detail
