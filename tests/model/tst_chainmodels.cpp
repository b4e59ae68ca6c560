// SPDX-License-Identifier: Apache-2.0
// ChainModel and ObjectHistoryModel: structure under QAbstractItemModelTester, and what the
// views read from them.
#include "tst_chainmodels.h"

#include "chain/chain.h"
#include "chain/objecthistory.h"
#include "itemmodels/chainmodel.h"
#include "itemmodels/objecthistorymodel.h"
#include "testutil.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {

// One client-chosen auditID used by `requests` requests (RequestReceived + ResponseComplete
// each, a second apart): a reused chain with many rows.
std::string reusedIdLog(int requests)
{
    std::string out;
    for (int i = 0; i < requests; ++i) {
        char received[64], done[64];
        std::snprintf(received, sizeof received, "2025-03-14T09:%02d:%02d.000000Z", i / 60, i % 60);
        std::snprintf(done, sizeof done, "2025-03-14T09:%02d:%02d.002000Z", i / 60, i % 60);
        out += eventLine("same-id", "RequestReceived", received, received) + "\n";
        out += eventLine("same-id", "ResponseComplete", received, done) + "\n";
    }
    return out;
}

// `updates` updates of one ConfigMap, each setting data.n to its number (Request level).
std::string updatesLog(int updates)
{
    std::string out;
    for (int i = 0; i < updates; ++i) {
        char received[64], done[64];
        std::snprintf(received, sizeof received, "2025-03-14T10:%02d:%02d.000000Z", i / 60, i % 60);
        std::snprintf(done, sizeof done, "2025-03-14T10:%02d:%02d.001000Z", i / 60, i % 60);
        const std::string body =
            R"(,"requestObject":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"p1","namespace":"default"},"data":{"n":")"
            + std::to_string(i) + R"("}})";
        std::string line =
            eventLine("u" + std::to_string(i), "ResponseComplete", received, done, "update", body);
        line.replace(line.find(R"("resource":"pods")"), 17, R"("resource":"configmaps")");
        out += line + "\n";
    }
    return out;
}

} // namespace

void TestChainModels::chainModelPassesTheTester()
{
    const LoadResult r = loadText(reusedIdLog(150));
    const ChainIntegrityPtr integrity = chainIntegrityFor(r.store);
    ChainModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setChain(buildChain(*r.store, *integrity, "same-id"));
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.rowCount(), 150);
    const QModelIndex request = model.index(149, 0);
    QCOMPARE(model.rowCount(request), 2);
    QCOMPARE(model.rowCount(model.index(0, 1)), 0); // only column 0 has children
    QVERIFY(model.data(request, ChainModel::IsRequestRole).toBool());
    // Reuse is the chain's (chain().flags); each request on its own finished cleanly.
    QVERIFY(model.chain().flags & ChainReused);
    QCOMPARE(model.data(model.index(0, ChainModel::FlagsColumn)).toString(), QString());
    const QModelIndex complete = model.index(1, ChainModel::LabelColumn, request);
    QCOMPARE(complete.data().toString(), QStringLiteral("ResponseComplete"));
    QCOMPARE(complete.data(ChainModel::StageRole).toInt(), int(Stage::ResponseComplete));
    QCOMPARE(model.index(1, ChainModel::DurationColumn, request).data().toString(),
        QStringLiteral("2.0 ms"));
    // The time axis: request 149 starts 2 min 29 s after the first.
    QCOMPARE(request.data(ChainModel::OffsetNsRole).toLongLong(), 149'000'000'000LL);
    QCOMPARE(request.data(ChainModel::EndNsRole).toLongLong()
            - request.data(ChainModel::StartNsRole).toLongLong(),
        2'000'000LL);
    const quint32 id = complete.data(ChainModel::EventIdRole).toUInt();
    QCOMPARE(model.indexOfEvent(EventId{id}), complete.siblingAtColumn(0));
    QCOMPARE(model.parent(complete), request.siblingAtColumn(0));
    model.setChain(Chain{});
    QCOMPARE(model.rowCount(), 0);
}

