// SPDX-License-Identifier: Apache-2.0
#include "eventparser.h"

#include "common/timestamp.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace auditscope {

namespace od = simdjson::ondemand;
using simdjson::error_code;

namespace {

constexpr std::size_t Padding = simdjson::SIMDJSON_PADDING;

// Keys we read never contain escapes; an escaped key simply matches nothing we look for.
std::string_view keyOf(od::field& field)
{
    const char* begin = field.key().raw();
    const char* p = begin;
    while (*p != '"') {
        if (*p == '\\')
            return {};
        ++p;
    }
    return {begin, static_cast<std::size_t>(p - begin)};
}

std::string_view typeName(od::value& value)
{
    od::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS)
        return "invalid JSON";
    switch (type) {
    case od::json_type::array:
        return "an array";
    case od::json_type::object:
        return "an object";
    case od::json_type::number:
        return "a number";
    case od::json_type::string:
        return "a string";
    case od::json_type::boolean:
        return "a boolean";
    case od::json_type::null:
        return "null";
    }
    return "an unknown value";
}

std::string describe(error_code code)
{
    switch (code) {
    case simdjson::UTF8_ERROR:
        return "invalid UTF-8";
    case simdjson::UNESCAPED_CHARS:
        return "control character (such as NUL) inside a string";
    case simdjson::DEPTH_ERROR:
        return "JSON nested too deeply";
    case simdjson::CAPACITY:
        return "line too large to parse";
    case simdjson::MEMALLOC:
        return "out of memory";
    case simdjson::EMPTY:
        return "no JSON value";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
        return "incomplete JSON (unclosed object or array)";
    case simdjson::UNCLOSED_STRING:
        return "incomplete JSON (unclosed string)";
    case simdjson::TRAILING_CONTENT:
        return "unexpected content after the JSON value";
    default:
        return std::string("invalid JSON (") + simdjson::error_message(code) + ")";
    }
}

// A value quoted in a message: at most 64 bytes, cut on a UTF-8 character boundary, with
// control characters escaped so that a crafted log cannot drive the user's terminal.
std::string snippet(std::string_view text)
{
    std::size_t end = std::min<std::size_t>(text.size(), 64);
    while (end > 0 && end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end; // do not split a multi-byte character
    std::string out;
    for (const char c : text.substr(0, end)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
            static constexpr char Hex[] = "0123456789abcdef";
            out += "\\x";
            out.push_back(Hex[u >> 4]);
            out.push_back(Hex[u & 15]);
        } else {
            out.push_back(c);
        }
    }
    if (end < text.size())
        out += "...";
    return out;
}

// After the top-level value is consumed the iterator is out of bounds unless more follows.
bool hasTrailingContent(od::document& doc)
{
    const char* at = nullptr;
    return doc.current_location().get(at) == simdjson::SUCCESS;
}

bool isNull(od::value& value)
{
    bool null = false;
    return value.is_null().get(null) == simdjson::SUCCESS && null;
}

} // namespace

struct EventParser::Fields
{
    std::optional<std::string_view> kind, level, auditId, stage, verb, userAgent, sourceIp,
        username, impersonatedUsername, apiGroup, apiVersion, resource, subresource, namespaceName,
        name, decision;
    std::vector<std::string_view> groups;
    std::vector<std::string_view> extraSourceIps; ///< sourceIPs after the first
    bool userPresent = false;
    bool userEmpty = true;
    bool hasObjectRef = false, hasRequestObject = false, hasResponseObject = false;
    bool truncated = false, hasResponseStatus = false, sawItems = false;
    std::uint16_t code = 0;
    std::optional<std::int64_t> received, stageTime, timestamp, creationTimestamp;

    /// Clears for the next event, keeping the groups vector's memory (one malloc per event
    /// otherwise).
    void reset()
    {
        std::vector<std::string_view> keepGroups = std::move(groups);
        std::vector<std::string_view> keepIps = std::move(extraSourceIps);
        keepGroups.clear();
        keepIps.clear();
        *this = Fields{};
        groups = std::move(keepGroups);
        extraSourceIps = std::move(keepIps);
    }
};

