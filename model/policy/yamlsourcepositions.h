// SPDX-License-Identifier: Apache-2.0
// Internal to the policy reader (not for views): line:column and byte-offset arithmetic on the
// policy text, where yaml-cpp's marks tell only where a node starts.
#pragma once

#include "policy/policy.h"

#include <yaml-cpp/node/node.h>

#include <cstddef>
#include <string_view>
#include <vector>

namespace auditscope::policy_detail {

/// Where `node` starts, 1-based (columns count bytes, as yaml-cpp's marks do); 0:0 without a mark.
SourcePos posOf(const YAML::Node& node);

/// The 1-based line:column of byte `offset` in `text`, counting columns in UTF-8 characters
/// (for problems found before yaml-cpp runs, where there is no mark to agree with).
SourcePos posOfOffset(std::string_view text, std::size_t offset);

/// One past the closing quote of the quoted scalar whose opening quote (' or ") is at byte
/// `p` of `text`, or npos when it is never closed.
std::size_t quotedScalarEnd(std::string_view text, std::size_t p);

/// Finds where nodes of one parsed text end and turns byte offsets into SourceSpans.
/// Not thread-safe: the line table is built on first use.
class YamlSourcePositions
{
public:
    /// `text` is what yaml-cpp parsed; `baseOffset` the bytes before it in the caller's text
    /// (a byte order mark), added to span offsets.
    YamlSourcePositions(std::string_view text, std::size_t baseOffset)
        : m_text(text)
        , m_baseOffset(baseOffset)
    { }

    static constexpr std::size_t NoOffset = std::string_view::npos;

    /// The span of a rule: from its '-' indicator (block lists) or its own start (flow lists)
    /// to its end. `previousBegin` is the start of the previous rule; a rule that does not
    /// start after it is an alias and gets no span.
    SourceSpan itemSpan(const YAML::Node& item, bool flowList, std::size_t& previousBegin) const;

    /// Where the value of the merge key `key` ("<<") starts: past "<<", spaces and ':'.
    SourcePos positionAfterMergeKey(const YAML::Node& key) const;

private:
    std::size_t lineContentEnd(std::size_t offset) const;
    std::size_t indentOfLineAt(std::size_t offset) const;
    std::size_t scalarEnd(const YAML::Node& node, std::size_t p) const;
    std::size_t blockScalarEnd(std::size_t p) const;
    std::size_t nodeEnd(const YAML::Node& node) const;
    std::size_t flowCollectionEnd(std::size_t start, std::size_t lastChildEnd) const;
    SourcePos posAtOffset(std::size_t offset) const;

    std::string_view m_text;
    std::size_t m_baseOffset = 0;
    mutable std::vector<std::size_t> m_lineStarts; ///< filled on first use
};

} // namespace auditscope::policy_detail
