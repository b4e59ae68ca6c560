// SPDX-License-Identifier: Apache-2.0
// Rule outline (issue 8): the reader's source span per rule, static shadowing by several
// earlier rules together, events/bytes per rule against a hand-made log, "shadowed in this
// log", and PolicyRuleOutlineModel under QAbstractItemModelTester.
#include "itemmodels/policyruleoutlinemodel.h"
#include "load/loader.h"
#include "policy/policyevaluator.h"
#include "policy/policylint.h"
#include "policy/policyoutline.h"
#include "policy/policyreader.h"
#include "policy/policystoreevaluation.h"

#include <QAbstractItemModelTester>
#include <QTest>

#include <string>

using namespace auditscope;

namespace {

const std::string Head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

std::string spanText(const std::string& text, const SourceSpan& span)
{
    return text.substr(span.beginOffset, span.endOffset - span.beginOffset);
}

/// One event line (no newline) for the outline log.
std::string eventLine(const std::string& id, const std::string& verb, const std::string& user,
    const std::string& uri, const std::string& objectRef)
{
    return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":")" + id
        + R"(","stage":"ResponseComplete","requestURI":")" + uri + R"(","verb":")" + verb
        + R"(","user":{"username":")" + user + R"(","groups":["system:authenticated"]})" + objectRef
        + R"(,"requestReceivedTimestamp":"2025-03-14T09:00:0)" + id.substr(1)
        + R"(.000000Z","stageTimestamp":"2025-03-14T09:00:0)" + id.substr(1) + R"(.100000Z"})";
}

std::string objectRef(const std::string& resource, const std::string& name = {})
{
    return R"(,"objectRef":{"resource":")" + resource + R"(","namespace":"default")"
        + (name.empty() ? std::string() : R"(,"name":")" + name + "\"") + R"(,"apiVersion":"v1"})";
}

} // namespace

class TestPolicyOutline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void spansCoverEachRule_data();
    void spansCoverEachRule();
    void spansCountTheByteOrderMark();
    void aliasRuleHasNoSpan();
    void severalEarlierRulesShadowTogether_data();
    void severalEarlierRulesShadowTogether();
    void lintReportsShadowingByUnion();
    void outlineAgainstALog();
    void modelShowsTheOutline();
    void modelPassesTheTester();
};

void TestPolicyOutline::spansCoverEachRule_data()
{
    QTest::addColumn<QString>("rules"); // after "rules:"
    QTest::addColumn<QStringList>("expected"); // each rule's text

    QTest::newRow("block list, comments and blank lines after a rule")
        << QStringLiteral("\n# first\n- level: None\n  verbs: [\"watch\"] # inline\n\n# second\n"
                          "- level: Metadata\n  resources:\n  - group: \"\"\n    resources: "
                          "[\"pods\"]\n  # trailing comment\n")
        << QStringList{QStringLiteral("- level: None\n  verbs: [\"watch\"]"),
               QStringLiteral("- level: Metadata\n  resources:\n  - group: \"\"\n    "
                              "resources: [\"pods\"]")};
    QTest::newRow("indented list")
        << QStringLiteral("\n  - level: None\n    users: ['it''s']\n  - level: Request\n")
        << QStringList{QStringLiteral("- level: None\n    users: ['it''s']"),
               QStringLiteral("- level: Request")};
    QTest::newRow("flow list") << QStringLiteral(
        " [{level: None, verbs: [get]}, {level: \"Metadata\"}]\n")
                               << QStringList{QStringLiteral("{level: None, verbs: [get]}"),
                                      QStringLiteral("{level: \"Metadata\"}")};
    QTest::newRow("dash on its own line, block list value last")
        << QStringLiteral("\n-\n  level: None\n  nonResourceURLs:\n  - /healthz\n  - \"/api*\"\n")
        << QStringList{
               QStringLiteral("-\n  level: None\n  nonResourceURLs:\n  - /healthz\n  - \"/api*\"")};
    QTest::newRow("flow mapping inside a block item")
        << QStringLiteral("\n- {level: None, resources: [{group: \"\", resources: [pods]}]}\n"
                          "- level: Metadata\n")
        << QStringList{QStringLiteral("- {level: None, resources: [{group: \"\", resources: "
                                      "[pods]}]}"),
               QStringLiteral("- level: Metadata")};
}

