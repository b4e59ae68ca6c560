// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace auditscope {

struct Query;
struct QueryNode;

/// The severity names the `severity` term reads, lowest first: the order and names of
/// FindingSeverity (detect/detectionrule.h, a layer above), which FindingQueryContext stores
/// as numbers.
inline constexpr std::array<std::string_view, 5> FindingSeverityNames{
    "info", "low", "medium", "high", "critical"};
/// The index of a severity name in FindingSeverityNames (case-insensitive), or nullopt.
std::optional<int> findingSeverityIndex(std::string_view name);

/// Whether `node` is a term that reads the detection findings (finding:, severity).
bool readsFindings(const QueryNode& node);
/// Whether `query` has a term that reads the detection findings: new findings change what it
/// selects, and the CLI must run detection before it.
bool readsFindings(const Query& query);
/// The same for a filter's text; false when it does not parse.
bool readsFindings(std::string_view filter);

} // namespace auditscope
