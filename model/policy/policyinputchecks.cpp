// SPDX-License-Identifier: Apache-2.0
#include "policyinputchecks.h"

#include "policy/yamlsourcepositions.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

namespace auditscope::policy_detail {

namespace {

using Severity = PolicyDiagnostic::Severity;

/// Returns the 0-based byte offset of the first invalid UTF-8 sequence, or npos.
std::size_t firstInvalidUtf8(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        int extra = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + static_cast<std::size_t>(extra) >= s.size())
            return i;
        for (int k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800)
            || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += static_cast<std::size_t>(extra) + 1;
    }
    return std::string_view::npos;
}

/// Appends an Error at byte `offset` of `text`; returns false, for `return fail(...)`.
bool fail(std::string_view text, std::size_t offset, std::string message,
    std::vector<PolicyDiagnostic>& out)
{
    const SourcePos pos = posOfOffset(text, offset);
    out.push_back({Severity::Error, pos.line, pos.column, "", std::move(message)});
    return false;
}

/// The size limit, UTF-8 and control characters.
bool checkBytes(
    std::string_view text, const PolicyReadLimits& limits, std::vector<PolicyDiagnostic>& out)
{
    if (text.size() > limits.maxBytes)
        return fail(text, 0,
            "the policy is larger than " + std::to_string(limits.maxBytes)
                + " bytes; refusing to read it",
            out);
    if (const std::size_t bad = firstInvalidUtf8(text); bad != std::string_view::npos)
        return fail(text, bad, "invalid UTF-8 byte sequence; a policy must be UTF-8 text", out);
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return fail(text, i,
                "control character 0x" + std::string(1, "0123456789abcdef"[c >> 4])
                    + std::string(1, "0123456789abcdef"[c & 15]) + " is not allowed in YAML",
                out);
    }
    return true;
}

/// True when `content`, a line up to its comment, ends in a block scalar header ("key: |",
/// "- >-", "|2+"), which makes the following deeper lines text.
bool endsWithBlockScalarHeader(std::string_view content)
{
    while (!content.empty()
        && (content.back() == ' ' || content.back() == '\r' || content.back() == '\t'))
        content.remove_suffix(1);
    std::size_t k = content.size();
    while (k > 0
        && (std::isdigit(static_cast<unsigned char>(content[k - 1])) || content[k - 1] == '+'
            || content[k - 1] == '-'))
        --k;
    return k > 0 && (content[k - 1] == '|' || content[k - 1] == '>')
        && (k == 1 || content[k - 2] == ' ');
}

/// Tabs in indentation and the nesting depth, line by line.
bool checkIndentationAndDepth(
    std::string_view text, const PolicyReadLimits& limits, std::vector<PolicyDiagnostic>& out)
{
    const auto tooDeep = [&](std::size_t offset) {
        return fail(text, offset,
            "the policy nests deeper than " + std::to_string(limits.maxDepth)
                + " levels; refusing to read it",
            out);
    };
    // Approximate structural depth: block indentation levels + leading "- " items on a line +
    // open flow brackets. Over-estimates a little, which is fine for a limit of 200.
    std::vector<int> indents;
    int flow = 0;
    char quote = 0;
    bool inBlockScalar = false;
    int blockScalarIndent = -1;
    std::size_t lineStart = 0;
    while (lineStart <= text.size()) {
        std::size_t lineEnd = text.find('\n', lineStart);
        if (lineEnd == std::string_view::npos)
            lineEnd = text.size();
        const std::string_view line = text.substr(lineStart, lineEnd - lineStart);
        std::size_t indent = 0;
        while (indent < line.size() && line[indent] == ' ')
            ++indent;
        const bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
        if (inBlockScalar) {
            if (blank || static_cast<int>(indent) > blockScalarIndent) {
                lineStart = lineEnd + 1;
                continue;
            }
            inBlockScalar = false;
        }
        if (flow == 0 && quote == 0 && !blank && indent < line.size() && line[indent] == '\t')
            return fail(text, lineStart + indent,
                "tab character in indentation; YAML indentation must use spaces", out);
        int depth = 0;
        std::size_t i = indent;
        if (flow == 0 && quote == 0 && !blank && line[indent] != '#') {
            while (!indents.empty() && indents.back() >= static_cast<int>(indent))
                indents.pop_back();
            indents.push_back(static_cast<int>(indent));
            while (
                i < line.size() && line[i] == '-' && (i + 1 == line.size() || line[i + 1] == ' ')) {
                ++depth;
                i += 2;
                while (i < line.size() && line[i] == ' ')
                    ++i;
            }
        }
        char prev = ' ';
        char lastSignificant = 0;
        for (; i < line.size(); ++i) {
            const char c = line[i];
            if (quote) {
                if (c == '\\' && quote == '"')
                    ++i;
                else if (c == quote)
                    quote = 0;
            } else if (c == '#' && (prev == ' ' || prev == '\t')) {
                break;
            } else if ((c == '"' || c == '\'')
                && (lastSignificant == 0 || lastSignificant == ':' || lastSignificant == '-'
                    || lastSignificant == '[' || lastSignificant == '{' || lastSignificant == ','
                    || lastSignificant == '?')) {
                quote = c;
            } else if (c == '[' || c == '{') {
                ++flow;
            } else if ((c == ']' || c == '}') && flow > 0) {
                --flow;
            }
            if (c != ' ' && c != '\t' && c != '\r')
                lastSignificant = quote && c != quote ? 'x' : c;
            prev = c;
            const int total = static_cast<int>(indents.size()) + depth + flow;
            if (total > limits.maxDepth)
                return tooDeep(lineStart + i);
        }
        if (static_cast<int>(indents.size()) + depth + flow > limits.maxDepth)
            return tooDeep(lineStart);
        if (quote == 0 && flow == 0
            && endsWithBlockScalarHeader(line.substr(0, std::min(line.size(), i)))) {
            inBlockScalar = true;
            blockScalarIndent = static_cast<int>(indent);
        }
        lineStart = lineEnd + 1;
    }
    return true;
}

} // namespace

bool preScan(
    std::string_view text, const PolicyReadLimits& limits, std::vector<PolicyDiagnostic>& out)
{
    return checkBytes(text, limits, out) && checkIndentationAndDepth(text, limits, out);
}

} // namespace auditscope::policy_detail
