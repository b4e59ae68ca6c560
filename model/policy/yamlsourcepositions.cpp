// SPDX-License-Identifier: Apache-2.0
#include "yamlsourcepositions.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace auditscope::policy_detail {

SourcePos posOf(const YAML::Node& node)
{
    const YAML::Mark mark = node.Mark();
    if (mark.is_null())
        return {};
    return {mark.line + 1, mark.column + 1};
}

SourcePos posOfOffset(std::string_view s, std::size_t offset)
{
    SourcePos pos{1, 1};
    for (std::size_t i = 0; i < offset && i < s.size(); ++i) {
        if (s[i] == '\n') {
            ++pos.line;
            pos.column = 1;
        } else if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            ++pos.column;
        }
    }
    return pos;
}

std::size_t quotedScalarEnd(std::string_view text, std::size_t p)
{
    const char quote = text[p];
    for (std::size_t k = p + 1; k < text.size(); ++k) {
        if (quote == '"' && text[k] == '\\')
            ++k; // an escape: the next character is never the end
        else if (text[k] == quote && quote == '\'' && k + 1 < text.size() && text[k + 1] == '\'')
            ++k; // '' is an escaped quote
        else if (text[k] == quote)
            return k + 1;
    }
    return std::string_view::npos;
}

/// Offset one past the end of the line that contains `offset`, without the newline and
/// without trailing spaces or a comment (a '#' after a space).
std::size_t YamlSourcePositions::lineContentEnd(std::size_t offset) const
{
    std::size_t lineEnd = m_text.find('\n', offset);
    if (lineEnd == NoOffset)
        lineEnd = m_text.size();
    std::size_t end = lineEnd;
    for (std::size_t k = offset; k < lineEnd; ++k)
        if (m_text[k] == '#' && k > offset && (m_text[k - 1] == ' ' || m_text[k - 1] == '\t')) {
            end = k;
            break;
        }
    while (end > offset
        && (m_text[end - 1] == ' ' || m_text[end - 1] == '\t' || m_text[end - 1] == '\r'))
        --end;
    return end;
}

std::size_t YamlSourcePositions::indentOfLineAt(std::size_t offset) const
{
    const std::size_t lineStart = offset == 0 ? 0 : m_text.rfind('\n', offset - 1) + 1;
    std::size_t k = lineStart;
    while (k < m_text.size() && m_text[k] == ' ')
        ++k;
    return k - lineStart;
}

/// The end (exclusive byte offset) of the scalar that starts at `p`.
std::size_t YamlSourcePositions::scalarEnd(const YAML::Node& node, std::size_t p) const
{
    const char c = m_text[p];
    if (c == '"' || c == '\'') {
        const std::size_t end = quotedScalarEnd(m_text, p);
        return end == NoOffset ? m_text.size() : end;
    }
    if (c == '|' || c == '>')
        return blockScalarEnd(p);
    // Plain scalar: its text is its value unless it is folded over several lines.
    const std::string& value = node.Scalar();
    if (!value.empty() && m_text.compare(p, value.size(), value) == 0)
        return p + value.size();
    return lineContentEnd(p);
}

/// The end of the block scalar whose header ('|' or '>') is at `p`: every following line that
/// is blank or indented deeper than the line of its header belongs to it.
std::size_t YamlSourcePositions::blockScalarEnd(std::size_t p) const
{
    const std::size_t indent = indentOfLineAt(p);
    std::size_t end = lineContentEnd(p);
    std::size_t lineStart = m_text.find('\n', p);
    while (lineStart != NoOffset && ++lineStart < m_text.size()) {
        std::size_t k = lineStart;
        while (k < m_text.size() && m_text[k] == ' ')
            ++k;
        std::size_t lineEnd = m_text.find('\n', lineStart);
        if (lineEnd == NoOffset)
            lineEnd = m_text.size();
        const bool blank = m_text.substr(k, lineEnd - k).find_first_not_of(" \t\r") == NoOffset;
        if (!blank && k - lineStart <= indent)
            break;
        if (!blank) {
            end = lineEnd;
            while (end > k && (m_text[end - 1] == '\r' || m_text[end - 1] == ' '))
                --end;
        }
        lineStart = lineEnd;
    }
    return end;
}

