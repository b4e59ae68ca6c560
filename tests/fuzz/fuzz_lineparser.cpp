// SPDX-License-Identifier: Apache-2.0
// The audit-event line parser (EventParser, as the loader drives it) on arbitrary bytes: JSON
// lines, EventList objects, pretty-printed documents. The input is parsed three ways: as one
// whole document (when it is one), as one chunk, and cut into chunks of 1 to 61 bytes (so
// that chunk boundaries fall after every line); the two line-wise parses must agree. Then
// the store is built and read back (events formatted, queries run against the brute-force
// evaluator).
#include "fuzzcheck.h"
#include "segmentparse.h"

#include <cstdint>
#include <string_view>

using namespace auditscope;

namespace {

// parseWholeDocument() returns false "touching nothing".
void checkWholeDocument(const std::shared_ptr<const SourceBuffer>& buffer)
{
    Segment segment;
    if (fuzz::parseWholeDocument(buffer, segment))
        fuzz::exerciseStore(fuzz::buildStore(segment, buffer));
    else
        FUZZ_CHECK(segment.size() == 0 && segment.diagnostics.empty() && segment.runs.empty());
}

void checkSameParse(const Segment& a, const Segment& b)
{
    FUZZ_CHECK(a.size() == b.size());
    FUZZ_CHECK(a.badLineCount() == b.badLineCount());
    for (std::size_t e = 0; e < a.size(); ++e) {
        FUZZ_CHECK(a.line[e] == b.line[e]);
        FUZZ_CHECK(a.rawOffset[e] == b.rawOffset[e] && a.rawLength[e] == b.rawLength[e]);
        FUZZ_CHECK(a.timeNs[e] == b.timeNs[e]);
    }
    // Per-chunk diagnostic limits keep different subsets once there are many bad lines.
    if (a.badLineCount() == a.diagnostics.size() && b.badLineCount() == b.diagnostics.size()) {
        for (std::size_t d = 0; d < a.diagnostics.size(); ++d) {
            FUZZ_CHECK(a.diagnostics[d].line == b.diagnostics[d].line);
            FUZZ_CHECK(a.diagnostics[d].message == b.diagnostics[d].message);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const std::shared_ptr<const SourceBuffer> buffer = SourceBuffer::fromBytes(bytes);
    checkWholeDocument(buffer);

    Segment whole, chunked;
    fuzz::parseInChunks(buffer, SIZE_MAX, whole);
    fuzz::parseInChunks(buffer, 1 + size % 61, chunked);
    checkSameParse(whole, chunked);
    for (const Diagnostic& d : whole.diagnostics)
        FUZZ_CHECK(d.line >= 1 && !d.message.empty());

    fuzz::exerciseStore(fuzz::buildStore(whole, buffer));
    return 0;
}
