// SPDX-License-Identifier: Apache-2.0
// The keys stateful rules keep their state per (`by`: user, ip, user agent, ...), read from
// the store's columns as interned ids. Internal to model/detect.
#pragma once

#include "query/query.h"
#include "store/eventstore.h"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace auditscope {

/// The interned id of column field `field` in `row` (pool id, code, stage, level, source);
/// UINT32_MAX when the event has none. Fields without a column read as 0 (one value).
std::uint32_t columnIdOf(const EventStore& store, QueryField field, std::uint32_t row);
/// The text of id `id` of `field` ("" for none): "alice", "10.0.0.1", "403".
std::string columnText(const EventStore& store, QueryField field, std::uint32_t id);

/// A key's value: the ids of its fields, in `by` order.
struct RuleKey
{
    static constexpr std::size_t MaxFields = 4; ///< further `by` fields are not told apart
    std::array<std::uint32_t, MaxFields> ids{};
    bool operator==(const RuleKey&) const = default;
};
struct RuleKeyHash
{
    std::size_t operator()(const RuleKey& k) const
    {
        std::uint64_t h = 0x9E3779B97F4A7C15ULL;
        for (std::uint32_t id : k.ids)
            h = (h ^ id) * 0x100000001B3ULL + (h >> 29);
        return static_cast<std::size_t>(h);
    }
};

/// Reads the keys of one rule (`by`, per user when empty).
class RuleKeyReader final
{
public:
    RuleKeyReader(const EventStore& store, const std::vector<QueryField>& by);

    RuleKey keyOf(std::uint32_t row) const;
    /// Whether the event had every field of the key (a failed login has no user).
    bool complete(const RuleKey& key) const;
    /// "alice", or the fields joined with " @ ": "alice @ 10.0.0.1"; "(none)" for a field the
    /// event does not have.
    std::string text(const RuleKey& key) const;
    /// Calls fn(row) for every event of `key`, ascending, through the posting list of one of its
    /// fields (O(that list)); false, calling nothing, when none of its fields has one for that
    /// value (an unindexed store, a key field without an index or without a value).
    bool forEachEventOf(const RuleKey& key, const std::function<void(std::uint32_t)>& fn) const;

private:
    const EventStore& m_store;
    std::vector<QueryField> m_fields;
};

} // namespace auditscope
