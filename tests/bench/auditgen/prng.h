// SPDX-License-Identifier: Apache-2.0
#pragma once

// Random numbers that are the same on every platform: every random choice comes from our own
// xoshiro256** generator (std::uniform_*_distribution differs between standard libraries).

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string_view>

namespace auditgen {

/// SplitMix64: advances `state` and returns the next output (seeding, hashing, derived ids).
inline uint64_t splitmix64(uint64_t& state)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// xoshiro256** seeded through splitmix64, as its authors recommend. The only source of
/// randomness: the same seed gives the same stream everywhere.
class Rng
{
public:
    explicit Rng(uint64_t seed)
    {
        for (auto& s : m_s)
            s = splitmix64(seed);
    }
    uint64_t next()
    {
        const uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    // Uniform in [0, n) by multiply-shift (Lemire); the bias is far below anything visible.
    uint64_t below(uint64_t n)
    {
        __extension__ using u128 = unsigned __int128;
        return static_cast<uint64_t>((static_cast<u128>(next()) * n) >> 64);
    }
    int64_t between(int64_t lo, int64_t hi)
    {
        return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo + 1)));
    }
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    bool chance(double p) { return unit() < p; }
    template <class C>
    const auto& pick(const C& c)
    {
        return c[below(std::size(c))];
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t m_s[4];
};

/// Stable 64-bit hash of a few strings: gives objects fixed uids and pod names without
/// storing them.
inline uint64_t hashOf(std::string_view a, std::string_view b = {}, std::string_view c = {})
{
    uint64_t h = 0xcbf29ce484222325ull; // FNV-1a
    for (std::string_view part : {a, b, c}) {
        for (unsigned char ch : part)
            h = (h ^ ch) * 0x100000001b3ull;
        h = (h ^ 0xff) * 0x100000001b3ull;
    }
    return splitmix64(h);
}

} // namespace auditgen
