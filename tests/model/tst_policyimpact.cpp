// SPDX-License-Identifier: Apache-2.0
// Impact (issue 3 §5): events and bytes kept and dropped per rule and level, on a hand-made log
// whose numbers are derived by hand (tests/data/policies/impact/README.md); and the comparison
// of two policies (issue 8), against a per-event count.
#include "load/loader.h"
#include "policy/policycomparison.h"
#include "policy/policyimpact.h"
#include "policy/policylint.h"
#include "policy/policyreader.h"
#include "policy/policystoreevaluation.h"

#include <QDir>
#include <QTest>

#include <string>

using namespace auditscope;

namespace {

const std::string Head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";
const std::string LogPath =
    std::string(AUDITSCOPE_TEST_DATA_DIR) + "/policies/impact/hand-made.log";

/// {events, bytes, kept, keptBytes, dropped, droppedBytes, strippedEvents, strippedBytes, raised}
QList<qulonglong> asList(const PolicyImpactRow& r)
{
    return {r.events, r.bytes, r.keptEvents, r.keptBytes, r.droppedEvents, r.droppedBytes,
        r.strippedEvents, r.strippedBytes, r.raisedEvents};
}

using Row = QList<qulonglong>;

/// Three policies written for these tests, then every corpus policy (some do not decode).
std::vector<std::string> testPolicies()
{
    std::vector<std::string> policies{Head + "rules:\n- level: Metadata\n",
        Head
            + "omitStages: [RequestReceived]\nrules:\n- level: Request\n  verbs: [create]\n"
              "- level: None\n",
        Head
            + "rules:\n- level: RequestResponse\n  resources: [{group: \"*\"}]\n"
              "- level: Metadata\n  omitStages: [ResponseComplete]\n"};
    const QDir dir(QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/policies"));
    for (const QString& file : dir.entryList({QStringLiteral("*.yaml")}, QDir::Files)) {
        QFile f(dir.filePath(file));
        if (f.open(QIODevice::ReadOnly))
            policies.push_back(f.readAll().toStdString());
    }
    return policies;
}

} // namespace

class TestPolicyImpact : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void memberBytes_data();
    void memberBytes();
    void impact_data();
    void impact();
    void groupedImpactAndLintEqualPerEvent();
    void comparisonEqualsPerEventChanges();
};

void TestPolicyImpact::memberBytes_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("bytes");
    const QString j = QStringLiteral(R"({"a":1,"b":{"x":[1,"}"]},"c":"z\"q"})");
    QTest::newRow("first member with its comma") << j << QStringLiteral("a") << 6; // "a":1,
    QTest::newRow("nested value, braces in strings")
        << j << QStringLiteral("b") << 18; // "b":{"x":[1,"}"]},
    QTest::newRow("last member with the comma before")
        << j << QStringLiteral("c") << 11; // ,"c":"z\"q"
    QTest::newRow("nested key is not top level") << j << QStringLiteral("x") << 0;
    QTest::newRow("absent") << j << QStringLiteral("requestObject") << 0;
    QTest::newRow("only member") << QStringLiteral(R"({"k":[]})") << QStringLiteral("k") << 6;
    QTest::newRow("truncated text") << QStringLiteral(R"({"a":{"b":1)") << QStringLiteral("a") << 0;
}

void TestPolicyImpact::memberBytes()
{
    QFETCH(QString, json);
    QFETCH(QString, key);
    QFETCH(int, bytes);
    QCOMPARE(topLevelMemberBytes(json.toStdString(), key.toStdString()), std::size_t(bytes));
}

