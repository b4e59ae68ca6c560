// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// What a field term reads. Column fields come from the store; Json, Uri and Reason re-read the
/// raw event; Text is a bare word or quoted phrase (substring of the raw event text).
enum class QueryField : std::uint8_t {
    User, ///< user.username (indexed)
    Group, ///< user.groups (indexed by group set)
    As, ///< impersonatedUser.username (column)
    Verb, ///< (indexed)
    Resource, ///< objectRef.resource (indexed)
    Subresource, ///< objectRef.subresource (column)
    Namespace, ///< objectRef.namespace (indexed)
    Name, ///< objectRef.name (indexed)
    ApiGroup, ///< objectRef.apiGroup (column)
    ApiVersion, ///< objectRef.apiVersion (column)
    Code, ///< responseStatus.code (indexed below 1000)
    Stage, ///< (indexed)
    Level, ///< (indexed)
    Ip, ///< sourceIPs: the store keeps the first entry (indexed)
    UserAgent, ///< (indexed)
    AuditId, ///< (indexed)
    Decision, ///< annotations."authorization.k8s.io/decision" (column)
    Time, ///< requestReceivedTimestamp (sorted column)
    StageTime, ///< stageTimestamp (column)
    File, ///< the source file's path (column)
    Chain, ///< integrity flags of the event's auditID chain (ChainIntegrity, cached per store)
    Rule, ///< the active policy's rule for the event (QueryOptions::policy); none = no rule
    PolicyLevel, ///< the level the active policy gives the event
    Emitted, ///< whether the active policy would write the event (true/false)
    /// How the edited policy's outcome differs from the compared one's (PolicyChange names, or
    /// `changed` for any but `same`)
    PolicyChange,
    Warning, ///< the event loaded with load-report warnings (flag LoadedWithWarnings): true/false
    /// A detection rule that flagged the event (QueryOptions::findings): `finding:RULE-ID`,
    /// globs (`finding:*` = any rule, `finding:secret-*`)
    Finding,
    /// The highest severity of the findings that flagged the event (info < low < medium < high
    /// < critical; compares); an unflagged event has none and matches no severity term
    Severity,
    Json, ///< any other JSON path (raw re-parse): requestObject..., annotations."...", requestURI
    Text, ///< bare word or quoted phrase: substring of the raw event text
};

enum class CompareOp : std::uint8_t { Match, Lt, Le, Gt, Ge };

/// One node of a parsed query. Match nodes carry the field, the operator and the value.
struct QueryNode
{
    enum class Kind : std::uint8_t { All, And, Or, Not, Match };
    Kind kind = Kind::All;
    std::vector<std::uint32_t> children; ///< indexes into Query::nodes
    QueryField field = QueryField::Text;
    std::vector<std::string> path; ///< Json: the key path (matched case-insensitively)
    CompareOp op = CompareOp::Match;
    std::string value; ///< as written, unquoted; `*` is a wildcard for Match
    bool wildcard = false; ///< value contains `*` (Match only)
    bool relativeTime = false; ///< Time/StageTime: `number` is an offset from the last event
    std::int64_t number = 0; ///< Code: the code; Time: ns (absolute or relative)
    double real = 0; ///< Json comparisons: the number
    std::size_t offset = 0, length = 0; ///< source span in the query text (bytes)
};

/// A parsed query: a tree of nodes (root = nodes[root]). Immutable; copyable.
struct Query
{
    std::vector<QueryNode> nodes;
    std::uint32_t root = 0;
    /// A canonical S-expression, e.g. `(and verb:"delete" (not ns:"prod"))`, for tests and
    /// `auditscope-cli query check`.
    std::string toString() const;
};

/// A positioned parse error: `offset` in bytes (0-based), `column` in characters (1-based).
struct QueryError
{
    std::size_t offset = 0;
    std::size_t column = 1;
    std::string message;
    /// "col 14: expected a value after ':'"
    std::string toString() const { return "col " + std::to_string(column) + ": " + message; }
};

struct ParseResult
{
    std::optional<Query> query; ///< set when parsing succeeded
    QueryError error; ///< valid when !query
    bool ok() const { return query.has_value(); }
};

/// Parses the filter language (README "Query language"). Never throws.
ParseResult parseQuery(std::string_view text);

/// Field names and aliases the parser accepts, lower-case (for completion and did-you-mean).
struct FieldName
{
    std::string_view name; ///< as shown (`user`, `objectRef.resource`, ...)
    QueryField field;
    bool alias; ///< a short alias rather than the JSON path
};
const std::vector<FieldName>& queryFieldNames();
/// The canonical alias of a column field (`user`, `verb`, ...).
std::string_view queryFieldName(QueryField field);

/// `*` glob (case-sensitive), as values match.
bool globMatch(std::string_view pattern, std::string_view text);

} // namespace auditscope
