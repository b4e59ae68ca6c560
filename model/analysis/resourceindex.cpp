// SPDX-License-Identifier: Apache-2.0
#include "resourceindex.h"

#include "analysis/analysisutil.h"
#include "analysis/classification.h"
#include "report/rawfieldreader.h"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace auditscope {

using namespace analysis_detail;

namespace {

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

enum class Scan { Found, Absent, Unsure };

// The value of a top-level "requestURI" by a byte scan; Unsure when the first match could be a
// nested key or the value has escapes (then simdjson decides).
Scan scanRequestUri(std::string_view raw, std::string_view& value)
{
    static constexpr std::string_view Key = "\"requestURI\"";
    const void* hit = memmem(raw.data(), raw.size(), Key.data(), Key.size());
    if (!hit)
        return Scan::Absent;
    const auto pos = static_cast<std::size_t>(static_cast<const char*>(hit) - raw.data());
    // A key of the top-level object? Track depth and strings up to the match.
    int depth = 0;
    bool inString = false;
    for (std::size_t i = 0; i < pos; ++i) {
        const char c = raw[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    if (inString || depth != 1)
        return Scan::Unsure;
    std::size_t p = pos + Key.size();
    while (p < raw.size() && isJsonSpace(raw[p]))
        ++p;
    if (p >= raw.size() || raw[p] != ':')
        return Scan::Unsure;
    ++p;
    while (p < raw.size() && isJsonSpace(raw[p]))
        ++p;
    if (p >= raw.size() || raw[p] != '"')
        return Scan::Unsure;
    const std::size_t start = ++p;
    while (p < raw.size() && raw[p] != '"' && raw[p] != '\\')
        ++p;
    if (p >= raw.size() || raw[p] != '"')
        return Scan::Unsure;
    value = raw.substr(start, p - start);
    return Scan::Found;
}

std::string_view beforeQuery(std::string_view uri)
{
    return uri.substr(0, uri.find('?'));
}

// Temporary ids while building: a part-local object index, or a flagged local path slot.
constexpr std::uint32_t PathFlag = 0x80000000u;

using ObjectFields = std::array<std::uint64_t, 5>; // group, resource, sub, namespace, name (+1)

struct Part
{
    std::vector<std::uint32_t> temp; // per row of the part: its part-local tuple
    StringPool paths;
    FlatIndex<Key128> tuples; // {part-local object (or PathFlag | path slot), user << 2 | class}
};

// Tree order, runs per level and (object, user) pairs: see ResourceTreeShape.
void buildShape(const EventStore& store, ResourceIndexData& out)
{
    ResourceTreeShape& shape = out.shape;
    constexpr std::size_t Levels = ResourceTreeShape::Levels;
    using Fields = std::array<std::uint32_t, Levels>;
    const StringPools& pools = store.pools;
    auto fieldsOf = [&](const ResourceObject& o) {
        auto slot = [](auto id) { return id ? id.value + 1 : 0u; };
        return Fields{slot(o.apiGroup), slot(o.resource), slot(o.subresource), slot(o.namespaceId),
            slot(o.name)};
    };
    // Sort resource objects by their fields: one integer key when they fit 64 bits.
    const std::array<int, Levels> widths{bitsFor(pools.apiGroups.size()),
        bitsFor(pools.resources.size()), bitsFor(pools.subresources.size()),
        bitsFor(pools.namespaces.size()), bitsFor(pools.names.size())};
    int bits = 0;
    for (const int w : widths)
        bits += w;
    std::vector<std::uint32_t> resources, paths;
    for (std::uint32_t o = 0; o < out.objects.size(); ++o)
        (out.objects[o].nonResource ? paths : resources).push_back(o);
    if (bits <= 64) {
        std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
        keyed.reserve(resources.size());
        for (const std::uint32_t o : resources) {
            const Fields f = fieldsOf(out.objects[o]);
            std::uint64_t key = 0;
            for (std::size_t i = 0; i < Levels; ++i)
                key = key << widths[i] | f[i];
            keyed.emplace_back(key, o);
        }
        std::sort(keyed.begin(), keyed.end());
        for (std::size_t i = 0; i < keyed.size(); ++i)
            resources[i] = keyed[i].second;
    } else {
        std::sort(resources.begin(), resources.end(), [&](std::uint32_t a, std::uint32_t b) {
            return fieldsOf(out.objects[a]) < fieldsOf(out.objects[b]);
        });
    }
    shape.objectAt.clear();
    for (const std::uint32_t o : resources)
        shape.objectAt.push_back(ObjectId{o});
    shape.pathRankBase = static_cast<std::uint32_t>(shape.objectAt.size());
    for (const std::uint32_t o : paths)
        shape.objectAt.push_back(ObjectId{o});
    shape.rankOf.assign(out.objects.size(), 0);
    for (std::uint32_t r = 0; r < shape.objectAt.size(); ++r)
        shape.rankOf[shape.objectAt[r].value] = r;

    // Runs: a new run at level L wherever a field of levels 0..L changes.
    for (auto& level : shape.runs)
        level.clear();
    Fields previous{};
    for (std::uint32_t r = 0; r < shape.pathRankBase; ++r) {
        const Fields f = fieldsOf(out.objects[shape.objectAt[r].value]);
        std::size_t differs = 0;
        if (r > 0)
            while (differs < Levels && f[differs] == previous[differs])
                ++differs;
        for (std::size_t l = differs; l < Levels; ++l) {
            auto& level = shape.runs[l];
            if (!level.empty())
                level.back().end = r;
            ResourceTreeShape::Run run;
            run.key = f[l];
            run.begin = r;
            if (l + 1 < Levels)
                run.childBegin = static_cast<std::uint32_t>(shape.runs[l + 1].size());
            level.push_back(run);
        }
        previous = f;
    }
    for (std::size_t l = 0; l < Levels; ++l) {
        auto& level = shape.runs[l];
        if (level.empty())
            continue;
        level.back().end = shape.pathRankBase;
        if (l + 1 < Levels) {
            const auto next = static_cast<std::uint32_t>(shape.runs[l + 1].size());
            for (std::size_t i = 0; i < level.size(); ++i)
                level[i].childEnd = i + 1 < level.size() ? level[i + 1].childBegin : next;
        }
    }

    // Pairs in (rank, user) order.
    const std::uint64_t noUser = pools.users.size();
    std::vector<std::uint64_t> keys;
    keys.reserve(out.tuples.size());
    auto pairKey = [&](const ResourceTuple& t) {
        return std::uint64_t(shape.rankOf[t.object.value]) << 32 | (t.user ? t.user.value : noUser);
    };
    for (const ResourceTuple& t : out.tuples)
        keys.push_back(pairKey(t));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    shape.pairUser.clear();
    shape.pairStart.assign(shape.objectAt.size() + 1, 0);
    for (const std::uint64_t key : keys) {
        const auto u = static_cast<std::uint32_t>(key);
        shape.pairUser.push_back(u == noUser ? UserId{} : UserId{u});
        ++shape.pairStart[(key >> 32) + 1];
    }
    for (std::size_t r = 0; r < shape.objectAt.size(); ++r)
        shape.pairStart[r + 1] += shape.pairStart[r];
    shape.pairOfTuple.clear();
    for (const ResourceTuple& t : out.tuples)
        shape.pairOfTuple.push_back(static_cast<std::uint32_t>(
            std::lower_bound(keys.begin(), keys.end(), pairKey(t)) - keys.begin()));
}

template <std::size_t Words>
void buildWith(const EventStore& store, const AnalysisOptions& options, ResourceIndexData& out,
    bool& cancelled)
{
    const StringPools& pools = store.pools;
    const TuplePacker<5> packer({bitsFor(pools.apiGroups.size()), bitsFor(pools.resources.size()),
        bitsFor(pools.subresources.size()), bitsFor(pools.namespaces.size()),
        bitsFor(pools.names.size())});
    const StoreClasses classes(store);
    const std::uint64_t noUser = pools.users.size();
    const std::size_t count = store.size();
    const unsigned parts = partsFor(count, options);
    std::vector<Part> perPart(parts);
    std::vector<FlatIndex<PackedKey<Words>>> keys(parts);
    std::atomic<bool> stopped = false;
    runParts(count, parts, [&](unsigned part, std::size_t begin, std::size_t end) {
        Part& p = perPart[part];
        FlatIndex<PackedKey<Words>>& index = keys[part];
        p.temp.resize(end - begin);
        std::string path;
        // Consecutive events often share their object (a request's stages): skip the probe.
        PackedKey<Words> lastKey{};
        std::uint32_t lastIndex = UINT32_MAX;
        const bool ok = forRows(EventSelection{}, begin, end, options.stop, [&](std::uint32_t row) {
            std::uint32_t object = 0;
            if (const ApiGroupId group = store.apiGroup[row]) {
                const PackedKey<Words> key =
                    packer.template pack<Words>({std::uint64_t(group.value) + 1,
                        plusOne(store.resource[row]), plusOne(store.subresource[row]),
                        plusOne(store.namespaceId[row]), plusOne(store.name[row])});
                if (lastIndex == UINT32_MAX || !(key == lastKey)) {
                    lastKey = key;
                    lastIndex = index.insert(key);
                }
                object = lastIndex;
            } else {
                object = PathFlag;
                if (readRequestPath(store, EventId{row}, path))
                    object |= p.paths.intern(path) + 1;
            }
            const UserId user = store.user[row];
            const auto verb = static_cast<std::uint64_t>(classes.verbClassOf(store.verb[row]));
            p.temp[row - begin] =
                p.tuples.insert({object, (user ? user.value : noUser) << 2 | verb});
        });
        if (!ok)
            stopped = true;
    });
    cancelled = stopped;
    if (cancelled)
        return;

    // Global objects: resource objects in part 0's order (others appended), then one object
    // per path slot (0 = no requestURI, then every path).
    std::vector<std::vector<std::uint32_t>> resourceMap(parts), pathMap(parts);
    FlatIndex<PackedKey<Words>>& global = keys[0];
    for (unsigned part = 0; part < parts; ++part) {
        auto& map = resourceMap[part];
        map.resize(keys[part].size());
        for (std::size_t k = 0; k < keys[part].size(); ++k)
            map[k] =
                part == 0 ? static_cast<std::uint32_t>(k) : global.insert(keys[part].keys()[k]);
        const Part& p = perPart[part];
        pathMap[part].resize(p.paths.size() + 1, 0);
        for (std::uint32_t id = 0; id < p.paths.size(); ++id)
            pathMap[part][id + 1] = out.paths.intern(p.paths.view(id)) + 1;
    }
    out.objects.reserve(global.size() + out.paths.size() + 1);
    for (const auto& key : global.keys()) {
        const ObjectFields f = packer.template unpack<Words>(key);
        auto id = [](std::uint64_t slot) {
            return slot == 0 ? UINT32_MAX : static_cast<std::uint32_t>(slot - 1);
        };
        ResourceObject o;
        o.apiGroup = ApiGroupId{id(f[0])};
        o.resource = ResourceId{id(f[1])};
        o.subresource = SubresourceId{id(f[2])};
        o.namespaceId = NamespaceId{id(f[3])};
        o.name = NameId{id(f[4])};
        out.objects.push_back(o);
    }
    const auto pathBase = static_cast<std::uint32_t>(out.objects.size());
    for (std::uint32_t slot = 0; slot <= out.paths.size(); ++slot) {
        ResourceObject o;
        o.nonResource = true;
        o.path = slot == 0 ? ResourceObject::NoPath : slot - 1;
        out.objects.push_back(o);
    }

    // Global tuples.
    FlatIndex<Key128> tuples;
    std::vector<std::vector<std::uint32_t>> tupleMap(parts);
    for (unsigned part = 0; part < parts; ++part) {
        const Part& p = perPart[part];
        for (const Key128& key : p.tuples.keys()) {
            const auto local = static_cast<std::uint32_t>(key.low);
            const std::uint32_t object = local & PathFlag
                ? pathBase + pathMap[part][local & ~PathFlag]
                : resourceMap[part][local];
            const std::uint32_t tuple = tuples.insert({object, key.high});
            tupleMap[part].push_back(tuple);
            if (tuple == out.tuples.size()) {
                const auto u = static_cast<std::uint32_t>(key.high >> 2);
                out.tuples.push_back({ObjectId{object}, u == noUser ? UserId{} : UserId{u},
                    static_cast<VerbClass>(key.high & 3)});
            }
        }
    }
    buildShape(store, out);
    out.tupleOf = PackedIdColumn<TupleId>(count, static_cast<std::uint32_t>(out.tuples.size()));
    runParts(count, parts, [&](unsigned part, std::size_t begin, std::size_t end) {
        const std::vector<std::uint32_t>& temp = perPart[part].temp;
        for (std::size_t row = begin; row < end; ++row)
            out.tupleOf.set(row, TupleId{tupleMap[part][temp[row - begin]]});
    });
}

} // namespace

bool readRequestPath(const EventStore& store, EventId id, std::string& out)
{
    std::string_view value;
    switch (scanRequestUri(store.rawJson(id), value)) {
    case Scan::Found:
        out.assign(beforeQuery(value));
        return true;
    case Scan::Absent:
        return false;
    case Scan::Unsure:
        break;
    }
    thread_local RawFieldReader reader;
    const std::optional<std::string> uri = reader.topLevelString(store, id, "requestURI");
    if (!uri)
        return false;
    out.assign(beforeQuery(*uri));
    return true;
}

ResourceIndex ResourceIndex::build(const EventStore& store, const AnalysisOptions& options)
{
    ResourceIndex index;
    const StringPools& pools = store.pools;
    const int bits = bitsFor(pools.apiGroups.size()) + bitsFor(pools.resources.size())
        + bitsFor(pools.subresources.size()) + bitsFor(pools.namespaces.size())
        + bitsFor(pools.names.size());
    if (bits <= 64)
        buildWith<1>(store, options, index.m_data, index.m_cancelled);
    else if (bits <= 128)
        buildWith<2>(store, options, index.m_data, index.m_cancelled);
    else
        buildWith<3>(store, options, index.m_data, index.m_cancelled);
    return index;
}

std::size_t ResourceIndex::memoryBytes() const
{
    return m_data.tupleOf.memoryBytes() + m_data.tuples.capacity() * sizeof(ResourceTuple)
        + m_data.objects.capacity() * sizeof(ResourceObject) + m_data.paths.memoryBytes();
}

} // namespace auditscope
