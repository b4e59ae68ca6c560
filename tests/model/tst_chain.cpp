// SPDX-License-Identifier: Apache-2.0
#include "tst_chain.h"

#include "chain/chain.h"
#include "chain/chainanalysis.h"
#include "chain/chainintegrity.h"
#include "common/timestamp.h"
#include "query/querycompleter.h"
#include "query/queryengine.h"
#include "testutil.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <random>
#include <set>

using namespace auditscope;
using namespace auditscope::test;

namespace {

std::string corpus(const char* relative)
{
    return std::string(AUDITSCOPE_TEST_DATA_DIR "/corpus/") + relative;
}

// --- Hand-written events ------------------------------------------------------------------

struct Ev
{
    std::string file = "a.log";
    std::string stage = "ResponseComplete";
    double receivedSeconds = 0; ///< after 2025-03-14T09:00:00Z
    double stageMs = 0; ///< after the receive time
    std::string verb = "get";
    std::string user = "alice"; ///< "" gives `user: {}`
    std::string uri = "/api/v1/namespaces/default/pods/p1";
    std::string ns = "default", name = "p1"; ///< "" leaves the key out
    int code = 200; ///< 0 leaves responseStatus out
    std::string ip = "10.0.0.1";
    std::string id = "x";
};

std::string timeAt(double seconds)
{
    const auto micros = static_cast<std::int64_t>(seconds * 1e6 + 0.5);
    return formatRfc3339Micros(parseRfc3339("2025-03-14T09:00:00Z").value() + micros * 1000);
}

std::string lineOf(const Ev& e)
{
    std::string l =
        R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":")" + e.id
        + R"(","stage":")" + e.stage + R"(","requestURI":")" + e.uri + R"(","verb":")" + e.verb
        + R"(","user":)"
        + (e.user.empty() ? std::string("{}")
                          : R"({"username":")" + e.user + R"(","groups":["system:authenticated"]})")
        + R"(,"sourceIPs":[")" + e.ip + R"("],"objectRef":{"resource":"pods")";
    if (!e.ns.empty())
        l += R"(,"namespace":")" + e.ns + "\"";
    if (!e.name.empty())
        l += R"(,"name":")" + e.name + "\"";
    l += R"(,"apiVersion":"v1"})";
    if (e.code && e.stage != "RequestReceived")
        l += R"(,"responseStatus":{"metadata":{},"code":)" + std::to_string(e.code) + "}";
    l += R"(,"requestReceivedTimestamp":")" + timeAt(e.receivedSeconds) + R"(","stageTimestamp":")"
        + timeAt(e.receivedSeconds + e.stageMs / 1000) + "\"}";
    return l;
}

QStringList encode(const std::vector<Ev>& events)
{
    QStringList out;
    for (const Ev& e : events)
        out << toQString(e.file) + QLatin1Char('\t') + toQString(lineOf(e));
    return out;
}

LoadResult loadEncoded(const QStringList& encoded)
{
    std::map<std::string, std::string> files;
    for (const QString& entry : encoded) {
        const qsizetype tab = entry.indexOf(QLatin1Char('\t'));
        files[entry.left(tab).toStdString()] += entry.mid(tab + 1).toStdString() + "\n";
    }
    std::vector<std::pair<std::string, std::string>> named(files.begin(), files.end());
    return loadAuditBuffers(named);
}

// --- An independent reference: the rules re-implemented over Qt's JSON parser -------------

struct RefEvent
{
    QString lane;
    QJsonObject o;
};

QString str(const QJsonObject& o, const char* path)
{
    QJsonValue v = o;
    for (const QString& key : QString::fromLatin1(path).split(QLatin1Char('.')))
        v = v.toObject().value(key);
    return v.toString();
}

qint64 msOf(const QString& rfc3339)
{
    return QDateTime::fromString(rfc3339, Qt::ISODateWithMs).toMSecsSinceEpoch();
}

