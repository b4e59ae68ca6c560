// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "itemmodels/eventcolumns.h"

#include <string>

namespace auditscope {

/// The filter that selects the events sharing this event's value in `column` (Wireshark's
/// "Apply as Filter" on a packet-list cell): `verb:get`, `resource:pods and subresource:log`,
/// `not ns:*` for an empty namespace, `time >= "…"` (from this event on) for the time column.
/// With `exclude`, the events that do not share it. Empty for columns without a filter
/// (latency).
std::string columnFilter(const EventStore& store, EventId id, EventColumn column, bool exclude);

} // namespace auditscope
