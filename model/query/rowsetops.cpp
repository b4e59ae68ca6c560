// SPDX-License-Identifier: Apache-2.0
#include "rowsetops.h"

#include "query/rowbitmap.h"

#include <algorithm>
#include <iterator>

namespace auditscope {

RowSet materialize(const Candidates& cand)
{
    if (cand.list)
        return *cand.list;
    RowSet out;
    if (cand.hi <= cand.lo)
        return out;
    out.resize(cand.hi - cand.lo);
    for (std::uint32_t r = cand.lo; r < cand.hi; ++r)
        out[r - cand.lo] = EventId{r};
    return out;
}

RowSet unite(std::vector<RowSet>& parts, std::uint32_t rows)
{
    std::size_t total = 0;
    for (const RowSet& r : parts)
        total += r.size();
    if (parts.size() == 1)
        return std::move(parts.front());
    if (total > rows / 32) {
        RowBitmap bits(rows);
        for (const RowSet& r : parts)
            for (EventId e : r)
                bits.set(e);
        return bits.rows(0, rows);
    }
    RowSet out;
    for (RowSet& r : parts) {
        RowSet merged;
        merged.reserve(out.size() + r.size());
        std::set_union(out.begin(), out.end(), r.begin(), r.end(), std::back_inserter(merged));
        out.swap(merged);
    }
    return out;
}

RowSet subtract(const Candidates& cand, const RowSet& remove)
{
    RowSet out;
    out.reserve(cand.size() - std::min(cand.size(), remove.size()));
    std::size_t j = 0;
    const std::size_t size = cand.size();
    for (std::size_t i = 0; i < size; ++i) {
        const std::uint32_t row = cand.at(i);
        while (j < remove.size() && remove[j].value < row)
            ++j;
        if (j < remove.size() && remove[j].value == row)
            continue;
        out.push_back(EventId{row});
    }
    return out;
}

} // namespace auditscope