/// The end (exclusive byte offset) of `node`, or NoOffset when it has no position.
std::size_t YamlSourcePositions::nodeEnd(const YAML::Node& node) const
{
    const YAML::Mark mark = node.Mark();
    if (mark.is_null() || mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= m_text.size())
        return NoOffset;
    const auto start = static_cast<std::size_t>(mark.pos);
    std::size_t end = start;
    auto extend = [&](const YAML::Node& child) {
        const YAML::Mark m = child.Mark();
        // An alias refers to a node written earlier: its mark is not inside this node.
        if (m.is_null() || m.pos < mark.pos)
            return;
        const std::size_t e = nodeEnd(child);
        if (e != NoOffset)
            end = std::max(end, e);
    };
    switch (node.Type()) {
    case YAML::NodeType::Scalar:
        return scalarEnd(node, start);
    case YAML::NodeType::Sequence:
        for (const YAML::Node& item : node)
            extend(item);
        break;
    case YAML::NodeType::Map:
        for (auto it = node.begin(); it != node.end(); ++it) {
            extend(it->first);
            extend(it->second);
        }
        break;
    default:
        return NoOffset;
    }
    if (node.Style() == YAML::EmitterStyle::Flow)
        return flowCollectionEnd(start, end);
    return end;
}

/// One past the closing bracket of the flow collection that starts at `start` and whose last
/// item ends at `lastChildEnd` (== start when it has none): past the last item come spaces,
/// commas and comments, then the bracket.
std::size_t YamlSourcePositions::flowCollectionEnd(
    std::size_t start, std::size_t lastChildEnd) const
{
    std::size_t k = lastChildEnd == start ? start + 1 : lastChildEnd;
    while (k < m_text.size()) {
        const char c = m_text[k];
        if (c == ']' || c == '}')
            return k + 1;
        if (c == '#')
            k = m_text.find('\n', k) == NoOffset ? m_text.size() : m_text.find('\n', k);
        else
            ++k;
    }
    return m_text.size();
}

/// 1-based line:column of a byte offset, columns in bytes; the line table is built once.
SourcePos YamlSourcePositions::posAtOffset(std::size_t offset) const
{
    if (m_lineStarts.empty()) {
        m_lineStarts.push_back(0);
        for (std::size_t k = 0; k < m_text.size(); ++k)
            if (m_text[k] == '\n')
                m_lineStarts.push_back(k + 1);
    }
    const auto it = std::upper_bound(m_lineStarts.begin(), m_lineStarts.end(), offset) - 1;
    return {static_cast<int>(it - m_lineStarts.begin()) + 1, static_cast<int>(offset - *it) + 1};
}

SourcePos YamlSourcePositions::positionAfterMergeKey(const YAML::Node& key) const
{
    const YAML::Mark mark = key.Mark();
    if (mark.is_null() || mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= m_text.size())
        return {};
    std::size_t k = m_text.find("<<", static_cast<std::size_t>(mark.pos));
    if (k == NoOffset)
        return {mark.line + 1, mark.column + 1};
    k += 2;
    while (k < m_text.size() && (m_text[k] == ' ' || m_text[k] == '\t' || m_text[k] == ':'))
        ++k;
    return posAtOffset(k);
}

SourceSpan YamlSourcePositions::itemSpan(
    const YAML::Node& item, bool flowList, std::size_t& previousBegin) const
{
    SourceSpan span;
    const YAML::Mark mark = item.Mark();
    if (mark.is_null() || mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= m_text.size())
        return span;
    std::size_t begin = static_cast<std::size_t>(mark.pos);
    if (previousBegin != NoOffset && begin <= previousBegin)
        return span;
    std::size_t end = nodeEnd(item);
    if (end == NoOffset || end < begin)
        end = begin;
    if (!flowList) {
        std::size_t k = begin;
        while (k > 0
            && (m_text[k - 1] == ' ' || m_text[k - 1] == '\t' || m_text[k - 1] == '\n'
                || m_text[k - 1] == '\r'))
            --k;
        if (k > 0 && m_text[k - 1] == '-')
            begin = k - 1;
    }
    previousBegin = static_cast<std::size_t>(mark.pos);
    span.begin = posAtOffset(begin);
    span.end = posAtOffset(end);
    span.beginOffset = begin + m_baseOffset;
    span.endOffset = end + m_baseOffset;
    return span;
}

} // namespace auditscope::policy_detail
