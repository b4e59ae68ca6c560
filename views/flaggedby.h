// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "detect/finding.h"

#include <QString>

namespace auditscope {

/// The event pane's "Flagged by" section for event `id` of `result.store`: each rule that
/// flagged it, most severe first, with its severity, title, id and why, what its findings said
/// (the burst, the baseline, the sequence), and why the event matched (explainMatch(): the
/// values it had, with JSON paths). Rich text; empty when no rule flagged the event or the
/// result is of another snapshot. Re-reads the event's JSON once per rule (one event).
QString flaggedByHtml(const DetectionResult& result, EventId id);

} // namespace auditscope
