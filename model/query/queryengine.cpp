// SPDX-License-Identifier: Apache-2.0
#include "queryengine.h"

#include "chain/chainintegrity.h"
#include "policy/policycomparison.h"

#include <simdjson.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <charconv>
#include <cstring>
#include <limits>
#include <thread>

namespace auditscope {

namespace {

namespace od = simdjson::ondemand;

using Kind = QueryNode::Kind;

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

bool valueMatches(const QueryNode& n, std::string_view text)
{
    return n.wildcard ? globMatch(n.value, text) : text == n.value;
}

// An address and prefix length; v4 addresses are kept as v4-mapped v6.
struct Cidr
{
    std::array<unsigned char, 16> bytes{};
    int bits = -1;
};

bool parseAddress(std::string_view text, std::array<unsigned char, 16>& out, bool& v4)
{
    const std::string s(text);
    unsigned char buffer[16];
    if (inet_pton(AF_INET, s.c_str(), buffer) == 1) {
        out = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        std::memcpy(out.data() + 12, buffer, 4);
        v4 = true;
        return true;
    }
    if (inet_pton(AF_INET6, s.c_str(), buffer) == 1) {
        std::memcpy(out.data(), buffer, 16);
        v4 = false;
        return true;
    }
    return false;
}

std::optional<Cidr> parseCidr(std::string_view text)
{
    const std::size_t slash = text.find('/');
    Cidr c;
    bool v4 = false;
    if (slash == std::string_view::npos || !parseAddress(text.substr(0, slash), c.bytes, v4))
        return std::nullopt;
    const std::string_view digits = text.substr(slash + 1);
    int prefix = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    c.bits = v4 ? prefix + 96 : prefix;
    return c;
}

bool inCidr(const Cidr& c, std::string_view address)
{
    std::array<unsigned char, 16> a;
    bool v4 = false;
    if (!parseAddress(address, a, v4))
        return false;
    int bits = c.bits;
    for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
        const unsigned mask = bits >= 8 ? 0xFFu : (0xFFu << (8 - bits)) & 0xFFu;
        if ((a[i] & mask) != (c.bytes[i] & mask))
            return false;
    }
    return true;
}

// Literal text that must occur in the raw JSON for a string leaf to match (escaping aside).
std::string prefilterFor(const QueryNode& n)
{
    if (n.field == QueryField::Text)
        return n.value;
    if (n.op != CompareOp::Match)
        return {};
    std::string best, current;
    for (char c : n.value + '*') {
        if (c == '*') {
            if (current.size() > best.size())
                best = current;
            current.clear();
        } else {
            current.push_back(c);
        }
    }
    for (unsigned char c : best) {
        // Go's encoder escapes these; non-ASCII may be \u-escaped by other writers.
        if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&')
            return {};
    }
    return best;
}

struct Prepared
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
    std::string prefilter;
    std::int64_t estimate = -1; ///< events, for ordering; -1 = not computed
    ChainIntegrityPtr chains; ///< Chain: the store's flags; `matches` is per flag byte
    /// Rule, PolicyLevel, Emitted: the active policy's outcome per event (null: no policy for
    /// this store, nothing matches); `matches` is per rule + 1, per level, per emitted.
    const PolicyEventMatch* policyEvents = nullptr;
    /// PolicyChange: the compared policy's outcome per event; `matches` is per PolicyChange.
    const PolicyEventMatch* baselineEvents = nullptr;
};

bool isRaw(QueryField f)
{
    return f == QueryField::Json || f == QueryField::Text;
}

/// Re-reads raw events for JSON paths and bare words; one per thread.
class RawMatcher
{
public:
    bool matches(const EventStore& s, std::uint32_t row, const QueryNode& n, const Prepared& p)
    {
        const std::string_view raw = s.rawJson(EventId{row});
        m_bytes += raw.size();
        ++m_events;
        if (!p.prefilter.empty()
            && !memmem(raw.data(), raw.size(), p.prefilter.data(), p.prefilter.size()))
            return false;
        if (n.field == QueryField::Text)
            return true;
        const SourceBuffer& buffer = *s.sourceOf(EventId{row}).buffer;
        const char* data = raw.data();
        std::size_t capacity = buffer.readableFrom(s.rawOffset[row]);
        if (capacity < raw.size() + simdjson::SIMDJSON_PADDING) {
            m_scratch.assign(raw.begin(), raw.end());
            m_scratch.resize(raw.size() + simdjson::SIMDJSON_PADDING, 0);
            data = m_scratch.data();
            capacity = m_scratch.size();
        }
        od::document doc;
        od::object object;
        if (m_parser.iterate(data, raw.size(), capacity).get(doc) || doc.get_object().get(object))
            return false;
        m_node = &n;
        return matchObject(object, 0);
    }
    std::uint64_t bytes() const { return m_bytes; }
    std::uint64_t events() const { return m_events; }

private:
    bool matchObject(od::object& object, std::size_t depth)
    {
        for (auto member : object) {
            od::field field;
            std::string_view key;
            if (std::move(member).get(field) || field.unescaped_key().get(key))
                return false;
            if (iequals(key, m_node->path[depth]))
                return matchValue(field.value(), depth + 1);
        }
        return false;
    }

