// SPDX-License-Identifier: Apache-2.0
// The analysis aggregations against brute-force recounts from the store's strings, on a log
// written by the generator at test time, a hand-written log of edge cases and the MicroK8s
// corpus; filter texts against the query engine.
#include "tst_analysis.h"

#include "analysis/classification.h"
#include "analysis/fieldaggregate.h"
#include "analysis/filtertext.h"
#include "analysis/resourceindex.h"
#include "analysis/resourcesaggregate.h"
#include "analysis/timeline.h"
#include "analysis/usersaggregate.h"
#include "query/queryengine.h"
#include "report/rawfieldreader.h"
#include "report/summary.h"
#include "testutil.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <map>
#include <set>
#include <stop_token>

using namespace auditscope;
using namespace auditscope::test;

namespace {

constexpr std::int64_t Sec = 1'000'000'000;

// Small inputs still run on several threads in tests, so merging is exercised.
AnalysisOptions testOptions(unsigned threads = 2)
{
    AnalysisOptions o;
    o.threads = threads;
    o.minRowsPerThread = 500;
    return o;
}

struct Fixture
{
    QTemporaryDir dir;
    LoadResult load;
    ResourceIndex index;
};

// `auditgen --events N --seed S`, written to a temporary file and loaded (kept mapped).
Fixture& generated()
{
    static Fixture* f = [] {
        auto* fixture = new Fixture;
        const QString path = fixture->dir.filePath(QStringLiteral("generated.log"));
        QProcess gen;
        gen.start(QStringLiteral(AUDITSCOPE_AUDITGEN),
            {QStringLiteral("--events"), QStringLiteral("30000"), QStringLiteral("--seed"),
                QStringLiteral("11"), QStringLiteral("--out"), path});
        gen.waitForFinished(120000);
        fixture->load = loadAuditLogs({path.toStdString()});
        fixture->index = ResourceIndex::build(*fixture->load.store, testOptions());
        return fixture;
    }();
    return *f;
}

Fixture& microk8s()
{
    static Fixture* f = [] {
        auto* fixture = new Fixture;
        fixture->load = loadAuditLogs({AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz"});
        fixture->index = ResourceIndex::build(*fixture->load.store, testOptions());
        return fixture;
    }();
    return *f;
}

std::string line(const std::string& id, const std::string& time, const std::string& verb,
    const std::string& user, const std::string& uri, const std::string& objectRef,
    const std::string& extra = {})
{
    std::string out =
        R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":")" + id
        + R"(","stage":"ResponseComplete",)";
    if (!uri.empty())
        out += R"("requestURI":)" + uri + ",";
    out += R"("verb":")" + verb + R"(","user":)" + user;
    if (!objectRef.empty())
        out += R"(,"objectRef":)" + objectRef;
    out += extra + R"(,"requestReceivedTimestamp":"2025-03-14T09:00:)" + time
        + R"(Z","stageTimestamp":"2025-03-14T09:00:)" + time + R"(Z"})" + "\n";
    return out;
}

// Every case the generator does not write: impersonation chains, several sourceIPs, missing
// users, objectRefs without resource, escaped and nested requestURIs, odd usernames.
Fixture& handwritten()
{
    static Fixture* f = [] {
        const std::string alice = R"({"username":"alice","groups":["dev","system:authenticated"]})";
        const std::string admin = R"({"username":"admin","groups":["system:masters"]})";
        const std::string node = R"({"username":"system:node:n1","groups":["system:nodes"]})";
        const std::string kubelet = R"({"username":"kubelet-x","groups":["system:nodes"]})";
        const std::string sa =
            R"({"username":"system:serviceaccount:prod:web","groups":["system:serviceaccounts"]})";
        const std::string odd = R"({"username":"we\"ird \\ one","groups":[]})";
        const std::string anon =
            R"({"username":"system:anonymous","groups":["system:unauthenticated"]})";
        const std::string badSa = R"({"username":"system:serviceaccount::x"})";
        const std::string pods =
            R"({"resource":"pods","namespace":"prod","name":"web-1","apiVersion":"v1"})";
        const std::string exec =
            R"({"resource":"pods","subresource":"exec","namespace":"prod","name":"web-1","apiVersion":"v1"})";
        const std::string nodes = R"({"resource":"nodes","name":"n1","apiVersion":"v1"})";
        const std::string list =
            R"({"resource":"deployments","namespace":"prod","apiGroup":"apps","apiVersion":"v1"})";
        const std::string noResource = R"({"apiGroup":"apps","apiVersion":"v1"})";
        const std::string code = R"(,"responseStatus":{"metadata":{},"code":)";
        std::string log;
        log += line("a1", "01", "get", alice, R"("/api/v1/namespaces/prod/pods/web-1")", pods,
            code + "200}");
        log += line("a2", "02", "create", alice, R"("/api/v1/namespaces/prod/pods/web-1/exec")",
            exec, code + "101}");
        log += line("a3", "03", "delete", alice, R"("/api/v1/namespaces/prod/pods/web-1")", pods,
            code + "403}" + R"(,"sourceIPs":["1.2.3.4","10.0.0.1"])");
        log += line("a4", "04", "get", "{}", R"("/api?timeout=32s")", "", code + "401}");
        log += line("a5", "05", "patch", admin, R"("/api/v1/nodes/n1")", nodes,
            code + "200}" + R"(,"impersonatedUser":{"username":"bob"})");
        log += line("a6", "06", "get", admin, R"("/api/v1/nodes/n1")", nodes,
            code + "200}" + R"(,"impersonatedUser":{"username":"bob"})");
        log += line("a7", "07", "update", admin, R"("/api/v1/nodes/n1")", nodes,
            code + "200}" + R"(,"impersonatedUser":{"username":"system:serviceaccount:prod:web"})");
        log += line("a8", "08", "get", node, R"("/healthz?verbose")", "", code + "200}");
        log += line("a9", "09", "get", kubelet, R"("/healthz")", "", code + "200}");
        log += line("a10", "10", "list", sa, R"("/apis/apps/v1/namespaces/prod/deployments")", list,
            code + "200}");
        log += line("a11", "11", "get", odd, R"("/weird\"path?x=1")", "", code + "404}");
        log += line("a12", "12", "get", anon, R"("/version")", "", code + "200}");
        log += line("a13", "13", "get", badSa, "", "", code + "500}");
        log += line("a14", "14", "watch", sa, R"("/apis/apps/v1")", noResource);
        // A nested "requestURI" key before the real one: the byte scan must not take it.
        log +=
            std::string(
                R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a15","stage":"ResponseComplete","user":{"username":"alice","extra":{"requestURI":["/evil"]}},"requestURI":"/metrics","verb":"get","requestReceivedTimestamp":"2025-03-14T09:00:15Z","stageTimestamp":"2025-03-14T09:00:15Z"})")
            + "\n";
        log += line("a16", "16", "deletecollection", alice,
            R"("/api/v1/namespaces/prod/pods?labelSelector=a%3Db\u0026x=1")",
            R"({"resource":"pods","namespace":"prod","apiVersion":"v1"})", code + "200}");
        log += line("a17", "17", "proxy", alice, R"("/api/v1/nodes/n1/proxy/x")",
            R"({"resource":"nodes","subresource":"proxy","name":"n1","apiVersion":"v1"})",
            code + "302}");
        auto* fixture = new Fixture;
        fixture->load = loadText(log, "handwritten.log");
        fixture->index = ResourceIndex::build(*fixture->load.store, testOptions());
        return fixture;
    }();
    return *f;
}

