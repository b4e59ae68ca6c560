// SPDX-License-Identifier: Apache-2.0
// UsersModel and ResourcesModel: structure under QAbstractItemModelTester, and what the views
// read from them, on the MicroK8s corpus (18 users, a resources tree of some hundred nodes).
#include "tst_analysismodels.h"

#include "analysis/filtertext.h"
#include "analysis/resourceindex.h"
#include "itemmodels/resourcesmodel.h"
#include "itemmodels/usersmodel.h"
#include "testutil.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QtTest>

#include <functional>

using namespace auditscope;
using namespace auditscope::test;

namespace {

struct Corpus
{
    LoadResult load;
    ResourceIndex index;
};

const Corpus& corpus()
{
    static const Corpus c = [] {
        Corpus out;
        out.load = loadAuditLogs({AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz"});
        out.index = ResourceIndex::build(*out.load.store);
        return out;
    }();
    return c;
}

std::shared_ptr<const UsersAggregate> users(const RowSet* rows = nullptr)
{
    const EventStore& s = *corpus().load.store;
    return std::make_shared<const UsersAggregate>(
        rows ? aggregateUsers(s, *rows) : aggregateUsers(s));
}

std::shared_ptr<const ResourcesAggregate> resources(const RowSet* rows = nullptr)
{
    const EventStore& s = *corpus().load.store;
    return std::make_shared<const ResourcesAggregate>(rows
            ? aggregateResources(s, corpus().index, *rows)
            : aggregateResources(s, corpus().index));
}

// Every event whose code is 200, ascending.
RowSet code200()
{
    RowSet rows;
    const EventStore& s = *corpus().load.store;
    for (std::uint32_t r = 0; r < s.size(); ++r)
        if (s.code[r] == 200)
            rows.push_back(EventId{r});
    return rows;
}

} // namespace

void TestAnalysisModels::usersModelPassesTheTester()
{
    UsersModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setAggregate(corpus().load.store, users());
    const RowSet rows = code200();
    model.setAggregate(corpus().load.store, users(&rows));
    QSortFilterProxyModel proxy;
    QAbstractItemModelTester proxyTester(
        &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(&model);
    proxy.sort(UsersModel::EventsColumn, Qt::DescendingOrder);
    QVERIFY(proxy.rowCount() > 0);
}

void TestAnalysisModels::usersModelRowsFollowTheAggregate()
{
    const EventStore& s = *corpus().load.store;
    UsersModel model;
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    const auto agg = users();
    model.setAggregate(corpus().load.store, agg);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), int(agg->groups.size()));
    int userRows = 0;
    qulonglong events = 0;
    for (int g = 0; g < model.rowCount(); ++g) {
        const QModelIndex group = model.index(g, UsersModel::NameColumn);
        QVERIFY(model.data(group, UsersModel::IsGroupRole).toBool());
        events += model.data(model.index(g, UsersModel::EventsColumn)).toULongLong();
        for (int u = 0; u < model.rowCount(group); ++u) {
            const QModelIndex user = model.index(u, UsersModel::NameColumn, group);
            QCOMPARE(model.parent(user), group);
            const int i = model.data(user, UsersModel::UserIndexRole).toInt();
            const UserSummary& summary = agg->users[std::size_t(i)];
            QCOMPARE(model.data(user, UsersModel::FilterRole).toString(),
                toQString(userFilter(s, summary.user)));
            QCOMPARE(model.data(user).toString(), toQString(userDisplayName(s, summary.user)));
            QCOMPARE(model.indexOfUser(summary.user), user);
            QCOMPARE(model.data(user, UsersModel::KindRole).toInt(), int(summary.kind));
            ++userRows;
        }
    }
    QCOMPARE(userRows, int(agg->users.size()));
    QCOMPARE(events, qulonglong(s.size()));
    QCOMPARE(model.headerData(UsersModel::AuthFailuresColumn, Qt::Horizontal).toString(),
        QStringLiteral("401/403"));
    // The control plane's group filter selects the group's users.
    for (int g = 0; g < model.rowCount(); ++g) {
        const QModelIndex group = model.index(g, 0);
        if (model.data(group, UsersModel::KindRole).toInt() == int(PrincipalKind::ControlPlane))
            QVERIFY(model.data(group, UsersModel::FilterRole)
                        .toString()
                        .contains(QStringLiteral("system:kube-scheduler")));
    }
}

void TestAnalysisModels::resourcesModelPassesTheTester()
{
    ResourcesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setAggregate(corpus().load.store, resources());
    const RowSet rows = code200();
    model.setAggregate(corpus().load.store, resources(&rows));
    QSortFilterProxyModel proxy;
    QAbstractItemModelTester proxyTester(
        &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(&model);
    proxy.sort(ResourcesModel::NameColumn);
    QVERIFY(proxy.rowCount() > 0);
}

void TestAnalysisModels::resourcesModelRowsFollowTheAggregate()
{
    const EventStore& s = *corpus().load.store;
    ResourcesModel model;
    const auto agg = resources();
    model.setAggregate(corpus().load.store, agg);
    QVERIFY(agg->nodes.size() >= 100);
    QCOMPARE(model.rowCount(), int(agg->rootCount));
    // Walk the whole tree: every node once, index and parent agree, roles match.
    std::size_t visited = 0;
    std::function<void(const QModelIndex&)> walk = [&](const QModelIndex& parent) {
        for (int r = 0; r < model.rowCount(parent); ++r) {
            const QModelIndex i = model.index(r, 0, parent);
            QCOMPARE(model.parent(i), parent);
            const auto node = std::uint32_t(model.data(i, ResourcesModel::NodeRole).toInt());
            QCOMPARE(model.indexOfNode(node), i);
            QCOMPARE(
                model.data(i).toString(), QString::fromStdString(resourceNodeLabel(s, *agg, node)));
            QCOMPARE(model.data(model.index(r, ResourcesModel::EventsColumn, parent)).toULongLong(),
                qulonglong(agg->nodes[node].events));
            QCOMPARE(model.data(i, ResourcesModel::FilterRole).toString(),
                toQString(resourceNodeFilter(s, *agg, node)));
            QCOMPARE(model.hasChildren(i), agg->nodes[node].childCount > 0);
            ++visited;
            walk(i);
        }
    };
    walk({});
    QCOMPARE(visited, agg->nodes.size());
    const QModelIndex first = model.index(0, ResourcesModel::TopPrincipalsColumn);
    QVERIFY(model.data(first).toString().contains(QLatin1Char('(')));
}

void TestAnalysisModels::emptyModelsPassTheTester()
{
    UsersModel users;
    ResourcesModel resources;
    QAbstractItemModelTester t1(&users, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&resources, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(users.rowCount(), 0);
    QCOMPARE(resources.rowCount(), 0);
    users.setAggregate(nullptr, nullptr);
    resources.setAggregate(corpus().load.store, nullptr);
    QCOMPARE(resources.rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestAnalysisModels)