    bool matchValue(od::value& value, std::size_t depth)
    {
        if (depth == m_node->path.size())
            return matchLeaf(value);
        od::json_type type;
        if (value.type().get(type))
            return false;
        if (type == od::json_type::object) {
            od::object object;
            return !value.get_object().get(object) && matchObject(object, depth);
        }
        if (type == od::json_type::array) {
            od::array array;
            if (value.get_array().get(array))
                return false;
            for (auto element : array) {
                od::value item;
                if (std::move(element).get(item))
                    return false;
                if (matchValue(item, depth))
                    return true;
            }
        }
        return false;
    }

    bool compareNumber(std::string_view text) const
    {
        double d = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (ec != std::errc() || end != text.data() + text.size())
            return false;
        switch (m_node->op) {
        case CompareOp::Lt:
            return d < m_node->real;
        case CompareOp::Le:
            return d <= m_node->real;
        case CompareOp::Gt:
            return d > m_node->real;
        case CompareOp::Ge:
            return d >= m_node->real;
        case CompareOp::Match:
            break;
        }
        return false;
    }

    bool matchLeaf(od::value& value)
    {
        const bool compare = m_node->op != CompareOp::Match;
        od::json_type type;
        if (value.type().get(type))
            return false;
        switch (type) {
        case od::json_type::string: {
            std::string_view text;
            if (value.get_string().get(text))
                return false;
            return compare ? compareNumber(text) : valueMatches(*m_node, text);
        }
        case od::json_type::number: {
            const std::string_view token = value.raw_json_token();
            return compare ? compareNumber(token) : valueMatches(*m_node, token);
        }
        case od::json_type::boolean: {
            bool b = false;
            if (value.get_bool().get(b))
                return false;
            return !compare && valueMatches(*m_node, b ? "true" : "false");
        }
        case od::json_type::null:
            return !compare && valueMatches(*m_node, "null");
        case od::json_type::array: {
            od::array array;
            if (value.get_array().get(array))
                return false;
            for (auto element : array) {
                od::value item;
                if (std::move(element).get(item))
                    return false;
                if (matchLeaf(item))
                    return true;
            }
            return false;
        }
        case od::json_type::object:
            return !compare && m_node->value == "*";
        }
        return false;
    }

    simdjson::ondemand::parser m_parser;
    std::vector<char> m_scratch;
    const QueryNode* m_node = nullptr;
    std::uint64_t m_bytes = 0, m_events = 0;
};

/// Candidate rows: an explicit ascending list, or every row in [lo, hi).
struct Candidates
{
    const RowSet* list = nullptr;
    std::uint32_t lo = 0, hi = 0;
    std::size_t size() const { return list ? list->size() : hi - lo; }
    std::uint32_t at(std::size_t i) const
    {
        return list ? (*list)[i].value : lo + static_cast<std::uint32_t>(i);
    }
};

class Evaluator
{
public:
    Evaluator(const EventStore& store, const Query& query, std::stop_token stop,
        const QueryOptions& options)
        : m_store(store)
        , m_query(query)
        , m_stop(std::move(stop))
        , m_options(options)
        , m_prepared(query.nodes.size())
        , m_rows(static_cast<std::uint32_t>(store.size()))
    { }

    QueryResult run()
    {
        QueryResult result;
        result.rows = eval(m_query.root, Candidates{nullptr, 0, m_rows});
        result.cancelled = m_cancelled;
        if (m_cancelled)
            result.rows.clear();
        result.rawBytesScanned = m_rawBytes;
        result.rawEventsScanned = m_rawEvents;
        return result;
    }

    RowSet bruteForce()
    {
        RowSet out;
        RawMatcher raw;
        for (std::uint32_t row = 0; row < m_rows; ++row) {
            if (rowMatches(m_query.root, row, raw))
                out.push_back(EventId{row});
        }
        return out;
    }

private:
    const QueryNode& node(std::uint32_t i) const { return m_query.nodes[i]; }

    bool cancelled()
    {
        if (!m_cancelled && m_stop.stop_requested())
            m_cancelled = true;
        return m_cancelled;
    }

    // --- Preparation: which pool values / codes / stages a term accepts -------------------

    template <class Pool>
    void preparePool(Prepared& p, const QueryNode& n, const Pool& pool)
    {
        if (!n.wildcard && !p.cidr) {
            p.exact = true;
            p.key = pool.find(n.value);
            if (p.key != UINT32_MAX)
                p.keys.push_back(p.key);
            return;
        }
        p.matches.assign(pool.size(), 0);
        for (std::uint32_t id = 0; id < pool.size(); ++id) {
            const std::string_view text = pool.view(id);
            if (p.cidr ? inCidr(*p.cidr, text) : globMatch(n.value, text)) {
                p.matches[id] = 1;
                p.keys.push_back(id);
            }
        }
    }

