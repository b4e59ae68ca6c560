// SPDX-License-Identifier: Apache-2.0
#include "stringpool.h"

#include <cstring>
#include <random>

namespace auditscope {

namespace {
constexpr std::size_t MinChunkBytes = 64 * 1024;
constexpr std::size_t MaxChunkBytes = 4 * 1024 * 1024;

std::uint64_t load64(const char* p)
{
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

std::uint32_t load32(const char* p)
{
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

// Equality of two byte strings of length n, without a call to memcmp: interned strings are
// mostly short, and the call costs more than the comparison. Loads never leave [0, n).
bool sameBytes(const char* a, const char* b, std::size_t n)
{
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            if (load64(a + i) != load64(b + i))
                return false;
        }
        return load64(a + n - 8) == load64(b + n - 8);
    }
    if (n >= 4)
        return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] != b[i])
            return false;
    }
    return true;
}

std::uint64_t mix(std::uint64_t a, std::uint64_t b)
{
    __extension__ typedef unsigned __int128 U128;
    const U128 r = static_cast<U128>(a) * b;
    return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}
} // namespace

// A small multiply-mix hash over 8-byte words; good spread for short identifiers. Seeded per
// process: user agents, names and Audit-ID headers are chosen by clients, and a fixed hash
// would let a crafted log pile them into one probe chain. Ids stay in insertion order either
// way, so output does not depend on the seed.
std::uint64_t hashBytes(std::string_view text)
{
    static const std::uint64_t Seed = [] {
        std::random_device device;
        return (std::uint64_t(device()) << 32) ^ device();
    }();
    constexpr std::uint64_t K0 = 0xa0761d6478bd642full;
    constexpr std::uint64_t K1 = 0xe7037ed1a0b428dbull;
    std::uint64_t h = (K0 ^ Seed) ^ text.size();
    const char* p = text.data();
    const std::size_t n = text.size();
    if (n >= 8) {
        // Whole words, then the last 8 bytes (overlapping the previous word when n % 8 != 0).
        const char* last = p + n - 8;
        for (; p < last; p += 8)
            h = mix(h ^ load64(p), K1);
        return mix(h ^ load64(last), K1 ^ K0);
    }
    // Short strings in one or two overlapping loads (a byte-wise copy into a word stalls on
    // store forwarding); together they cover every byte, and the length is in h.
    std::uint64_t tail = 0;
    if (n >= 4)
        tail = std::uint64_t(load32(p)) << 32 | load32(p + n - 4);
    else if (n > 0)
        tail = std::uint64_t(static_cast<unsigned char>(p[0])) << 16
            | std::uint64_t(static_cast<unsigned char>(p[n / 2])) << 8
            | static_cast<unsigned char>(p[n - 1]);
    return mix(h ^ tail, K1 ^ K0);
}

StringPool::StringPool()
    : m_table(16, 0)
{ }

std::size_t StringPool::slotOf(std::string_view text, std::uint64_t hash) const
{
    const std::size_t mask = m_table.size() - 1;
    const auto tag = static_cast<std::uint32_t>(hash);
    for (std::size_t slot = (hash >> 32) & mask;; slot = (slot + 1) & mask) {
        const std::uint32_t entry = m_table[slot];
        if (entry == 0)
            return slot;
        const std::uint32_t id = entry - 1;
        if (m_hashTags[id] == tag && m_strings[id].size() == text.size()
            && sameBytes(m_strings[id].data(), text.data(), text.size()))
            return slot;
    }
}

std::uint32_t StringPool::intern(std::string_view text)
{
    const std::uint64_t hash = hashBytes(text);
    std::size_t slot = slotOf(text, hash);
    if (m_table[slot] != 0)
        return m_table[slot] - 1;
    if ((m_strings.size() + 1) * 4 > m_table.size() * 3) {
        grow();
        slot = slotOf(text, hash);
    }
    const auto id = static_cast<std::uint32_t>(m_strings.size());
    m_strings.push_back(store(text));
    m_hashTags.push_back(static_cast<std::uint32_t>(hash));
    m_table[slot] = id + 1;
    return id;
}

std::uint32_t StringPool::find(std::string_view text) const
{
    const std::size_t slot = slotOf(text, hashBytes(text));
    return m_table[slot] == 0 ? UINT32_MAX : m_table[slot] - 1;
}

void StringPool::grow()
{
    std::vector<std::uint32_t> old(m_table.size() * 2, 0);
    m_table.swap(old);
    const std::size_t mask = m_table.size() - 1;
    for (std::uint32_t id = 0; id < m_strings.size(); ++id) {
        std::size_t slot = (hashBytes(m_strings[id]) >> 32) & mask;
        while (m_table[slot] != 0)
            slot = (slot + 1) & mask;
        m_table[slot] = id + 1;
    }
}

std::string_view StringPool::store(std::string_view text)
{
    if (text.empty())
        return std::string_view("", 0); // never a null pointer (memcpy/memcmp on it is UB)
    if (m_chunks.empty() || m_chunkUsed + text.size() > m_chunkSize) {
        // Chunks double up to 4 MiB so small pools stay small and big ones allocate rarely.
        std::size_t next =
            m_chunkSize == 0 ? MinChunkBytes : std::min(m_chunkSize * 2, MaxChunkBytes);
        next = std::max(next, text.size());
        m_chunks.push_back(std::make_unique<char[]>(next));
        m_chunkSize = next;
        m_chunkUsed = 0;
    }
    char* dst = m_chunks.back().get() + m_chunkUsed;
    std::memcpy(dst, text.data(), text.size());
    m_chunkUsed += text.size();
    m_bytesStored += text.size();
    return {dst, text.size()};
}

std::size_t StringPool::memoryBytes() const
{
    std::size_t chunks = 0;
    for (std::size_t i = 0; i < m_chunks.size(); ++i)
        chunks += i + 1 == m_chunks.size() ? m_chunkSize : 0;
    // Earlier chunks are full enough that stored bytes approximate them.
    return m_bytesStored + chunks + m_table.capacity() * sizeof(std::uint32_t)
        + m_hashTags.capacity() * sizeof(std::uint32_t)
        + m_strings.capacity() * sizeof(std::string_view);
}

} // namespace auditscope
