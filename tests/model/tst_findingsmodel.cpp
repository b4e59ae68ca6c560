// SPDX-License-Identifier: Apache-2.0
// FindingsModel (the Findings dock's tree) and DetectionRulesModel (its Rules tab) over a
// hand-made DetectionResult on a small in-memory log: structure under QAbstractItemModelTester,
// grouping and order, what each cell says, and that the filters they give select the right
// events.
#include "tst_findingsmodel.h"

#include "itemmodels/detectionrulesmodel.h"
#include "itemmodels/findingsmodel.h"
#include "query/queryengine.h"
#include "testutil.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {

// 10 requests a second apart (a-0 … a-9), each logged at one stage, by users u0 … u4 in turn;
// request a-3 also has a ResponseStarted event (an exec).
const EventStorePtr& fixture()
{
    static const EventStorePtr store = [] {
        std::string text;
        for (int i = 0; i < 10; ++i) {
            const std::string at = "2025-03-14T09:00:0" + std::to_string(i) + "Z";
            std::string line = eventLine(
                "a-" + std::to_string(i), "ResponseComplete", at, at, i % 2 ? "create" : "get");
            const std::string user = "\"username\":\"u" + std::to_string(i % 5) + "\"";
            line.replace(line.find("\"username\":\"alice\""), 18, user);
            text += line + "\n";
            if (i == 3)
                text += eventLine("a-3", "ResponseStarted", at, at, "create") + "\n";
        }
        return loadText(text, "fixture.log").store;
    }();
    return store;
}

DetectionRule rule(std::string id, FindingSeverity severity)
{
    DetectionRule r;
    r.title = "Title of " + id;
    r.why = "Why " + id + " matters.";
    r.id = std::move(id);
    r.severity = severity;
    return r;
}

// Rules: 0 low-one (Low), 1 high-one (High), 2 critical-one (Critical), 3 quiet (Medium, no
// findings), 4 off (High, disabled).
std::shared_ptr<const RuleSet> ruleSet()
{
    static const auto rules = [] {
        auto set = std::make_shared<RuleSet>();
        set->rules = {rule("low-one", FindingSeverity::Low),
            rule("high-one", FindingSeverity::High),
            rule("critical-one", FindingSeverity::Critical), rule("quiet", FindingSeverity::Medium),
            rule("off", FindingSeverity::High)};
        set->rules[4].enabled = false;
        set->rules[3].origin = {"/tmp/mine.yaml", 7, 3};
        return std::shared_ptr<const RuleSet>(set);
    }();
    return rules;
}

Finding finding(std::uint32_t rule, std::vector<std::uint32_t> rows, std::string principal,
    std::string detail = {})
{
    const EventStore& store = *fixture();
    Finding f;
    f.rule = rule;
    for (const std::uint32_t r : rows)
        f.events.push_back(EventId{r});
    f.principal = std::move(principal);
    f.firstNs = store.timeNs[rows.front()];
    f.lastNs = store.timeNs[rows.back()];
    f.detail = std::move(detail);
    return f;
}

// The rows of request a-N (ResponseComplete; a-3 has two).
std::uint32_t rowOf(const std::string& auditId)
{
    return fixture()->eventsWithAuditId(auditId).front().value;
}

DetectionResultPtr result()
{
    auto r = std::make_shared<DetectionResult>();
    r->store = fixture();
    r->rules = ruleSet();
    // As the engine orders them: most severe first, then rule order, then time.
    r->findings = {
        finding(2, {rowOf("a-1"), rowOf("a-5")}, "u1", "then deployments patch after 4 s"),
        finding(1, {rowOf("a-8")}, "u3"),
        finding(1, {rowOf("a-2")}, "u2"),
        finding(1, {rowOf("a-4")}, "u4"),
        finding(1, {rowOf("a-7")}, "u2"),
        finding(1, {rowOf("a-3")}, "u3"),
        finding(0, {rowOf("a-0")}, "u0", "12 denied requests in 60 s"),
    };
    return r;
}

int rowOfRule(const FindingsModel& model, const QString& id)
{
    for (int row = 0; row < model.rowCount(); ++row)
        if (model.index(row, 0).data(FindingsModel::RuleIdRole).toString() == id)
            return row;
    return -1;
}

