// SPDX-License-Identifier: Apache-2.0
#include "rowbitmap.h"

#include <bit>

namespace auditscope {

// Word `w`, inverted if asked, with the bits outside [lo, hi) cleared.
std::uint64_t RowBitmap::wordIn(
    std::size_t w, std::uint32_t lo, std::uint32_t hi, bool invert) const
{
    std::uint64_t word = invert ? ~m_words[w] : m_words[w];
    if (w == lo / 64)
        word &= ~0ULL << (lo % 64);
    if (w == (hi - 1) / 64 && hi % 64 != 0)
        word &= ~0ULL >> (64 - hi % 64);
    return word;
}

RowSet RowBitmap::rows(std::uint32_t lo, std::uint32_t hi, bool invert) const
{
    RowSet out;
    if (hi <= lo)
        return out;
    const std::size_t first = lo / 64, last = (hi - 1) / 64;
    std::size_t total = 0;
    for (std::size_t w = first; w <= last; ++w)
        total += static_cast<std::size_t>(std::popcount(wordIn(w, lo, hi, invert)));
    out.resize(total);
    std::size_t at = 0;
    for (std::size_t w = first; w <= last; ++w) {
        std::uint64_t word = wordIn(w, lo, hi, invert);
        while (word) {
            out[at++] = EventId{static_cast<std::uint32_t>(w * 64 + std::countr_zero(word))};
            word &= word - 1;
        }
    }
    return out;
}

} // namespace auditscope