void TestPolicyOutline::spansCoverEachRule()
{
    QFETCH(QString, rules);
    QFETCH(QStringList, expected);
    const std::string text = Head + "rules:" + rules.toStdString();
    const PolicyLoadResult p = loadPolicy(text);
    QVERIFY(p.decoded);
    QCOMPARE(int(p.policy.rules.size()), int(expected.size()));
    for (int i = 0; i < expected.size(); ++i) {
        const SourceSpan& span = p.policy.rules[std::size_t(i)].span;
        QVERIFY(span.valid());
        QCOMPARE(QString::fromStdString(spanText(text, span)), expected[i]);
        // line:column agree with the offsets (columns count bytes from 1).
        const std::size_t lineStart = text.rfind('\n', span.beginOffset - 1) + 1;
        QCOMPARE(span.begin.column, int(span.beginOffset - lineStart) + 1);
        QCOMPARE(span.begin.line,
            int(std::count(text.begin(), text.begin() + std::ptrdiff_t(span.beginOffset), '\n'))
                + 1);
        QCOMPARE(span.end.line,
            int(std::count(text.begin(), text.begin() + std::ptrdiff_t(span.endOffset), '\n')) + 1);
    }
}

void TestPolicyOutline::spansCountTheByteOrderMark()
{
    const std::string text = "\xEF\xBB\xBF" + Head + "rules:\n- level: None\n";
    const PolicyLoadResult p = loadPolicy(text);
    QVERIFY(p.loadable);
    const SourceSpan& span = p.policy.rules.at(0).span;
    QCOMPARE(QString::fromStdString(spanText(text, span)), QStringLiteral("- level: None"));
    QCOMPARE(span.begin.line, 4);
    QCOMPARE(span.begin.column, 1);
    QCOMPARE(span.end.column, 14);
}

void TestPolicyOutline::aliasRuleHasNoSpan()
{
    const std::string text = Head + "rules:\n- &r {level: None}\n- *r\n- level: Metadata\n";
    const PolicyLoadResult p = loadPolicy(text);
    QVERIFY(p.loadable);
    QCOMPARE(int(p.policy.rules.size()), 3);
    QCOMPARE(QString::fromStdString(spanText(text, p.policy.rules[0].span)),
        QStringLiteral("- &r {level: None}"));
    QVERIFY(!p.policy.rules[1].span.valid());
    QCOMPARE(QString::fromStdString(spanText(text, p.policy.rules[2].span)),
        QStringLiteral("- level: Metadata"));
}

void TestPolicyOutline::severalEarlierRulesShadowTogether_data()
{
    QTest::addColumn<QString>("rules");
    QTest::addColumn<QList<int>>("cover"); // of the last rule

    QTest::newRow("verbs split over two rules")
        << QStringLiteral("- level: None\n  verbs: [get]\n- level: None\n  verbs: [list]\n"
                          "- level: Metadata\n  verbs: [get, list]\n")
        << QList<int>{0, 1};
    QTest::newRow("one verb missing")
        << QStringLiteral("- level: None\n  verbs: [get]\n- level: None\n  verbs: [list]\n"
                          "- level: Metadata\n  verbs: [get, list, watch]\n")
        << QList<int>{};
    QTest::newRow("a catch-all is every resource request plus every non-resource request")
        << QStringLiteral("- level: None\n  resources: [{group: \"*\"}]\n- level: None\n  "
                          "nonResourceURLs: [\"*\"]\n- level: Metadata\n")
        << QList<int>{0, 1};
    QTest::newRow("core group only does not cover every resource request") << QStringLiteral(
        "- level: None\n  resources: [{group: \"\"}]\n- level: None\n  "
        "nonResourceURLs: [\"*\"]\n- level: Metadata\n") << QList<int>{};
    QTest::newRow("resource names split")
        << QStringLiteral("- level: None\n  resources: [{resources: [configmaps], resourceNames: "
                          "[a]}]\n- level: None\n  resources: [{resources: [configmaps], "
                          "resourceNames: [b]}]\n- level: Metadata\n  resources: [{resources: "
                          "[configmaps], resourceNames: [a, b]}]\n")
        << QList<int>{0, 1};
    QTest::newRow("resources and namespaces split")
        << QStringLiteral("- level: None\n  namespaces: [prod]\n- level: None\n  resources: "
                          "[{resources: [pods]}]\n- level: Metadata\n  namespaces: [prod, dev]\n  "
                          "resources: [{resources: [pods]}]\n")
        << QList<int>{1}; // rule 1 alone covers it: pods in any namespace
    QTest::newRow("users times groups")
        << QStringLiteral("- level: None\n  users: [a]\n- level: None\n  userGroups: [g]\n"
                          "- level: Metadata\n  users: [a, b]\n  userGroups: [g, h]\n")
        << QList<int>{}; // b in group h is matched by neither
    QTest::newRow("single rule") << QStringLiteral(
        "- level: None\n- level: Metadata\n  verbs: [get]\n")
                                 << QList<int>{0};
}

