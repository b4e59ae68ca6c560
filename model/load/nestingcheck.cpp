// SPDX-License-Identifier: Apache-2.0
#include "load/nestingcheck.h"

#include "common/limits.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace auditscope {

namespace {

// Opening brackets anywhere (strings included): an upper bound of the depth. A plain loop the
// compiler vectorises; counts fit in a byte per 255-byte block.
std::size_t countOpeners(std::string_view text)
{
    std::size_t total = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t left = text.size();
    while (left > 0) {
        const std::size_t block = left < 255 ? left : 255;
        std::uint8_t n = 0;
        for (std::size_t i = 0; i < block; ++i)
            n = std::uint8_t(n + ((p[i] | 0x20) == '{')); // '[' | 0x20 == '{'
        total += n;
        p += block;
        left -= block;
    }
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