std::uint8_t referenceFlags(const std::vector<RefEvent>& events)
{
    struct Request
    {
        QString lane, received;
        std::vector<const QJsonObject*> events;
    };
    std::vector<Request> requests;
    for (const RefEvent& e : events) {
        const QString received = str(e.o, "requestReceivedTimestamp");
        auto it = std::find_if(requests.begin(), requests.end(),
            [&](const Request& r) { return r.lane == e.lane && r.received == received; });
        if (it == requests.end()) {
            requests.push_back(Request{e.lane, received, {}});
            it = requests.end() - 1;
        }
        it->events.push_back(&e.o);
    }
    auto differ = [](const QJsonObject& a, const QJsonObject& b) {
        auto lenient = [&](const char* path) {
            const QString x = str(a, path), y = str(b, path);
            return !x.isEmpty() && !y.isEmpty() && x != y;
        };
        const bool refA = a.contains(QStringLiteral("objectRef"));
        const bool refB = b.contains(QStringLiteral("objectRef"));
        return str(a, "user.username") != str(b, "user.username")
            || str(a, "impersonatedUser.username") != str(b, "impersonatedUser.username")
            || a.value(QStringLiteral("sourceIPs")).toArray().at(0).toString()
            != b.value(QStringLiteral("sourceIPs")).toArray().at(0).toString()
            || str(a, "verb") != str(b, "verb") || refA != refB
            || str(a, "objectRef.apiGroup") != str(b, "objectRef.apiGroup")
            || str(a, "objectRef.resource") != str(b, "objectRef.resource")
            || str(a, "objectRef.subresource") != str(b, "objectRef.subresource")
            || lenient("objectRef.namespace") || lenient("objectRef.name");
    };
    std::uint8_t flags = 0;
    std::set<QString> lanes;
    for (const Request& r : requests) {
        lanes.insert(r.lane);
        std::map<QString, QString> stageTimes;
        for (const QJsonObject* e : r.events) {
            const QString stage = str(*e, "stage");
            const QString at = str(*e, "stageTimestamp");
            if (stageTimes.count(stage) && stageTimes[stage] != at)
                flags |= ChainReused;
            stageTimes.emplace(stage, at);
            if (differ(*r.events.front(), *e))
                flags |= ChainReused;
        }
        const bool received = stageTimes.count(QStringLiteral("RequestReceived"));
        const bool complete = stageTimes.count(QStringLiteral("ResponseComplete"));
        const bool panic = stageTimes.count(QStringLiteral("Panic"));
        const bool onlyStarted =
            stageTimes.size() == 1 && stageTimes.count(QStringLiteral("ResponseStarted"));
        const bool noUser = r.events.front()->value(QStringLiteral("user")).toObject().isEmpty();
        if (panic)
            flags |= ChainPanic;
        if (!complete && !panic && !(onlyStarted && noUser))
            flags |= ChainIncomplete;
        if (!received)
            flags |= ChainNoReceived;
    }
    // Across requests, by the first event of each: any difference, in any order.
    std::set<QString> users, ips, targets, namespaces, names, uris, requestLanes;
    qint64 earliest = 0, latest = 0;
    bool laneTwice = false;
    for (const Request& r : requests) {
        const QJsonObject& e = *r.events.front();
        users.insert(
            str(e, "user.username") + QLatin1Char('|') + str(e, "impersonatedUser.username"));
        ips.insert(e.value(QStringLiteral("sourceIPs")).toArray().at(0).toString());
        targets.insert(str(e, "verb") + QLatin1Char('|')
            + (e.contains(QStringLiteral("objectRef")) ? QStringLiteral("ref") : QString())
            + QLatin1Char('|') + str(e, "objectRef.apiGroup") + QLatin1Char('|')
            + str(e, "objectRef.resource") + QLatin1Char('|') + str(e, "objectRef.subresource"));
        if (!str(e, "objectRef.namespace").isEmpty())
            namespaces.insert(str(e, "objectRef.namespace"));
        if (!str(e, "objectRef.name").isEmpty())
            names.insert(str(e, "objectRef.name"));
        uris.insert(str(e, "requestURI"));
        laneTwice |= !requestLanes.insert(r.lane).second;
        const qint64 ms = msOf(r.received);
        earliest = &r == &requests.front() ? ms : std::min(earliest, ms);
        latest = &r == &requests.front() ? ms : std::max(latest, ms);
    }
    if (users.size() > 1 || ips.size() > 1 || targets.size() > 1 || namespaces.size() > 1
        || names.size() > 1 || uris.size() > 1 || laneTwice || latest - earliest > 5000)
        flags |= ChainReused;
    if (lanes.size() > 1)
        flags |= ChainMultiServer;
    return flags;
}

std::map<QString, std::uint8_t> referenceFlagsOfFiles(const QStringList& files)
{
    std::map<QString, std::vector<RefEvent>> byId;
    for (const QString& path : files) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            qFatal("cannot open %s", qPrintable(path));
        const QString lane = QString::fromStdString(chainLaneKey(path.toStdString()));
        while (!f.atEnd()) {
            const QByteArray line = f.readLine().trimmed();
            if (line.isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            byId[o.value(QStringLiteral("auditID")).toString()].push_back(RefEvent{lane, o});
        }
    }
    std::map<QString, std::uint8_t> out;
    for (const auto& [id, events] : byId)
        out[id] = referenceFlags(events);
    return out;
}

QString auditIdOf(const EventStore& store, std::size_t row)
{
    return toQString(store.pools.auditIds.text(store.auditId[row].value));
}

std::vector<quint32> rowsOf(const RowSet& rows)
{
    std::vector<quint32> out;
    for (EventId e : rows)
        out.push_back(e.value);
    return out;
}

RowSet query(const EventStore& store, const std::string& text)
{
    const ParseResult q = parseQuery(text);
    if (!q.ok())
        qFatal("%s: %s", text.c_str(), q.error.toString().c_str());
    return runQuery(store, *q.query).rows;
}

bool runAuditgen(const QString& out, const QStringList& extra)
{
    QProcess gen;
    gen.start(
        QStringLiteral(AUDITSCOPE_AUDITGEN), QStringList{QStringLiteral("--out"), out} + extra);
    return gen.waitForFinished(120000) && gen.exitStatus() == QProcess::NormalExit
        && gen.exitCode() == 0;
}

} // namespace

// Three API servers, 20,000 events, with the chain-anomalies story; and the reference flags.
struct TestChain::Generated
{
    QTemporaryDir dir;
    QStringList files;
    LoadResult load;
    ChainIntegrityPtr integrity;
    std::map<QString, std::uint8_t> reference;
};

