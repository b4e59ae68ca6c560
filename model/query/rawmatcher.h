// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "query/query.h"
#include "report/raweventparser.h"
#include "store/eventstore.h"

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace auditscope {

/// Fields whose terms re-read the raw event: JSON paths and bare words.
inline bool isRawField(QueryField f)
{
    return f == QueryField::Json || f == QueryField::Text;
}

/// The EventFlag bit of the top-level member (requestObject, responseObject, objectRef,
/// responseStatus) that a Json term's path descends into, or 0: a term with a path of two steps
/// or more under one of them can match only an event that has the member (null does not count),
/// and the loader flags the member whenever it reads it. The loader reads keys exactly as
/// kube-apiserver writes them, while a path's keys are case-insensitive; an event with a key it
/// did not read but that names the member (another case, JSON escapes) or with the member twice
/// loaded with a warning. So the term can match only events with
/// `flags & (memberFlagFor(n) | LoadedWithWarnings)`: see mayHaveMember().
std::uint8_t memberFlagFor(const QueryNode& n);

/// Whether an event with `flags` may match a term whose memberFlagFor() is `member`.
inline bool mayHaveMember(std::uint8_t flags, std::uint8_t member)
{
    return !member || (flags & (member | LoadedWithWarnings));
}

/// Literal text that must occur in an event's raw JSON for a Json or Text term to match (JSON
/// escaping aside): a bare word itself, or the longest run without `*` of a `:` value. Empty
/// when nothing can be required (comparisons; text that JSON writers may escape).
std::string rawPrefilterFor(const QueryNode& n);

/// Matches Json terms (a key path, keys case-insensitive, arrays searched element by element)
/// and Text terms (a substring) against events' raw JSON: a substring prefilter, then one
/// On-Demand pass along the path, down to MaxJsonDepth levels of the event (deeper parts of a
/// body are skipped by simdjson, without recursion). Keeps the parsed document of the last
/// event, so that several Json terms (of one query or of several) on the same event parse it
/// once (On-Demand `rewind()`). Counts the bytes and events it read, each event once however
/// many terms read it in a row. One per thread.
class RawMatcher final
{
public:
    /// Whether event `row` matches the Json or Text term `n`; `prefilter` is
    /// rawPrefilterFor(n).
    bool matches(
        const EventStore& store, std::uint32_t row, const QueryNode& n, std::string_view prefilter);
    std::uint64_t bytes() const { return m_bytes; }
    std::uint64_t events() const { return m_events; }

private:
    /// The event's top-level object, from the kept document when `raw` is the last one parsed.
    bool objectOf(const EventStore& store, std::uint32_t row, std::string_view raw,
        simdjson::ondemand::object& object);

    // `depth`: the path step to match; `nesting`: containers entered (bounded by MaxJsonDepth).
    bool matchObject(simdjson::ondemand::object& object, std::size_t depth, int nesting);
    bool matchValue(simdjson::ondemand::value& value, std::size_t depth, int nesting);
    bool matchLeaf(simdjson::ondemand::value& value, int nesting);
    bool compareNumber(std::string_view text) const;
    bool walkFailed()
    {
        m_walkFailed = true;
        return false;
    }

    RawEventParser m_parser;
    const QueryNode* m_node = nullptr; ///< the term being matched
    std::uint64_t m_bytes = 0, m_events = 0;
    /// The last event counted and the last one parsed, by the address of its raw bytes (unique
    /// among live events, whatever the store), and whether its parse succeeded.
    const char* m_countedRaw = nullptr;
    const char* m_parsedRaw = nullptr;
    bool m_parsedOk = false;
    bool m_walkFailed = false; ///< the last walk of m_doc met a simdjson error
    simdjson::ondemand::document m_doc;
};

} // namespace auditscope
