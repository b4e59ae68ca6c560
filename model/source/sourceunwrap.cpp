// SPDX-License-Identifier: Apache-2.0
#include "sourceunwrap.h"

#include "source/formatsniffer.h"

#include <algorithm>

namespace auditscope {

namespace {

// Where the data starts after a run of NUL bytes (what copytruncate leaves where the old
// contents were). The run can be far longer than the sniffed head.
std::size_t firstNonNul(std::string_view bytes)
{
    const auto it = std::find_if(bytes.begin(), bytes.end(), [](char c) { return c != '\0'; });
    return static_cast<std::size_t>(it - bytes.begin());
}

// Text whose head has no JSON object line may still hold events further on (a log appended
// to a text file): then it is an audit log with bad lines, not a refused source.
bool hasObjectLineAfterHead(std::string_view bytes)
{
    for (std::size_t pos = bytes.find('\n', SniffBytes); pos != std::string_view::npos;
         pos = bytes.find('\n', pos + 1)) {
        const std::size_t first = bytes.find_first_not_of(" \t\r", pos + 1);
        if (first != std::string_view::npos && bytes[first] == '{')
            return true;
    }
    return false;
}

} // namespace

UnwrappedSource unwrapSource(std::shared_ptr<SourceBuffer> buffer)
{
    UnwrappedSource out;
    const std::string_view bytes = buffer->bytes();
    SniffResult sniffed = sniffSource(bytes.substr(0, SniffBytes));
    if (sniffed.format == SourceFormat::Binary && bytes.size() > SniffBytes
        && bytes.substr(0, SniffBytes).find_first_not_of('\0') == std::string_view::npos) {
        // A long NUL run: judge what follows it.
        const std::size_t start = firstNonNul(bytes);
        sniffed = start < bytes.size()
            ? sniffSource(bytes.substr(start, SniffBytes))
            : SniffResult{SourceFormat::Binary, false, false, "only NUL bytes, not an audit log"};
        if (sniffed.format == SourceFormat::AuditJson) {
            out.dataStart = start;
            out.notes.push_back("starts with " + std::to_string(start)
                + " NUL bytes (left where the file was truncated in place, e.g. by "
                  "logrotate's copytruncate); read from byte "
                + std::to_string(start));
        }
    }
    if (sniffed.format == SourceFormat::NotJson && hasObjectLineAfterHead(bytes))
        sniffed.format = SourceFormat::AuditJson; // junk first, events later: per-line errors
    switch (sniffed.format) {
    case SourceFormat::AuditJson:
        out.buffer = std::move(buffer);
        return out;
    case SourceFormat::Empty:
        // Not an error: the live file of a set that was just rotated is empty.
        out.buffer = std::move(buffer);
        out.notes.push_back(std::move(sniffed.message));
        return out;
    case SourceFormat::Utf16:
    case SourceFormat::Utf32: {
        std::string utf8 = transcodeToUtf8(bytes, sniffed);
        // What the text is, is judged again on the UTF-8 (a JSON array saved by PowerShell).
        const SniffResult inner = sniffSource(std::string_view(utf8).substr(0, SniffBytes));
        if (inner.format != SourceFormat::AuditJson && inner.format != SourceFormat::Empty) {
            const std::string unit = sniffed.format == SourceFormat::Utf16 ? "UTF-16" : "UTF-32";
            out.error = unit + " text holding " + inner.message;
            return out;
        }
        out.buffer = SourceBuffer::fromBytes(utf8);
        out.notes.push_back(std::move(sniffed.message));
        return out;
    }
    default:
        out.error = std::move(sniffed.message);
        return out;
    }
}

} // namespace auditscope
