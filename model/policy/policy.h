// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/enums.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace auditscope {

/// A 1-based line:column in the policy text; 0:0 when unknown (e.g. a defaulted value).
struct SourcePos
{
    int line = 0;
    int column = 0;
    friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

/// A range of the policy text, [begin, end): 1-based line:column (columns count bytes, as
/// yaml-cpp's marks do) and the same places as 0-based byte offsets into the text given to the
/// reader. Empty (begin.line == 0) when unknown.
struct SourceSpan
{
    SourcePos begin, end; ///< `end` is one past the last character
    std::size_t beginOffset = 0, endOffset = 0;
    bool valid() const { return begin.line > 0; }
    friend bool operator==(const SourceSpan&, const SourceSpan&) = default;
};

/// A list of strings with the position of the list and of every item (parallel vectors).
/// `values` is what the evaluator reads; `positions[i]` locates `values[i]` for diagnostics.
struct StringList
{
    std::vector<std::string> values;
    std::vector<SourcePos> positions;
    SourcePos pos; ///< the key of the list; 0:0 when absent

    bool empty() const { return values.empty(); }
    std::size_t size() const { return values.size(); }
};

/// One entry of `resources:` (audit.k8s.io/v1 GroupResources).
struct GroupResources
{
    std::string group; ///< "" = core only, "*" = any group
    SourcePos groupPos;
    StringList resources;
    StringList resourceNames;
    SourcePos pos; ///< the entry itself
};

/// One rule of a policy (audit.k8s.io/v1 PolicyRule). `level` keeps the text as written so that
/// validation can report wrong values; `parsedLevel` is set when the text is a valid level.
struct PolicyRule
{
    std::string level;
    SourcePos levelPos;
    std::optional<Level> parsedLevel;
    StringList users;
    StringList userGroups;
    StringList verbs;
    std::vector<GroupResources> resources;
    SourcePos resourcesPos;
    StringList namespaces;
    StringList nonResourceURLs;
    StringList omitStages;
    std::optional<bool> omitManagedFields; ///< nullopt = inherit from the policy
    SourcePos omitManagedFieldsPos;
    SourcePos pos; ///< the rule's mapping (its `-` item)
    /// The rule's text: from its `-` (block lists) or `{` (flow) to its last character, so an
    /// editor can highlight it. Empty for a rule written as a YAML alias (`- *name`).
    SourceSpan span;
};

/// An audit.k8s.io/v1 Policy as decoded from YAML or JSON (spec §2). Plain data; copyable.
struct Policy
{
    StringList omitStages;
    bool omitManagedFields = false;
    SourcePos omitManagedFieldsPos;
    std::vector<PolicyRule> rules;
    SourcePos rulesPos;
};

/// A problem found while reading, validating or linting a policy.
struct PolicyDiagnostic
{
    enum class Severity : std::uint8_t { Error, Warning };
    Severity severity = Severity::Error;
    int line = 0; ///< 1-based; 0 = not tied to a position
    int column = 0; ///< 1-based
    std::string fieldPath; ///< "rules[3].resources[0].group", "omitStages[0]", "" for the file
    std::string message;
};

/// Bit set of stages (bit = 1 << int(Stage)).
using StageMask = std::uint8_t;
constexpr StageMask stageBit(Stage stage)
{
    return static_cast<StageMask>(1u << static_cast<unsigned>(stage));
}

} // namespace auditscope
