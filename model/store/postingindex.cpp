// SPDX-License-Identifier: Apache-2.0
#include "postingindex.h"

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
    std::uint32_t n = 0;
    if (isBitmap(key)) {
        for (std::uint64_t at = begin(key); at < end(key); at += 8)
            n += static_cast<std::uint32_t>(std::popcount(bitmapWord(at)));
        return n;
    }
    for (std::uint64_t i = begin(key), e = end(key); i < e; ++i)
        n += m_bytes[i] < 0x80;
    return n;
}

std::size_t PostingIndex::memoryBytes() const
{
    return m_offsets.capacity() * 4 + m_wideOffsets.capacity() * 8 + m_bytes.capacity()
        + m_bitmapKeys.capacity() * 4;
}

} // namespace auditscope