void TestChain::initTestCase()
{
    m_generated = new Generated;
    Generated& g = *m_generated;
    QVERIFY(g.dir.isValid());
    const QString base = g.dir.filePath(QStringLiteral("audit.log"));
    QVERIFY(runAuditgen(base,
        {QStringLiteral("--events"), QStringLiteral("20000"), QStringLiteral("--seed"),
            QStringLiteral("5"), QStringLiteral("--servers"), QStringLiteral("3"),
            QStringLiteral("--anomalies")}));
    std::vector<std::string> paths;
    for (int i = 0; i < 3; ++i) {
        g.files << base + QStringLiteral(".%1").arg(i);
        paths.push_back(g.files.back().toStdString());
    }
    g.load = loadAuditLogs(paths);
    QCOMPARE(g.load.store->size(), std::size_t(20000));
    g.integrity = chainIntegrityFor(g.load.store);
    QVERIFY(g.integrity);
    g.reference = referenceFlagsOfFiles(g.files);
}

void TestChain::cleanupTestCase()
{
    delete m_generated; // the shared fixture (LeakSanitizer reports it otherwise)
    m_generated = nullptr;
}

void TestChain::laneKeysJoinRotatedBackups_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("lane");
    QTest::newRow("active file") << "/var/log/kube/audit.log"
                                 << "/var/log/kube/audit.log";
    QTest::newRow("rotated backup") << "/var/log/kube/audit-2025-03-14T09-26-53.589.log"
                                    << "/var/log/kube/audit.log";
    QTest::newRow("compressed backup") << "/var/log/kube/audit-2025-03-14T09-26-53.589.log.gz"
                                       << "/var/log/kube/audit.log";
    QTest::newRow("no extension") << "logs/audit-2025-03-14T09-26-53.589"
                                  << "logs/audit";
    QTest::newRow("other server") << "/srv/b/audit-2025-03-14T09-26-53.589.log"
                                  << "/srv/b/audit.log";
    QTest::newRow("numbered server files stay apart") << "audit.log.1"
                                                      << "audit.log.1";
    QTest::newRow("a stamp in the folder is not a rotation")
        << "/x-2025-03-14T09-26-53.589/audit.log"
        << "/x-2025-03-14T09-26-53.589/audit.log";
}

void TestChain::laneKeysJoinRotatedBackups()
{
    QFETCH(QString, path);
    QFETCH(QString, lane);
    QCOMPARE(toQString(chainLaneKey(path.toStdString())), lane);
}

void TestChain::flagsHandWrittenChains_data()
{
    QTest::addColumn<QStringList>("events");
    QTest::addColumn<QString>("flags");
    const auto row = [](const char* name, std::vector<Ev> events, const char* flags) {
        QTest::newRow(name) << encode(events) << QString::fromLatin1(flags);
    };
    Ev rr{.stage = "RequestReceived"};
    Ev rs{.stage = "ResponseStarted", .stageMs = 1};
    Ev rc{.stage = "ResponseComplete", .stageMs = 5};
    Ev panic{.stage = "Panic", .stageMs = 5, .code = 500};
    auto with = [](Ev e, auto change) {
        change(e);
        return e;
    };
    auto watch = [&](Ev e) { return with(e, [](Ev& x) { x.verb = "watch"; }); };
    row("ordinary", {rr, rc}, "ok");
    row("watch with three stages",
        {watch(rr), watch(rs), with(watch(rc), [](Ev& x) { x.stageMs = 300000; })}, "ok");
    row("watch open at the end", {watch(rr), watch(rs)}, "incomplete");
    row("received only", {rr}, "incomplete");
    row("panic", {rr, panic}, "panic");
    row("panic after headers were sent", {watch(rr), watch(rs), watch(panic)}, "panic");
    row("complete without received", {rc}, "noreceived");
    row("failed authentication",
        {with(rs,
            [](Ev& x) {
                x.user.clear();
                x.code = 401;
            })},
        "noreceived");
    row("started only, authenticated", {rs}, "incomplete,noreceived");
    row("two users, one receive time",
        {rr, rc, with(rr, [](Ev& x) { x.user = "bob"; }), with(rc, [](Ev& x) { x.user = "bob"; })},
        "reused");
    row("same server twice",
        {rr, rc, with(rr, [](Ev& x) { x.receivedSeconds = 2; }),
            with(rc, [](Ev& x) { x.receivedSeconds = 2; })},
        "reused");
    auto onB = [&](Ev e, double at) {
        return with(e, [at](Ev& x) {
            x.file = "b.log";
            x.receivedSeconds = at;
        });
    };
    row("forwarded to an aggregated server", {rr, rc, onB(rr, 0.001), onB(rc, 0.001)},
        "multiserver");
    row("other server an hour later", {rr, rc, onB(rr, 3600), onB(rc, 3600)}, "reused,multiserver");
    row("other server, other URI",
        {rr, rc, with(onB(rr, 0.001), [](Ev& x) { x.uri += "?watch=1"; }),
            with(onB(rc, 0.001), [](Ev& x) { x.uri += "?watch=1"; })},
        "reused,multiserver");
    row("other server, other source IP",
        {rr, rc, with(onB(rr, 0.001), [](Ev& x) { x.ip = "10.9.9.9"; }),
            with(onB(rc, 0.001), [](Ev& x) { x.ip = "10.9.9.9"; })},
        "reused,multiserver");
    row("create names the object only when complete",
        {with(rr,
             [](Ev& x) {
                 x.verb = "create";
                 x.name.clear();
             }),
            with(rc, [](Ev& x) { x.verb = "create"; })},
        "ok");
    row("other namespace in one request", {rr, with(rc, [](Ev& x) { x.ns = "kube-system"; })},
        "reused");
    row("duplicated line", {rr, rc, rc}, "ok");
    row("a stage twice at different times", {rr, rc, with(rc, [](Ev& x) { x.stageMs = 9; })},
        "reused");
}

