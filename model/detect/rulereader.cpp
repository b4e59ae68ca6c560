// SPDX-License-Identifier: Apache-2.0
// Reading rules files: the same guards as the policy reader (size, encoding, depth, yaml-cpp's
// endless loops, alias bombs, unclosed quotes), then ruledecoder.cpp for the content.
#include "detect/rulereader.h"

#include "detect/ruledecoder.h"
#include "detect/rulefields.h"
#include "policy/policyinputchecks.h"
#include "policy/policyreader.h"
#include "policy/yamlaliases.h"
#include "policy/yamlprogressguard.h"

#include <yaml-cpp/yaml.h>

#include <QStandardPaths>
#include <QString>

#include <optional>

namespace auditscope {

namespace {

using Severity = RuleDiagnostic::Severity;

/// A rules file is small; these bound what hostile input can cost.
constexpr std::size_t MaxRulesFileBytes = std::size_t(4) << 20;
constexpr int MaxRulesFileDepth = 64;

/// The policy reader's checks speak of "the policy"; here the text is a rules file.
std::string aboutRulesFile(std::string message)
{
    static const std::pair<std::string, std::string> Words[] = {{"a policy file", "a rules file"},
        {"policy file", "rules file"}, {"the policy ", "the rules file "},
        {"a policy", "a rules file"}};
    for (const auto& [from, to] : Words) {
        for (std::size_t at = message.find(from); at != std::string::npos;
             at = message.find(from, at + to.size()))
            message.replace(at, from.size(), to);
    }
    return message;
}

void addPolicyDiagnostics(
    const std::vector<PolicyDiagnostic>& from, const std::string& file, RuleSet& set)
{
    for (const PolicyDiagnostic& d : from)
        set.diagnostics.push_back(
            {d.severity == PolicyDiagnostic::Severity::Error ? Severity::Error : Severity::Warning,
                file, d.line, d.column, "", aboutRulesFile(d.message)});
}

/// The one document of `text`, or nullopt after a located error. Null for an empty text.
std::optional<YAML::Node> parseDocument(
    std::string_view text, const std::string& file, RuleSet& set)
{
    std::vector<PolicyDiagnostic> problems;
    const auto fail = [&](int line, int column, std::string message) {
        set.diagnostics.push_back({Severity::Error, file, line, column, "", std::move(message)});
        return std::nullopt;
    };
    const std::string copy(text);
    std::vector<YAML::Node> documents;
    try {
        if (const std::optional<YAML::Mark> stuck = policy_detail::findStuckYamlToken(copy))
            return fail(stuck->line + 1, stuck->column + 1,
                "YAML syntax error: unexpected '"
                    + std::string(1, copy[static_cast<std::size_t>(stuck->pos)]) + "' here");
        documents = YAML::LoadAll(copy);
    } catch (const YAML::Exception& e) {
        if (const std::optional<SourcePos> quote = policy_detail::unterminatedQuote(text))
            return fail(quote->line, quote->column,
                "unterminated quoted string: the quote here "
                "is never closed");
        return fail(e.mark.is_null() ? 0 : e.mark.line + 1,
            e.mark.is_null() ? 0 : e.mark.column + 1, "YAML syntax error: " + e.msg);
    }
    std::vector<YAML::Node> real;
    for (const YAML::Node& doc : documents)
        if (!doc.IsNull())
            real.push_back(doc);
    if (real.empty())
        return YAML::Node(YAML::NodeType::Null);
    if (real.size() > 1)
        return fail(real[1].Mark().line + 1, real[1].Mark().column + 1,
            "the file holds " + std::to_string(real.size())
                + " YAML documents; a rules file holds one");
    if (const std::optional<SourcePos> quote =
            policy_detail::unterminatedQuote(real.front(), text, MaxRulesFileDepth + 8))
        return fail(quote->line, quote->column,
            "unterminated quoted string: the quote here is never closed");
    if (policy_detail::mayContainAlias(text) && !policy_detail::checkAliases(text, problems)) {
        addPolicyDiagnostics(problems, file, set);
        return std::nullopt;
    }
    return real.front();
}

} // namespace

const RuleSet& builtinRules()
{
    static const RuleSet rules = applyRulesText(RuleSet{}, builtinRulesText(), {});
    return rules;
}

RuleSet applyRulesText(const RuleSet& base, std::string_view text, const std::string& file)
{
    RuleSet set = base;
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3); // a UTF-8 byte order mark is allowed
    std::vector<PolicyDiagnostic> problems;
    PolicyReadLimits limits;
    limits.maxBytes = MaxRulesFileBytes;
    limits.maxDepth = MaxRulesFileDepth;
    if (!policy_detail::preScan(text, limits, problems)) {
        addPolicyDiagnostics(problems, file, set);
        return set;
    }
    try {
        if (const std::optional<YAML::Node> root = parseDocument(text, file, set))
            detect_detail::applyRulesDocument(*root, text, file, set);
    } catch (const std::exception& e) {
        set = base; // nothing half-applied
        set.diagnostics.push_back({Severity::Error, file, 0, 0, "",
            std::string("could not read the rules: ") + e.what()});
    }
    return set;
}

RuleSet applyRulesFile(const RuleSet& base, const std::string& path)
{
    std::string text;
    const std::string problem = readPolicyFileText(path, MaxRulesFileBytes, text);
    if (!problem.empty()) {
        RuleSet set = base;
        set.diagnostics.push_back({Severity::Error, path, 0, 0, "", aboutRulesFile(problem)});
        return set;
    }
    return applyRulesText(base, text, path);
}

std::string userRulesPath()
{
    // The GUI's AppConfigLocation is <config>/AuditScope; the CLI sets no application name,
    // so the folder is spelled out for both to read the same file.
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    return QString(folder + QStringLiteral("/AuditScope/rules.yaml")).toStdString();
}

std::string expandRuleMacros(std::string_view match, const DetectionSettings& settings)
{
    return detect_detail::expandMacros(match, settings, nullptr);
}

} // namespace auditscope
