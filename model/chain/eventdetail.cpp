// SPDX-License-Identifier: Apache-2.0
#include "eventdetail.h"

namespace auditscope {

namespace {

namespace od = simdjson::ondemand;

constexpr std::string_view LatencyPrefix = "apiserver.latency.k8s.io/";

simdjson::error_code readString(od::value value, std::string& out)
{
    std::string_view text;
    if (auto error = value.get_string().get(text))
        return error;
    out.assign(text);
    return simdjson::SUCCESS;
}

// The value's JSON text as logged (raw_json() of a container, the token of a scalar).
simdjson::error_code readRaw(od::value value, std::string& out)
{
    od::json_type type;
    if (auto error = value.type().get(type))
        return error;
    std::string_view raw;
    if (type == od::json_type::object) {
        od::object object;
        if (auto error = value.get_object().get(object))
            return error;
        if (auto error = object.raw_json().get(raw))
            return error;
    } else if (type == od::json_type::array) {
        od::array array;
        if (auto error = value.get_array().get(array))
            return error;
        if (auto error = array.raw_json().get(raw))
            return error;
    } else {
        raw = value.raw_json_token();
    }
    while (!raw.empty()
        && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
        raw.remove_suffix(1);
    out.assign(raw);
    return simdjson::SUCCESS;
}

/// Calls `fn(key, value)` for each member of the object `value`; stops at the first error.
template <class Fn>
simdjson::error_code forEachMember(od::value value, Fn&& fn)
{
    od::object object;
    if (auto error = value.get_object().get(object))
        return error;
    for (auto member : object) {
        od::field field;
        std::string_view key;
        if (auto error = std::move(member).get(field))
            return error;
        if (auto error = field.unescaped_key().get(key))
            return error;
        fn(key, field.value());
    }
    return simdjson::SUCCESS;
}

simdjson::error_code readStatus(od::value value, EventDetail& d)
{
    return forEachMember(value, [&d](std::string_view key, od::value member) {
        std::string* target = key == "status" ? &d.status
            : key == "message"                ? &d.message
            : key == "reason"                 ? &d.reason
                                              : nullptr;
        if (target && readString(member, *target))
            target->clear(); // not a string: leave it out
    });
}

simdjson::error_code readAnnotations(od::value value, EventDetail& d)
{
    return forEachMember(value, [&d](std::string_view key, od::value member) {
        std::string text;
        if (!readString(member, text))
            d.annotations.emplace_back(std::string(key), std::move(text));
    });
}

} // namespace

std::string_view EventDetail::annotation(std::string_view key) const
{
    for (const auto& [k, v] : annotations)
        if (k == key)
            return v;
    return {};
}

std::vector<std::pair<std::string, std::string>> EventDetail::latencyAnnotations() const
{
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : annotations)
        if (std::string_view(k).starts_with(LatencyPrefix))
            out.emplace_back(k.substr(LatencyPrefix.size()), v);
    return out;
}

EventDetail EventDetailReader::read(const EventStore& store, EventId id)
{
    EventDetail d;
    od::document doc;
    od::object object;
    simdjson::error_code error = m_parser.parse(store, id).get(doc);
    if (!error)
        error = doc.get_object().get(object);
    if (!error) {
        for (auto member : object) {
            od::field field;
            std::string_view key;
            if ((error = std::move(member).get(field)) || (error = field.unescaped_key().get(key)))
                break;
            if (key == "requestURI")
                error = readString(field.value(), d.requestUri);
            else if (key == "responseStatus")
                error = readStatus(field.value(), d);
            else if (key == "annotations")
                error = readAnnotations(field.value(), d);
            else if (key == "requestObject")
                error = readRaw(field.value(), d.requestObject);
            else if (key == "responseObject")
                error = readRaw(field.value(), d.responseObject);
            if (error)
                break;
        }
    }
    if (error) {
        d.error = std::string("cannot re-read the event: ") + simdjson::error_message(error);
        return d;
    }
    d.valid = true;
    return d;
}

} // namespace auditscope