RowSet runFilter(const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    const ParseResult parsed = parseQuery(std::string_view(utf8.constData(), utf8.size()));
    if (!parsed.ok())
        qWarning("does not parse: %s: %s", utf8.constData(), parsed.error.message.c_str());
    return parsed.ok() ? runQuery(*fixture(), *parsed.query).rows : RowSet{};
}

} // namespace

void TestFindingsModel::passesTheTesterAcrossResults()
{
    FindingsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    model.setResult(result());
    QCOMPARE(model.rowCount(), 3);
    model.setResult(nullptr);
    QCOMPARE(model.rowCount(), 0);
    model.setResult(result());
    QCOMPARE(model.findingCount(), std::size_t(7));
}

void TestFindingsModel::groupsRulesMostSevereFirstWithTheirFindingsInTimeOrder()
{
    FindingsModel model;
    model.setResult(result());
    QStringList groups;
    for (int row = 0; row < model.rowCount(); ++row)
        groups << model.index(row, FindingsModel::SeverityColumn).data().toString()
                + QLatin1Char(' ')
                + model.index(row, FindingsModel::SummaryColumn).data().toString();
    // No row for the rules that found nothing.
    QCOMPARE(groups,
        QStringList({QStringLiteral("Critical Title of critical-one (critical-one)"),
            QStringLiteral("High Title of high-one (high-one)"),
            QStringLiteral("Low Title of low-one (low-one)")}));
    const QModelIndex high = model.index(1, 0);
    QCOMPARE(model.rowCount(high), 5);
    QStringList principals; // in time order, whatever order the result listed them in
    qint64 last = 0;
    for (int row = 0; row < model.rowCount(high); ++row) {
        const QModelIndex child = model.index(row, FindingsModel::PrincipalColumn, high);
        principals << child.data().toString();
        QVERIFY(child.data(FindingsModel::FirstTimeNsRole).toLongLong() >= last);
        last = child.data(FindingsModel::FirstTimeNsRole).toLongLong();
        QCOMPARE(child.data(FindingsModel::IsGroupRole).toBool(), false);
        QCOMPARE(child.data(FindingsModel::RuleIdRole).toString(), QStringLiteral("high-one"));
        QCOMPARE(model.rowCount(child), 0);
    }
    QCOMPARE(principals.join(QLatin1Char(',')), QStringLiteral("u2,u3,u4,u2,u3"));
    // Severity as meaning: a number, a colour name and an icon name, only for the severity cell.
    const QModelIndex critical = model.index(0, FindingsModel::SeverityColumn);
    QCOMPARE(critical.data(FindingsModel::SeverityRole).toInt(), int(FindingSeverity::Critical));
    QCOMPARE(critical.data(FindingsModel::SeverityColorRole).toString(),
        findingSeverityColorName(FindingSeverity::Critical));
    QCOMPARE(critical.data(FindingsModel::SeverityIconRole).toString(),
        QStringLiteral("severity-critical"));
    QVERIFY(!model.index(0, FindingsModel::CountColumn)
                 .data(FindingsModel::SeverityColorRole)
                 .isValid());
    QVERIFY(findingSeverityColorName(FindingSeverity::High)
        != findingSeverityColorName(FindingSeverity::Critical));
}

void TestFindingsModel::aGroupSumsUpItsFindings()
{
    FindingsModel model;
    model.setResult(result());
    const int high = rowOfRule(model, QStringLiteral("high-one"));
    QCOMPARE(model.index(high, FindingsModel::CountColumn).data().toULongLong(), 5ULL);
    // Up to three principals, those with the most findings first, then "…".
    QCOMPARE(model.index(high, FindingsModel::PrincipalColumn).data().toString(),
        QStringLiteral("u2, u3, u4"));
    const EventStore& store = *fixture();
    QCOMPARE(model.index(high, 0).data(FindingsModel::FirstTimeNsRole).toLongLong(),
        qint64(store.timeNs[rowOf("a-2")]));
    QCOMPARE(model.index(high, 0).data(FindingsModel::LastTimeNsRole).toLongLong(),
        qint64(store.timeNs[rowOf("a-8")]));
    QCOMPARE(model.index(high, FindingsModel::FirstColumn).data().toString(),
        QStringLiteral("2025-03-14T09:00:02.000000Z"));
    QCOMPARE(model.index(high, FindingsModel::SummaryColumn).data(Qt::ToolTipRole).toString(),
        QStringLiteral("Why high-one matters."));
    QCOMPARE(model.seriousCount(), std::size_t(6)); // 5 high + 1 critical

    // A fourth principal is left out as "…".
    auto more = std::make_shared<DetectionResult>(*result());
    more->findings.push_back(finding(1, {rowOf("a-9")}, "u9"));
    model.setResult(more);
    QCOMPARE(model.index(high, FindingsModel::PrincipalColumn).data().toString(),
        QStringLiteral("u2, u3, u4, …"));
}

