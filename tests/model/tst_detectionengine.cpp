// SPDX-License-Identifier: Apache-2.0
// The detection engine (detectionengine.h): each kind of rule at the edges of its windows and
// baselines, the integrity checks positive and negative, the per-event query context,
// cancellation, threads, and the explanation of a match.
#include "tst_detectionengine.h"

#include "common/timestamp.h"
#include "detect/detectionengine.h"
#include "detect/enginesteps.h"
#include "detect/maintenancewindow.h"
#include "query/queryengine.h"
#include "query/rawmatcher.h"
#include "query/rowmatcher.h"
#include "testutil.h"

#include <QtTest>

#include <ctime>
#include <map>
#include <random>
#include <set>

using namespace auditscope;
using namespace auditscope::test;

namespace {

constexpr std::int64_t Ns = 1;
constexpr std::int64_t Ms = 1'000'000;
constexpr std::int64_t Sec = 1'000 * Ms;
constexpr std::int64_t Min = 60 * Sec;
constexpr std::int64_t Hour = 60 * Min;

// 2025-03-14T09:00:00Z, a Friday.
const std::int64_t T0 = *parseRfc3339("2025-03-14T09:00:00Z");

// RFC 3339 with nanoseconds.
std::string iso(std::int64_t ns)
{
    const std::time_t seconds = static_cast<std::time_t>(ns / Sec);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%09lldZ", static_cast<long long>(ns % Sec));
    return std::string(buffer) + fraction;
}

// One audit event; `at` is ns after T0.
struct Ev
{
    explicit Ev(std::string id_ = {}, std::int64_t at_ = 0, std::string user_ = "alice",
        std::string verb_ = "get", std::string resource_ = "pods")
        : id(std::move(id_))
        , at(at_)
        , user(std::move(user_))
        , verb(std::move(verb_))
        , resource(std::move(resource_))
    { }

    std::string id;
    std::int64_t at = 0;
    std::string user;
    std::string verb;
    std::string resource;
    std::string ns = "default";
    std::string name = "p1";
    std::string stage = "ResponseComplete";
    std::int64_t stageAfter = Ms; ///< stageTimestamp - requestReceivedTimestamp
    int code = 200;
    std::string ip = "10.0.0.1";
    std::string level = "Metadata";
    std::string body; ///< requestObject JSON, or empty
    std::string file = "audit.log";
};

std::string lineOf(const Ev& e)
{
    std::string l = R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":")" + e.level
        + R"(","auditID":")" + e.id + R"(","stage":")" + e.stage
        + R"(","requestURI":"/api/v1/x","verb":")" + e.verb + R"(","user":{"username":")" + e.user
        + R"(","groups":["dev","system:authenticated"]},"sourceIPs":[")" + e.ip
        + R"("],"userAgent":"kubectl/v1.29","objectRef":{"resource":")" + e.resource + "\"";
    if (!e.ns.empty())
        l += R"(,"namespace":")" + e.ns + "\"";
    if (!e.name.empty())
        l += R"(,"name":")" + e.name + "\"";
    l += R"(,"apiVersion":"v1"})";
    if (e.stage != "RequestReceived")
        l += R"(,"responseStatus":{"metadata":{},"code":)" + std::to_string(e.code) + "}";
    if (!e.body.empty())
        l += R"(,"requestObject":)" + e.body;
    l += R"(,"requestReceivedTimestamp":")" + iso(T0 + e.at) + R"(","stageTimestamp":")"
        + iso(T0 + e.at + e.stageAfter) + "\"}";
    return l;
}

EventStorePtr storeOf(const std::vector<Ev>& events)
{
    std::map<std::string, std::string> files;
    for (const Ev& e : events)
        files[e.file] += lineOf(e) + "\n";
    const std::vector<std::pair<std::string, std::string>> named(files.begin(), files.end());
    return loadAuditBuffers(named).store;
}

// A rule of `kind` matching `match` (parsed as the reader would).
DetectionRule ruleOf(const std::string& id, const std::string& match,
    RuleKind kind = RuleKind::Event, FindingSeverity severity = FindingSeverity::High)
{
    DetectionRule r;
    r.id = id;
    r.title = id;
    r.severity = severity;
    r.kind = kind;
    r.match = r.expandedMatch = match;
    if (!match.empty()) {
        const ParseResult parsed = parseQuery(match);
        if (!parsed.ok())
            qFatal("bad test query %s: %s", match.c_str(), parsed.error.toString().c_str());
        r.matchQuery = *parsed.query;
    }
    return r;
}

DetectionRule integrityRule(const std::string& id, IntegrityCheck check, double factor = 10)
{
    DetectionRule r = ruleOf(id, {}, RuleKind::Integrity, FindingSeverity::Medium);
    r.check = check;
    r.factor = factor;
    return r;
}

DetectionResult run(const EventStorePtr& store, std::vector<DetectionRule> rules,
    DetectionSettings settings = {}, unsigned threads = 2)
{
    auto set = std::make_shared<RuleSet>();
    set->rules = std::move(rules);
    set->settings = std::move(settings);
    DetectionOptions options;
    options.threads = threads;
    return detect(store, set, {}, options);
}

// The auditIDs of a finding's events, in order.
std::vector<std::string> idsOf(const EventStore& store, const Finding& f)
{
    std::vector<std::string> ids;
    for (EventId e : f.events)
        ids.push_back(store.pools.auditIds.text(store.auditId[e.value].value));
    return ids;
}

std::vector<std::string> stagesOf(const EventStore& store, const Finding& f)
{
    std::vector<std::string> out;
    for (EventId e : f.events)
        out.emplace_back(stageName(store.stage[e.value]));
    return out;
}

