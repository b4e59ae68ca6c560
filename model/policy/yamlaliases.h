// SPDX-License-Identifier: Apache-2.0
// Internal to the policy reader (not for views): the checks that need yaml-cpp's events rather
// than its node tree, because the tree forgets where an alias was written.
#pragma once

#include "policy/policy.h"

#include <yaml-cpp/node/node.h>

#include <optional>
#include <string_view>
#include <vector>

namespace auditscope::policy_detail {

/// False only when `text` cannot hold an alias (no '*' where a token could start), so the
/// event replay of checkAliases can be skipped.
bool mayContainAlias(std::string_view text);

/// Replays the first document's events the way go-yaml's decoder meets them, aliases expanded:
/// an alias inside the node it refers to ("anchor 'a' value contains itself") and a document
/// that is mostly alias expansion ("document contains excessive aliasing", go-yaml's ratio of
/// alias-made nodes, 99% up to 400,000 nodes down to 10% at 4,000,000) fail there as well.
/// Returns false after appending an Error at the offending alias. `text` parsed without error.
bool checkAliases(std::string_view text, std::vector<PolicyDiagnostic>& out);

/// Where the quoted scalar that runs to the end of the text starts, when its closing quote is
/// missing: yaml-cpp accepts such a scalar when a newline ends the text, and otherwise fails
/// at the end of the text. `root` is a parsed document; `maxDepth` bounds the walk.
std::optional<SourcePos> unterminatedQuote(
    const YAML::Node& root, std::string_view text, int maxDepth);

/// The same for a text yaml-cpp failed on: replays its events up to the failure.
std::optional<SourcePos> unterminatedQuote(std::string_view text);

} // namespace auditscope::policy_detail
