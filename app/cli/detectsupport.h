// SPDX-License-Identifier: Apache-2.0
// What `detect` shares with the commands whose --query may read findings (finding:, severity):
// the rules in force, and running detection before such a query.
#pragma once

#include "detect/finding.h"
#include "query/query.h"
#include "store/eventstore.h"
#include "store/rowset.h"

#include <memory>
#include <optional>
#include <string>

namespace auditscope::cli {

/// The rules in force: the built-in pack, then the user's rules file (userRulesPath(), when it
/// exists), then `rulesFile` (--rules) when given; each overrides, disables or adds rules.
/// Every rule diagnostic goes to stderr as FILE:LINE:COLUMN: …; bad entries are left out and
/// the other rules still run. nullptr, after saying why on stderr, when `rulesFile` cannot be
/// read (a usage error).
std::shared_ptr<const RuleSet> loadCliRules(const std::optional<std::string>& rulesFile);

/// The events `query` (parsed from `text`) matches in `store`. When it reads findings, runs
/// detection first with loadCliRules(rulesFile) and checks the query against the findings
/// (an unknown rule id is an error at its column). nullopt, after printing the problem on
/// stderr, when the query cannot run: the command exits with UsageError.
std::optional<RowSet> runQueryArgument(const Query& query, const std::string& text,
    const EventStorePtr& store, const std::optional<std::string>& rulesFile);

/// Prints a query error with a caret under its column, as --query parse errors are.
void printQueryError(const std::string& text, const QueryError& error);

} // namespace auditscope::cli