void TestPolicyOutline::severalEarlierRulesShadowTogether()
{
    QFETCH(QString, rules);
    QFETCH(QList<int>, cover);
    const PolicyLoadResult p = loadPolicy(Head + "rules:\n" + rules.toStdString());
    QVERIFY(p.loadable);
    const std::size_t last = p.policy.rules.size() - 1;
    const std::vector<int> found = coveringRules(
        std::span<const PolicyRule>(p.policy.rules.data(), last), p.policy.rules[last]);
    QCOMPARE(QList<int>(found.begin(), found.end()), cover);
    const PolicyOutline outline = outlinePolicy(p.policy);
    QCOMPARE(
        QList<int>(outline.rules[last].shadowedBy.begin(), outline.rules[last].shadowedBy.end()),
        cover);
}

void TestPolicyOutline::lintReportsShadowingByUnion()
{
    const PolicyLoadResult p = loadPolicy(Head
        + "rules:\n- level: None\n  verbs: [get]\n- level: None\n  verbs: [list]\n"
          "- level: Metadata\n  verbs: [get, list]\n");
    std::vector<PolicyLintFinding> shadowed;
    for (const PolicyLintFinding& f : lintPolicy(p.policy))
        if (f.check == PolicyLintCheck::ShadowedRule)
            shadowed.push_back(f);
    QCOMPARE(int(shadowed.size()), 1);
    QCOMPARE(shadowed[0].rule, 2);
    QCOMPARE(QString::fromStdString(shadowed[0].diagnostic.message),
        QStringLiteral("rule is never used: every request it matches is matched first by "
                       "rules[0] and rules[1] together (first match wins)"));
    // Too many parts to check: conservative, not shadowed.
    QVERIFY(
        coveringRules(std::span<const PolicyRule>(p.policy.rules.data(), 2), p.policy.rules[2], 1)
            .empty());
}

