// SPDX-License-Identifier: Apache-2.0
// Query terms over the detection findings (issue 16): finding:RULE-ID (globs: finding:* is any
// rule) and severity (names, comparisons), read from a FindingQueryContext; a clear error
// without one, and rule ids checked against it.
#include "tst_queryfindings.h"

#include "detect/detectionrule.h"
#include "query/findingquerycontext.h"
#include "query/findingterms.h"
#include "query/querycompleter.h"
#include "query/queryengine.h"
#include "testutil.h"

#include <QtTest>

#include <random>

using namespace auditscope;
using namespace auditscope::test;

namespace {

// Five events (rows 0..4, one second apart).
std::string handLog()
{
    std::string out;
    const char* verbs[] = {"get", "list", "create", "delete", "patch"};
    for (int i = 0; i < 5; ++i) {
        const std::string t = "2025-03-14T09:00:0" + std::to_string(i) + ".000000Z";
        out += eventLine("r" + std::to_string(i), "ResponseComplete", t, t, verbs[i]) + "\n";
    }
    return out;
}

/// Rules (index: id, severity) and, per row, the rule indexes that flagged it.
struct Flags
{
    std::vector<std::string> ids;
    std::vector<FindingSeverity> severities;
    std::vector<std::vector<std::uint32_t>> perRow;
};

FindingQueryContextPtr contextFor(const EventStorePtr& store, const Flags& flags)
{
    auto c = std::make_shared<FindingQueryContext>();
    c->store = store;
    c->ruleIds = flags.ids;
    for (const FindingSeverity s : flags.severities)
        c->ruleSeverity.push_back(static_cast<std::uint8_t>(s));
    c->offsets.push_back(0);
    for (std::size_t row = 0; row < store->size(); ++row) {
        std::uint8_t top = 0;
        if (row < flags.perRow.size()) {
            for (const std::uint32_t rule : flags.perRow[row]) {
                c->ruleIndexes.push_back(rule);
                top = std::max<std::uint8_t>(top, c->ruleSeverity[rule] + 1);
            }
        }
        c->offsets.push_back(static_cast<std::uint32_t>(c->ruleIndexes.size()));
        c->topSeverity.push_back(top);
    }
    return c;
}

// Rules: 0 exec-into-pod (high), 1 anonymous-request (low), 2 secret-read-first-seen (medium),
// 3 secret-many-distinct (critical), 4 namespace-deleted (info, flags nothing).
// Rows: 0 {0}, 1 {}, 2 {1, 2}, 3 {3}, 4 {0, 1}.
const Flags HandFlags{{"exec-into-pod", "anonymous-request", "secret-read-first-seen",
                          "secret-many-distinct", "namespace-deleted"},
    {FindingSeverity::High, FindingSeverity::Low, FindingSeverity::Medium,
        FindingSeverity::Critical, FindingSeverity::Info},
    {{0}, {}, {1, 2}, {3}, {0, 1}}};

struct Fixture
{
    LoadResult loaded;
    FindingQueryContextPtr context;
};

Fixture& hand()
{
    static Fixture f = [] {
        Fixture x;
        x.loaded = loadText(handLog(), "hand.log");
        x.context = contextFor(x.loaded.store, HandFlags);
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

QStringList texts(const Completions& c)
{
    QStringList out;
    for (const CompletionItem& i : c.items)
        out.push_back(QString::fromStdString(i.text)
            + (i.count >= 0 ? QStringLiteral("=%1").arg(i.count) : QString()));
    return out;
}

std::optional<QueryError> contextError(
    const std::string& text, const EventStore& store, const QueryOptions& options)
{
    const ParseResult parsed = parseQuery(text);
    if (!parsed.ok())
        return parsed.error;
    return checkQueryContext(*parsed.query, text, store, options);
}

} // namespace

void TestQueryFindings::initTestCase()
{
    QCOMPARE(hand().loaded.store->size(), std::size_t(5));
    QCOMPARE(
        auditIds(*hand().loaded.store), (std::vector<std::string>{"r0", "r1", "r2", "r3", "r4"}));
    QVERIFY(hand().context->covers(*hand().loaded.store));
}

void TestQueryFindings::parsesFindingTerms_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("canonical");
    QTest::newRow("finding") << "finding:privileged-container"
                             << R"(finding:"privileged-container")";
    QTest::newRow("any finding") << "finding:*"
                                 << R"(finding:"*")";
    QTest::newRow("finding glob") << "finding:secret-*"
                                  << R"(finding:"secret-*")";
    QTest::newRow("finding group") << "finding:(a-rule or b-rule)"
                                   << R"((or finding:"a-rule" finding:"b-rule"))";
    QTest::newRow("not a finding") << "-finding:a-rule"
                                   << R"((not finding:"a-rule"))";
    QTest::newRow("severity") << "severity:high"
                              << R"(severity:"high")";
    QTest::newRow("severity compare") << "severity >= high"
                                      << R"(severity>="high")";
    QTest::newRow("severity lt no spaces") << "severity<medium"
                                           << R"(severity<"medium")";
    QTest::newRow("severity any case") << "Severity:Critical"
                                       << R"(severity:"Critical")";
    QTest::newRow("severity not equal") << "severity != low"
                                        << R"((not severity:"low"))";
    QTest::newRow("with other terms") << "finding:* and verb:get"
                                      << R"((and finding:"*" verb:"get"))";
}

void TestQueryFindings::parsesFindingTerms()
{
    QFETCH(QString, query);
    QFETCH(QString, canonical);
    const ParseResult r = parseQuery(query.toStdString());
    QVERIFY2(r.ok(), r.error.toString().c_str());
    QCOMPARE(QString::fromStdString(r.query->toString()), canonical);
}

void TestQueryFindings::rejectsBadFindingValues_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("error");
    QTest::newRow("finding upper case")
        << "finding:Exec"
        << "col 9: expected a detection rule id (a-z, 0-9 and '-', e.g. privileged-container) "
           "or a glob like secret-*";
    QTest::newRow("finding compared") << "finding > a"
                                      << "col 9: '>' compares numbers, times and levels; "
                                         "'finding' is text";
    QTest::newRow("severity unknown")
        << "severity:urgent"
        << "col 10: unknown severity 'urgent' (info, low, medium, high, critical)";
    QTest::newRow("severity compared with a number")
        << "severity >= 3"
        << "col 13: unknown severity '3' (info, low, medium, high, critical)";
    QTest::newRow("severity compared with a glob")
        << "severity > h*"
        << "col 12: unknown severity 'h*' (info, low, medium, high, critical)";
}