void TestFindingsModel::aFindingShowsItsRequestAndWhereItWasRead()
{
    FindingsModel model;
    model.setResult(result());
    const QModelIndex low = model.index(rowOfRule(model, QStringLiteral("low-one")), 0);
    const QModelIndex withDetail = model.index(0, FindingsModel::SummaryColumn, low);
    QCOMPARE(withDetail.data().toString(), QStringLiteral("12 denied requests in 60 s"));
    QCOMPARE(withDetail.data(Qt::ToolTipRole).toString(), QStringLiteral("get pods default/p1"));
    // Without a detail, the request says what happened.
    const QModelIndex high = model.index(rowOfRule(model, QStringLiteral("high-one")), 0);
    const QModelIndex first = model.index(0, FindingsModel::SummaryColumn, high);
    QCOMPARE(first.data().toString(), QStringLiteral("get pods default/p1"));
    QCOMPARE(first.data(FindingsModel::EventIdRole).toUInt(), rowOf("a-2"));
    const EventStore& store = *fixture();
    const QModelIndex place = first.siblingAtColumn(FindingsModel::LocationColumn);
    QCOMPARE(
        place.data().toString(), QStringLiteral("fixture.log:%1").arg(store.line[rowOf("a-2")]));
    QCOMPARE(first.siblingAtColumn(FindingsModel::CountColumn).data().toULongLong(), 1ULL);
    const QModelIndex critical = model.index(0, 0);
    QCOMPARE(model.index(0, FindingsModel::CountColumn, critical).data().toULongLong(), 2ULL);
    QCOMPARE(model.index(0, FindingsModel::SummaryColumn, critical).data().toString(),
        QStringLiteral("then deployments patch after 4 s"));
    QCOMPARE(model.index(0, 0, critical).data(FindingsModel::FindingIndexRole).toInt(), 0);
    QCOMPARE(critical.data(FindingsModel::FindingIndexRole).toInt(), -1);
    QVERIFY(!critical.data(FindingsModel::EventIdRole).isValid());
}

void TestFindingsModel::filtersSelectTheRuleAndTheFindingsRequests()
{
    FindingsModel model;
    model.setResult(result());
    const QModelIndex critical = model.index(0, 0);
    QCOMPARE(critical.data(FindingsModel::FilterRole).toString(),
        QStringLiteral("finding:critical-one"));
    // A finding's filter selects every event of its requests (a-1 and a-5) and nothing else.
    const QString pair = model.index(0, 0, critical).data(FindingsModel::FilterRole).toString();
    QCOMPARE(pair, QStringLiteral("auditid:(a-1 or a-5)"));
    QCOMPARE(runFilter(pair), RowSet({EventId{rowOf("a-1")}, EventId{rowOf("a-5")}}));
    // A request logged at two stages: both of its events.
    const QModelIndex high = model.index(rowOfRule(model, QStringLiteral("high-one")), 0);
    const QModelIndex exec = model.index(1, 0, high); // a-2, then a-3 in time order
    QCOMPARE(exec.data(FindingsModel::FilterRole).toString(), QStringLiteral("auditid:a-3"));
    QCOMPARE(runFilter(exec.data(FindingsModel::FilterRole).toString()).size(), std::size_t(2));
}

void TestFindingsModel::findsTheRowsOfARuleAndOfAnEvent()
{
    FindingsModel model;
    model.setResult(result());
    QCOMPARE(model.indexOfRule(QStringLiteral("low-one")).row(), 2);
    QVERIFY(!model.indexOfRule(QStringLiteral("quiet")).isValid());
    const QModelIndex of5 = model.indexOfEvent(EventId{rowOf("a-5")});
    QVERIFY(of5.isValid());
    QCOMPARE(of5.parent().row(), 0); // the critical pair holds a-5 as its second event
    QVERIFY(!model.indexOfEvent(EventId{rowOf("a-6")}).isValid());
}

