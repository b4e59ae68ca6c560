// SPDX-License-Identifier: Apache-2.0
#include "rawfieldreader.h"

#include "report/rawjsonscan.h"

namespace auditscope {

std::optional<std::string> RawFieldReader::topLevelString(
    const EventStore& store, EventId id, std::string_view key)
{
    // Most lines answer a byte scan (requestURI is near the start of each event): a full parse
    // reads the bodies too, and the policy index asks this for a third of 10 M events.
    const RawScan scan = scanTopLevelString(store.rawJson(id), key);
    if (scan.result == RawScanResult::Found && !scan.escaped)
        return std::string(scan.value);
    if (scan.result == RawScanResult::Absent)
        return std::nullopt;
    simdjson::ondemand::document doc;
    std::string_view value;
    if (m_parser.parse(store, id).get(doc) || doc.find_field_unordered(key).get_string().get(value))
        return std::nullopt;
    return std::string(value);
}

} // namespace auditscope
