// SPDX-License-Identifier: Apache-2.0
#include "tst_query.h"

#include "query/querycompleter.h"
#include "query/queryengine.h"
#include "testutil.h"

#include <QDir>
#include <QtTest>

#include <random>
#include <stop_token>

using namespace auditscope;
using namespace auditscope::test;

namespace {

// A small synthetic log: every field the language reads varies, with known counts.
std::string syntheticLog(int events, unsigned seed)
{
    std::mt19937 rng(seed);
    auto pick = [&](std::initializer_list<const char*> options) {
        std::uniform_int_distribution<std::size_t> d(0, options.size() - 1);
        return std::string(*(options.begin() + d(rng)));
    };
    std::string out;
    for (int i = 0; i < events; ++i) {
        const int seconds = i * 7;
        char time[64];
        std::snprintf(time, sizeof time, "2025-03-14T%02d:%02d:%02d.000000Z", 8 + seconds / 3600,
            (seconds / 60) % 60, seconds % 60);
        const std::string user = pick({"alice", "bob", "system:anonymous",
            "system:serviceaccount:kube-system:generic-garbage-collector",
            "system:serviceaccount:kube-system:replicaset-controller",
            "system:serviceaccount:prod:deployer", "system:node:node-1"});
        const std::string groups =
            pick({R"(["system:authenticated"])", R"(["system:masters","system:authenticated"])",
                R"(["system:serviceaccounts","system:serviceaccounts:kube-system"])", "[]"});
        std::string line = R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":")"
            + pick({"Metadata", "Request", "RequestResponse"}) + R"(","auditID":"id-)"
            + std::to_string(i / 2) + R"(","stage":")"
            + pick({"RequestReceived", "ResponseComplete", "ResponseComplete", "Panic"})
            + R"(","requestURI":")" + pick({"/api/v1/pods", "/apis/apps/v1/deployments?watch=1"})
            + R"(","verb":")" + pick({"get", "list", "watch", "create", "delete", "patch"})
            + R"(","user":{"username":")" + user + R"(","groups":)" + groups + "}";
        if (rng() % 5 == 0)
            line +=
                R"(,"impersonatedUser":{"username":")" + pick({"carol", "system:admin"}) + "\"}";
        line += R"(,"sourceIPs":[")"
            + pick({"10.0.0.1", "10.200.3.4", "192.168.1.10", "2001:db8::7", "172.16.0.9"})
            + R"("],"userAgent":")" + pick({"kubectl/v1.29.2", "k9s/v0.31", "curl/8.1"}) + "\"";
        if (rng() % 6 != 0) {
            line += R"(,"objectRef":{"resource":")"
                + pick({"pods", "secrets", "configmaps", "deployments", "leases"})
                + R"(","namespace":")" + pick({"prod", "dev", "kube-system", "default"})
                + R"(","name":")" + pick({"web-1", "db", "database-credentials", "cfg"})
                + R"(","apiGroup":")" + pick({"", "apps", "coordination.k8s.io"}) + "\"";
            if (rng() % 4 == 0)
                line += R"(,"subresource":")" + pick({"exec", "log", "status"}) + "\"";
            line += "}";
        }
        if (rng() % 7 != 0)
            line += R"(,"responseStatus":{"metadata":{},"code":)"
                + pick({"200", "201", "403", "404", "409", "500"}) + "}";
        if (rng() % 3 == 0)
            line +=
                R"(,"requestObject":{"kind":"Pod","spec":{"containers":[{"name":"a","securityContext":{"privileged":)"
                + pick({"true", "false"}) + R"(}},{"name":"b","securityContext":{"privileged":)"
                + pick({"true", "false"}) + R"(}}],"replicas":)" + pick({"1", "3", "10"}) + "}}";
        line += R"(,"requestReceivedTimestamp":")" + std::string(time) + R"(","stageTimestamp":")"
            + std::string(time) + "\"";
        const std::string decision = pick({"allow", "allow", "forbid"});
        line += R"(,"annotations":{"authorization.k8s.io/decision":")" + decision
            + R"(","authorization.k8s.io/reason":")"
            + (decision == "allow" ? pick({"RBAC: allowed by ClusterRoleBinding \\\"admin\\\"",
                   "RBAC: allowed by RoleBinding \\\"edit/prod\\\""})
                                   : std::string())
            + "\"}}\n";
        out += line;
    }
    return out;
}

