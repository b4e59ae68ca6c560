// SPDX-License-Identifier: Apache-2.0
#include "tst_eventtablemodel.h"
#include "testutil.h"

#include "common/timestamp.h"
#include "itemmodels/eventtablemodel.h"
#include "itemmodels/rowsort.h"
#include "policy/policyevaluator.h"
#include "policy/policyreader.h"
#include "policy/policystoreevaluation.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {

const char* const Verbs[] = {"get", "list", "create", "update", "patch", "delete", "watch"};
const int Codes[] = {200, 201, 404, 403, 500, 409, 200};

// 600 events: verbs, codes, users, namespaces and times that vary, with ties in time.
EventStorePtr fixture()
{
    std::string text;
    for (int i = 0; i < 600; ++i) {
        std::string line =
            eventLine("id" + std::to_string(i), i % 3 ? "ResponseComplete" : "RequestReceived",
                "2025-03-14T09:" + std::string(i / 60 < 10 ? "0" : "") + std::to_string(i / 60)
                    + ":00.000000Z",
                "2025-03-14T09:" + std::string(i / 60 < 10 ? "0" : "") + std::to_string(i / 60)
                    + ":00.25" + std::to_string(i % 10) + "000Z",
                Verbs[i % 7]);
        line.replace(line.find("\"code\":200"), 10, "\"code\":" + std::to_string(Codes[i % 7]));
        line.replace(line.find("\"alice\""), 7, "\"user-" + std::to_string(i % 13) + "\"");
        line.replace(line.find("\"namespace\":\"default\""), 21,
            "\"namespace\":\"ns-" + std::to_string(i % 5) + "\"");
        if (i % 11 == 0)
            line.insert(
                line.size() - 1, R"(,"annotations":{"authorization.k8s.io/decision":"forbid"})");
        text += line + "\n";
    }
    return loadText(text, "fixture.log").store;
}

RowSet allRows(const EventStore& store)
{
    RowSet rows(store.size());
    for (std::uint32_t i = 0; i < rows.size(); ++i)
        rows[i] = EventId{i};
    return rows;
}

} // namespace

void TestEventTableModel::initTestCase()
{
    QLocale::setDefault(QLocale::c());
}

void TestEventTableModel::passesTheModelTester()
{
    EventTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const EventStorePtr store = fixture();
    model.setSnapshot(store, allRows(*store));
    QCOMPARE(model.rowCount(), 600);
    QCOMPARE(model.columnCount(), EventColumnCount);
    RowSet some{EventId{3}, EventId{5}, EventId{599}};
    model.setSnapshot(store, some);
    QCOMPARE(model.rowCount(), 3);
    model.setSnapshot(store, {});
    QCOMPARE(model.rowCount(), 0);
    model.setSnapshot(store, sortRows(*store, allRows(*store), EventColumn::User, true));
    QCOMPARE(model.rowCount(), 600);
    model.setSnapshot(store); // all events, no row list
    QVERIFY(model.showsAllEvents());
    QCOMPARE(model.rowCount(), 600);
    QCOMPARE(model.eventAt(599), EventId{599});
    QCOMPARE(model.rowOf(EventId{42}), 42);
    QCOMPARE(model.rowOf(EventId{600}), -1);
}