void TestQueryFindings::rejectsBadFindingValues()
{
    QFETCH(QString, query);
    QFETCH(QString, error);
    const ParseResult r = parseQuery(query.toStdString());
    QVERIFY(!r.ok());
    QCOMPARE(QString::fromStdString(r.error.toString()), error);
}

void TestQueryFindings::severityNamesAreTheDetectionLayers()
{
    // The query layer keeps its own copy of the names (it sits below detect/): they must agree
    // in order, as FindingQueryContext stores severities as numbers.
    QCOMPARE(FindingSeverityNames.size(), std::size_t(FindingSeverityCount));
    for (int i = 0; i < FindingSeverityCount; ++i) {
        QCOMPARE(FindingSeverityNames[std::size_t(i)], findingSeverityName(FindingSeverity(i)));
        QCOMPARE(findingSeverityIndex(FindingSeverityNames[std::size_t(i)]), std::optional<int>(i));
    }
    QCOMPARE(findingSeverityIndex("HIGH"), std::optional<int>(int(FindingSeverity::High)));
    QVERIFY(!findingSeverityIndex("severe"));
}

void TestQueryFindings::needsFindingsForTheStore()
{
    const EventStore& store = *hand().loaded.store;
    const std::string text = "verb:get and (ns:default or severity >= high)";
    std::optional<QueryError> e = contextError(text, store, {});
    QVERIFY(e);
    QCOMPARE(QString::fromStdString(e->toString()),
        QStringLiteral("col 29: no findings computed: run detection first"));
    // Without findings the terms match nothing (the caller reports the error instead).
    QCOMPARE(run(store, "finding:*", {}), QList<quint32>{});
    QCOMPARE(run(store, "not severity:*", {}), (QList<quint32>{0, 1, 2, 3, 4}));
    QVERIFY(!contextError("verb:get", store, {}));

    QueryOptions options;
    options.findings = hand().context;
    QVERIFY(!contextError(text, store, options));
    // The same text loaded again is another snapshot: these findings do not describe it.
    const LoadResult other = loadText(handLog(), "hand.log");
    e = contextError("finding:exec-into-pod", *other.store, options);
    QVERIFY(e);
    QCOMPARE(e->column, std::size_t(1));
    QVERIFY(QString::fromStdString(e->message).contains(QStringLiteral("not for these events")));
    QCOMPARE(run(*other.store, "finding:*", options), QList<quint32>{});
    // The leftmost term that lacks its context is the one reported, policy terms included.
    e = contextError("rule:1 or finding:*", store, {});
    QVERIFY(e);
    QCOMPARE(e->column, std::size_t(1));
    QVERIFY(QString::fromStdString(e->message).contains(QStringLiteral("no active policy")));
    e = contextError("finding:* or rule:1", store, options);
    QVERIFY(e);
    QCOMPARE(e->column, std::size_t(14));
}