    Prepared& prepare(std::uint32_t index)
    {
        Prepared& p = m_prepared[index];
        if (p.ready)
            return p;
        p.ready = true;
        const QueryNode& n = node(index);
        const StringPools& pools = m_store.pools;
        const bool indexed = m_store.indexed;
        switch (n.field) {
        case QueryField::User:
        case QueryField::As:
            preparePool(p, n, pools.users);
            p.indexable = indexed && n.field == QueryField::User;
            break;
        case QueryField::Verb:
            preparePool(p, n, pools.verbs);
            p.indexable = indexed;
            break;
        case QueryField::Resource:
            preparePool(p, n, pools.resources);
            p.indexable = indexed;
            break;
        case QueryField::Namespace:
            preparePool(p, n, pools.namespaces);
            p.indexable = indexed;
            break;
        case QueryField::Name:
            preparePool(p, n, pools.names);
            p.indexable = indexed;
            break;
        case QueryField::UserAgent:
            preparePool(p, n, pools.userAgents);
            p.indexable = indexed;
            break;
        case QueryField::Ip:
            if (n.value.find('/') != std::string::npos)
                p.cidr = parseCidr(n.value);
            preparePool(p, n, pools.sourceIps);
            p.indexable = indexed;
            break;
        case QueryField::Subresource:
            preparePool(p, n, pools.subresources);
            break;
        case QueryField::ApiGroup:
            preparePool(p, n, pools.apiGroups);
            break;
        case QueryField::ApiVersion:
            preparePool(p, n, pools.apiVersions);
            break;
        case QueryField::Decision:
            preparePool(p, n, pools.decisions);
            break;
        case QueryField::AuditId:
            if (!n.wildcard) {
                p.exact = true;
                p.key = pools.auditIds.find(n.value);
                if (p.key != UINT32_MAX)
                    p.keys.push_back(p.key);
            } else {
                p.matches.assign(pools.auditIds.size(), 0);
                for (std::uint32_t id = 0; id < pools.auditIds.size(); ++id) {
                    if (globMatch(n.value, pools.auditIds.text(id))) {
                        p.matches[id] = 1;
                        p.keys.push_back(id);
                    }
                }
            }
            p.indexable = indexed;
            break;
        case QueryField::Group: {
            std::vector<std::uint8_t> groups(pools.groups.size(), 0);
            for (std::uint32_t g = 0; g < pools.groups.size(); ++g)
                groups[g] = n.wildcard ? globMatch(n.value, pools.groups.view(g))
                                       : pools.groups.view(g) == n.value;
            const auto sets = static_cast<std::uint32_t>(m_store.groupSetOffsets.size() - 1);
            p.matches.assign(sets, 0);
            for (std::uint32_t set = 0; set < sets; ++set) {
                for (GroupId g : m_store.groupsOf(GroupSetId{set})) {
                    if (groups[g.value]) {
                        p.matches[set] = 1;
                        p.keys.push_back(set);
                        break;
                    }
                }
            }
            p.indexable = indexed;
            break;
        }
        case QueryField::Code: {
            p.matches.assign(65536, 0);
            bool aboveIndex = false;
            for (std::uint32_t code = 1; code < 65536; ++code) {
                bool match = false;
                switch (n.op) {
                case CompareOp::Match:
                    match = n.wildcard ? globMatch(n.value, std::to_string(code))
                                       : code == static_cast<std::uint64_t>(n.number);
                    break;
                case CompareOp::Lt:
                    match = code < n.number;
                    break;
                case CompareOp::Le:
                    match = code <= n.number;
                    break;
                case CompareOp::Gt:
                    match = code > n.number;
                    break;
                case CompareOp::Ge:
                    match = code >= n.number;
                    break;
                }
                if (!match)
                    continue;
                p.matches[code] = 1;
                if (code < 1000)
                    p.keys.push_back(code);
                else
                    aboveIndex = true;
            }
            // Codes from 1000 on are not indexed: use the index only if none occur.
            p.indexable = indexed && (!aboveIndex || !hasUnindexedCodes());
            break;
        }
        case QueryField::Stage:
        case QueryField::Level: {
            const bool stage = n.field == QueryField::Stage;
            const int count = stage ? StageCount : LevelCount;
            p.matches.assign(static_cast<std::size_t>(count), 0);
            for (int v = 1; v < count; ++v) {
                const std::string_view name = stage ? stageName(Stage(v)) : levelName(Level(v));
                bool match = false;
                switch (n.op) {
                case CompareOp::Match:
                    match = n.wildcard ? globMatch(n.value, name) : v == n.number;
                    break;
                case CompareOp::Lt:
                    match = v < n.number;
                    break;
                case CompareOp::Le:
                    match = v <= n.number;
                    break;
                case CompareOp::Gt:
                    match = v > n.number;
                    break;
                case CompareOp::Ge:
                    match = v >= n.number;
                    break;
                }
                if (match) {
                    p.matches[static_cast<std::size_t>(v)] = 1;
                    p.keys.push_back(static_cast<std::uint32_t>(v));
                }
            }
            p.indexable = indexed;
            break;
        }
        case QueryField::Time:
        case QueryField::StageTime: {
            const std::int64_t last = m_rows == 0 ? 0 : m_store.timeNs.back();
            const std::int64_t t = n.relativeTime ? last + n.number : n.number;
            switch (n.op) {
            case CompareOp::Match:
                p.lo = p.hi = t;
                break;
            case CompareOp::Lt:
                p.hi = t - 1;
                break;
            case CompareOp::Le:
                p.hi = t;
                break;
            case CompareOp::Gt:
                p.lo = t + 1;
                break;
            case CompareOp::Ge:
                p.lo = t;
                break;
            }
            break;
        }
        case QueryField::File: {
            p.matches.assign(m_store.sources.size(), 0);
            for (std::size_t i = 0; i < m_store.sources.size(); ++i) {
                const std::string_view path = m_store.sources[i].path;
                const std::size_t slash = path.rfind('/');
                const std::string_view base =
                    slash == std::string_view::npos ? path : path.substr(slash + 1);
                p.matches[i] = valueMatches(n, path) || valueMatches(n, base);
            }
            break;
        }
        case QueryField::Chain: {
            // Cached once a holder of the store's shared_ptr asked chainIntegrityFor() (the
            // QueryRunner, the completer); else one pass for this query.
            if (!m_chains)
                m_chains = cachedChainIntegrity(m_store);
            if (!m_chains)
                m_chains = ChainIntegrity::compute(m_store, m_stop); // once per query
            if (!m_chains)
                m_cancelled = true;
            p.chains = m_chains;
            p.matches.assign(256, 0);
            for (std::uint32_t flags = 0; flags < 256; ++flags) {
                bool match = !(flags & ChainProblemFlags) && valueMatches(n, ChainOkName);
                for (const ChainFlagInfo& info : chainFlagInfos())
                    match = match || ((flags & info.flag) && valueMatches(n, info.name));
                p.matches[flags] = match;
            }
            break;
        }
        case QueryField::Rule:
        case QueryField::PolicyLevel:
        case QueryField::Emitted:
        case QueryField::PolicyChange:
            preparePolicy(p, n);
            break;
        case QueryField::Json:
        case QueryField::Text:
            p.prefilter = prefilterFor(n);
            break;
        }
        return p;
    }