std::vector<std::uint32_t> rowsOf(const EventStore& store, const EventSelection& sel)
{
    std::vector<std::uint32_t> rows;
    if (sel.all) {
        for (std::uint32_t r = 0; r < store.size(); ++r)
            rows.push_back(r);
    } else {
        for (const EventId id : sel.ids)
            rows.push_back(id.value);
    }
    return rows;
}

RowSet run(const EventStore& store, const std::string& text)
{
    const ParseResult parsed = parseQuery(text);
    if (!parsed.ok())
        qWarning("does not parse: %s: %s", text.c_str(), parsed.error.toString().c_str());
    return parsed.ok() ? runQuery(store, *parsed.query).rows : RowSet{};
}

// Independent of the code under test: strings from the pools, rules written out again.
const std::string NoValue = "\x01(none)";

std::string userOf(const EventStore& s, std::uint32_t row)
{
    const UserId u = s.user[row];
    return u ? std::string(s.pools.users.view(u.value)) : NoValue;
}

template <class IdType>
std::string textOf(const StringPool& pool, IdType id)
{
    return id ? std::string(pool.view(id.value)) : NoValue;
}

int verbClassRef(const EventStore& s, std::uint32_t row)
{
    const std::string verb = textOf(s.pools.verbs, s.verb[row]);
    if (verb == "get" || verb == "list" || verb == "watch")
        return 0;
    if (verb == "create" || verb == "update" || verb == "patch")
        return 1;
    if (verb == "delete" || verb == "deletecollection")
        return 2;
    return 3;
}

int responseClassRef(std::uint16_t code)
{
    return code == 0 ? 4 : code < 300 ? 0 : code < 400 ? 1 : code < 500 ? 2 : 3;
}

std::vector<std::string> groupsOf(const EventStore& s, std::uint32_t row)
{
    std::vector<std::string> out;
    for (const GroupId g : s.groupsOf(s.groupSet[row]))
        out.emplace_back(s.pools.groups.view(g.value));
    return out;
}

int principalKindRef(const EventStore& s, std::uint32_t row)
{
    const std::string user = s.user[row] ? std::string(s.pools.users.view(s.user[row].value)) : "";
    std::vector<std::string> groups = groupsOf(s, row);
    std::vector<std::string_view> views(groups.begin(), groups.end());
    return static_cast<int>(classifyPrincipal(user, views));
}

std::string requestPathRef(const EventStore& s, std::uint32_t row)
{
    RawFieldReader reader;
    const std::optional<std::string> uri = reader.topLevelString(s, EventId{row}, "requestURI");
    return uri ? uri->substr(0, uri->find('?')) : NoValue;
}

void checkTimeline(const EventStore& s, const EventSelection& sel, const TimelineRequest& req)
{
    const Timeline t = computeTimeline(s, sel, req, testOptions());
    QVERIFY(!t.cancelled);
    QVERIFY(!t.tooManyBuckets);
    const TimeRange range = req.range.empty() ? timeRangeOf(s, sel) : req.range;
    QCOMPARE(t.range, range);
    const std::int64_t width = req.bucketNs;
    QCOMPARE(t.bucketNs, width);
    QCOMPARE(t.originNs, range.fromNs / width * width);
    QCOMPARE(t.bucketCount, std::size_t((range.toNs - t.originNs + width - 1) / width));
    const std::vector<std::uint32_t> rows = rowsOf(s, sel);
    std::vector<std::string> lanes;
    if (req.stack == TimelineStack::Principal) {
        std::map<std::string, std::uint64_t> perUser;
        for (const std::uint32_t r : rows)
            if (s.timeNs[r] >= range.fromNs && s.timeNs[r] < range.toNs)
                ++perUser[userOf(s, r) == NoValue ? std::string() : userOf(s, r)];
        std::vector<std::pair<std::string, std::uint64_t>> sorted(perUser.begin(), perUser.end());
        std::stable_sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
        for (std::size_t i = 0; i < sorted.size() && i < std::size_t(req.lanes); ++i)
            lanes.push_back(sorted[i].first);
        QCOMPARE(t.laneUsers.size(), lanes.size());
        for (std::size_t i = 0; i < lanes.size(); ++i)
            QCOMPARE(t.laneUsers[i] ? std::string(s.pools.users.view(t.laneUsers[i].value))
                                    : std::string(),
                lanes[i]);
    }
    const std::size_t series = req.stack == TimelineStack::None ? 1
        : req.stack == TimelineStack::Verb                      ? 4
        : req.stack == TimelineStack::Principal                 ? lanes.size() + 1
                                                                : 5;
    QCOMPARE(t.seriesCount(), series);
    std::vector<std::uint32_t> expected(t.bucketCount * series, 0);
    std::uint64_t total = 0;
    for (const std::uint32_t r : rows) {
        const std::int64_t time = s.timeNs[r];
        if (time < range.fromNs || time >= range.toNs)
            continue;
        const auto bucket = static_cast<std::size_t>((time - t.originNs) / width);
        std::size_t k = 0;
        switch (req.stack) {
        case TimelineStack::None:
            break;
        case TimelineStack::Verb:
            k = static_cast<std::size_t>(verbClassRef(s, r));
            break;
        case TimelineStack::Response:
            k = static_cast<std::size_t>(responseClassRef(s.code[r]));
            break;
        case TimelineStack::PrincipalKind:
            k = static_cast<std::size_t>(principalKindRef(s, r));
            break;
        case TimelineStack::Principal: {
            const std::string u = userOf(s, r) == NoValue ? std::string() : userOf(s, r);
            k = static_cast<std::size_t>(std::find(lanes.begin(), lanes.end(), u) - lanes.begin());
            break;
        }
        }
        ++expected[bucket * series + k];
        ++total;
    }
    QCOMPARE(t.total, total);
    QVERIFY(t.counts == expected);
}