// The findings as "principal: id id ..." lines, in result order.
QStringList summary(const DetectionResult& r)
{
    QStringList out;
    for (const Finding& f : r.findings) {
        QString line = toQString(f.principal) + QLatin1Char(':');
        for (const std::string& id : idsOf(*r.store, f))
            line += QLatin1Char(' ') + toQString(id);
        out << line;
    }
    return out;
}

// `count` requests by `user` (one event each) spread evenly over [from, from + span).
void activity(std::vector<Ev>& events, const std::string& user, int count, std::int64_t from,
    std::int64_t span, const std::string& prefix)
{
    for (int i = 0; i < count; ++i) {
        Ev e(prefix + std::to_string(i), from + span * i / count, user);
        events.push_back(e);
    }
}

} // namespace

void TestDetectionEngine::relaxesRawTermsByNegationDepth_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("relaxed"); // "all", "none" or the query's canonical form
    QTest::addColumn<bool>("exact");
    QTest::newRow("indexed only") << QStringLiteral("verb:create and resource:pods")
                                  << QStringLiteral("(and verb:\"create\" resource:\"pods\")")
                                  << true;
    QTest::newRow("raw term dropped from and")
        << QStringLiteral("verb:create and requestObject.spec.hostPID:true")
        << QStringLiteral("verb:\"create\"") << false;
    QTest::newRow("raw term under not is false")
        << QStringLiteral("verb:create and not requestObject.spec.hostPID:true")
        << QStringLiteral("verb:\"create\"") << false;
    QTest::newRow("or with a raw term is anything")
        << QStringLiteral("verb:create or requestObject.spec.hostPID:true") << QStringLiteral("all")
        << false;
    QTest::newRow("not of an and with a raw term")
        << QStringLiteral("resource:pods and not (verb:get and requestObject.x:1)")
        << QStringLiteral("resource:\"pods\"") << false;
    QTest::newRow("double negation keeps it true")
        << QStringLiteral("resource:pods and not (verb:get and not requestObject.x:1)")
        << QStringLiteral("resource:\"pods\"") << false;
    QTest::newRow("raw term under not dropped from or")
        << QStringLiteral("verb:create and not (resource:pods or requestObject.x:1)")
        << QStringLiteral("(and verb:\"create\" (not resource:\"pods\"))") << false;
    QTest::newRow("not of a raw and an indexed term")
        << QStringLiteral("not (verb:get and requestObject.x:1)") << QStringLiteral("all") << false;
    QTest::newRow("nothing but a negated raw term")
        << QStringLiteral("not requestObject.x:1") << QStringLiteral("all") << false;
    QTest::newRow("only a bare word") << QStringLiteral("secret") << QStringLiteral("all") << false;
}

void TestDetectionEngine::relaxesRawTermsByNegationDepth()
{
    QFETCH(QString, query);
    QFETCH(QString, relaxed);
    QFETCH(bool, exact);
    const RelaxedQuery r = relaxQuery(*parseQuery(query.toStdString()).query);
    const QString got = r.kind == RelaxedQuery::Kind::All ? QStringLiteral("all")
        : r.kind == RelaxedQuery::Kind::None              ? QStringLiteral("none")
                                                          : toQString(r.query.toString());
    QCOMPARE(got, relaxed);
    QCOMPARE(r.exact, exact);
}

void TestDetectionEngine::eventRuleWithIndexedTermsOnly()
{
    std::vector<Ev> events;
    Ev create{"c1", 0, "alice", "create"};
    create.stage = "RequestReceived";
    events.push_back(create);
    create.stage = "ResponseComplete";
    create.code = 201;
    events.push_back(create);
    events.push_back(Ev{"g1", Sec, "bob", "get"});
    events.push_back(Ev{"s1", 2 * Sec, "carol", "create", "secrets"});
    const EventStorePtr store = storeOf(events);
    const DetectionResult r = run(store, {ruleOf("pod-create", "verb:create and resource:pods")});
    QVERIFY(!r.cancelled);
    QCOMPARE(summary(r), QStringList{QStringLiteral("alice: c1")});
    const Finding& f = r.findings.front();
    QCOMPARE(stagesOf(*store, f), std::vector<std::string>{"RequestReceived"});
    QCOMPARE(f.firstNs, T0);
    QCOMPARE(f.lastNs, T0);
    QCOMPARE(f.rule, 0u);
    QCOMPARE(toQString(f.detail), QStringLiteral("create pods default/p1"));
}

void TestDetectionEngine::eventRuleReadsAJsonPathInTheSecondContainer()
{
    const std::string privileged =
        R"({"spec":{"containers":[{"name":"app"},{"name":"side","securityContext":{"privileged":true}}]}})";
    const std::string plain =
        R"({"spec":{"containers":[{"name":"app","securityContext":{"privileged":false}}]}})";
    std::vector<Ev> events;
    events.push_back(Ev{"priv", 0, "alice", "create"});
    events.back().body = privileged;
    events.push_back(Ev{"plain", Sec, "bob", "create"});
    events.back().body = plain;
    events.push_back(Ev{"patched", 2 * Sec, "carol", "patch"}); // privileged, but not a create
    events.back().body = privileged;
    const EventStorePtr store = storeOf(events);
    const DetectionResult r = run(store,
        {ruleOf("privileged",
            "verb:create and resource:pods and "
            "requestObject.spec.containers.securityContext.privileged:true")});
    QCOMPARE(summary(r), QStringList{QStringLiteral("alice: priv")});
}