void TestPolicyImpact::impact_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QList<Row>>("byRule"); // index rule + 1
    QTest::addColumn<Row>("total");
    QTest::addColumn<Row>("recordedMetadata");
    QTest::addColumn<Row>("recordedRequestResponse");
    QTest::addColumn<qulonglong>("missingRequestReceived");

    // Line sizes 403, 477, 387, 388, 288 (1943 bytes).
    // rules[0] secrets at Metadata: line 1 is RequestReceived, omitted -> dropped (403); line 2
    // kept at Metadata: 477 - 38 (requestObject) - 35 (responseObject) - 7 ("RequestResponse"
    // -> "Metadata") = 397, stripped 73.
    // rules[1] pods at RequestResponse: line 3 RequestReceived dropped (387); line 4 kept,
    // 388 + 7 = 395, raised (its bodies were never recorded).
    // rules[2] /healthz at None: line 5 dropped (288).
    QTest::newRow("omit RequestReceived, secrets Metadata, pods RequestResponse, healthz None")
        << QString::fromStdString(Head
               + "omitStages: [RequestReceived]\nrules:\n"
                 "- level: Metadata\n  resources: [{resources: [secrets]}]\n"
                 "- level: RequestResponse\n  resources: [{resources: [pods]}]\n"
                 "- level: None\n  nonResourceURLs: [\"/healthz*\"]\n")
        << QList<Row>{Row{0, 0, 0, 0, 0, 0, 0, 0, 0}, Row{2, 880, 1, 397, 1, 403, 1, 73, 0},
               Row{2, 775, 1, 395, 1, 387, 0, 0, 1}, Row{1, 288, 0, 0, 1, 288, 0, 0, 0}}
        << Row{5, 1943, 2, 792, 3, 1078, 1, 73, 1} // 397 + 395; 403 + 387 + 288
        << Row{3, 1063, 1, 395, 2, 675, 0, 0, 1} // lines 3, 4, 5
        << Row{2, 880, 1, 397, 1, 403, 1, 73, 0} // lines 1, 2
        << qulonglong{0};
    // Everything at Metadata, no stage omitted: all kept; line 1: 403 - 7 = 396, line 2: 397,
    // lines 3-5 unchanged (387 + 388 + 288). Request a3 has no RequestReceived in the log.
    QTest::newRow("catch-all Metadata")
        << QString::fromStdString(Head + "rules:\n- level: Metadata\n")
        << QList<Row>{Row{0, 0, 0, 0, 0, 0, 0, 0, 0}, Row{5, 1943, 5, 1856, 0, 0, 1, 73, 0}}
        << Row{5, 1943, 5, 1856, 0, 0, 1, 73, 0} << Row{3, 1063, 3, 1063, 0, 0, 0, 0, 0}
        << Row{2, 880, 2, 793, 0, 0, 1, 73, 0} << qulonglong{1};
    // Nothing matches: every event dropped.
    QTest::newRow("only an unrelated rule")
        << QString::fromStdString(Head + "rules:\n- level: Metadata\n  users: [nobody]\n")
        << QList<Row>{Row{5, 1943, 0, 0, 5, 1943, 0, 0, 0}, Row{0, 0, 0, 0, 0, 0, 0, 0, 0}}
        << Row{5, 1943, 0, 0, 5, 1943, 0, 0, 0} << Row{3, 1063, 0, 0, 3, 1063, 0, 0, 0}
        << Row{2, 880, 0, 0, 2, 880, 0, 0, 0} << qulonglong{0};
}

