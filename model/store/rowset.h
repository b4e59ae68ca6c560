// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/ids.h"

#include <vector>

namespace auditscope {

/// Events to show or work on, in display order (ascending EventId = time order unless sorted).
using RowSet = std::vector<EventId>;

} // namespace auditscope
