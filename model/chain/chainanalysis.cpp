// SPDX-License-Identifier: Apache-2.0
#include "chainanalysis.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <unordered_map>

namespace auditscope {

AttributeComparer::AttributeComparer(const EventStore& store)
    : m_store(store)
    , m_emptyNamespace(store.pools.namespaces.find(""))
    , m_emptyName(store.pools.names.find(""))
{ }

bool AttributeComparer::targetsDiffer(std::size_t a, std::size_t b) const
{
    const EventStore& s = m_store;
    return s.verb[a] != s.verb[b] || s.apiGroup[a] != s.apiGroup[b]
        || s.resource[a] != s.resource[b] || s.subresource[a] != s.subresource[b];
}

std::uint8_t AttributeComparer::differences(std::size_t a, std::size_t b) const
{
    const EventStore& s = m_store;
    std::uint8_t out = 0;
    if (s.user[a] != s.user[b] || s.impersonatedUser[a] != s.impersonatedUser[b])
        out |= ReuseUsers;
    if (s.sourceIp[a] != s.sourceIp[b])
        out |= ReuseSourceIps;
    if (targetsDiffer(a, b))
        out |= ReuseTargets;
    const auto bothSetAndDiffer = [](auto x, auto y, std::uint32_t empty) {
        return x && y && x.value != empty && y.value != empty && x != y;
    };
    if (bothSetAndDiffer(s.namespaceId[a], s.namespaceId[b], m_emptyNamespace)
        || bothSetAndDiffer(s.name[a], s.name[b], m_emptyName))
        out |= ReuseTargets;
    return out;
}

namespace {

// The distinct non-empty values of a lenient column (namespace, name) among several events.
class NonEmptyValues
{
public:
    template <class IdT>
    NonEmptyValues(IdT first, std::uint32_t empty)
        : m_empty(empty)
    {
        add(first);
    }
    template <class IdT>
    void add(IdT id)
    {
        if (!id || id.value == m_empty)
            return;
        if (m_value == UINT32_MAX)
            m_value = id.value;
        else if (m_value != id.value)
            m_several = true;
    }
    bool several() const { return m_several; }

private:
    std::uint32_t m_empty;
    std::uint32_t m_value = UINT32_MAX;
    bool m_several = false;
};

} // namespace

std::uint8_t requestFlags(std::uint8_t stages, bool rejectedBeforeAuthentication)
{
    const bool received = stages & chainStageBit(Stage::RequestReceived);
    const bool started = stages & chainStageBit(Stage::ResponseStarted);
    const bool complete = stages & chainStageBit(Stage::ResponseComplete);
    const bool panic = stages & chainStageBit(Stage::Panic);
    std::uint8_t flags = 0;
    if (panic)
        flags |= ChainPanic;
    // A lone ResponseStarted for a request rejected before authentication is its last event.
    if (!complete && !panic && !(rejectedBeforeAuthentication && started && !received))
        flags |= ChainIncomplete;
    if (!received && (started || complete || panic))
        flags |= ChainNoReceived;
    return flags;
}

ChainAnalysis analyzeChain(const EventStore& store, std::span<const EventId> rows,
    const std::vector<std::uint32_t>& laneOfSource, const ChainOptions& options,
    RawFieldReader* uris)
{
    ChainAnalysis out;
    const AttributeComparer compare(store);
    // First event of each stage per request, for telling repeated stages from duplicate lines.
    std::vector<std::array<std::uint32_t, StageCount>> firstOfStage;
    // Request by (lane, receive time): a hash, as a reused ID can carry very many requests.
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> requestsAt;
    for (const EventId id : rows) {
        const std::size_t row = id.value;
        const std::uint32_t lane = laneOfSource[store.source[row].value];
        const std::int64_t received = store.timeNs[row];
        std::vector<std::uint32_t>& candidates =
            requestsAt[static_cast<std::uint64_t>(received) * 31 + lane];
        auto found = std::find_if(candidates.begin(), candidates.end(), [&](std::uint32_t i) {
            return out.requests[i].lane == lane && out.requests[i].receivedNs == received;
        });
        if (found == candidates.end()) {
            RequestGroup g;
            g.lane = lane;
            g.receivedNs = received;
            out.requests.push_back(std::move(g));
            firstOfStage.emplace_back();
            firstOfStage.back().fill(UINT32_MAX);
            candidates.push_back(static_cast<std::uint32_t>(out.requests.size() - 1));
            found = candidates.end() - 1;
        }
        const auto group = out.requests.begin() + *found;
        const std::size_t index = static_cast<std::size_t>(group - out.requests.begin());
        if (!group->events.empty()) {
            if (compare.differences(group->events.front().value, row) != 0)
                out.flags |= ChainReused;
            out.reuseReasons |= compare.differences(group->events.front().value, row);
        }
        const std::uint8_t bit = chainStageBit(store.stage[row]);
        std::uint32_t& earlier = firstOfStage[index][static_cast<std::size_t>(store.stage[row])];
        if (bit && earlier != UINT32_MAX) {
            if (store.stageTimeNs(earlier) != store.stageTimeNs(row)) {
                out.flags |= ChainReused;
                out.reuseReasons |= ReuseRepeatedStage;
            }
        } else if (bit) {
            earlier = static_cast<std::uint32_t>(row);
        }
        group->stages |= bit;
        group->events.push_back(id);
    }
    std::vector<std::uint32_t> lanes; // distinct, few (one per server)
    for (RequestGroup& g : out.requests) {
        g.rejectedBeforeAuthentication = g.stages == chainStageBit(Stage::ResponseStarted)
            && (store.flags[g.events.front().value] & NoUser);
        g.flags = requestFlags(g.stages, g.rejectedBeforeAuthentication);
        out.flags |= g.flags;
        if (std::find(lanes.begin(), lanes.end(), g.lane) == lanes.end())
            lanes.push_back(g.lane);
    }
    if (lanes.size() > 1)
        out.flags |= ChainMultiServer;
    // Across requests (each by its first event), order-independent: any value that differs
    // between them, any server with two of them, or receive times too far apart.
    if (out.requests.size() > 1) {
        const RequestGroup& first = out.requests.front();
        const std::size_t a = first.events.front().value;
        std::uint8_t reasons = 0;
        std::int64_t earliest = first.receivedNs, latest = first.receivedNs;
        NonEmptyValues namespaces(store.namespaceId[a], compare.emptyNamespace());
        NonEmptyValues names(store.name[a], compare.emptyName());
        for (std::size_t i = 1; i < out.requests.size(); ++i) {
            const RequestGroup& g = out.requests[i];
            const std::size_t b = g.events.front().value;
            reasons |= compare.differences(a, b) & ~ReuseTargets;
            if (compare.targetsDiffer(a, b))
                reasons |= ReuseTargets;
            namespaces.add(store.namespaceId[b]);
            names.add(store.name[b]);
            earliest = std::min(earliest, g.receivedNs);
            latest = std::max(latest, g.receivedNs);
        }
        if (namespaces.several() || names.several())
            reasons |= ReuseTargets;
        if (lanes.size() < out.requests.size())
            reasons |= ReuseSameServer;
        if (latest - earliest > options.reuseGapNs)
            reasons |= ReuseFarApart;
        if (uris && !(reasons & ReuseTargets)) {
            const std::optional<std::string> firstUri =
                uris->topLevelString(store, first.events.front(), "requestURI");
            for (std::size_t i = 1; i < out.requests.size(); ++i) {
                if (uris->topLevelString(store, out.requests[i].events.front(), "requestURI")
                    != firstUri) {
                    reasons |= ReuseTargets;
                    break;
                }
            }
        }
        if (reasons) {
            out.flags |= ChainReused;
            out.reuseReasons |= reasons;
        }
    }
    return out;
}

} // namespace auditscope
