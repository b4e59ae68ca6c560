// SPDX-License-Identifier: Apache-2.0
// A small store from tests/data, loaded once per fuzz process, for the targets that need events
// to work on (policy evaluation, queries).
#pragma once

#include "store/eventstore.h"

namespace auditscope::fuzz {

/// About forty events of varied shape (several servers, pods with containers, an exec, secrets,
/// non-resource requests). Aborts if they do not load: the target would test nothing.
EventStorePtr fixtureStore();

} // namespace auditscope::fuzz