void TestChain::flagsHandWrittenChains()
{
    QFETCH(QStringList, events);
    QFETCH(QString, flags);
    const LoadResult r = loadEncoded(events);
    // A byte-identical repeat loads once (DuplicatePlace) and is counted as a duplicate.
    QCOMPARE(r.store->size() + r.report.duplicates, std::size_t(events.size()));
    const ChainIntegrityPtr integrity = ChainIntegrity::compute(*r.store);
    QVERIFY(integrity);
    QCOMPARE(integrity->chains(), std::uint64_t(1));
    const std::uint8_t got = integrity->flagsOf(AuditIdId{r.store->pools.auditIds.find("x")});
    QCOMPARE(toQString(chainFlagNames(got)), flags);
    // The detailed chain applies the same rules.
    const Chain chain = buildChain(*r.store, *integrity, "x");
    QCOMPARE(toQString(chainFlagNames(chain.flags)), flags);
    QCOMPARE(chain.events.size(), r.store->size());
    std::size_t issues = 0;
    for (const ChainFlagInfo& info : chainFlagInfos())
        issues += (chain.flags & info.flag) != 0;
    QCOMPARE(chain.issues.size(), issues);
}

void TestChain::explainsWhyAFlagIsSet_data()
{
    QTest::addColumn<QStringList>("events");
    QTest::addColumn<QString>("flag");
    QTest::addColumn<QStringList>("phrases");
    Ev rr{.stage = "RequestReceived"};
    Ev rs{.stage = "ResponseStarted", .stageMs = 1};
    Ev rc{.stage = "ResponseComplete", .stageMs = 5};
    Ev other{.stage = "RequestReceived", .receivedSeconds = 7200, .id = "later"};
    Ev otherDone{.stage = "ResponseComplete", .receivedSeconds = 7200, .stageMs = 5, .id = "later"};
    Ev failed = rs;
    failed.user.clear();
    failed.code = 401;
    auto as = [](Ev e, const char* id, double seconds) {
        e.id = id;
        e.receivedSeconds = seconds;
        return e;
    };
    QTest::newRow("failed authentication")
        << encode({failed}) << "noreceived"
        << QStringList{QStringLiteral("failed authentication"), QStringLiteral("expected")};
    QTest::newRow("no RequestReceived anywhere in the file")
        << encode({rc, as(rc, "later", 60)}) << "noreceived"
        << QStringList{QStringLiteral("omitStages: [RequestReceived]"), QStringLiteral("normal")};
    QTest::newRow("RequestReceived logged for others")
        << encode({as(rc, "x", 60), other, otherDone}) << "noreceived"
        << QStringList{QStringLiteral("omitStages: [RequestReceived]"), QStringLiteral("lost")};
    Ev watchRr = rr, watchRs = rs;
    watchRr.verb = watchRs.verb = "watch";
    QTest::newRow("watch open at the end")
        << encode({watchRr, watchRs}) << "incomplete"
        << QStringList{QStringLiteral("long-running"), QStringLiteral("still open")};
    QTest::newRow("get whose end was lost")
        << encode({rr, other, otherDone}) << "incomplete"
        << QStringList{QStringLiteral("goes on for 2 h 0 min"), QStringLiteral("lost")};
    Ev bob = rr, bobDone = rc;
    bob.user = bobDone.user = "bob";
    bob.receivedSeconds = bobDone.receivedSeconds = 30;
    QTest::newRow("two users") << encode({rr, rc, bob, bobDone}) << "reused"
                               << QStringList{QStringLiteral("different users (alice and bob)"),
                                      QStringLiteral("Audit-ID header")};
    Ev panic = rc;
    panic.stage = "Panic";
    panic.code = 500;
    QTest::newRow("panic") << encode({rr, panic}) << "panic"
                           << QStringList{QStringLiteral("panicked"), QStringLiteral("code 500")};
    Ev back = rr, backDone = rc; // the aggregated server receives it a moment later
    back.file = backDone.file = "b.log";
    back.receivedSeconds = backDone.receivedSeconds = 0.001;
    QTest::newRow("forwarded") << encode({rr, rc, back, backDone}) << "multiserver"
                               << QStringList{QStringLiteral("2 servers"),
                                      QStringLiteral("aggregated API servers")};
}

void TestChain::explainsWhyAFlagIsSet()
{
    QFETCH(QStringList, events);
    QFETCH(QString, flag);
    QFETCH(QStringList, phrases);
    const LoadResult r = loadEncoded(events);
    const ChainIntegrityPtr integrity = ChainIntegrity::compute(*r.store);
    const Chain chain = buildChain(*r.store, *integrity, "x");
    QString explanation;
    for (const ChainIssue& issue : chain.issues)
        for (const ChainFlagInfo& info : chainFlagInfos())
            if (info.flag == issue.flag && toQString(info.name) == flag)
                explanation = toQString(issue.explanation);
    QVERIFY2(!explanation.isEmpty(), qPrintable(toQString(chainFlagNames(chain.flags))));
    for (const QString& phrase : phrases)
        QVERIFY2(explanation.contains(phrase), qPrintable(explanation));
}