void TestQueryFindings::checksRuleIdsAgainstTheFindings()
{
    const EventStore& store = *hand().loaded.store;
    QueryOptions options;
    options.findings = hand().context;
    std::optional<QueryError> e = contextError("verb:get finding:exec-into-pods", store, options);
    QVERIFY(e);
    QCOMPARE(QString::fromStdString(e->toString()),
        QStringLiteral("col 10: unknown detection rule 'exec-into-pods'"));
    e = contextError("finding:token-*", store, options);
    QVERIFY(e);
    QCOMPARE(QString::fromStdString(e->toString()),
        QStringLiteral("col 1: no detection rule matches 'token-*'"));
    // A rule that exists but flagged nothing is fine: it simply matches no event.
    QVERIFY(!contextError("finding:namespace-deleted", store, options));
    QCOMPARE(run(store, "finding:namespace-deleted", options), QList<quint32>{});
    QVERIFY(!contextError("finding:secret-*", store, options));
}

void TestQueryFindings::matchesTheFlaggedEvents_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QList<quint32>>("rows");
    // Decided by hand from HandFlags: top severity per row is 0 high, 1 none, 2 medium,
    // 3 critical, 4 high.
    QTest::newRow("one rule") << "finding:exec-into-pod" << QList<quint32>{0, 4};
    QTest::newRow("a second rule on the same events")
        << "finding:anonymous-request" << QList<quint32>{2, 4};
    QTest::newRow("any rule") << "finding:*" << QList<quint32>{0, 2, 3, 4};
    QTest::newRow("glob") << "finding:secret-*" << QList<quint32>{2, 3};
    QTest::newRow("group") << "finding:(secret-many-distinct or exec-into-pod)"
                           << QList<quint32>{0, 3, 4};
    QTest::newRow("unflagged") << "not finding:*" << QList<quint32>{1};
    QTest::newRow("both rules") << "finding:exec-into-pod finding:anonymous-request"
                                << QList<quint32>{4};
    QTest::newRow("severity high") << "severity:high" << QList<quint32>{0, 4};
    // Row 2 is flagged at low and medium: its severity is the highest, medium.
    QTest::newRow("severity is the highest") << "severity:low" << QList<quint32>{};
    QTest::newRow("severity >= high") << "severity >= high" << QList<quint32>{0, 3, 4};
    QTest::newRow("severity > medium") << "severity > medium" << QList<quint32>{0, 3, 4};
    QTest::newRow("severity < high excludes unflagged") << "severity < high" << QList<quint32>{2};
    QTest::newRow("severity <= info") << "severity <= info" << QList<quint32>{};
    QTest::newRow("severity any") << "severity:*" << QList<quint32>{0, 2, 3, 4};
    QTest::newRow("severity glob") << "severity:*i*" << QList<quint32>{0, 2, 3, 4};
    QTest::newRow("severity any case") << "severity:CRITICAL" << QList<quint32>{3};
    QTest::newRow("severity not equal") << "severity != high" << QList<quint32>{1, 2, 3};
    QTest::newRow("with a column term")
        << "finding:* and verb:(get or patch)" << QList<quint32>{0, 4};
    QTest::newRow("or with a column term")
        << "severity:critical or verb:list" << QList<quint32>{1, 3};
}

