// SPDX-License-Identifier: Apache-2.0
#include "postingscan.h"

namespace auditscope {

namespace {

// The events of one list that are candidates.
RowSet oneListRows(const PostingIndex& index, std::uint32_t key, const Candidates& cand)
{
    RowSet out;
    if (!cand.list) {
        index.forEach(key, [&](EventId e) {
            if (e.value >= cand.lo && e.value < cand.hi)
                out.push_back(e);
        });
        return out;
    }
    const RowSet& list = *cand.list;
    std::size_t i = 0;
    index.forEach(key, [&](EventId e) {
        while (i < list.size() && list[i] < e)
            ++i;
        if (i < list.size() && list[i] == e)
            out.push_back(e);
    });
    return out;
}

} // namespace

const PostingIndex* postingIndexOf(const EventIndexes& ix, QueryField field)
{
    switch (field) {
    case QueryField::User:
        return &ix.byUser;
    case QueryField::Group:
        return &ix.byGroupSet;
    case QueryField::Verb:
        return &ix.byVerb;
    case QueryField::Resource:
        return &ix.byResource;
    case QueryField::Namespace:
        return &ix.byNamespace;
    case QueryField::Name:
        return &ix.byName;
    case QueryField::Code:
        return &ix.byCode;
    case QueryField::Stage:
        return &ix.byStage;
    case QueryField::Level:
        return &ix.byLevel;
    case QueryField::Ip:
        return &ix.bySourceIp;
    case QueryField::UserAgent:
        return &ix.byUserAgent;
    case QueryField::AuditId:
        return &ix.byAuditId;
    default:
        return nullptr;
    }
}

bool markPostings(const PostingIndex& index, const std::vector<std::uint32_t>& keys,
    RowBitmap& bits, CancelFlag& cancel)
{
    for (std::size_t k = 0; k < keys.size(); ++k) {
        if ((k & 0xFF) == 0 && cancel.poll())
            return false;
        index.forEach(keys[k], [&](EventId e) { bits.set(e); });
    }
    return true;
}

RowSet postingRows(const PostingIndex& index, const std::vector<std::uint32_t>& keys,
    const Candidates& cand, std::uint32_t rows, CancelFlag& cancel)
{
    if (keys.empty())
        return {};
    if (keys.size() == 1)
        return oneListRows(index, keys.front(), cand);
    RowBitmap bits(rows);
    if (!markPostings(index, keys, bits, cancel))
        return {};
    if (!cand.list)
        return bits.rows(cand.lo, cand.hi);
    RowSet out;
    for (EventId e : *cand.list)
        if (bits.test(e))
            out.push_back(e);
    return out;
}

} // namespace auditscope
