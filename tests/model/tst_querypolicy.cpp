// SPDX-License-Identifier: Apache-2.0
// Query terms over the active policy (issue 8): rule:N, rule:none, policylevel (with
// comparisons), emitted, and policychange against a compared policy, read from a
// PolicyQueryContext; a clear error without one.
#include "tst_querypolicy.h"

#include "policy/policyevaluator.h"
#include "policy/policyquerycontext.h"
#include "policy/policyreader.h"
#include "policy/policystoreevaluation.h"
#include "query/querycompleter.h"
#include "query/queryengine.h"
#include "query/queryrunner.h"
#include "testutil.h"

#include <QSignalSpy>
#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {

const std::string Head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

// a: get secrets, b: watch pods, c: get pods, d: list configmaps at RequestReceived,
// e: get /healthz; in this time order (rows 0..4).
std::string handLog()
{
    auto line = [](const std::string& id, int second, const std::string& stage,
                    const std::string& verb, const std::string& uri, const std::string& ref) {
        const std::string t = "2025-03-14T09:00:0" + std::to_string(second) + ".000000Z";
        return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":")"
            + id + R"(","stage":")" + stage + R"(","requestURI":")" + uri + R"(","verb":")" + verb
            + R"(","user":{"username":"alice","groups":["system:authenticated"]})" + ref
            + R"(,"requestReceivedTimestamp":")" + t + R"(","stageTimestamp":")" + t + "\"}\n";
    };
    auto ref = [](const std::string& resource) {
        return R"(,"objectRef":{"resource":")" + resource
            + R"(","namespace":"default","apiVersion":"v1"})";
    };
    return line("a", 1, "ResponseComplete", "get", "/api/v1/namespaces/default/secrets/s",
               ref("secrets"))
        + line("b", 2, "ResponseComplete", "watch", "/api/v1/namespaces/default/pods?watch=1",
            ref("pods"))
        + line("c", 3, "ResponseComplete", "get", "/api/v1/namespaces/default/pods/p", ref("pods"))
        + line("d", 4, "RequestReceived", "list", "/api/v1/namespaces/default/configmaps",
            ref("configmaps"))
        + line("e", 5, "ResponseComplete", "get", "/healthz", "");
}

const std::string HandPolicy = Head
    + "omitStages: [RequestReceived]\nrules:\n"
      "- level: None\n  verbs: [watch]\n" // 0: b
      "- level: Metadata\n  resources: [{resources: [secrets]}]\n" // 1: a
      "- level: Request\n  resources: [{resources: [pods]}]\n" // 2: c
      "- level: RequestResponse\n  resources: [{resources: [configmaps]}]\n"; // 3: d; e: none

struct Fixture
{
    LoadResult loaded;
    PolicyQueryContextPtr context;
};

PolicyQueryContextPtr contextFor(const EventStorePtr& store, const std::string& policyText)
{
    const PolicyLoadResult p = loadPolicy(policyText);
    if (!p.decoded) // an invalid level still evaluates (as Unknown), as in the editor
        return nullptr;
    const auto index = PolicyAttributeIndex::build(store);
    auto context = std::make_shared<PolicyQueryContext>();
    context->store = store;
    context->result =
        std::make_shared<const PolicyStoreResult>(evaluateStore(PolicyEvaluator(p.policy), *index));
    context->ruleCount = p.policy.rules.size();
    context->generation = 1;
    return context;
}

// HandPolicy edited: b (watch) now written at RequestResponse (added), a (secrets) at None
// (dropped), c (get pods) at RequestResponse (raised); d's stage stays omitted and e matches
// nothing (same).
const std::string EditedHandPolicy = Head
    + "omitStages: [RequestReceived]\nrules:\n"
      "- level: RequestResponse\n  verbs: [watch]\n"
      "- level: None\n  resources: [{resources: [secrets]}]\n"
      "- level: RequestResponse\n  verbs: [get]\n  resources: [{resources: [pods]}]\n"
      "- level: Metadata\n  resources: [{resources: [configmaps]}]\n";

