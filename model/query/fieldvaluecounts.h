// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policyquerycontext.h"
#include "query/findingquerycontext.h"
#include "query/query.h"
#include "store/eventstore.h"

#include <cstdint>
#include <vector>

namespace auditscope {

/// Events with one value of a field. `id` is the pool id (user, verb, group, ...), the source
/// index (file), the code, the Stage or Level, the chain flag index (ChainFlagCount: ok), the
/// rule + 1 (0: none), emitted (0/1), the PolicyChange, the detection rule index (finding:) or
/// 1 + the severity (severity).
struct FieldValueCount
{
    std::uint32_t id;
    std::uint64_t count;
};

/// The values of `field` that occur in `store`, most events first (ties in id order): from the
/// posting lists when the store is indexed, else by a column scan. Policy fields read `policy`
/// (may be null), and only when it covers the store (policychange: when it compares on it);
/// finding: and severity read `findings` the same way (an event counts once per rule that
/// flagged it, and under its highest severity). Json and Text have no value list. chain: reads
/// the store's chain integrity if it was computed (chainIntegrityFor()), and has no values
/// before; it waits for a computation under way.
std::vector<FieldValueCount> countFieldValues(const EventStorePtr& store,
    const PolicyQueryContext* policy, QueryField field,
    const FindingQueryContext* findings = nullptr);

} // namespace auditscope
