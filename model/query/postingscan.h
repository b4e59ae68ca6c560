// SPDX-License-Identifier: Apache-2.0
// Reading the rows of indexed terms from the store's posting lists.
#pragma once

#include "query/cancelflag.h"
#include "query/query.h"
#include "query/rowbitmap.h"
#include "query/rowsetops.h"
#include "store/eventstore.h"

#include <cstdint>
#include <vector>

namespace auditscope {

/// The posting lists of an indexed field (keys as in PreparedTerm::keys); null for the others.
const PostingIndex* postingIndexOf(const EventIndexes& indexes, QueryField field);

/// Sets the rows of every list `keys` of `index`; polls `cancel` every 256 lists. False if
/// cancelled (the bitmap is then partial).
bool markPostings(const PostingIndex& index, const std::vector<std::uint32_t>& keys,
    RowBitmap& bits, CancelFlag& cancel);

/// The candidate rows that the lists `keys` of `index` hold, ascending: one list is walked
/// against the candidates, several are united in a bitmap of the store's `rows`. Empty if
/// cancelled.
RowSet postingRows(const PostingIndex& index, const std::vector<std::uint32_t>& keys,
    const Candidates& cand, std::uint32_t rows, CancelFlag& cancel);

} // namespace auditscope
