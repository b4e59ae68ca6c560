// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policyquerycontext.h"
#include "query/fieldvaluecounts.h"
#include "query/findingquerycontext.h"
#include "query/query.h"
#include "store/eventstore.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace auditscope {

struct CompletionItem
{
    enum class Kind : std::uint8_t { Field, Value, Keyword };
    Kind kind = Kind::Field;
    std::string text; ///< what to insert (values quoted when needed)
    std::int64_t count = -1; ///< events with this value; -1 for fields and keywords
};

/// What to offer at a cursor: replace query[replaceOffset, replaceOffset + replaceLength).
struct Completions
{
    std::size_t replaceOffset = 0;
    std::size_t replaceLength = 0;
    std::string field; ///< the field whose values are offered; empty when offering fields
    std::vector<CompletionItem> items;
};

/// Completes field names, keywords, and the values of a field with their event counts (top by
/// count). Per-field counts are computed on first use (from the posting lists, or a column scan)
/// and cached; never waits for the chain integrity (see warmUp()). Holds the store alive; use
/// from one thread at a time.
class QueryCompleter
{
public:
    explicit QueryCompleter(EventStorePtr store);
    /// `cursor` is a byte offset into `text`.
    Completions complete(std::string_view text, std::size_t cursor, std::size_t maxItems = 20);
    /// Counts the values of every field now (tens of ms at 10 M events), so that later calls
    /// answer in microseconds. Call it from a worker after loading. chain: is counted only once
    /// the snapshot's chain integrity is known (chainIntegrityFor(), hundreds of ms at 10 M
    /// events, shared with detection); until then its values are offered without counts.
    void warmUp();
    /// The active policy's outcome (null: none). rule:, policylevel: and emitted: are offered,
    /// with counts, only with a context that covers the store.
    void setPolicyContext(PolicyQueryContextPtr context);
    /// The detection findings (null: none). finding: (rule ids) and severity are offered, with
    /// counts of events, only with findings that cover the store.
    void setFindingContext(FindingQueryContextPtr context);

private:
    const std::vector<FieldValueCount>& countsOf(QueryField field);
    std::string valueText(QueryField field, std::uint32_t id) const;
    /// Values of `field` that start with (or glob-match) `prefix`, to replace [from, to).
    Completions completeValues(QueryField field, std::string_view prefix, std::size_t from,
        std::size_t to, std::size_t maxItems);
    /// Field names, JSON path starts and keywords that start with `word`, to replace up to `to`.
    Completions completeFields(
        std::string_view word, std::size_t from, std::size_t to, std::size_t maxItems) const;

    bool hasPolicy() const { return m_policy && m_policy->covers(*m_store); }
    bool hasFindings() const { return m_findings && m_findings->covers(*m_store); }

    EventStorePtr m_store;
    PolicyQueryContextPtr m_policy;
    FindingQueryContextPtr m_findings;
    std::array<std::vector<FieldValueCount>, 32> m_counts;
    std::array<bool, 32> m_counted{};
};

} // namespace auditscope
