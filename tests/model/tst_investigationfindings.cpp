// SPDX-License-Identifier: Apache-2.0
// The investigation's findings (issue 16): detection runs as a job on each complete snapshot
// (never on the partial ones shown while loading), again when sources are added or the rules
// change, and its per-event context reaches the filter's finding: and severity terms; a rules
// file adds, disables and reports located problems; the active policy's coverage of the rules
// follows the policy.
#include "tst_investigationfindings.h"

#include "detect/detectionrunner.h"
#include "investigation/investigation.h"
#include "itemmodels/eventtablemodel.h"
#include "policy/policyevaluationrunner.h"

#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

using namespace auditscope;

namespace {

const QString IncidentSample = QStringLiteral(AUDITSCOPE_SAMPLE_DIR "/incident-story.log.gz");
const QString HistoryLog = QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/chain/object-history.log");
const QString MetadataOnlyPolicy =
    QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/policies/k3s-docs-hardening-guide-starter.yaml");

bool openAndWait(Investigation& investigation, const QString& path)
{
    QSignalSpy finished(&investigation, &Investigation::loadFinished);
    investigation.open({path});
    return finished.wait(20000);
}

// Waits until the findings of the shown snapshot are in.
bool waitForFindings(Investigation& investigation)
{
    QSignalSpy changed(&investigation, &Investigation::findingsChanged);
    for (int i = 0; i < 100; ++i) {
        const DetectionResultPtr& f = investigation.findings();
        if (f && f->store == investigation.snapshot())
            return true;
        changed.wait(300);
    }
    return false;
}

// Events flagged by a rule of at least `severity` (FindingQueryContext::topSeverity is 1 + the
// highest severity, 0 for none).
qint64 flaggedAtLeast(const FindingQueryContext& context, FindingSeverity severity)
{
    return std::count_if(context.topSeverity.begin(), context.topSeverity.end(),
        [&](std::uint8_t top) { return top > 0 && top - 1 >= int(severity); });
}

QString readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

} // namespace

void TestInvestigationFindings::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // no rules file of the user's own
}

void TestInvestigationFindings::detectionRunsOnEachCompleteSnapshotOnly()
{
    Investigation investigation;
    QSignalSpy changed(&investigation, &Investigation::findingsChanged);
    QVERIFY(openAndWait(investigation, IncidentSample));
    QVERIFY(waitForFindings(investigation));
    const DetectionResultPtr result = investigation.findings();
    QCOMPARE(result->rules, investigation.rules());
    QVERIFY(!result->findings.empty()); // the sample's incidents
    QVERIFY(result->context && result->context->covers(*investigation.snapshot()));
    QCOMPARE(investigation.findingContext(), result->context);
    for (const QList<QVariant>& args : changed) {
        const auto r = args.at(0).value<DetectionResultPtr>();
        QVERIFY(!r || (r->store->indexed && r->store == investigation.snapshot()));
    }
    // The sample's privileged pod is among the findings, by a rule at High or above.
    QVERIFY(std::any_of(result->findings.begin(), result->findings.end(), [&](const Finding& f) {
        return result->rules->rules[f.rule].severity >= FindingSeverity::High;
    }));
}

void TestInvestigationFindings::findingTermsFilterOnceTheFindingsArrive()
{
    Investigation investigation;
    QSignalSpy filtered(&investigation, &Investigation::filterFinished);
    QSignalSpy loaded(&investigation, &Investigation::loadFinished);
    investigation.open({IncidentSample});
    QVERIFY(loaded.wait(20000));
    // Typed before detection ends: it runs (again) once the findings are in.
    investigation.applyFilter(QStringLiteral("severity >= high"));
    QVERIFY(waitForFindings(investigation));
    const qint64 expected = flaggedAtLeast(*investigation.findingContext(), FindingSeverity::High);
    QVERIFY(expected > 0);
    QTRY_VERIFY_WITH_TIMEOUT(
        !filtered.isEmpty() && filtered.last().at(0).toLongLong() == expected, 10000);
    QCOMPARE(qint64(investigation.eventModel()->size()), expected);

    filtered.clear();
    investigation.applyFilter(QStringLiteral("finding:*"));
    QTRY_VERIFY_WITH_TIMEOUT(!filtered.isEmpty(), 10000);
    QCOMPARE(filtered.last().at(0).toLongLong(),
        flaggedAtLeast(*investigation.findingContext(), FindingSeverity::Info));
}

void TestInvestigationFindings::addingSourcesRunsDetectionAgain()
{
    Investigation investigation;
    QVERIFY(openAndWait(investigation, IncidentSample));
    QVERIFY(waitForFindings(investigation));
    const EventStorePtr before = investigation.snapshot();
    investigation.add({HistoryLog});
    QTRY_VERIFY_WITH_TIMEOUT(
        investigation.snapshot() != before && investigation.snapshot()->indexed, 20000);
    QVERIFY(waitForFindings(investigation));
    QCOMPARE(investigation.findings()->store, investigation.snapshot());
    QVERIFY(investigation.snapshot()->size() > before->size());
    QVERIFY(investigation.findingContext()->covers(*investigation.snapshot()));
}

