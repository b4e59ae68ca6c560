// SPDX-License-Identifier: Apache-2.0
// Internal helpers of the aggregations (not for views): splitting rows among threads, and a
// flat hash index for integer tuples.
#pragma once

#include "analysis/eventselection.h"
#include "store/eventstore.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <thread>
#include <type_traits>
#include <vector>

namespace auditscope::analysis_detail {

/// How often a per-row loop looks at the stop token.
inline constexpr std::size_t StopCheckRows = 65536;

inline std::size_t selectionSize(const EventStore& store, const EventSelection& rows)
{
    return rows.all ? store.size() : rows.ids.size();
}

/// How many parts to split `count` rows into: no thread for small inputs.
inline unsigned partsFor(std::size_t count, const AnalysisOptions& options)
{
    const std::size_t byWork =
        std::max<std::size_t>(1, count / std::max<std::size_t>(1, options.minRowsPerThread));
    return static_cast<unsigned>(std::clamp<std::size_t>(byWork, 1, std::max(1u, options.threads)));
}

/// Runs fn(part, begin, end) over `parts` contiguous shares of [0, count); part 0 on the calling
/// thread. Returns when all parts are done.
template <class Fn>
void runParts(std::size_t count, unsigned parts, Fn fn)
{
    std::vector<std::jthread> workers;
    for (unsigned p = 1; p < parts; ++p)
        workers.emplace_back([&, p] { fn(p, count * p / parts, count * (p + 1) / parts); });
    fn(0u, std::size_t(0), count / parts);
}

/// Calls fn(row) for the selection's entries [begin, end), in order. Returns false when a stop
/// was requested (checked every StopCheckRows rows). Flattened: `fn` is the per-event loop body
/// of every aggregation and must be inlined into both loops.
template <class Fn>
[[gnu::flatten]] bool forRows(const EventSelection& rows, std::size_t begin, std::size_t end,
    const std::stop_token& stop, Fn&& fn)
{
    for (std::size_t block = begin; block < end; block += StopCheckRows) {
        if (stop.stop_requested())
            return false;
        const std::size_t blockEnd = std::min(end, block + StopCheckRows);
        if (rows.all) {
            for (std::size_t r = block; r < blockEnd; ++r)
                fn(static_cast<std::uint32_t>(r));
        } else {
            for (std::size_t i = block; i < blockEnd; ++i)
                fn(rows.ids[i].value);
        }
    }
    return true;
}

inline std::uint64_t mix64(std::uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/// A 128-bit tuple key, for when the packed fields do not fit 64 bits.
struct Key128
{
    std::uint64_t low = 0, high = 0;
    friend bool operator==(const Key128&, const Key128&) = default;
};

inline std::uint64_t hashKey(std::uint64_t key)
{
    return mix64(key);
}
inline std::uint64_t hashKey(const Key128& key)
{
    return mix64(key.low ^ mix64(key.high + 0x9e3779b97f4a7c15ULL));
}
template <std::size_t N>
inline std::uint64_t hashKey(const std::array<std::uint64_t, N>& key)
{
    std::uint64_t h = 0;
    for (const std::uint64_t word : key)
        h = mix64(h ^ word) + 0x9e3779b97f4a7c15ULL;
    return h;
}

/// Maps distinct keys to dense indexes 0, 1, 2, ... in insertion order (open addressing,
/// linear probing, load at most 1/2). Keys are integers or Key128; no per-key allocation.
template <class Key>
class FlatIndex
{
public:
    FlatIndex() { m_slots.resize(1024); }

    /// The index of `key`, adding it (as size() - 1) if new.
    std::uint32_t insert(const Key& key)
    {
        std::size_t mask = m_slots.size() - 1;
        std::size_t at = hashKey(key) & mask;
        while (true) {
            Slot& s = m_slots[at];
            if (s.index == 0) {
                s.key = key;
                s.index = static_cast<std::uint32_t>(m_keys.size()) + 1;
                m_keys.push_back(key);
                if (m_keys.size() * 2 > m_slots.size())
                    grow();
                return static_cast<std::uint32_t>(m_keys.size() - 1);
            }
            if (s.key == key)
                return s.index - 1;
            at = (at + 1) & mask;
        }
    }

    std::size_t size() const { return m_keys.size(); }
    const std::vector<Key>& keys() const { return m_keys; }

private:
    struct Slot
    {
        Key key{};
        std::uint32_t index = 0; ///< index + 1; 0 = empty
    };

    void grow()
    {
        std::vector<Slot> old(m_slots.size() * 2);
        old.swap(m_slots);
        const std::size_t mask = m_slots.size() - 1;
        for (const Slot& s : old) {
            if (s.index == 0)
                continue;
            std::size_t at = hashKey(s.key) & mask;
            while (m_slots[at].index != 0)
                at = (at + 1) & mask;
            m_slots[at] = s;
        }
    }

    std::vector<Slot> m_slots;
    std::vector<Key> m_keys;
};

/// A packed tuple key of `Words` 64-bit words.
template <std::size_t Words>
using PackedKey = std::conditional_t<Words == 1, std::uint64_t, std::array<std::uint64_t, Words>>;

/// Packs a tuple of N small unsigned fields into 1..3 words, each field with a fixed width
/// (from the sizes of the pools it comes from).
template <std::size_t N>
struct TuplePacker
{
    std::array<int, N> widths{};
    int totalBits = 0;

    explicit TuplePacker(const std::array<int, N>& fieldWidths)
        : widths(fieldWidths)
    {
        for (const int w : widths)
            totalBits += w;
    }
    /// How many words pack() needs: 1, 2 or 3.
    std::size_t words() const { return totalBits <= 64 ? 1 : totalBits <= 128 ? 2 : 3; }

    template <std::size_t Words>
    PackedKey<Words> pack(const std::array<std::uint64_t, N>& fields) const
    {
        if constexpr (Words == 1) {
            std::uint64_t key = 0;
            int pos = 0;
            for (std::size_t i = 0; i < N; ++i) {
                key |= fields[i] << pos;
                pos += widths[i];
            }
            return key;
        } else {
            std::array<std::uint64_t, Words> key{};
            int pos = 0;
            for (std::size_t i = 0; i < N; ++i) {
                const std::size_t word = static_cast<std::size_t>(pos / 64);
                const int bit = pos % 64;
                key[word] |= fields[i] << bit;
                if (bit > 0 && bit + widths[i] > 64 && word + 1 < Words)
                    key[word + 1] |= fields[i] >> (64 - bit);
                pos += widths[i];
            }
            return key;
        }
    }

    template <std::size_t Words>
    std::array<std::uint64_t, N> unpack(const PackedKey<Words>& packed) const
    {
        std::array<std::uint64_t, Words> key;
        if constexpr (Words == 1)
            key[0] = packed;
        else
            key = packed;
        std::array<std::uint64_t, N> fields{};
        int pos = 0;
        for (std::size_t i = 0; i < N; ++i) {
            const std::size_t word = static_cast<std::size_t>(pos / 64);
            const int bit = pos % 64;
            std::uint64_t v = key[word] >> bit;
            if (bit > 0 && bit + widths[i] > 64 && word + 1 < Words)
                v |= key[word + 1] << (64 - bit);
            fields[i] = widths[i] >= 64 ? v : v & ((std::uint64_t(1) << widths[i]) - 1);
            pos += widths[i];
        }
        return fields;
    }
};

/// Bits needed to store values 0..count (count = "none").
inline int bitsFor(std::uint64_t count)
{
    return std::max(1, static_cast<int>(std::bit_width(count)));
}

/// Stores id + 1 (0 = none) of a typed id.
template <class IdType>
inline std::uint64_t plusOne(IdType id)
{
    return id ? std::uint64_t(id.value) + 1 : 0;
}

} // namespace auditscope::analysis_detail
