// SPDX-License-Identifier: Apache-2.0
#include "fieldresolver.h"

#include "query/querychars.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace auditscope {

namespace {

// Top-level keys of an audit Event (spec §9) that may start a JSON path.
constexpr std::array<std::string_view, 20> EventKeys{"kind", "apiVersion", "level", "auditID",
    "stage", "requestURI", "verb", "user", "impersonatedUser", "authenticationMetadata",
    "sourceIPs", "userAgent", "objectRef", "responseStatus", "requestObject", "responseObject",
    "requestReceivedTimestamp", "stageTimestamp", "annotations", "metadata"};

// The fields with a name of their own: aliases, column paths, `uri` and `reason`.
bool resolveNamed(const std::string& key, ResolvedField& out)
{
    for (const FieldName& f : queryFieldNames()) {
        if (asciiLowered(f.name) == key) {
            out.field = f.field;
            return true;
        }
    }
    if (key == "uri" || key == "requesturi") {
        out.path = {"requestURI"};
        return true;
    }
    if (key == "reason") {
        out.path = {"annotations", "authorization.k8s.io/reason"};
        return true;
    }
    return false;
}

bool startsAtEventKey(const std::vector<std::string>& segments)
{
    const std::string first = asciiLowered(segments.front());
    return !segments.front().empty()
        && std::any_of(EventKeys.begin(), EventKeys.end(),
            [&](std::string_view k) { return asciiLowered(k) == first; });
}

// "unknown field": did you mean the closest alias, JSON path or event key?
std::string unknownFieldMessage(const std::string& key, std::string_view fieldText)
{
    std::string best;
    std::size_t bestDistance = SIZE_MAX;
    auto consider = [&](std::string_view candidate) {
        const std::size_t d = asciiEditDistance(key, candidate);
        if (d < bestDistance) {
            bestDistance = d;
            best = std::string(candidate);
        }
    };
    for (const FieldName& f : queryFieldNames())
        consider(f.name);
    consider("uri");
    consider("reason");
    for (std::string_view k : EventKeys)
        consider(k);
    std::string message = "unknown field '" + std::string(fieldText) + "'";
    if (bestDistance <= std::max<std::size_t>(2, key.size() / 3))
        message += "; did you mean '" + best + "'?";
    else
        message += "; quote text to search for it";
    return message;
}

} // namespace

bool resolveQueryField(const std::vector<std::string>& segments, std::string_view fieldText,
    ResolvedField& out, std::string& error)
{
    std::string key;
    for (const std::string& s : segments) {
        if (!key.empty())
            key += '.';
        key += asciiLowered(s);
    }
    if (resolveNamed(key, out))
        return true;
    if (!startsAtEventKey(segments)) {
        error = unknownFieldMessage(key, fieldText);
        return false;
    }
    for (const std::string& s : segments) {
        if (s.empty()) {
            error = "empty segment in field '" + std::string(fieldText) + "'";
            return false;
        }
    }
    out.path = segments;
    return true;
}

} // namespace auditscope
