// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <vector>

namespace auditscope {

/// stageTimestamp - requestReceivedTimestamp per event in 4 bytes. Kubernetes writes
/// microseconds, and most stages follow within seconds (watches and exec sessions within
/// minutes), so a latency that is whole microseconds under 2^31 µs (35 min) is stored inline;
/// anything else (negative, nanosecond precision, longer) goes to an exceptions table.
/// Immutable once built; readable from any thread.
class LatencyColumn
{
public:
    void resize(std::size_t rows) { m_values.resize(rows); }
    static bool fitsInline(std::int64_t latencyNs)
    {
        return latencyNs >= 0 && latencyNs % 1000 == 0 && latencyNs / 1000 < Exception;
    }
    /// Thread-safe for distinct rows; only for values that fit inline.
    void setInline(std::size_t row, std::int64_t latencyNs)
    {
        m_values[row] = static_cast<std::uint32_t>(latencyNs / 1000);
    }
    /// Any value; appends to the exceptions table, so one thread at a time.
    void set(std::size_t row, std::int64_t latencyNs)
    {
        if (fitsInline(latencyNs)) {
            setInline(row, latencyNs);
        } else {
            m_values[row] = Exception | static_cast<std::uint32_t>(m_exceptions.size());
            m_exceptions.push_back(latencyNs);
        }
    }
    std::int64_t operator[](std::size_t row) const
    {
        const std::uint32_t v = m_values[row];
        return v & Exception ? m_exceptions[v & ~Exception] : std::int64_t(v) * 1000;
    }
    std::size_t memoryBytes() const
    {
        return m_values.capacity() * 4 + m_exceptions.capacity() * 8;
    }

private:
    static constexpr std::uint32_t Exception = 0x80000000u;
    std::vector<std::uint32_t> m_values;
    std::vector<std::int64_t> m_exceptions; // at most 2^31: one per event
};

/// Byte offsets of raw events in 5 bytes (up to 1 TiB per source, decompressed).
/// Immutable once built; readable from any thread.
class OffsetColumn
{
public:
    void resize(std::size_t rows)
    {
        m_low.resize(rows);
        m_high.resize(rows);
    }
    void set(std::size_t row, std::uint64_t offset)
    {
        m_low[row] = static_cast<std::uint32_t>(offset);
        m_high[row] = static_cast<std::uint8_t>(offset >> 32);
    }
    std::uint64_t operator[](std::size_t row) const
    {
        return std::uint64_t(m_high[row]) << 32 | m_low[row];
    }
    std::size_t memoryBytes() const { return m_low.capacity() * 4 + m_high.capacity(); }

private:
    std::vector<std::uint32_t> m_low;
    std::vector<std::uint8_t> m_high;
};

} // namespace auditscope
