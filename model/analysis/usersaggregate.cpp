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
        PartCounts& c = perPart[part];
        // Extra sourceIPs entries are sorted by row: walk them alongside the rows.
        const auto& extras = store.extraSourceIps;
        std::size_t extra = 0;
        if (begin < end && !extras.empty()) {
            const std::uint32_t firstRow =
                rows.all ? static_cast<std::uint32_t>(begin) : rows.ids[begin].value;
            extra = static_cast<std::size_t>(
                std::lower_bound(extras.begin(), extras.end(), firstRow,
                    [](const EventStore::ExtraSourceIp& e, std::uint32_t r) { return e.row < r; })
                - extras.begin());
        }
        UserSlot* slots = c.slots.data();
        const bool ok = forRows(rows, begin, end, options.stop, [&](std::uint32_t row) {
            const UserId user = store.user[row];
            const std::uint32_t u = user ? user.value : noUser;
            UserSlot& s = slots[u];
            ++s.events;
            const VerbClass verb = classes.verbClassOf(store.verb[row]);
            s.writes += verb == VerbClass::Write;
            s.deletes += verb == VerbClass::Delete;
            s.failures += isAuthFailure(store.code[row]);
            const std::int64_t t = store.timeNs[row];
            s.firstNs = std::min(s.firstNs, t);
            s.lastNs = std::max(s.lastNs, t);
            if (const SourceIpId ip = store.sourceIp[row]; ip && ip.value != s.lastIp) {
                s.lastIp = ip.value;
                c.ips.insert(pairKey(u, ip.value));
            }
            while (extra < extras.size() && extras[extra].row < row)
                ++extra;
            for (; extra < extras.size() && extras[extra].row == row; ++extra)
                c.ips.insert(pairKey(u, extras[extra].ip.value));
            if (const UserAgentId agent = store.userAgent[row];
                agent && agent.value != s.lastAgent) {
                s.lastAgent = agent.value;
                c.agents.insert(pairKey(u, agent.value));
            }
            if (const GroupSetId set = store.groupSet[row]; set && set.value != s.lastGroupSet) {
                s.lastGroupSet = set.value;
                c.groupSets.insert(pairKey(u, set.value));
            }
            if (const UserId as = store.impersonatedUser[row]) {
                if (as.value != s.lastImpersonated) {
                    s.lastImpersonated = as.value;
                    s.lastEdge = c.edges.insert(pairKey(u, as.value));
                    if (c.edgeEvents.size() < c.edges.size())
                        c.edgeEvents.push_back(0);
                }
                ++c.edgeEvents[s.lastEdge];
            }
        });
        if (!ok)
            stopped = true;
    });
    result.cancelled = stopped;

    // Merge the parts into part 0.
    PartCounts& all = perPart[0];
    for (unsigned p = 1; p < parts; ++p) {
        const PartCounts& c = perPart[p];
        for (std::size_t u = 0; u < userSlots; ++u) {
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

    // One row per user with events.
    const StringPools& pools = store.pools;
    std::vector<std::uint32_t> rowOf(userSlots, None);
    std::vector<std::uint32_t> slots;
    for (std::uint32_t u = 0; u < userSlots; ++u)
        if (all.slots[u].events > 0)
            slots.push_back(u);
    auto nameOf = [&](std::uint32_t u) {
        return u == noUser ? std::string_view() : pools.users.view(u);
    };
    std::sort(slots.begin(), slots.end(), [&](std::uint32_t a, std::uint32_t b) {
        return all.slots[a].events != all.slots[b].events
            ? all.slots[a].events > all.slots[b].events
            : nameOf(a) < nameOf(b);
    });
    result.users.resize(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const std::uint32_t u = slots[i];
        rowOf[u] = static_cast<std::uint32_t>(i);
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
        s.kind = classifyPrincipal(nameOf(slots[i]), groupNames);
    }

    // Groups: kinds in order; service accounts by namespace.
    std::map<std::pair<int, std::string>, UserGroup> byGroup;
    for (std::size_t i = 0; i < result.users.size(); ++i) {
        const UserSummary& s = result.users[i];
        std::string ns;
        if (s.kind == PrincipalKind::ServiceAccount)
            ns = std::string(serviceAccountNamespace(nameOf(slots[i])));
        UserGroup& g = byGroup[{static_cast<int>(s.kind), ns}];
        g.kind = s.kind;
        g.serviceAccountNamespace = ns;
        g.members.push_back(static_cast<std::uint32_t>(i));
        g.events += s.events;
    }
    for (auto& [key, group] : byGroup)
        result.groups.push_back(std::move(group));

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
    return result;
}

} // namespace auditscope
