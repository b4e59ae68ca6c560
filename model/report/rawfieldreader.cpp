// SPDX-License-Identifier: Apache-2.0
#include "rawfieldreader.h"

#include <cstring>

namespace auditscope {

std::optional<std::string> RawFieldReader::topLevelString(
    const EventStore& store, EventId id, std::string_view key)
{
    const std::string_view raw = store.rawJson(id);
    const SourceBuffer& buffer = *store.sourceOf(id).buffer;
    const char* data = raw.data();
    std::size_t capacity = buffer.readableFrom(store.rawOffset[id.value]);
    if (capacity < raw.size() + simdjson::SIMDJSON_PADDING) {
        m_scratch.assign(raw.begin(), raw.end());
        m_scratch.resize(raw.size() + simdjson::SIMDJSON_PADDING, 0);
        data = m_scratch.data();
        capacity = m_scratch.size();
    }
    simdjson::ondemand::document doc;
    std::string_view value;
    if (m_parser.iterate(data, raw.size(), capacity).get(doc)
        || doc.find_field_unordered(key).get_string().get(value))
        return std::nullopt;
    return std::string(value);
}

} // namespace auditscope