void TestPolicyOutline::outlineAgainstALog()
{
    // a: get secrets, b: watch pods, c: get pods, d: list configmaps, e: get /healthz.
    const std::vector<std::string> lines{
        eventLine("a1", "get", "alice", "/api/v1/namespaces/default/secrets/s",
            objectRef("secrets", "s")),
        eventLine(
            "b2", "watch", "alice", "/api/v1/namespaces/default/pods?watch=1", objectRef("pods")),
        eventLine(
            "c3", "get", "alice", "/api/v1/namespaces/default/pods/p", objectRef("pods", "p")),
        eventLine(
            "d4", "list", "bob", "/api/v1/namespaces/default/configmaps", objectRef("configmaps")),
        eventLine("e5", "get", "bob", "/healthz", "")};
    std::string text;
    for (const std::string& l : lines)
        text += l + "\n";
    const LoadResult loaded = loadAuditBuffers({{"outline.log", text}});
    QCOMPARE(loaded.store->size(), std::size_t(5));
    const std::string policyText = Head
        + "rules:\n"
          "- level: None\n  verbs: [watch]\n" // 0: b
          "- level: Metadata\n  resources: [{resources: [secrets]}]\n" // 1: a
          "- level: Request\n  users: [nobody]\n" // 2: nothing, matches nothing at all
          "- level: None\n  verbs: [get]\n  resources: [{resources: [secrets]}]\n" // 3: under 1
          "- level: Metadata\n  resources: [{resources: [pods, configmaps]}]\n" // 4: c, d
          "- level: Request\n  verbs: [list]\n" // 5: d, but 4 takes it
          "- level: Metadata\n  nonResourceURLs: [/version]\n"; // 6: nothing; e is unmatched
    const PolicyLoadResult p = loadPolicy(policyText);
    QVERIFY(p.loadable);
    const auto index = PolicyAttributeIndex::build(loaded.store);
    const PolicyEvaluator evaluator(p.policy);
    const PolicyStoreResult result = evaluateStore(evaluator, *index);
    const std::vector<std::uint64_t> tupleBytes = bytesPerTuple(*index);
    const PolicyOutline o = outlinePolicy(evaluator, *index, result, tupleBytes);

    QVERIFY(o.hasLog);
    QCOMPARE(int(o.rules.size()), 7);
    auto len = [&](int i) { return std::uint64_t(lines[std::size_t(i)].size()); };
    const std::vector<std::uint64_t> events{1, 1, 0, 0, 2, 0, 0};
    const std::vector<std::uint64_t> bytes{len(1), len(0), 0, 0, len(2) + len(3), 0, 0};
    for (int i = 0; i < 7; ++i) {
        QCOMPARE(o.rules[std::size_t(i)].events, events[std::size_t(i)]);
        QCOMPARE(o.rules[std::size_t(i)].bytes, bytes[std::size_t(i)]);
    }
    QCOMPARE(o.unmatchedEvents, std::uint64_t(1));
    QCOMPARE(o.unmatchedBytes, len(4));

    const PolicyRuleOutline& r2 = o.rules[2];
    QVERIFY(r2.matchesNothing() && !r2.shadowedInLog() && !r2.shadowed());
    const PolicyRuleOutline& r3 = o.rules[3];
    QCOMPARE(QList<int>(r3.shadowedBy.begin(), r3.shadowedBy.end()), QList<int>{1});
    QCOMPARE(r3.ownEvents, std::uint64_t(1)); // a, decided by rule 1
    QCOMPARE(r3.takenMostlyBy, 1);
    const PolicyRuleOutline& r5 = o.rules[5];
    QVERIFY(!r5.shadowed());
    QVERIFY(r5.shadowedInLog());
    QCOMPARE(r5.ownEvents, std::uint64_t(1)); // d
    QCOMPARE(r5.takenMostlyBy, 4);
    QVERIFY(o.rules[6].matchesNothing() && !o.rules[6].shadowedInLog());
    QVERIFY(!o.rules[4].matchesNothing());

    QCOMPARE(PolicyRuleOutlineModel::statusOf(o.rules[2]),
        PolicyRuleOutlineModel::Status::MatchesNothing);
    QCOMPARE(
        PolicyRuleOutlineModel::statusOf(o.rules[3]), PolicyRuleOutlineModel::Status::Shadowed);
    QCOMPARE(PolicyRuleOutlineModel::statusOf(o.rules[5]),
        PolicyRuleOutlineModel::Status::ShadowedInLog);
    QCOMPARE(PolicyRuleOutlineModel::statusOf(o.rules[0]), PolicyRuleOutlineModel::Status::Ok);

    QCOMPARE(QString::fromStdString(o.rules[3].summary),
        QStringLiteral("verbs [get] · resources secrets (core)"));
    QCOMPARE(QString::fromStdString(spanText(policyText, o.rules[3].span)),
        QStringLiteral("- level: None\n  verbs: [get]\n  resources: [{resources: [secrets]}]"));
}

