// SPDX-License-Identifier: Apache-2.0
// The readers of an audit Event's fields, for EventParser. Internal to model/load.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

/// What one Event holds, as views into the parser's buffers.
struct EventFields
{
    std::optional<std::string_view> eventApiVersion; ///< the object's own, not objectRef's
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

    /// Clears for the next event, keeping the vectors' memory (one malloc per event otherwise).
    void reset();
};

/// An odd value in an event that still loads: where (a pointer into the parsed text) and what.
struct FieldWarning
{
    const char* at;
    std::string message;
};

/// What the readers fill: the fields, the warnings, and the error that makes the event
/// unusable (broken JSON inside a value we read). Readers return false only with `error` set.
struct ReadContext
{
    EventFields& fields;
    std::vector<FieldWarning>& warnings;
    std::string& error;
};

namespace od = simdjson::ondemand;

/// "a string", "an object", ... for messages.
std::string_view typeName(od::value& value);
/// A readable reason for a simdjson error.
std::string describe(simdjson::error_code code);
/// A value quoted in a message: at most 64 bytes, control characters escaped.
std::string snippet(std::string_view text);
/// The key of `field` as written (a view into the parsed text); empty if it has escapes.
std::string_view keyOf(od::field& field);
bool isNull(od::value& value);

/// The warning about a key given twice in one object (noteKey()'s rare case).
void warnDuplicateKey(std::string_view key, std::string_view path, ReadContext& c);

/// Warns about a top-level key of an Event that is not read but names, ignoring ASCII case and
/// JSON escapes, one that is (`RequestObject`, `request\u004fbject`): the event loads without
/// that member, while a query's JSON path, whose keys are case-insensitive, still finds it.
/// The warning (LoadedWithWarnings) keeps the member flags (HasRequestObject, ...) a sound
/// shortcut for JSON-path terms. `key` is keyOf(field).
void noteUnreadKey(od::field& field, std::string_view key, ReadContext& c);

/// Warns if `bit` is already set in `seen` (a key repeated in one object; the last value is
/// used, as Go's encoding/json does), then sets it. Inline: it runs for every key read.
inline void noteKey(std::uint32_t& seen, std::uint32_t bit, std::string_view key,
    std::string_view path, ReadContext& c)
{
    if (seen & bit) [[unlikely]]
        warnDuplicateKey(key, path, c);
    seen |= bit;
}

// Readers of the Event's fields, each called with the value of its key.
bool readString(
    od::value value, std::optional<std::string_view>& out, std::string_view path, ReadContext& c);
/// `kind` says what the object is: another type than a string makes it unusable.
bool readKind(od::value value, std::optional<std::string_view>& out, ReadContext& c);
bool readTime(
    od::value value, std::optional<std::int64_t>& out, std::string_view path, ReadContext& c);
/// A string that must be one of a closed set (stage, level): another value is warned about and
/// read as absent.
bool readKnownString(od::value value, std::optional<std::string_view>& out, std::string_view path,
    bool (*known)(std::string_view), std::string_view what, ReadContext& c);
bool readUser(od::value value, ReadContext& c);
bool readMetadata(od::value value, ReadContext& c);
bool readSourceIps(od::value value, ReadContext& c);
bool readObjectRef(od::value value, ReadContext& c);
bool checkRequestUri(od::value value, ReadContext& c);
bool readAnnotations(od::value value, ReadContext& c);
bool readResponseStatus(od::value value, ReadContext& c);
bool readImpersonatedUser(od::value value, ReadContext& c);

} // namespace auditscope
