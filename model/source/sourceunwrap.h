// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "source/sourcebuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace auditscope {

/// A source made ready for the line parser, or refused with one message.
struct UnwrappedSource
{
    std::shared_ptr<SourceBuffer> buffer; ///< null when the source is refused
    std::string error; ///< why it was refused ("zstd-compressed data: ...")
    std::vector<std::string> notes; ///< what was done to it ("UTF-16LE text: transcoded ...")
    std::size_t dataStart = 0; ///< where the parser starts (after a long leading NUL run)
};

/// The first step of the sniff-and-unwrap layer (ARCHITECTURE.md): decides from the content,
/// after decompression, whether `buffer` holds audit events the line parser can read. Text in
/// UTF-16 or UTF-32 is transcoded to UTF-8 (same lines); anything that is not an audit log
/// (another compressor, a binary, the legacy text format, a JSON array, plain text) is refused
/// with one message naming what it is, instead of one error per line.
UnwrappedSource unwrapSource(std::shared_ptr<SourceBuffer> buffer);

} // namespace auditscope
