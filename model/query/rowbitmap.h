// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/rowset.h"

#include <cstdint>
#include <vector>

namespace auditscope {

/// One bit per row of a store: the union of many posting lists or query parts, read back in
/// row order, or its complement. Cheaper than merging sorted lists once they cover more than a
/// few percent of the rows.
class RowBitmap final
{
public:
    explicit RowBitmap(std::uint32_t rows)
        : m_words((rows + 63) / 64, 0)
    { }

    void set(EventId e) { m_words[e.value >> 6] |= 1ULL << (e.value & 63); }
    bool test(EventId e) const { return (m_words[e.value >> 6] >> (e.value & 63)) & 1; }
    /// The set rows in [lo, hi), ascending; with `invert`, the rows that are not set.
    RowSet rows(std::uint32_t lo, std::uint32_t hi, bool invert = false) const;

private:
    std::uint64_t wordIn(std::size_t w, std::uint32_t lo, std::uint32_t hi, bool invert) const;

    std::vector<std::uint64_t> m_words;
};

} // namespace auditscope