namespace {

// Field readers: each returns false and sets `error` ("path: expected …, found …").
bool readString(od::value value, std::optional<std::string_view>& out, std::string_view path,
    std::string& error)
{
    std::string_view text;
    const error_code code = value.get_string().get(text);
    if (code == simdjson::SUCCESS) {
        out = text;
        return true;
    }
    if (isNull(value))
        return true; // null is the same as absent
    if (code != simdjson::INCORRECT_TYPE) {
        error = std::string(path) + ": invalid string (" + describe(code) + ")";
        return false;
    }
    error = std::string(path) + ": expected a string, found " + std::string(typeName(value));
    return false;
}

bool readTime(
    od::value value, std::optional<std::int64_t>& out, std::string_view path, std::string& error)
{
    std::optional<std::string_view> text;
    if (!readString(value, text, path, error))
        return false;
    if (!text)
        return true; // Go writes a zero time as null
    out = parseRfc3339(*text);
    if (!out) {
        error = std::string(path) + ": not an RFC 3339 timestamp in 1970..2261: \"" + snippet(*text)
            + "\"";
        return false;
    }
    return true;
}

bool expectObject(od::value value, od::object& out, std::string_view path, std::string& error)
{
    if (value.get_object().get(out) == simdjson::SUCCESS)
        return true;
    error = std::string(path) + ": expected an object, found " + std::string(typeName(value));
    return false;
}

bool expectArray(od::value value, od::array& out, std::string_view path, std::string& error)
{
    if (value.get_array().get(out) == simdjson::SUCCESS)
        return true;
    error = std::string(path) + ": expected an array, found " + std::string(typeName(value));
    return false;
}

// Reads an array of strings, calling sink(view) for each.
template <class Sink>
bool readStringArray(od::value value, std::string_view path, std::string& error, Sink sink)
{
    if (isNull(value))
        return true;
    od::array array;
    if (!expectArray(value, array, path, error))
        return false;
    std::size_t index = 0;
    for (auto element : array) {
        od::value item;
        if (const auto code = std::move(element).get(item)) {
            error = std::string(path) + ": " + describe(code);
            return false;
        }
        std::string_view text;
        if (item.get_string().get(text) != simdjson::SUCCESS) {
            error = std::string(path) + "[" + std::to_string(index) + "]: expected a string, found "
                + std::string(typeName(item));
            return false;
        }
        sink(text);
        ++index;
    }
    return true;
}

// Iterates an object's fields, calling handle(key, value) -> bool.
template <class Handle>
bool forEachField(od::object object, std::string_view path, std::string& error, Handle handle)
{
    for (auto result : object) {
        od::field field;
        if (const auto code = std::move(result).get(field)) {
            error = (path.empty() ? std::string() : std::string(path) + ": ") + describe(code);
            return false;
        }
        if (!handle(keyOf(field), field.value()))
            return false;
    }
    return true;
}

// Readers of the Event's nested objects, in the order parseEvent() dispatches to them. Each
// is called once per event that has the field; null is the same as absent.
using Fields = EventParser::Fields;

// user.uid and user.extra matter only as "the user is not empty" (an empty user is a failed
// authentication): any non-empty string or object counts.
void noteUserDetail(od::value v, Fields& f)
{
    if (isNull(v))
        return;
    od::json_type type;
    if (v.type().get(type) == simdjson::SUCCESS && type == od::json_type::object) {
        od::object extra;
        if (v.get_object().get(extra) == simdjson::SUCCESS) {
            for (auto any : extra) {
                (void)any;
                f.userEmpty = false;
                break;
            }
        }
        return;
    }
    std::string_view s;
    if (v.get_string().get(s) == simdjson::SUCCESS && !s.empty())
        f.userEmpty = false;
}

bool readUser(od::value value, Fields& f, std::string& error)
{
    if (isNull(value))
        return true;
    od::object user;
    if (!expectObject(value, user, "user", error))
        return false;
    f.userPresent = true;
    return forEachField(user, "user", error, [&](std::string_view k, od::value v) {
        if (k == "username") {
            if (!readString(v, f.username, "user.username", error))
                return false;
            f.userEmpty = f.userEmpty && (!f.username || f.username->empty());
            return true;
        }
        if (k == "groups")
            return readStringArray(v, "user.groups", error, [&](std::string_view g) {
                f.groups.push_back(g);
                f.userEmpty = false;
            });
        if (k == "uid" || k == "extra")
            noteUserDetail(v, f);
        return true;
    });
}

bool readMetadata(od::value value, Fields& f, std::string& error)
{
    if (isNull(value))
        return true;
    od::object metadata;
    if (!expectObject(value, metadata, "metadata", error))
        return false;
    return forEachField(metadata, "metadata", error, [&](std::string_view k, od::value v) {
        return k != "creationTimestamp"
            || readTime(v, f.creationTimestamp, "metadata.creationTimestamp", error);
    });
}

bool readSourceIps(od::value value, Fields& f, std::string& error)
{
    return readStringArray(value, "sourceIPs", error, [&](std::string_view ip) {
        if (!f.sourceIp)
            f.sourceIp = ip;
        else
            f.extraSourceIps.push_back(ip);
    });
}

bool readObjectRef(od::value value, Fields& f, std::string& error)
{
    if (isNull(value))
        return true;
    od::object ref;
    if (!expectObject(value, ref, "objectRef", error))
        return false;
    f.hasObjectRef = true;
    return forEachField(ref, "objectRef", error, [&](std::string_view k, od::value v) {
        if (k == "resource")
            return readString(v, f.resource, "objectRef.resource", error);
        if (k == "namespace")
            return readString(v, f.namespaceName, "objectRef.namespace", error);
        if (k == "name")
            return readString(v, f.name, "objectRef.name", error);
        if (k == "apiGroup")
            return readString(v, f.apiGroup, "objectRef.apiGroup", error);
        if (k == "apiVersion")
            return readString(v, f.apiVersion, "objectRef.apiVersion", error);
        if (k == "subresource")
            return readString(v, f.subresource, "objectRef.subresource", error);
        return true;
    });
}

// requestURI is kept in the raw line and read on demand; only its type is checked here
// (unescaping it would cost more than the rest of the line's strings).
bool checkRequestUri(od::value value, std::string& error)
{
    od::json_type type;
    if (value.type().get(type) == simdjson::SUCCESS
        && (type == od::json_type::string || type == od::json_type::null))
        return true;
    error = "requestURI: expected a string, found " + std::string(typeName(value));
    return false;
}

bool readAnnotations(od::value value, Fields& f, std::string& error)
{
    if (isNull(value))
        return true;
    od::object annotations;
    if (!expectObject(value, annotations, "annotations", error))
        return false;
    return forEachField(annotations, "annotations", error, [&](std::string_view k, od::value v) {
        if (k == "authorization.k8s.io/decision")
            return readString(
                v, f.decision, "annotations.\"authorization.k8s.io/decision\"", error);
        if (k == "audit.k8s.io/truncated") {
            std::optional<std::string_view> truncated;
            if (!readString(v, truncated, "annotations.\"audit.k8s.io/truncated\"", error))
                return false;
            f.truncated = truncated && *truncated == "true";
        }
        return true;
    });
}

bool readStatusCode(od::value v, std::uint16_t& out, std::string& error)
{
    std::int64_t code = 0;
    if (v.get_int64().get(code) != simdjson::SUCCESS) {
        error = "responseStatus.code: expected an integer, found " + std::string(typeName(v));
        return false;
    }
    if (code < 0 || code > 65535) {
        error = "responseStatus.code: " + std::to_string(code) + " is not an HTTP status";
        return false;
    }
    out = static_cast<std::uint16_t>(code);
    return true;
}

bool readResponseStatus(od::value value, Fields& f, std::string& error)
{
    if (isNull(value))
        return true;
    od::object status;
    if (!expectObject(value, status, "responseStatus", error))
        return false;
    f.hasResponseStatus = true;
    return forEachField(status, "responseStatus", error, [&](std::string_view k, od::value v) {
        return k != "code" || readStatusCode(v, f.code, error);
    });
}

bool readImpersonatedUser(od::value value, Fields& f, std::string& error)
{
    if (isNull(value))
        return true;
    od::object user;
    if (!expectObject(value, user, "impersonatedUser", error))
        return false;
    return forEachField(user, "impersonatedUser", error, [&](std::string_view k, od::value v) {
        return k != "username"
            || readString(v, f.impersonatedUsername, "impersonatedUser.username", error);
    });
}

} // namespace