void TestChain::generatedServersMatchAReferenceImplementation()
{
    const Generated& g = *m_generated;
    const EventStore& store = *g.load.store;
    QCOMPARE(g.integrity->lanes().size(), std::size_t(3));
    QCOMPARE(g.integrity->chains(), std::uint64_t(g.reference.size()));
    std::size_t compared = 0;
    for (std::uint32_t id = 0; id < store.pools.auditIds.size(); ++id) {
        const QString text = toQString(store.pools.auditIds.text(id));
        const auto it = g.reference.find(text);
        QVERIFY2(it != g.reference.end(), qPrintable(text));
        const std::uint8_t got = g.integrity->flagsOf(AuditIdId{id});
        QVERIFY2(got == it->second,
            qPrintable(text + QStringLiteral(": got ") + toQString(chainFlagNames(got))
                + QStringLiteral(", reference ") + toQString(chainFlagNames(it->second))));
        ++compared;
    }
    QCOMPARE(compared, g.reference.size());
    // Every flag occurs, so every rule was exercised.
    for (const ChainFlagInfo& info : chainFlagInfos())
        QVERIFY2(g.integrity->chainsWith(info.flag) > 0, info.name.data());
    // The detailed view agrees with the pass for every flagged chain and a sample of the rest.
    std::mt19937 rng(3);
    for (std::uint32_t id = 0; id < store.pools.auditIds.size(); ++id) {
        const std::uint8_t flags = g.integrity->flagsOf(AuditIdId{id});
        if (flags == 0 && rng() % 50 != 0)
            continue;
        const Chain c = buildChain(store, *g.integrity, store.pools.auditIds.text(id));
        QCOMPARE(int(c.flags), int(flags));
    }
}

void TestChain::generatedStoriesAreFlagged()
{
    // Expectations from how auditgen writes its stories, not from this implementation.
    const Generated& g = *m_generated;
    const EventStore& store = *g.load.store;
    const ChainIntegrity& integrity = *g.integrity;

    // The CI pipeline's own Audit-ID, reused by a developer.
    const Chain ci = buildChain(store, integrity, "ci-pipeline-run-4711");
    QCOMPARE(ci.requests.size(), std::size_t(3));
    QVERIFY(ci.flags & ChainReused);
    QVERIFY(ci.reuseReasons & ReuseUsers);
    QVERIFY(ci.reuseReasons & ReuseTargets);
    QCOMPARE(ci.requests[1].verb, std::string("patch"));
    QCOMPARE(ci.requests[2].user, std::string("alice@example.com"));

    // Exactly one chain is unfinished: the watch left open at the end of the log.
    std::vector<std::uint32_t> incomplete, lostReceived;
    for (std::uint32_t id = 0; id < store.pools.auditIds.size(); ++id) {
        const std::uint8_t f = integrity.flagsOf(AuditIdId{id});
        if (f & ChainIncomplete)
            incomplete.push_back(id);
        if (f & ChainNoReceived)
            lostReceived.push_back(id);
    }
    QCOMPARE(incomplete.size(), std::size_t(1));
    const Chain open = buildChain(store, integrity, store.pools.auditIds.text(incomplete[0]));
    QCOMPARE(open.requests.front().verb, std::string("watch"));
    QCOMPARE(open.requests.front().user, std::string("carol@example.com"));
    QVERIFY(open.requests.front().stageNs[int(Stage::ResponseStarted)].has_value());

    // Without RequestReceived: failed logins (a lone 401 ResponseStarted, expected) and the one
    // request whose RequestReceived was lost.
    int failedLogins = 0, lost = 0;
    for (const std::uint32_t id : lostReceived) {
        const Chain c = buildChain(store, integrity, store.pools.auditIds.text(id));
        QCOMPARE(c.requests.size(), std::size_t(1));
        if (c.requests.front().rejectedBeforeAuthentication) {
            QCOMPARE(int(c.requests.front().code), 401);
            QCOMPARE(int(c.flags), int(ChainNoReceived)); // not incomplete
            ++failedLogins;
        } else {
            QCOMPARE(c.requests.front().user, std::string("dave@example.com"));
            QCOMPARE(c.requests.front().resource, std::string("secrets"));
            ++lost;
        }
    }
    QVERIFY(failedLogins > 0);
    QCOMPARE(lost, 1);

    // Panics: the plain get (RequestReceived, Panic) and the watch that had started streaming.
    bool sawGetPanic = false, sawWatchPanic = false;
    for (const EventId e : query(store, "stage:Panic")) {
        const Chain c = buildChain(store, integrity, e);
        QVERIFY(c.flags & ChainPanic);
        QVERIFY(!(c.flags & ChainIncomplete));
        const ChainRequest& r = c.requests.front();
        sawGetPanic |= r.verb == "get" && r.user == "bob@example.com";
        sawWatchPanic |= r.verb == "watch" && r.stageNs[int(Stage::ResponseStarted)].has_value();
        QCOMPARE(int(r.code), 500);
    }
    QVERIFY(sawGetPanic);
    QVERIFY(sawWatchPanic);

    // Aggregated API requests are logged by two servers under one ID: not a reuse.
    int forwarded = 0;
    for (std::uint32_t id = 0; id < store.pools.auditIds.size(); ++id) {
        if (!(integrity.flagsOf(AuditIdId{id}) & ChainMultiServer))
            continue;
        const Chain c = buildChain(store, integrity, store.pools.auditIds.text(id));
        QCOMPARE(c.lanes.size(), std::size_t(2));
        QCOMPARE(c.requests.front().apiGroup, std::string("metrics.k8s.io"));
        QVERIFY(!(c.flags & ChainReused));
        ++forwarded;
    }
    QVERIFY(forwarded > 10);
}

