// SPDX-License-Identifier: Apache-2.0
#include "load/nestingcheck.h"

#include "common/limits.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace auditscope {

namespace {

// Opening brackets anywhere (strings included): an upper bound of the depth. Runs on every
// event of 1 KiB or more, so it counts 32 bytes at a time (GCC's and Clang's vector types: the
// auto-vectoriser at -O2 leaves the plain loop scalar) in byte lanes added up every 255 rounds.
std::size_t countOpeners(std::string_view text)
{
    using Bytes = unsigned char __attribute__((vector_size(32)));
    std::size_t total = 0;
    const char* p = text.data();
    std::size_t left = text.size();
    while (left >= sizeof(Bytes)) {
        Bytes lanes = {};
        for (int round = 0; round < 255 && left >= sizeof(Bytes); ++round) {
            Bytes bytes;
            std::memcpy(&bytes, p, sizeof bytes);
            lanes -=
                reinterpret_cast<Bytes>((bytes | 0x20) == '{'); // '[' | 0x20 is '{'; true is -1
            p += sizeof(Bytes);
            left -= sizeof(Bytes);
        }
        for (std::size_t i = 0; i < sizeof(Bytes); ++i)
            total += lanes[i];
    }
    for (std::size_t i = 0; i < left; ++i)
        total += (p[i] | 0x20) == '{';
    return total;
}

struct TooDeep
{
    const char* at = nullptr;
    std::string_view key; ///< the top-level key above it
};

// The exact depth, outside strings; the event's own object is depth 1.
TooDeep findTooDeep(std::string_view text)
{
    int depth = 0;
    std::string_view lastString, key;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            const std::size_t start = ++i;
            while (i < text.size() && text[i] != '"')
                i += text[i] == '\\' ? 2 : 1;
            if (depth == 1)
                lastString = text.substr(start, i - start);
        } else if (c == ':' && depth == 1) {
            key = lastString;
        } else if (c == '{' || c == '[') {
            if (++depth > MaxJsonDepth)
                return {text.data() + i, key};
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return {};
}

} // namespace

void checkNesting(std::string_view event, std::vector<FieldWarning>& warnings)
{
    if (event.size() < 2 * std::size_t(MaxJsonDepth)
        || countOpeners(event) <= std::size_t(MaxJsonDepth))
        return;
    const TooDeep deep = findTooDeep(event);
    if (!deep.at)
        return;
    const std::string depth = std::to_string(MaxJsonDepth);
    warnings.push_back({deep.at,
        "nesting deeper than " + depth + " in " + snippet(deep.key) + ": searched only to depth "
            + depth});
}

} // namespace auditscope