std::vector<quint32> toList(const RowSet& rows)
{
    std::vector<quint32> out;
    for (EventId e : rows)
        out.push_back(e.value);
    return out;
}

LoadResult& synthetic()
{
    static LoadResult result = loadText(syntheticLog(3000, 7), "synthetic.log");
    return result;
}

// Atomic terms for random queries: every field kind, wildcards, comparisons, deep paths.
const std::vector<std::string>& atoms()
{
    static const std::vector<std::string> list{"verb:get", "verb:delete", "verb:(list or watch)",
        "user:alice", "user:system:anonymous", "user:\"system:serviceaccount:kube-system:*\"",
        "user:*controller", "group:system:masters", "group:system:serviceaccounts*", "as:carol",
        "as:*", "resource:secrets", "resource:*s", "subresource:exec", "ns:prod",
        "namespace:kube-system", "name:database-credentials", "apigroup:apps", "apigroup:\"\"",
        "code:200", "code:4*", "code >= 400", "code < 300", "code != 500", "stage:Panic",
        "stage:Response*", "level:Request", "level >= Request", "ip:10.0.0.0/8", "ip:2001:db8::/32",
        "ip:192.168.*", "ua:kubectl*", "uri:/api/v1/pods", "uri:*watch*", "decision:forbid",
        "reason:*ClusterRoleBinding*", "time >= \"2025-03-14T09:00:00Z\"", "time < now-30m",
        "time > now-1h", "stagetime >= \"2025-03-14T10:00:00Z\"",
        "requestObject.spec.containers.securityContext.privileged:true",
        "requestObject.spec.replicas > 2", "requestObject.spec.containers.name:b",
        "\"database-credentials\"", "RBAC", "file:synthetic.log", "id:id-1*",
        "annotations.\"authorization.k8s.io/decision\":allow", "objectRef.apiGroup:coordination*"};
    return list;
}

std::string randomQuery(std::mt19937& rng, int depth)
{
    const auto& a = atoms();
    const unsigned r = rng() % (depth > 2 ? 1 : 6);
    if (r == 0 || r == 5)
        return a[rng() % a.size()];
    if (r == 1)
        return "not " + randomQuery(rng, depth + 1);
    if (r == 2)
        return "-" + a[rng() % a.size()];
    const char* op = r == 3 ? " and " : r == 4 ? " or " : " ";
    return "(" + randomQuery(rng, depth + 1) + op + randomQuery(rng, depth + 1) + ")";
}

} // namespace

void TestQuery::initTestCase()
{
    QCOMPARE(synthetic().store->size(), std::size_t(3000));
    QVERIFY(synthetic().store->indexed);
}

