// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "chain/chainintegrity.h"
#include "policy/policyquerycontext.h"
#include "query/cancelflag.h"
#include "query/cidr.h"
#include "query/findingquerycontext.h"
#include "query/query.h"
#include "store/eventstore.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace auditscope {

/// What one field term accepts, worked out once per query from the store's dictionaries so that
/// matching a row is a table lookup: the accepted pool ids, codes, levels, ... and the posting
/// list keys to read when the field is indexed.
struct PreparedTerm
{
    bool ready = false;
    bool exact = false; ///< one key: compare ids with `key`
    std::uint32_t key = UINT32_MAX;
    std::vector<std::uint8_t> matches; ///< per pool id / code / enum / group set / source
    std::vector<std::uint32_t> keys; ///< posting-list keys to union
    bool indexable = false;
    std::int64_t lo = std::numeric_limits<std::int64_t>::min();
    std::int64_t hi = std::numeric_limits<std::int64_t>::max(); ///< inclusive (time, level)
    std::optional<Cidr> cidr;
    std::string prefilter; ///< Json, Text: see rawPrefilterFor
    std::int64_t estimate = -1; ///< events, for ordering; -1 = not computed
    ChainIntegrityPtr chains; ///< Chain: the store's flags; `matches` is per flag byte
    /// Rule, PolicyLevel, Emitted: the active policy's outcome per event (null: no policy for
    /// this store, nothing matches); `matches` is per rule + 1, per level, per emitted.
    const PolicyEventMatch* policyEvents = nullptr;
    /// PolicyChange: the compared policy's outcome per event; `matches` is per PolicyChange.
    const PolicyEventMatch* baselineEvents = nullptr;
    /// Finding, Severity: the findings per event (null: none for this store, nothing matches);
    /// `matches` is per rule index (Finding) or per topSeverity value (Severity; 0 = none).
    const FindingQueryContext* findings = nullptr;
};

/// Prepares the terms of one query on demand and keeps them, with what several terms share
/// (the chain integrity pass, whether codes above the index occur). One per evaluation.
class TermPreparer final
{
public:
    /// `policy` and `findings` (either may be null) and `cancel` must outlive the preparer; a
    /// chain pass that is stopped sets `cancel`.
    TermPreparer(const EventStore& store, const Query& query, const PolicyQueryContext* policy,
        const FindingQueryContext* findings, CancelFlag& cancel);

    /// The prepared Match node `index` of the query.
    PreparedTerm& prepare(std::uint32_t index);

private:
    void prepareField(PreparedTerm& p, const QueryNode& n);
    template <class Pool>
    void preparePool(PreparedTerm& p, const QueryNode& n, const Pool& pool);
    void prepareAuditId(PreparedTerm& p, const QueryNode& n);
    void prepareGroup(PreparedTerm& p, const QueryNode& n);
    void prepareCode(PreparedTerm& p, const QueryNode& n);
    void prepareStageOrLevel(PreparedTerm& p, const QueryNode& n);
    void prepareTime(PreparedTerm& p, const QueryNode& n);
    void prepareFile(PreparedTerm& p, const QueryNode& n);
    void prepareChain(PreparedTerm& p, const QueryNode& n);
    void preparePolicy(PreparedTerm& p, const QueryNode& n);
    void prepareFindings(PreparedTerm& p, const QueryNode& n);
    bool hasUnindexedCodes();

    const EventStore& m_store;
    const Query& m_query;
    const PolicyQueryContext* m_policy;
    const FindingQueryContext* m_findings;
    CancelFlag& m_cancel;
    std::vector<PreparedTerm> m_prepared; ///< per node
    int m_unindexedCodes = -1; ///< -1 unknown, else whether a code >= 1000 occurs
    ChainIntegrityPtr m_chains; ///< chain: terms share one integrity pass
};

} // namespace auditscope