void checkUsers(const EventStore& s, const EventSelection& sel)
{
    const UsersAggregate agg = aggregateUsers(s, sel, testOptions());
    QVERIFY(!agg.cancelled);
    struct Ref
    {
        std::uint64_t events = 0, writes = 0, deletes = 0, failures = 0;
        std::int64_t first = INT64_MAX, last = INT64_MIN;
        std::set<std::string> ips, agents, groups;
    };
    std::map<std::string, Ref> ref;
    std::map<std::pair<std::string, std::string>, std::uint64_t> edges;
    const std::vector<std::uint32_t> rows = rowsOf(s, sel);
    for (const std::uint32_t r : rows) {
        Ref& u = ref[userOf(s, r)];
        ++u.events;
        u.writes += verbClassRef(s, r) == 1;
        u.deletes += verbClassRef(s, r) == 2;
        u.failures += s.code[r] == 401 || s.code[r] == 403;
        u.first = std::min(u.first, s.timeNs[r]);
        u.last = std::max(u.last, s.timeNs[r]);
        if (s.sourceIp[r])
            u.ips.insert(std::string(s.pools.sourceIps.view(s.sourceIp[r].value)));
        for (const auto& extra : s.extraSourceIps)
            if (extra.row == r)
                u.ips.insert(std::string(s.pools.sourceIps.view(extra.ip.value)));
        if (s.userAgent[r])
            u.agents.insert(std::string(s.pools.userAgents.view(s.userAgent[r].value)));
        for (const std::string& g : groupsOf(s, r))
            u.groups.insert(g);
        if (s.impersonatedUser[r])
            ++edges[{userOf(s, r), std::string(s.pools.users.view(s.impersonatedUser[r].value))}];
    }
    QCOMPARE(agg.users.size(), ref.size());
    std::uint64_t events = 0;
    for (std::size_t i = 0; i < agg.users.size(); ++i) {
        const UserSummary& u = agg.users[i];
        const std::string name = u.user ? std::string(s.pools.users.view(u.user.value)) : NoValue;
        QVERIFY2(ref.count(name), name.c_str());
        const Ref& e = ref[name];
        QCOMPARE(u.events, e.events);
        QCOMPARE(u.writes, e.writes);
        QCOMPARE(u.deletes, e.deletes);
        QCOMPARE(u.authFailures, e.failures);
        QCOMPARE(u.firstNs, e.first);
        QCOMPARE(u.lastNs, e.last);
        auto names = [](const auto& ids, const StringPool& pool) {
            std::vector<std::string> out;
            for (const auto id : ids)
                out.emplace_back(pool.view(id.value));
            return out;
        };
        QVERIFY(names(u.sourceIps, s.pools.sourceIps)
            == std::vector<std::string>(e.ips.begin(), e.ips.end()));
        QVERIFY(names(u.userAgents, s.pools.userAgents)
            == std::vector<std::string>(e.agents.begin(), e.agents.end()));
        QVERIFY(names(u.groups, s.pools.groups)
            == std::vector<std::string>(e.groups.begin(), e.groups.end()));
        const std::vector<std::string_view> groups(e.groups.begin(), e.groups.end());
        QCOMPARE(u.kind, classifyPrincipal(u.user ? name : std::string(), groups));
        if (i > 0) {
            const UserSummary& prev = agg.users[i - 1];
            QVERIFY(prev.events > u.events
                || (prev.events == u.events
                    && userDisplayName(s, prev.user) <= userDisplayName(s, u.user)));
        }
        events += u.events;
    }
    QCOMPARE(agg.events, std::uint64_t(rows.size()));
    QCOMPARE(events, std::uint64_t(rows.size()));
    // Groups: every user once, of the group's kind (and namespace).
    std::vector<int> seen(agg.users.size(), 0);
    for (const UserGroup& g : agg.groups) {
        std::uint64_t sum = 0;
        for (const std::uint32_t m : g.members) {
            ++seen[m];
            QCOMPARE(agg.users[m].kind, g.kind);
            const std::string_view ns = agg.users[m].user
                ? serviceAccountNamespace(s.pools.users.view(agg.users[m].user.value))
                : std::string_view();
            QCOMPARE(std::string(ns), g.serviceAccountNamespace);
            sum += agg.users[m].events;
        }
        QCOMPARE(g.events, sum);
    }
    QVERIFY(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
    QCOMPARE(agg.impersonations.size(), edges.size());
    for (const ImpersonationEdge& e : agg.impersonations) {
        const std::string from = e.user ? std::string(s.pools.users.view(e.user.value)) : NoValue;
        QCOMPARE(e.events, (edges[{from, std::string(s.pools.users.view(e.impersonated.value))}]));
    }
}

// A node's identity as a chain of "kind:value" strings, from the root.
std::vector<std::string> chainOf(
    const EventStore& s, const ResourcesAggregate& agg, std::uint32_t n)
{
    std::vector<std::string> chain;
    for (; n != ResourceNode::NoParent; n = agg.nodes[n].parent) {
        const ResourceNode& node = agg.nodes[n];
        const bool absent = node.key == ResourceNode::Absent;
        const StringPools& p = s.pools;
        switch (node.kind) {
        case ResourceNodeKind::ApiGroup:
            chain.push_back("G:" + std::string(p.apiGroups.view(node.key)));
            break;
        case ResourceNodeKind::Resource:
            chain.push_back("R:" + (absent ? NoValue : std::string(p.resources.view(node.key))));
            break;
        case ResourceNodeKind::Subresource:
            chain.push_back("S:" + std::string(p.subresources.view(node.key)));
            break;
        case ResourceNodeKind::Namespace:
            chain.push_back("N:" + (absent ? NoValue : std::string(p.namespaces.view(node.key))));
            break;
        case ResourceNodeKind::Name:
            chain.push_back("M:" + (absent ? NoValue : std::string(p.names.view(node.key))));
            break;
        case ResourceNodeKind::NonResource:
            chain.push_back("NR");
            break;
        case ResourceNodeKind::Path:
            chain.push_back("P:" + (absent ? NoValue : agg.paths[node.key]));
            break;
        }
    }
    std::reverse(chain.begin(), chain.end());
    return chain;
}

std::vector<std::string> chainRef(const EventStore& s, std::uint32_t r)
{
    const StringPools& p = s.pools;
    if (!s.apiGroup[r])
        return {"NR", "P:" + requestPathRef(s, r)};
    std::vector<std::string> chain{"G:" + std::string(p.apiGroups.view(s.apiGroup[r].value)),
        "R:" + textOf(p.resources, s.resource[r])};
    if (s.subresource[r])
        chain.push_back("S:" + textOf(p.subresources, s.subresource[r]));
    chain.push_back("N:" + textOf(p.namespaces, s.namespaceId[r]));
    chain.push_back("M:" + textOf(p.names, s.name[r]));
    return chain;
}

void checkResources(const EventStore& s, const ResourceIndex& index, const EventSelection& sel)
{
    ResourcesRequest request;
    request.topPrincipals = 3;
    const ResourcesAggregate agg = aggregateResources(s, index, sel, request, testOptions());
    QVERIFY(!agg.cancelled);
    struct Ref
    {
        std::uint64_t events = 0, writes = 0, deletes = 0;
        std::map<std::string, std::uint64_t> users;
    };
    std::map<std::vector<std::string>, Ref> ref;
    const std::vector<std::uint32_t> rows = rowsOf(s, sel);
    std::uint64_t nonResource = 0;
    for (const std::uint32_t r : rows) {
        const std::vector<std::string> chain = chainRef(s, r);
        nonResource += chain.front() == "NR";
        for (std::size_t len = 1; len <= chain.size(); ++len) {
            Ref& e = ref[std::vector<std::string>(chain.begin(), chain.begin() + long(len))];
            ++e.events;
            e.writes += verbClassRef(s, r) == 1;
            e.deletes += verbClassRef(s, r) == 2;
            ++e.users[userOf(s, r) == NoValue ? std::string() : userOf(s, r)];
        }
    }
    QCOMPARE(agg.nodes.size(), ref.size());
    QCOMPARE(agg.events, std::uint64_t(rows.size()));
    QCOMPARE(agg.nonResourceEvents, nonResource);
    QCOMPARE(agg.principalOffsets.size(), agg.nodes.size() + 1);
    for (std::uint32_t n = 0; n < agg.nodes.size(); ++n) {
        const ResourceNode& node = agg.nodes[n];
        const auto chain = chainOf(s, agg, n);
        QVERIFY(ref.count(chain));
        const Ref& e = ref[chain];
        QCOMPARE(node.events, e.events);
        QCOMPARE(node.writes, e.writes);
        QCOMPARE(node.deletes, e.deletes);
        QCOMPARE(node.distinctPrincipals, std::uint32_t(e.users.size()));
        // Top principals: most events first, ties by name.
        std::vector<std::pair<std::string, std::uint64_t>> top(e.users.begin(), e.users.end());
        std::stable_sort(top.begin(), top.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
        top.resize(std::min<std::size_t>(top.size(), 3));
        const auto principals = agg.topPrincipals(n);
        QCOMPARE(principals.size(), top.size());
        for (std::size_t i = 0; i < top.size(); ++i) {
            QCOMPARE(principals[i].user ? std::string(s.pools.users.view(principals[i].user.value))
                                        : std::string(),
                top[i].first);
            QCOMPARE(principals[i].events, top[i].second);
        }
        // Children: contiguous, pointing back, summing to the parent, most events first.
        std::uint64_t sum = 0;
        for (std::uint32_t c = node.firstChild; c < node.firstChild + node.childCount; ++c) {
            QCOMPARE(agg.nodes[c].parent, n);
            sum += agg.nodes[c].events;
            if (c > node.firstChild && agg.nodes[c].kind == agg.nodes[c - 1].kind)
                QVERIFY(agg.nodes[c - 1].events >= agg.nodes[c].events);
        }
        if (node.childCount > 0)
            QCOMPARE(sum, node.events);
        QVERIFY(!resourceNodeLabel(s, agg, n).empty());
    }
    for (std::uint32_t n = 0; n < agg.rootCount; ++n)
        QCOMPARE(agg.nodes[n].parent, ResourceNode::NoParent);
}

std::string fieldKeyRef(const EventStore& s, std::uint32_t r, SummaryField field)
{
    const StringPools& p = s.pools;
    switch (field) {
    case SummaryField::Namespace:
        return textOf(p.namespaces, s.namespaceId[r]);
    case SummaryField::Verb:
        return textOf(p.verbs, s.verb[r]);
    case SummaryField::Code:
        return std::to_string(s.code[r]);
    case SummaryField::Resource:
        break;
    }
    if (!s.apiGroup[r])
        return "path " + requestPathRef(s, r);
    return textOf(p.apiGroups, s.apiGroup[r]) + "|" + textOf(p.resources, s.resource[r]) + "|"
        + textOf(p.subresources, s.subresource[r]);
}

std::string fieldKeyOf(const EventStore& s, const FieldAggregate& agg, const FieldSummary& row)
{
    const StringPools& p = s.pools;
    const bool present = row.value != FieldSummary::Absent;
    switch (agg.field) {
    case SummaryField::Namespace:
        return present ? std::string(p.namespaces.view(row.value)) : NoValue;
    case SummaryField::Verb:
        return present ? std::string(p.verbs.view(row.value)) : NoValue;
    case SummaryField::Code:
        return std::to_string(row.value);
    case SummaryField::Resource:
        break;
    }
    if (row.nonResource)
        return "path " + (row.path == FieldSummary::Absent ? NoValue : agg.paths[row.path]);
    return textOf(p.apiGroups, row.apiGroup) + "|" + textOf(p.resources, row.resource) + "|"
        + textOf(p.subresources, row.subresource);
}

void checkField(
    const EventStore& s, const ResourceIndex& index, const EventSelection& sel, SummaryField field)
{
    const FieldAggregate agg = aggregateByField(s, sel, field, &index, testOptions());
    QVERIFY(!agg.cancelled);
    struct Ref
    {
        std::uint64_t events = 0, writes = 0, deletes = 0, failures = 0;
        std::int64_t first = INT64_MAX, last = INT64_MIN;
        std::set<std::string> users;
    };
    std::map<std::string, Ref> ref;
    for (const std::uint32_t r : rowsOf(s, sel)) {
        Ref& e = ref[fieldKeyRef(s, r, field)];
        ++e.events;
        e.writes += verbClassRef(s, r) == 1;
        e.deletes += verbClassRef(s, r) == 2;
        e.failures += s.code[r] == 401 || s.code[r] == 403;
        e.first = std::min(e.first, s.timeNs[r]);
        e.last = std::max(e.last, s.timeNs[r]);
        e.users.insert(userOf(s, r));
    }
    QCOMPARE(agg.rows.size(), ref.size());
    std::set<std::string> labels;
    for (std::size_t i = 0; i < agg.rows.size(); ++i) {
        const FieldSummary& row = agg.rows[i];
        const std::string key = fieldKeyOf(s, agg, row);
        QVERIFY2(ref.count(key), key.c_str());
        const Ref& e = ref[key];
        QCOMPARE(row.events, e.events);
        QCOMPARE(row.writes, e.writes);
        QCOMPARE(row.deletes, e.deletes);
        QCOMPARE(row.authFailures, e.failures);
        QCOMPARE(row.firstNs, e.first);
        QCOMPARE(row.lastNs, e.last);
        QCOMPARE(row.distinctPrincipals, std::uint32_t(e.users.size()));
        QVERIFY(labels.insert(fieldSummaryLabel(s, agg, row)).second);
        if (i > 0)
            QVERIFY(agg.rows[i - 1].events >= row.events);
    }
}

// The base filter the tests aggregate under, and its rows.
struct Filtered
{
    std::string text;
    RowSet rows;
};

Filtered filtered(const EventStore& s, const std::string& text)
{
    return {text, run(s, text)};
}

// `filter` (under `base`) selects `expected` events, and its exclusion the rest.
void checkFilter(
    const EventStore& s, const Filtered& base, const std::string& filter, std::uint64_t expected)
{
    const std::size_t all = base.text.empty() ? s.size() : base.rows.size();
    const std::size_t got = run(s, andFilters(base.text, filter)).size();
    if (got != expected)
        qWarning("filter %s: %zu events, expected %llu", filter.c_str(), got,
            static_cast<unsigned long long>(expected));
    QCOMPARE(std::uint64_t(got), expected);
    QCOMPARE(std::uint64_t(run(s, andFilters(base.text, excludeFilter(filter))).size()),
        std::uint64_t(all) - expected);
}

} // namespace

void TestAnalysis::initTestCase()
{
    QVERIFY(generated().load.store->size() == 30000);
    QVERIFY(!generated().index.cancelled());
    QCOMPARE(generated().index.rows(), generated().load.store->size());
    QCOMPARE(handwritten().load.report.badLines, std::uint64_t(0));
    QCOMPARE(handwritten().load.store->size(), std::size_t(17));
    QCOMPARE(microk8s().load.store->size(), std::size_t(2971));
}

void TestAnalysis::classifiesPrincipals_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("groups");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("serviceAccountNamespace");
    const auto row = [](const char* name, const char* user, QStringList groups, PrincipalKind kind,
                         const char* ns = "") {
        QTest::newRow(name) << QString::fromUtf8(user) << groups << int(kind)
                            << QString::fromUtf8(ns);
    };
    const QStringList none;
    row("person", "alice@example.com", {QStringLiteral("system:authenticated")},
        PrincipalKind::Human);
    row("admin", "admin", {QStringLiteral("system:masters")}, PrincipalKind::Human);
    row("service account", "system:serviceaccount:kube-system:replicaset-controller", none,
        PrincipalKind::ServiceAccount, "kube-system");
    row("service account name with colon", "system:serviceaccount:dev:a:b", none,
        PrincipalKind::ServiceAccount, "dev");
    row("service account without namespace", "system:serviceaccount::x", none,
        PrincipalKind::ControlPlane);
    row("service account without name", "system:serviceaccount:dev:", none,
        PrincipalKind::ControlPlane);
    row("node", "system:node:worker-1", {QStringLiteral("system:nodes")}, PrincipalKind::Node);
    row("node by name only", "system:node:worker-1", none, PrincipalKind::Node);
    row("node by group only", "kubelet", {QStringLiteral("system:nodes")}, PrincipalKind::Node);
    row("empty node name", "system:node:", none, PrincipalKind::ControlPlane);
    row("anonymous", "system:anonymous", {QStringLiteral("system:unauthenticated")},
        PrincipalKind::Anonymous);
    row("unauthenticated group", "someone", {QStringLiteral("system:unauthenticated")},
        PrincipalKind::Anonymous);
    row("no user", "", none, PrincipalKind::Anonymous);
    row("controller manager", "system:kube-controller-manager", none, PrincipalKind::ControlPlane);
    row("scheduler", "system:kube-scheduler", none, PrincipalKind::ControlPlane);
    row("kube-proxy", "system:kube-proxy", none, PrincipalKind::ControlPlane);
    row("apiserver", "system:apiserver", {QStringLiteral("system:masters")},
        PrincipalKind::ControlPlane);
    row("other system user", "system:admin", none, PrincipalKind::ControlPlane);
    row("system user in system:nodes", "system:kube-proxy", {QStringLiteral("system:nodes")},
        PrincipalKind::Node);
    row("service account in system:nodes", "system:serviceaccount:a:b",
        {QStringLiteral("system:nodes")}, PrincipalKind::ServiceAccount, "a");
    row("case matters", "System:anonymous", none, PrincipalKind::Human);
}

