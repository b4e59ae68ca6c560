// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/ids.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

namespace auditscope {

/// For each key (an interned id), the ascending list of events that carry it.
/// Lists are delta-encoded as LEB128 varints: dense keys (verb "get") cost about one byte
/// per event instead of four. Decoding streams at well over 1 GB/s. A key on more than about
/// one event in eight (stage, level, the commonest verbs and codes) is a bitmap of all events
/// instead, which is smaller still (an eighth of a byte per event) and faster to read.
/// Immutable once built; readable from any thread.
class PostingIndex
{
public:
    /// Builds from a key column: `keyOf(row)` returns the key of event `row`, or UINT32_MAX.
    /// Rows are visited in ascending order, so every list comes out sorted.
    template <class KeyOf>
    static PostingIndex build(std::size_t rows, std::uint32_t keyCount, KeyOf keyOf);
    /// The same for rows with several keys: forEachKey(row, emit) calls emit(key) for each.
    /// Rows must be visited in ascending order by both passes (it is called twice per row).
    template <class ForEachKey>
    static PostingIndex buildMulti(std::size_t rows, std::uint32_t keyCount, ForEachKey forEachKey);

    std::uint32_t keyCount() const { return m_keyCount; }
    /// Number of events with this key: one pass over its bytes (a varint ends in exactly one
    /// byte below 0x80), about a byte per event, so no count array is kept.
    std::uint32_t count(std::uint32_t key) const;
    /// Calls fn(EventId) for each event with this key, ascending.
    template <class Fn>
    void forEach(std::uint32_t key, Fn fn) const;
    std::vector<EventId> events(std::uint32_t key) const;
    std::size_t memoryBytes() const;

private:
    std::uint64_t begin(std::uint32_t key) const
    {
        return m_wideOffsets.empty() ? m_offsets[key] : m_wideOffsets[key];
    }
    std::uint64_t end(std::uint32_t key) const { return begin(key + 1); }
    bool isBitmap(std::uint32_t key) const
    {
        for (const std::uint32_t k : m_bitmapKeys) { // a handful at most
            if (k == key)
                return true;
        }
        return false;
    }
    // Bit r of a bitmap is bit r % 8 of its byte r / 8: bit r % 64 of word r / 64 when read as
    // a little-endian word.
    std::uint64_t bitmapWord(std::uint64_t at) const
    {
        static_assert(std::endian::native == std::endian::little);
        std::uint64_t word;
        std::memcpy(&word, m_bytes.data() + at, sizeof word);
        return word;
    }
    static std::uint64_t bitmapBytes(std::size_t rows)
    {
        return (std::uint64_t(rows) + 63) / 64 * 8;
    }

    std::uint32_t m_keyCount = 0;
    std::vector<std::uint32_t> m_bitmapKeys; // keys whose bytes are a bitmap of all rows
    // keyCount + 1 byte offsets into m_bytes: 32-bit unless the lists exceed 4 GiB.
    std::vector<std::uint32_t> m_offsets;
    std::vector<std::uint64_t> m_wideOffsets;
    std::vector<std::uint8_t> m_bytes;
};

template <class KeyOf>
PostingIndex PostingIndex::build(std::size_t rows, std::uint32_t keyCount, KeyOf keyOf)
{
    return buildMulti(rows, keyCount, [&](std::size_t row, auto&& emit) { emit(keyOf(row)); });
}

template <class ForEachKey>
PostingIndex PostingIndex::buildMulti(
    std::size_t rows, std::uint32_t keyCount, ForEachKey forEachKey)
{
    PostingIndex index;
    index.m_keyCount = keyCount;
    // Pass 1: byte size of each list; pass 2: write. No per-key vectors. `last` holds the
    // previous row + 1 per key (0 = none yet), so a key given twice for one row counts once.
    // Between the passes, a list that would take more bytes than a bitmap becomes one.
    std::vector<std::uint64_t> sizes(keyCount, 0);
    std::vector<std::uint32_t> last(keyCount, 0);
    for (std::size_t row = 0; row < rows; ++row) {
        forEachKey(row, [&](std::uint32_t key) {
            if (key >= keyCount || last[key] == row + 1)
                return;
            const std::uint32_t delta = static_cast<std::uint32_t>(row) + 1 - last[key];
            last[key] = static_cast<std::uint32_t>(row) + 1;
            sizes[key] += 1 + (delta >= 1u << 7) + (delta >= 1u << 14) + (delta >= 1u << 21)
                + (delta >= 1u << 28); // the varint's bytes
        });
    }
    std::vector<std::uint8_t> bitmap(keyCount, 0);
    for (std::uint32_t k = 0; k < keyCount; ++k) {
        if (rows > 0 && sizes[k] > bitmapBytes(rows)) {
            bitmap[k] = 1;
            sizes[k] = bitmapBytes(rows);
            index.m_bitmapKeys.push_back(k);
        }
    }
    std::vector<std::uint64_t> cursor(std::size_t(keyCount) + 1, 0);
    for (std::uint32_t k = 0; k < keyCount; ++k)
        cursor[k + 1] = cursor[k] + sizes[k];
    index.m_bytes.resize(cursor[keyCount]);
    if (cursor[keyCount] <= UINT32_MAX)
        index.m_offsets.assign(cursor.begin(), cursor.end());
    else
        index.m_wideOffsets = cursor;
    std::fill(last.begin(), last.end(), 0);
    for (std::size_t row = 0; row < rows; ++row) {
        forEachKey(row, [&](std::uint32_t key) {
            if (key >= keyCount || last[key] == row + 1)
                return;
            if (bitmap[key]) {
                last[key] = static_cast<std::uint32_t>(row) + 1;
                index.m_bytes[index.begin(key) + row / 8] |= std::uint8_t(1u << (row % 8));
                return;
            }
            // Store row - previous (previous starts at -1, so the first delta is row + 1).
            std::uint32_t delta = static_cast<std::uint32_t>(row) + 1 - last[key];
            last[key] = static_cast<std::uint32_t>(row) + 1;
            std::uint64_t& at = cursor[key];
            while (delta >= 0x80) {
                index.m_bytes[at++] = static_cast<std::uint8_t>(delta | 0x80);
                delta >>= 7;
            }
            index.m_bytes[at++] = static_cast<std::uint8_t>(delta);
        });
    }
    return index;
}

template <class Fn>
void PostingIndex::forEach(std::uint32_t key, Fn fn) const
{
    if (key >= keyCount())
        return;
    if (isBitmap(key)) {
        for (std::uint64_t at = begin(key), base = 0; at < end(key); at += 8, base += 64) {
            for (std::uint64_t bits = bitmapWord(at); bits != 0; bits &= bits - 1)
                fn(EventId{static_cast<std::uint32_t>(base + std::countr_zero(bits))});
        }
        return;
    }
    const std::uint8_t* p = m_bytes.data() + begin(key);
    const std::uint8_t* stop = m_bytes.data() + end(key);
    std::uint32_t previous = 0; // row + 1 of the previous entry
    while (p < stop) {
        std::uint32_t delta = 0;
        int shift = 0;
        std::uint8_t byte;
        do {
            byte = *p++;
            delta |= std::uint32_t(byte & 0x7F) << shift;
            shift += 7;
        } while (byte & 0x80);
        previous += delta;
        fn(EventId{previous - 1});
    }
}

} // namespace auditscope