void TestPolicyOutline::modelShowsTheOutline()
{
    PolicyOutline outline;
    outline.hasLog = true;
    PolicyRuleOutline a;
    a.rule = 0;
    a.level = "Metadata";
    a.parsedLevel = Level::Metadata;
    a.hasLog = true;
    a.events = 12345;
    a.bytes = 3 * 1024 * 1024 / 2;
    a.span = SourceSpan{{4, 1}, {6, 20}, 40, 90};
    PolicyRuleOutline b;
    b.rule = 1;
    b.level = "None";
    b.parsedLevel = Level::None;
    b.hasLog = true;
    b.shadowedBy = {0};
    PolicyRuleOutline c;
    c.rule = 2;
    c.hasLog = true;
    c.ownEvents = 3;
    c.takenMostlyBy = 0;
    outline.rules = {a, b, c};
    PolicyRuleOutlineModel model;
    model.setOutline(outline);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(PolicyRuleOutlineModel::ColumnCount));
    auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
    QCOMPARE(text(0, PolicyRuleOutlineModel::EventsColumn), QStringLiteral("12,345"));
    QCOMPARE(text(0, PolicyRuleOutlineModel::BytesColumn), QStringLiteral("1.5 MiB"));
    QCOMPARE(text(0, PolicyRuleOutlineModel::LinesColumn), QStringLiteral("4–6"));
    QCOMPARE(text(0, PolicyRuleOutlineModel::StatusColumn), QString());
    QCOMPARE(text(1, PolicyRuleOutlineModel::StatusColumn), QStringLiteral("shadowed by rule 0"));
    QCOMPARE(text(2, PolicyRuleOutlineModel::StatusColumn),
        QStringLiteral("shadowed in this log: rule 0 takes its events"));
    QCOMPARE(text(2, PolicyRuleOutlineModel::LevelColumn), QStringLiteral("(no level)"));
    const QModelIndex first = model.index(0, PolicyRuleOutlineModel::RuleColumn);
    QCOMPARE(first.data(PolicyRuleOutlineModel::SpanBeginOffsetRole).toULongLong(), 40ull);
    QCOMPARE(first.data(PolicyRuleOutlineModel::SpanEndOffsetRole).toULongLong(), 90ull);
    QCOMPARE(first.data(PolicyRuleOutlineModel::LevelRole).toInt(), int(Level::Metadata));
    QCOMPARE(model.index(1, 0).data(PolicyRuleOutlineModel::StatusRole).toInt(),
        int(PolicyRuleOutlineModel::Status::Shadowed));
    QCOMPARE(model.index(0, PolicyRuleOutlineModel::EventsColumn)
                 .data(PolicyRuleOutlineModel::SortRole)
                 .toULongLong(),
        12345ull);
    QCOMPARE(formatByteSize(1023), QStringLiteral("1023 B"));
    QCOMPARE(formatByteSize(1024), QStringLiteral("1.0 KiB"));
}

void TestPolicyOutline::modelPassesTheTester()
{
    // A 300-rule policy, outlined with and without a log, through two resets.
    std::string text = Head + "rules:\n";
    for (int i = 0; i < 300; ++i)
        text += "- level: " + std::string(i % 3 == 0 ? "None" : "Metadata") + "\n  users: [u"
            + std::to_string(i % 40) + "]\n";
    const PolicyLoadResult p = loadPolicy(text);
    QVERIFY(p.loadable);
    PolicyRuleOutlineModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setOutline(outlinePolicy(p.policy));
    QCOMPARE(model.rowCount(), 300);
    // users [u0] repeats every 40 rules: rule 40 is shadowed by rule 0.
    QCOMPARE(model.index(40, PolicyRuleOutlineModel::StatusColumn).data().toString(),
        QStringLiteral("shadowed by rule 0"));
    QCOMPARE(model.index(39, PolicyRuleOutlineModel::StatusColumn).data().toString(), QString());
    const LoadResult loaded = loadAuditBuffers({{"one.log",
        eventLine("a1", "get", "u7", "/api/v1/namespaces/default/pods/p", objectRef("pods", "p"))
            + "\n"}});
    const auto index = PolicyAttributeIndex::build(loaded.store);
    const PolicyEvaluator evaluator(p.policy);
    const PolicyStoreResult result = evaluateStore(evaluator, *index);
    model.setOutline(outlinePolicy(evaluator, *index, result, bytesPerTuple(*index)));
    QCOMPARE(model.index(7, PolicyRuleOutlineModel::EventsColumn).data().toString(),
        QStringLiteral("1"));
    model.setOutline({});
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestPolicyOutline)
#include "tst_policyoutline.moc"