EventParser::EventParser(Segment& segment, std::size_t diagnosticsPerChunk)
    : m_segment(segment)
    , m_diagnosticLimit(diagnosticsPerChunk)
    , m_fields(std::make_unique<Fields>())
    , m_itemFields(std::make_unique<Fields>())
{ }

EventParser::~EventParser() = default;

bool EventParser::parseEvent(
    od::object object, Fields& f, std::string& error, const ItemContext* items)
{
    // Dispatch on the key's length first: one comparison finds the few candidates.
    return forEachField(object, {}, error, [&](std::string_view key, od::value value) -> bool {
        switch (key.size()) {
        case 4:
            if (key == "kind")
                return readString(value, f.kind, "kind", error);
            if (key == "verb")
                return readString(value, f.verb, "verb", error);
            if (key == "user")
                return readUser(value, f, error);
            return true;
        case 5:
            if (key == "level")
                return readString(value, f.level, "level", error);
            if (key == "stage")
                return readString(value, f.stage, "stage", error);
            // An EventList's items; ignored in an Event (and in an item). Keys may come in any
            // order, so a list whose "kind" follows "items" is still a list.
            if (key == "items" && items && (!f.kind || *f.kind == "EventList")) {
                f.sawItems = true;
                return parseItems(value, *items, error);
            }
            return true;
        case 7:
            if (key == "auditID")
                return readString(value, f.auditId, "auditID", error);
            return true;
        case 8:
            if (key == "metadata")
                return readMetadata(value, f, error);
            return true;
        case 9:
            if (key == "sourceIPs")
                return readSourceIps(value, f, error);
            if (key == "userAgent")
                return readString(value, f.userAgent, "userAgent", error);
            if (key == "objectRef")
                return readObjectRef(value, f, error);
            if (key == "timestamp")
                return readTime(value, f.timestamp, "timestamp", error);
            return true;
        case 10:
            if (key == "requestURI")
                return checkRequestUri(value, error);
            return true;
        case 11:
            if (key == "annotations")
                return readAnnotations(value, f, error);
            return true;
        case 13:
            if (key == "requestObject")
                f.hasRequestObject = !isNull(value);
            return true;
        case 14:
            if (key == "responseObject")
                f.hasResponseObject = !isNull(value);
            else if (key == "responseStatus")
                return readResponseStatus(value, f, error);
            if (key == "stageTimestamp")
                return readTime(value, f.stageTime, "stageTimestamp", error);
            return true;
        case 16:
            if (key == "impersonatedUser")
                return readImpersonatedUser(value, f, error);
            return true;
        case 24:
            if (key == "requestReceivedTimestamp")
                return readTime(value, f.received, "requestReceivedTimestamp", error);
            return true;
        default:
            return true;
        }
    });
}