void TestChain::rotatedSplitKeepsChainsWhole()
{
    // Server 0's file cut into a rotated backup and the active file: chains that straddle the
    // cut (watches) must come out as if the file were whole.
    const Generated& g = *m_generated;
    QTemporaryDir dir;
    QFile whole(g.files[0]);
    QVERIFY(whole.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = whole.readAll().split('\n');
    const qsizetype cut = lines.size() / 2;
    const QString backup = dir.filePath(QStringLiteral("audit-2025-03-14T09-00-05.000.log"));
    const QString active = dir.filePath(QStringLiteral("audit.log"));
    QFile b(backup), a(active);
    QVERIFY(b.open(QIODevice::WriteOnly) && a.open(QIODevice::WriteOnly));
    b.write(lines.mid(0, cut).join('\n') + '\n');
    a.write(lines.mid(cut).join('\n'));
    b.close();
    a.close();
    const LoadResult split = loadAuditLogs({backup.toStdString(), active.toStdString(),
        g.files[1].toStdString(), g.files[2].toStdString()});
    QCOMPARE(split.store->size(), g.load.store->size());
    const ChainIntegrityPtr integrity = ChainIntegrity::compute(*split.store);
    QCOMPARE(integrity->lanes().size(), std::size_t(3));
    QCOMPARE(integrity->lanes()[0].sources.size(), std::size_t(2));
    const EventStore& s = *split.store;
    for (std::uint32_t id = 0; id < s.pools.auditIds.size(); ++id) {
        const std::string text = s.pools.auditIds.text(id);
        const std::uint32_t original = g.load.store->pools.auditIds.find(text);
        QCOMPARE(
            int(integrity->flagsOf(AuditIdId{id})), int(g.integrity->flagsOf(AuditIdId{original})));
    }
}

void TestChain::omittedRequestReceivedIsExplainedAsNormal()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("omit.log"));
    QVERIFY(runAuditgen(path,
        {QStringLiteral("--events"), QStringLiteral("3000"), QStringLiteral("--omit-stages"),
            QStringLiteral("RequestReceived")}));
    const LoadResult r = loadAuditLogs({path.toStdString()});
    QVERIFY(r.store->size() > 0);
    QCOMPARE(r.store->indexes.byStage.count(int(Stage::RequestReceived)), 0u);
    const ChainIntegrityPtr integrity = ChainIntegrity::compute(*r.store);
    QCOMPARE(integrity->chainsWith(ChainNoReceived), integrity->chains());
    QCOMPARE(integrity->lanes().front().requestReceivedEvents, std::uint64_t(0));
    // An ordinary request (not a failed login) says why this is normal.
    const RowSet rows = query(*r.store, "verb:get code:200");
    QVERIFY(!rows.empty());
    const Chain c = buildChain(*r.store, *integrity, rows.front());
    QCOMPARE(c.issues.size(), std::size_t(1));
    QVERIFY(
        c.issues.front().explanation.find("omitStages: [RequestReceived]") != std::string::npos);
    QVERIFY(c.issues.front().explanation.find("normal") != std::string::npos);
}

void TestChain::microk8sCorpusCounts()
{
    // Expected values from an independent count over the raw file (Python, json module):
    //   group lines by auditID; per chain the set of stages; RequestReceived + ResponseComplete
    //   (1,373 chains), + ResponseStarted (3 finished watches), RequestReceived +
    //   ResponseStarted only (108 watches open at the end of the log, all verb=watch); no
    //   Panic, no auditID on two receive times, no `user: {}`. 1,484 chains, 2,971 events.
    const LoadResult r = loadAuditLogs({corpus("microk8s-k8s.log.gz")});
    QCOMPARE(r.store->size(), std::size_t(2971));
    const ChainIntegrityPtr integrity = ChainIntegrity::compute(*r.store);
    QCOMPARE(integrity->chains(), std::uint64_t(1484));
    QCOMPARE(integrity->chainsWith(ChainIncomplete), std::uint64_t(108));
    QCOMPARE(integrity->eventsWith(ChainIncomplete), std::uint64_t(216));
    QCOMPARE(integrity->chainsWith(0), std::uint64_t(1376));
    QCOMPARE(integrity->eventsWith(0), std::uint64_t(2755));
    for (const std::uint8_t flag : {ChainPanic, ChainNoReceived, ChainReused, ChainMultiServer})
        QCOMPARE(integrity->chainsWith(flag), std::uint64_t(0));
    // Every incomplete chain is a watch.
    for (const EventId e : query(*r.store, "chain:incomplete"))
        QCOMPARE(std::string(r.store->pools.verbs.view(r.store->verb[e.value].value)),
            std::string("watch"));
}