void TestQueryFindings::matchesTheFlaggedEvents()
{
    QFETCH(QString, query);
    QFETCH(QList<quint32>, rows);
    QueryOptions options;
    options.findings = hand().context;
    QCOMPARE(run(*hand().loaded.store, query.toStdString(), options), rows);
    const ParseResult parsed = parseQuery(query.toStdString());
    QCOMPARE(toList(runQueryBruteForce(*hand().loaded.store, *parsed.query, options)), rows);
}

void TestQueryFindings::agreesWithBruteForceOnRandomQueries()
{
    const LoadResult loaded =
        loadAuditLogs({AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz"});
    const EventStorePtr& store = loaded.store;
    QVERIFY(store->size() > 1000);
    QVERIFY(store->indexed);
    // Random findings: each event flagged by up to three of six rules, most by none.
    Flags flags{{"r-zero", "r-one", "s-two", "s-three", "t-four", "t-five"},
        {FindingSeverity::Info, FindingSeverity::Low, FindingSeverity::Medium,
            FindingSeverity::High, FindingSeverity::Critical, FindingSeverity::High},
        {}};
    std::mt19937 rng(16);
    for (std::size_t row = 0; row < store->size(); ++row) {
        std::vector<std::uint32_t> rules;
        if (rng() % 3 == 0)
            for (std::uint32_t r = 0; r < 6; ++r)
                if (rng() % 4 == 0)
                    rules.push_back(r);
        flags.perRow.push_back(std::move(rules));
    }
    QueryOptions options;
    options.findings = contextFor(store, flags);
    // Each atom against its definition, row by row.
    auto expected = [&](auto predicate) {
        RowSet out;
        for (std::uint32_t row = 0; row < store->size(); ++row)
            if (predicate(flags.perRow[row], options.findings->topSeverity[row]))
                out.push_back(EventId{row});
        return out;
    };
    auto has = [](const std::vector<std::uint32_t>& rules, std::uint32_t r) {
        return std::find(rules.begin(), rules.end(), r) != rules.end();
    };
    const ParseResult s3 = parseQuery("finding:s-three");
    QCOMPARE(runQuery(*store, *s3.query, {}, options).rows,
        expected([&](const auto& rules, std::uint8_t) { return has(rules, 3); }));
    const ParseResult sGlob = parseQuery("finding:s-*");
    QCOMPARE(runQuery(*store, *sGlob.query, {}, options).rows,
        expected([&](const auto& rules, std::uint8_t) { return has(rules, 2) || has(rules, 3); }));
    const ParseResult high = parseQuery("severity >= high");
    const RowSet highRows = runQuery(*store, *high.query, {}, options).rows;
    QCOMPARE(highRows, expected([&](const auto& rules, std::uint8_t) {
        return has(rules, 3) || has(rules, 4) || has(rules, 5);
    }));
    QVERIFY(!highRows.empty() && highRows.size() < store->size() / 2);

    const std::vector<std::string> atoms{"finding:*", "finding:r-one", "finding:s-*",
        "finding:(t-four or r-zero)", "severity:high", "severity >= medium", "severity < high",
        "severity:*", "severity != critical", "verb:get", "verb:(list or watch)", "resource:pods",
        "code >= 400", "ns:kube-system", "user:*admin*", "stage:ResponseComplete"};
    for (int i = 0; i < 300; ++i) {
        std::string text = atoms[rng() % atoms.size()];
        for (int n = static_cast<int>(rng() % 4); n > 0; --n)
            text = "(" + text + (rng() % 2 ? " or " : " and ") + (rng() % 3 == 0 ? "not " : "")
                + atoms[rng() % atoms.size()] + ")";
        const ParseResult q = parseQuery(text);
        QVERIFY2(q.ok(), text.c_str());
        QVERIFY2(runQuery(*store, *q.query, {}, options).rows
                == runQueryBruteForce(*store, *q.query, options),
            text.c_str());
    }
}

void TestQueryFindings::completesFindingFieldsWithCounts()
{
    QueryCompleter completer(hand().loaded.store);
    // Without findings the fields are not offered.
    QVERIFY(!texts(completer.complete("fin", 3)).contains(QStringLiteral("finding:")));
    QVERIFY(texts(completer.complete("sev", 3)).isEmpty());
    completer.setFindingContext(hand().context);
    QCOMPARE(texts(completer.complete("fin", 3)), QStringList{QStringLiteral("finding:")});
    QCOMPARE(texts(completer.complete("sev", 3)), QStringList{QStringLiteral("severity:")});
    // Rule ids with the events each flagged; a rule that flagged nothing is not offered.
    QStringList rules = texts(completer.complete("finding:", 8));
    rules.sort();
    QCOMPARE(rules,
        (QStringList{QStringLiteral("anonymous-request=2"), QStringLiteral("exec-into-pod=2"),
            QStringLiteral("secret-many-distinct=1"), QStringLiteral("secret-read-first-seen=1")}));
    QCOMPARE(texts(completer.complete("finding:secret-m", 16)),
        QStringList{QStringLiteral("secret-many-distinct=1")});
    // Severities count events under their highest severity.
    QStringList severities = texts(completer.complete("severity:", 9));
    QCOMPARE(severities.front(), QStringLiteral("high=2"));
    severities.sort();
    QCOMPARE(severities,
        (QStringList{
            QStringLiteral("critical=1"), QStringLiteral("high=2"), QStringLiteral("medium=1")}));
    // New findings replace the counts; none removes the fields again.
    Flags fewer = HandFlags;
    fewer.perRow = {{}, {}, {}, {3}, {}};
    completer.setFindingContext(contextFor(hand().loaded.store, fewer));
    QCOMPARE(texts(completer.complete("finding:", 8)),
        QStringList{QStringLiteral("secret-many-distinct=1")});
    completer.setFindingContext(nullptr);
    QVERIFY(texts(completer.complete("finding:", 8)).isEmpty());
    QVERIFY(!texts(completer.complete("fin", 3)).contains(QStringLiteral("finding:")));
}

void TestQueryFindings::tellsWhichQueriesReadFindings()
{
    QVERIFY(readsFindings(std::string_view("verb:get or finding:*")));
    QVERIFY(readsFindings(std::string_view("not severity >= high")));
    QVERIFY(!readsFindings(std::string_view("verb:get rule:1")));
    QVERIFY(!readsFindings(std::string_view("\"finding:x\""))); // a phrase, not a term
    QVERIFY(!readsFindings(std::string_view("finding:("))); // does not parse
}

QTEST_GUILESS_MAIN(TestQueryFindings)