void TestQuery::parsesToCanonicalForm_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("canonical");
    const auto row = [](const char* name, const char* query, const char* canonical) {
        QTest::newRow(name) << QString::fromUtf8(query) << QString::fromUtf8(canonical);
    };
    row("empty", "", "(all)");
    row("star", "*", "(all)");
    row("field", "verb:delete", R"(verb:"delete")");
    row("and", "verb:delete and resource:configmaps and ns:prod",
        R"((and verb:"delete" resource:"configmaps" ns:"prod"))");
    row("juxtaposition", "stage:ResponseComplete resource:secrets verb:get",
        R"((and stage:"ResponseComplete" resource:"secrets" verb:"get"))");
    row("or", "verb:get or verb:list", R"((or verb:"get" verb:"list"))");
    row("AND OR case-insensitive", "verb:get OR verb:list AND ns:a",
        R"((or verb:"get" (and verb:"list" ns:"a")))");
    row("precedence and over or", "a or b c", R"((or text:"a" (and text:"b" text:"c")))");
    row("parentheses", "(verb:get or verb:list) ns:a",
        R"((and (or verb:"get" verb:"list") ns:"a"))");
    row("not", "not verb:get", R"((not verb:"get"))");
    row("minus", "-verb:get", R"((not verb:"get"))");
    row("bang", "!verb:get", R"((not verb:"get"))");
    row("&& ||", "verb:get && ns:a || ns:b", R"((or (and verb:"get" ns:"a") ns:"b"))");
    row("not binds tighter than and", "not verb:get ns:a", R"((and (not verb:"get") ns:"a"))");
    row("value group", "not verb:(get or list or watch)",
        R"((not (or verb:"get" verb:"list" verb:"watch")))");
    row("value group with and/not", "ns:(a and not b)", R"((and ns:"a" (not ns:"b")))");
    // After a value group's ')' comes the next term, not more values of the group's field.
    row("term after a value group", "verb:(get or list) ns:prod",
        R"((and (or verb:"get" verb:"list") ns:"prod"))");
    row("or after a value group", "verb:(get or create) or code >= 400",
        R"((or (or verb:"get" verb:"create") code>="400"))");
    row("colon in value", "user:system:anonymous", R"(user:"system:anonymous")");
    row("quoted wildcard", R"(user:"system:serviceaccount:kube-system:*")",
        R"(user:"system:serviceaccount:kube-system:*")");
    row("quoted spaces", R"x(ua:"kubectl/v1.29 (linux)")x", R"x(ua:"kubectl/v1.29 (linux)")x");
    row("escaped quote", R"(name:"a\"b")", R"(name:"a\"b")");
    row("field case-insensitive", "VERB:get Ns:prod", R"((and verb:"get" ns:"prod"))");
    row("json path alias", "objectRef.subresource:exec", R"(subresource:"exec")");
    row("json path", "requestObject.spec.containers.securityContext.privileged:true",
        R"(json:requestObject.spec.containers.securityContext.privileged:"true")");
    row("quoted segment", R"(annotations."authorization.k8s.io/reason":*RBAC*)",
        R"(json:annotations."authorization.k8s.io/reason":"*RBAC*")");
    row("decision path", R"(annotations."authorization.k8s.io/decision":forbid)",
        R"(decision:"forbid")");
    row("reason alias", "reason:x", R"(json:annotations."authorization.k8s.io/reason":"x")");
    row("uri alias", "uri:/healthz", R"(json:requestURI:"/healthz")");
    row("code ge", "code >= 400", R"(code>="400")");
    row("code lt no spaces", "code<300", R"(code<"300")");
    row("code eq", "code = 404", R"(code:"404")");
    row("code ne", "code != 404", R"((not code:"404"))");
    row("code gt", "responseStatus.code > 499", R"(code>"499")");
    row("code le", "code <= 201", R"(code<="201")");
    row("time range", R"(time >= "2025-03-14T09:00:00Z" and time < "2025-03-14T10:00:00Z")",
        R"((and time>="2025-03-14T09:00:00.000000Z" time<"2025-03-14T10:00:00.000000Z"))");
    row("time date only", "time >= 2025-03-14", R"(time>="2025-03-14T00:00:00.000000Z")");
    row("relative time", "time > now-1h", R"(time>"now-1h")");
    row("level compare", "level >= Request", R"(level>="Request")");
    row("cidr", "ip:10.0.0.0/8", R"(ip:"10.0.0.0/8")");
    row("ipv6 cidr", "ip:2001:db8::/32", R"(ip:"2001:db8::/32")");
    row("phrase", R"("database-credentials")", R"(text:"database-credentials")");
    row("bare word", "database", R"(text:"database")");
    row("json compare", "requestObject.spec.replicas >= 3",
        R"(json:requestObject.spec.replicas>="3")");
    row("nested groups", "((verb:get))", R"(verb:"get")");
}

void TestQuery::parsesToCanonicalForm()
{
    QFETCH(QString, query);
    QFETCH(QString, canonical);
    const ParseResult r = parseQuery(query.toStdString());
    QVERIFY2(r.ok(), r.error.toString().c_str());
    QCOMPARE(toQString(r.query->toString()), canonical);
}

