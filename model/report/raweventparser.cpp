// SPDX-License-Identifier: Apache-2.0
#include "raweventparser.h"

namespace auditscope {

simdjson::simdjson_result<simdjson::ondemand::document> RawEventParser::parse(
    const EventStore& store, EventId id)
{
    return parse(store, id, store.rawJson(id));
}

simdjson::simdjson_result<simdjson::ondemand::document> RawEventParser::parse(
    const EventStore& store, EventId id, std::string_view raw)
{
    const SourceBuffer& buffer = *store.sourceOf(id).buffer;
    const char* data = raw.data();
    std::size_t capacity = buffer.readableFrom(store.rawOffset[id.value]);
    if (capacity < raw.size() + simdjson::SIMDJSON_PADDING) {
        m_scratch.assign(raw.begin(), raw.end());
        m_scratch.resize(raw.size() + simdjson::SIMDJSON_PADDING, 0);
        data = m_scratch.data();
        capacity = m_scratch.size();
    }
    return m_parser.iterate(data, raw.size(), capacity);
}

} // namespace auditscope
