// SPDX-License-Identifier: Apache-2.0
#include "cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <string>

namespace auditscope {

namespace {

using Address = std::array<unsigned char, 16>;

// `text` as an IPv4 (v4-mapped) or IPv6 address; `v4` tells which it was.
bool parseAddress(std::string_view text, Address& out, bool& v4)
{
    const std::string s(text);
    unsigned char buffer[16];
    if (inet_pton(AF_INET, s.c_str(), buffer) == 1) {
        out = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        std::memcpy(out.data() + 12, buffer, 4);
        v4 = true;
        return true;
    }
    if (inet_pton(AF_INET6, s.c_str(), buffer) == 1) {
        std::memcpy(out.data(), buffer, 16);
        v4 = false;
        return true;
    }
    return false;
}

} // namespace

bool Cidr::contains(std::string_view address) const
{
    Address a;
    bool v4 = false;
    if (!parseAddress(address, a, v4))
        return false;
    int remaining = bits;
    for (std::size_t i = 0; i < 16 && remaining > 0; ++i, remaining -= 8) {
        const unsigned mask = remaining >= 8 ? 0xFFu : (0xFFu << (8 - remaining)) & 0xFFu;
        if ((a[i] & mask) != (bytes[i] & mask))
            return false;
    }
    return true;
}

std::optional<Cidr> parseCidr(std::string_view text)
{
    const std::size_t slash = text.find('/');
    Cidr c;
    bool v4 = false;
    if (slash == std::string_view::npos || !parseAddress(text.substr(0, slash), c.bytes, v4))
        return std::nullopt;
    const std::string_view digits = text.substr(slash + 1);
    int prefix = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    c.bits = v4 ? prefix + 96 : prefix;
    return c;
}

bool isValidIpOrCidr(std::string_view text)
{
    const std::size_t slash = text.find('/');
    Address address;
    bool v4 = false;
    if (!parseAddress(text.substr(0, slash), address, v4))
        return false;
    if (slash == std::string_view::npos)
        return true;
    const int bits = v4 ? 32 : 128;
    int prefix = -1;
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    return ec == std::errc() && end == digits.data() + digits.size() && prefix >= 0
        && prefix <= bits;
}

} // namespace auditscope
