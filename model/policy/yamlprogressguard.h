// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <yaml-cpp/mark.h>

#include <optional>
#include <string>

namespace auditscope::policy_detail {

/// Walks the documents of `text` with yaml-cpp's event parser (no nodes are built) and returns
/// the position where a document starts at the same place as the one before it: yaml-cpp 0.7
/// leaves some tokens it does not expect there (`,` in block context, in several shapes)
/// unconsumed, and YAML::LoadAll then adds empty documents until memory runs out. Returns
/// nothing when the text parses with progress; throws YAML::Exception on a syntax error, like
/// YAML::LoadAll.
std::optional<YAML::Mark> findStuckYamlToken(const std::string& text);

} // namespace auditscope::policy_detail
