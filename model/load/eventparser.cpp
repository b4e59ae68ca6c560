// SPDX-License-Identifier: Apache-2.0
#include "eventparser.h"

#include "common/timestamp.h"
#include "load/nestingcheck.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace auditscope {

using simdjson::error_code;

namespace {

constexpr std::size_t Padding = simdjson::SIMDJSON_PADDING;

// After the top-level value is consumed the iterator is out of bounds unless more follows.
bool hasTrailingContent(od::document& doc)
{
    const char* at = nullptr;
    return doc.current_location().get(at) == simdjson::SUCCESS;
}

// A mapped file can change while it is read (decompressed data and stdin cannot).
bool mayChangeWhileRead(const SourceBuffer& buffer)
{
    return buffer.mayChangeWhileRead();
}

bool knownStage(std::string_view text)
{
    return parseStage(text).has_value();
}

bool knownLevel(std::string_view text)
{
    return parseLevel(text).has_value();
}

// raw_json() runs to the next structural character: drop the whitespace before it.
std::string_view trimmedRight(std::string_view raw)
{
    while (!raw.empty()
        && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
        raw.remove_suffix(1);
    return raw;
}

} // namespace

EventParser::EventParser(Segment& segment, std::size_t diagnosticsPerChunk)
    : m_segment(segment)
    , m_diagnosticLimit(diagnosticsPerChunk)
    , m_fields(std::make_unique<EventFields>())
    , m_itemFields(std::make_unique<EventFields>())
{ }

EventParser::~EventParser() = default;

namespace {

// One bit per top-level key we read, to find keys given twice.
enum TopLevelKey : std::uint32_t {
    KindKey = 1 << 0,
    VerbKey = 1 << 1,
    UserKey = 1 << 2,
    LevelKey = 1 << 3,
    StageKey = 1 << 4,
    AuditIdKey = 1 << 5,
    MetadataKey = 1 << 6,
    SourceIpsKey = 1 << 7,
    UserAgentKey = 1 << 8,
    ObjectRefKey = 1 << 9,
    TimestampKey = 1 << 10,
    RequestUriKey = 1 << 11,
    AnnotationsKey = 1 << 12,
    RequestObjectKey = 1 << 13,
    ResponseObjectKey = 1 << 14,
    ResponseStatusKey = 1 << 15,
    StageTimestampKey = 1 << 16,
    ImpersonatedUserKey = 1 << 17,
    ReceivedKey = 1 << 18,
    ApiVersionKey = 1 << 19,
};

} // namespace

bool EventParser::parseEvent(od::object object, ReadContext& c, const SpanContext* items)
{
    EventFields& f = c.fields;
    std::uint32_t seen = 0;
    auto once = [&](std::uint32_t bit, std::string_view key) { noteKey(seen, bit, key, {}, c); };
    bool unread = false; // set by skip(): a key we do not read
    auto skip = [&] {
        unread = true;
        return true;
    };
    // Dispatch on the key's length first: one comparison finds the few candidates.
    auto read = [&](std::string_view key, od::value value) -> bool {
        switch (key.size()) {
        case 4:
            if (key == "kind")
                return once(KindKey, key), readKind(value, f.kind, c);
            if (key == "verb")
                return once(VerbKey, key), readString(value, f.verb, "verb", c);
            if (key == "user")
                return once(UserKey, key), readUser(value, c);
            return skip();
        case 5:
            if (key == "level")
                return once(LevelKey, key),
                       readKnownString(value, f.level, "level", knownLevel, "level", c);
            if (key == "stage")
                return once(StageKey, key),
                       readKnownString(value, f.stage, "stage", knownStage, "stage", c);
            // An EventList's items; ignored in an Event (and in an item). Keys may come in any
            // order, so a list whose "kind" follows "items" is still a list.
            if (key == "items" && items && (!f.kind || *f.kind == "EventList")) {
                f.sawItems = true;
                return parseItems(value, *items, c.error);
            }
            return skip();
        case 7:
            if (key == "auditID") {
                once(AuditIdKey, key);
                if (!readString(value, f.auditId, "auditID", c))
                    return false;
                if (f.auditId) // interned when the event is complete: start the cache miss now
                    m_segment.pools.auditIds.prefetch(*f.auditId);
                return true;
            }
            return skip();
        case 8:
            if (key == "metadata")
                return once(MetadataKey, key), readMetadata(value, c);
            return skip();
        case 9:
            if (key == "sourceIPs")
                return once(SourceIpsKey, key), readSourceIps(value, c);
            if (key == "userAgent")
                return once(UserAgentKey, key), readString(value, f.userAgent, "userAgent", c);
            if (key == "objectRef")
                return once(ObjectRefKey, key), readObjectRef(value, c);
            if (key == "timestamp")
                return once(TimestampKey, key), readTime(value, f.timestamp, "timestamp", c);
            return skip();
        case 10:
            if (key == "requestURI")
                return once(RequestUriKey, key), checkRequestUri(value, c);
            if (key == "apiVersion")
                return once(ApiVersionKey, key),
                       readString(value, f.eventApiVersion, "apiVersion", c);
            return skip();
        case 11:
            if (key == "annotations")
                return once(AnnotationsKey, key), readAnnotations(value, c);
            return skip();
        case 13:
            if (key != "requestObject")
                return skip();
            once(RequestObjectKey, key);
            f.hasRequestObject = !isNull(value);
            return true;
        case 14:
            if (key == "responseObject") {
                once(ResponseObjectKey, key);
                f.hasResponseObject = !isNull(value);
                return true;
            }
            if (key == "responseStatus")
                return once(ResponseStatusKey, key), readResponseStatus(value, c);
            if (key == "stageTimestamp")
                return once(StageTimestampKey, key),
                       readTime(value, f.stageTime, "stageTimestamp", c);
            return skip();
        case 16:
            if (key == "impersonatedUser")
                return once(ImpersonatedUserKey, key), readImpersonatedUser(value, c);
            return skip();
        case 24:
            if (key == "requestReceivedTimestamp")
                return once(ReceivedKey, key),
                       readTime(value, f.received, "requestReceivedTimestamp", c);
            return skip();
        default:
            return skip();
        }
    };
    for (auto result : object) {
        od::field field;
        if (const auto code = std::move(result).get(field)) {
            c.error = describe(code);
            return false;
        }
        const std::string_view key = keyOf(field);
        unread = false;
        if (!read(key, field.value()))
            return false;
        if (unread)
            noteUnreadKey(field, key, c);
    }
    return true;
}

void EventParser::commit(const EventFields& f, std::uint16_t source, std::uint32_t lineIndex,
    std::uint64_t rawOffset, std::uint32_t rawLength, std::uint8_t extraFlags)
{
    Segment& s = m_segment;
    StringPools& p = s.pools;
    auto intern = [](StringPool& pool, const std::optional<std::string_view>& text) {
        return text ? pool.intern(*text) : UINT32_MAX;
    };
    // v1beta1 fallbacks (spec §9.2): timestamp / metadata.creationTimestamp.
    // No time at all: the "no time" bucket after every timed event (latency 0).
    const std::int64_t received = f.received ? *f.received
        : f.timestamp                        ? *f.timestamp
        : f.creationTimestamp                ? *f.creationTimestamp
                                             : NoTimeNs;
    const std::int64_t stageTime = received == NoTimeNs ? NoTimeNs
        : f.stageTime                                   ? *f.stageTime
        : f.creationTimestamp                           ? *f.creationTimestamp
                                                        : received;
    s.timeNs.push_back(received);
    s.stageTimeNs.push_back(stageTime);
    s.stage.push_back(f.stage ? *parseStage(*f.stage) : Stage::Unknown);
    s.level.push_back(f.level ? *parseLevel(*f.level) : Level::Unknown);
    std::uint8_t flags = extraFlags;
    if (f.hasObjectRef)
        flags |= HasObjectRef;
    if (f.hasRequestObject)
        flags |= HasRequestObject;
    if (f.hasResponseObject)
        flags |= HasResponseObject;
    if (f.truncated)
        flags |= Truncated;
    if (f.hasResponseStatus)
        flags |= HasResponseStatus;
    if (f.userEmpty)
        flags |= NoUser;
    s.flags.push_back(flags);
    s.code.push_back(f.code);
    s.verb.push_back(intern(p.verbs, f.verb));
    s.user.push_back(intern(p.users, f.username));
    if (f.groups.empty()) {
        s.groupSet.push_back(UINT32_MAX);
    } else {
        m_groupKey.clear();
        for (std::string_view group : f.groups) {
            const std::uint32_t id = p.groups.intern(group);
            m_groupKey.append(reinterpret_cast<const char*>(&id), sizeof id);
        }
        const std::uint32_t set = s.groupSetKeys.intern(m_groupKey);
        if (set + 1 == s.groupSetOffsets.size()) { // new set: record its members
            for (std::size_t i = 0; i < m_groupKey.size(); i += 4) {
                std::uint32_t id;
                std::memcpy(&id, m_groupKey.data() + i, 4);
                s.groupSetMembers.push_back(id);
            }
            s.groupSetOffsets.push_back(static_cast<std::uint32_t>(s.groupSetMembers.size()));
        }
        s.groupSet.push_back(set);
    }
    s.impersonatedUser.push_back(intern(p.users, f.impersonatedUsername));
    s.sourceIp.push_back(intern(p.sourceIps, f.sourceIp));
    for (const std::string_view ip : f.extraSourceIps) // rare: X-Forwarded-For chains
        s.extraSourceIps.emplace_back(
            static_cast<std::uint32_t>(s.sourceIp.size() - 1), p.sourceIps.intern(ip));
    s.userAgent.push_back(intern(p.userAgents, f.userAgent));
    // A resource request always has a group ("" = core) even when objectRef omits it.
    s.apiGroup.push_back(f.hasObjectRef ? p.apiGroups.intern(f.apiGroup.value_or("")) : UINT32_MAX);
    s.apiVersion.push_back(intern(p.apiVersions, f.apiVersion));
    s.resource.push_back(intern(p.resources, f.resource));
    s.subresource.push_back(intern(p.subresources, f.subresource));
    s.namespaceId.push_back(intern(p.namespaces, f.namespaceName));
    s.name.push_back(intern(p.names, f.name));
    s.decision.push_back(intern(p.decisions, f.decision));
    s.auditId.push_back(f.auditId ? p.auditIds.intern(*f.auditId) : UINT32_MAX);
    s.source.push_back(source);
    s.line.push_back(lineIndex);
    s.rawOffset.push_back(rawOffset);
    s.rawLength.push_back(rawLength);
}

void EventParser::addDiagnostic(std::uint16_t source, std::uint32_t lineIndex, std::uint32_t column,
    std::string message, Severity severity)
{
    if (severity == Severity::Error)
        ++m_segment.errorCount;
    if (m_chunkDiagnostics >= m_diagnosticLimit) {
        std::vector<std::uint64_t>& omitted = severity == Severity::Error
            ? m_segment.omittedDiagnostics
            : severity == Severity::Warning ? m_segment.omittedWarnings
                                            : m_segment.omittedNotes;
        if (omitted.size() <= source)
            omitted.resize(std::size_t(source) + 1, 0);
        ++omitted[source];
        return;
    }
    ++m_chunkDiagnostics;
    m_segment.diagnostics.push_back(
        Diagnostic{source, lineIndex, column, std::move(message), severity});
}

void EventParser::noteForeignObject(
    std::uint16_t source, std::uint32_t lineIndex, std::string_view kind)
{
    auto& runs = m_segment.foreignObjects;
    if (runs.empty() || runs.back().chunk != m_chunk)
        runs.push_back(Segment::ForeignObjects{m_chunk, lineIndex, source, 0, snippet(kind)});
    ++runs.back().count;
}

std::uint32_t EventParser::SpanContext::lineOf(std::uint64_t offset) const
{
    if (!lineStarts)
        return lineIndex;
    const auto it = std::upper_bound(lineStarts->begin(), lineStarts->end(), offset);
    return static_cast<std::uint32_t>(it - lineStarts->begin() - 1);
}

std::pair<std::uint32_t, std::uint32_t> EventParser::SpanContext::locate(const char* at) const
{
    if (at < span->data || at > span->data + span->length)
        return {lineIndex, 0};
    const std::uint64_t offset = span->sourceOffset + static_cast<std::uint64_t>(at - span->data);
    const std::uint32_t line = lineOf(offset);
    const std::uint64_t start = lineStarts ? (*lineStarts)[line] : span->lineStart;
    return {line, static_cast<std::uint32_t>(offset - start + 1)};
}

void EventParser::finishEvent(const ParsedEvent& e, const SpanContext& where)
{
    const EventFields& f = e.fields;
    const std::uint16_t source = where.source;
    if (f.kind && *f.kind != "Event") {
        noteForeignObject(source, e.line, *f.kind);
        return;
    }
    // A core/v1 Event (`kubectl get events -o json`) is kind Event too: its apiVersion tells.
    if (f.eventApiVersion && !f.eventApiVersion->starts_with("audit.k8s.io/")) {
        noteForeignObject(source, e.line,
            std::string(f.kind.value_or("?")) + " of " + std::string(*f.eventApiVersion));
        return;
    }
    const bool anyTime = f.received || f.timestamp || f.creationTimestamp;
    if (!f.kind && !f.auditId && !f.stage && !anyTime) {
        addDiagnostic(source, e.line, 0,
            std::string(e.prefix) + "not an audit Event (no kind, auditID, stage or timestamp)");
        return;
    }
    // kube-apiserver always writes these; without them the event still says who did what.
    if (!f.auditId)
        e.warnings.push_back({e.text.data(), "missing auditID"});
    if (!anyTime)
        e.warnings.push_back({e.text.data(),
            "no usable requestReceivedTimestamp (nor a v1beta1 timestamp); listed under "
            "\"no time\", after every timed event"});
    checkNesting(e.text, e.warnings);
    for (FieldWarning& w : e.warnings) {
        const auto [line, column] = where.locate(w.at);
        addDiagnostic(
            source, line, column, std::string(e.prefix) + std::move(w.message), Severity::Warning);
    }
    commit(f, source, e.line, e.rawOffset, static_cast<std::uint32_t>(e.text.size()),
        e.flags | (e.warnings.empty() ? 0 : LoadedWithWarnings));
}

bool EventParser::parseItems(od::value value, const SpanContext& context, std::string& error)
{
    od::array items;
    if (value.get_array().get(items) != simdjson::SUCCESS) {
        error = "items: expected an array, found " + std::string(typeName(value));
        return false;
    }
    const Span& span = *context.span;
    std::size_t index = 0;
    for (auto element : items) {
        od::object item;
        std::string_view raw;
        error_code code = element.get_object().get(item);
        if (code == simdjson::INCORRECT_TYPE) {
            addDiagnostic(context.source, context.lineIndex, 0,
                "items[" + std::to_string(index++) + "]: not a JSON object");
            continue;
        }
        if (!code)
            code = item.raw_json().get(raw);
        if (code) {
            // Broken JSON: simdjson cannot find where the next item starts, so say that the
            // rest of the list is lost rather than dropping it silently.
            error = "items[" + std::to_string(index) + "]: " + describe(code)
                + "; this item and the ones after it could not be read";
            return false;
        }
        raw = trimmedRight(raw);
        const auto inSpan = static_cast<std::size_t>(raw.data() - span.data);
        const std::uint64_t offset = span.sourceOffset + inSpan;
        const std::uint32_t itemLine = context.lineOf(offset);
        // The list stays open in m_parser; each item is parsed on its own by m_itemParser.
        od::document itemDoc;
        od::object itemObject;
        EventFields& fields = *m_itemFields;
        fields.reset();
        m_itemWarnings.clear();
        std::string itemError;
        ReadContext c{fields, m_itemWarnings, itemError};
        const std::string prefix = "items[" + std::to_string(index) + "]: ";
        code = m_itemParser.iterate(raw.data(), raw.size(), span.capacity - inSpan).get(itemDoc);
        if (!code)
            code = itemDoc.get_object().get(itemObject);
        if (code)
            itemError = describe(code);
        if (itemError.empty() && parseEvent(itemObject, c, nullptr))
            finishEvent(
                ParsedEvent{fields, m_itemWarnings, raw, itemLine, offset, FromEventList, prefix},
                context);
        else
            addDiagnostic(context.source, itemLine, 0, prefix + itemError);
        ++index;
    }
    return true;
}

void EventParser::parseTopLevel(od::document& doc, const Span& span, std::uint16_t source,
    std::uint32_t lineIndex, const std::vector<std::uint64_t>* lineStarts)
{
    const SpanContext context{&span, source, lineIndex, lineStarts};
    auto column = [&]() -> std::uint32_t {
        const char* at = nullptr;
        if (doc.current_location().get(at) != simdjson::SUCCESS)
            return 0;
        return context.locate(at).second;
    };

    od::object object;
    if (auto error = doc.get_object().get(object)) {
        if (error == simdjson::INCORRECT_TYPE) {
            od::json_type type;
            const std::string found = doc.type().get(type) == simdjson::SUCCESS
                ? (type == od::json_type::array ? "an array" : "a scalar")
                : "invalid JSON";
            addDiagnostic(source, lineIndex, 1, "not a JSON object (found " + found + ")");
        } else {
            addDiagnostic(source, lineIndex, column(), describe(error));
        }
        return;
    }
    EventFields& fields = *m_fields;
    fields.reset();
    m_error.clear();
    m_warnings.clear();
    ReadContext c{fields, m_warnings, m_error};
    if (!parseEvent(object, c, &context)) {
        addDiagnostic(source, lineIndex, column(), m_error);
        return;
    }
    if (hasTrailingContent(doc)) {
        addDiagnostic(source, lineIndex, column(), "unexpected content after the JSON object");
        return;
    }
    if (fields.sawItems || (fields.kind && *fields.kind == "EventList"))
        return; // an EventList: its items were stored (or diagnosed) one by one
    finishEvent(ParsedEvent{fields, m_warnings, {span.data, span.length}, lineIndex,
                    span.sourceOffset, 0, {}},
        context);
}

EventParser::Span EventParser::privateCopy(const Span& span)
{
    const std::size_t needed = span.length + Padding;
    if (m_scratch.size() < needed)
        m_scratch.resize(needed); // only grows: resize() would zero-fill on every regrowth
    std::memcpy(m_scratch.data(), span.data, span.length);
    std::memset(m_scratch.data() + span.length, 0, Padding);
    Span copy = span;
    copy.data = m_scratch.data();
    copy.capacity = m_scratch.size();
    return copy;
}

void EventParser::parseLine(Span line, std::uint16_t source, std::uint32_t lineIndex, bool lastLine)
{
    // copytruncate leaves NUL bytes where the file's start was, glued to the next event.
    std::size_t nuls = 0;
    while (nuls < line.length && line.data[nuls] == '\0')
        ++nuls;
    if (nuls > 0) {
        addDiagnostic(source, lineIndex, 1,
            std::to_string(nuls)
                + " NUL bytes skipped (left by a file truncated while written, "
                  "such as logrotate's copytruncate)",
            Severity::Note);
        if (nuls == line.length)
            return;
        line.data += nuls, line.length -= nuls, line.capacity -= nuls, line.sourceOffset += nuls;
    }
    // A last line without '\n' that does not end in '}' was cut off (a log still being written).
    std::string_view text(line.data, line.length);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    const bool cutOff = lastLine && !text.empty() && text.back() != '}';
    const std::size_t before = m_segment.diagnostics.size();
    od::document doc;
    if (auto error = m_parser.iterate(line.data, line.length, line.capacity).get(doc))
        addDiagnostic(source, lineIndex, 0, describe(error));
    else
        parseTopLevel(doc, line, source, lineIndex, nullptr);
    if (!cutOff)
        return;
    for (std::size_t d = before; d < m_segment.diagnostics.size(); ++d) {
        Diagnostic& diagnostic = m_segment.diagnostics[d];
        if (diagnostic.severity == Severity::Error) {
            diagnostic.message =
                "truncated last line (no newline at end of file): " + diagnostic.message;
            break;
        }
    }
}

namespace {
// Longest line parsed. kube-apiserver's bodies are limited to a few MiB (etcd's request limit
// is 1.5 MiB); the bound keeps one hostile line from taking several times its size in memory.
constexpr std::size_t MaxLineBytes = std::size_t(1) << 30;
} // namespace

std::uint32_t EventParser::parseLines(const SourceBuffer& buffer, std::uint16_t source,
    std::uint32_t chunk, std::size_t begin, std::size_t end)
{
    m_chunk = chunk;
    m_chunkDiagnostics = 0;
    m_segment.runs.push_back(Segment::ChunkRun{chunk, static_cast<std::uint32_t>(m_segment.size()),
        static_cast<std::uint32_t>(m_segment.diagnostics.size())});
    const bool copyLines = mayChangeWhileRead(buffer);
    const std::string_view bytes = buffer.bytes();
    const char* data = bytes.data();
    std::uint32_t lineIndex = 0;
    std::size_t pos = begin;
    if (pos == 0 && bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF")
        pos = 3; // UTF-8 byte order mark
    while (pos < end) {
        const void* newline = std::memchr(data + pos, '\n', end - pos);
        const std::size_t lineEnd =
            newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - data) : end;
        std::size_t length = lineEnd - pos;
        if (length > 0 && data[pos + length - 1] == '\r')
            --length; // CRLF
        // Skip blank lines (only spaces and tabs): they carry no event.
        std::size_t first = pos;
        while (first < pos + length && (data[first] == ' ' || data[first] == '\t'))
            ++first;
        if (first < pos + length && length > MaxLineBytes) {
            // simdjson needs several times a line's size; a line this long is not an event.
            addDiagnostic(source, lineIndex, 0,
                "line of " + std::to_string(length) + " bytes, longer than the "
                    + std::to_string(MaxLineBytes >> 20) + " MiB an event can have: not parsed");
        } else if (first < pos + length) {
            Span span{data + pos, length, buffer.readableFrom(pos), pos, pos};
            if (copyLines || span.capacity < length + Padding)
                span = privateCopy(span); // also pads a line near the end of a mapping
            parseLine(span, source, lineIndex, newline == nullptr && end == bytes.size());
        }
        ++lineIndex;
        pos = lineEnd + 1;
    }
    return lineIndex;
}

bool EventParser::parseWholeDocument(
    const SourceBuffer& buffer, std::uint16_t source, std::uint32_t chunk)
{
    std::string_view bytes = buffer.bytes();
    std::size_t skip = bytes.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    Span span{bytes.data() + skip, bytes.size() - skip, buffer.readableFrom(skip), skip, 0};
    if (mayChangeWhileRead(buffer) || span.capacity < span.length + Padding)
        span = privateCopy(span);
    od::document doc;
    od::object object;
    std::string_view raw;
    if (m_parser.iterate(span.data, span.length, span.capacity).get(doc)
        || doc.get_object().get(object) || object.raw_json().get(raw) || hasTrailingContent(doc))
        return false;
    raw = trimmedRight(raw); // raw_json() includes whitespace up to the end of the file
    doc.rewind();
    // Lines are found in the copy simdjson parsed, so that they agree with its offsets.
    std::vector<std::uint64_t> lineStarts{0};
    for (std::size_t i = 0; i < span.length; ++i) {
        if (span.data[i] == '\n')
            lineStarts.push_back(skip + i + 1);
    }
    m_chunk = chunk;
    m_chunkDiagnostics = 0;
    m_segment.runs.push_back(Segment::ChunkRun{chunk, static_cast<std::uint32_t>(m_segment.size()),
        static_cast<std::uint32_t>(m_segment.diagnostics.size())});
    // A single Event's raw text is the whole object, from its '{' to its '}'.
    const std::size_t objectStart = static_cast<std::size_t>(raw.data() - span.data);
    Span objectSpan{span.data + objectStart, raw.size(), span.capacity - objectStart,
        span.sourceOffset + objectStart, 0};
    const std::uint32_t firstLine = static_cast<std::uint32_t>(
        std::upper_bound(lineStarts.begin(), lineStarts.end(), objectSpan.sourceOffset)
        - lineStarts.begin() - 1);
    parseTopLevel(doc, objectSpan, source, firstLine, &lineStarts);
    return true;
}

} // namespace auditscope
