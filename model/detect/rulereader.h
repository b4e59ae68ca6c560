// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "detect/detectionrule.h"

#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// The built-in pack (model/detect/builtinrules.yaml, compiled in), parsed once.
const RuleSet& builtinRules();
/// The YAML text of the built-in pack, for `auditscope-cli detect --print-rules` and tests.
std::string_view builtinRulesText();

/// Reads a rules file's text over `base` (normally builtinRules()): an entry whose id exists
/// replaces that rule (fields not given keep the base's values), `disabled: true` switches a
/// rule off, a new id adds a rule, and `settings:` replaces the settings it names. Every
/// problem is a located RuleDiagnostic; a bad entry is left out and the rest still apply.
/// `file` names the text in diagnostics and RuleOrigin. Never throws.
RuleSet applyRulesText(const RuleSet& base, std::string_view text, const std::string& file);
/// applyRulesText() on a file's contents; an unreadable file is one diagnostic.
RuleSet applyRulesFile(const RuleSet& base, const std::string& path);
/// The user's own rules file in the config folder, whether or not it exists: QStandardPaths
/// GenericConfigLocation + "/AuditScope/rules.yaml" (the GUI's AppConfigLocation, spelled out so
/// that the CLI, which sets no application name, reads the same file).
std::string userRulesPath();

/// Expands the settings macros in a match: `$production` (namespace globs), `$private`
/// (CIDRs) as parenthesised or-lists, e.g. `ns:$production` → `ns:(prod or prod-*)`.
std::string expandRuleMacros(std::string_view match, const DetectionSettings& settings);

} // namespace auditscope
