// SPDX-License-Identifier: Apache-2.0
// Field readers: a value of the wrong type (or a time that is not one) is what kube-apiserver's
// own Go decoder would refuse, but the responder still wants to see the event, so it becomes a
// warning and the field counts as absent. Only broken JSON inside a value we read makes the
// event unusable (Go's decoder would not get past it either).
#include "load/fieldreaders.h"

#include "common/timestamp.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <iterator>

namespace auditscope {

using simdjson::error_code;

void EventFields::reset()
{
    std::vector<std::string_view> keepGroups = std::move(groups);
    std::vector<std::string_view> keepIps = std::move(extraSourceIps);
    keepGroups.clear();
    keepIps.clear();
    *this = EventFields{};
    groups = std::move(keepGroups);
    extraSourceIps = std::move(keepIps);
}

// Keys we read never contain escapes; an escaped key simply matches nothing we look for. Eight
// bytes at a time: every key of every event comes through here. The text is padded (simdjson
// needs that too), so reading up to 7 bytes past the closing quote stays in the buffer.
std::string_view keyOf(od::field& field)
{
    static_assert(std::endian::native == std::endian::little); // the first byte is the lowest
    constexpr std::uint64_t Ones = 0x0101010101010101ull, Highs = 0x8080808080808080ull;
    auto zeroBytes = [](std::uint64_t v) { return (v - Ones) & ~v & Highs; }; // lowest one exact
    const char* begin = field.key().raw();
    for (const char* p = begin;; p += 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        const std::uint64_t quote = zeroBytes(word ^ (Ones * '"'));
        const std::uint64_t escape = zeroBytes(word ^ (Ones * '\\'));
        if ((quote | escape) == 0)
            continue;
        const int quoteAt = quote ? std::countr_zero(quote) / 8 : 8;
        const int escapeAt = escape ? std::countr_zero(escape) / 8 : 8;
        if (escapeAt < quoteAt)
            return {};
        return {begin, static_cast<std::size_t>(p - begin + quoteAt)};
    }
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

// Cut on a UTF-8 character boundary, with control characters escaped so that a crafted log
// cannot drive the user's terminal.
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

bool isNull(od::value& value)
{
    bool null = false;
    return value.is_null().get(null) == simdjson::SUCCESS && null;
}

void warnDuplicateKey(std::string_view key, std::string_view path, ReadContext& c)
{
    const std::string where = path.empty() ? std::string() : std::string(path) + ": ";
    c.warnings.push_back({key.data() - 1,
        where + "duplicate key \"" + std::string(key)
            + "\"; the last value is used, as kube-apiserver reads it"});
}

namespace {

// The top-level keys of an Event that EventParser reads ("items" only in an EventList).
constexpr std::string_view ReadTopLevelKeys[] = {"kind", "verb", "user", "level", "stage",
    "auditID", "metadata", "sourceIPs", "userAgent", "objectRef", "timestamp", "requestURI",
    "apiVersion", "annotations", "requestObject", "responseObject", "responseStatus",
    "stageTimestamp", "impersonatedUser", "requestReceivedTimestamp"};

bool equalsIgnoringAsciiCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char ch) { return ch >= 'A' && ch <= 'Z' ? char(ch + 32) : ch; };
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

} // namespace

void noteUnreadKey(od::field& field, std::string_view key, ReadContext& c)
{
    const char* at = field.key().raw() - 1; // the key's opening quote
    const bool escaped = key.empty() && at[1] != '"';
    if (escaped && field.unescaped_key().get(key) != simdjson::SUCCESS)
        return;
    for (const std::string_view read : ReadTopLevelKeys) {
        if (!equalsIgnoringAsciiCase(key, read))
            continue;
        c.warnings.push_back({at,
            "key \"" + snippet(key) + "\" is not read: kube-apiserver writes \"" + std::string(read)
                + "\"" + (escaped ? " without escapes" : " (keys are case-sensitive)")});
        return;
    }
}

namespace {

const char* whereOf(od::value& value)
{
    return value.raw_json_token().data();
}

void warnType(od::value& value, std::string_view path, std::string_view expected, ReadContext& c)
{
    c.warnings.push_back({whereOf(value),
        std::string(path) + ": expected " + std::string(expected) + ", found "
            + std::string(typeName(value)) + "; read as absent"});
}

// The object of `value`, or false: null (the same as absent) or another type (a warning).
bool objectOf(od::value& value, od::object& out, std::string_view path, ReadContext& c)
{
    if (value.get_object().get(out) == simdjson::SUCCESS)
        return true;
    if (!isNull(value))
        warnType(value, path, "an object", c);
    return false;
}

// Iterates an object's fields, calling handle(key, value) -> bool.
template <class Handle>
bool forEachField(od::object object, std::string_view path, ReadContext& c, Handle handle)
{
    for (auto result : object) {
        od::field field;
        if (const auto code = std::move(result).get(field)) {
            c.error = std::string(path) + ": " + describe(code);
            return false;
        }
        if (!handle(keyOf(field), field.value()))
            return false;
    }
    return true;
}

// Reads an array of strings, calling sink(view) for each; an element of another type is
// skipped with a warning.
template <class Sink>
bool readStringArray(od::value value, std::string_view path, ReadContext& c, Sink sink)
{
    if (isNull(value))
        return true;
    od::array array;
    if (value.get_array().get(array) != simdjson::SUCCESS) {
        warnType(value, path, "an array", c);
        return true;
    }
    std::size_t index = 0;
    for (auto element : array) {
        od::value item;
        if (const auto code = std::move(element).get(item)) {
            c.error = std::string(path) + ": " + describe(code);
            return false;
        }
        std::string_view text;
        if (item.get_string().get(text) == simdjson::SUCCESS)
            sink(text);
        else
            warnType(item, std::string(path) + "[" + std::to_string(index) + "]", "a string", c);
        ++index;
    }
    return true;
}

// user.uid and user.extra matter only as "the user is not empty" (an empty user is a failed
// authentication): any non-empty string or object counts.
void noteUserDetail(od::value v, EventFields& f)
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

bool readStatusCode(od::value v, std::uint16_t& out, ReadContext& c)
{
    std::int64_t code = 0;
    if (v.get_int64().get(code) != simdjson::SUCCESS) {
        if (!isNull(v))
            warnType(v, "responseStatus.code", "an integer", c);
        out = 0;
        return true;
    }
    if (code < 0 || code > 65535) {
        c.warnings.push_back({whereOf(v),
            "responseStatus.code: " + std::to_string(code)
                + " is not an HTTP status; read as absent"});
        code = 0;
    }
    out = static_cast<std::uint16_t>(code);
    return true;
}

} // namespace

bool readString(
    od::value value, std::optional<std::string_view>& out, std::string_view path, ReadContext& c)
{
    std::string_view text;
    const error_code code = value.get_string().get(text);
    if (code == simdjson::SUCCESS) {
        out = text;
        return true;
    }
    if (isNull(value))
        return true; // null is the same as absent (and, as in Go, keeps an earlier value)
    if (code != simdjson::INCORRECT_TYPE) {
        c.error = std::string(path) + ": invalid string (" + describe(code) + ")";
        return false;
    }
    warnType(value, path, "a string", c);
    out.reset();
    return true;
}

bool readKind(od::value value, std::optional<std::string_view>& out, ReadContext& c)
{
    std::string_view text;
    if (value.get_string().get(text) == simdjson::SUCCESS) {
        out = text;
        return true;
    }
    if (isNull(value))
        return true;
    c.error = "kind: expected a string, found " + std::string(typeName(value));
    return false;
}

bool readTime(
    od::value value, std::optional<std::int64_t>& out, std::string_view path, ReadContext& c)
{
    std::optional<std::string_view> text;
    if (!readString(value, text, path, c))
        return false;
    if (!text)
        return true; // Go writes a zero time as null
    out = parseRfc3339(*text);
    if (out)
        return true;
    const bool zero = text->starts_with("0001-01-01T00:00:00");
    c.warnings.push_back({whereOf(value),
        std::string(path) + ": "
            + (zero ? "Go's zero time" : "not an RFC 3339 timestamp in 1970..2261") + " \""
            + snippet(*text) + "\"; read as absent"});
    return true;
}

bool readKnownString(od::value value, std::optional<std::string_view>& out, std::string_view path,
    bool (*known)(std::string_view), std::string_view what, ReadContext& c)
{
    const char* at = whereOf(value);
    if (!readString(value, out, path, c))
        return false;
    if (out && !known(*out)) {
        c.warnings.push_back({at,
            std::string(path) + ": unknown " + std::string(what) + " \"" + snippet(*out)
                + "\"; read as absent"});
        out.reset();
    }
    return true;
}

bool readUser(od::value value, ReadContext& c)
{
    EventFields& f = c.fields;
    od::object user;
    if (!objectOf(value, user, "user", c))
        return true;
    f.userPresent = true;
    std::uint32_t seen = 0;
    return forEachField(user, "user", c, [&](std::string_view k, od::value v) {
        if (k == "username") {
            noteKey(seen, 1, k, "user", c);
            if (!readString(v, f.username, "user.username", c))
                return false;
            f.userEmpty = f.userEmpty && (!f.username || f.username->empty());
            return true;
        }
        if (k == "groups") {
            noteKey(seen, 2, k, "user", c);
            f.groups.clear(); // Go replaces a slice
            return readStringArray(v, "user.groups", c, [&](std::string_view g) {
                f.groups.push_back(g);
                f.userEmpty = false;
            });
        }
        if (f.userEmpty && (k == "uid" || k == "extra")) // else nothing to learn: skipped
            noteUserDetail(v, f);
        return true;
    });
}

bool readMetadata(od::value value, ReadContext& c)
{
    od::object metadata;
    if (!objectOf(value, metadata, "metadata", c))
        return true;
    std::uint32_t seen = 0;
    return forEachField(metadata, "metadata", c, [&](std::string_view k, od::value v) {
        if (k != "creationTimestamp")
            return true;
        noteKey(seen, 1, k, "metadata", c);
        return readTime(v, c.fields.creationTimestamp, "metadata.creationTimestamp", c);
    });
}

bool readSourceIps(od::value value, ReadContext& c)
{
    EventFields& f = c.fields;
    f.sourceIp.reset();
    f.extraSourceIps.clear();
    return readStringArray(value, "sourceIPs", c, [&](std::string_view ip) {
        if (!f.sourceIp)
            f.sourceIp = ip;
        else
            f.extraSourceIps.push_back(ip);
    });
}

bool readObjectRef(od::value value, ReadContext& c)
{
    EventFields& f = c.fields;
    od::object ref;
    if (!objectOf(value, ref, "objectRef", c))
        return true;
    f.hasObjectRef = true;
    struct Key
    {
        std::string_view name, path;
        std::optional<std::string_view> EventFields::*out;
    };
    static constexpr Key Keys[] = {{"resource", "objectRef.resource", &EventFields::resource},
        {"namespace", "objectRef.namespace", &EventFields::namespaceName},
        {"name", "objectRef.name", &EventFields::name},
        {"apiGroup", "objectRef.apiGroup", &EventFields::apiGroup},
        {"apiVersion", "objectRef.apiVersion", &EventFields::apiVersion},
        {"subresource", "objectRef.subresource", &EventFields::subresource}};
    std::uint32_t seen = 0;
    return forEachField(ref, "objectRef", c, [&](std::string_view k, od::value v) {
        for (std::uint32_t i = 0; i < std::size(Keys); ++i) {
            if (k == Keys[i].name) {
                noteKey(seen, 1u << i, k, "objectRef", c);
                return readString(v, f.*Keys[i].out, Keys[i].path, c);
            }
        }
        return true;
    });
}

// requestURI is kept in the raw line and read on demand; only its type is checked here
// (unescaping it would cost more than the rest of the line's strings).
bool checkRequestUri(od::value value, ReadContext& c)
{
    od::json_type type;
    if (value.type().get(type) == simdjson::SUCCESS
        && (type == od::json_type::string || type == od::json_type::null))
        return true;
    warnType(value, "requestURI", "a string", c);
    return true;
}

bool readAnnotations(od::value value, ReadContext& c)
{
    EventFields& f = c.fields;
    od::object annotations;
    if (!objectOf(value, annotations, "annotations", c))
        return true;
    std::uint32_t seen = 0;
    return forEachField(annotations, "annotations", c, [&](std::string_view k, od::value v) {
        if (k == "authorization.k8s.io/decision") {
            noteKey(seen, 1, k, "annotations", c);
            return readString(v, f.decision, "annotations.\"authorization.k8s.io/decision\"", c);
        }
        if (k == "audit.k8s.io/truncated") {
            noteKey(seen, 2, k, "annotations", c);
            std::optional<std::string_view> truncated;
            if (!readString(v, truncated, "annotations.\"audit.k8s.io/truncated\"", c))
                return false;
            f.truncated = truncated && *truncated == "true";
        }
        return true;
    });
}

bool readResponseStatus(od::value value, ReadContext& c)
{
    od::object status;
    if (!objectOf(value, status, "responseStatus", c))
        return true;
    c.fields.hasResponseStatus = true;
    std::uint32_t seen = 0;
    return forEachField(status, "responseStatus", c, [&](std::string_view k, od::value v) {
        if (k != "code")
            return true;
        noteKey(seen, 1, k, "responseStatus", c);
        return readStatusCode(v, c.fields.code, c);
    });
}

bool readImpersonatedUser(od::value value, ReadContext& c)
{
    od::object user;
    if (!objectOf(value, user, "impersonatedUser", c))
        return true;
    std::uint32_t seen = 0;
    return forEachField(user, "impersonatedUser", c, [&](std::string_view k, od::value v) {
        if (k != "username")
            return true;
        noteKey(seen, 1, k, "impersonatedUser", c);
        return readString(v, c.fields.impersonatedUsername, "impersonatedUser.username", c);
    });
}

} // namespace auditscope
