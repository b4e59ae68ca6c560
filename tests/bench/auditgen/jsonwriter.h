// SPDX-License-Identifier: Apache-2.0
#pragma once

// The fast append helpers every JSON line is built with: no streams and no per-field
// formatting, just digits, quotes and fixed strings appended to a std::string. The caller
// guarantees that appended text is already JSON-safe.

#include "prng.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace auditgen {

/// A growing output buffer (one event line, one body, one file block).
using Buf = std::string;

/// Writes `v` as exactly `width` digits, zero padded, at `out`.
inline void putDigits(char* out, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
}

/// Appends `v` in decimal.
inline void putU(Buf& b, uint64_t v)
{
    char t[20];
    int n = 0;
    do {
        t[19 - n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    b.append(t + 20 - n, static_cast<size_t>(n));
}

/// Appends `"s"`; s must already be JSON-safe.
inline void putQuoted(Buf& b, std::string_view s)
{
    b += '"';
    b += s;
    b += '"';
}

/// Appends `"123"` (Kubernetes writes resourceVersion as a string).
inline void putQuotedU(Buf& b, uint64_t v)
{
    b += '"';
    putU(b, v);
    b += '"';
}

/// Lower-case hex digits for putHex() and writeUuid().
inline constexpr char kHex[] = "0123456789abcdef";

/// Appends `digits` pseudo-random hex digits derived from `seed`.
inline void putHex(Buf& b, uint64_t seed, int digits)
{
    uint64_t x = seed;
    for (int i = 0; i < digits; ++i) {
        if (i % 16 == 0)
            x = splitmix64(seed);
        b += kHex[x & 15];
        x >>= 4;
    }
}

/// Writes a version 4 uuid (8-4-4-4-12, 36 chars) made of `hi` and `lo` at `out`.
inline void writeUuid(char* out, uint64_t hi, uint64_t lo)
{
    hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x4000ull;
    lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
    int pos = 0;
    for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            out[pos++] = '-';
        const uint64_t word = i < 16 ? hi : lo;
        out[pos++] = kHex[(word >> (60 - 4 * (i % 16))) & 15];
    }
}

/// Appends a stable uuid derived from `seed`.
inline void putUuid(Buf& b, uint64_t seed)
{
    char t[36];
    const uint64_t hi = splitmix64(seed);
    writeUuid(t, hi, splitmix64(seed));
    b.append(t, 36);
}

/// The stable uuid of an object named by up to three strings.
inline std::string stableUuid(std::string_view a, std::string_view b = {}, std::string_view c = {})
{
    std::string s;
    putUuid(s, hashOf(a, b, c));
    return s;
}

/// Alphabets for putChars(): Kubernetes' utilrand.String (pod name suffixes) and base64.
inline constexpr std::string_view kNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
inline constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends `n` pseudo-random characters of `alphabet` derived from `seed`.
inline void putChars(Buf& b, uint64_t seed, int n, std::string_view alphabet)
{
    uint64_t x = splitmix64(seed);
    for (int i = 0; i < n; ++i) {
        if (i % 8 == 7)
            x = splitmix64(seed);
        b += alphabet[(x & 0xff) % alphabet.size()];
        x >>= 8;
    }
}

// --------------------------------------------------------------------------------------------
// Time: the cluster clock is in microseconds since the Unix epoch.
// --------------------------------------------------------------------------------------------

/// Units of the cluster clock, in microseconds.
inline constexpr int64_t kMs = 1000;
inline constexpr int64_t kSec = 1000 * kMs;
inline constexpr int64_t kMin = 60 * kSec;

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
inline int64_t daysFromCivil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

/// The civil date of day `z` since 1970-01-01 (inverse of daysFromCivil()).
inline void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

/// RFC 3339 UTC: "2006-01-02T15:04:05.000000Z" (metav1.MicroTime) or "...05Z" (metav1.Time).
inline void putTime(Buf& b, int64_t us, bool micros = true)
{
    const int64_t secs = us / kSec;
    const int64_t sod = secs % 86400;
    int64_t y;
    unsigned m, d;
    civilFromDays(secs / 86400, y, m, d);
    char t[27];
    putDigits(t, static_cast<uint64_t>(y), 4);
    t[4] = '-';
    putDigits(t + 5, m, 2);
    t[7] = '-';
    putDigits(t + 8, d, 2);
    t[10] = 'T';
    putDigits(t + 11, static_cast<uint64_t>(sod / 3600), 2);
    t[13] = ':';
    putDigits(t + 14, static_cast<uint64_t>(sod / 60 % 60), 2);
    t[16] = ':';
    putDigits(t + 17, static_cast<uint64_t>(sod % 60), 2);
    if (micros) {
        t[19] = '.';
        putDigits(t + 20, static_cast<uint64_t>(us % kSec), 6);
        t[26] = 'Z';
        b.append(t, 27);
    } else {
        t[19] = 'Z';
        b.append(t, 20);
    }
}

/// putTime() in quotes.
inline void putQuotedTime(Buf& b, int64_t us, bool micros = true)
{
    b += '"';
    putTime(b, us, micros);
    b += '"';
}

/// A value scaled by 10^decimals, with trailing fractional zeros dropped (as Go does).
inline void putTrimmedFixed(Buf& b, uint64_t v, int decimals)
{
    uint64_t scale = 1;
    for (int i = 0; i < decimals; ++i)
        scale *= 10;
    putU(b, v / scale);
    const uint64_t frac = v % scale;
    if (frac == 0)
        return;
    char t[20];
    putDigits(t, frac, decimals);
    int n = decimals;
    while (t[n - 1] == '0')
        --n;
    b += '.';
    b.append(t, static_cast<size_t>(n));
}

/// Go's time.Duration.String(): "621ns", "23.203µs", "70.552181ms", "1.2s", "7m23s".
inline void putGoDuration(Buf& b, uint64_t ns)
{
    if (ns == 0) {
        b += "0s";
    } else if (ns < 1000) {
        putU(b, ns);
        b += "ns";
    } else if (ns < 1000000) {
        putTrimmedFixed(b, ns, 3);
        b += "\xC2\xB5s"; // U+00B5 MICRO SIGN in UTF-8, exactly like Go
    } else if (ns < 1000000000) {
        putTrimmedFixed(b, ns, 6);
        b += "ms";
    } else {
        const uint64_t h = ns / 3600000000000ull;
        ns -= h * 3600000000000ull;
        const uint64_t m = ns / 60000000000ull;
        ns -= m * 60000000000ull;
        if (h) {
            putU(b, h);
            b += 'h';
        }
        if (h || m) {
            putU(b, m);
            b += 'm';
        }
        putTrimmedFixed(b, ns, 9);
        b += 's';
    }
}

} // namespace auditgen