// The context of `edited` compared with `baseline` (both evaluated over `store`).
PolicyQueryContextPtr comparedContext(
    const EventStorePtr& store, const std::string& edited, const std::string& baseline)
{
    const PolicyQueryContextPtr base = contextFor(store, baseline);
    const PolicyQueryContextPtr context = contextFor(store, edited);
    if (!base || !context)
        return nullptr;
    auto compared = std::make_shared<PolicyQueryContext>(*context);
    compared->baseline = base->result;
    const auto index = PolicyAttributeIndex::build(store);
    compared->changeCounts =
        comparePolicies(*PolicyImpactIndex::build(*index), *base->result, *context->result).events;
    return compared;
}

Fixture& hand()
{
    static Fixture f = [] {
        Fixture x;
        x.loaded = loadText(handLog(), "hand.log");
        x.context = contextFor(x.loaded.store, HandPolicy);
        return x;
    }();
    return f;
}

QList<quint32> toList(const RowSet& rows)
{
    QList<quint32> out;
    for (const EventId e : rows)
        out.push_back(e.value);
    return out;
}

QList<quint32> run(const EventStore& store, const std::string& text, const QueryOptions& options)
{
    const ParseResult parsed = parseQuery(text);
    if (!parsed.ok())
        return {999999};
    return toList(runQuery(store, *parsed.query, {}, options).rows);
}

// Completion items as "text=count" ("text" without a count).
QStringList texts(const Completions& c)
{
    QStringList out;
    for (const CompletionItem& i : c.items)
        out.push_back(QString::fromStdString(i.text)
            + (i.count >= 0 ? QStringLiteral("=%1").arg(i.count) : QString()));
    return out;
}

} // namespace

void TestQueryPolicy::initTestCase()
{
    QCOMPARE(hand().loaded.store->size(), std::size_t(5));
    QVERIFY(hand().context);
    QCOMPARE(auditIds(*hand().loaded.store), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
}

void TestQueryPolicy::parsesPolicyTerms_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("canonical");
    QTest::newRow("rule") << "rule:3"
                          << R"(rule:"3")";
    QTest::newRow("rule none") << "rule:none"
                               << R"(rule:"none")";
    QTest::newRow("rule compare") << "rule >= 2"
                                  << R"(rule>="2")";
    QTest::newRow("rule group") << "rule:(1 or none)"
                                << R"((or rule:"1" rule:"none"))";
    QTest::newRow("rule not equal") << "rule != 0"
                                    << R"((not rule:"0"))";
    QTest::newRow("policylevel") << "policylevel:Metadata"
                                 << R"(policylevel:"Metadata")";
    QTest::newRow("policylevel compare") << "policylevel >= Request"
                                         << R"(policylevel>="Request")";
    QTest::newRow("emitted") << "emitted:false"
                             << R"(emitted:"false")";
    QTest::newRow("case-insensitive field") << "Rule:1 PolicyLevel:None"
                                            << R"((and rule:"1" policylevel:"None"))";
}

void TestQueryPolicy::parsesPolicyTerms()
{
    QFETCH(QString, query);
    QFETCH(QString, canonical);
    const ParseResult r = parseQuery(query.toStdString());
    QVERIFY2(r.ok(), r.error.toString().c_str());
    QCOMPARE(QString::fromStdString(r.query->toString()), canonical);
}

void TestQueryPolicy::rejectsBadPolicyValues_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("error");
    QTest::newRow("rule word") << "rule:first"
                               << "col 6: expected a rule number (0 is the first rule) or 'none'";
    QTest::newRow("negative rule") << "rule:-1"
                                   << "col 6: expected a rule number (0 is the first rule) or "
                                      "'none'";
    QTest::newRow("rule compared with none")
        << "rule < none"
        << "col 8: expected a rule number (0 is the first rule) after '<'";
    QTest::newRow("emitted yes") << "emitted:yes"
                                 << "col 9: expected true or false";
    QTest::newRow("emitted compared") << "emitted > false"
                                      << "col 9: '>' compares numbers, times and levels; "
                                         "'emitted' is text";
    QTest::newRow("policylevel unknown")
        << "policylevel:Full"
        << "col 13: unknown level 'Full' (None, Metadata, Request, RequestResponse)";
}

void TestQueryPolicy::rejectsBadPolicyValues()
{
    QFETCH(QString, query);
    QFETCH(QString, error);
    const ParseResult r = parseQuery(query.toStdString());
    QVERIFY(!r.ok());
    QCOMPARE(QString::fromStdString(r.error.toString()), error);
}

