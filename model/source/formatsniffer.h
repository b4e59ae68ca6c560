// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace auditscope {

/// What a source's first bytes say it is, decided before any per-line parsing so that a file
/// that is not an audit log gets one clear message instead of one error per line.
enum class SourceFormat {
    AuditJson, ///< JSON lines or a JSON document: handed to the event parser
    Empty, ///< no bytes, or only whitespace
    Utf16, ///< UTF-16 (LE or BE, with or without a byte order mark): transcoded to UTF-8
    Utf32, ///< UTF-32 (LE or BE, with or without a byte order mark): transcoded to UTF-8
    Compressed, ///< another compressor's data (zstd, xz, bzip2, lz4, zip, 7z, ...)
    Binary, ///< neither text nor a known compressed format
    LegacyText, ///< the pre-JSON kube-apiserver text format (`AUDIT: id=... ip=...`)
    JsonArray, ///< a JSON array (`[ {...}, ... ]`), e.g. a gcloud or jq export
    NotJson, ///< text that is not JSON at all
};

struct SniffResult
{
    SourceFormat format = SourceFormat::AuditJson;
    bool bigEndian = false; ///< Utf16/Utf32: byte order
    bool byteOrderMark = false; ///< Utf16/Utf32: the data starts with a BOM
    /// For every format but AuditJson: one sentence for the load report, naming what the data
    /// is and what to do about it ("zstd-compressed data: decompress it first (`zstd -d FILE`)").
    std::string message;
};

/// Decides from `head` (the first bytes of a source after gzip decompression, at most
/// SniffBytes of them) what the source holds. Never reads past head.size().
SniffResult sniffSource(std::string_view head);

/// How many leading bytes sniffSource() looks at.
inline constexpr std::size_t SniffBytes = 64 * 1024;

/// Transcodes UTF-16 or UTF-32 `bytes` (as sniffed) to UTF-8, dropping a byte order mark.
/// Invalid code units become U+FFFD, so line structure is kept and the line parser reports them.
std::string transcodeToUtf8(std::string_view bytes, const SniffResult& sniffed);

} // namespace auditscope