void TestDetectionEngine::oneFindingPerRequestAtItsFirstMatchingStage()
{
    std::vector<Ev> events;
    // An exec logged at ResponseStarted and ResponseComplete: one finding, at ResponseStarted.
    for (const char* stage : {"RequestReceived", "ResponseStarted", "ResponseComplete"}) {
        Ev e{"exec", 0, "alice", "create"};
        e.stage = stage;
        e.stageAfter = (e.stage == "RequestReceived"          ? 0
                               : e.stage == "ResponseStarted" ? 1
                                                              : 2)
            * Sec;
        events.push_back(e);
    }
    const EventStorePtr store = storeOf(events);
    // RequestReceived has no code: the first stage that matches `code:200` is ResponseStarted.
    const DetectionResult r = run(store, {ruleOf("exec", "verb:create and code:200")});
    QCOMPARE(summary(r), QStringList{QStringLiteral("alice: exec")});
    QCOMPARE(stagesOf(*store, r.findings.front()), std::vector<std::string>{"ResponseStarted"});
    // Through the body pass too (a JSON-path term), the same one event.
    const DetectionResult raw =
        run(store, {ruleOf("exec", "verb:create and responseStatus.code:200")});
    QCOMPARE(stagesOf(*store, raw.findings.front()), std::vector<std::string>{"ResponseStarted"});
    QCOMPARE(raw.findings.size(), std::size_t(1));
}

void TestDetectionEngine::thresholdCountsWithinTheWindowInclusive()
{
    std::vector<Ev> events;
    const auto denied = [&](const std::string& id, const std::string& user, std::int64_t at) {
        Ev e{id, at, user, "get", "secrets"};
        e.code = 403;
        events.push_back(e);
    };
    denied("a1", "alice", 0); // exactly 3 within [t0, t0 + 60 s]
    denied("a2", "alice", 30 * Sec);
    denied("a3", "alice", 60 * Sec);
    denied("b1", "bob", 0); // the third one 1 ns after the window
    denied("b2", "bob", 30 * Sec);
    denied("b3", "bob", 60 * Sec + Ns);
    denied("c1", "carol", 0); // one short
    denied("c2", "carol", Sec);
    events.push_back(Ev{"c3", 2 * Sec, "carol", "get", "secrets"}); // allowed: not matched
    DetectionRule rule =
        ruleOf("denied-burst", "resource:secrets and code:403", RuleKind::Threshold);
    rule.count = 3;
    rule.windowNs = 60 * Sec;
    const DetectionResult r = run(storeOf(events), {rule});
    QCOMPARE(summary(r), QStringList{QStringLiteral("alice: a1 a2 a3")});
    QCOMPARE(toQString(r.findings.front().detail), QStringLiteral("3 requests within 60 s"));
    QCOMPARE(r.findings.front().lastNs - r.findings.front().firstNs, 60 * Sec);
}

void TestDetectionEngine::eventsWithoutATimeKeepNoState()
{
    // Six denied requests without any timestamp (a hostile or broken log): stored at NoTimeNs,
    // they are not "six within 60 s", and one alone is no first occurrence after a baseline.
    std::string text;
    for (int i = 0; i < 6; ++i) {
        Ev e{"u" + std::to_string(i), i * Sec, "mallory", "get", "secrets"};
        e.code = 403;
        std::string line = lineOf(e);
        line.erase(line.find(R"(,"requestReceivedTimestamp")"));
        text += line + "}\n";
    }
    for (int i = 0; i < 3; ++i) // and a timed history for the first-seen rule
        text += lineOf(Ev{"t" + std::to_string(i), i * Hour, "mallory", "list", "pods"}) + "\n";
    const EventStorePtr store = loadAuditBuffers({{"audit.log", text}}).store;
    QCOMPARE(store->size(), std::size_t(9));
    QCOMPARE(store->timeNs.back(), NoTimeNs);
    DetectionRule burst = ruleOf("denied-burst", "code:403", RuleKind::Threshold);
    burst.count = 5;
    burst.windowNs = 60 * Sec;
    DetectionRule first = ruleOf("first-secret", "resource:secrets", RuleKind::FirstSeen);
    first.baselineNs = Hour;
    const DetectionResult r = run(store, {burst, first});
    QVERIFY2(r.findings.empty(), qPrintable(summary(r).join(QLatin1Char('|'))));
}

void TestDetectionEngine::thresholdOneFindingPerBurst()
{
    std::vector<Ev> events;
    for (int i = 0; i < 5; ++i) // one burst of 5 within 4 s
        events.push_back(Ev{"x" + std::to_string(i), i * Sec, "alice", "delete"});
    for (int i = 0; i < 2; ++i) // 2 more after the window: not a fresh set of 3 yet
        events.push_back(Ev{"y" + std::to_string(i), 61 * Sec + i * Sec, "alice", "delete"});
    events.push_back(Ev{"y2", 63 * Sec, "alice", "delete"}); // the third: a second burst
    DetectionRule rule = ruleOf("deletes", "verb:delete", RuleKind::Threshold);
    rule.count = 3;
    rule.windowNs = 60 * Sec;
    const DetectionResult r = run(storeOf(events), {rule});
    QCOMPARE(summary(r),
        (QStringList{QStringLiteral("alice: x0 x1 x2 x3 x4"), QStringLiteral("alice: y0 y1 y2")}));
    QCOMPARE(toQString(r.findings.front().detail), QStringLiteral("5 requests within 60 s"));
}

