// SPDX-License-Identifier: Apache-2.0
// The investigation object (issue 14): what the window shows and the jobs that compute it,
// headless. The filter holds across a reload; view terms compose with the typed filter and a
// typed filter replaces them; a sort is kept when the filter changes; a policy result reaches
// the table and the filter, and a filter with a policy term runs again on a new result; closing
// discards a running load; chains and histories come from jobs.
#include "investigation/investigation.h"
#include "investigation/loadcontroller.h"
#include "itemmodels/eventtablemodel.h"
#include "load/loader.h"
#include "policy/policyevaluationrunner.h"

#include <QSignalSpy>
#include <QTest>

#include <string_view>

using namespace auditscope;

namespace {

const QString MicroK8sLog = QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz");
const QString HistoryLog = QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/chain/object-history.log");

bool openAndWait(Investigation& investigation, const QString& path)
{
    QSignalSpy finished(&investigation, &Investigation::loadFinished);
    investigation.open({path});
    return finished.wait(20000);
}

bool filterAndWait(Investigation& investigation, const QString& filter)
{
    QSignalSpy finished(&investigation, &Investigation::filterFinished);
    investigation.applyFilter(filter);
    return finished.count() == 1 || finished.wait(10000);
}

std::string_view verbOf(const EventStore& store, EventId id)
{
    return store.pools.verbs.view(store.verb[id.value].value);
}

qint64 countVerb(const EventStore& store, std::string_view verb)
{
    qint64 n = 0;
    for (std::uint32_t i = 0; i < store.size(); ++i)
        n += verbOf(store, EventId{i}) == verb;
    return n;
}

} // namespace

