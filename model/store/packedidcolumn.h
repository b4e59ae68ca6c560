// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/ids.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace auditscope {

/// One id per event, stored in 1, 2 or 4 bytes depending on how many distinct values the
/// pool holds. Most kinds (verbs, stages, namespaces, user agents) have few values, so this
/// keeps the store near its bytes-per-event budget. Stores id + 1 so that 0 means "none".
/// Immutable once built; readable from any thread.
template <class IdType>
class PackedIdColumn
{
public:
    PackedIdColumn() = default;
    /// `distinctValues` is the pool size; it decides the width.
    PackedIdColumn(std::size_t rows, std::uint32_t distinctValues)
    {
        m_width = distinctValues < 0xFF ? 1 : distinctValues < 0xFFFF ? 2 : 4;
        m_bytes.assign(rows * m_width, 0);
    }

    void set(std::size_t row, IdType id)
    {
        const std::uint32_t stored = id ? id.value + 1 : 0;
        switch (m_width) {
        case 1:
            m_bytes[row] = static_cast<std::uint8_t>(stored);
            break;
        case 2: {
            const auto v = static_cast<std::uint16_t>(stored);
            std::memcpy(&m_bytes[row * 2], &v, 2);
            break;
        }
        default:
            std::memcpy(&m_bytes[row * 4], &stored, 4);
            break;
        }
    }

    /// Sets rows [begin, end) to valueOf(row), a raw id (UINT32_MAX for none): set() row by row
    /// with the width decided once. Thread-safe for disjoint ranges.
    template <class ValueOf>
    void fill(std::size_t begin, std::size_t end, ValueOf valueOf)
    {
        switch (m_width) {
        case 1:
            for (std::size_t row = begin; row < end; ++row)
                m_bytes[row] = static_cast<std::uint8_t>(valueOf(row) + 1); // none wraps to 0
            break;
        case 2:
            for (std::size_t row = begin; row < end; ++row) {
                const auto v = static_cast<std::uint16_t>(valueOf(row) + 1);
                std::memcpy(&m_bytes[row * 2], &v, 2);
            }
            break;
        default:
            for (std::size_t row = begin; row < end; ++row) {
                const std::uint32_t v = valueOf(row) + 1;
                std::memcpy(&m_bytes[row * 4], &v, 4);
            }
            break;
        }
    }

    IdType operator[](std::size_t row) const
    {
        std::uint32_t stored = 0;
        switch (m_width) {
        case 1:
            stored = m_bytes[row];
            break;
        case 2: {
            std::uint16_t v;
            std::memcpy(&v, &m_bytes[row * 2], 2);
            stored = v;
            break;
        }
        default:
            std::memcpy(&stored, &m_bytes[row * 4], 4);
            break;
        }
        return stored == 0 ? IdType{} : IdType{stored - 1};
    }

    /// Calls fn(valueAt) and returns what it returns; valueAt(row) is the row's raw id (UINT32_MAX
    /// for none), read with the width fixed at compile time: for loops over a whole column.
    template <class Fn>
    decltype(auto) visit(Fn fn) const
    {
        const std::uint8_t* bytes = m_bytes.data();
        switch (m_width) {
        case 1:
            return fn([bytes](std::size_t row) { return std::uint32_t(bytes[row]) - 1; });
        case 2:
            return fn([bytes](std::size_t row) {
                std::uint16_t v;
                std::memcpy(&v, bytes + row * 2, 2);
                return std::uint32_t(v) - 1;
            });
        default:
            return fn([bytes](std::size_t row) {
                std::uint32_t v;
                std::memcpy(&v, bytes + row * 4, 4);
                return v - 1;
            });
        }
    }

    /// Adds the number of rows with each id to counts[id.value] (rows without an id, and ids
    /// past the end of `counts`, are not counted). One tight loop per width: the completer
    /// counts whole columns this way.
    void countValues(std::vector<std::uint64_t>& counts) const
    {
        switch (m_width) {
        case 1:
            return countStored<std::uint8_t>(counts);
        case 2:
            return countStored<std::uint16_t>(counts);
        default:
            return countStored<std::uint32_t>(counts);
        }
    }

    std::size_t size() const { return m_width == 0 ? 0 : m_bytes.size() / m_width; }
    int width() const { return m_width; }
    std::size_t memoryBytes() const { return m_bytes.capacity(); }

private:
    template <class Stored>
    void countStored(std::vector<std::uint64_t>& counts) const
    {
        // Four tallies, so that runs of one value (common: columns are in time order) do not
        // wait on the same counter; a row count fits 32 bits (rows are 32-bit ids).
        constexpr std::size_t Lanes = 4;
        const std::size_t rows = size();
        const std::size_t slots = sizeof(Stored) < 4
            ? std::size_t(1) << (8 * sizeof(Stored))
            : std::min<std::size_t>(counts.size() + 1, std::size_t(UINT32_MAX) + 1);
        std::vector<std::uint32_t> tally(Lanes * slots, 0);
        const std::uint8_t* bytes = m_bytes.data();
        auto at = [bytes](std::size_t row) {
            Stored v;
            std::memcpy(&v, bytes + row * sizeof(Stored), sizeof(Stored));
            return std::size_t(v);
        };
        std::size_t row = 0;
        for (; row + Lanes <= rows; row += Lanes) {
            for (std::size_t lane = 0; lane < Lanes; ++lane) {
                const std::size_t v = at(row + lane);
                if (sizeof(Stored) < 4 || v < slots)
                    ++tally[lane * slots + v];
            }
        }
        for (; row < rows; ++row) {
            const std::size_t v = at(row);
            if (sizeof(Stored) < 4 || v < slots)
                ++tally[v];
        }
        // Stored values are id + 1; 0 is "no id".
        const std::size_t ids = std::min(counts.size(), slots - 1);
        for (std::size_t id = 0; id < ids; ++id)
            for (std::size_t lane = 0; lane < Lanes; ++lane)
                counts[id] += tally[lane * slots + id + 1];
    }

    std::vector<std::uint8_t> m_bytes;
    int m_width = 1;
};

} // namespace auditscope