void TestInvestigationFindings::closingDropsTheFindings()
{
    Investigation investigation;
    QVERIFY(openAndWait(investigation, IncidentSample));
    QVERIFY(waitForFindings(investigation));
    QSignalSpy changed(&investigation, &Investigation::findingsChanged);
    investigation.close();
    QVERIFY(!investigation.findings());
    QVERIFY(!investigation.findingContext());
    QCOMPARE(changed.count(), 1);
    QVERIFY(!changed.at(0).at(0).value<DetectionResultPtr>());
    QVERIFY(!investigation.detectionRunner()->isRunning());
}

void TestInvestigationFindings::aRulesFileAddsDisablesAndReportsProblems()
{
    Investigation investigation;
    QVERIFY(openAndWait(investigation, IncidentSample));
    QVERIFY(waitForFindings(investigation));
    const DetectionResultPtr before = investigation.findings();
    const std::string silenced = before->rules->rules[before->findings.front().rule].id;

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mine.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("rules:\n"
               "- id: "
        + QByteArray::fromStdString(silenced)
        + "\n"
          "  disabled: true\n"
          "- id: every-delete\n"
          "  title: Every delete\n"
          "  severity: info\n"
          "  why: A test rule.\n"
          "  match: verb:delete\n"
          "- id: broken\n"
          "  title: Broken\n"
          "  severity: high\n"
          "  why: Its match does not parse.\n"
          "  match: 'verb:(create'\n");
    file.close();
    QSignalSpy rulesChanged(&investigation, &Investigation::rulesChanged);
    investigation.setRulesFile(path);
    QCOMPARE(rulesChanged.count(), 1);
    QCOMPARE(investigation.rulesFile(), path);
    const RuleSet& rules = *investigation.rules();
    QVERIFY(!rules.find(silenced)->enabled);
    QVERIFY(rules.find("every-delete"));
    QVERIFY(!rules.find("broken"));
    QVERIFY(!rules.diagnostics.empty());
    const RuleDiagnostic& problem = rules.diagnostics.front();
    QCOMPARE(QString::fromStdString(problem.file), path);
    QVERIFY2(problem.line >= 8, problem.toString().c_str()); // located in the file

    // Detection ran again with these rules: the silenced rule found nothing, the new one one
    // finding per delete request.
    QTRY_VERIFY_WITH_TIMEOUT(
        investigation.findings() && investigation.findings()->rules == investigation.rules(),
        20000);
    const DetectionResult& after = *investigation.findings();
    std::size_t deletes = 0;
    for (const Finding& f : after.findings) {
        const std::string& id = after.rules->rules[f.rule].id;
        QVERIFY(id != silenced);
        deletes += id == "every-delete";
    }
    const EventStore& store = *investigation.snapshot();
    std::set<std::string> deleteRequests;
    for (std::uint32_t row = 0; row < store.size(); ++row)
        if (store.pools.verbs.view(store.verb[row].value) == "delete")
            deleteRequests.insert(store.pools.auditIds.text(store.auditId[row].value));
    QVERIFY(!deleteRequests.empty());
    QCOMPARE(deletes, deleteRequests.size());

    // Back to the built-in rules.
    investigation.setRulesFile({});
    QVERIFY(investigation.rules()->find(silenced)->enabled);
    QVERIFY(!investigation.rules()->find("every-delete"));
}

void TestInvestigationFindings::coverageFollowsTheActivePolicy()
{
    Investigation investigation; // no log needed: coverage reads the policy and the rules
    investigation.policyRunner()->setDebounceInterval(0);
    QSignalSpy coverage(&investigation, &Investigation::coverageChanged);
    investigation.setPolicyText(readFile(MetadataOnlyPolicy));
    QVERIFY(coverage.wait(20000));
    RuleSetCoveragePtr metadataOnly = investigation.coverage();
    QVERIFY(metadataOnly);
    QCOMPARE(metadataOnly->rules, investigation.rules());
    // The pack reads request bodies (privileged containers, hostPath): Metadata does not do.
    const auto uncovered = std::count_if(metadataOnly->coverage.begin(),
        metadataOnly->coverage.end(), [](const RuleCoverage& c) { return !c.covered; });
    QVERIFY(uncovered > 0);
    for (const RuleCoverage& c : metadataOnly->coverage)
        QVERIFY(c.covered == c.suggestion.empty());

    // Everything at RequestResponse covers every rule.
    investigation.setPolicyText(QStringLiteral(
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n"));
    QTRY_VERIFY_WITH_TIMEOUT(investigation.coverage() != metadataOnly, 20000);
    for (const RuleCoverage& c : investigation.coverage()->coverage)
        QVERIFY2(c.covered, c.suggestion.c_str());

    // New rules: coverage of the new rules.
    investigation.setRulesFile({});
    QTRY_VERIFY_WITH_TIMEOUT(
        investigation.coverage() && investigation.coverage()->rules == investigation.rules(),
        20000);

    // A policy that does not decode, or none, judges nothing.
    investigation.setPolicyText(QStringLiteral("rules: [\n"));
    QTRY_VERIFY_WITH_TIMEOUT(!investigation.coverage(), 20000);
    investigation.setPolicyText(readFile(MetadataOnlyPolicy));
    QTRY_VERIFY_WITH_TIMEOUT(investigation.coverage(), 20000);
    coverage.clear();
    investigation.clearPolicy();
    QVERIFY(!investigation.coverage());
    QCOMPARE(coverage.count(), 1);
}

QTEST_GUILESS_MAIN(TestInvestigationFindings)
