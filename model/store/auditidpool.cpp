// SPDX-License-Identifier: Apache-2.0
#include "auditidpool.h"

#include <cstring>

namespace auditscope {

namespace {

// Lower-case hex digit values; -1 elsewhere (upper case is not canonical: such IDs are kept as
// text so they print back unchanged).
constexpr std::array<std::int8_t, 256> HexValues = [] {
    std::array<std::int8_t, 256> table{};
    table.fill(-1);
    for (int c = '0'; c <= '9'; ++c)
        table[std::size_t(c)] = std::int8_t(c - '0');
    for (int c = 'a'; c <= 'f'; ++c)
        table[std::size_t(c)] = std::int8_t(c - 'a' + 10);
    return table;
}();

// Two 8-byte compares instead of a call to memcmp (the probe's hot spot).
bool sameEntry(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b)
{
    std::uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.data(), 8);
    std::memcpy(&a1, a.data() + 8, 8);
    std::memcpy(&b0, b.data(), 8);
    std::memcpy(&b1, b.data() + 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

std::uint64_t hashEntry(const std::array<std::uint8_t, 16>& entry, bool other)
{
    return hashBytes(std::string_view(reinterpret_cast<const char*>(entry.data()), entry.size()))
        ^ (other ? 0x9e3779b97f4a7c15ull : 0);
}

} // namespace

AuditIdPool::AuditIdPool()
    : m_table(16, 0)
{ }

bool AuditIdPool::parseUuid(std::string_view text, Uuid& out)
{
    // 8-4-4-4-12 lower-case hex digits: the byte pairs start at these offsets.
    static constexpr std::uint8_t PairAt[16] = {
        0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-'
        || text[23] != '-')
        return false;
    int invalid = 0;
    for (std::size_t i = 0; i < 16; ++i) {
        const int hi = HexValues[static_cast<unsigned char>(text[PairAt[i]])];
        const int lo = HexValues[static_cast<unsigned char>(text[PairAt[i] + 1])];
        invalid |= hi | lo; // any -1 sets the sign bit
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return invalid >= 0;
}

std::size_t AuditIdPool::probe(std::uint64_t hash, const Uuid& entry, bool other) const
{
    const std::size_t mask = m_table.size() - 1;
    for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
        const std::uint32_t stored = m_table[slot];
        if (stored == 0)
            return slot;
        if (sameEntry(m_entries[stored - 1], entry) && isOther(stored - 1) == other)
            return slot;
    }
}

std::uint32_t AuditIdPool::add(const Uuid& entry, bool other, std::uint64_t hash, std::size_t slot)
{
    if ((m_entries.size() + 1) * 4 > m_table.size() * 3) {
        grow();
        slot = probe(hash, entry, other);
    }
    const auto id = static_cast<std::uint32_t>(m_entries.size());
    m_entries.push_back(entry);
    if (id % 64 == 0)
        m_isOther.push_back(0);
    if (other)
        m_isOther[id / 64] |= std::uint64_t(1) << (id % 64);
    m_table[slot] = id + 1;
    return id;
}

void AuditIdPool::reserve(std::size_t entries)
{
    m_entries.reserve(entries);
    m_isOther.reserve(entries / 64 + 1);
    std::size_t slots = m_table.size();
    while (entries * 4 > slots * 3)
        slots *= 2;
    if (slots > m_table.size())
        rehash(slots);
}

void AuditIdPool::grow()
{
    rehash(m_table.size() * 2);
}

void AuditIdPool::rehash(std::size_t slots)
{
    std::vector<std::uint32_t>(slots, 0).swap(m_table);
    const std::size_t mask = m_table.size() - 1;
    for (std::uint32_t id = 0; id < m_entries.size(); ++id) {
        std::size_t slot = hashEntry(m_entries[id], isOther(id)) & mask;
        while (m_table[slot] != 0)
            slot = (slot + 1) & mask;
        m_table[slot] = id + 1;
    }
}

std::uint32_t AuditIdPool::internUuid(const Uuid& uuid)
{
    const std::uint64_t hash = hashEntry(uuid, false);
    const std::size_t slot = probe(hash, uuid, false);
    return m_table[slot] != 0 ? m_table[slot] - 1 : add(uuid, false, hash, slot);
}

std::uint32_t AuditIdPool::internOther(std::string_view text)
{
    Uuid entry{};
    const std::uint32_t otherId = m_others.intern(text);
    std::memcpy(entry.data(), &otherId, sizeof otherId);
    const std::uint64_t hash = hashEntry(entry, true);
    const std::size_t slot = probe(hash, entry, true);
    return m_table[slot] != 0 ? m_table[slot] - 1 : add(entry, true, hash, slot);
}

std::uint32_t AuditIdPool::intern(std::string_view text)
{
    Uuid uuid;
    return parseUuid(text, uuid) ? internUuid(uuid) : internOther(text);
}

void AuditIdPool::prefetch(std::string_view text) const
{
    Uuid uuid;
    if (parseUuid(text, uuid))
        __builtin_prefetch(&m_table[hashEntry(uuid, false) & (m_table.size() - 1)]);
}

std::uint32_t AuditIdPool::find(std::string_view text) const
{
    Uuid entry{};
    bool other = false;
    if (!parseUuid(text, entry)) {
        const std::uint32_t otherId = m_others.find(text);
        if (otherId == UINT32_MAX)
            return UINT32_MAX;
        entry = Uuid{};
        std::memcpy(entry.data(), &otherId, sizeof otherId);
        other = true;
    }
    const std::size_t slot = probe(hashEntry(entry, other), entry, other);
    return m_table[slot] == 0 ? UINT32_MAX : m_table[slot] - 1;
}

std::uint32_t AuditIdPool::internFrom(const AuditIdPool& source, std::uint32_t id)
{
    if (!source.isOther(id))
        return internUuid(source.m_entries[id]);
    std::uint32_t otherId;
    std::memcpy(&otherId, source.m_entries[id].data(), sizeof otherId);
    return internOther(source.m_others.view(otherId));
}

void AuditIdPool::internAllFrom(const AuditIdPool& source, std::uint32_t* ids)
{
    // The table slot of entry i + Ahead is fetched while entry i is interned: in a big pool each
    // probe would otherwise wait for memory. (A non-UUID entry's hash is of its local text id:
    // a useless fetch, and internFrom() does the real work.)
    constexpr std::uint32_t Ahead = 16;
    const std::uint32_t n = source.size();
    std::uint64_t ahead[Ahead];
    auto fetch = [&](std::uint32_t id) {
        ahead[id % Ahead] = hashEntry(source.m_entries[id], false);
        __builtin_prefetch(&m_table[ahead[id % Ahead] & (m_table.size() - 1)]);
    };
    for (std::uint32_t id = 0; id < n && id < Ahead; ++id)
        fetch(id);
    for (std::uint32_t id = 0; id < n; ++id) {
        const std::uint64_t hash = ahead[id % Ahead];
        if (id + Ahead < n)
            fetch(id + Ahead);
        if (source.isOther(id)) {
            ids[id] = internFrom(source, id);
            continue;
        }
        const Uuid& uuid = source.m_entries[id];
        const std::size_t slot = probe(hash, uuid, false);
        ids[id] = m_table[slot] != 0 ? m_table[slot] - 1 : add(uuid, false, hash, slot);
    }
}

std::string AuditIdPool::text(std::uint32_t id) const
{
    if (isOther(id)) {
        std::uint32_t otherId;
        std::memcpy(&otherId, m_entries[id].data(), sizeof otherId);
        return std::string(m_others.view(otherId));
    }
    static constexpr char Hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out.push_back('-');
        out.push_back(Hex[m_entries[id][i] >> 4]);
        out.push_back(Hex[m_entries[id][i] & 15]);
    }
    return out;
}

std::size_t AuditIdPool::memoryBytes() const
{
    return m_entries.capacity() * sizeof(Uuid) + m_isOther.capacity() * 8 + m_table.capacity() * 4
        + m_others.memoryBytes();
}

} // namespace auditscope