void TestDetectionEngine::thresholdCountsDistinctValues()
{
    std::vector<Ev> events;
    const auto read = [&](const std::string& id, const std::string& user, const std::string& name,
                          std::int64_t at) {
        Ev e{id, at, user, "get", "secrets"};
        e.name = name;
        events.push_back(e);
    };
    read("e1", "eve", "a", 0);
    read("e2", "eve", "a", Sec);
    read("e3", "eve", "b", 2 * Sec);
    read("e4", "eve", "c", 5 * Min); // the window's far edge, inclusive
    Ev list("e0", -Sec, "eve", "list", "secrets"); // no name: not a value to count
    list.name.clear();
    events.push_back(list);
    read("f1", "frank", "a", 0); // four reads, two names
    read("f2", "frank", "a", Sec);
    read("f3", "frank", "a", 2 * Sec);
    read("f4", "frank", "b", 3 * Sec);
    DetectionRule rule =
        ruleOf("many-secrets", "verb:get and resource:secrets", RuleKind::Threshold);
    rule.count = 3;
    rule.windowNs = 5 * Min;
    rule.distinct = QueryField::Name;
    const DetectionResult r = run(storeOf(events), {rule});
    QCOMPARE(summary(r), QStringList{QStringLiteral("eve: e1 e2 e3 e4")});
    QCOMPARE(
        toQString(r.findings.front().detail), QStringLiteral("3 different name values within 5 m"));
}

void TestDetectionEngine::firstSeenNeedsTheBaseline()
{
    std::vector<Ev> events;
    const auto secretRead = [&](const std::string& id, const std::string& user, std::int64_t at) {
        events.push_back(Ev{id, at, user, "get", "secrets"});
    };
    activity(events, "alice", 4, 0, 40 * Min, "a"); // 4 requests from T0
    secretRead("alice-first", "alice", Hour); // baseline of exactly 1 h: a finding
    secretRead("alice-again", "alice", 2 * Hour); // not the first time any more
    activity(events, "bob", 2, 0, 40 * Min, "b"); // one request short of 3
    secretRead("bob-first", "bob", Hour);
    activity(events, "carol", 4, 0, 40 * Min, "c");
    secretRead("carol-first", "carol", Hour - Ns); // one ns short of the hour
    secretRead("carol-later", "carol", 3 * Hour); // not a first occurrence: no finding either
    DetectionRule rule =
        ruleOf("first-secret", "verb:get and resource:secrets", RuleKind::FirstSeen);
    rule.baselineNs = Hour;
    rule.baselineRequests = 3;
    const DetectionResult r = run(storeOf(events), {rule});
    QCOMPARE(summary(r), QStringList{QStringLiteral("alice: alice-first")});
    QCOMPARE(toQString(r.findings.front().detail),
        QStringLiteral("first time in 60 m of activity (4 requests)"));
}

void TestDetectionEngine::firstSeenNewValueOfAField()
{
    std::vector<Ev> events;
    activity(events, "dave", 4, 0, 2 * Hour, "d"); // from 10.0.0.1
    const auto from = [&](const std::string& id, const std::string& ip, std::int64_t at) {
        Ev e{id, at, "dave"};
        e.ip = ip;
        events.push_back(e);
    };
    from("early", "10.0.0.2", 5 * Min); // a new address, but within the first hour
    from("early-again", "10.0.0.2", 3 * Hour); // used before: not new
    from("new", "203.0.113.9", 3 * Hour + Min); // new after 3 h: a finding
    from("new-again", "203.0.113.9", 3 * Hour + 2 * Min); // no longer new
    DetectionRule rule = ruleOf("new-ip", "verb:*", RuleKind::FirstSeen);
    rule.baselineNs = Hour;
    rule.baselineRequests = 3;
    rule.newValueOf = QueryField::Ip;
    const DetectionResult r = run(storeOf(events), {rule});
    QCOMPARE(summary(r), QStringList{QStringLiteral("dave: new")});
    QCOMPARE(toQString(r.findings.front().detail),
        QStringLiteral("first ip 203.0.113.9 in 3 h of activity (6 requests)"));
}

void TestDetectionEngine::sequenceWithinTheWindowBySameKey()
{
    std::vector<Ev> events;
    const auto step = [&](const std::string& id, const std::string& user, bool binding,
                          std::int64_t at) {
        events.push_back(binding ? Ev{id, at, user, "create", "clusterrolebindings"}
                                 : Ev{id, at, user, "patch", "deployments"});
    };
    step("a-bind", "alice", true, 0); // inside the window, with the earliest first step
    step("a-bind2", "alice", true, Min);
    step("a-patch", "alice", false, 4 * Min);
    step("c-bind", "carol", true, 0); // exactly at the window's end
    step("c-patch", "carol", false, 5 * Min);
    step("b-bind", "bob", true, 0); // 1 ns too late
    step("b-patch", "bob", false, 5 * Min + Ns);
    step("d-patch", "dave", false, 0); // wrong order
    step("d-bind", "dave", true, Min);
    step("e-bind", "eve", true, 0); // another user's workload change
    step("f-patch", "frank", false, Min);
    DetectionRule rule = ruleOf(
        "rbac-then-workload", "verb:create and resource:clusterrolebindings", RuleKind::Sequence);
    rule.then = rule.expandedThen = "verb:patch and resource:deployments";
    rule.thenQuery = *parseQuery(rule.then).query;
    rule.windowNs = 5 * Min;
    const DetectionResult r = run(storeOf(events), {rule});
    QCOMPARE(summary(r),
        (QStringList{
            QStringLiteral("alice: a-bind a-patch"), QStringLiteral("carol: c-bind c-patch")}));
    QCOMPARE(
        toQString(r.findings.front().detail), QStringLiteral("then deployments patch after 4 m"));
}

