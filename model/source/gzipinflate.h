// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace auditscope {

class ByteRegion;

/// Called after each step of decompression with the bytes written so far; false stops.
using InflateProgress = std::function<bool(std::size_t decompressedBytes)>;

/// Decompresses every gzip member of `input` (multi-member files, `cat a.gz b.gz`) into `out`,
/// with ISA-L. A damaged stream is decoded again with zlib, which names the damage exactly.
/// Returns "" on success; otherwise why it stopped, and `out` keeps what decompressed (a
/// truncated or corrupt stream, junk after the last member, a full cache folder). Decompression
/// also stops, without an error, once the first bytes say the data is not text (gzip of
/// /dev/zero), and when `progress` returns false.
std::string inflateGzip(std::string_view input, ByteRegion& out, const InflateProgress& progress);

/// The same with zlib only: the reference the fast path is checked against (tests, fuzzing).
std::string inflateGzipWithZlib(std::string_view input, ByteRegion& out);

} // namespace auditscope