    static bool compares(CompareOp op, std::int64_t v, std::int64_t number)
    {
        switch (op) {
        case CompareOp::Match:
            return v == number;
        case CompareOp::Lt:
            return v < number;
        case CompareOp::Le:
            return v <= number;
        case CompareOp::Gt:
            return v > number;
        case CompareOp::Ge:
            return v >= number;
        }
        return false;
    }

    void preparePolicy(Prepared& p, const QueryNode& n)
    {
        const PolicyQueryContext* policy = m_options.policy.get();
        if (!policy || !policy->covers(m_store))
            return; // nothing matches; checkQueryContext() reports why
        if (n.field == QueryField::PolicyChange && !policy->comparesOn(m_store))
            return; // nothing matches; checkQueryContext() reports why
        p.policyEvents = policy->result->events.data();
        switch (n.field) {
        case QueryField::PolicyChange:
            p.baselineEvents = policy->baseline->events.data();
            p.matches.assign(PolicyChangeCount, 0);
            for (int c = 0; c < PolicyChangeCount; ++c) {
                const std::string_view name = policyChangeName(PolicyChange(c));
                const bool changed = c != int(PolicyChange::Same);
                p.matches[static_cast<std::size_t>(c)] = n.wildcard
                    ? globMatch(n.value, name) || (changed && globMatch(n.value, "changed"))
                    : n.value == name || (changed && n.value == "changed");
            }
            break;
        case QueryField::Rule: {
            // Index rule + 1: 0 is "no rule matched".
            p.matches.assign(policy->ruleCount + 1, 0);
            if (n.op == CompareOp::Match && n.value == "none") {
                p.matches[0] = 1;
                break;
            }
            for (std::size_t rule = 0; rule < policy->ruleCount; ++rule)
                p.matches[rule + 1] = n.wildcard && n.op == CompareOp::Match
                    ? globMatch(n.value, std::to_string(rule))
                    : compares(n.op, static_cast<std::int64_t>(rule), n.number);
            break;
        }
        case QueryField::PolicyLevel:
            p.matches.assign(static_cast<std::size_t>(LevelCount), 0);
            for (int v = 1; v < LevelCount; ++v)
                p.matches[static_cast<std::size_t>(v)] = n.wildcard && n.op == CompareOp::Match
                    ? globMatch(n.value, levelName(Level(v)))
                    : compares(n.op, v, n.number);
            break;
        default:
            p.matches.assign(2, 0);
            p.matches[static_cast<std::size_t>(n.number != 0)] = 1;
            break;
        }
    }

    bool hasUnindexedCodes()
    {
        if (m_unindexedCodes < 0) {
            bool any = false;
            for (std::uint16_t c : m_store.code)
                any |= c >= 1000;
            m_unindexedCodes = any;
        }
        return m_unindexedCodes > 0;
    }