void TestQueryPolicy::needsAnActivePolicy()
{
    const EventStore& store = *hand().loaded.store;
    const std::string text = "verb:get and (ns:default or policylevel >= Request)";
    const ParseResult parsed = parseQuery(text);
    QVERIFY(parsed.ok());
    const std::optional<QueryError> e = checkQueryContext(*parsed.query, text, store, {});
    QVERIFY(e);
    QCOMPARE(QString::fromStdString(e->toString()),
        QStringLiteral("col 29: no active policy: open one in the policy editor"));
    // Without a context the terms match nothing (the runner reports the error instead).
    QCOMPARE(run(store, "rule:none", {}), QList<quint32>{});
    // Queries without policy terms need nothing.
    const ParseResult plain = parseQuery("verb:get");
    QVERIFY(!checkQueryContext(*plain.query, "verb:get", store, {}));
    QueryOptions options;
    options.policy = hand().context;
    QVERIFY(!checkQueryContext(*parsed.query, text, store, options));
}

void TestQueryPolicy::refusesAPolicyOfAnotherSnapshot()
{
    // The same text loaded again is another snapshot: its context does not describe `store`.
    const LoadResult other = loadText(handLog(), "hand.log");
    QueryOptions options;
    options.policy = hand().context;
    const std::string text = "rule:1";
    const ParseResult parsed = parseQuery(text);
    const std::optional<QueryError> e =
        checkQueryContext(*parsed.query, text, *other.store, options);
    QVERIFY(e);
    QCOMPARE(e->column, std::size_t(1));
    QVERIFY(QString::fromStdString(e->message).contains(QStringLiteral("not been evaluated")));
    QCOMPARE(run(*other.store, text, options), QList<quint32>{});
}

void TestQueryPolicy::matchesTheActivePolicysOutcome_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QList<quint32>>("rows");
    // Decided by hand from HandPolicy: a→1 Metadata, b→0 None, c→2 Request,
    // d→3 RequestResponse at RequestReceived (omitted), e→none (None).
    QTest::newRow("rule 0") << "rule:0" << QList<quint32>{1};
    QTest::newRow("rule 1") << "rule:1" << QList<quint32>{0};
    QTest::newRow("rule none") << "rule:none" << QList<quint32>{4};
    QTest::newRow("rule >= 2") << "rule >= 2" << QList<quint32>{2, 3};
    QTest::newRow("rule < 2 excludes none") << "rule < 2" << QList<quint32>{0, 1};
    QTest::newRow("rule group") << "rule:(1 or 3)" << QList<quint32>{0, 3};
    QTest::newRow("rule wildcard") << "rule:*" << QList<quint32>{0, 1, 2, 3};
    QTest::newRow("rule beyond the policy") << "rule:9" << QList<quint32>{};
    QTest::newRow("policylevel None") << "policylevel:None" << QList<quint32>{1, 4};
    QTest::newRow("policylevel >= Request") << "policylevel >= Request" << QList<quint32>{2, 3};
    QTest::newRow("policylevel < Metadata") << "policylevel < Metadata" << QList<quint32>{1, 4};
    QTest::newRow("policylevel wildcard") << "policylevel:Request*" << QList<quint32>{2, 3};
    QTest::newRow("emitted false") << "emitted:false" << QList<quint32>{1, 3, 4};
    QTest::newRow("emitted true") << "emitted:true" << QList<quint32>{0, 2};
    QTest::newRow("not emitted true") << "-emitted:true" << QList<quint32>{1, 3, 4};
    QTest::newRow("with other terms") << "verb:get and emitted:false" << QList<quint32>{4};
    QTest::newRow("recorded level differs")
        << "level:Metadata and policylevel != Metadata" << QList<quint32>{1, 2, 3, 4};
}

void TestQueryPolicy::matchesTheActivePolicysOutcome()
{
    QFETCH(QString, query);
    QFETCH(QList<quint32>, rows);
    QueryOptions options;
    options.policy = hand().context;
    QCOMPARE(run(*hand().loaded.store, query.toStdString(), options), rows);
    const ParseResult parsed = parseQuery(query.toStdString());
    QCOMPARE(toList(runQueryBruteForce(*hand().loaded.store, *parsed.query, options)), rows);
}