void TestAnalysis::classifiesPrincipals()
{
    QFETCH(QString, user);
    QFETCH(QStringList, groups);
    QFETCH(int, kind);
    QFETCH(QString, serviceAccountNamespace);
    std::vector<std::string> owned;
    for (const QString& g : groups)
        owned.push_back(g.toStdString());
    const std::vector<std::string_view> views(owned.begin(), owned.end());
    const std::string name = user.toStdString();
    QCOMPARE(int(classifyPrincipal(name, views)), kind);
    QCOMPARE(toQString(auditscope::serviceAccountNamespace(name)), serviceAccountNamespace);
}

void TestAnalysis::classifiesVerbsAndCodes()
{
    QCOMPARE(verbClassOf("get"), VerbClass::Read);
    QCOMPARE(verbClassOf("list"), VerbClass::Read);
    QCOMPARE(verbClassOf("watch"), VerbClass::Read);
    QCOMPARE(verbClassOf("create"), VerbClass::Write);
    QCOMPARE(verbClassOf("update"), VerbClass::Write);
    QCOMPARE(verbClassOf("patch"), VerbClass::Write);
    QCOMPARE(verbClassOf("delete"), VerbClass::Delete);
    QCOMPARE(verbClassOf("deletecollection"), VerbClass::Delete);
    QCOMPARE(verbClassOf("proxy"), VerbClass::Other);
    QCOMPARE(verbClassOf("GET"), VerbClass::Other);
    QCOMPARE(responseClassOf(0), ResponseClass::None);
    QCOMPARE(responseClassOf(101), ResponseClass::Success2xx);
    QCOMPARE(responseClassOf(201), ResponseClass::Success2xx);
    QCOMPARE(responseClassOf(304), ResponseClass::Redirect3xx);
    QCOMPARE(responseClassOf(403), ResponseClass::Client4xx);
    QCOMPARE(responseClassOf(503), ResponseClass::Server5xx);
    QCOMPARE(responseClassOf(1234), ResponseClass::Server5xx);
    QVERIFY(isAuthFailure(401) && isAuthFailure(403) && !isAuthFailure(404));
}