void TestDetectionEngine::outsideMaintenanceSkipsRequestsInAWindow()
{
    std::vector<Ev> events;
    events.push_back(Ev{"before", -Min, "alice", "delete"}); // 08:59 Friday
    events.push_back(Ev{"inside", 30 * Min, "alice", "delete"}); // 09:30
    events.push_back(Ev{"at-end", Hour, "alice", "delete"}); // 10:00: the end is outside
    DetectionRule rule = ruleOf("delete", "verb:delete");
    rule.outsideMaintenance = true;
    DetectionSettings settings;
    settings.maintenanceWindows = {"Fri 09:00-10:00", "Sat 02:00-06:00"};
    const EventStorePtr store = storeOf(events);
    QCOMPARE(summary(run(store, {rule}, settings)),
        (QStringList{QStringLiteral("alice: before"), QStringLiteral("alice: at-end")}));
    settings.maintenanceWindows = {"daily 08:00-09:45"};
    QCOMPARE(summary(run(store, {rule}, settings)), QStringList{QStringLiteral("alice: at-end")});
    rule.outsideMaintenance = false; // the setting only matters to rules that ask for it
    QCOMPARE(summary(run(store, {rule}, settings)).size(), 3);
}

void TestDetectionEngine::parsesMaintenanceWindows_data()
{
    QTest::addColumn<QString>("window");
    QTest::addColumn<QString>("time");
    QTest::addColumn<int>("inside"); // -1: does not parse
    QTest::newRow("weekday inside")
        << QStringLiteral("Sat 02:00-06:00") << QStringLiteral("2025-03-15T03:00:00Z") << 1;
    QTest::newRow("other day") << QStringLiteral("Sat 02:00-06:00")
                               << QStringLiteral("2025-03-16T03:00:00Z") << 0;
    QTest::newRow("start inclusive")
        << QStringLiteral("saturday 02:00-06:00") << QStringLiteral("2025-03-15T02:00:00Z") << 1;
    QTest::newRow("end exclusive")
        << QStringLiteral("SAT 02:00-06:00") << QStringLiteral("2025-03-15T06:00:00Z") << 0;
    QTest::newRow("daily") << QStringLiteral("daily 03:00-04:00")
                           << QStringLiteral("2025-03-11T03:59:59Z") << 1;
    QTest::newRow("past midnight, next day")
        << QStringLiteral("Sun 23:00-01:00") << QStringLiteral("2025-03-17T00:30:00Z") << 1;
    QTest::newRow("past midnight, same day")
        << QStringLiteral("Sun 23:00-01:00") << QStringLiteral("2025-03-16T23:30:00Z") << 1;
    QTest::newRow("past midnight, day before")
        << QStringLiteral("Sun 23:00-01:00") << QStringLiteral("2025-03-16T00:30:00Z") << 0;
    QTest::newRow("to the end of the day")
        << QStringLiteral("daily 22:00-24:00") << QStringLiteral("2025-03-16T23:59:00Z") << 1;
    QTest::newRow("unknown day") << QStringLiteral("Sam 02:00-06:00") << QString() << -1;
    QTest::newRow("bad time") << QStringLiteral("Sat 2:00-06:00") << QString() << -1;
    QTest::newRow("no span") << QStringLiteral("Sat") << QString() << -1;
    QTest::newRow("empty span") << QStringLiteral("Sat 02:00-02:00") << QString() << -1;
}

void TestDetectionEngine::parsesMaintenanceWindows()
{
    QFETCH(QString, window);
    QFETCH(QString, time);
    QFETCH(int, inside);
    std::string error;
    const auto parsed = parseMaintenanceWindow(window.toStdString(), &error);
    QCOMPARE(parsed.has_value(), inside >= 0);
    if (inside < 0) {
        QVERIFY(!error.empty());
        return;
    }
    const MaintenanceSchedule schedule({window.toStdString()});
    QCOMPARE(schedule.contains(*parseRfc3339(time.toStdString())), inside == 1);
}

void TestDetectionEngine::silenceFindsAHoleInASource()
{
    std::vector<Ev> events;
    activity(events, "alice", 100, 0, 100 * Sec, "a"); // one a second
    activity(events, "alice", 20, 100 * Sec + 10 * Min, 20 * Sec, "b"); // after 10 min of nothing
    // A watch received in the hole but written after it (its earlier events were lost with
    // the rest): the log is read in the order it was written, so the hole stays whole.
    Ev watch("watch", 100 * Sec + 5 * Min, "alice", "watch");
    watch.stageAfter = 5 * Min + 5 * Sec;
    events.push_back(watch);
    const DetectionResult r =
        run(storeOf(events), {integrityRule("silence", IntegrityCheck::Silence)});
    QCOMPARE(summary(r), QStringList{QStringLiteral("audit.log: a99 b0")});
    QCOMPARE(toQString(r.findings.front().detail),
        QStringLiteral("no events written for 10 m (usual gap 1.0 s)"));
}

void TestDetectionEngine::silenceQuietOnSteadySparseLog()
{
    std::vector<Ev> events;
    activity(events, "alice", 50, 0, 50 * 30 * Sec, "a"); // one every 30 s
    events.push_back(Ev{"late", 50 * 30 * Sec + 200 * Sec}); // a 230 s gap: < 10 × 30 s
    // Another source, far less busy, with gaps of 20 min: its own usual gap, not a hole.
    for (int i = 0; i < 30; ++i) {
        Ev e{"q" + std::to_string(i), i * 20 * Min, "bob"};
        e.file = "quiet.log";
        events.push_back(e);
    }
    const DetectionResult r =
        run(storeOf(events), {integrityRule("silence", IntegrityCheck::Silence)});
    QCOMPARE(summary(r), QStringList{});
}

namespace {

// `perMinute[m]` events in minute m after T0, evenly spread, in one source.
std::vector<Ev> ratedLog(const std::vector<int>& perMinute)
{
    std::vector<Ev> events;
    for (std::size_t m = 0; m < perMinute.size(); ++m)
        activity(events, "alice", perMinute[m], static_cast<std::int64_t>(m) * Min, Min,
            "m" + std::to_string(m) + "-");
    return events;
}

} // namespace

