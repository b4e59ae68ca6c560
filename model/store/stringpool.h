// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace auditscope {

/// Interns strings of one kind and hands out dense 32-bit ids (0, 1, 2, ...).
/// The bytes live in large chunks, so string_views stay valid for the pool's lifetime.
/// Not thread-safe for writing; readable from any thread once no longer written.
class StringPool
{
public:
    StringPool();

    /// Returns the id of `text`, adding it if new. Amortised O(len).
    std::uint32_t intern(std::string_view text);
    /// Returns the id of `text` or UINT32_MAX if it was never interned.
    std::uint32_t find(std::string_view text) const;

    std::string_view view(std::uint32_t id) const { return m_strings[id]; }
    std::uint32_t size() const { return static_cast<std::uint32_t>(m_strings.size()); }
    /// Heap bytes owned (string bytes, table, views).
    std::size_t memoryBytes() const;

private:
    std::string_view store(std::string_view text);
    void grow();
    std::size_t slotOf(std::string_view text, std::uint64_t hash) const;

    std::vector<std::unique_ptr<char[]>> m_chunks;
    std::size_t m_chunkUsed = 0;
    std::size_t m_chunkSize = 0;
    std::size_t m_bytesStored = 0;
    std::vector<std::string_view> m_strings;
    // Open addressing, linear probing; slot holds id + 1 (0 = empty). Power-of-two size.
    std::vector<std::uint32_t> m_table;
    std::vector<std::uint32_t> m_hashTags; // low 32 bits of each string's hash, by id
};

std::uint64_t hashBytes(std::string_view text);

} // namespace auditscope
