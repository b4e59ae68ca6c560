// SPDX-License-Identifier: Apache-2.0
#include "bytesearch.h"

#include <cstring>

#if defined(__AVX2__) || defined(__SSE2__)
#include <immintrin.h>
#endif

namespace auditscope {

namespace {

// Whether needle[1, size - 1) (the bytes between the first and the last) is at `at + 1`.
bool middleMatches(const char* at, std::string_view needle)
{
    return std::memcmp(at + 1, needle.data() + 1, needle.size() - 2) == 0;
}

// Scans `haystack` from its start while a whole vector of candidate starts fits; returns
// whether the needle was found and sets `done` to the first start not yet tested.
#if defined(__AVX2__)
bool vectorScan(std::string_view haystack, std::string_view needle, std::size_t& done)
{
    const char* p = haystack.data();
    const std::size_t last = needle.size() - 1; // offset of the needle's last byte
    const __m256i first = _mm256_set1_epi8(needle.front());
    const __m256i lastByte = _mm256_set1_epi8(needle.back());
    std::size_t i = 0;
    for (; i + last + 32 <= haystack.size(); i += 32) {
        const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
        const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + last));
        auto mask = static_cast<unsigned>(_mm256_movemask_epi8(
            _mm256_and_si256(_mm256_cmpeq_epi8(a, first), _mm256_cmpeq_epi8(b, lastByte))));
        while (mask) {
            if (middleMatches(p + i + static_cast<unsigned>(__builtin_ctz(mask)), needle))
                return true;
            mask &= mask - 1;
        }
    }
    done = i;
    return false;
}
#elif defined(__SSE2__)
bool vectorScan(std::string_view haystack, std::string_view needle, std::size_t& done)
{
    const char* p = haystack.data();
    const std::size_t last = needle.size() - 1;
    const __m128i first = _mm_set1_epi8(needle.front());
    const __m128i lastByte = _mm_set1_epi8(needle.back());
    std::size_t i = 0;
    for (; i + last + 16 <= haystack.size(); i += 16) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + last));
        auto mask = static_cast<unsigned>(_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, lastByte))));
        while (mask) {
            if (middleMatches(p + i + static_cast<unsigned>(__builtin_ctz(mask)), needle))
                return true;
            mask &= mask - 1;
        }
    }
    done = i;
    return false;
}
#else
bool vectorScan(std::string_view, std::string_view, std::size_t& done)
{
    done = 0;
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
    std::size_t done = 0;
    if (vectorScan(haystack, needle, done))
        return true;
    // The last few starts, fewer than a vector's worth.
    const std::string_view rest = haystack.substr(done);
    return rest.size() >= needle.size()
        && memmem(rest.data(), rest.size(), needle.data(), needle.size()) != nullptr;
}

} // namespace auditscope