class TestInvestigation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theFilterHoldsAcrossAReload()
    {
        Investigation investigation;
        QVERIFY(openAndWait(investigation, MicroK8sLog));
        const qint64 gets = countVerb(*investigation.snapshot(), "get");
        QVERIFY(gets > 0 && gets < qint64(investigation.snapshot()->size()));
        QVERIFY(filterAndWait(investigation, QStringLiteral("verb:get")));
        QCOMPARE(qint64(investigation.eventModel()->size()), gets);

        QSignalSpy filtered(&investigation, &Investigation::filterFinished);
        const EventStorePtr before = investigation.snapshot();
        investigation.reload();
        QTRY_VERIFY_WITH_TIMEOUT(
            investigation.snapshot() != before && investigation.snapshot()->indexed, 20000);
        QTRY_VERIFY(filtered.count() >= 1);
        QCOMPARE(filtered.last().at(0).toLongLong(), gets);
        QCOMPARE(qint64(investigation.eventModel()->size()), gets);
        QCOMPARE(investigation.filter(), QStringLiteral("verb:get"));
        QVERIFY(*investigation.filterRows());
        QCOMPARE(investigation.filterRowsStore(), investigation.snapshot());
    }

    void viewTermsComposeAndATypedFilterReplacesThem()
    {
        Investigation investigation;
        QSignalSpy cleared(&investigation, &Investigation::viewTermsCleared);
        investigation.applyFilter(QStringLiteral("verb:get"));
        QCOMPARE(investigation.setViewTerm(QStringLiteral("users"), QStringLiteral("user:admin")),
            QStringLiteral("(verb:get) and (user:admin)"));
        QCOMPARE(investigation.setViewTerm(
                     QStringLiteral("timeline"), QStringLiteral("time >= 2023-03-10T22:38:26Z")),
            QStringLiteral("(verb:get) and (time >= 2023-03-10T22:38:26Z) and (user:admin)"));
        QCOMPARE(investigation.composedFilter(QStringLiteral("users")),
            QStringLiteral("(verb:get) and (time >= 2023-03-10T22:38:26Z)"));
        // The composed filter applied from the bar keeps the terms ...
        investigation.applyFilter(investigation.composedFilter());
        QVERIFY(investigation.hasViewTerm(QStringLiteral("users")));
        QCOMPARE(cleared.count(), 0);
        // ... a filter typed by the user replaces them.
        investigation.applyFilter(QStringLiteral("verb:list"));
        QCOMPARE(cleared.count(), 1);
        QVERIFY(!investigation.hasViewTerm(QStringLiteral("users")));
        QCOMPARE(investigation.composedFilter(), QStringLiteral("verb:list"));
        QVERIFY(!investigation.clearViewTerms());
        investigation.setViewTerm(QStringLiteral("resources"), QStringLiteral("resource:pods"));
        QCOMPARE(investigation.clearViewTerms(), std::optional(QStringLiteral("verb:list")));
    }

    void aSortIsKeptWhenTheFilterChanges()
    {
        Investigation investigation;
        QVERIFY(openAndWait(investigation, MicroK8sLog));
        QSignalSpy sorted(&investigation, &Investigation::sortFinished);
        investigation.sortBy(EventColumn::Verb, true);
        QVERIFY(sorted.wait(10000));
        QVERIFY(filterAndWait(investigation, QStringLiteral("not verb:watch")));
        QTRY_COMPARE(sorted.count(), 2); // the filter's rows, sorted again
        const EventTableModel& model = *investigation.eventModel();
        const EventStore& store = *investigation.snapshot();
        QCOMPARE(qint64(model.size()), qint64(store.size()) - countVerb(store, "watch"));
        for (int row = 1; row < model.rowCount(); ++row)
            QVERIFY(verbOf(store, model.eventAt(row - 1)) >= verbOf(store, model.eventAt(row)));
        QVERIFY(
            verbOf(store, model.eventAt(0)) != verbOf(store, model.eventAt(model.rowCount() - 1)));
    }

    void aPolicyResultReachesTheTableAndAPolicyFilterRunsAgain()
    {
        Investigation investigation;
        investigation.policyRunner()->setDebounceInterval(0);
        QVERIFY(openAndWait(investigation, MicroK8sLog));
        QSignalSpy results(&investigation, &Investigation::policyResultChanged);
        const QString head = QStringLiteral("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n");
        investigation.setPolicyText(
            head + QStringLiteral("- level: None\n  verbs: [watch]\n- level: Metadata\n"));
        QVERIFY(results.wait(20000));
        QVERIFY(investigation.policyContext());
        QCOMPARE(investigation.eventModel()->policyContext(), investigation.policyContext());

        const EventStore& store = *investigation.snapshot();
        const qint64 watches = countVerb(store, "watch");
        QVERIFY(filterAndWait(investigation, QStringLiteral("rule:0")));
        QCOMPARE(qint64(investigation.eventModel()->size()), watches);
        // Rule 0 now takes the gets too: the filter runs again by itself.
        QSignalSpy filtered(&investigation, &Investigation::filterFinished);
        investigation.setPolicyText(
            head + QStringLiteral("- level: None\n  verbs: [watch, get]\n- level: Metadata\n"));
        QVERIFY(filtered.wait(20000));
        QCOMPARE(filtered.last().at(0).toLongLong(), watches + countVerb(store, "get"));

        investigation.clearPolicy();
        QVERIFY(!investigation.policyContext());
        QVERIFY(!investigation.eventModel()->policyContext());
        QVERIFY(!results.last().at(0).value<PolicyEvaluationResultPtr>());
    }

    void thePolicyIndexIsBuiltAheadOfAPolicy()
    {
        // Issue 17: a whole log's policy indexes are built with no policy open, so that the
        // first evaluation does not build them; closing lets the store go.
        Investigation investigation;
        PolicyEvaluationRunner* runner = investigation.policyRunner();
        QSignalSpy started(runner, &PolicyEvaluationRunner::evaluationStarted);
        QVERIFY(openAndWait(investigation, MicroK8sLog));
        QCOMPARE(runner->store(), investigation.snapshot());
        QTRY_VERIFY_WITH_TIMEOUT(runner->isStoreIndexed(), 20000);
        QCOMPARE(started.count(), 0); // nothing is evaluated without a policy
        QSignalSpy results(&investigation, &Investigation::policyResultChanged);
        investigation.setPolicyText(
            QStringLiteral("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n"),
            true);
        QCOMPARE(started.count(), 1); // at once: no debounce for a policy opened
        QVERIFY(results.wait(20000));
        const auto result = results.last().at(0).value<PolicyEvaluationResultPtr>();
        QVERIFY(result && result->matches);
        QCOMPARE(result->timings.indexMs, 0.0); // built before the policy came
        investigation.clearPolicy();
        investigation.close();
        QVERIFY(!runner->store());
        QVERIFY(!runner->isStoreIndexed());
    }

    void closingDiscardsARunningLoad()
    {
        Investigation investigation;
        QSignalSpy finished(&investigation, &Investigation::loadFinished);
        QSignalSpy snapshots(&investigation, &Investigation::snapshotChanged);
        investigation.open({MicroK8sLog});
        QVERIFY(investigation.loader()->isLoading());
        investigation.close();
        QVERIFY(!investigation.loader()->isLoading());
        QVERIFY(!investigation.snapshot());
        QVERIFY(investigation.paths().isEmpty());
        for (const QList<QVariant>& changed : snapshots)
            QVERIFY(!changed.at(0).value<EventStorePtr>()); // only the close's empty snapshot
        // The next load's result arrives; the discarded one never does, before or after it.
        investigation.open({HistoryLog});
        QVERIFY(finished.wait(20000));
        QTest::qWait(200);
        QCOMPARE(finished.count(), 1);
        const LoadResult history = loadAuditLogs({HistoryLog.toStdString()});
        QCOMPARE(investigation.snapshot()->size(), history.store->size());
    }

    void chainsAndHistoriesComeFromJobs()
    {
        Investigation investigation;
        QVERIFY(openAndWait(investigation, HistoryLog));
        const EventStore& store = *investigation.snapshot();
        EventId named, unnamed;
        for (std::uint32_t i = 0; i < store.size(); ++i) {
            const bool hasObject = ObjectKey::of(store, EventId{i}).has_value();
            if (hasObject && !named)
                named = EventId{i};
            if (!hasObject && !unnamed)
                unnamed = EventId{i};
        }
        QVERIFY(named && unnamed);

        QSignalSpy histories(&investigation, &Investigation::historyReady);
        QVERIFY(!investigation.showObjectHistory(unnamed));
        QVERIFY(investigation.showObjectHistory(named));
        QVERIFY(histories.wait(10000));
        const auto history = histories.at(0).at(1).value<ObjectHistory>();
        QCOMPARE(history.key.toString(), ObjectKey::of(store, named)->toString());
        QVERIFY(!history.entries.empty());

        QSignalSpy chains(&investigation, &Investigation::chainReady);
        investigation.followRequest(named);
        QVERIFY(chains.wait(10000));
        const auto chain = chains.at(0).at(1).value<Chain>();
        QVERIFY(std::any_of(chain.events.begin(), chain.events.end(),
            [&](const ChainEvent& e) { return e.id == named; }));
    }
};

QTEST_GUILESS_MAIN(TestInvestigation)
#include "tst_investigation.moc"