void TestAnalysis::choosesHumanBucketWidths_data()
{
    QTest::addColumn<qint64>("spanNs");
    QTest::addColumn<qint64>("fromNs");
    QTest::addColumn<int>("target");
    QTest::addColumn<qint64>("expected");
    const qint64 ms = 1'000'000, sec = Sec, min = 60 * sec, hour = 60 * min, day = 24 * hour;
    const qint64 t0 = 1741942800 * sec; // 2025-03-14T09:00:00Z
    QTest::newRow("1 s in 100") << sec << t0 << 100 << 10 * ms;
    QTest::newRow("1 min in 60") << min << t0 << 60 << sec;
    QTest::newRow("1 min in 59") << min << t0 << 59 << 2 * sec;
    QTest::newRow("1 h in 100") << hour << t0 << 100 << min;
    QTest::newRow("1 h in 100, unaligned start") << hour << t0 + 30 * sec << 100 << 1 * min;
    QTest::newRow("1 h in 12") << hour << t0 << 12 << 5 * min;
    QTest::newRow("1 h in 5") << hour << t0 << 5 << 15 * min;
    QTest::newRow("1 h in 3") << hour << t0 << 3 << 30 * min;
    QTest::newRow("1 day in 100") << day << t0 << 100 << 15 * min;
    QTest::newRow("1 day in 10") << day << t0 << 10 << 3 * hour;
    QTest::newRow("1 week in 100") << 7 * day << t0 << 100 << 2 * hour;
    QTest::newRow("1 week in 7") << 7 * day << t0 - 9 * hour << 7 << day;
    QTest::newRow("1 year in 10") << 365 * day << t0 << 10 << 30 * day;
    QTest::newRow("empty") << qint64(0) << t0 << 100 << ms;
}

void TestAnalysis::choosesHumanBucketWidths()
{
    QFETCH(qint64, spanNs);
    QFETCH(qint64, fromNs);
    QFETCH(int, target);
    QFETCH(qint64, expected);
    const TimeRange range{fromNs, fromNs + spanNs};
    const std::int64_t width = chooseBucketNs(range, target);
    QCOMPARE(qint64(width), expected);
    const auto steps = bucketSteps();
    QVERIFY(std::find(steps.begin(), steps.end(), width) != steps.end());
    if (!range.empty() && width != steps.back()) {
        // At most `target` aligned buckets; the step below would need more.
        const std::int64_t origin = range.fromNs / width * width;
        QVERIFY((range.toNs - origin + width - 1) / width <= target);
        const auto it = std::find(steps.begin(), steps.end(), width);
        if (it != steps.begin()) {
            const std::int64_t finer = *(it - 1);
            const std::int64_t o = range.fromNs / finer * finer;
            QVERIFY((range.toNs - o + finer - 1) / finer > target);
        }
    }
}

void TestAnalysis::parsesAndFormatsBucketWidths_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ns");
    QTest::addColumn<QString>("formatted");
    const qint64 ms = 1'000'000, sec = Sec;
    QTest::newRow("30s") << QStringLiteral("30s") << 30 * sec << QStringLiteral("30s");
    QTest::newRow("1m") << QStringLiteral("1m") << 60 * sec << QStringLiteral("1m");
    QTest::newRow("90s") << QStringLiteral("90s") << 90 * sec << QStringLiteral("1m30s");
    QTest::newRow("1h30m") << QStringLiteral("1h30m") << 5400 * sec << QStringLiteral("1h30m");
    QTest::newRow("500ms") << QStringLiteral("500ms") << 500 * ms << QStringLiteral("500ms");
    QTest::newRow("1d") << QStringLiteral("1d") << 86400 * sec << QStringLiteral("1d");
    QTest::newRow("1w") << QStringLiteral("1w") << 7 * 86400 * sec << QStringLiteral("7d");
    QTest::newRow("bad unit") << QStringLiteral("5x") << qint64(-1) << QString();
    QTest::newRow("no unit") << QStringLiteral("5") << qint64(-1) << QString();
    QTest::newRow("zero") << QStringLiteral("0s") << qint64(-1) << QString();
    QTest::newRow("empty") << QString() << qint64(-1) << QString();
    QTest::newRow("negative") << QStringLiteral("-1m") << qint64(-1) << QString();
}

void TestAnalysis::parsesAndFormatsBucketWidths()
{
    QFETCH(QString, text);
    QFETCH(qint64, ns);
    QFETCH(QString, formatted);
    const std::optional<std::int64_t> parsed = parseBucketWidth(text.toStdString());
    if (ns < 0) {
        QVERIFY(!parsed);
        return;
    }
    QVERIFY(parsed);
    QCOMPARE(qint64(*parsed), ns);
    QCOMPARE(toQString(formatBucketWidth(ns)), formatted);
    QCOMPARE(qint64(*parseBucketWidth(formatBucketWidth(ns))), ns);
}

