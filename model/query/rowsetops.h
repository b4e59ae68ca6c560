// SPDX-License-Identifier: Apache-2.0
// The row sets a query evaluation passes around: candidate rows, and the set operations that
// combine the rows of a query's parts.
#pragma once

#include "store/rowset.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace auditscope {

/// The rows a query part is evaluated on: an explicit ascending list, or every row in [lo, hi).
/// A range stays a range until a part needs the rows themselves.
struct Candidates
{
    const RowSet* list = nullptr; ///< borrowed; null for a range
    std::uint32_t lo = 0, hi = 0;

    std::size_t size() const { return list ? list->size() : hi - lo; }
    std::uint32_t at(std::size_t i) const
    {
        return list ? (*list)[i].value : lo + static_cast<std::uint32_t>(i);
    }
};

/// The candidate rows themselves.
RowSet materialize(const Candidates& cand);

/// The union of ascending row sets of a store of `rows` rows, ascending: through a bitmap when
/// they add up to more than 1/32 of the store, else by merging. Moves from `parts`.
RowSet unite(std::vector<RowSet>& parts, std::uint32_t rows);

/// The candidate rows that `remove` (ascending) does not hold.
RowSet subtract(const Candidates& cand, const RowSet& remove);

} // namespace auditscope