void TestQuery::reportsPositionedErrors_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");
    const auto row = [](const char* name, const char* query, int column, const char* message) {
        QTest::newRow(name) << QString::fromUtf8(query) << column << QString::fromUtf8(message);
    };
    row("missing value", "verb:get and ns:", 17, "col 17: expected a value after ':'");
    row("missing value before and", "verb: and ns:a", 7, "col 7: expected a value after ':'");
    row("unknown field", "usr:alice", 1, "col 1: unknown field 'usr'; did you mean 'user'?");
    row("unknown field far", "verb:get reosurce:pods", 10,
        "col 10: unknown field 'reosurce'; did you mean 'resource'?");
    row("unknown field without suggestion", "zzzzzzzz:1", 1,
        "col 1: unknown field 'zzzzzzzz'; quote text to search for it");
    row("unclosed paren", "(verb:get or ns:a", 18,
        "col 18: expected ')' to close the '(' at col 1");
    row("stray paren", "verb:get)", 9, "col 9: unexpected ')'");
    row("unterminated quote", R"(user:"alice)", 6, "col 6: unterminated quoted string");
    row("dangling and", "verb:get and", 13, "col 13: expected a term after 'and'");
    row("leading or", "or verb:get", 1, "col 1: expected a term before 'or'");
    row("empty parens", "()", 2, "col 2: expected a term inside '()'");
    row("code not a number", "code >= abc", 9,
        "col 9: expected an HTTP status code (a number) after '>='");
    row("text compare", "verb < get", 6,
        "col 6: '<' compares numbers, times and levels; 'verb' is text");
    row("bad time", "time > yesterday", 8,
        "col 8: expected an RFC 3339 time (2025-03-14T09:00:00Z) or now-1h");
    row("bad duration", "time > now-1x", 11,
        "col 11: expected a duration like now-1h, now-30m or now-2d");
    row("bad stage", "stage:Done", 7,
        "col 7: unknown stage 'Done' (RequestReceived, ResponseStarted, ResponseComplete, Panic)");
    row("bad cidr", "ip:10.0.0.0/40", 4, "col 4: expected an address range like 10.0.0.0/8");
    row("utf-8 column", "\"é\" verb:", 10, "col 10: expected a value after ':'");
    row("unclosed value group", "verb:(get or list", 18,
        "col 18: expected ')' to close the '(' at col 6");
}

void TestQuery::reportsPositionedErrors()
{
    QFETCH(QString, query);
    QFETCH(int, column);
    QFETCH(QString, message);
    const ParseResult r = parseQuery(query.toStdString());
    QVERIFY(!r.ok());
    QCOMPARE(toQString(r.error.toString()), message);
    QCOMPARE(int(r.error.column), column);
}

void TestQuery::matchesExpectedEvents_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QList<quint32>>("expected");
    // Three hand-written events: 0 alice deletes configmap in prod (403), 1 bob gets secret
    // with a privileged pod body, 2 anonymous lists pods from 192.168.
    QTest::newRow("verb") << QStringLiteral("verb:delete") << QList<quint32>{0};
    QTest::newRow("and") << QStringLiteral("verb:delete and resource:configmaps and ns:prod")
                         << QList<quint32>{0};
    QTest::newRow("not group") << QStringLiteral("not verb:(get or list or watch)")
                               << QList<quint32>{0};
    QTest::newRow("code") << QStringLiteral("code >= 400") << QList<quint32>{0};
    QTest::newRow("group then term")
        << QStringLiteral("verb:(get or list) user:system:anonymous") << QList<quint32>{2};
    QTest::newRow("colon value") << QStringLiteral("user:system:anonymous") << QList<quint32>{2};
    QTest::newRow("cidr") << QStringLiteral("ip:10.0.0.0/8") << QList<quint32>{0, 1};
    QTest::newRow("cidr other") << QStringLiteral("-ip:10.0.0.0/8") << QList<quint32>{2};
    QTest::newRow("deep array") << QStringLiteral(
        "requestObject.spec.containers.securityContext.privileged:true")
                                << QList<quint32>{1};
    QTest::newRow("deep case-insensitive keys")
        << QStringLiteral("REQUESTOBJECT.spec.containers.SecurityContext.privileged:true")
        << QList<quint32>{1};
    QTest::newRow("phrase") << QStringLiteral("\"database-credentials\"") << QList<quint32>{1};
    QTest::newRow("decision") << QStringLiteral("decision:forbid") << QList<quint32>{0};
    QTest::newRow("reason") << QStringLiteral("reason:*RBAC*") << QList<quint32>{1};
    QTest::newRow("time") << QStringLiteral("time >= \"2025-03-14T09:00:00Z\" and time < "
                                            "\"2025-03-14T10:00:00Z\"")
                          << QList<quint32>{1};
    QTest::newRow("relative") << QStringLiteral("time > now-1h") << QList<quint32>{2};
    QTest::newRow("subresource") << QStringLiteral("objectRef.subresource:exec")
                                 << QList<quint32>{2};
    QTest::newRow("group") << QStringLiteral("group:system:masters") << QList<quint32>{0};
    QTest::newRow("uri") << QStringLiteral("uri:*exec*") << QList<quint32>{2};
    QTest::newRow("as") << QStringLiteral("as:*") << QList<quint32>{1};
    QTest::newRow("no match") << QStringLiteral("verb:patch") << QList<quint32>{};
}

