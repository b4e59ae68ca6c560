// SPDX-License-Identifier: Apache-2.0
// The reference evaluator (runQueryBruteForce): every row, every term, no index and no
// planning, so that tests can hold the planned evaluation against it.
#include "query/queryengine.h"

#include "query/rawmatcher.h"
#include "query/rowmatcher.h"

namespace auditscope {

RowSet runQueryBruteForce(const EventStore& store, const Query& query, const QueryOptions& options)
{
    if (query.nodes.empty())
        return {};
    const RowMatcher matcher(store, query, options);
    RawMatcher raw;
    RowSet out;
    const auto rows = static_cast<std::uint32_t>(store.size());
    for (std::uint32_t row = 0; row < rows; ++row) {
        if (matcher.matches(row, raw))
            out.push_back(EventId{row});
    }
    return out;
}

} // namespace auditscope
