// SPDX-License-Identifier: Apache-2.0
// The gzip reader (SourceBuffer::fromMaybeCompressedBytes: multi-member streams, truncated and
// corrupt data, trailing junk) on arbitrary bytes, checked against zlib, then the line parser on
// what came out.
#include "fuzzcheck.h"
#include "segmentparse.h"

#include "source/byteregion.h"
#include "source/gzipinflate.h"

#include <simdjson.h>

#include <cstdint>
#include <string_view>

using namespace auditscope;

namespace {

// Decompressed sources beyond this are not parsed: the reader is what this target is for (the
// line parser has its own), and parsing large outputs would slow every input down.
constexpr std::size_t MaxParsedBytes = 64 << 10;

bool startsWithGzipMagic(std::string_view bytes)
{
    return bytes.size() >= 2 && bytes[0] == '\x1f' && bytes[1] == '\x8b';
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const SourceBuffer::OpenResult opened = SourceBuffer::fromMaybeCompressedBytes(input);
    if (!startsWithGzipMagic(input)) {
        // Anything else is copied as it is.
        FUZZ_CHECK(opened.buffer && opened.error.empty());
        FUZZ_CHECK(opened.buffer->bytes() == input && !opened.buffer->compressed());
        return 0;
    }
    // Corrupt or truncated data says so; a buffer, if any, holds what decompressed.
    FUZZ_CHECK(opened.buffer || !opened.error.empty());
    if (!opened.buffer)
        return 0;
    const SourceBuffer& buffer = *opened.buffer;
    FUZZ_CHECK(buffer.compressed() && buffer.fileSizeBytes() == size);
    // The fast path (ISA-L) against the reference (zlib): the same error, and at least the
    // bytes zlib keeps, identical to them.
    auto reference = ByteRegion::create({}).region;
    const std::string referenceError = inflateGzipWithZlib(input, *reference);
    FUZZ_CHECK(reference && referenceError == opened.error);
    FUZZ_CHECK(buffer.bytes().size() >= reference->size());
    FUZZ_CHECK(buffer.bytes().substr(0, reference->size())
        == std::string_view(reference->data(), reference->size()));
    // The parser reads up to SIMDJSON_PADDING bytes past the end in place: they must be there
    // (ASan checks the read) and be zero.
    const std::string_view bytes = buffer.bytes();
    FUZZ_CHECK(buffer.readableFrom(0) >= bytes.size() + simdjson::SIMDJSON_PADDING);
    for (std::size_t i = 0; i < simdjson::SIMDJSON_PADDING; ++i)
        FUZZ_CHECK(bytes.data()[bytes.size() + i] == '\0');
    if (bytes.size() > MaxParsedBytes)
        return 0;
    Segment segment;
    fuzz::parseInChunks(opened.buffer, 4 << 20, segment);
    fuzz::exerciseStore(fuzz::buildStore(segment, opened.buffer), 16);
    return 0;
}
