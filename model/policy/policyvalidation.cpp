// SPDX-License-Identifier: Apache-2.0
#include "policyvalidation.h"

#include <string>

namespace auditscope {

namespace {

using Severity = PolicyDiagnostic::Severity;

void invalid(
    std::vector<PolicyDiagnostic>& out, SourcePos pos, std::string path, std::string message)
{
    out.push_back({Severity::Error, pos.line, pos.column, std::move(path), std::move(message)});
}

SourcePos at(const StringList& list, std::size_t i)
{
    return i < list.positions.size() ? list.positions[i] : list.pos;
}

void validateOmitStages(
    const StringList& stages, const std::string& path, std::vector<PolicyDiagnostic>& out)
{
    for (std::size_t j = 0; j < stages.size(); ++j) {
        const std::string& stage = stages.values[j];
        if (!parseStage(stage))
            invalid(out, at(stages, j), path + "[" + std::to_string(j) + "]",
                "Invalid value: \"" + stage
                    + "\": allowed stages are "
                      "RequestReceived,ResponseStarted,ResponseComplete,Panic");
    }
}

bool isLabel(std::string_view label)
{
    if (label.empty())
        return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(label.front()) || !alnum(label.back()))
        return false;
    for (const char c : label)
        if (!alnum(c) && c != '-')
            return false;
    return true;
}

} // namespace

bool isDns1123Subdomain(std::string_view value)
{
    return value.size() <= 253 && isDns1123SubdomainSyntax(value);
}

bool isDns1123SubdomainSyntax(std::string_view value)
{
    if (value.empty())
        return false;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = value.find('.', start);
        const std::string_view label = value.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (!isLabel(label))
            return false;
        if (dot == std::string_view::npos)
            return true;
        start = dot + 1;
    }
}

std::vector<PolicyDiagnostic> validatePolicy(const Policy& policy)
{
    std::vector<PolicyDiagnostic> out;
    validateOmitStages(policy.omitStages, "omitStages", out);
    for (std::size_t i = 0; i < policy.rules.size(); ++i) {
        const PolicyRule& rule = policy.rules[i];
        const std::string rulePath = "rules[" + std::to_string(i) + "]";
        const SourcePos levelPos = rule.levelPos.line ? rule.levelPos : rule.pos;
        if (rule.level.empty()) {
            invalid(out, levelPos, rulePath + ".level", "Required value: a rule needs a level");
        } else if (!parseLevel(rule.level)) {
            invalid(out, levelPos, rulePath + ".level",
                "Unsupported value: \"" + rule.level
                    + "\": supported values: \"None\", \"Metadata\", \"Request\", "
                      "\"RequestResponse\"");
        }
        for (std::size_t k = 0; k < rule.nonResourceURLs.size(); ++k) {
            const std::string& url = rule.nonResourceURLs.values[k];
            if (url == "*")
                continue;
            const std::string path = rulePath + ".nonResourceURLs[" + std::to_string(k) + "]";
            if (url.empty() || url.front() != '/')
                invalid(out, at(rule.nonResourceURLs, k), path,
                    "Invalid value: \"" + url
                        + "\": non-resource URL rules must begin with a '/' character");
            if (!url.empty() && url.substr(0, url.size() - 1).find('*') != std::string::npos)
                invalid(out, at(rule.nonResourceURLs, k), path,
                    "Invalid value: \"" + url
                        + "\": non-resource URL wildcards '*' must be the final character "
                          "of the rule");
        }
        for (const GroupResources& gr : rule.resources) {
            if (!gr.group.empty() && gr.group != "*") {
                const SourcePos pos = gr.groupPos.line ? gr.groupPos : gr.pos;
                if (gr.group.size() > 253)
                    invalid(out, pos, rulePath + ".resources.group",
                        "Invalid value: \"" + gr.group + "\": must be no more than 253 characters");
                if (!isDns1123SubdomainSyntax(gr.group))
                    invalid(out, pos, rulePath + ".resources.group",
                        "Invalid value: \"" + gr.group
                            + "\": a lowercase RFC 1123 subdomain must consist of lower "
                              "case alphanumeric characters, '-' or '.', and must start "
                              "and end with an alphanumeric character (API group names "
                              "carry no version)");
            }
            if (gr.resources.empty() && !gr.resourceNames.empty())
                invalid(out, gr.resourceNames.pos.line ? gr.resourceNames.pos : gr.pos,
                    rulePath + ".resources.resourceNames",
                    "Invalid value: using resourceNames requires at least one resource");
        }
        validateOmitStages(rule.omitStages, rulePath + ".omitStages", out);
        if (!rule.nonResourceURLs.empty() && (!rule.resources.empty() || !rule.namespaces.empty()))
            invalid(out, rule.nonResourceURLs.pos.line ? rule.nonResourceURLs.pos : rule.pos,
                rulePath + ".nonResourceURLs",
                "Invalid value: rules cannot apply to both regular resources and "
                "non-resource URLs");
    }
    return out;
}

} // namespace auditscope