void EventParser::commit(const Fields& f, std::uint16_t source, std::uint32_t lineIndex,
    std::uint64_t rawOffset, std::uint32_t rawLength, std::uint8_t extraFlags)
{
    Segment& s = m_segment;
    StringPools& p = s.pools;
    auto intern = [](StringPool& pool, const std::optional<std::string_view>& text) {
        return text ? pool.intern(*text) : UINT32_MAX;
    };
    // v1beta1 fallbacks (spec §9.2): timestamp / metadata.creationTimestamp.
    const std::int64_t received = f.received ? *f.received
        : f.timestamp                        ? *f.timestamp
                                             : *f.creationTimestamp;
    const std::int64_t stageTime = f.stageTime ? *f.stageTime
        : f.creationTimestamp                  ? *f.creationTimestamp
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
    s.auditId.push_back(p.auditIds.intern(*f.auditId));
    s.source.push_back(source);
    s.line.push_back(lineIndex);
    s.rawOffset.push_back(rawOffset);
    s.rawLength.push_back(rawLength);
}

void EventParser::addDiagnostic(
    std::uint16_t source, std::uint32_t lineIndex, std::uint32_t column, std::string message)
{
    if (m_chunkDiagnostics >= m_diagnosticLimit) {
        if (m_segment.omittedDiagnostics.size() <= source)
            m_segment.omittedDiagnostics.resize(std::size_t(source) + 1, 0);
        ++m_segment.omittedDiagnostics[source];
        return;
    }
    ++m_chunkDiagnostics;
    m_segment.diagnostics.push_back(Diagnostic{source, lineIndex, column, std::move(message)});
}