void TestAnalysis::readsRequestPathsFromRawJson()
{
    const EventStore& s = *handwritten().load.store;
    std::map<std::string, std::string> byAuditId;
    for (std::uint32_t r = 0; r < s.size(); ++r) {
        std::string path;
        const bool found = readRequestPath(s, EventId{r}, path);
        byAuditId[std::string(s.pools.auditIds.text(s.auditId[r].value))] =
            found ? path : std::string("(absent)");
    }
    QCOMPARE(byAuditId["a4"], std::string("/api"));
    QCOMPARE(byAuditId["a8"], std::string("/healthz"));
    QCOMPARE(byAuditId["a9"], std::string("/healthz"));
    QCOMPARE(byAuditId["a11"], std::string("/weird\"path")); // escaped: simdjson unescapes
    QCOMPARE(byAuditId["a13"], std::string("(absent)"));
    QCOMPARE(byAuditId["a15"], std::string("/metrics")); // not the nested "/evil"
    QCOMPARE(byAuditId["a16"], std::string("/api/v1/namespaces/prod/pods"));
}

void TestAnalysis::timelineMatchesBruteForce_data()
{
    QTest::addColumn<int>("stack");
    QTest::addColumn<qint64>("bucketNs");
    QTest::addColumn<QString>("filter");
    QTest::addColumn<int>("lanes");
    const QString none;
    const qint64 sec = Sec;
    const QString filter = QStringLiteral("(verb:(get or create)) or code >= 400");
    for (const auto& [name, stack] : {std::pair{"total", TimelineStack::None},
             std::pair{"verb", TimelineStack::Verb}, std::pair{"response", TimelineStack::Response},
             std::pair{"kind", TimelineStack::PrincipalKind},
             std::pair{"lanes", TimelineStack::Principal}}) {
        QTest::addRow("%s 1s", name) << int(stack) << sec << none << 4;
        QTest::addRow("%s 250ms filtered", name) << int(stack) << sec / 4 << filter << 6;
        QTest::addRow("%s 7s", name) << int(stack) << 7 * sec << none << 40;
    }
}

void TestAnalysis::timelineMatchesBruteForce()
{
    QFETCH(int, stack);
    QFETCH(qint64, bucketNs);
    QFETCH(QString, filter);
    QFETCH(int, lanes);
    const EventStore& s = *generated().load.store;
    TimelineRequest request;
    request.stack = TimelineStack(stack);
    request.bucketNs = bucketNs;
    request.lanes = lanes;
    if (filter.isEmpty()) {
        checkTimeline(s, {}, request);
    } else {
        const RowSet rows = run(s, filter.toStdString());
        QVERIFY(!rows.empty() && rows.size() < s.size());
        checkTimeline(s, rows, request);
    }
    checkTimeline(*handwritten().load.store, {}, request);
    checkTimeline(*microk8s().load.store, {}, request);
}

void TestAnalysis::timelineHonoursRangeAndAlignment()
{
    const EventStore& s = *generated().load.store;
    const TimeRange all = timeRangeOf(s);
    QCOMPARE(all.fromNs, s.timeNs.front());
    QCOMPARE(all.toNs, s.timeNs.back() + 1);
    // A range that starts and ends between events, off the bucket grid.
    TimelineRequest request;
    request.range = {all.fromNs + 3 * Sec + 123, all.fromNs + 9 * Sec + 456789};
    request.bucketNs = 2 * Sec;
    request.stack = TimelineStack::Verb;
    checkTimeline(s, {}, request);
    const Timeline t = computeTimeline(s, {}, request);
    QCOMPARE(t.originNs % (2 * Sec), std::int64_t(0));
    QCOMPARE(t.bucketRange(0).fromNs, request.range.fromNs);
    QCOMPARE(t.bucketRange(t.bucketCount - 1).toNs, request.range.toNs);
    QCOMPARE(*t.bucketAt(request.range.fromNs), std::size_t(0));
    QVERIFY(!t.bucketAt(t.originNs - 1));
    QVERIFY(!t.bucketAt(t.bucketStartNs(t.bucketCount)));
    // Chosen width: at most the target number of buckets.
    TimelineRequest chosen;
    chosen.targetBuckets = 50;
    const Timeline c = computeTimeline(s, {}, chosen);
    QVERIFY(c.bucketCount <= 50 && c.bucketCount > 0);
    QCOMPARE(c.bucketNs, chooseBucketNs(all, 50));
    std::uint64_t sum = 0;
    for (std::size_t b = 0; b < c.bucketCount; ++b)
        sum += c.bucketTotal(b);
    QCOMPARE(sum, std::uint64_t(s.size()));
    QVERIFY(c.maxBucketTotal() > 0);
    // Too many buckets: refused, nothing counted.
    TimelineRequest tiny;
    tiny.bucketNs = 1;
    const Timeline refused = computeTimeline(s, {}, tiny);
    QVERIFY(refused.tooManyBuckets);
    QCOMPARE(refused.bucketCount, std::size_t(0));
    // An empty selection.
    const RowSet empty;
    const Timeline none = computeTimeline(s, empty, {});
    QCOMPARE(none.bucketCount, std::size_t(0));
    QCOMPARE(none.total, std::uint64_t(0));
}

void TestAnalysis::usersMatchBruteForce_data()
{
    QTest::addColumn<QString>("filter");
    QTest::newRow("all") << QString();
    QTest::newRow("writes and failures")
        << QStringLiteral("(verb:(create or patch)) or code >= 400");
    QTest::newRow("impersonation") << QStringLiteral("as:*");
    QTest::newRow("nothing") << QStringLiteral("user:nobody-at-all");
}

void TestAnalysis::usersMatchBruteForce()
{
    QFETCH(QString, filter);
    for (Fixture* f : {&generated(), &handwritten(), &microk8s()}) {
        const EventStore& s = *f->load.store;
        if (filter.isEmpty()) {
            checkUsers(s, {});
        } else {
            const RowSet rows = run(s, filter.toStdString());
            checkUsers(s, rows);
        }
    }
}

void TestAnalysis::resourcesMatchBruteForce_data()
{
    QTest::addColumn<QString>("filter");
    QTest::newRow("all") << QString();
    QTest::newRow("secrets, writes, failures")
        << QStringLiteral("resource:secrets or (verb:(create or delete)) or code >= 400");
    QTest::newRow("non-resource") << QStringLiteral("not apigroup:*");
}

void TestAnalysis::resourcesMatchBruteForce()
{
    QFETCH(QString, filter);
    for (Fixture* f : {&generated(), &handwritten(), &microk8s()}) {
        const EventStore& s = *f->load.store;
        if (filter.isEmpty()) {
            checkResources(s, f->index, {});
        } else {
            const RowSet rows = run(s, filter.toStdString());
            checkResources(s, f->index, rows);
        }
    }
}

void TestAnalysis::fieldAggregatesMatchBruteForce_data()
{
    QTest::addColumn<int>("field");
    QTest::addColumn<QString>("filter");
    for (const auto& [name, field] :
        {std::pair{"namespace", SummaryField::Namespace}, std::pair{"verb", SummaryField::Verb},
            std::pair{"code", SummaryField::Code}, std::pair{"resource", SummaryField::Resource}}) {
        QTest::addRow("%s", name) << int(field) << QString();
        QTest::addRow("%s filtered", name)
            << int(field) << QStringLiteral("code >= 300 or ns:kube-system");
    }
}

void TestAnalysis::fieldAggregatesMatchBruteForce()
{
    QFETCH(int, field);
    QFETCH(QString, filter);
    for (Fixture* f : {&generated(), &handwritten(), &microk8s()}) {
        const EventStore& s = *f->load.store;
        if (filter.isEmpty()) {
            checkField(s, f->index, {}, SummaryField(field));
        } else {
            const RowSet rows = run(s, filter.toStdString());
            checkField(s, f->index, rows, SummaryField(field));
        }
    }
}