void TestChainModels::chainModelOfServersFixture()
{
    const LoadResult r = loadAuditLogs({AUDITSCOPE_TEST_DATA_DIR "/chain/servers"});
    const ChainIntegrityPtr integrity = chainIntegrityFor(r.store);
    ChainModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChain(buildChain(*r.store, *integrity, "7d3e5f10-2a4b-4c6d-8e0f-1a2b3c4d5e6f"));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, ChainModel::LaneColumn).data().toString(),
        QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/chain/servers/a/audit.log"));
    QCOMPARE(model.index(1, ChainModel::LaneColumn).data().toString(),
        QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/chain/servers/b/audit.log"));
    QCOMPARE(model.index(0, 0).data(ChainModel::LaneRole).toInt(), 0);
    QCOMPARE(model.index(1, 0).data(ChainModel::LaneRole).toInt(), 1);
    QCOMPARE(model.chain().lanes.size(), std::size_t(2));
    QCOMPARE(
        model.index(0, ChainModel::DurationColumn).data().toString(), QStringLiteral("634.0 ms"));
    model.setChain(buildChain(*r.store, *integrity, "3c2b1a09-8f7e-4d6c-9b5a-493827160504"));
    QCOMPARE(model.index(0, ChainModel::FlagsColumn).data().toString(), QStringLiteral("panic"));
    QVERIFY(model.index(0, ChainModel::FlagsColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("panicked")));
    const QModelIndex panic = model.index(1, ChainModel::CodeColumn, model.index(0, 0));
    QCOMPARE(panic.data().toInt(), 500);
    QVERIFY(panic.data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("APIServer panic'd")));
}

void TestChainModels::historyModelPassesTheTester()
{
    const LoadResult r = loadText(updatesLog(120));
    HistoryOptions options;
    const ObjectHistory h =
        buildObjectHistory(*r.store, *ObjectKey::parse("core/configmaps/default/p1"), options);
    QCOMPARE(h.entries.size(), std::size_t(120));
    ObjectHistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setHistory(h);
    QCOMPARE(model.rowCount(), 120);
    // The first update has no earlier state; each later one changes data.n by one.
    QCOMPARE(model.rowCount(model.index(0, 0)), 0);
    const QModelIndex entry = model.index(7, 0);
    QCOMPARE(model.rowCount(entry), 1);
    const QModelIndex change = model.index(0, ObjectHistoryModel::DetailColumn, entry);
    QCOMPARE(change.data().toString(), QStringLiteral("/data/n: \"6\" → \"7\""));
    QCOMPARE(change.data(ObjectHistoryModel::PathRole).toString(), QStringLiteral("/data/n"));
    QCOMPARE(change.data(ObjectHistoryModel::OldValueRole).toString(), QStringLiteral("\"6\""));
    QVERIFY(change.data(ObjectHistoryModel::IsChangeRole).toBool());
    QCOMPARE(model.index(7, ObjectHistoryModel::ActionColumn).data().toString(),
        QStringLiteral("update"));
    QCOMPARE(model.index(7, ObjectHistoryModel::DetailColumn).data().toString(),
        QStringLiteral("1 change"));
    QVERIFY(entry.data(ObjectHistoryModel::AfterRole)
                .toString()
                .contains(QStringLiteral("\"n\":\"7\"")));
    const quint32 id = entry.data(ObjectHistoryModel::EventIdRole).toUInt();
    QCOMPARE(model.indexOfEvent(EventId{id}), entry);
}

void TestChainModels::historyModelShowsPatchKinds()
{
    const LoadResult r = loadAuditLogs({AUDITSCOPE_TEST_DATA_DIR "/chain/object-history.log"});
    ObjectHistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setHistory(
        buildObjectHistory(*r.store, *ObjectKey::parse("core/configmaps/prod/app-config")));
    QCOMPARE(model.rowCount(), 9);
    QCOMPARE(model.index(4, ObjectHistoryModel::DetailColumn).data().toString(),
        QStringLiteral("json-patch; 2 changes"));
    QCOMPARE(model.index(5, ObjectHistoryModel::DetailColumn).data().toString(),
        QStringLiteral("strategic-merge-patch (guessed); 1 change"));
    QCOMPARE(model.index(4, 0).data(ObjectHistoryModel::PatchKindRole).toInt(),
        int(PatchKind::JsonPatch));
    QVERIFY(model.index(4, 0)
                .data(ObjectHistoryModel::PatchBodyRole)
                .toString()
                .startsWith(QStringLiteral("[{\"op\":\"replace\"")));
    QCOMPARE(model.index(3, ObjectHistoryModel::CodeColumn).data().toInt(), 409);
    QVERIFY(!model.index(3, 0).data(ObjectHistoryModel::SucceededRole).toBool());
    QCOMPARE(model.index(8, ObjectHistoryModel::ActionColumn).data().toString(),
        QStringLiteral("delete"));
    QVERIFY(model.index(8, 0).data(ObjectHistoryModel::AfterRole).toString().isEmpty());
}

QTEST_GUILESS_MAIN(TestChainModels)
