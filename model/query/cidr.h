// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace auditscope {

/// An address range `address/prefix` of `ip:` terms. IPv4 addresses are kept as v4-mapped v6
/// addresses (the prefix then counts from bit 96), so one comparison serves both families.
struct Cidr
{
    std::array<unsigned char, 16> bytes{};
    int bits = -1;

    /// Whether `address` (IPv4 or IPv6 text) lies in the range; false if it is no address.
    bool contains(std::string_view address) const;
};

/// `text` as a range (`10.0.0.0/8`, `fd00::/8`); nullopt without a slash or a valid address.
/// A prefix that is no number reads as 0: values are checked first with isValidIpOrCidr.
std::optional<Cidr> parseCidr(std::string_view text);

/// Whether `text` is an address, or an address range whose prefix length fits its family.
bool isValidIpOrCidr(std::string_view text);

} // namespace auditscope