void TestAnalysis::handwrittenEdgeCases()
{
    const EventStore& s = *handwritten().load.store;
    const UsersAggregate users = aggregateUsers(s);
    auto userNamed = [&](std::string_view name) -> const UserSummary& {
        for (const UserSummary& u : users.users)
            if (u.user && s.pools.users.view(u.user.value) == name)
                return u;
        qFatal("no user %s", std::string(name).c_str());
    };
    QCOMPARE(userNamed("alice").kind, PrincipalKind::Human);
    QCOMPARE(userNamed("alice").events, std::uint64_t(6));
    QCOMPARE(userNamed("alice").writes, std::uint64_t(1)); // create pods/exec
    QCOMPARE(userNamed("alice").deletes, std::uint64_t(2)); // delete, deletecollection
    QCOMPARE(userNamed("alice").authFailures, std::uint64_t(1));
    QCOMPARE(userNamed("alice").sourceIps.size(), std::size_t(2)); // both sourceIPs entries
    QCOMPARE(userNamed("kubelet-x").kind, PrincipalKind::Node);
    QCOMPARE(userNamed("system:node:n1").kind, PrincipalKind::Node);
    QCOMPARE(userNamed("system:serviceaccount:prod:web").kind, PrincipalKind::ServiceAccount);
    QCOMPARE(userNamed("system:serviceaccount::x").kind, PrincipalKind::ControlPlane);
    QCOMPARE(userNamed("system:anonymous").kind, PrincipalKind::Anonymous);
    QCOMPARE(userNamed("admin").kind, PrincipalKind::Human);
    const std::ptrdiff_t noUser = users.indexOf(UserId{});
    QVERIFY(noUser >= 0);
    QCOMPARE(users.users[std::size_t(noUser)].kind, PrincipalKind::Anonymous);
    QCOMPARE(users.users[std::size_t(noUser)].authFailures, std::uint64_t(1));
    QCOMPARE(users.impersonations.size(), std::size_t(2));
    QCOMPARE(users.impersonations[0].events, std::uint64_t(2));
    QVERIFY(s.pools.users.view(users.impersonations[0].impersonated.value) == "bob");
    // Groups: kinds in order, service accounts by namespace.
    QCOMPARE(users.groups.front().kind, PrincipalKind::Human);
    QCOMPARE(users.groups.back().kind, PrincipalKind::Anonymous);
    bool prodGroup = false;
    for (const UserGroup& g : users.groups)
        prodGroup = prodGroup
            || (g.kind == PrincipalKind::ServiceAccount && g.serviceAccountNamespace == "prod");
    QVERIFY(prodGroup);

    const ResourcesAggregate res = aggregateResources(s, handwritten().index);
    std::map<std::string, const ResourceNode*> byLabel;
    std::function<void(std::uint32_t, std::string)> walk = [&](std::uint32_t n,
                                                               std::string prefix) {
        const std::string label = prefix + resourceNodeLabel(s, res, n);
        byLabel[label] = &res.nodes[n];
        for (std::uint32_t c = res.nodes[n].firstChild;
             c < res.nodes[n].firstChild + res.nodes[n].childCount; ++c)
            walk(c, label + " > ");
    };
    for (std::uint32_t r = 0; r < res.rootCount; ++r)
        walk(r, {});
    QCOMPARE(res.nodes[res.rootCount - 1].kind, ResourceNodeKind::NonResource);
    QCOMPARE(byLabel.at("core > pods")->events, std::uint64_t(4));
    QCOMPARE(byLabel.at("core > pods > pods/exec > prod > web-1")->events, std::uint64_t(1));
    QCOMPARE(byLabel.at("core > pods > prod > web-1")->events, std::uint64_t(2));
    QCOMPARE(byLabel.at("core > pods > prod > (no name)")->deletes, std::uint64_t(1));
    QCOMPARE(byLabel.at("core > nodes > (cluster-scoped) > n1")->writes, std::uint64_t(2));
    QCOMPARE(
        byLabel.at("core > nodes > nodes/proxy > (cluster-scoped) > n1")->events, std::uint64_t(1));
    QCOMPARE(byLabel.at("apps > (no resource) > (cluster-scoped) > (no name)")->events,
        std::uint64_t(1));
    QCOMPARE(byLabel.at("non-resource URLs")->events, std::uint64_t(7));
    QCOMPARE(byLabel.at("non-resource URLs > /healthz")->events, std::uint64_t(2));
    QCOMPARE(byLabel.at("non-resource URLs > /healthz")->distinctPrincipals, std::uint32_t(2));
    QCOMPARE(byLabel.at("non-resource URLs > /weird\"path")->events, std::uint64_t(1));
    QCOMPARE(byLabel.at("non-resource URLs > (no requestURI)")->events, std::uint64_t(1));
    QCOMPARE(byLabel.at("non-resource URLs > /metrics")->events, std::uint64_t(1));
    // Subresources come first among a resource's children.
    const ResourceNode* pods = byLabel.at("core > pods");
    QCOMPARE(res.nodes[pods->firstChild].kind, ResourceNodeKind::Subresource);
    // Labels of field rows.
    const FieldAggregate byResource =
        aggregateByField(s, {}, SummaryField::Resource, &handwritten().index);
    std::set<std::string> labels;
    for (const FieldSummary& row : byResource.rows)
        labels.insert(fieldSummaryLabel(s, byResource, row));
    for (const char* expected : {"pods", "pods/exec", "nodes", "nodes/proxy", "deployments.apps",
             "(no resource).apps", "/api", "/healthz", "/weird\"path", "(no requestURI)"})
        QVERIFY2(labels.count(expected), expected);
}

void TestAnalysis::userFiltersSelectExactlyTheirEvents()
{
    for (Fixture* f : {&generated(), &handwritten(), &microk8s()}) {
        const EventStore& s = *f->load.store;
        for (const std::string& base : {std::string(), std::string("code >= 300 or verb:list")}) {
            const Filtered b = filtered(s, base);
            const UsersAggregate agg = aggregateUsers(
                s, base.empty() ? EventSelection{} : EventSelection{b.rows}, testOptions());
            std::vector<UserId> some;
            std::uint64_t someEvents = 0;
            for (std::size_t i = 0; i < agg.users.size(); ++i) {
                const UserSummary& u = agg.users[i];
                checkFilter(s, b, userFilter(s, u.user), u.events);
                if (i % 3 == 0 || !u.user) {
                    some.push_back(u.user);
                    someEvents += u.events;
                }
            }
            checkFilter(s, b, usersFilter(s, some), someEvents);
            checkFilter(s, b, usersFilter(s, {}), 0);
            // One kind at a time: the kind filter against the aggregate's per-kind sums.
            for (int k = 0; k < PrincipalKindCount; ++k) {
                std::uint64_t events = 0;
                for (const std::uint32_t r :
                    rowsOf(s, base.empty() ? EventSelection{} : EventSelection{b.rows}))
                    events += principalKindRef(s, r) == k;
                checkFilter(s, b, principalKindFilter(s, PrincipalKind(k)), events);
            }
        }
    }
}

void TestAnalysis::resourceFiltersSelectExactlyTheirEvents()
{
    for (Fixture* f : {&generated(), &handwritten(), &microk8s()}) {
        const EventStore& s = *f->load.store;
        for (const std::string& base :
            {std::string(), std::string("(verb:(get or update)) or code >= 400")}) {
            const Filtered b = filtered(s, base);
            const ResourcesAggregate agg = aggregateResources(s, f->index,
                base.empty() ? EventSelection{} : EventSelection{b.rows}, {}, testOptions());
            // Every node above the names, every path, and a sample of names.
            std::size_t names = 0;
            for (std::uint32_t n = 0; n < agg.nodes.size(); ++n) {
                const ResourceNode& node = agg.nodes[n];
                if (node.kind == ResourceNodeKind::Name && names++ % 17 != 0)
                    continue;
                checkFilter(s, b, resourceNodeFilter(s, agg, n), node.events);
            }
        }
    }
}

