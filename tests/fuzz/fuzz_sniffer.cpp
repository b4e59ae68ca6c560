// SPDX-License-Identifier: Apache-2.0
// The format sniffer (sniffSource on a source's first SniffBytes) and the UTF-16/UTF-32
// transcoder (transcodeToUtf8 on the whole source, as the loader will call them), checked
// against what formatsniffer.h promises.
#include "fuzzcheck.h"

#include "source/formatsniffer.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>

using namespace auditscope;

namespace {

// Code units (2 or 4 bytes, in the sniffed byte order) equal to '\n' after the byte order mark.
std::size_t countNewlineUnits(std::string_view bytes, const SniffResult& sniffed)
{
    const std::size_t unit = sniffed.format == SourceFormat::Utf16 ? 2 : 4;
    std::size_t count = 0;
    for (std::size_t pos = sniffed.byteOrderMark ? unit : 0; pos + unit <= bytes.size();
         pos += unit) {
        std::uint32_t value = 0;
        for (std::size_t b = 0; b < unit; ++b) {
            const std::size_t at = sniffed.bigEndian ? pos + b : pos + unit - 1 - b;
            value = value << 8 | static_cast<unsigned char>(bytes[at]);
        }
        count += value == '\n';
    }
    return count;
}

void checkTranscoded(std::string_view source, const SniffResult& sniffed)
{
    const std::string utf8 = transcodeToUtf8(source, sniffed);
    // Invalid code units become U+FFFD: the result is valid UTF-8 whatever the input...
    FUZZ_CHECK(simdjson::validate_utf8(utf8.data(), utf8.size()));
    // ... and no line is lost or added.
    FUZZ_CHECK(static_cast<std::size_t>(std::count(utf8.begin(), utf8.end(), '\n'))
        == countNewlineUnits(source, sniffed));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view source(reinterpret_cast<const char*>(data), size);
    // The head in a buffer of its own exact size, so that ASan catches a read past head.size()
    // even when the source is longer.
    const std::size_t headSize = std::min(size, SniffBytes);
    const auto head = std::make_unique<char[]>(std::max<std::size_t>(headSize, 1));
    std::copy_n(source.data(), headSize, head.get());
    const SniffResult sniffed = sniffSource(std::string_view(head.get(), headSize));

    // Every verdict but "an audit log" comes with one sentence for the load report.
    FUZZ_CHECK(sniffed.format == SourceFormat::AuditJson || !sniffed.message.empty());
    if (sniffed.format == SourceFormat::Utf16 || sniffed.format == SourceFormat::Utf32)
        checkTranscoded(source, sniffed);
    return 0;
}
