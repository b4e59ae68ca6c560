// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "query/query.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// How urgent a finding is, lowest first (so `>=` compares as the words read).
enum class FindingSeverity : std::uint8_t { Info, Low, Medium, High, Critical };
constexpr int FindingSeverityCount = 5;
std::string_view findingSeverityName(FindingSeverity severity); ///< "info" … "critical"
std::optional<FindingSeverity> parseFindingSeverity(std::string_view text); ///< case-insensitive

/// What a rule keeps across events (README "Findings"; ARCHITECTURE "Detection engine").
enum class RuleKind : std::uint8_t {
    Event, ///< every matching request is a finding
    Threshold, ///< ≥ `count` matching requests (or distinct `distinct` values) per key in `window`
    FirstSeen, ///< a principal's first matching request after an established baseline
    Sequence, ///< `match` then `then` by the same key within `window`
    Integrity, ///< a built-in check on the evidence itself (`check` names it); no `match`
};

/// The built-in checks on the log itself (RuleKind::Integrity).
enum class IntegrityCheck : std::uint8_t {
    None,
    Silence, ///< a source (API server) silent much longer than its usual gap
    RateDrop, ///< a source's event rate falls suddenly and stays low
    ClockSkew, ///< one auditID's stages out of order across sources
    LevelDrop, ///< the same kind of request logged at a lower level than before (policy changed)
    RotationGap, ///< a gap in time between consecutive rotated files of one server
};

/// Where a rule came from, for messages and `--json` ("built-in" or the rules file).
struct RuleOrigin
{
    std::string file; ///< "" for built-in rules
    int line = 0, column = 0; ///< of the rule's `- id:` entry, 1-based
};

/// One detection rule, as read from YAML (README "Findings: rules file"). Plain data.
struct DetectionRule
{
    std::string id; ///< unique, e.g. "privileged-container"
    std::string title;
    FindingSeverity severity = FindingSeverity::Medium;
    std::string why; ///< one paragraph
    std::vector<std::string> references; ///< Falco / Sigma / Elastic rule names
    std::vector<std::string> mitre; ///< ATT&CK technique IDs, e.g. "T1609"
    RuleKind kind = RuleKind::Event;
    bool enabled = true;

    /// The query-language text as written, and as run (settings macros expanded: `$production`,
    /// `$private`, `$maintenance`), and its parsed form (set by the reader).
    std::string match, expandedMatch;
    Query matchQuery;
    /// Sequence: the second step, same forms.
    std::string then, expandedThen;
    Query thenQuery;

    /// Threshold / Sequence: the time window, ns (Threshold: the count must fit in it).
    std::int64_t windowNs = 0;
    /// Threshold: how many matching requests, or distinct values of `distinct`, make a finding.
    int count = 0;
    std::optional<QueryField> distinct; ///< a column field (name, resource, ip, ...)
    /// Threshold / FirstSeen / Sequence: the key the state is kept per (column fields: user,
    /// ip, useragent, ...). Empty: per user.
    std::vector<QueryField> by;
    /// FirstSeen: the principal's activity (any request by the same key) needed before a first
    /// occurrence counts: at least `baselineNs` since its first request and `baselineRequests`
    /// requests. With `newValueOf` set, a finding is a value of that field the key had not used
    /// before (a new source IP or user agent), else the first request matching `match`.
    std::int64_t baselineNs = 0;
    int baselineRequests = 0;
    std::optional<QueryField> newValueOf;
    /// Only requests outside the settings' maintenance windows count.
    bool outsideMaintenance = false;
    /// Integrity rules: which check, and its own parameter (e.g. the gap factor).
    IntegrityCheck check = IntegrityCheck::None;
    double factor = 0;

    RuleOrigin origin;
};

/// Settings the rules read (the `settings:` block of a rules file; built-in defaults).
struct DetectionSettings
{
    /// Namespace globs treated as production (`$production` in a match).
    std::vector<std::string> productionNamespaces{"prod", "prod-*", "production", "*-prod"};
    /// Maintenance windows: "Sat 02:00-06:00", "daily 03:00-04:00" (UTC).
    std::vector<std::string> maintenanceWindows;
    /// CIDRs of the cluster's own addresses (`$private` in a match).
    std::vector<std::string> privateRanges{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
        "127.0.0.0/8", "100.64.0.0/10", "::1/128", "fc00::/7", "fe80::/10"};
};

/// A problem in a rules file, located like the policy editor's (1-based line:column).
struct RuleDiagnostic
{
    enum class Severity : std::uint8_t { Error, Warning };
    Severity severity = Severity::Error;
    std::string file;
    int line = 0, column = 0;
    std::string ruleId; ///< "" when not tied to one rule
    std::string message;
    /// "FILE:LINE:COLUMN: error: rule ID: MESSAGE"
    std::string toString() const;
};

/// The rules in force: built-in ones, then each user file's overrides, disables and additions.
struct RuleSet
{
    std::vector<DetectionRule> rules; ///< in file order; disabled ones included (enabled=false)
    DetectionSettings settings;
    std::vector<RuleDiagnostic> diagnostics; ///< bad rules are left out; the others still run
    /// The rule with this id, or nullptr.
    const DetectionRule* find(std::string_view id) const;
};

} // namespace auditscope