void TestDetectionEngine::rateDropFindsASuddenLastingFall()
{
    std::vector<int> rates(15, 60);
    rates.insert(rates.end(), 8, 2); // 8 minutes at 2 a minute
    rates.insert(rates.end(), 4, 60);
    const DetectionResult r =
        run(storeOf(ratedLog(rates)), {integrityRule("rate-drop", IntegrityCheck::RateDrop)});
    QCOMPARE(summary(r), QStringList{QStringLiteral("audit.log: m14-59 m23-0")});
    QCOMPARE(toQString(r.findings.front().detail),
        QStringLiteral("16 events in 8 m, against a usual 60 a minute"));
    // The minute in which the rate fell may lie between the busy and the low ones.
    rates.insert(rates.begin() + 15, 20);
    const DetectionResult falling =
        run(storeOf(ratedLog(rates)), {integrityRule("rate-drop", IntegrityCheck::RateDrop)});
    QCOMPARE(summary(falling), QStringList{QStringLiteral("audit.log: m15-19 m24-0")});
}

void TestDetectionEngine::rateDropQuietOnAOneMinuteDip()
{
    std::vector<int> rates(15, 60);
    rates.push_back(2); // one slow minute
    rates.insert(rates.end(), 10, 60);
    rates.insert(rates.end(), {30, 20, 10, 5, 4, 3, 3, 3, 3, 3}); // a gradual ramp down
    rates.insert(rates.end(), 10, 60);
    const std::vector<DetectionRule> rules{integrityRule("rate-drop", IntegrityCheck::RateDrop)};
    QCOMPARE(summary(run(storeOf(ratedLog(rates)), rules)), QStringList{});
    // A fall that lasts to the end is where the log ends (the last requests trickling in),
    // not a drop while the log goes on.
    std::vector<int> tail(15, 60);
    tail.insert(tail.end(), 8, 2);
    QCOMPARE(summary(run(storeOf(ratedLog(tail)), rules)), QStringList{});
}

void TestDetectionEngine::clockSkewAcrossServers()
{
    const auto forwarded = [](const std::string& id, std::int64_t skew) {
        std::vector<Ev> events;
        // The kube-apiserver's events, and the aggregated server's with its own clock.
        for (const char* stage : {"RequestReceived", "ResponseComplete"}) {
            Ev main{id, 0, "alice", "get", "pods"};
            main.stage = stage;
            main.stageAfter = main.stage == "RequestReceived" ? 0 : 50 * Ms;
            main.file = "a/audit.log";
            events.push_back(main);
            Ev aggregated = main;
            aggregated.at = 10 * Ms + skew;
            aggregated.stageAfter = main.stage == "RequestReceived" ? 0 : 30 * Ms;
            aggregated.file = "b/audit.log";
            events.push_back(aggregated);
        }
        return events;
    };
    const std::vector<DetectionRule> rules{integrityRule("skew", IntegrityCheck::ClockSkew)};
    const DetectionResult skewed = run(storeOf(forwarded("r1", -3 * Sec)), rules);
    QCOMPARE(summary(skewed), QStringList{QStringLiteral("a/audit.log, b/audit.log: r1 r1")});
    QCOMPARE(stagesOf(*skewed.store, skewed.findings.front()),
        (std::vector<std::string>{"ResponseComplete", "RequestReceived"}));
    QVERIFY2(skewed.findings.front().detail.starts_with("ResponseComplete on b/audit.log 2.9 s "
                                                        "before RequestReceived on a/audit.log"),
        skewed.findings.front().detail.c_str());
    QCOMPARE(summary(run(storeOf(forwarded("r2", 0)), rules)), QStringList{});
    // A skew under the tolerance is ordinary.
    QCOMPARE(summary(run(storeOf(forwarded("r3", -500 * Ms)), rules)), QStringList{});
}

void TestDetectionEngine::levelDropWhenThePolicyChanges()
{
    const auto creates = [](const std::vector<std::string>& levels) {
        std::vector<Ev> events;
        for (std::size_t i = 0; i < levels.size(); ++i) {
            Ev e{"r" + std::to_string(i), static_cast<std::int64_t>(i) * Min, "alice", "create"};
            e.level = levels[i];
            events.push_back(e);
        }
        return events;
    };
    const std::vector<DetectionRule> rules{integrityRule("level-drop", IntegrityCheck::LevelDrop)};
    const std::string rr = "RequestResponse", md = "Metadata";
    const std::vector<std::string> five(5, rr), fiveLower(5, md);
    std::vector<std::string> changed = five;
    changed.insert(changed.end(), fiveLower.begin(), fiveLower.end());
    const DetectionResult dropped = run(storeOf(creates(changed)), rules);
    QCOMPARE(summary(dropped), QStringList{QStringLiteral("audit.log: r4 r5")});
    QCOMPARE(toQString(dropped.findings.front().detail),
        QStringLiteral("create pods logged at Metadata from here on, at RequestResponse before"));
    // One request short on either side: not yet a change.
    QCOMPARE(
        summary(run(storeOf(creates({rr, rr, rr, rr, md, md, md, md, md})), rules)), QStringList{});
    QCOMPARE(
        summary(run(storeOf(creates({rr, rr, rr, rr, rr, md, md, md, md})), rules)), QStringList{});
    // Mixed levels (a policy by user or by name) and a drop that comes back: nothing.
    QCOMPARE(summary(run(storeOf(creates({md, rr, rr, rr, rr, rr, md, md, md, md, md})), rules)),
        QStringList{});
    changed.push_back(rr);
    QCOMPARE(summary(run(storeOf(creates(changed)), rules)), QStringList{});
}