    const PostingIndex* indexOf(QueryField f) const
    {
        const EventIndexes& ix = m_store.indexes;
        switch (f) {
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

    // --- Row predicate (column scans, brute force) -----------------------------------------

    template <class Column>
    bool poolRow(const Prepared& p, const Column& column, std::uint32_t row) const
    {
        const auto id = column[row];
        if (!id)
            return false;
        return p.exact ? id.value == p.key : p.matches[id.value] != 0;
    }

    bool columnRow(std::uint32_t index, std::uint32_t row)
    {
        const Prepared& p = prepare(index);
        const EventStore& s = m_store;
        switch (node(index).field) {
        case QueryField::User:
            return poolRow(p, s.user, row);
        case QueryField::As:
            return poolRow(p, s.impersonatedUser, row);
        case QueryField::Verb:
            return poolRow(p, s.verb, row);
        case QueryField::Resource:
            return poolRow(p, s.resource, row);
        case QueryField::Namespace:
            return poolRow(p, s.namespaceId, row);
        case QueryField::Name:
            return poolRow(p, s.name, row);
        case QueryField::UserAgent:
            return poolRow(p, s.userAgent, row);
        case QueryField::Ip: {
            if (poolRow(p, s.sourceIp, row))
                return true;
            for (const EventStore::ExtraSourceIp& extra : s.extraSourceIpsOf(row)) {
                if (p.exact ? extra.ip.value == p.key : p.matches[extra.ip.value] != 0)
                    return true;
            }
            return false;
        }
        case QueryField::Subresource:
            return poolRow(p, s.subresource, row);
        case QueryField::ApiGroup:
            return poolRow(p, s.apiGroup, row);
        case QueryField::ApiVersion:
            return poolRow(p, s.apiVersion, row);
        case QueryField::Decision:
            return poolRow(p, s.decision, row);
        case QueryField::AuditId:
            return poolRow(p, s.auditId, row);
        case QueryField::Group: {
            const GroupSetId set = s.groupSet[row];
            return set && set.value < p.matches.size() && p.matches[set.value];
        }
        case QueryField::Code:
            return p.matches[s.code[row]] != 0;
        case QueryField::Stage:
            return p.matches[static_cast<std::size_t>(s.stage[row])] != 0;
        case QueryField::Level:
            return p.matches[static_cast<std::size_t>(s.level[row])] != 0;
        case QueryField::Time:
            return s.timeNs[row] >= p.lo && s.timeNs[row] <= p.hi;
        case QueryField::StageTime: {
            const std::int64_t t = s.stageTimeNs(row);
            return t >= p.lo && t <= p.hi;
        }
        case QueryField::File:
            return p.matches[s.source[row].value] != 0;
        case QueryField::Chain: {
            const AuditIdId id = s.auditId[row];
            return id && p.chains && p.matches[p.chains->flagsOf(id)] != 0;
        }
        case QueryField::Rule: {
            if (!p.policyEvents)
                return false;
            const auto slot = static_cast<std::size_t>(p.policyEvents[row].rule() + 1);
            return slot < p.matches.size() && p.matches[slot] != 0;
        }
        case QueryField::PolicyLevel:
            return p.policyEvents
                && p.matches[static_cast<std::size_t>(p.policyEvents[row].level())] != 0;
        case QueryField::Emitted:
            return p.policyEvents && p.matches[p.policyEvents[row].emitted() ? 1 : 0] != 0;
        case QueryField::PolicyChange:
            return p.baselineEvents
                && p.matches[static_cast<std::size_t>(
                       policyChangeOf(p.baselineEvents[row], p.policyEvents[row]))]
                != 0;
        case QueryField::Json:
        case QueryField::Text:
            break;
        }
        return false;
    }

    bool rowMatches(std::uint32_t index, std::uint32_t row, RawMatcher& raw)
    {
        const QueryNode& n = node(index);
        switch (n.kind) {
        case Kind::All:
            return true;
        case Kind::And:
            for (std::uint32_t c : n.children)
                if (!rowMatches(c, row, raw))
                    return false;
            return true;
        case Kind::Or:
            for (std::uint32_t c : n.children)
                if (rowMatches(c, row, raw))
                    return true;
            return false;
        case Kind::Not:
            return !rowMatches(n.children.front(), row, raw);
        case Kind::Match:
            break;
        }
        if (isRaw(n.field))
            return raw.matches(m_store, row, n, prepare(index));
        return columnRow(index, row);
    }

    // --- Planning -----------------------------------------------------------------------

    // 0 time range, 1 posting lists, 2 column scan, 3 raw re-parse; composite = worst child.
    int cost(std::uint32_t index)
    {
        const QueryNode& n = node(index);
        if (n.kind == Kind::All)
            return 0;
        if (n.kind != Kind::Match) {
            int worst = 0;
            for (std::uint32_t c : n.children)
                worst = std::max(worst, cost(c));
            return worst;
        }
        if (n.field == QueryField::Time)
            return 0;
        if (isRaw(n.field))
            return 3;
        return prepare(index).indexable ? 1 : 2;
    }

    // Events an indexed term yields (for ordering an `and`); m_rows when unknown.
    std::int64_t estimate(std::uint32_t index)
    {
        const QueryNode& n = node(index);
        if (n.kind != Kind::Match || !prepare(index).indexable)
            return m_rows;
        Prepared& p = prepare(index);
        if (p.estimate < 0) {
            if (p.keys.size() > 16) {
                p.estimate = m_rows / 2;
            } else {
                p.estimate = 0;
                for (std::uint32_t k : p.keys)
                    p.estimate += indexOf(n.field)->count(k);
            }
        }
        return p.estimate;
    }

    RowSet eval(std::uint32_t index, const Candidates& cand)
    {
        if (cancelled() || cand.size() == 0)
            return {};
        const QueryNode& n = node(index);
        switch (n.kind) {
        case Kind::All:
            return materialize(cand);
        case Kind::And:
            return evalAnd(n, cand);
        case Kind::Or: {
            if (!cand.list && allIndexed(index)) {
                std::vector<std::uint64_t> bits((m_rows + 63) / 64, 0);
                markPostings(index, bits);
                return cancelled() ? RowSet{} : readBits(bits, cand.lo, cand.hi, false);
            }
            std::vector<RowSet> parts;
            for (std::uint32_t c : n.children)
                parts.push_back(eval(c, cand));
            return unite(parts);
        }
        case Kind::Not:
            if (!cand.list && allIndexed(n.children.front())) {
                std::vector<std::uint64_t> bits((m_rows + 63) / 64, 0);
                markPostings(n.children.front(), bits);
                return cancelled() ? RowSet{} : readBits(bits, cand.lo, cand.hi, true);
            }
            return subtract(cand, eval(n.children.front(), cand));
        case Kind::Match:
            break;
        }
        if (n.field == QueryField::Time)
            return timeRange(index, cand);
        if (isRaw(n.field))
            return rawScan(index, cand);
        const Prepared& p = prepare(index);
        if (p.indexable) {
            // A short candidate list is cheaper to check in the column than to decode lists.
            const bool fewCandidates =
                cand.list && static_cast<std::int64_t>(cand.size()) * 2 < estimate(index);
            if (!fewCandidates)
                return postings(index, cand);
        }
        return columnScan(index, cand);
    }

    // An indexed term, or an `or` of them: its rows can be marked straight from posting lists.
    bool allIndexed(std::uint32_t index)
    {
        const QueryNode& n = node(index);
        if (n.kind == Kind::Or) {
            for (std::uint32_t c : n.children)
                if (!allIndexed(c))
                    return false;
            return true;
        }
        return n.kind == Kind::Match && !isRaw(n.field) && n.field != QueryField::Time
            && prepare(index).indexable;
    }

    void markPostings(std::uint32_t index, std::vector<std::uint64_t>& bits)
    {
        const QueryNode& n = node(index);
        if (n.kind == Kind::Or) {
            for (std::uint32_t c : n.children)
                markPostings(c, bits);
            return;
        }
        const Prepared& p = prepare(index);
        const PostingIndex& ix = *indexOf(n.field);
        for (std::size_t k = 0; k < p.keys.size(); ++k) {
            if ((k & 0xFF) == 0 && cancelled())
                return;
            ix.forEach(p.keys[k], [&](EventId e) { bits[e.value >> 6] |= 1ULL << (e.value & 63); });
        }
    }

    RowSet evalAnd(const QueryNode& n, const Candidates& cand)
    {
        std::vector<std::uint32_t> order = n.children;
        std::vector<std::pair<int, std::int64_t>> keys(m_query.nodes.size());
        for (std::uint32_t c : order)
            keys[c] = {cost(c), estimate(c)};
        std::stable_sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
        Candidates current = cand;
        RowSet held;
        bool materialized = false;
        for (std::uint32_t c : order) {
            // Time terms narrow a row range without materializing it.
            if (!current.list && node(c).kind == Kind::Match && node(c).field == QueryField::Time) {
                const Prepared& p = prepare(c);
                current.lo = std::max(current.lo, lowerRow(p.lo));
                current.hi = std::min(current.hi, upperRow(p.hi));
                if (current.hi < current.lo)
                    current.hi = current.lo;
                continue;
            }
            held = eval(c, current);
            materialized = true;
            current = Candidates{&held, 0, 0};
            if (held.empty() || cancelled())
                break;
        }
        return materialized ? std::move(held) : materialize(current);
    }

    std::uint32_t lowerRow(std::int64_t t) const
    {
        return static_cast<std::uint32_t>(
            std::lower_bound(m_store.timeNs.begin(), m_store.timeNs.end(), t)
            - m_store.timeNs.begin());
    }
    std::uint32_t upperRow(std::int64_t t) const
    {
        return static_cast<std::uint32_t>(
            std::upper_bound(m_store.timeNs.begin(), m_store.timeNs.end(), t)
            - m_store.timeNs.begin());
    }

    RowSet timeRange(std::uint32_t index, const Candidates& cand)
    {
        const Prepared& p = prepare(index);
        const std::uint32_t lo = lowerRow(p.lo), hi = upperRow(p.hi);
        RowSet out;
        if (cand.list) {
            const auto first = std::lower_bound(cand.list->begin(), cand.list->end(), EventId{lo});
            const auto last = std::lower_bound(first, cand.list->end(), EventId{hi});
            out.assign(first, last);
        } else {
            out = materialize(Candidates{nullptr, std::max(lo, cand.lo), std::min(hi, cand.hi)});
        }
        return out;
    }

    static RowSet materialize(const Candidates& cand)
    {
        if (cand.list)
            return *cand.list;
        RowSet out;
        if (cand.hi <= cand.lo)
            return out;
        out.resize(cand.hi - cand.lo);
        for (std::uint32_t r = cand.lo; r < cand.hi; ++r)
            out[r - cand.lo] = EventId{r};
        return out;
    }

    template <class Pred>
    RowSet scanWith(const Candidates& cand, Pred pred)
    {
        RowSet out;
        const std::size_t size = cand.size();
        for (std::size_t begin = 0; begin < size; begin += 1 << 20) {
            if (cancelled())
                return {};
            const std::size_t end = std::min(size, begin + (1 << 20));
            if (cand.list) {
                for (std::size_t i = begin; i < end; ++i)
                    if (pred((*cand.list)[i].value))
                        out.push_back((*cand.list)[i]);
            } else {
                for (std::size_t i = begin; i < end; ++i) {
                    const auto row = static_cast<std::uint32_t>(cand.lo + i);
                    if (pred(row))
                        out.push_back(EventId{row});
                }
            }
        }
        return out;
    }

    template <class Column>
    RowSet scanPool(const Prepared& p, const Column& column, const Candidates& cand)
    {
        if (p.exact) {
            if (p.key == UINT32_MAX)
                return {};
            return scanWith(cand, [&](std::uint32_t row) { return column[row].value == p.key; });
        }
        return scanWith(cand, [&](std::uint32_t row) {
            const auto id = column[row];
            return id && p.matches[id.value] != 0;
        });
    }

    RowSet columnScan(std::uint32_t index, const Candidates& cand)
    {
        const Prepared& p = prepare(index);
        const EventStore& s = m_store;
        switch (node(index).field) {
        case QueryField::As:
            return scanPool(p, s.impersonatedUser, cand);
        case QueryField::Subresource:
            return scanPool(p, s.subresource, cand);
        case QueryField::ApiGroup:
            return scanPool(p, s.apiGroup, cand);
        case QueryField::ApiVersion:
            return scanPool(p, s.apiVersion, cand);
        case QueryField::Decision:
            return scanPool(p, s.decision, cand);
        case QueryField::Code:
            return scanWith(cand, [&](std::uint32_t row) { return p.matches[s.code[row]] != 0; });
        default:
            break;
        }
        return scanWith(cand, [&](std::uint32_t row) { return columnRow(index, row); });
    }

    RowSet postings(std::uint32_t index, const Candidates& cand)
    {
        const Prepared& p = prepare(index);
        const PostingIndex& ix = *indexOf(node(index).field);
        RowSet out;
        if (p.keys.empty())
            return out;
        if (p.keys.size() == 1) {
            if (!cand.list) {
                ix.forEach(p.keys.front(), [&](EventId e) {
                    if (e.value >= cand.lo && e.value < cand.hi)
                        out.push_back(e);
                });
            } else {
                const RowSet& list = *cand.list;
                std::size_t i = 0;
                ix.forEach(p.keys.front(), [&](EventId e) {
                    while (i < list.size() && list[i] < e)
                        ++i;
                    if (i < list.size() && list[i] == e)
                        out.push_back(e);
                });
            }
            return out;
        }
        // Several lists: mark a bitmap, then read it back in row order.
        std::vector<std::uint64_t> bits((m_rows + 63) / 64, 0);
        for (std::size_t k = 0; k < p.keys.size(); ++k) {
            if ((k & 0xFF) == 0 && cancelled())
                return {};
            ix.forEach(p.keys[k], [&](EventId e) { bits[e.value >> 6] |= 1ULL << (e.value & 63); });
        }
        if (cand.list) {
            for (EventId e : *cand.list)
                if ((bits[e.value >> 6] >> (e.value & 63)) & 1)
                    out.push_back(e);
            return out;
        }
        return readBits(bits, cand.lo, cand.hi);
    }

    static RowSet readBits(const std::vector<std::uint64_t>& bits, std::uint32_t lo,
        std::uint32_t hi, bool invert = false)
    {
        RowSet out;
        if (hi <= lo)
            return out;
        const std::size_t first = lo / 64, last = (hi - 1) / 64;
        auto wordAt = [&](std::size_t w) {
            std::uint64_t word = invert ? ~bits[w] : bits[w];
            if (w == first)
                word &= ~0ULL << (lo % 64);
            if (w == last && hi % 64 != 0)
                word &= ~0ULL >> (64 - hi % 64);
            return word;
        };
        std::size_t total = 0;
        for (std::size_t w = first; w <= last; ++w)
            total += static_cast<std::size_t>(std::popcount(wordAt(w)));
        out.resize(total);
        std::size_t at = 0;
        for (std::size_t w = first; w <= last; ++w) {
            std::uint64_t word = wordAt(w);
            while (word) {
                out[at++] = EventId{static_cast<std::uint32_t>(w * 64 + std::countr_zero(word))};
                word &= word - 1;
            }
        }
        return out;
    }

    RowSet unite(std::vector<RowSet>& parts)
    {
        std::size_t total = 0;
        for (const RowSet& r : parts)
            total += r.size();
        if (parts.size() == 1)
            return std::move(parts.front());
        if (total > m_rows / 32) {
            std::vector<std::uint64_t> bits((m_rows + 63) / 64, 0);
            for (const RowSet& r : parts)
                for (EventId e : r)
                    bits[e.value >> 6] |= 1ULL << (e.value & 63);
            return readBits(bits, 0, m_rows);
        }
        RowSet out;
        for (RowSet& r : parts) {
            RowSet merged;
            merged.reserve(out.size() + r.size());
            std::set_union(out.begin(), out.end(), r.begin(), r.end(), std::back_inserter(merged));
            out.swap(merged);
        }
        return out;
    }

    RowSet subtract(const Candidates& cand, const RowSet& remove)
    {
        if (cancelled())
            return {};
        RowSet out;
        out.reserve(cand.size() - std::min(cand.size(), remove.size()));
        std::size_t j = 0;
        const std::size_t size = cand.size();
        for (std::size_t i = 0; i < size; ++i) {
            const std::uint32_t row = cand.at(i);
            while (j < remove.size() && remove[j].value < row)
                ++j;
            if (j < remove.size() && remove[j].value == row)
                continue;
            out.push_back(EventId{row});
        }
        return out;
    }

    RowSet rawScan(std::uint32_t index, const Candidates& cand)
    {
        const QueryNode& n = node(index);
        const Prepared& p = prepare(index);
        const std::size_t size = cand.size();
        const unsigned threads = static_cast<unsigned>(std::clamp<std::size_t>(
            std::min<std::size_t>(m_options.threads, size / 256 + 1), 1, 64));
        std::vector<RowSet> parts(threads);
        std::vector<std::uint64_t> bytes(threads, 0), events(threads, 0);
        std::atomic<bool> stopped{false};
        auto work = [&](unsigned t) {
            RawMatcher matcher;
            const std::size_t begin = size * t / threads, end = size * (t + 1) / threads;
            for (std::size_t i = begin; i < end; ++i) {
                if ((i & 0x3FF) == 0 && (m_stop.stop_requested() || stopped)) {
                    stopped = true;
                    return;
                }
                const std::uint32_t row = cand.at(i);
                if (matcher.matches(m_store, row, n, p))
                    parts[t].push_back(EventId{row});
            }
            bytes[t] = matcher.bytes();
            events[t] = matcher.events();
        };
        {
            std::vector<std::jthread> workers;
            for (unsigned t = 1; t < threads; ++t)
                workers.emplace_back(work, t);
            work(0);
        }
        if (stopped) {
            m_cancelled = true;
            return {};
        }
        RowSet out;
        for (unsigned t = 0; t < threads; ++t) {
            out.insert(out.end(), parts[t].begin(), parts[t].end());
            m_rawBytes += bytes[t];
            m_rawEvents += events[t];
        }
        return out;
    }

    const EventStore& m_store;
    const Query& m_query;
    std::stop_token m_stop;
    QueryOptions m_options;
    std::vector<Prepared> m_prepared;
    std::uint32_t m_rows;
    bool m_cancelled = false;
    int m_unindexedCodes = -1;
    std::uint64_t m_rawBytes = 0, m_rawEvents = 0;
    ChainIntegrityPtr m_chains; // chain: terms share one integrity pass
};

} // namespace

QueryResult runQuery(
    const EventStore& store, const Query& query, std::stop_token stop, const QueryOptions& options)
{
    if (query.nodes.empty())
        return {};
    return Evaluator(store, query, std::move(stop), options).run();
}

RowSet runQueryBruteForce(const EventStore& store, const Query& query, const QueryOptions& options)
{
    if (query.nodes.empty())
        return {};
    return Evaluator(store, query, {}, options).bruteForce();
}

std::optional<QueryError> checkQueryContext(
    const Query& query, std::string_view text, const EventStore& store, const QueryOptions& options)
{
    const bool covered = options.policy && options.policy->covers(store);
    const bool compared = options.policy && options.policy->comparesOn(store);
    const QueryNode* first = nullptr; // the leftmost policy term without its context
    for (const QueryNode& n : query.nodes) {
        if (n.kind != QueryNode::Kind::Match)
            continue;
        const bool missing = n.field == QueryField::PolicyChange ? !compared
            : n.field == QueryField::Rule || n.field == QueryField::PolicyLevel
                || n.field == QueryField::Emitted
            ? !covered
            : false;
        if (missing && (!first || n.offset < first->offset))
            first = &n;
    }
    if (first) {
        QueryError error;
        error.offset = std::min(first->offset, text.size());
        error.column = 1;
        for (std::size_t i = 0; i < error.offset; ++i)
            error.column += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
        error.message = !options.policy ? "no active policy: open one in the policy editor"
            : !covered
            ? "the active policy has not been evaluated on these events yet; try again when "
              "the policy editor shows its result"
            : "the active policy is not compared with another policy: choose one under "
              "'Impact compared with' in the Rules dock";
        return error;
    }
    return std::nullopt;
}

} // namespace auditscope
