// SPDX-License-Identifier: Apache-2.0
#include "rawfieldreader.h"

namespace auditscope {

std::optional<std::string> RawFieldReader::topLevelString(
    const EventStore& store, EventId id, std::string_view key)
{
    simdjson::ondemand::document doc;
    std::string_view value;
    if (m_parser.parse(store, id).get(doc) || doc.find_field_unordered(key).get_string().get(value))
        return std::nullopt;
    return std::string(value);
}

} // namespace auditscope