void TestDetectionEngine::rotationGapBetweenFiles()
{
    const auto twoFiles = [](std::int64_t secondStart) {
        std::vector<Ev> events;
        activity(events, "alice", 120, 0, 2 * Min, "a");
        std::vector<Ev> later;
        activity(later, "alice", 120, secondStart, 2 * Min, "b");
        for (Ev& e : later)
            e.file = "audit-2.log";
        events.insert(events.end(), later.begin(), later.end());
        // Another server's file all along: the gap is still one between rotated files.
        for (int i = 0; i < 40; ++i) {
            Ev e{"o" + std::to_string(i), i * Min, "bob"};
            e.file = "other.log";
            events.push_back(e);
        }
        return events;
    };
    const std::vector<DetectionRule> rules{integrityRule("rotation", IntegrityCheck::RotationGap)};
    const DetectionResult gap = run(storeOf(twoFiles(30 * Min)), rules);
    QCOMPARE(summary(gap), QStringList{QStringLiteral("audit.log → audit-2.log: a119 b0")});
    QCOMPARE(toQString(gap.findings.front().detail),
        QStringLiteral("nothing written for 28 m between them (usual gap 1.0 s)"));
    QCOMPARE(summary(run(storeOf(twoFiles(2 * Min + Sec)), rules)), QStringList{});
}

void TestDetectionEngine::queryContextListsRulesPerEvent()
{
    std::vector<Ev> events;
    events.push_back(Ev{"c1", 0, "alice", "create"});
    events.push_back(Ev{"d1", Sec, "alice", "delete"});
    events.push_back(Ev{"g1", 2 * Sec, "alice", "get"});
    const EventStorePtr store = storeOf(events);
    const DetectionResult r = run(store,
        {ruleOf("writes", "verb:(create or delete)", RuleKind::Event, FindingSeverity::Low),
            ruleOf("creates", "verb:create", RuleKind::Event, FindingSeverity::Critical)});
    QVERIFY(r.context);
    const FindingQueryContext& c = *r.context;
    QVERIFY(c.covers(*store));
    QCOMPARE(c.ruleIds, (std::vector<std::string>{"writes", "creates"}));
    QCOMPARE(c.offsets, (std::vector<std::uint32_t>{0, 2, 3, 3}));
    QCOMPARE(c.ruleIndexes, (std::vector<std::uint32_t>{0, 1, 0}));
    QCOMPARE(c.topSeverity,
        (std::vector<std::uint8_t>{std::uint8_t(FindingSeverity::Critical) + 1,
            std::uint8_t(FindingSeverity::Low) + 1, 0}));
    QCOMPARE(r.countAtLeast(FindingSeverity::High), std::uint64_t(1));
    QCOMPARE(r.countAtLeast(FindingSeverity::Info), std::uint64_t(3));
}

void TestDetectionEngine::findingsAreSortedBySeverityRuleAndTime()
{
    std::vector<Ev> events;
    events.push_back(Ev{"d1", 0, "alice", "delete"});
    events.push_back(Ev{"c1", Sec, "alice", "create"});
    events.push_back(Ev{"d2", 2 * Sec, "bob", "delete"});
    events.push_back(Ev{"c2", 3 * Sec, "bob", "create"});
    const DetectionResult r = run(storeOf(events),
        {ruleOf("deletes", "verb:delete", RuleKind::Event, FindingSeverity::Medium),
            ruleOf("creates", "verb:create", RuleKind::Event, FindingSeverity::High),
            ruleOf("creates-too", "verb:create", RuleKind::Event, FindingSeverity::High)});
    QStringList order;
    for (const Finding& f : r.findings)
        order << QString::number(f.rule) + QLatin1Char(':') + toQString(idsOf(*r.store, f).front());
    QCOMPARE(order,
        (QStringList{QStringLiteral("1:c1"), QStringLiteral("1:c2"), QStringLiteral("2:c1"),
            QStringLiteral("2:c2"), QStringLiteral("0:d1"), QStringLiteral("0:d2")}));
}

void TestDetectionEngine::stopBeforeStartGivesCancelledAndNoFindings()
{
    std::vector<Ev> events;
    activity(events, "alice", 10, 0, Min, "a");
    auto set = std::make_shared<RuleSet>();
    set->rules = {ruleOf("any", "verb:get"), ruleOf("raw", "requestURI:*")};
    std::stop_source stop;
    stop.request_stop();
    const DetectionResult r = detect(storeOf(events), set, stop.get_token());
    QVERIFY(r.cancelled);
    QVERIFY(r.findings.empty());
    // The same without the stop finds them.
    QCOMPARE(detect(storeOf(events), set).findings.size(), std::size_t(20));
    // No store, no rules: nothing, and no crash.
    QVERIFY(detect(nullptr, set).findings.empty());
    const DetectionResult none = detect(storeOf(events), nullptr);
    QVERIFY(none.findings.empty() && none.context && !none.cancelled);
}