namespace {

// Checks what an Event must have before it can be stored; returns an error or "".
std::string checkRequired(const EventParser::Fields& f)
{
    if (f.kind && *f.kind != "Event")
        return "not an audit Event (kind \"" + snippet(*f.kind) + "\")";
    if (!f.auditId)
        return "missing auditID";
    if (!f.received && !f.timestamp && !f.creationTimestamp)
        return "missing requestReceivedTimestamp (and no v1beta1 timestamp)";
    if (f.stage && !parseStage(*f.stage))
        return "stage: unknown stage \"" + snippet(*f.stage) + "\"";
    if (f.level && !parseLevel(*f.level))
        return "level: unknown level \"" + snippet(*f.level) + "\"";
    return {};
}

} // namespace

std::uint32_t EventParser::ItemContext::lineOf(std::uint64_t offset) const
{
    if (!lineStarts)
        return lineIndex;
    const auto it = std::upper_bound(lineStarts->begin(), lineStarts->end(), offset);
    return static_cast<std::uint32_t>(it - lineStarts->begin() - 1);
}

bool EventParser::parseItems(od::value value, const ItemContext& context, std::string& error)
{
    od::array items;
    if (!expectArray(value, items, "items", error))
        return false;
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
        // raw_json() runs to the next structural character: drop the whitespace before it.
        while (!raw.empty()
            && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r'
                || raw.back() == '\t'))
            raw.remove_suffix(1);
        const auto inSpan = static_cast<std::size_t>(raw.data() - span.data);
        const std::uint64_t offset = span.sourceOffset + inSpan;
        const std::uint32_t itemLine = context.lineOf(offset);
        // The list stays open in m_parser; each item is parsed on its own by m_itemParser.
        od::document itemDoc;
        od::object itemObject;
        Fields& fields = *m_itemFields;
        fields.reset();
        std::string itemError;
        code = m_itemParser.iterate(raw.data(), raw.size(), span.capacity - inSpan).get(itemDoc);
        if (!code)
            code = itemDoc.get_object().get(itemObject);
        if (code)
            itemError = describe(code);
        else if (parseEvent(itemObject, fields, itemError, nullptr))
            itemError = checkRequired(fields);
        if (itemError.empty())
            commit(fields, context.source, itemLine, offset, static_cast<std::uint32_t>(raw.size()),
                FromEventList);
        else
            addDiagnostic(
                context.source, itemLine, 0, "items[" + std::to_string(index) + "]: " + itemError);
        ++index;
    }
    return true;
}

