// SPDX-License-Identifier: Apache-2.0
// Internal to the rules reader: a parsed rules document applied over a RuleSet (README
// "Findings": the rules file).
#pragma once

#include "detect/detectionrule.h"

#include <yaml-cpp/node/node.h>

#include <string>
#include <string_view>

namespace auditscope::detect_detail {

/// Applies the document `root` of `text` over `set` (a copy of the base): `settings:` first,
/// then each entry of `rules:` (override, disable or add). Every problem is appended to
/// `set.diagnostics` with its line:column in `text`; an entry with an error is left out. Rules
/// the document does not touch get their matches expanded again when the settings changed.
void applyRulesDocument(
    const YAML::Node& root, std::string_view text, const std::string& file, RuleSet& set);

/// Expands and parses `rule.match` and `rule.then` with `settings` into expandedMatch,
/// matchQuery, expandedThen and thenQuery. Returns "" or the first problem (the query error,
/// with the byte offset in the text as written in `offset` and which of the two in `inThen`).
std::string compileRule(
    DetectionRule& rule, const DetectionSettings& settings, std::size_t& offset, bool& inThen);

} // namespace auditscope::detect_detail