void TestPolicyImpact::impact()
{
    QFETCH(QString, policy);
    QFETCH(QList<Row>, byRule);
    QFETCH(Row, total);
    QFETCH(Row, recordedMetadata);
    QFETCH(Row, recordedRequestResponse);
    QFETCH(qulonglong, missingRequestReceived);

    const LoadResult loaded = loadAuditLogs({LogPath});
    QCOMPARE(loaded.store->size(), std::size_t{5});
    QCOMPARE(loaded.report.badLines, std::uint64_t{0});
    const PolicyLoadResult p = loadPolicy(policy.toStdString());
    QVERIFY(p.loadable);
    const auto index = PolicyAttributeIndex::build(loaded.store);
    const PolicyStoreResult result = evaluateStore(PolicyEvaluator(p.policy), *index);
    const PolicyImpact impact = computePolicyImpact(*index, result);

    QCOMPARE(impact.byRule.size(), std::size_t(byRule.size()));
    for (qsizetype i = 0; i < byRule.size(); ++i)
        QCOMPARE(asList(impact.byRule[std::size_t(i)]), byRule[i]);
    QCOMPARE(asList(impact.total), total);
    QCOMPARE(asList(impact.byRecordedLevel[std::size_t(Level::Metadata)]), recordedMetadata);
    QCOMPARE(asList(impact.byRecordedLevel[std::size_t(Level::RequestResponse)]),
        recordedRequestResponse);
    QCOMPARE(impact.requestsMissingRequestReceived, missingRequestReceived);
    // By new level sums to the total; unknowns are always stated.
    PolicyImpactRow sum;
    for (const PolicyImpactRow& r : impact.byNewLevel)
        sum.add(r);
    QCOMPARE(asList(sum), total);
    QVERIFY(!impact.unknowns.empty());
    QVERIFY(impact.unknowns.front().find("None are not in the log") != std::string::npos);

    // The grouped computation (per attribute tuple, stage, level, body flags) gives the same
    // hand-derived numbers.
    const PolicyImpact grouped = computePolicyImpact(*PolicyImpactIndex::build(*index), result);
    for (qsizetype i = 0; i < byRule.size(); ++i)
        QCOMPARE(asList(grouped.byRule[std::size_t(i)]), byRule[i]);
    QCOMPARE(asList(grouped.total), total);
    QCOMPARE(grouped.requestsMissingRequestReceived, missingRequestReceived);
}

void TestPolicyImpact::groupedImpactAndLintEqualPerEvent()
{
    const std::string data = AUDITSCOPE_TEST_DATA_DIR;
    const std::vector<std::string> policies = testPolicies();
    QVERIFY(policies.size() > 3);
    int compared = 0;
    for (const std::string& log : {data + "/corpus/microk8s-k8s.log.gz", data + "/corpus/falco",
             data + "/corpus/audit2rbac/demo.log", LogPath}) {
        const LoadResult loaded = loadAuditLogs({log});
        QVERIFY(loaded.store->size() > 0);
        const auto index = PolicyAttributeIndex::build(loaded.store);
        const auto groups = PolicyImpactIndex::build(*index, 1);
        QVERIFY(groups->groups().size() <= loaded.store->size());
        // Built over two ranges of events and merged: the same groups, in the same order.
        const auto split = PolicyImpactIndex::build(*index, 2);
        QCOMPARE(split->groups().size(), groups->groups().size());
        for (std::size_t g = 0; g < groups->groups().size(); ++g) {
            const PolicyImpactIndex::Group& x = groups->groups()[g];
            const PolicyImpactIndex::Group& y = split->groups()[g];
            QCOMPARE(y.tuple, x.tuple);
            QCOMPARE(y.stage, x.stage);
            QCOMPARE(y.recorded, x.recorded);
            QCOMPARE(y.flags, x.flags);
            QCOMPARE(y.firstRow, x.firstRow);
            QCOMPARE(y.events, x.events);
            QCOMPARE(y.bytes, x.bytes);
            QCOMPARE(y.requestObjectBytes, x.requestObjectBytes);
            QCOMPARE(y.responseObjectBytes, x.responseObjectBytes);
            QCOMPARE(y.withRequestObject, x.withRequestObject);
            QCOMPARE(y.withResponseObject, x.withResponseObject);
            QCOMPARE(y.withBoth, x.withBoth);
        }
        for (const std::string& text : policies) {
            const PolicyLoadResult p = loadPolicy(text);
            if (!p.decoded || p.policy.rules.empty())
                continue;
            const PolicyStoreResult result = evaluateStore(PolicyEvaluator(p.policy), *index);
            const PolicyImpact a = computePolicyImpact(*index, result);
            const PolicyImpact b = computePolicyImpact(*groups, result);
            QCOMPARE(b.byRule.size(), a.byRule.size());
            for (std::size_t i = 0; i < a.byRule.size(); ++i)
                QCOMPARE(asList(b.byRule[i]), asList(a.byRule[i]));
            for (std::size_t l = 0; l < a.byNewLevel.size(); ++l) {
                QCOMPARE(asList(b.byNewLevel[l]), asList(a.byNewLevel[l]));
                QCOMPARE(asList(b.byRecordedLevel[l]), asList(a.byRecordedLevel[l]));
            }
            QCOMPARE(asList(b.total), asList(a.total));
            QCOMPARE(b.requestsMissingRequestReceived, a.requestsMissingRequestReceived);
            QCOMPARE(b.unknowns, a.unknowns);
            const std::vector<PolicyLintFinding> x = lintPolicyAgainstLog(p.policy, *index, result);
            const std::vector<PolicyLintFinding> y =
                lintPolicyAgainstLog(p.policy, *index, *groups, result);
            QCOMPARE(y.size(), x.size());
            for (std::size_t i = 0; i < x.size(); ++i) {
                QCOMPARE(y[i].check, x[i].check);
                QCOMPARE(y[i].rule, x[i].rule);
                QCOMPARE(y[i].events, x[i].events);
                QCOMPARE(y[i].diagnostic.message, x[i].diagnostic.message);
            }
            ++compared;
        }
    }
    QVERIFY(compared >= 50);
}