void TestAnalysis::timelineFiltersSelectExactlyTheirEvents()
{
    for (Fixture* f : {&generated(), &handwritten(), &microk8s()}) {
        const EventStore& s = *f->load.store;
        const Filtered b = filtered(s, "(verb:(get or create or patch)) or code >= 400");
        for (const TimelineStack stack : {TimelineStack::Verb, TimelineStack::Response,
                 TimelineStack::PrincipalKind, TimelineStack::Principal}) {
            TimelineRequest request;
            request.stack = stack;
            request.lanes = 3;
            const TimeRange all = timeRangeOf(s, b.rows);
            // Off-grid, nanosecond bounds: the time filter must keep every digit.
            request.range = {all.fromNs + 1, all.toNs - 7};
            request.targetBuckets = 7;
            const Timeline t = computeTimeline(s, b.rows, request, testOptions());
            const std::string inRange = timeRangeFilter(t.range);
            checkFilter(s, b, inRange, t.total);
            for (std::size_t bucket = 0; bucket < t.bucketCount; ++bucket)
                checkFilter(s, b, timeRangeFilter(t.bucketRange(bucket)), t.bucketTotal(bucket));
            for (std::size_t series = 0; series < t.seriesCount(); ++series) {
                std::uint64_t events = 0;
                for (std::size_t bucket = 0; bucket < t.bucketCount; ++bucket)
                    events += t.count(bucket, series);
                checkFilter(s, b, andFilters(inRange, timelineSeriesFilter(s, t, series)), events);
            }
        }
    }
    QCOMPARE(formatQueryTime(1741942800 * Sec), std::string("2025-03-14T09:00:00Z"));
    QCOMPARE(
        formatQueryTime(1741942800 * Sec + 1500), std::string("2025-03-14T09:00:00.000001500Z"));
    QCOMPARE(
        formatQueryTime(1741942800 * Sec + 123456000), std::string("2025-03-14T09:00:00.123456Z"));
    QCOMPARE(timeRangeFilter({5, 5}), std::string("not *"));
    QCOMPARE(excludeFilter(""), std::string("not *"));
    QCOMPARE(andFilters(" ", "verb:get"), std::string("verb:get"));
    QCOMPARE(andFilters("a", "b"), std::string("(a) and (b)"));
}

void TestAnalysis::fieldFiltersSelectExactlyTheirEvents()
{
    for (Fixture* f : {&generated(), &handwritten(), &microk8s()}) {
        const EventStore& s = *f->load.store;
        const Filtered b = filtered(s, "ns:kube-system or not apigroup:* or code >= 400");
        for (const SummaryField field : {SummaryField::Namespace, SummaryField::Verb,
                 SummaryField::Code, SummaryField::Resource}) {
            const FieldAggregate agg = aggregateByField(s, b.rows, field, &f->index, testOptions());
            for (const FieldSummary& row : agg.rows)
                checkFilter(s, b, fieldSummaryFilter(s, agg, row), row.events);
        }
    }
}

void TestAnalysis::microk8sCorpusMatchesIndependentCounts()
{
    // The brute-force checks above ran on this log too; here, facts read from the raw text.
    const EventStore& s = *microk8s().load.store;
    std::uint64_t withoutObjectRef = 0, writes = 0;
    std::map<std::string, std::uint64_t> healthPaths;
    for (std::uint32_t r = 0; r < s.size(); ++r) {
        const std::string_view raw = s.rawJson(EventId{r});
        if (raw.find("\"objectRef\"") == std::string_view::npos)
            ++withoutObjectRef;
        for (const char* verb :
            {"\"verb\":\"create\"", "\"verb\":\"update\"", "\"verb\":\"patch\""})
            writes += raw.find(verb) != std::string_view::npos;
    }
    const ResourcesAggregate res = aggregateResources(s, microk8s().index);
    QCOMPARE(res.events, std::uint64_t(2971));
    QCOMPARE(res.nonResourceEvents, withoutObjectRef);
    QVERIFY(withoutObjectRef > 0);
    std::uint64_t treeWrites = 0;
    for (const ResourceNode& root : res.roots())
        treeWrites += root.writes;
    QCOMPARE(treeWrites, writes);
    const UsersAggregate users = aggregateUsers(s);
    bool anyWithoutUser = false;
    for (std::uint32_t r = 0; r < s.size(); ++r)
        anyWithoutUser = anyWithoutUser || !s.user[r];
    QCOMPARE(std::uint64_t(users.users.size()), summarize(s).distinctUsers + anyWithoutUser);
    std::uint64_t userWrites = 0;
    for (const UserSummary& u : users.users)
        userWrites += u.writes;
    QCOMPARE(userWrites, writes);
    TimelineRequest request;
    request.bucketNs = 60 * Sec;
    const Timeline t = computeTimeline(s, {}, request);
    QCOMPARE(t.total, std::uint64_t(2971));
    QCOMPARE(toQString(formatQueryTime(t.originNs)), QStringLiteral("2023-03-10T22:38:00Z"));
}

void TestAnalysis::stopTokenCancelsEveryAggregation()
{
    const EventStore& s = *generated().load.store;
    std::stop_source source;
    source.request_stop();
    AnalysisOptions options = testOptions();
    options.stop = source.get_token();
    QVERIFY(computeTimeline(s, {}, {}, options).cancelled);
    TimelineRequest lanes;
    lanes.stack = TimelineStack::Principal;
    QVERIFY(computeTimeline(s, {}, lanes, options).cancelled);
    QVERIFY(aggregateUsers(s, {}, options).cancelled);
    QVERIFY(aggregateResources(s, generated().index, {}, {}, options).cancelled);
    QVERIFY(aggregateByField(s, {}, SummaryField::Verb, nullptr, options).cancelled);
    QVERIFY(ResourceIndex::build(s, options).cancelled());
}

void TestAnalysis::singleThreadEqualsTwoThreads()
{
    const EventStore& s = *generated().load.store;
    const ResourceIndex one = ResourceIndex::build(s, testOptions(1));
    const ResourceIndex three = ResourceIndex::build(s, testOptions(3));
    QCOMPARE(one.objects().size(), three.objects().size());
    const ResourcesAggregate a = aggregateResources(s, one, {}, {}, testOptions(1));
    const ResourcesAggregate b = aggregateResources(s, three, {}, {}, testOptions(3));
    QCOMPARE(a.nodes.size(), b.nodes.size());
    for (std::uint32_t n = 0; n < a.nodes.size(); ++n) {
        QCOMPARE(chainOf(s, a, n), chainOf(s, b, n));
        QCOMPARE(a.nodes[n].events, b.nodes[n].events);
    }
    const UsersAggregate u1 = aggregateUsers(s, {}, testOptions(1));
    const UsersAggregate u3 = aggregateUsers(s, {}, testOptions(3));
    QCOMPARE(u1.users.size(), u3.users.size());
    for (std::size_t i = 0; i < u1.users.size(); ++i) {
        QCOMPARE(u1.users[i].user, u3.users[i].user);
        QCOMPARE(u1.users[i].sourceIps, u3.users[i].sourceIps);
    }
    TimelineRequest request;
    request.stack = TimelineStack::PrincipalKind;
    QVERIFY(computeTimeline(s, {}, request, testOptions(1)).counts
        == computeTimeline(s, {}, request, testOptions(3)).counts);
}

QTEST_GUILESS_MAIN(TestAnalysis)