void EventParser::parseTopLevel(od::document& doc, const Span& span, std::uint16_t source,
    std::uint32_t lineIndex, const std::vector<std::uint64_t>* lineStarts)
{
    const ItemContext context{&span, source, lineIndex, lineStarts};
    auto column = [&]() -> std::uint32_t {
        const char* at = nullptr;
        if (doc.current_location().get(at) != simdjson::SUCCESS || at < span.data
            || at > span.data + span.length)
            return 0;
        const std::uint64_t offset = span.sourceOffset + static_cast<std::uint64_t>(at - span.data);
        const std::uint64_t start =
            lineStarts ? (*lineStarts)[context.lineOf(offset)] : span.sourceOffset;
        return static_cast<std::uint32_t>(offset - start + 1);
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
    Fields& fields = *m_fields;
    fields.reset();
    m_error.clear();
    if (!parseEvent(object, fields, m_error, &context)) {
        addDiagnostic(source, lineIndex, column(), m_error);
        return;
    }
    if (hasTrailingContent(doc)) {
        addDiagnostic(source, lineIndex, column(), "unexpected content after the JSON object");
        return;
    }
    if (fields.sawItems || (fields.kind && *fields.kind == "EventList"))
        return; // an EventList: its items were stored (or diagnosed) one by one
    m_error = checkRequired(fields);
    if (!m_error.empty()) {
        addDiagnostic(source, lineIndex, 0, m_error);
        return;
    }
    commit(
        fields, source, lineIndex, span.sourceOffset, static_cast<std::uint32_t>(span.length), 0);
}

void EventParser::parseLine(
    const Span& line, std::uint16_t source, std::uint32_t lineIndex, bool lastLine)
{
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
    if (cutOff && m_segment.diagnostics.size() > before) {
        Diagnostic& d = m_segment.diagnostics[before];
        d.message = "truncated last line (no newline at end of file): " + d.message;
    }
}

std::uint32_t EventParser::parseLines(const SourceBuffer& buffer, std::uint16_t source,
    std::uint32_t chunk, std::size_t begin, std::size_t end)
{
    m_chunkDiagnostics = 0;
    m_segment.runs.push_back(Segment::ChunkRun{chunk, static_cast<std::uint32_t>(m_segment.size()),
        static_cast<std::uint32_t>(m_segment.diagnostics.size())});
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
        if (first < pos + length) {
            Span span{data + pos, length, buffer.readableFrom(pos), pos};
            if (span.capacity < length + Padding) {
                // Near the end of a mapping: parse a padded copy.
                m_scratch.resize(length + Padding);
                std::memcpy(m_scratch.data(), data + pos, length);
                std::memset(m_scratch.data() + length, 0, Padding);
                span.data = m_scratch.data();
                span.capacity = m_scratch.size();
            }
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
    Span span{bytes.data() + skip, bytes.size() - skip, buffer.readableFrom(skip), skip};
    if (span.capacity < span.length + Padding) {
        m_scratch.assign(span.data, span.data + span.length);
        m_scratch.resize(span.length + Padding, 0);
        span.data = m_scratch.data();
        span.capacity = m_scratch.size();
    }
    od::document doc;
    od::object object;
    std::string_view raw;
    if (m_parser.iterate(span.data, span.length, span.capacity).get(doc)
        || doc.get_object().get(object) || object.raw_json().get(raw) || hasTrailingContent(doc))
        return false;
    while (!raw.empty()
        && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
        raw.remove_suffix(1); // raw_json() includes whitespace up to the end of the file
    doc.rewind();
    std::vector<std::uint64_t> lineStarts{0};
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\n')
            lineStarts.push_back(i + 1);
    }
    m_chunkDiagnostics = 0;
    m_segment.runs.push_back(Segment::ChunkRun{chunk, static_cast<std::uint32_t>(m_segment.size()),
        static_cast<std::uint32_t>(m_segment.diagnostics.size())});
    // A single Event's raw text is the whole object, from its '{' to its '}'.
    const std::size_t objectStart = static_cast<std::size_t>(raw.data() - span.data);
    Span objectSpan{span.data + objectStart, raw.size(), span.capacity - objectStart,
        span.sourceOffset + objectStart};
    const std::uint32_t firstLine = static_cast<std::uint32_t>(
        std::upper_bound(lineStarts.begin(), lineStarts.end(), objectSpan.sourceOffset)
        - lineStarts.begin() - 1);
    parseTopLevel(doc, objectSpan, source, firstLine, &lineStarts);
    return true;
}

} // namespace auditscope