void TestQuery::matchesExpectedEvents()
{
    QFETCH(QString, query);
    QFETCH(QList<quint32>, expected);
    const std::string text = eventLine("a0", "ResponseComplete", "2025-03-14T08:30:00.000000Z",
                                 "2025-03-14T08:30:00.100000Z", "delete",
                                 R"(,"annotations":{"authorization.k8s.io/decision":"forbid"})")
        + "\n"
        + eventLine("a1", "ResponseComplete", "2025-03-14T09:15:00.000000Z",
            "2025-03-14T09:15:00.100000Z", "get",
            R"(,"impersonatedUser":{"username":"x"},"requestObject":{"spec":{"containers":[{"name":"a"},{"name":"database-credentials","securityContext":{"privileged":true}}]}},"annotations":{"authorization.k8s.io/reason":"RBAC: allowed"})")
        + "\n"
        + eventLine("a2", "ResponseComplete", "2025-03-14T11:00:00.000000Z",
            "2025-03-14T11:00:00.100000Z", "list")
        + "\n";
    // Tailor the template: event 0 is alice/configmaps/prod/403/system:masters, 2 is
    // anonymous from 192.168.1.1 on pods/exec.
    std::string lines = text;
    auto replaceNth = [&](const std::string& from, const std::string& to, int nth) {
        std::size_t at = 0;
        for (int i = 0; i <= nth; ++i)
            at = lines.find(from, i == 0 ? 0 : at + 1);
        lines.replace(at, from.size(), to);
    };
    replaceNth(R"("resource":"pods","namespace":"default")",
        R"("resource":"configmaps","namespace":"prod")", 0);
    replaceNth(R"("code":200)", R"("code":403)", 0);
    replaceNth(R"("groups":["dev")", R"("groups":["system:masters")", 0);
    replaceNth(R"("username":"alice")", R"("username":"system:anonymous")", 2);
    replaceNth(R"("10.0.0.1")", R"("192.168.1.1")", 2);
    replaceNth(R"("name":"p1",)", R"("name":"p1","subresource":"exec",)", 2);
    replaceNth(R"(pods/p1")", R"(pods/p1/exec")", 2);
    const LoadResult r = loadText(lines);
    QCOMPARE(r.store->size(), std::size_t(3));
    const ParseResult q = parseQuery(query.toStdString());
    QVERIFY2(q.ok(), q.error.toString().c_str());
    const std::vector<quint32> got = toList(runQuery(*r.store, *q.query).rows);
    QCOMPARE(QList<quint32>(got.begin(), got.end()), expected);
    const std::vector<quint32> brute = toList(runQueryBruteForce(*r.store, *q.query));
    QCOMPARE(QList<quint32>(brute.begin(), brute.end()), expected);
}

