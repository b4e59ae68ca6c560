// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "load/fieldreaders.h"

#include <string_view>
#include <vector>

namespace auditscope {

/// Adds a warning if `event` (one Event's JSON text) nests deeper than MaxJsonDepth, at the first
/// bracket too deep, naming the top-level key it lies under. simdjson On-Demand skips bodies
/// without checking its depth limit (no DEPTH_ERROR), so the depth is counted here; an event
/// with fewer than MaxJsonDepth brackets in all, nearly every one, costs one counting pass.
void checkNesting(std::string_view event, std::vector<FieldWarning>& warnings);

} // namespace auditscope