void TestChain::microk8sWatchChainDetail()
{
    // A finished watch (lines 1191, 1192 and 1207 of the file): RequestReceived at
    // 22:39:34.038363, ResponseStarted at .038663, ResponseComplete at .055257.
    const LoadResult r = loadAuditLogs({corpus("microk8s-k8s.log.gz")});
    const ChainIntegrityPtr integrity = chainIntegrityFor(r.store);
    const Chain c = buildChain(*r.store, *integrity, "8c80830a-f7c1-47cc-9e36-29a18c771355");
    QCOMPARE(c.events.size(), std::size_t(3));
    QCOMPARE(c.flags, std::uint8_t(0));
    QVERIFY(c.issues.empty());
    QCOMPARE(c.lanes.size(), std::size_t(1));
    QCOMPARE(c.requests.size(), std::size_t(1));
    const ChainRequest& w = c.requests.front();
    QCOMPARE(w.verb, std::string("watch"));
    QVERIFY(w.longRunning);
    QCOMPARE(w.user, std::string("system:kube-controller-manager"));
    QCOMPARE(w.receivedToStartedNs().value(), std::int64_t(300'000));
    QCOMPARE(w.startedToEndNs().value(), std::int64_t(16'594'000));
    QCOMPARE(w.totalNs().value(), std::int64_t(16'894'000));
    QCOMPARE(w.code, std::uint16_t(200));
    QCOMPARE(w.decision, std::string("allow"));
    QVERIFY(w.requestUri.starts_with("/apis/traefik.containo.us/v1alpha1/ingressroutetcps?"));
    QCOMPARE(c.events[0].stage, Stage::RequestReceived);
    QCOMPARE(c.events[1].stage, Stage::ResponseStarted);
    QCOMPARE(c.events[2].stage, Stage::ResponseComplete);
    QCOMPARE(c.events[0].line, 1191u);
    QCOMPARE(c.events[2].line, 1207u);
    // Annotations in the order written, the empty reason kept.
    QCOMPARE(c.events[2].annotations,
        (std::vector<std::pair<std::string, std::string>>{
            {"authorization.k8s.io/decision", "allow"}, {"authorization.k8s.io/reason", ""}}));
    QCOMPARE(formatRfc3339Micros(c.lastNs), std::string("2023-03-10T22:39:34.055257Z"));
}

void TestChain::audit2rbacCorpusHasNoRequestReceived()
{
    // 37 events, each a lone ResponseComplete with its own auditID (checked with Python): the
    // capture's policy omitted RequestReceived.
    const LoadResult r = loadAuditLogs({corpus("audit2rbac/demo.log")});
    QCOMPARE(r.store->size(), std::size_t(37));
    const ChainIntegrityPtr integrity = ChainIntegrity::compute(*r.store);
    QCOMPARE(integrity->chains(), std::uint64_t(37));
    QCOMPARE(integrity->chainsWith(ChainNoReceived), std::uint64_t(37));
    QCOMPARE(integrity->chainsWith(ChainIncomplete), std::uint64_t(0));
    QCOMPARE(integrity->lanes().front().requestReceivedEvents, std::uint64_t(0));
    const Chain c = buildChain(*r.store, *integrity, EventId{0});
    QVERIFY(!c.lanes.front().logsRequestReceived);
    QVERIFY(c.issues.front().explanation.find("omitStages") != std::string::npos);
    // Statuses of the 403s are kept.
    const RowSet forbidden = query(*r.store, "code:403");
    QCOMPARE(forbidden.size(), std::size_t(11));
    const Chain f = buildChain(*r.store, *integrity, forbidden.front());
    QCOMPARE(f.events.front().reason, std::string("Forbidden"));
    QCOMPARE(f.events.front().status, std::string("Failure"));
    QVERIFY(f.events.front().message.find("forbidden") != std::string::npos);
}

void TestChain::queryTermsMatchTheReference()
{
    const Generated& g = *m_generated;
    const EventStore& store = *g.load.store;
    auto expected = [&](auto predicate) {
        std::vector<quint32> out;
        for (std::uint32_t row = 0; row < store.size(); ++row)
            if (predicate(g.reference.at(auditIdOf(store, row))))
                out.push_back(row);
        return out;
    };
    for (const ChainFlagInfo& info : chainFlagInfos()) {
        const std::vector<quint32> want =
            expected([&](std::uint8_t f) { return (f & info.flag) != 0; });
        QVERIFY(!want.empty());
        QCOMPARE(rowsOf(query(store, "chain:" + std::string(info.name))), want);
    }
    QCOMPARE(rowsOf(query(store, "chain:ok")),
        expected([](std::uint8_t f) { return (f & ChainProblemFlags) == 0; }));
    QCOMPARE(rowsOf(query(store, "-chain:ok")),
        expected([](std::uint8_t f) { return (f & ChainProblemFlags) != 0; }));
    QCOMPARE(query(store, "chain:*").size(), store.size());
    QCOMPARE(rowsOf(query(store, "chain:(panic or reused)")),
        expected([](std::uint8_t f) { return (f & (ChainPanic | ChainReused)) != 0; }));
    QCOMPARE(rowsOf(query(store, "chain:no*")),
        expected([](std::uint8_t f) { return (f & ChainNoReceived) != 0; }));
}

void TestChain::queryTermsEqualBruteForceInRandomQueries()
{
    const EventStore& store = *m_generated->load.store;
    const std::vector<std::string> atoms{"chain:incomplete", "chain:panic", "chain:noreceived",
        "chain:reused", "chain:multiserver", "chain:ok", "chain:*", "verb:watch", "verb:get",
        "code >= 400", "stage:ResponseStarted", "resource:pods", "user:*example.com", "uri:*watch*",
        "time > now-2s"};
    std::mt19937 rng(11);
    for (int i = 0; i < 150; ++i) {
        std::string text = atoms[rng() % atoms.size()];
        for (int n = rng() % 3; n > 0; --n)
            text = "(" + text + (rng() % 2 ? " or " : " and ") + (rng() % 3 == 0 ? "not " : "")
                + atoms[rng() % atoms.size()] + ")";
        const ParseResult q = parseQuery(text);
        QVERIFY2(q.ok(), text.c_str());
        QVERIFY2(
            runQuery(store, *q.query).rows == runQueryBruteForce(store, *q.query), text.c_str());
    }
}

void TestChain::queryTermsWorkOnAnUnindexedSnapshot()
{
    // A partial snapshot has no indexes; its chains are those of the events loaded so far.
    EventStorePtr partial;
    LoadOptions options;
    options.chunkBytes = 1 << 20;
    options.preludeBytes = 2 << 20;
    options.onPartialSnapshot = [&](EventStorePtr s) {
        if (!partial)
            partial = std::move(s);
    };
    const LoadResult full = loadAuditLogs({m_generated->files[0].toStdString()}, {}, options);
    QVERIFY(partial);
    QVERIFY(!partial->indexed);
    for (const char* text : {"chain:incomplete", "chain:ok", "chain:noreceived verb:get"}) {
        const ParseResult q = parseQuery(text);
        QCOMPARE(rowsOf(runQuery(*partial, *q.query).rows),
            rowsOf(runQueryBruteForce(*partial, *q.query)));
    }
    const ChainIntegrityPtr integrity = ChainIntegrity::compute(*partial);
    QCOMPARE(query(*partial, "chain:*").size(), partial->size());
    QCOMPARE(std::uint64_t(query(*partial, "chain:ok").size()), integrity->eventsWith(0));
}

void TestChain::queryTermErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown flag") << "chain:broken"
                                  << "col 7: unknown chain flag 'broken' (incomplete, panic, "
                                     "noreceived, reused, multiserver, ok)";
    QTest::newRow("comparison") << "chain > ok"
                                << "col 7: '>' compares numbers, times and levels; 'chain' is "
                                   "text";
    QTest::newRow("wildcard matching nothing") << "chain:zz*"
                                               << "col 7: unknown chain flag 'zz*' (incomplete, "
                                                  "panic, noreceived, reused, multiserver, ok)";
}

void TestChain::queryTermErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    const ParseResult r = parseQuery(text.toStdString());
    QVERIFY(!r.ok());
    QCOMPARE(toQString(r.error.toString()), error);
    QCOMPARE(toQString(parseQuery("CHAIN:incomplete").query->toString()),
        QStringLiteral("chain:\"incomplete\""));
}

