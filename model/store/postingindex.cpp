// SPDX-License-Identifier: Apache-2.0
#include "postingindex.h"

#include <bit>
#include <cstring>

namespace auditscope {

std::vector<EventId> PostingIndex::events(std::uint32_t key) const
{
    std::vector<EventId> out;
    out.reserve(count(key));
    forEach(key, [&](EventId id) { out.push_back(id); });
    return out;
}

std::uint32_t PostingIndex::count(std::uint32_t key) const
{
    if (key >= keyCount())
        return 0;
    // Eight bytes at a time: each byte whose top bit is clear ends a varint.
    const std::uint8_t* p = m_bytes.data() + begin(key);
    const std::uint8_t* const stop = m_bytes.data() + end(key);
    std::uint32_t n = 0;
    if (isBitmap(key)) {
        for (std::uint64_t at = begin(key); at < end(key); at += 8)
            n += static_cast<std::uint32_t>(std::popcount(bitmapWord(at)));
        return n;
    }
    for (; stop - p >= 8; p += 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        n += static_cast<std::uint32_t>(std::popcount(~word & 0x8080808080808080ULL));
    }
    for (; p < stop; ++p)
        n += *p < 0x80;
    return n;
}

std::size_t PostingIndex::memoryBytes() const
{
    return m_offsets.capacity() * 4 + m_wideOffsets.capacity() * 8 + m_bytes.capacity()
        + m_bitmapKeys.capacity() * 4;
}

} // namespace auditscope
