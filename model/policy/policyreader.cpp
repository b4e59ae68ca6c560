// SPDX-License-Identifier: Apache-2.0
#include "policyreader.h"

#include "policy/policydecoder.h"
#include "policy/policyinputchecks.h"
#include "policy/policyvalidation.h"
#include "policy/yamlaliases.h"
#include "policy/yamlprogressguard.h"
#include "policy/yamlsourcepositions.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

namespace auditscope {

using namespace policy_detail;

namespace {

using Severity = PolicyDiagnostic::Severity;

bool hasError(const std::vector<PolicyDiagnostic>& diagnostics)
{
    return std::any_of(diagnostics.begin(), diagnostics.end(),
        [](const PolicyDiagnostic& d) { return d.severity == Severity::Error; });
}

const std::string UnterminatedQuote =
    "unterminated quoted string: the quote here is never closed, so the string runs to the "
    "end of the file (kube-apiserver: \"found unexpected end of stream\")";

/// Parses `text` into its documents; a YAML error is one located Error, at the opening quote
/// when an unclosed quote caused it.
std::optional<std::vector<YAML::Node>> parseDocuments(
    std::string_view text, std::vector<PolicyDiagnostic>& out)
{
    try {
        const std::string copy(text);
        if (const std::optional<YAML::Mark> stuck = findStuckYamlToken(copy)) {
            const char at = stuck->pos < int(copy.size()) ? copy[std::size_t(stuck->pos)] : ' ';
            out.push_back({Severity::Error, stuck->line + 1, stuck->column + 1, "",
                std::string("YAML syntax error: unexpected '") + at + "' here"
                    + (at == ',' ? " (a ',' belongs inside a flow collection [...] or {...})"
                                 : "")});
            return std::nullopt;
        }
        return YAML::LoadAll(copy);
    } catch (const YAML::Exception& e) {
        if (const std::optional<SourcePos> quote = unterminatedQuote(text)) {
            out.push_back({Severity::Error, quote->line, quote->column, "", UnterminatedQuote});
            return std::nullopt;
        }
        const SourcePos pos =
            e.mark.is_null() ? SourcePos{} : SourcePos{e.mark.line + 1, e.mark.column + 1};
        out.push_back({Severity::Error, pos.line, pos.column, "", "YAML syntax error: " + e.msg});
    }
    return std::nullopt;
}

/// The one document of a policy file, or an Error: none, or more than one.
std::optional<YAML::Node> singleDocument(
    const std::vector<YAML::Node>& documents, std::vector<PolicyDiagnostic>& out)
{
    // A trailing "---" adds an empty document; only real documents count.
    std::vector<YAML::Node> real;
    for (const YAML::Node& doc : documents)
        if (doc.Type() != YAML::NodeType::Null || documents.size() == 1)
            real.push_back(doc);
    if (real.empty()) {
        out.push_back({Severity::Error, 1, 1, "", "the policy is empty"});
        return std::nullopt;
    }
    if (real.size() > 1) {
        const SourcePos pos = posOf(real[1]);
        out.push_back({Severity::Error, pos.line, pos.column, "",
            "the file holds " + std::to_string(real.size())
                + " YAML documents; a policy file must hold exactly one Policy"});
        return std::nullopt;
    }
    return real.front();
}

const char* fileTypeName(std::filesystem::file_type type)
{
    using std::filesystem::file_type;
    switch (type) {
    case file_type::character:
        return "a character device";
    case file_type::block:
        return "a block device";
    case file_type::fifo:
        return "a pipe";
    case file_type::socket:
        return "a socket";
    default:
        return "a special file";
    }
}

} // namespace

std::string readPolicyFileText(const std::string& path, std::size_t maxBytes, std::string& text)
{
    namespace fs = std::filesystem;
    text.clear();
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (status.type() == fs::file_type::directory)
        return path + " is a directory, not a policy file";
    const bool regular = status.type() == fs::file_type::regular;
    if (regular) {
        const std::uintmax_t size = fs::file_size(path, ec);
        if (!ec && size > maxBytes)
            return path + " is " + std::to_string(size) + " bytes, larger than the "
                + std::to_string(maxBytes) + "-byte limit for a policy";
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return "cannot open policy file " + path;
    // Read at most one byte past the limit: devices such as /dev/zero never end.
    std::string chunk(std::size_t(64) << 10, '\0');
    while (text.size() <= maxBytes) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        text.append(chunk, 0, std::min(got, maxBytes + 1 - text.size()));
        if (got < chunk.size())
            break;
    }
    if (in.bad())
        return "cannot read policy file " + path;
    if (text.size() > maxBytes) {
        text.clear();
        if (!regular)
            return path + " is not a regular file (" + fileTypeName(status.type())
                + "); reading stopped at the " + std::to_string(maxBytes)
                + "-byte limit for a policy";
        return path + " grew past the " + std::to_string(maxBytes)
            + "-byte limit for a policy while being read";
    }
    return {};
}

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
        std::optional<std::vector<YAML::Node>> documents = parseDocuments(text, result.diagnostics);
        if (!documents)
            return result;
        const std::optional<YAML::Node> document = singleDocument(*documents, result.diagnostics);
        if (!document)
            return result;
        if (const std::optional<SourcePos> quote =
                unterminatedQuote(*document, text, limits.maxDepth + 8)) {
            result.diagnostics.push_back(
                {Severity::Error, quote->line, quote->column, "", UnterminatedQuote});
            return result;
        }
        if (mayContainAlias(text) && !checkAliases(text, result.diagnostics))
            return result;
        decodePolicy(*document, text, bomBytes, result.policy, result.diagnostics);
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
    std::string text;
    if (std::string problem = readPolicyFileText(path, limits.maxBytes, text); !problem.empty()) {
        PolicyLoadResult result;
        result.diagnostics.push_back({Severity::Error, 0, 0, "", std::move(problem)});
        return result;
    }
    return loadPolicy(text, limits);
}

} // namespace auditscope
