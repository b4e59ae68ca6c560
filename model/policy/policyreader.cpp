// SPDX-License-Identifier: Apache-2.0
#include "policyreader.h"

#include "policy/policydecoder.h"
#include "policy/policyinputchecks.h"
#include "policy/policyvalidation.h"
#include "policy/yamlsourcepositions.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>

namespace auditscope {

using namespace policy_detail;

namespace {

using Severity = PolicyDiagnostic::Severity;

bool hasError(const std::vector<PolicyDiagnostic>& diagnostics)
{
    return std::any_of(diagnostics.begin(), diagnostics.end(),
        [](const PolicyDiagnostic& d) { return d.severity == Severity::Error; });
}

} // namespace

PolicyReadResult readPolicy(std::string_view text, const PolicyReadLimits& limits)
{
    PolicyReadResult result;
    std::size_t bomBytes = 0;
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3); // a UTF-8 byte order mark is allowed
        bomBytes = 3;
    }
    if (!preScan(text, limits, result.diagnostics))
        return result;
    try {
        std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
        // A trailing "---" adds an empty document; only real documents count.
        std::vector<YAML::Node> real;
        for (const YAML::Node& doc : documents)
            if (doc.Type() != YAML::NodeType::Null || documents.size() == 1)
                real.push_back(doc);
        if (real.empty()) {
            result.diagnostics.push_back({Severity::Error, 1, 1, "", "the policy is empty"});
            return result;
        }
        if (real.size() > 1) {
            const SourcePos pos = posOf(real[1]);
            result.diagnostics.push_back({Severity::Error, pos.line, pos.column, "",
                "the file holds " + std::to_string(real.size())
                    + " YAML documents; a policy file must hold exactly one Policy"});
            return result;
        }
        std::size_t budget = limits.maxExpandedNodes;
        if (!withinExpansionBudget(real[0], budget, 0, limits.maxDepth + 8)) {
            result.diagnostics.push_back({Severity::Error, 1, 1, "",
                "the document expands to more than " + std::to_string(limits.maxExpandedNodes)
                    + " nodes or nests too deeply through aliases (excessive aliasing); "
                      "refusing to read it"});
            return result;
        }
        decodePolicy(real[0], text, bomBytes, result.policy, result.diagnostics);
    } catch (const YAML::Exception& e) {
        const SourcePos pos =
            e.mark.is_null() ? SourcePos{} : SourcePos{e.mark.line + 1, e.mark.column + 1};
        result.diagnostics.push_back(
            {Severity::Error, pos.line, pos.column, "", "YAML syntax error: " + e.msg});
    } catch (const std::exception& e) {
        result.diagnostics.push_back(
            {Severity::Error, 0, 0, "", std::string("could not read the policy: ") + e.what()});
    }
    result.decoded = !hasError(result.diagnostics);
    return result;
}

PolicyLoadResult loadPolicy(std::string_view text, const PolicyReadLimits& limits)
{
    PolicyReadResult read = readPolicy(text, limits);
    PolicyLoadResult result;
    result.diagnostics = std::move(read.diagnostics);
    result.policy = std::move(read.policy);
    result.decoded = read.decoded;
    if (read.decoded) {
        std::vector<PolicyDiagnostic> validation = validatePolicy(result.policy);
        result.diagnostics.insert(result.diagnostics.end(), validation.begin(), validation.end());
        if (result.policy.rules.empty()) {
            const SourcePos pos = result.policy.rulesPos;
            result.diagnostics.push_back({Severity::Error, pos.line, pos.column, "rules",
                "loaded illegal policy with 0 rules: kube-apiserver refuses a policy without "
                "rules"});
        }
    }
    result.loadable = !hasError(result.diagnostics);
    return result;
}

PolicyLoadResult loadPolicyFile(const std::string& path, const PolicyReadLimits& limits)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        PolicyLoadResult result;
        result.diagnostics.push_back(
            {Severity::Error, 0, 0, "", "cannot open policy file " + path});
        return result;
    }
    std::string text;
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size > static_cast<std::streamoff>(limits.maxBytes)) {
        PolicyLoadResult result;
        result.diagnostics.push_back({Severity::Error, 0, 0, "",
            "the policy file is larger than " + std::to_string(limits.maxBytes) + " bytes"});
        return result;
    }
    in.seekg(0, std::ios::beg);
    text.resize(static_cast<std::size_t>(std::max<std::streamoff>(size, 0)));
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    return loadPolicy(text, limits);
}

} // namespace auditscope
