// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "load/loader.h"
#include "store/eventstore.h"

#include <cstdint>
#include <map>
#include <span>
#include <string>

namespace auditscope {

/// Counts over a loaded store, as `auditscope-cli summary` and the GUI's load summary show them.
struct Summary
{
    std::uint64_t events = 0;
    std::map<std::string, std::uint64_t> byStage, byVerb, byLevel, byCode;
    std::uint64_t distinctUsers = 0; ///< authenticated usernames seen
    std::uint64_t distinctAuditIds = 0;
    std::int64_t firstTimeNs = 0, lastTimeNs = 0; ///< of timed events; valid when events > 0
    std::uint64_t eventsWithoutTime = 0; ///< timeNs == NoTimeNs (sorted after the others)
};

/// Computes the summary from the store's indexes (O(distinct values), not O(events)).
Summary summarize(const EventStore& store);
/// The summary of a subset of rows (ascending, e.g. a query's RowSet), from the columns:
/// O(rows) plus O(pool size) for the distinct counts.
Summary summarize(const EventStore& store, std::span<const EventId> rows);

/// The machine-readable summary (one JSON object, keys documented in the README).
std::string summaryJson(const Summary& summary, const LoadReport& report);
/// The same for people.
std::string summaryText(const Summary& summary, const LoadReport& report);

/// What became of source `index`'s copies of events already loaded, for people: "1000
/// duplicates of events already loaded from a.log", a clear word when every event of the source
/// was a copy (the same log given twice), or "" when it had no duplicates.
std::string describeDuplicates(const LoadReport& report, std::size_t index);

/// "error", "warning" or "note".
std::string_view severityName(Severity severity);
/// "file:line:column: message" (or "file: message" for a whole source); warnings and notes
/// say so: "file:line:column: warning: message".
std::string formatDiagnostic(const Diagnostic& diagnostic, const LoadReport& report);

} // namespace auditscope