void TestPolicyImpact::comparisonEqualsPerEventChanges()
{
    const std::string data = AUDITSCOPE_TEST_DATA_DIR;
    std::vector<std::string> policies;
    for (std::string& text : testPolicies()) {
        const PolicyLoadResult p = loadPolicy(text);
        if (p.decoded && !p.policy.rules.empty())
            policies.push_back(std::move(text));
    }
    std::array<std::uint64_t, PolicyChangeCount> seen{};
    int compared = 0;
    for (const std::string& log : {data + "/corpus/microk8s-k8s.log.gz", data + "/corpus/falco",
             data + "/corpus/audit2rbac/demo.log", LogPath}) {
        const LoadResult loaded = loadAuditLogs({log});
        const EventStore& store = *loaded.store;
        const auto index = PolicyAttributeIndex::build(loaded.store);
        const auto groups = PolicyImpactIndex::build(*index);
        std::vector<PolicyStoreResult> results;
        for (const std::string& text : policies) {
            const PolicyLoadResult p = loadPolicy(text);
            QVERIFY(p.decoded);
            results.push_back(evaluateStore(PolicyEvaluator(p.policy), *index));
        }
        // Each policy against its neighbour and against itself.
        for (std::size_t k = 0; k < results.size(); ++k) {
            for (const std::size_t other : {(k + 1) % results.size(), k}) {
                const PolicyStoreResult& before = results[k];
                const PolicyStoreResult& after = results[other];
                const PolicyComparison c = comparePolicies(*groups, before, after);
                std::array<std::array<std::uint64_t, LevelCount>, LevelCount> moved{};
                std::array<std::uint64_t, PolicyChangeCount> events{}, bytes{};
                for (std::size_t row = 0; row < store.size(); ++row) {
                    const PolicyEventMatch a = before.events[row], b = after.events[row];
                    ++moved[std::size_t(writtenLevel(a))][std::size_t(writtenLevel(b))];
                    const auto change = std::size_t(policyChangeOf(a, b));
                    ++events[change];
                    bytes[change] += store.rawLength[row];
                }
                QCOMPARE(c.moved, moved);
                QCOMPARE(c.events, events);
                QCOMPARE(c.bytes, bytes);
                QCOMPARE(
                    asList(c.baseline.total), asList(computePolicyImpact(*index, before).total));
                if (other == k)
                    QCOMPARE(c.changedEvents(), std::uint64_t(0));
                for (std::size_t i = 0; i < seen.size(); ++i)
                    seen[i] += events[i];
                ++compared;
            }
        }
    }
    QVERIFY(compared >= 50);
    for (std::size_t i = 0; i < seen.size(); ++i) // every kind of change occurs somewhere
        QVERIFY2(seen[i] > 0, std::string(policyChangeName(PolicyChange(i))).c_str());
}

QTEST_GUILESS_MAIN(TestPolicyImpact)
#include "tst_policyimpact.moc"
