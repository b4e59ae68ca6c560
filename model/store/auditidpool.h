// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/stringpool.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// Interns audit IDs with dense ids, like StringPool, but compactly: kube-apiserver's IDs are
/// canonical lower-case UUIDs (36 characters), kept here as their 16 bytes. Anything else (a
/// client's own Audit-ID header, spec §8) goes to a fallback StringPool. About half of all
/// events start a new request, so this pool dominates the store's memory otherwise.
/// Not thread-safe for writing; readable from any thread once no longer written.
class AuditIdPool
{
public:
    AuditIdPool();

    std::uint32_t intern(std::string_view text);
    /// Starts loading the table slot that intern(text) reads first: in a big pool that read
    /// misses the cache, and the parser has other work to do before it interns.
    void prefetch(std::string_view text) const;
    /// Room for `entries` in all without growing (the table is sized for them at once).
    void reserve(std::size_t entries);
    /// The id of `text`, or UINT32_MAX if it was never interned.
    std::uint32_t find(std::string_view text) const;
    /// Adds entry `id` of `other` (faster than text + intern: no formatting or parsing).
    std::uint32_t internFrom(const AuditIdPool& other, std::uint32_t id);
    /// internFrom() for every entry of `other` in order: ids[i] gets the id of its entry i.
    void internAllFrom(const AuditIdPool& other, std::uint32_t* ids);

    std::string text(std::uint32_t id) const;
    std::uint32_t size() const { return static_cast<std::uint32_t>(m_entries.size()); }
    std::size_t memoryBytes() const;

private:
    using Uuid = std::array<std::uint8_t, 16>;
    // An entry is a UUID, or (when its bit in m_isOther is set) an id into m_others.
    static bool parseUuid(std::string_view text, Uuid& out);
    std::uint32_t internUuid(const Uuid& uuid);
    std::uint32_t internOther(std::string_view text);
    std::uint32_t add(const Uuid& entry, bool other, std::uint64_t hash, std::size_t slot);
    std::size_t probe(std::uint64_t hash, const Uuid& entry, bool other) const;
    bool isOther(std::uint32_t id) const { return (m_isOther[id / 64] >> (id % 64)) & 1; }
    void grow();
    void rehash(std::size_t slots);

    std::vector<Uuid> m_entries;
    std::vector<std::uint64_t> m_isOther; // one bit per entry
    std::vector<std::uint32_t> m_table; // open addressing; slot holds id + 1 (0 = empty)
    StringPool m_others;
};

} // namespace auditscope
