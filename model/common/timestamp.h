// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace auditscope {

/// The time of an event without a usable requestReceivedTimestamp (missing, Go's zero time,
/// malformed): such events sort after every timed one, in a "no time" bucket.
inline constexpr std::int64_t NoTimeNs = INT64_MAX;

/// Parses RFC 3339 as Kubernetes writes it: `2023-03-10T22:38:26.382098Z`, with 0 to 9
/// fractional digits and `Z` or a `+hh:mm`/`-hh:mm` offset. Returns ns since the Unix epoch
/// (UTC), or nullopt if the text is not such a timestamp or lies outside 1970..2261.
std::optional<std::int64_t> parseRfc3339(std::string_view text);

/// Formats ns since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds);
/// NoTimeNs as `no time`.
std::string formatRfc3339Micros(std::int64_t timeNs);

} // namespace auditscope
