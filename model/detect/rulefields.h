// SPDX-License-Identifier: Apache-2.0
// Internal to the rules reader: the values of a rules file that are not YAML structure
// (durations, field names, maintenance windows), settings macros with a map back to the text as
// written, terms a rule may not use, and where a byte of a YAML scalar's value sits in the file.
#pragma once

#include "detect/detectionrule.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope::detect_detail {

/// `500ms`, `60s`, `5m`, `36h`, `7d`, or several run together (`1h30m`); `0` alone. In ns.
std::optional<std::int64_t> parseRuleDuration(std::string_view text);

/// The column fields `by`, `distinct` and `newValueOf` may name, by their query alias.
std::optional<QueryField> parseKeyField(std::string_view name);
/// Their aliases, for messages and did-you-mean.
const std::vector<std::string_view>& keyFieldNames();

/// `Sat 02:00-06:00`, `daily 03:00-04:00` (UTC; a window may run past midnight). Empty when
/// well-formed, else what is wrong.
std::string maintenanceWindowError(std::string_view text);

/// The closest candidate to `word` when it is close enough to be a typo, else "".
std::string didYouMean(std::string_view word, const std::vector<std::string_view>& candidates);

/// One macro replaced in a match: its place in the text as written and in the expanded text.
struct MacroSpan
{
    std::size_t offset = 0, length = 0; ///< in the text as written
    std::size_t expandedOffset = 0, expandedLength = 0;
};
/// expandRuleMacros() that also says where each macro was.
std::string expandMacros(
    std::string_view match, const DetectionSettings& settings, std::vector<MacroSpan>* spans);
/// The offset in the text as written of byte `expandedOffset` of the expanded text: inside a
/// macro's expansion, the macro's start.
std::size_t unexpandedOffset(std::size_t expandedOffset, const std::vector<MacroSpan>& spans);

/// Where a match uses `finding:` or `severity` (terms that read other rules' findings, which a
/// rule may not), as a byte offset; nullopt when it does not.
std::optional<std::size_t> findingTermOffset(std::string_view match);

/// A 0-based line and byte column in a text.
struct TextPos
{
    int line = 0, column = 0;
};
/// Where byte `valueOffset` of the value of the YAML scalar written at byte `scalarStart` of
/// `text` lies in the text: through quotes, escapes and folded or literal line breaks. nullopt
/// when the walk cannot follow the scalar there.
std::optional<TextPos> scalarValuePosition(
    std::string_view text, std::size_t scalarStart, std::size_t valueOffset);

} // namespace auditscope::detect_detail
