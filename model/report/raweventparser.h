// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/eventstore.h"

#include <simdjson.h>

#include <string_view>
#include <vector>

namespace auditscope {

/// Re-parses one event's raw JSON with simdjson On-Demand, in place in its source buffer when
/// the bytes after the event can serve as simdjson's padding (mapped files, and the padded
/// buffers of decompressed ones), else from a padded copy in a scratch buffer (the last event
/// of a mapped file). Holds the parser and the scratch buffer: one instance per thread, reused
/// across events, so that re-reading allocates nothing per event once warm.
class RawEventParser final
{
public:
    /// The event's document; it borrows this parser and the event's bytes, and is valid until
    /// the next call.
    simdjson::simdjson_result<simdjson::ondemand::document> parse(
        const EventStore& store, EventId id);
    /// The same, for `raw` == store.rawJson(id) when the caller already looked it up.
    simdjson::simdjson_result<simdjson::ondemand::document> parse(
        const EventStore& store, EventId id, std::string_view raw);

private:
    simdjson::ondemand::parser m_parser;
    std::vector<char> m_scratch;
};

} // namespace auditscope
