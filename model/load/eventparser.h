// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "source/sourcebuffer.h"
#include "store/segment.h"

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace auditscope {

/// Parses audit events (JSON lines, EventList objects) into a Segment, one simdjson
/// On-Demand `iterate` per line, never `iterate_many` (which stops at the first bad line).
/// Bad lines become Diagnostics; nothing else is skipped. One instance per worker thread.
class EventParser
{
public:
    /// Keeps at most `diagnosticsPerChunk` diagnostics per parsed range and counts the rest in
    /// the segment, so a file of junk cannot exhaust memory. A source's first N bad lines are
    /// always among its chunks' first N each.
    explicit EventParser(Segment& segment, std::size_t diagnosticsPerChunk = 1000);
    ~EventParser();

    /// Parses the lines in [begin, end) of `buffer`; `begin` is a line start and `end` is just
    /// past a '\n' or the end of the buffer. Line numbers are recorded relative to the chunk.
    /// Returns the number of lines in the range.
    std::uint32_t parseLines(const SourceBuffer& buffer, std::uint16_t source, std::uint32_t chunk,
        std::size_t begin, std::size_t end);

    /// Parses the whole buffer as one JSON document (a pretty-printed Event or EventList).
    /// Returns false, touching nothing, if the buffer is not one JSON object.
    bool parseWholeDocument(const SourceBuffer& buffer, std::uint16_t source, std::uint32_t chunk);

    struct Fields; // what one Event line holds, as views into the parser's buffers

private:
    struct Span
    {
        const char* data; // where simdjson reads (the source, or the scratch copy)
        std::size_t length;
        std::size_t capacity; // readable bytes from data
        std::uint64_t sourceOffset; // offset of data[0] in the source
    };

    struct ItemContext // where an EventList's items come from
    {
        const Span* span;
        std::uint16_t source;
        std::uint32_t lineIndex;
        const std::vector<std::uint64_t>* lineStarts; // whole-document mode: offset -> line
        std::uint32_t lineOf(std::uint64_t offset) const;
    };

    void parseLine(const Span& line, std::uint16_t source, std::uint32_t lineIndex, bool lastLine);
    /// Parses one Event object; on success appends it to the segment.
    bool parseEvent(simdjson::ondemand::object object, Fields& fields, std::string& error,
        const ItemContext* items);
    bool parseItems(
        simdjson::ondemand::value value, const ItemContext& context, std::string& error);
    /// Parses an object value at the top level: an Event, or an EventList whose items are
    /// parsed with the item parser. Appends events and diagnostics.
    void parseTopLevel(simdjson::ondemand::document& doc, const Span& span, std::uint16_t source,
        std::uint32_t lineIndex, const std::vector<std::uint64_t>* lineStarts);
    void commit(const Fields& fields, std::uint16_t source, std::uint32_t lineIndex,
        std::uint64_t rawOffset, std::uint32_t rawLength, std::uint8_t extraFlags);
    void addDiagnostic(
        std::uint16_t source, std::uint32_t lineIndex, std::uint32_t column, std::string message);

    Segment& m_segment;
    std::size_t m_diagnosticLimit;
    std::size_t m_chunkDiagnostics = 0; // kept so far in the current range
    simdjson::ondemand::parser m_parser;
    simdjson::ondemand::parser m_itemParser; // EventList items, while m_parser holds the list
    std::unique_ptr<Fields> m_fields; // reused for every line
    std::unique_ptr<Fields> m_itemFields; // reused for every EventList item
    std::vector<char> m_scratch; // padded copy of lines near the end of a mapping
    std::string m_groupKey;
    std::string m_error;
};

} // namespace auditscope
