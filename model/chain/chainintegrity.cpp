// SPDX-License-Identifier: Apache-2.0
#include "chainintegrity.h"

#include "chain/chainanalysis.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <unordered_map>

namespace auditscope {

namespace {

constexpr std::uint32_t None = UINT32_MAX;
constexpr std::uint8_t Multi = 0x80; // internal: several requests or a repeated stage

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// "-2025-03-14T09-26-53.589" at `at` (lumberjack's backup timestamp, spec §12).
bool rotationStampAt(std::string_view s, std::size_t at)
{
    static constexpr std::string_view Shape = "-dddd-dd-ddTdd-dd-dd.ddd";
    if (at + Shape.size() > s.size())
        return false;
    for (std::size_t i = 0; i < Shape.size(); ++i) {
        const char want = Shape[i], got = s[at + i];
        if (want == 'd' ? !isDigit(got) : want != got)
            return false;
    }
    return true;
}

// Per source, the smallest source index of its server: sources with the same lane key (a file
// and its rotated backups), and sources that share byte-identical events (the same log
// collected twice: the store keeps those events once, see DuplicatePlace), are one server.
std::vector<std::uint32_t> serverRoots(const EventStore& store)
{
    std::vector<std::uint32_t> root(store.sources.size());
    for (std::uint32_t s = 0; s < root.size(); ++s)
        root[s] = s;
    const auto find = [&](std::uint32_t s) {
        while (root[s] != s)
            s = root[s] = root[root[s]];
        return s;
    };
    const auto join = [&](std::uint32_t a, std::uint32_t b) {
        a = find(a), b = find(b);
        root[std::max(a, b)] = std::min(a, b);
    };
    std::unordered_map<std::string, std::uint32_t> sourceByKey;
    for (std::uint32_t s = 0; s < root.size(); ++s) {
        const auto [it, added] = sourceByKey.emplace(chainLaneKey(store.sources[s].path), s);
        if (!added)
            join(it->second, s);
    }
    for (const EventStore::DuplicatePlace& place : store.duplicatePlaces)
        join(store.source[place.row].value, place.source.value);
    for (std::uint32_t s = 0; s < root.size(); ++s)
        root[s] = find(s);
    return root;
}

struct CacheSlot
{
    std::mutex mutex; // held while computing, so concurrent callers wait for one result
    ChainIntegrityPtr value;
};

struct CacheEntry
{
    const EventStore* address;
    std::weak_ptr<const EventStore> store;
    std::shared_ptr<CacheSlot> slot;
};

std::mutex g_cacheMutex;
std::vector<CacheEntry> g_cache;

// The live entry of `store` (a weak_ptr that still locks to this address proves it is this
// very store: two live objects never share an address). Drops expired entries.
std::shared_ptr<CacheSlot> findSlot(const EventStore* store)
{
    std::erase_if(g_cache, [](const CacheEntry& e) { return e.store.expired(); });
    for (const CacheEntry& e : g_cache) {
        if (e.address != store)
            continue;
        if (const EventStorePtr alive = e.store.lock(); alive.get() == store)
            return e.slot;
    }
    return nullptr;
}

std::shared_ptr<CacheSlot> lockedFindSlot(const EventStore& store)
{
    const std::lock_guard lock(g_cacheMutex);
    return findSlot(&store);
}

} // namespace

const std::array<ChainFlagInfo, ChainFlagCount>& chainFlagInfos()
{
    static const std::array<ChainFlagInfo, ChainFlagCount> infos{{
        {ChainIncomplete, "incomplete", "Incomplete",
            "A request has no ResponseComplete or Panic: still running when the log ends (an "
            "open watch or exec), or its last event was lost."},
        {ChainPanic, "panic", "Panic",
            "A request ended in a Panic event: the API server's handler panicked (code 500)."},
        {ChainNoReceived, "noreceived", "No RequestReceived",
            "A request has later stages but no RequestReceived: expected for failed "
            "authentication (a single ResponseStarted with code 401) and with a policy that "
            "sets omitStages: [RequestReceived]; otherwise the event was lost or is in a file "
            "not loaded."},
        {ChainReused, "reused", "Reused auditID",
            "The auditID was used by more than one request (different users, targets or "
            "source IPs, or far apart in time): clients can set the Audit-ID header "
            "themselves."},
        {ChainMultiServer, "multiserver", "Several servers",
            "The request was logged by more than one API server, as when kube-apiserver "
            "forwards it to an aggregated API server."},
    }};
    return infos;
}

std::string chainFlagNames(std::uint8_t flags)
{
    std::string out;
    for (const ChainFlagInfo& info : chainFlagInfos()) {
        if (!(flags & info.flag))
            continue;
        if (!out.empty())
            out.push_back(',');
        out += info.name;
    }
    return out.empty() ? std::string(ChainOkName) : out;
}

std::string chainLaneKey(std::string_view path)
{
    std::string key(path);
    if (key.ends_with(".gz"))
        key.resize(key.size() - 3);
    const std::size_t slash = key.rfind('/');
    const std::size_t base = slash == std::string::npos ? 0 : slash + 1;
    for (std::size_t at = key.size(); at-- > base;) {
        if (key[at] == '-' && rotationStampAt(key, at)) {
            key.erase(at, 24);
            break;
        }
    }
    return key;
}

std::uint64_t ChainIntegrity::chainsWith(std::uint8_t flag) const
{
    std::uint64_t n = 0;
    for (std::size_t f = 0; f < 256; ++f)
        if (flag ? (f & flag) : !(f & ChainProblemFlags))
            n += m_chainsByFlags[f];
    return n;
}

std::uint64_t ChainIntegrity::eventsWith(std::uint8_t flag) const
{
    std::uint64_t n = 0;
    for (std::size_t f = 0; f < 256; ++f)
        if (flag ? (f & flag) : !(f & ChainProblemFlags))
            n += m_eventsByFlags[f];
    return n;
}

std::shared_ptr<const ChainIntegrity> ChainIntegrity::compute(
    const EventStore& store, std::stop_token stop, const ChainOptions& options)
{
    const auto started = std::chrono::steady_clock::now();
    auto result = std::make_shared<ChainIntegrity>();
    ChainIntegrity& r = *result;
    r.m_options = options;

    // Lanes: one per server, named after its first source (a root comes before its members).
    const std::vector<std::uint32_t> roots = serverRoots(store);
    for (std::uint32_t s = 0; s < roots.size(); ++s) {
        if (roots[s] == s) {
            r.m_laneOfSource.push_back(static_cast<std::uint32_t>(r.m_lanes.size()));
            r.m_lanes.push_back(ChainLane{chainLaneKey(store.sources[s].path), {}, 0, 0, 0, 0});
        } else {
            r.m_laneOfSource.push_back(r.m_laneOfSource[roots[s]]);
        }
        r.m_lanes[r.m_laneOfSource[s]].sources.push_back(SourceId{s});
    }

    // Pass 1: per auditID its first event, the stages seen and whether it needs the slow path.
    // Rows are in time order, so the first event of an ID is its earliest.
    const std::size_t rows = store.size();
    const std::uint32_t keys = store.pools.auditIds.size();
    std::vector<std::uint32_t> first(keys, None);
    std::vector<std::uint8_t> stages(keys, 0);
    std::vector<std::uint8_t>& state = r.m_flags;
    state.assign(keys, 0);
    const AttributeComparer compare(store);
    std::size_t multiCount = 0;
    for (std::size_t row = 0; row < rows; ++row) {
        if ((row & 0xFFFFF) == 0 && stop.stop_requested())
            return nullptr;
        const std::uint32_t lane = r.m_laneOfSource[store.source[row].value];
        ChainLane& l = r.m_lanes[lane];
        if (l.events++ == 0)
            l.firstNs = store.timeNs[row];
        l.lastNs = std::max(l.lastNs, store.stageTimeNs(row));
        const Stage stage = store.stage[row];
        l.requestReceivedEvents += stage == Stage::RequestReceived;
        const AuditIdId id = store.auditId[row];
        if (!id)
            continue;
        const std::uint32_t k = id.value;
        const std::uint8_t bit = chainStageBit(stage);
        const std::uint32_t f = first[k];
        if (f == None) {
            first[k] = static_cast<std::uint32_t>(row);
            stages[k] = bit;
            continue;
        }
        if (state[k] & Multi)
            continue;
        if (r.m_laneOfSource[store.source[f].value] != lane || store.timeNs[f] != store.timeNs[row]
            || (bit & stages[k])) {
            state[k] |= Multi;
            ++multiCount;
            continue;
        }
        stages[k] |= bit;
        if (compare.differences(f, row))
            state[k] |= ChainReused;
    }

    // The rare IDs with several requests (forwarded, reused) get the full analysis.
    if (multiCount > 0) {
        std::unordered_map<std::uint32_t, std::vector<EventId>> rowsOf;
        rowsOf.reserve(multiCount);
        for (std::size_t row = 0; row < rows; ++row) {
            if ((row & 0xFFFFF) == 0 && stop.stop_requested())
                return nullptr;
            const AuditIdId id = store.auditId[row];
            if (id && (state[id.value] & Multi))
                rowsOf[id.value].push_back(EventId{static_cast<std::uint32_t>(row)});
        }
        RawFieldReader uris;
        for (const auto& [k, chainRows] : rowsOf)
            state[k] =
                analyzeChain(store, chainRows, r.m_laneOfSource, options, &uris).flags | Multi;
    }
    for (std::uint32_t k = 0; k < keys; ++k) {
        if (first[k] == None)
            continue;
        if (state[k] & Multi) {
            state[k] &= static_cast<std::uint8_t>(~Multi);
        } else {
            const bool rejected = stages[k] == chainStageBit(Stage::ResponseStarted)
                && (store.flags[first[k]] & NoUser);
            state[k] |= requestFlags(stages[k], rejected);
        }
        ++r.m_chainsByFlags[state[k]];
        ++r.m_chains;
    }
    for (std::size_t row = 0; row < rows; ++row)
        if (const AuditIdId id = store.auditId[row])
            ++r.m_eventsByFlags[state[id.value]];
    r.m_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

ChainIntegrityPtr chainIntegrityFor(const EventStorePtr& store, std::stop_token stop)
{
    if (!store)
        return nullptr;
    std::shared_ptr<CacheSlot> slot;
    {
        const std::lock_guard lock(g_cacheMutex);
        slot = findSlot(store.get());
        if (!slot) {
            slot = std::make_shared<CacheSlot>();
            g_cache.push_back(CacheEntry{store.get(), store, slot});
        }
    }
    const std::lock_guard lock(slot->mutex);
    if (!slot->value)
        slot->value = ChainIntegrity::compute(*store, stop);
    return slot->value;
}

ChainIntegrityPtr cachedChainIntegrity(const EventStore& store)
{
    const std::shared_ptr<CacheSlot> slot = lockedFindSlot(store);
    if (!slot)
        return nullptr;
    const std::lock_guard lock(slot->mutex);
    return slot->value;
}

ChainIntegrityPtr readyChainIntegrity(const EventStore& store)
{
    const std::shared_ptr<CacheSlot> slot = lockedFindSlot(store);
    if (!slot)
        return nullptr;
    const std::unique_lock lock(slot->mutex, std::try_to_lock);
    return lock.owns_lock() ? slot->value : nullptr;
}

} // namespace auditscope
