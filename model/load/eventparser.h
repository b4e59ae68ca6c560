// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "load/fieldreaders.h"
#include "source/sourcebuffer.h"
#include "store/segment.h"

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace auditscope {

/// Parses audit events (JSON lines, EventList objects) into a Segment, one simdjson
/// On-Demand `iterate` per line, never `iterate_many` (which stops at the first bad line).
/// Bad lines become Diagnostics; nothing else is skipped. Events with odd values that
/// kube-apiserver could have written load, flagged LoadedWithWarnings, with a warning each.
/// Lines of a mapped file are parsed from a private copy: the file may change underneath
/// (copytruncate), and simdjson reads a line twice (index, then values). One instance per
/// worker thread.
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

private:
    struct Span
    {
        const char* data; // where simdjson reads (the source, or the private copy)
        std::size_t length;
        std::size_t capacity; // readable bytes from data
        std::uint64_t sourceOffset; // offset of data[0] in the source
        std::uint64_t lineStart; // offset in the source of the line data[0] is on (line mode)
    };

    struct SpanContext // where the values being parsed lie
    {
        const Span* span;
        std::uint16_t source;
        std::uint32_t lineIndex;
        const std::vector<std::uint64_t>* lineStarts; // whole-document mode: offset -> line
        std::uint32_t lineOf(std::uint64_t offset) const;
        /// Line (chunk-relative) and 1-based column of a pointer into span->data.
        std::pair<std::uint32_t, std::uint32_t> locate(const char* at) const;
    };

    /// Everything about one event that parsed, for finishEvent().
    struct ParsedEvent
    {
        EventFields& fields;
        std::vector<FieldWarning>& warnings;
        std::string_view text; // the event's JSON, inside the span
        std::uint32_t line;
        std::uint64_t rawOffset;
        std::uint8_t flags;
        std::string_view prefix; // "items[3]: " for EventList items
    };

    Span privateCopy(const Span& span);
    void parseLine(Span line, std::uint16_t source, std::uint32_t lineIndex, bool lastLine);
    /// Reads one Event object's fields; false (with `c.error`) if it is unusable.
    bool parseEvent(simdjson::ondemand::object object, ReadContext& c, const SpanContext* items);
    bool parseItems(
        simdjson::ondemand::value value, const SpanContext& context, std::string& error);
    /// Parses an object value at the top level: an Event, or an EventList whose items are
    /// parsed with the item parser. Appends events and diagnostics.
    void parseTopLevel(simdjson::ondemand::document& doc, const Span& span, std::uint16_t source,
        std::uint32_t lineIndex, const std::vector<std::uint64_t>* lineStarts);
    /// Loads an event that parsed (flagged, with its warnings), or reports why it cannot be.
    void finishEvent(const ParsedEvent& event, const SpanContext& where);
    void commit(const EventFields& fields, std::uint16_t source, std::uint32_t lineIndex,
        std::uint64_t rawOffset, std::uint32_t rawLength, std::uint8_t extraFlags);
    void addDiagnostic(std::uint16_t source, std::uint32_t lineIndex, std::uint32_t column,
        std::string message, Severity severity = Severity::Error);
    void noteForeignObject(std::uint16_t source, std::uint32_t lineIndex, std::string_view kind);

    Segment& m_segment;
    std::size_t m_diagnosticLimit;
    std::size_t m_chunkDiagnostics = 0; // kept so far in the current range
    std::uint32_t m_chunk = 0; // the range being parsed
    simdjson::ondemand::parser m_parser;
    simdjson::ondemand::parser m_itemParser; // EventList items, while m_parser holds the list
    std::unique_ptr<EventFields> m_fields; // reused for every line
    std::unique_ptr<EventFields> m_itemFields; // reused for every EventList item
    std::vector<FieldWarning> m_warnings, m_itemWarnings;
    std::vector<char> m_scratch; // private, padded copy of the line (or document) being parsed
    std::string m_groupKey;
    std::string m_error;
};

} // namespace auditscope