void TestQuery::indexPlanEqualsBruteForceOnRandomQueries()
{
    const EventStore& store = *synthetic().store;
    // Every atom matches something and not everything (else the generator lost a field).
    for (const std::string& atom : atoms()) {
        const ParseResult q = parseQuery(atom);
        QVERIFY2(q.ok(), (atom + ": " + q.error.toString()).c_str());
        const std::size_t n = runQuery(store, *q.query).rows.size();
        QVERIFY2(n > 0 && (n < store.size() || atom.starts_with("file:")), atom.c_str());
        QCOMPARE(n, runQueryBruteForce(store, *q.query).size());
    }
    std::mt19937 rng(42);
    for (int i = 0; i < 400; ++i) {
        const std::string text = randomQuery(rng, 0);
        const ParseResult q = parseQuery(text);
        QVERIFY2(q.ok(), (text + ": " + q.error.toString()).c_str());
        const QueryResult planned = runQuery(store, *q.query);
        const RowSet brute = runQueryBruteForce(store, *q.query);
        QVERIFY2(planned.rows == brute,
            (text + ": planned " + std::to_string(planned.rows.size()) + " brute "
                + std::to_string(brute.size()))
                .c_str());
        QVERIFY(std::is_sorted(planned.rows.begin(), planned.rows.end()));
    }
}

void TestQuery::worksOnAnUnindexedSnapshot()
{
    // A partial snapshot has columns but no indexes: the engine scans instead.
    EventStorePtr partial;
    LoadOptions options;
    options.chunkBytes = 64 << 10; // several chunks, so a prelude snapshot is published
    options.preludeBytes = 256 << 10;
    options.onPartialSnapshot = [&](EventStorePtr s) {
        if (!partial)
            partial = std::move(s);
    };
    const LoadResult full = loadText(syntheticLog(3000, 7), "synthetic.log", options);
    QVERIFY(partial);
    QVERIFY(!partial->indexed);
    QVERIFY(partial->size() > 0);
    std::mt19937 rng(9);
    for (int i = 0; i < 100; ++i) {
        const std::string text = randomQuery(rng, 0);
        const ParseResult q = parseQuery(text);
        QVERIFY(q.ok());
        QVERIFY2(runQuery(*partial, *q.query).rows == runQueryBruteForce(*partial, *q.query),
            text.c_str());
    }
}

void TestQuery::cancelReturnsNoRows()
{
    std::stop_source stop;
    stop.request_stop();
    const ParseResult q = parseQuery("\"RBAC\" or verb:get");
    const QueryResult r = runQuery(*synthetic().store, *q.query, stop.get_token());
    QVERIFY(r.cancelled);
    QVERIFY(r.rows.empty());
}

void TestQuery::findsFalcoPrivilegedPods()
{
    const std::string dir = std::string(AUDITSCOPE_TEST_DATA_DIR) + "/corpus/falco";
    const LoadResult r = loadAuditLogs({dir});
    const ParseResult q =
        parseQuery("requestObject.spec.containers.securityContext.privileged:true");
    QVERIFY(q.ok());
    QStringList files;
    for (EventId e : runQuery(*r.store, *q.query).rows)
        files << QFileInfo(QString::fromStdString(r.store->sourceOf(e).path)).fileName();
    files.sort();
    QCOMPARE(files,
        QStringList({QStringLiteral(
                         "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json"),
            QStringLiteral("create_nginx_pod_privileged.json"),
            QStringLiteral("create_nginx_pod_privileged_2nd_container.json")}));
    // The same files by file name, and the exec one by subresource.
    const ParseResult byFile = parseQuery("file:*privileged* verb:create");
    QCOMPARE(runQuery(*r.store, *byFile.query).rows.size(), std::size_t(4));
    const ParseResult exec = parseQuery("objectRef.subresource:exec");
    QCOMPARE(runQuery(*r.store, *exec.query).rows.size(), std::size_t(1));
}

