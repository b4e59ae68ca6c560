// SPDX-License-Identifier: Apache-2.0
#include "bytesearch.h"

#include <cstring>

#if defined(__AVX2__) || defined(__SSE2__)
#include <immintrin.h>
#endif

namespace auditscope {

namespace {

// Whether the needle (at least two bytes) starts at `at`, given that its first and last bytes
// already agree.
inline bool middleMatches(const char* at, std::string_view needle)
{
    return std::memcmp(at + 1, needle.data() + 1, needle.size() - 2) == 0;
}

// Whether the needle starts at one of the positions whose bits are set in `mask` (bit k: the
// position `base + k`).
template <class Mask>
inline bool anyStart(const char* base, Mask mask, std::string_view needle)
{
    while (mask) {
        if (middleMatches(base + __builtin_ctzll(mask), needle))
            return true;
        mask &= mask - 1;
    }
    return false;
}

// Tests the starts from 0 while a whole block of them can be read without passing the end of
// `haystack`; returns whether the needle was found, and in `tested` how many starts were tested.
#if defined(__AVX2__)
bool blockScan(std::string_view haystack, std::string_view needle, std::size_t& tested)
{
    const char* p = haystack.data();
    const std::size_t last = needle.size() - 1; // offset of the needle's last byte
    const std::size_t size = haystack.size();
    const __m256i first = _mm256_set1_epi8(needle.front());
    const __m256i lastByte = _mm256_set1_epi8(needle.back());
    auto candidates = [&](std::size_t i) {
        const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
        const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + last));
        return _mm256_and_si256(_mm256_cmpeq_epi8(a, first), _mm256_cmpeq_epi8(b, lastByte));
    };
    std::size_t i = 0;
    // 64 starts per step: one branch for the usual case of no candidate at all.
    for (; i + last + 64 <= size; i += 64) {
        const __m256i low = candidates(i), high = candidates(i + 32);
        const __m256i any = _mm256_or_si256(low, high);
        if (_mm256_testz_si256(any, any))
            continue;
        const std::uint64_t mask = std::uint32_t(_mm256_movemask_epi8(low))
            | std::uint64_t(std::uint32_t(_mm256_movemask_epi8(high))) << 32;
        if (anyStart(p + i, mask, needle))
            return true;
    }
    if (i + last + 32 <= size) {
        if (anyStart(p + i, std::uint32_t(_mm256_movemask_epi8(candidates(i))), needle))
            return true;
        i += 32;
    }
    tested = i;
    return false;
}
#elif defined(__SSE2__)
bool blockScan(std::string_view haystack, std::string_view needle, std::size_t& tested)
{
    const char* p = haystack.data();
    const std::size_t last = needle.size() - 1;
    const __m128i first = _mm_set1_epi8(needle.front());
    const __m128i lastByte = _mm_set1_epi8(needle.back());
    std::size_t i = 0;
    for (; i + last + 16 <= haystack.size(); i += 16) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + last));
        const auto mask = std::uint32_t(_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, lastByte))));
        if (mask && anyStart(p + i, mask, needle))
            return true;
    }
    tested = i;
    return false;
}
#else
bool blockScan(std::string_view, std::string_view, std::size_t& tested)
{
    tested = 0;
    return false;
}
#endif

} // namespace

bool containsBytes(std::string_view haystack, std::string_view needle)
{
    if (needle.empty())
        return true;
    if (haystack.size() < needle.size())
        return false;
    if (needle.size() == 1)
        return std::memchr(haystack.data(), needle.front(), haystack.size()) != nullptr;
    std::size_t from = 0;
    if (blockScan(haystack, needle, from))
        return true;
    // The last starts, fewer than a block: byte by byte (cheaper than a memmem call here).
    const char* p = haystack.data();
    const std::size_t last = needle.size() - 1;
    for (std::size_t i = from; i + last < haystack.size(); ++i)
        if (p[i] == needle.front() && p[i + last] == needle.back() && middleMatches(p + i, needle))
            return true;
    return false;
}

} // namespace auditscope