void TestQueryPolicy::agreesWithBruteForceAndTheEvaluator()
{
    const LoadResult loaded =
        loadAuditLogs({AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz"});
    QVERIFY(loaded.store->size() > 1000);
    const PolicyLoadResult p =
        loadPolicyFile(AUDITSCOPE_TEST_DATA_DIR "/policies/kubernetes-website-audit-policy.yaml");
    std::string text;
    {
        QFile f(QStringLiteral(
            AUDITSCOPE_TEST_DATA_DIR "/policies/kubernetes-website-audit-policy.yaml"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        text = f.readAll().toStdString();
    }
    QueryOptions options;
    options.policy = contextFor(loaded.store, text);
    QVERIFY(options.policy);
    const std::vector<PolicyEventMatch>& events = options.policy->result->events;
    auto expected = [&](auto predicate) {
        QList<quint32> out;
        for (std::uint32_t row = 0; row < events.size(); ++row)
            if (predicate(events[row]))
                out.push_back(row);
        return out;
    };
    int nonEmpty = 0;
    for (int rule = -1; rule < int(p.policy.rules.size()); ++rule) {
        const std::string q = rule < 0 ? "rule:none" : "rule:" + std::to_string(rule);
        const QList<quint32> want = expected([&](PolicyEventMatch m) { return m.rule() == rule; });
        nonEmpty += !want.isEmpty();
        QCOMPARE(run(*loaded.store, q, options), want);
    }
    QVERIFY(nonEmpty >= 6);
    for (const Level level :
        {Level::None, Level::Metadata, Level::Request, Level::RequestResponse}) {
        const std::string name(levelName(level));
        QCOMPARE(run(*loaded.store, "policylevel:" + name, options),
            expected([&](PolicyEventMatch m) { return m.level() == level; }));
        QCOMPARE(run(*loaded.store, "policylevel > " + name, options),
            expected([&](PolicyEventMatch m) { return m.level() > level; }));
    }
    QCOMPARE(run(*loaded.store, "emitted:true", options),
        expected([](PolicyEventMatch m) { return m.emitted(); }));
    for (const char* q : {"rule:4 and verb:get", "not emitted:true or rule:(0 or 8)",
             "policylevel >= Request and stage:ResponseComplete", "rule > 5 -user:admin"}) {
        const ParseResult parsed = parseQuery(q);
        QVERIFY(parsed.ok());
        QCOMPARE(run(*loaded.store, q, options),
            toList(runQueryBruteForce(*loaded.store, *parsed.query, options)));
    }
}

void TestQueryPolicy::completesPolicyFieldsWithCounts()
{
    QueryCompleter completer(hand().loaded.store);
    // Without an active policy the fields are not offered.
    QVERIFY(!texts(completer.complete("ru", 2)).contains(QStringLiteral("rule:")));
    QVERIFY(texts(completer.complete("em", 2)).isEmpty());
    completer.setPolicyContext(hand().context);
    QCOMPARE(texts(completer.complete("ru", 2)), QStringList{QStringLiteral("rule:")});
    QCOMPARE(texts(completer.complete("pol", 3)), QStringList{QStringLiteral("policylevel:")});
    QStringList rules = texts(completer.complete("rule:", 5));
    rules.sort();
    QCOMPARE(rules,
        (QStringList{QStringLiteral("0=1"), QStringLiteral("1=1"), QStringLiteral("2=1"),
            QStringLiteral("3=1"), QStringLiteral("none=1")}));
    QCOMPARE(texts(completer.complete("emitted:", 8)),
        (QStringList{QStringLiteral("false=3"), QStringLiteral("true=2")}));
    QStringList levels = texts(completer.complete("policylevel:", 12));
    QCOMPARE(levels.front(), QStringLiteral("None=2"));
    levels.sort();
    QCOMPARE(levels,
        (QStringList{QStringLiteral("Metadata=1"), QStringLiteral("None=2"),
            QStringLiteral("Request=1"), QStringLiteral("RequestResponse=1")}));
    QCOMPARE(texts(completer.complete("policylevel:Req", 15)),
        (QStringList{QStringLiteral("Request=1"), QStringLiteral("RequestResponse=1")}));
    // A new context replaces the counts.
    completer.setPolicyContext(contextFor(hand().loaded.store, Head + "rules:\n- level: None\n"));
    QCOMPARE(texts(completer.complete("rule:", 5)), QStringList{QStringLiteral("0=5")});
    completer.setPolicyContext(nullptr);
    QVERIFY(texts(completer.complete("rule:", 5)).isEmpty());
    // Counts that come with the context (the editor's, from the impact) give the same list.
    auto counted = std::make_shared<PolicyQueryContext>(*hand().context);
    counted->levelsCounted = true;
    counted->eventsPerLevel = {0, 2, 1, 1, 1}; // Unknown, None, Metadata, Request, RR
    counted->emittedEvents = 2;
    completer.setPolicyContext(counted);
    QCOMPARE(texts(completer.complete("emitted:", 8)),
        (QStringList{QStringLiteral("false=3"), QStringLiteral("true=2")}));
    QCOMPARE(texts(completer.complete("policylevel:Req", 15)),
        (QStringList{QStringLiteral("Request=1"), QStringLiteral("RequestResponse=1")}));
}

void TestQueryPolicy::runnerReportsMissingPolicyAtItsColumn()
{
    QueryRunner runner;
    QSignalSpy invalid(&runner, &QueryRunner::queryInvalid);
    QSignalSpy finished(&runner, &QueryRunner::queryFinished);
    runner.run(hand().loaded.store, QStringLiteral("verb:get rule:1"));
    QCOMPARE(invalid.count(), 1);
    QCOMPARE(invalid.at(0).at(0).toInt(), 10);
    QCOMPARE(invalid.at(0).at(1).toString(),
        QStringLiteral("no active policy: open one in the policy editor"));
    QCOMPARE(invalid.at(0).at(2).toInt(), 9);
    QCOMPARE(finished.count(), 0);

    runner.setPolicyContext(hand().context);
    runner.run(hand().loaded.store, QStringLiteral("verb:get rule:1"));
    QTRY_COMPARE(finished.count(), 1);
    const auto rows = finished.at(0).at(1).value<std::optional<RowSet>>();
    QVERIFY(rows);
    QCOMPARE(toList(*rows), QList<quint32>{0});
}

void TestQueryPolicy::matchesThePolicyChange_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QList<quint32>>("rows");
    QTest::newRow("dropped") << "policychange:dropped" << QList<quint32>{0};
    QTest::newRow("added") << "policychange:added" << QList<quint32>{1};
    QTest::newRow("raised") << "policychange:raised" << QList<quint32>{2};
    QTest::newRow("lowered") << "policychange:lowered" << QList<quint32>{};
    QTest::newRow("same") << "policychange:same" << QList<quint32>{3, 4};
    QTest::newRow("changed") << "policychange:changed" << QList<quint32>{0, 1, 2};
    QTest::newRow("not same") << "not policychange:same" << QList<quint32>{0, 1, 2};
    QTest::newRow("wildcard") << "policychange:*ed" << QList<quint32>{0, 1, 2};
    QTest::newRow("with a level") << "policychange:changed and policylevel:RequestResponse"
                                  << QList<quint32>{1, 2};
}

void TestQueryPolicy::matchesThePolicyChange()
{
    QFETCH(QString, query);
    QFETCH(QList<quint32>, rows);
    const EventStorePtr& store = hand().loaded.store;
    QueryOptions options;
    options.policy = comparedContext(store, EditedHandPolicy, HandPolicy);
    QVERIFY(options.policy);
    QCOMPARE(run(*store, query.toStdString(), options), rows);
    // Against itself nothing changes.
    options.policy = comparedContext(store, HandPolicy, HandPolicy);
    const QList<quint32> none =
        query.contains(QLatin1String("same")) && !query.startsWith(QLatin1String("not"))
        ? QList<quint32>{0, 1, 2, 3, 4}
        : QList<quint32>{};
    QCOMPARE(run(*store, query.toStdString(), options), none);
}

void TestQueryPolicy::classifiesEachKindOfChange_data()
{
    // Edits of HandPolicy; each changes one event of the hand log (a b c d e = rows 0..4).
    auto edit = [](const std::string& from, const std::string& to) {
        std::string text = HandPolicy;
        const std::size_t at = text.find(from);
        return at == std::string::npos ? std::string() : text.replace(at, from.size(), to);
    };
    QTest::addColumn<QString>("edited");
    QTest::addColumn<QString>("change");
    QTest::addColumn<QList<quint32>>("rows");
    // c: get pods, Request -> Metadata.
    QTest::newRow("lowered") << QString::fromStdString(
        edit("- level: Request\n", "- level: Metadata\n"))
                             << "lowered" << QList<quint32>{2};
    // d: list configmaps at RequestReceived, omitted by the policy's omitStages: now written.
    QTest::newRow("only omitStages differ")
        << QString::fromStdString(edit("omitStages: [RequestReceived]\n", "")) << "added"
        << QList<quint32>{3};
    // a: secrets with an invalid level (evaluated as Unknown: never written) is dropped.
    QTest::newRow("invalid level")
        << QString::fromStdString(edit("- level: Metadata\n", "- level: Metadatum\n")) << "dropped"
        << QList<quint32>{0};
    // b: the watch rule at RequestResponse: None -> written.
    QTest::newRow("None to written")
        << QString::fromStdString(edit("- level: None\n", "- level: RequestResponse\n")) << "added"
        << QList<quint32>{1};
}

void TestQueryPolicy::classifiesEachKindOfChange()
{
    QFETCH(QString, edited);
    QFETCH(QString, change);
    QFETCH(QList<quint32>, rows);
    QVERIFY(!edited.isEmpty());
    const EventStorePtr& store = hand().loaded.store;
    QueryOptions options;
    options.policy = comparedContext(store, edited.toStdString(), HandPolicy);
    QVERIFY(options.policy);
    QCOMPARE(run(*store, "policychange:" + change.toStdString(), options), rows);
    // Exactly those rows change, and the comparison counts them as this kind.
    QCOMPARE(run(*store, "policychange:changed", options), rows);
    const auto kind = parsePolicyChange(change.toStdString());
    QVERIFY(kind);
    QCOMPARE(options.policy->changeCounts[std::size_t(*kind)], std::uint64_t(rows.size()));
}

void TestQueryPolicy::policyChangeNeedsAComparison()
{
    const EventStore& store = *hand().loaded.store;
    const std::string text = "rule:1 or policychange:dropped";
    const ParseResult parsed = parseQuery(text);
    QVERIFY2(parsed.ok(), parsed.error.toString().c_str());
    QueryOptions options;
    options.policy = hand().context; // a policy, but nothing to compare it with
    const std::optional<QueryError> e = checkQueryContext(*parsed.query, text, store, options);
    QVERIFY(e);
    QCOMPARE(QString::fromStdString(e->toString()),
        QStringLiteral("col 11: the active policy is not compared with another policy: choose "
                       "one under 'Impact compared with' in the Rules dock"));
    QCOMPARE(run(store, "policychange:same", options), QList<quint32>{});
    options.policy = comparedContext(hand().loaded.store, EditedHandPolicy, HandPolicy);
    QVERIFY(!checkQueryContext(*parsed.query, text, store, options));
    // Bad values are reported at the value.
    const ParseResult bad = parseQuery("policychange:gone");
    QVERIFY(!bad.ok());
    QCOMPARE(QString::fromStdString(bad.error.toString()),
        QStringLiteral("col 14: unknown policy change 'gone' (changed, same, dropped, added, "
                       "raised, lowered)"));
}

void TestQueryPolicy::completesPolicyChangeWithCounts()
{
    QueryCompleter completer(hand().loaded.store);
    completer.setPolicyContext(hand().context);
    QVERIFY(!texts(completer.complete("pol", 3)).contains(QStringLiteral("policychange:")));
    completer.setPolicyContext(comparedContext(hand().loaded.store, EditedHandPolicy, HandPolicy));
    QVERIFY(texts(completer.complete("pol", 3)).contains(QStringLiteral("policychange:")));
    QStringList changes = texts(completer.complete("policychange:", 13));
    QCOMPARE(changes.front(), QStringLiteral("same=2"));
    changes.sort();
    QCOMPARE(changes,
        (QStringList{QStringLiteral("added=1"), QStringLiteral("dropped=1"),
            QStringLiteral("raised=1"), QStringLiteral("same=2")}));
}

QTEST_GUILESS_MAIN(TestQueryPolicy)
