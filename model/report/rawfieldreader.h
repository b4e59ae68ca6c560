// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "report/raweventparser.h"
#include "store/eventstore.h"

#include <optional>
#include <string>
#include <string_view>

namespace auditscope {

/// Re-reads fields that the store does not keep as columns (requestURI, ...) from an event's
/// raw JSON. One instance per thread; cheap to reuse.
class RawFieldReader
{
public:
    /// The top-level string field `key` of the event, unescaped; nullopt if absent or not a string.
    std::optional<std::string> topLevelString(
        const EventStore& store, EventId id, std::string_view key);

private:
    RawEventParser m_parser;
};

} // namespace auditscope