void TestDetectionEngine::sameFindingsOnOneAndTwoThreads()
{
    std::mt19937 random(7);
    const std::vector<std::string> users{"alice", "bob", "carol", "dave", "eve"};
    const std::vector<std::string> verbs{"get", "list", "create", "patch", "delete"};
    const std::vector<std::string> resources{"pods", "secrets", "deployments", "configmaps"};
    std::vector<Ev> events;
    std::int64_t at = 0;
    for (int i = 0; i < 4000; ++i) {
        at += static_cast<std::int64_t>(random() % 5000) * Ms;
        Ev e{"r" + std::to_string(i), at, users[random() % users.size()],
            verbs[random() % verbs.size()], resources[random() % resources.size()]};
        e.name = "n" + std::to_string(random() % 7);
        e.ip = random() % 300 == 0 ? "10.9.9." + std::to_string(random() % 5)
                                   : "10.0.0." + std::to_string(random() % 4);
        e.code = random() % 10 == 0 ? 403 : 200;
        if (e.verb == "create" && e.resource == "pods")
            e.body = std::string(
                         R"({"spec":{"containers":[{"name":"a"},{"securityContext":{"privileged":)")
                + (random() % 3 == 0 ? "true" : "false") + "}}]}}";
        events.push_back(e);
    }
    DetectionRule threshold = ruleOf("denied", "code:403", RuleKind::Threshold);
    threshold.count = 3;
    threshold.windowNs = Min;
    DetectionRule distinct = ruleOf("names", "resource:secrets", RuleKind::Threshold);
    distinct.count = 4;
    distinct.windowNs = 2 * Min;
    distinct.distinct = QueryField::Name;
    DetectionRule first =
        ruleOf("first-delete", "verb:delete and resource:secrets and name:n3", RuleKind::FirstSeen);
    first.baselineNs = 10 * Min;
    first.baselineRequests = 20;
    DetectionRule newIp = ruleOf("new-ip", "requestURI:*", RuleKind::FirstSeen);
    newIp.baselineNs = 5 * Min;
    newIp.newValueOf = QueryField::Ip;
    DetectionRule sequence = ruleOf("seq", "verb:create and resource:secrets", RuleKind::Sequence);
    sequence.then = "requestObject.spec.containers.securityContext.privileged:true";
    sequence.thenQuery = *parseQuery(sequence.then).query;
    sequence.windowNs = 2 * Min;
    const std::vector<DetectionRule> rules{
        ruleOf("privileged", "requestObject.spec.containers.securityContext.privileged:true"),
        ruleOf("not-privileged",
            "verb:create and not requestObject.spec.containers.securityContext.privileged:true"),
        threshold, distinct, first, newIp, sequence};
    const EventStorePtr store = storeOf(events);
    const DetectionResult one = run(store, rules, {}, 1);
    const DetectionResult two = run(store, rules, {}, 2);
    QVERIFY(one.findings.size() > 100);
    QCOMPARE(one.findings.size(), two.findings.size());
    std::set<std::uint32_t> kinds;
    for (std::size_t i = 0; i < one.findings.size(); ++i) {
        const Finding& a = one.findings[i];
        const Finding& b = two.findings[i];
        QCOMPARE(a.rule, b.rule);
        QVERIFY(a.events == b.events);
        QCOMPARE(a.principal, b.principal);
        QCOMPARE(a.detail, b.detail);
        kinds.insert(a.rule);
    }
    QCOMPARE(kinds.size(), rules.size()); // every rule found something
    // And the body pass agrees with the query engine, rule by rule.
    const RowSet privileged = runQuery(*store, rules[0].matchQuery).rows;
    std::size_t requests = 0;
    for (const Finding& f : one.findings)
        requests += f.rule == 0;
    QCOMPARE(requests, privileged.size());
}

void TestDetectionEngine::explainsTheTermsAndValuesThatMatched()
{
    std::vector<Ev> events;
    events.push_back(Ev{"priv", 0, "alice", "create"});
    events.back().body =
        R"({"spec":{"containers":[{"name":"app"},{"name":"side","securityContext":{"privileged":true}}]}})";
    const EventStorePtr store = storeOf(events);
    const DetectionRule rule = ruleOf("privileged",
        "verb:(create or update) and resource:pods and not ns:kube-system and "
        "requestObject.spec.containers.securityContext.privileged:true and user:al*");
    QCOMPARE(explainMatch(*store, 0, rule),
        (std::vector<std::string>{"verb: create", "resource: pods",
            "requestObject.spec.containers[1].securityContext.privileged: true", "user: alice"}));
    DetectionRule sequence = ruleOf("seq", "verb:delete", RuleKind::Sequence);
    sequence.thenQuery =
        *parseQuery("code >= 200 and requestObject.spec.containers.name:side").query;
    QCOMPARE(explainMatch(*store, 0, sequence),
        (std::vector<std::string>{"code: 200", "requestObject.spec.containers[1].name: side"}));
}

void TestDetectionEngine::rawMatcherParsesEachEventOnceForManyTerms()
{
    std::vector<Ev> events;
    events.push_back(Ev{"priv", 0, "alice", "create"});
    events.back().body = R"({"spec":{"hostPID":true,"containers":[{"name":"app"}]}})";
    events.push_back(Ev{"other", Sec, "bob", "create"});
    events.back().body = R"({"spec":{"hostPID":false}})";
    const EventStorePtr store = storeOf(events);
    const Query a = *parseQuery("requestObject.spec.hostPID:true").query;
    const Query b = *parseQuery("requestObject.spec.containers.name:app").query;
    const Query c = *parseQuery("requestObject.spec.hostNetwork:true or alice").query;
    const RowMatcher ma(*store, a), mb(*store, b), mc(*store, c);
    RawMatcher raw;
    QVERIFY(ma.matches(0, raw));
    QVERIFY(mb.matches(0, raw));
    QVERIFY(mc.matches(0, raw));
    QVERIFY(ma.matches(0, raw)); // again after a walk that ended elsewhere
    QCOMPARE(raw.events(), std::uint64_t(1));
    QCOMPARE(raw.bytes(), std::uint64_t(store->rawJson(EventId{0}).size()));
    QVERIFY(!ma.matches(1, raw));
    QVERIFY(!mb.matches(1, raw));
    QVERIFY(!mc.matches(1, raw));
    QCOMPARE(raw.events(), std::uint64_t(2));
}

QTEST_GUILESS_MAIN(TestDetectionEngine)
