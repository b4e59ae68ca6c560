// SPDX-License-Identifier: Apache-2.0
#include "detect/detectionrule.h"

#include "detect/finding.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace auditscope {

namespace {

constexpr std::array<std::string_view, FindingSeverityCount> SeverityNames = {
    "info", "low", "medium", "high", "critical"};

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x))
            == std::tolower(static_cast<unsigned char>(y));
    });
}

} // namespace

std::string_view findingSeverityName(FindingSeverity severity)
{
    return SeverityNames[static_cast<std::size_t>(severity)];
}

std::optional<FindingSeverity> parseFindingSeverity(std::string_view text)
{
    for (std::size_t i = 0; i < SeverityNames.size(); ++i)
        if (equalsIgnoringCase(text, SeverityNames[i]))
            return FindingSeverity(i);
    return std::nullopt;
}

std::string RuleDiagnostic::toString() const
{
    std::string out = file.empty() ? std::string("built-in rules") : file;
    if (line > 0)
        out += ':' + std::to_string(line) + ':' + std::to_string(column);
    out += severity == Severity::Error ? ": error: " : ": warning: ";
    if (!ruleId.empty())
        out += "rule " + ruleId + ": ";
    return out + message;
}

const DetectionRule* RuleSet::find(std::string_view id) const
{
    const auto it = std::find_if(
        rules.begin(), rules.end(), [id](const DetectionRule& r) { return r.id == id; });
    return it == rules.end() ? nullptr : &*it;
}

std::uint64_t DetectionResult::countAtLeast(FindingSeverity severity) const
{
    if (!rules)
        return 0;
    return static_cast<std::uint64_t>(std::count_if(findings.begin(), findings.end(),
        [&](const Finding& f) { return rules->rules[f.rule].severity >= severity; }));
}

} // namespace auditscope
