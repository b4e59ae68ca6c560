// SPDX-License-Identifier: Apache-2.0
#include "usersaggregate.h"

#include "analysis/analysisutil.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <map>

namespace auditscope {

using namespace analysis_detail;

namespace {

constexpr std::uint32_t None = UINT32_MAX;

std::uint64_t pairKey(std::uint32_t user, std::uint32_t value)
{
    return std::uint64_t(user) << 32 | value;
}

// One user's counts in one worker. The last value seen per user: most users keep one address,
// agent and group set, so the hash sets see only the changes.
struct UserSlot
{
    std::uint64_t events = 0, writes = 0, deletes = 0, failures = 0;
    std::int64_t firstNs = std::numeric_limits<std::int64_t>::max();
    std::int64_t lastNs = std::numeric_limits<std::int64_t>::min();
    std::uint32_t lastIp = None, lastAgent = None, lastGroupSet = None, lastImpersonated = None,
                  lastEdge = None;
};

// One worker's counts over its share of the rows; slot U - 1 is "no user".
struct PartCounts
{
    explicit PartCounts(std::size_t users)
        : slots(users)
    { }

    std::vector<UserSlot> slots;
    FlatIndex<std::uint64_t> ips, agents, groupSets, edges;
    std::vector<std::uint64_t> edgeEvents;
};

template <class Compare>
void sortByText(std::vector<std::uint32_t>& ids, Compare less)
{
    std::sort(ids.begin(), ids.end(), less);
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

// The username of a user slot; empty for the "no user" slot.
std::string_view slotName(const StringPools& pools, std::uint32_t noUser, std::uint32_t u)
{
    return u == noUser ? std::string_view() : pools.users.view(u);
}

// The per-event body of the count: one worker's counts over its share of the rows.
class PartCounter
{
public:
    PartCounter(const EventStore& store, const StoreClasses& classes, std::uint32_t noUser,
        PartCounts& counts)
        : m_store(store)
        , m_classes(classes)
        , m_noUser(noUser)
        , m_counts(counts)
        , m_slots(counts.slots.data())
    { }

    // Extra sourceIPs entries are sorted by row: they are walked alongside the rows, from the
    // first one at or after `firstRow`.
    void startAt(std::uint32_t firstRow)
    {
        const auto& extras = m_store.extraSourceIps;
        m_extra = static_cast<std::size_t>(
            std::lower_bound(extras.begin(), extras.end(), firstRow,
                [](const EventStore::ExtraSourceIp& e, std::uint32_t r) { return e.row < r; })
            - extras.begin());
    }

    void count(std::uint32_t row)
    {
        const UserId user = m_store.user[row];
        const std::uint32_t u = user ? user.value : m_noUser;
        UserSlot& s = m_slots[u];
        addEventTotals(s, m_store, m_classes, row);
        noteSourceIps(s, u, row);
        noteAgentAndGroups(s, u, row);
        if (const UserId as = m_store.impersonatedUser[row])
            countImpersonation(s, u, as);
    }

private:
    void noteSourceIps(UserSlot& s, std::uint32_t u, std::uint32_t row)
    {
        if (const SourceIpId ip = m_store.sourceIp[row]; ip && ip.value != s.lastIp) {
            s.lastIp = ip.value;
            m_counts.ips.insert(pairKey(u, ip.value));
        }
        const auto& extras = m_store.extraSourceIps;
        while (m_extra < extras.size() && extras[m_extra].row < row)
            ++m_extra;
        for (; m_extra < extras.size() && extras[m_extra].row == row; ++m_extra)
            m_counts.ips.insert(pairKey(u, extras[m_extra].ip.value));
    }

    void noteAgentAndGroups(UserSlot& s, std::uint32_t u, std::uint32_t row)
    {
        if (const UserAgentId agent = m_store.userAgent[row]; agent && agent.value != s.lastAgent) {
            s.lastAgent = agent.value;
            m_counts.agents.insert(pairKey(u, agent.value));
        }
        if (const GroupSetId set = m_store.groupSet[row]; set && set.value != s.lastGroupSet) {
            s.lastGroupSet = set.value;
            m_counts.groupSets.insert(pairKey(u, set.value));
        }
    }

    void countImpersonation(UserSlot& s, std::uint32_t u, UserId as)
    {
        if (as.value != s.lastImpersonated) {
            s.lastImpersonated = as.value;
            s.lastEdge = m_counts.edges.insert(pairKey(u, as.value));
            if (m_counts.edgeEvents.size() < m_counts.edges.size())
                m_counts.edgeEvents.push_back(0);
        }
        ++m_counts.edgeEvents[s.lastEdge];
    }

    const EventStore& m_store;
    const StoreClasses& m_classes;
    const std::uint32_t m_noUser;
    PartCounts& m_counts;
    UserSlot* m_slots;
    std::size_t m_extra = 0; ///< next extra sourceIPs entry to look at
};

// Adds the counts of parts 1.. into part 0.
void mergeParts(std::vector<PartCounts>& perPart)
{
    PartCounts& all = perPart[0];
    for (std::size_t p = 1; p < perPart.size(); ++p) {
        const PartCounts& c = perPart[p];
        for (std::size_t u = 0; u < all.slots.size(); ++u) {
            UserSlot& a = all.slots[u];
            const UserSlot& b = c.slots[u];
            a.events += b.events;
            a.writes += b.writes;
            a.deletes += b.deletes;
            a.failures += b.failures;
            a.firstNs = std::min(a.firstNs, b.firstNs);
            a.lastNs = std::max(a.lastNs, b.lastNs);
        }
        for (const std::uint64_t key : c.ips.keys())
            all.ips.insert(key);
        for (const std::uint64_t key : c.agents.keys())
            all.agents.insert(key);
        for (const std::uint64_t key : c.groupSets.keys())
            all.groupSets.insert(key);
        for (std::size_t e = 0; e < c.edges.size(); ++e) {
            const std::uint32_t index = all.edges.insert(c.edges.keys()[e]);
            if (all.edgeEvents.size() < all.edges.size())
                all.edgeEvents.push_back(0);
            all.edgeEvents[index] += c.edgeEvents[e];
        }
    }
}

// One row per user with events, most events first, ties by name: fills result.users' counts
// and result.events. Returns the user slot of each row.
std::vector<std::uint32_t> userRows(
    const StringPools& pools, const PartCounts& all, std::uint32_t noUser, UsersAggregate& result)
{
    std::vector<std::uint32_t> slots;
    for (std::uint32_t u = 0; u < all.slots.size(); ++u)
        if (all.slots[u].events > 0)
            slots.push_back(u);
    std::sort(slots.begin(), slots.end(), [&](std::uint32_t a, std::uint32_t b) {
        return all.slots[a].events != all.slots[b].events
            ? all.slots[a].events > all.slots[b].events
            : slotName(pools, noUser, a) < slotName(pools, noUser, b);
    });
    result.users.resize(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const std::uint32_t u = slots[i];
        UserSummary& s = result.users[i];
        s.user = u == noUser ? UserId{} : UserId{u};
        const UserSlot& slot = all.slots[u];
        s.events = slot.events;
        s.writes = slot.writes;
        s.deletes = slot.deletes;
        s.authFailures = slot.failures;
        s.firstNs = slot.firstNs;
        s.lastNs = slot.lastNs;
        result.events += s.events;
    }
    return slots;
}

// Each user row's distinct addresses, agents and groups, sorted by text, and its kind.
void fillDistinctValues(const EventStore& store, const PartCounts& all,
    const std::vector<std::uint32_t>& slots, std::uint32_t noUser, UsersAggregate& result)
{
    const StringPools& pools = store.pools;
    std::vector<std::uint32_t> rowOf(all.slots.size(), None);
    for (std::size_t i = 0; i < slots.size(); ++i)
        rowOf[slots[i]] = static_cast<std::uint32_t>(i);
    std::vector<std::vector<std::uint32_t>> ips(slots.size()), agents(slots.size()),
        groups(slots.size());
    for (const std::uint64_t key : all.ips.keys())
        ips[rowOf[key >> 32]].push_back(static_cast<std::uint32_t>(key));
    for (const std::uint64_t key : all.agents.keys())
        agents[rowOf[key >> 32]].push_back(static_cast<std::uint32_t>(key));
    for (const std::uint64_t key : all.groupSets.keys())
        for (const GroupId g : store.groupsOf(GroupSetId{static_cast<std::uint32_t>(key)}))
            groups[rowOf[key >> 32]].push_back(g.value);
    for (std::size_t i = 0; i < slots.size(); ++i) {
        UserSummary& s = result.users[i];
        sortByText(ips[i], [&](std::uint32_t a, std::uint32_t b) {
            return pools.sourceIps.view(a) < pools.sourceIps.view(b);
        });
        sortByText(agents[i], [&](std::uint32_t a, std::uint32_t b) {
            return pools.userAgents.view(a) < pools.userAgents.view(b);
        });
        sortByText(groups[i], [&](std::uint32_t a, std::uint32_t b) {
            return pools.groups.view(a) < pools.groups.view(b);
        });
        for (const std::uint32_t id : ips[i])
            s.sourceIps.push_back(SourceIpId{id});
        for (const std::uint32_t id : agents[i])
            s.userAgents.push_back(UserAgentId{id});
        std::vector<std::string_view> groupNames;
        for (const std::uint32_t id : groups[i]) {
            s.groups.push_back(GroupId{id});
            groupNames.push_back(pools.groups.view(id));
        }
        s.kind = classifyPrincipal(slotName(pools, noUser, slots[i]), groupNames);
    }
}

// Groups: kinds in order; service accounts by namespace.
void groupUsers(const StringPools& pools, const std::vector<std::uint32_t>& slots,
    std::uint32_t noUser, UsersAggregate& result)
{
    std::map<std::pair<int, std::string>, UserGroup> byGroup;
    for (std::size_t i = 0; i < result.users.size(); ++i) {
        const UserSummary& s = result.users[i];
        std::string ns;
        if (s.kind == PrincipalKind::ServiceAccount)
            ns = std::string(serviceAccountNamespace(slotName(pools, noUser, slots[i])));
        UserGroup& g = byGroup[{static_cast<int>(s.kind), ns}];
        g.kind = s.kind;
        g.serviceAccountNamespace = ns;
        g.members.push_back(static_cast<std::uint32_t>(i));
        g.events += s.events;
    }
    for (auto& [key, group] : byGroup)
        result.groups.push_back(std::move(group));
}

// Who acted as whom, most events first.
void listImpersonations(
    const EventStore& store, const PartCounts& all, std::uint32_t noUser, UsersAggregate& result)
{
    const StringPools& pools = store.pools;
    for (std::size_t e = 0; e < all.edges.size(); ++e) {
        const std::uint64_t key = all.edges.keys()[e];
        const auto u = static_cast<std::uint32_t>(key >> 32);
        result.impersonations.push_back({u == noUser ? UserId{} : UserId{u},
            UserId{static_cast<std::uint32_t>(key)}, all.edgeEvents[e]});
    }
    std::sort(result.impersonations.begin(), result.impersonations.end(),
        [&](const ImpersonationEdge& a, const ImpersonationEdge& b) {
            if (a.events != b.events)
                return a.events > b.events;
            const auto an = userDisplayName(store, a.user), bn = userDisplayName(store, b.user);
            if (an != bn)
                return an < bn;
            return pools.users.view(a.impersonated.value) < pools.users.view(b.impersonated.value);
        });
}

} // namespace

std::string_view userDisplayName(const EventStore& store, UserId user)
{
    return user ? store.pools.users.view(user.value) : std::string_view("(no user)");
}

std::ptrdiff_t UsersAggregate::indexOf(UserId user) const
{
    for (std::size_t i = 0; i < users.size(); ++i)
        if (users[i].user == user)
            return static_cast<std::ptrdiff_t>(i);
    return -1;
}

UsersAggregate aggregateUsers(
    const EventStore& store, const EventSelection& rows, const AnalysisOptions& options)
{
    UsersAggregate result;
    const StoreClasses classes(store);
    const std::size_t userSlots = store.pools.users.size() + 1;
    const auto noUser = static_cast<std::uint32_t>(userSlots - 1);
    const std::size_t count = selectionSize(store, rows);
    const unsigned parts = partsFor(count, options);
    std::vector<PartCounts> perPart;
    perPart.reserve(parts);
    for (unsigned p = 0; p < parts; ++p)
        perPart.emplace_back(userSlots);
    std::atomic<bool> stopped = false;

    runParts(count, parts, [&](unsigned part, std::size_t begin, std::size_t end) {
        PartCounter counter(store, classes, noUser, perPart[part]);
        if (begin < end && !store.extraSourceIps.empty())
            counter.startAt(rows.all ? static_cast<std::uint32_t>(begin) : rows.ids[begin].value);
        if (!forRows(
                rows, begin, end, options.stop, [&](std::uint32_t row) { counter.count(row); }))
            stopped = true;
    });
    result.cancelled = stopped;

    mergeParts(perPart);
    const PartCounts& all = perPart[0];
    const std::vector<std::uint32_t> slots = userRows(store.pools, all, noUser, result);
    fillDistinctValues(store, all, slots, noUser, result);
    groupUsers(store.pools, slots, noUser, result);
    listImpersonations(store, all, noUser, result);
    return result;
}

} // namespace auditscope