void TestFindingsModel::aCancelledOrForeignResultShowsNothing()
{
    FindingsModel model;
    auto cancelled = std::make_shared<DetectionResult>(*result());
    cancelled->cancelled = true;
    model.setResult(cancelled);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.result());
    // A finding of a rule the rule set does not have is left out, not shown under another one.
    auto foreign = std::make_shared<DetectionResult>(*result());
    foreign->findings.push_back(finding(99, {rowOf("a-6")}, "u1"));
    model.setResult(foreign);
    QCOMPARE(model.findingCount(), std::size_t(7));
}

void TestFindingsModel::rulesModelListsEveryRuleWithCountsAndCoverage()
{
    DetectionRulesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRules(ruleSet());
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(
        model.index(3, DetectionRulesModel::IdColumn).data().toString(), QStringLiteral("quiet"));
    QCOMPARE(model.index(4, DetectionRulesModel::EnabledColumn).data().toString(),
        QStringLiteral("disabled"));
    QCOMPARE(model.index(4, 0).data(DetectionRulesModel::EnabledRole).toBool(), false);
    QCOMPARE(model.index(0, DetectionRulesModel::SourceColumn).data().toString(),
        QStringLiteral("built-in"));
    QCOMPARE(model.index(3, DetectionRulesModel::SourceColumn).data().toString(),
        QStringLiteral("mine.yaml:7"));
    QVERIFY(!model.index(1, DetectionRulesModel::FindingsColumn).data().isValid());
    model.setResult(result());
    QCOMPARE(model.index(1, DetectionRulesModel::FindingsColumn).data().toULongLong(), 5ULL);
    QCOMPARE(model.index(3, DetectionRulesModel::FindingsColumn).data().toULongLong(), 0ULL);
    QCOMPARE(model.index(2, 0).data(DetectionRulesModel::FilterRole).toString(),
        QStringLiteral("finding:critical-one"));
    QCOMPARE(model.rowOf(QStringLiteral("off")), 4);

    // No policy: no verdict. With one: covered, or the suggestion (and CoveredRole false).
    QVERIFY(!model.index(0, 0).data(DetectionRulesModel::CoveredRole).isValid());
    auto coverage = std::make_shared<RuleSetCoverage>();
    coverage->rules = ruleSet();
    coverage->coverage = {{0, true, "any request at Metadata or higher", {}},
        {1, false, "pods create at Request or higher",
            "pods create needs Request or higher: rule 2 gives Metadata"}};
    model.setCoverage(coverage);
    QCOMPARE(model.index(0, DetectionRulesModel::CoverageColumn).data().toString(),
        QStringLiteral("covered"));
    QCOMPARE(model.index(1, DetectionRulesModel::CoverageColumn).data().toString(),
        QStringLiteral("pods create needs Request or higher: rule 2 gives Metadata"));
    QCOMPARE(model.index(1, 0).data(DetectionRulesModel::CoveredRole).toBool(), false);
    QVERIFY(model.index(1, DetectionRulesModel::CoverageColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("Needs: pods create at Request or higher")));
    QCOMPARE(model.uncoveredCount(), 1);
    model.setCoverage(nullptr);
    QCOMPARE(model.uncoveredCount(), 0);
    QVERIFY(model.index(1, DetectionRulesModel::CoverageColumn).data().toString().isEmpty());
}

void TestFindingsModel::rulesModelIgnoresCoverageOfOtherRules()
{
    DetectionRulesModel model;
    model.setRules(ruleSet());
    auto other = std::make_shared<RuleSetCoverage>();
    other->rules = std::make_shared<const RuleSet>(*ruleSet()); // equal, but another set
    other->coverage = {{1, false, "x", "y"}};
    model.setCoverage(other);
    QVERIFY(!model.coverage());
    QCOMPARE(model.uncoveredCount(), 0);
    // Counts of a result that ran other rules are not shown either.
    auto foreign = std::make_shared<DetectionResult>(*result());
    foreign->rules = other->rules;
    model.setResult(foreign);
    QVERIFY(!model.index(1, DetectionRulesModel::FindingsColumn).data().isValid());
}

QTEST_GUILESS_MAIN(TestFindingsModel)
