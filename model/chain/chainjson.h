// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "chain/chain.h"
#include "chain/objecthistory.h"

#include <string>

namespace auditscope {

/// One chain as a JSON object (newline-terminated), as `auditscope-cli chain --json` prints it
/// (keys documented in the README). Bodies are embedded as logged; absent values are null.
std::string chainToJson(const Chain& chain);

/// One object history as a JSON object (newline-terminated), as `auditscope-cli history --json`
/// prints it (keys documented in the README). Diff values are embedded JSON.
std::string historyToJson(const ObjectHistory& history);

} // namespace auditscope