void TestEventTableModel::showsEveryColumn()
{
    const std::string line = eventLine("a1", "ResponseComplete", "2025-03-14T09:00:00.000001Z",
        "2025-03-14T09:00:00.012301Z", "create",
        R"(,"annotations":{"authorization.k8s.io/decision":"allow"})");
    std::string withSub = line;
    withSub.replace(withSub.find(R"("name":"p1",)"), 12, R"("name":"p1","subresource":"exec",)");
    const EventStorePtr store = loadText(withSub + "\n", "/var/log/audit.log").store;
    EventTableModel model;
    model.setSnapshot(store, allRows(*store));
    auto cell = [&](EventColumn c) { return model.data(model.index(0, int(c))).toString(); };
    QCOMPARE(cell(EventColumn::Time), QStringLiteral("2025-03-14 09:00:00.000001"));
    QCOMPARE(cell(EventColumn::Stage), QStringLiteral("ResponseComplete"));
    QCOMPARE(cell(EventColumn::User), QStringLiteral("alice"));
    QCOMPARE(cell(EventColumn::Verb), QStringLiteral("create"));
    QCOMPARE(cell(EventColumn::Resource), QStringLiteral("pods/exec"));
    QCOMPARE(cell(EventColumn::Namespace), QStringLiteral("default"));
    QCOMPARE(cell(EventColumn::Name), QStringLiteral("p1"));
    QCOMPARE(cell(EventColumn::Code), QStringLiteral("200"));
    QCOMPARE(cell(EventColumn::Decision), QStringLiteral("allow"));
    QCOMPARE(cell(EventColumn::SourceIp), QStringLiteral("10.0.0.1"));
    QCOMPARE(cell(EventColumn::UserAgent), QStringLiteral("kubectl/v1.29"));
    QCOMPARE(cell(EventColumn::Latency), QStringLiteral("12.3 ms"));
    QCOMPARE(cell(EventColumn::Level), QStringLiteral("Metadata"));
    QCOMPARE(cell(EventColumn::SourceFile), QStringLiteral("audit.log"));
    QCOMPARE(cell(EventColumn::AuditId), QStringLiteral("a1"));
    QCOMPARE(model.data(model.index(0, int(EventColumn::SourceFile)), Qt::ToolTipRole).toString(),
        QStringLiteral("/var/log/audit.log:1"));
    QCOMPARE(model.data(model.index(0, 0), EventTableModel::EventIdRole).toUInt(), 0u);
    QCOMPARE(model.data(model.index(0, 0), EventTableModel::TimeNsRole).toLongLong(),
        qint64(*parseRfc3339("2025-03-14T09:00:00.000001Z")));
    QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Time (UTC)"));
    QCOMPARE(formatDuration(850'000), QStringLiteral("850 µs"));
    QCOMPARE(formatDuration(4'560'000'000), QStringLiteral("4.56 s"));
    QCOMPARE(formatDuration(723'000'000'000), QStringLiteral("12 min 3 s"));
}

void TestEventTableModel::classifiesSeverity()
{
    const EventStorePtr store = fixture();
    for (std::uint32_t row = 0; row < store->size(); ++row) {
        const std::string auditId = store->pools.auditIds.text(store->auditId[row].value);
        const int i = std::stoi(auditId.substr(2));
        const int code = Codes[i % 7];
        const std::string verb = Verbs[i % 7];
        EventSeverity expected = EventSeverity::Normal;
        if (code == 403 || i % 11 == 0)
            expected = EventSeverity::Forbidden;
        else if (code >= 400)
            expected = EventSeverity::Failure;
        else if (verb == "delete")
            expected = EventSeverity::Delete;
        else if (verb == "create" || verb == "update" || verb == "patch")
            expected = EventSeverity::Write;
        QCOMPARE(eventSeverity(*store, row), expected);
    }
}

void TestEventTableModel::keepsEventsAcrossResetsById()
{
    const EventStorePtr store = fixture();
    EventTableModel model;
    model.setSnapshot(store, allRows(*store));
    const EventId selected = model.eventAt(250);
    // Filter: every third event; then sort by user. The same event is found again by id.
    RowSet filtered;
    for (std::uint32_t i = 0; i < store->size(); i += 2)
        filtered.push_back(EventId{i});
    model.setSnapshot(store, filtered);
    QCOMPARE(model.rowOf(selected), 125);
    QCOMPARE(model.rowOf(EventId{251}), -1); // filtered out
    model.setSnapshot(store, sortRows(*store, filtered, EventColumn::User, false));
    QCOMPARE(model.eventAt(model.rowOf(selected)), selected);
    QVERIFY(!model.eventAt(-1));
    QVERIFY(!model.eventAt(100000));
}

void TestEventTableModel::sortsEveryColumnStably()
{
    const EventStorePtr store = fixture();
    const RowSet rows = allRows(*store);
    for (int c = 0; c < EventColumnCount; ++c) {
        const auto column = static_cast<EventColumn>(c);
        for (const bool descending : {false, true}) {
            const RowSet sorted = sortRows(*store, rows, column, descending);
            QCOMPARE(sorted.size(), rows.size());
            RowSet same = sorted;
            std::sort(same.begin(), same.end());
            QVERIFY(same == rows); // a permutation
            for (std::size_t i = 1; i < sorted.size(); ++i) {
                const std::uint32_t a = sorted[i - 1].value, b = sorted[i].value;
                // Compare by what the user sees (numbers and times by value, text by bytes).
                auto key = [&](std::uint32_t r) -> std::pair<qint64, QString> {
                    switch (column) {
                    case EventColumn::Time:
                        return {store->timeNs[r], {}};
                    case EventColumn::Latency:
                        return {store->stageLatencyNs[r], {}};
                    case EventColumn::Code:
                        return {store->code[r], {}};
                    case EventColumn::Stage:
                        return {qint64(store->stage[r]), {}};
                    case EventColumn::Level:
                        return {qint64(store->level[r]), {}};
                    case EventColumn::Resource:
                        return {0,
                            eventCellText(*store, r, EventColumn::Resource)
                                .replace(QLatin1Char('/'), QChar(1))};
                    default:
                        return {0, eventCellText(*store, r, column)};
                    }
                };
                const auto ka = key(a), kb = key(b);
                if (ka == kb)
                    QVERIFY2(a < b, qPrintable(eventColumnName(column))); // ties stay in time order
                else if (descending)
                    QVERIFY2(kb < ka, qPrintable(eventColumnName(column)));
                else
                    QVERIFY2(ka < kb, qPrintable(eventColumnName(column)));
            }
        }
    }
    std::stop_source stop;
    stop.request_stop();
    QVERIFY(sortRows(*store, rows, EventColumn::User, true, stop.get_token()) == rows); // cancelled
}

void TestEventTableModel::sortsByThePolicysRuleAndLevel()
{
    const EventStorePtr store = fixture();
    const RowSet rows = allRows(*store);
    // Without a policy the policy columns keep the time order.
    QVERIFY(sortRows(*store, rows, EventColumn::Rule, true) == rows);
    const PolicyLoadResult policy = loadPolicy("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n"
                                               "- level: RequestResponse\n  verbs: [delete]\n"
                                               "- level: None\n  verbs: [get, list]\n"
                                               "- level: Metadata\n  verbs: [create, update]\n");
    QVERIFY(policy.loadable);
    auto context = std::make_shared<PolicyQueryContext>();
    context->store = store;
    context->result = std::make_shared<const PolicyStoreResult>(
        evaluateStore(PolicyEvaluator(policy.policy), *PolicyAttributeIndex::build(store)));
    context->ruleCount = 3;
    const std::vector<PolicyEventMatch>& matches = context->result->events;
    // Rows in another order than the store's (a table sorted by user): ties still come out in
    // store order.
    const RowSet byUser = sortRows(*store, rows, EventColumn::User, false);
    for (const EventColumn column : {EventColumn::Rule, EventColumn::PolicyLevel}) {
        for (const bool descending : {false, true}) {
            const RowSet sorted = sortRows(*store, byUser, column, descending, {}, context.get());
            QCOMPARE(sorted.size(), rows.size());
            auto key = [&](EventId id) {
                const PolicyEventMatch m = matches[id.value];
                return column == EventColumn::Rule ? m.rule() : int(m.level());
            };
            for (std::size_t i = 1; i < sorted.size(); ++i) {
                const int a = key(sorted[i - 1]), b = key(sorted[i]);
                if (a == b)
                    QVERIFY(sorted[i - 1] < sorted[i]); // ties keep their time order
                else
                    QVERIFY(descending ? a > b : a < b);
            }
            // Events no rule matches (patch, watch) come first in ascending rule order.
            if (column == EventColumn::Rule && !descending)
                QCOMPARE(key(sorted.front()), -1);
        }
    }
    // A context of another snapshot is ignored.
    const EventStorePtr other = fixture();
    QVERIFY(sortRows(*other, rows, EventColumn::Rule, false, {}, context.get()) == rows);
}

void TestEventTableModel::showsTimeRelativeToAReference()
{
    const EventStorePtr store = fixture();
    EventTableModel model;
    model.setSnapshot(store, allRows(*store));
    TimeDisplay time;
    time.relative = true;
    time.referenceNs = store->timeNs[60]; // 09:01:00
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setTimeDisplay(time);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("-1 min 0 s"));
    QCOMPARE(model.data(model.index(60, 0)).toString(), QStringLiteral("+0 µs"));
    QCOMPARE(model.data(model.index(599, 0)).toString(), QStringLiteral("+8 min 0 s"));
    QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Time (relative)"));
}

QTEST_GUILESS_MAIN(TestEventTableModel)
