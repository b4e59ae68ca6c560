// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/eventstore.h"

#include <QString>

#include <cstdint>

namespace auditscope {

/// The event table's columns, in their default order.
enum class EventColumn : int {
    Time,
    Stage,
    User,
    Verb,
    Resource, ///< resource/subresource
    Namespace,
    Name,
    Code,
    Decision,
    SourceIp,
    UserAgent,
    Latency, ///< stageTimestamp - requestReceivedTimestamp
    Level,
    SourceFile,
    AuditId,
    Rule, ///< the active policy's matching rule (empty without a policy)
    PolicyLevel, ///< the level the active policy gives the event
    ColumnCount
};
inline constexpr int EventColumnCount = static_cast<int>(EventColumn::ColumnCount);

/// What an event means for colouring; views turn it into palette colours.
enum class EventSeverity : int {
    Normal,
    Write, ///< create, update, patch
    Delete, ///< delete, deletecollection
    Failure, ///< a 4xx or 5xx response
    Forbidden, ///< authorization decision forbid, or 401/403
};

/// How times are shown: UTC (the default), local time, or relative to a reference event.
struct TimeDisplay
{
    enum class Zone { Utc, Local } zone = Zone::Utc;
    std::int64_t referenceNs = 0;
    bool relative = false; ///< show time - referenceNs instead of the clock time
};

QString eventColumnName(EventColumn column);
/// The text of one cell; O(1) apart from formatting.
QString eventCellText(
    const EventStore& store, std::uint32_t row, EventColumn column, const TimeDisplay& time = {});
EventSeverity eventSeverity(const EventStore& store, std::uint32_t row);
/// Formats a duration in ns as "850 µs", "12.3 ms", "4.56 s", "12 min 3 s".
QString formatDuration(std::int64_t ns);

} // namespace auditscope
