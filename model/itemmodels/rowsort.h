// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "itemmodels/eventcolumns.h"
#include "store/rowset.h"

#include <stop_token>

namespace auditscope {

/// Sorts `rows` by a column (stable: ties keep their time order). For text columns the pool's
/// values are ranked once, so rows compare as integers. Runs on a worker thread; returns the
/// rows unsorted if `stop` is requested. Plain functions of the store: any thread.
RowSet sortRows(const EventStore& store, RowSet rows, EventColumn column, bool descending,
    std::stop_token stop = {});

} // namespace auditscope