void TestChain::completesChainValuesWithCounts()
{
    QueryCompleter completer(m_generated->load.store);
    const Completions c = completer.complete("chain:", 6);
    QCOMPARE(toQString(c.field), QStringLiteral("chain"));
    QVERIFY(c.items.size() >= 5);
    QCOMPARE(toQString(c.items.front().text), QStringLiteral("ok")); // the most events
    for (const CompletionItem& item : c.items)
        QCOMPARE(
            std::int64_t(query(*m_generated->load.store, "chain:" + item.text).size()), item.count);
    const Completions fields = completer.complete("cha", 3);
    QVERIFY(!fields.items.empty());
    QCOMPARE(toQString(fields.items.front().text), QStringLiteral("chain:"));
}

void TestChain::completerDoesNotWaitForTheIntegrity()
{
    const LoadResult r = loadAuditLogs({m_generated->files[2].toStdString()});
    QueryCompleter completer(r.store);
    completer.warmUp();
    QVERIFY(!cachedChainIntegrity(*r.store)); // not computed by the warm-up
    // Before it is known: every value, without counts.
    Completions c = completer.complete("chain:", 6);
    QCOMPARE(c.items.size(), std::size_t(ChainFlagCount + 1));
    for (const CompletionItem& item : c.items)
        QCOMPARE(item.count, std::int64_t(-1));
    QCOMPARE(completer.complete("chain:inc", 9).items.size(), std::size_t(1));
    // Once it is known (whoever computed it), with their counts.
    QVERIFY(chainIntegrityFor(r.store));
    c = completer.complete("chain:", 6);
    QVERIFY(!c.items.empty());
    QCOMPARE(toQString(c.items.front().text), QStringLiteral("ok"));
    for (const CompletionItem& item : c.items)
        QCOMPARE(std::int64_t(query(*r.store, "chain:" + item.text).size()), item.count);
}

void TestChain::integrityIsCachedPerSnapshot()
{
    const EventStorePtr& store = m_generated->load.store;
    const ChainIntegrityPtr first = chainIntegrityFor(store);
    QCOMPARE(first.get(), m_generated->integrity.get());
    QCOMPARE(cachedChainIntegrity(*store).get(), first.get());
    // Another snapshot (same content) has its own entry, computed only when asked.
    const LoadResult again = loadAuditLogs({m_generated->files[1].toStdString()});
    QVERIFY(!cachedChainIntegrity(*again.store));
    const ChainIntegrityPtr other = chainIntegrityFor(again.store);
    QVERIFY(other && other.get() != first.get());
    QCOMPARE(cachedChainIntegrity(*again.store).get(), other.get());
    QCOMPARE(cachedChainIntegrity(*store).get(), first.get());
}

void TestChain::stopRequestGivesNoResult()
{
    std::stop_source stop;
    stop.request_stop();
    const LoadResult r = loadAuditLogs({m_generated->files[2].toStdString()});
    QVERIFY(!ChainIntegrity::compute(*r.store, stop.get_token()));
    QVERIFY(!chainIntegrityFor(r.store, stop.get_token()));
    const ParseResult q = parseQuery("chain:incomplete");
    const QueryResult result = runQuery(*r.store, *q.query, stop.get_token());
    QVERIFY(result.cancelled);
    QVERIFY(result.rows.empty());
    // A later caller without a stop request gets the result.
    QVERIFY(chainIntegrityFor(r.store));
}

QTEST_GUILESS_MAIN(TestChain)
