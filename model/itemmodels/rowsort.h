// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "itemmodels/eventcolumns.h"
#include "policy/policyquerycontext.h"
#include "store/rowset.h"

#include <stop_token>

namespace auditscope {

/// Sorts `rows` by a column; ties in store (time) order. For text columns the pool's
/// values are ranked once, so rows compare as integers. The Rule and Policy level columns come
/// from `policy` (rows without a rule first); without one that covers `store` they keep their
/// order. Runs on a worker thread; returns the rows unsorted if `stop` is requested. Plain
/// functions of their inputs: any thread.
RowSet sortRows(const EventStore& store, RowSet rows, EventColumn column, bool descending,
    std::stop_token stop = {}, const PolicyQueryContext* policy = nullptr);

} // namespace auditscope