void TestQuery::completesFieldsAndValuesWithCounts_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("cursor");
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("field");
    QTest::newRow("field prefix") << QStringLiteral("ve") << -1 << QStringLiteral("verb:")
                                  << QString();
    QTest::newRow("field after and")
        << QStringLiteral("verb:get and RES") << -1 << QStringLiteral("resource:") << QString();
    QTest::newRow("values") << QStringLiteral("verb:") << -1 << QStringLiteral("*")
                            << QStringLiteral("verb");
    QTest::newRow("value prefix with colon")
        << QStringLiteral("user:system:serviceaccount:prod") << -1
        << QStringLiteral("system:serviceaccount:prod:deployer") << QStringLiteral("user");
    QTest::newRow("value group") << QStringLiteral("ns:(prod or ku") << -1
                                 << QStringLiteral("kube-system") << QStringLiteral("ns");
    QTest::newRow("cursor in the middle") << QStringLiteral("stage:Pa and verb:get") << 8
                                          << QStringLiteral("Panic") << QStringLiteral("stage");
}

void TestQuery::completesFieldsAndValuesWithCounts()
{
    QFETCH(QString, query);
    QFETCH(int, cursor);
    QFETCH(QString, first);
    QFETCH(QString, field);
    QueryCompleter completer(synthetic().store);
    const std::string text = query.toStdString();
    const Completions c = completer.complete(text, cursor < 0 ? text.size() : std::size_t(cursor));
    QVERIFY(!c.items.empty());
    QCOMPARE(toQString(c.field), field);
    if (first != QLatin1String("*"))
        QCOMPARE(toQString(c.items.front().text), first);
    if (!field.isEmpty()) {
        // Values come with counts, most frequent first, and the counts are the query's.
        for (std::size_t i = 1; i < c.items.size(); ++i)
            QVERIFY(c.items[i - 1].count >= c.items[i].count);
        const ParseResult q = parseQuery(c.field + ":\"" + c.items.front().text + "\"");
        QVERIFY(q.ok());
        QCOMPARE(std::int64_t(runQuery(*synthetic().store, *q.query).rows.size()),
            c.items.front().count);
    }
}

void TestQuery::ipMatchesAnyEntryOfSourceIps()
{
    // sourceIPs is the X-Forwarded-For chain, then the connection's address (spec §9.1): an
    // address anywhere in it must match, by the index and by a column scan alike.
    std::string chained =
        eventLine("chained", "ResponseComplete", "2025-03-14T09:00:00Z", "2025-03-14T09:00:00Z");
    chained.replace(chained.find(R"(["10.0.0.1"])"), 12,
        R"(["203.0.113.9","10.0.0.1","192.168.7.7","10.0.0.1"])");
    const std::string plain =
        eventLine("plain", "ResponseComplete", "2025-03-14T09:00:01Z", "2025-03-14T09:00:01Z");
    const LoadResult r = loadText(chained + "\n" + plain + "\n");
    QCOMPARE(r.store->size(), std::size_t(2));
    const QList<QPair<QString, QList<quint32>>> cases{
        {QStringLiteral("ip:203.0.113.9"), {0}}, // the first entry
        {QStringLiteral("ip:192.168.7.7"), {0}}, // a later entry
        {QStringLiteral("ip:192.168.0.0/16"), {0}}, // CIDR over a later entry
        {QStringLiteral("ip:10.0.0.1"), {0, 1}}, // listed twice in one event: once
        {QStringLiteral("not ip:192.168.7.7"), {1}},
        {QStringLiteral("ip:192.168.7.7 and verb:get"), {0}}, // narrowed: the column path
    };
    for (const auto& [query, expected] : cases) {
        const ParseResult q = parseQuery(query.toStdString());
        QVERIFY2(q.ok(), qPrintable(query));
        const std::vector<quint32> got = toList(runQuery(*r.store, *q.query).rows);
        QCOMPARE(QList<quint32>(got.begin(), got.end()), expected);
        const std::vector<quint32> brute = toList(runQueryBruteForce(*r.store, *q.query));
        QCOMPARE(QList<quint32>(brute.begin(), brute.end()), expected);
    }
    // The first entry stays the table's "Source IP"; the others are kept beside it.
    QCOMPARE(std::string(r.store->pools.sourceIps.view(r.store->sourceIp[0].value)),
        std::string("203.0.113.9"));
    QCOMPARE(r.store->extraSourceIpsOf(0).size(), std::size_t(3));
    QCOMPARE(r.store->extraSourceIpsOf(1).size(), std::size_t(0));
}

QTEST_GUILESS_MAIN(TestQuery)
