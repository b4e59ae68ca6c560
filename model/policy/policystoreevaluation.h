// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policyevaluator.h"
#include "store/eventstore.h"
#include "store/stringpool.h"

#include <cstdint>
#include <memory>
#include <stop_token>
#include <vector>

namespace auditscope {

/// The distinct request-attribute tuples of a store (spec §5) and, per event, which tuple it
/// has. Built once per store (it re-reads requestURI for create/update and non-resource
/// events); re-evaluating a policy then costs one evaluation per tuple plus one pass over the
/// events. Keeps the store alive. Immutable after build; readable from any thread.
class PolicyAttributeIndex
{
public:
    /// Uses up to `threads` threads (0: up to 2 from 64 K events on); tuple ids are the same
    /// whatever the count (in the order of their first event). Null when `stop` was requested.
    static std::shared_ptr<const PolicyAttributeIndex> build(
        EventStorePtr store, unsigned threads = 0, std::stop_token stop = {});

    std::size_t tupleCount() const { return m_tuples.size(); }
    std::size_t eventCount() const { return m_slotOfEvent.size(); }
    std::uint32_t tupleOf(EventId id) const
    {
        return m_slotOfEvent[id.value] / static_cast<std::uint32_t>(StageCount);
    }
    /// Per event: tuple * StageCount + stage, the index into a per-(tuple, stage) table, so
    /// that mapping decisions back to events is one gather per event. The only per-event
    /// column (4 bytes an event): the tuple is the slot / StageCount.
    const std::vector<std::uint32_t>& slotOfEvent() const { return m_slotOfEvent; }
    /// Events per tuple (all stages).
    const std::vector<std::uint64_t>& eventsPerTuple() const { return m_eventsPerTuple; }
    const EventStore& store() const { return *m_store; }

    /// The attributes of tuple `index`; string views stay valid while this index lives.
    RequestAttributesView view(std::size_t index) const;
    /// An owning copy (for display and tests).
    RequestAttributes attributes(std::size_t index) const;

    /// Packed tuple: ids into the store's pools (user, group set, verb, apiGroup, resource,
    /// subresource) or into this index's own pool (namespace, name, path). UINT32_MAX = none.
    struct Tuple
    {
        std::uint32_t user, groupSet, verb, apiGroup, resource, subresource, namespaceName, name,
            path;
        std::uint32_t bits; ///< 1 = has user, 2 = resource request
        friend bool operator==(const Tuple&, const Tuple&) = default;
    };
    const Tuple& tuple(std::size_t index) const { return m_tuples[index]; }

private:
    PolicyAttributeIndex() = default;
    std::string_view text(std::uint32_t id) const
    {
        return id == UINT32_MAX ? std::string_view() : m_strings.view(id);
    }

    EventStorePtr m_store;
    StringPool m_strings; ///< namespaces, names and paths as the policy saw them
    std::vector<Tuple> m_tuples;
    std::vector<std::uint32_t> m_slotOfEvent;
    std::vector<std::uint64_t> m_eventsPerTuple;
    std::vector<std::vector<std::string_view>> m_groupViews; ///< per store group set
};

/// One event's outcome in 4 bytes: rule index + 1 (24 bits), level (4 bits), flags (4 bits).
class PolicyEventMatch
{
public:
    PolicyEventMatch() = default;
    PolicyEventMatch(int rule, Level level, bool emitted, bool omitManagedFields)
        : m_packed((static_cast<std::uint32_t>(rule + 1) & 0xFFFFFFu)
            | (static_cast<std::uint32_t>(level) << 24) | (emitted ? 1u << 28 : 0u)
            | (omitManagedFields ? 1u << 29 : 0u))
    { }
    int rule() const { return static_cast<int>(m_packed & 0xFFFFFFu) - 1; }
    Level level() const { return static_cast<Level>((m_packed >> 24) & 0xFu); }
    bool emitted() const { return (m_packed >> 28) & 1u; }
    bool omitManagedFields() const { return (m_packed >> 29) & 1u; }

private:
    std::uint32_t m_packed = 0;
};

/// A policy's outcome for every event of a store, in store order.
struct PolicyStoreResult
{
    std::vector<PolicyDecision> tupleDecisions; ///< per distinct tuple
    std::vector<PolicyEventMatch> events; ///< per event
    /// Events per rule (index rule + 1; [0] = no rule matched).
    std::vector<std::uint64_t> eventsPerRule;
    /// Distinct tuples after keeping only the attributes this policy reads.
    std::size_t keyedTuples = 0;
};

/// Which request attributes a policy's rules read (spec §4): a rule without `users` never looks
/// at the user name, a policy without `resourceNames` never at the name, and so on.
struct PolicyAttributeUse
{
    bool userName = false, groups = false, verb = false, namespaceName = false,
         groupResource = false, name = false, path = false;
};
PolicyAttributeUse attributeUseOf(const Policy& policy);

/// Evaluates each distinct tuple once and maps the decisions back to the events; `emitted`
/// uses each event's logged stage (spec §7). Tuples are first keyed on the attributes the
/// policy reads (attributeUseOf), so one evaluation serves every tuple that differs only in
/// attributes the policy ignores. Uses up to `threads` threads (0 = up to 2; the budget is
/// 10 M events in 100 ms on 2 cores). Pure function of its inputs; call it off the GUI thread.
PolicyStoreResult evaluateStore(
    const PolicyEvaluator& evaluator, const PolicyAttributeIndex& index, unsigned threads = 0);
/// The same into `result`, reusing its buffers (after an edit, pass the previous result: the
/// per-event column is then overwritten in place instead of faulting in fresh pages).
void evaluateStoreInto(PolicyStoreResult& result, const PolicyEvaluator& evaluator,
    const PolicyAttributeIndex& index, unsigned threads = 0);

} // namespace auditscope
