// SPDX-License-Identifier: Apache-2.0
#include "tst_loadwarnings.h"
#include "testutil.h"

#include "common/limits.h"
#include "common/timestamp.h"
#include "itemmodels/eventtablemodel.h"
#include "query/queryengine.h"
#include "report/eventformat.h"
#include "report/summary.h"

#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {

const std::string T0 = "2025-03-14T09:00:00.000000Z";
const std::string T1 = "2025-03-14T09:00:01.000000Z";
const std::string Before = eventLine("before", "ResponseComplete", T0, T0);
const std::string After = eventLine("after", "ResponseComplete", T1, T1);

std::string replaced(std::string line, const std::string& from, const std::string& to)
{
    const std::size_t at = line.find(from);
    if (at == std::string::npos)
        qFatal("test data: '%s' not found", from.c_str());
    return line.replace(at, from.size(), to);
}

std::vector<const Diagnostic*> withSeverity(const LoadReport& report, Severity severity)
{
    std::vector<const Diagnostic*> out;
    for (const Diagnostic& d : report.diagnostics) {
        if (d.severity == severity)
            out.push_back(&d);
    }
    return out;
}

} // namespace

void TestLoadWarnings::oddEventLoadsFlaggedWithALocatedWarning_data()
{
    QTest::addColumn<QByteArray>("odd");
    QTest::addColumn<QByteArray>("valueAt"); // the text the warning's column points at
    QTest::addColumn<QString>("reason");
    const std::string odd = eventLine("odd", "ResponseComplete", T0, T0);
    auto row = [](const char* name, const std::string& line, const char* at, const char* reason) {
        QTest::newRow(name) << QByteArray::fromStdString(line) << QByteArray(at)
                            << QString::fromUtf8(reason);
    };
    row("code as a string", replaced(odd, "\"code\":200", "\"code\":\"200\""), "\"200\"",
        "responseStatus.code: expected an integer, found a string");
    row("userAgent as a number", replaced(odd, "\"kubectl/v1.29\"", "5"), "5,",
        "userAgent: expected a string, found a number");
    row("sourceIPs as a string", replaced(odd, "[\"10.0.0.1\"]", "\"1.2.3.4\""), "\"1.2.3.4\"",
        "sourceIPs: expected an array, found a string");
    row("user as a string",
        replaced(
            odd, R"({"username":"alice","groups":["dev","system:authenticated"]})", "\"alice\""),
        "\"alice\"", "user: expected an object, found a string");
    row("a group as a number", replaced(odd, "\"dev\"", "7"), "7,",
        "user.groups[0]: expected a string, found a number");
    row("unknown stage", replaced(odd, "ResponseComplete", "Finished"), "\"Finished\"",
        "stage: unknown stage \"Finished\"");
    row("Go's zero stageTimestamp",
        eventLine("odd", "ResponseComplete", T0, "0001-01-01T00:00:00Z"),
        "\"0001-01-01T00:00:00Z\"", "stageTimestamp: Go's zero time");
    row("missing auditID", replaced(odd, R"("auditID":"odd",)", ""), "{", "missing auditID");
    // Not read, while a query's JSON path (keys case-insensitive) finds them.
    row("a member in another case",
        eventLine("odd", "ResponseComplete", T0, T0, "get", R"(,"RequestObject":{})"),
        "\"RequestObject\"",
        "key \"RequestObject\" is not read: kube-apiserver writes \"requestObject\" (keys are "
        "case-sensitive)");
    row("an escaped key",
        eventLine("odd", "ResponseComplete", T0, T0, "get", R"(,"ver\u0062":"delete")"),
        "\"ver\\u0062\"",
        "key \"verb\" is not read: kube-apiserver writes \"verb\" without escapes");
}

void TestLoadWarnings::oddEventLoadsFlaggedWithALocatedWarning()
{
    QFETCH(QByteArray, odd);
    QFETCH(QByteArray, valueAt);
    QFETCH(QString, reason);
    const std::string line = odd.toStdString();
    const LoadResult r = loadText(Before + "\n" + line + "\n" + After + "\n", "odd.log");
    QCOMPARE(r.store->size(), std::size_t(3));
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(r.report.warnings, 1u);
    QCOMPARE(r.report.diagnostics.size(), std::size_t(1));
    const Diagnostic& d = r.report.diagnostics[0];
    QCOMPARE(d.severity, Severity::Warning);
    QCOMPARE(d.line, 2u);
    QVERIFY2(toQString(d.message).contains(reason), d.message.c_str());
    QVERIFY2(d.column > 0, d.message.c_str());
    QCOMPARE(
        QByteArray::fromStdString(line.substr(d.column - 1, std::size_t(valueAt.size()))), valueAt);
    QVERIFY(formatDiagnostic(d, r.report)
                .rfind("odd.log:2:" + std::to_string(d.column) + ": warning: ", 0)
        == 0);
    // Only the odd event is flagged.
    for (std::size_t row = 0; row < r.store->size(); ++row)
        QCOMPARE(bool(r.store->flags[row] & LoadedWithWarnings), r.store->line[row] == 2);
}

void TestLoadWarnings::wrongTypedFieldReadsAsAbsent()
{
    std::string line =
        replaced(eventLine("w", "ResponseComplete", T0, T0), "\"code\":200", "\"code\":\"200\"");
    line = replaced(line, "\"kubectl/v1.29\"", "5");
    line = replaced(line, "[\"10.0.0.1\"]", "\"1.2.3.4\"");
    const LoadResult r = loadText(line + "\n");
    QCOMPARE(r.store->size(), std::size_t(1));
    QCOMPARE(r.report.warnings, 3u);
    QCOMPARE(r.store->code[0], std::uint16_t(0));
    QVERIFY(r.store->flags[0] & HasResponseStatus);
    QVERIFY(!r.store->userAgent[0]);
    QVERIFY(!r.store->sourceIp[0]);
    QCOMPARE(std::string(r.store->pools.verbs.view(r.store->verb[0].value)), std::string("get"));
}

void TestLoadWarnings::eventsWithoutTimeSortLastAndShowAsNoTime()
{
    const std::string zero = eventLine("zero", "ResponseComplete", "0001-01-01T00:00:00Z", T0);
    const std::string missing =
        R"({"kind":"Event","auditID":"missing","stage":"ResponseComplete","verb":"get"})";
    const LoadResult r = loadText(zero + "\n" + missing + "\n" + After + "\n" + Before + "\n");
    QCOMPARE(r.store->size(), std::size_t(4));
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(auditIds(*r.store), (std::vector<std::string>{"before", "after", "zero", "missing"}));
    for (std::size_t row = 2; row < 4; ++row) {
        QCOMPARE(r.store->timeNs[row], NoTimeNs);
        QCOMPARE(r.store->stageTimeNs(row), NoTimeNs);
        QVERIFY(r.store->flags[row] & LoadedWithWarnings);
    }
    QCOMPARE(formatRfc3339Micros(NoTimeNs), std::string("no time"));
    const Summary sum = summarize(*r.store);
    QCOMPARE(sum.lastTimeNs, *parseRfc3339(T1)); // the last *timed* event
    QVERIFY(summaryText(sum, r.report).find("2262") == std::string::npos);
    QVERIFY(summaryText(sum, r.report).find("2 without a time") != std::string::npos);
    RawFieldReader reader;
    std::string tsv, json;
    appendEvent(tsv, *r.store, EventId{2}, EventFormat::Tsv, reader);
    appendEvent(json, *r.store, EventId{3}, EventFormat::Jsonl, reader);
    QVERIFY2(tsv.starts_with("no time\tno time\t"), tsv.c_str());
    QVERIFY2(json.starts_with(R"({"time":null,"stageTime":null,)"), json.c_str());
    EventTableModel table;
    table.setSnapshot(r.store, RowSet{EventId{2}, EventId{3}});
    QCOMPARE(
        table.data(table.index(0, int(EventColumn::Time))).toString(), QStringLiteral("no time"));
    // "time >= X" does not match an event whose time is unknown.
    const ParseResult q = parseQuery("time >= " + T0);
    QCOMPARE(runQuery(*r.store, *q.query).rows.size(), std::size_t(2));
}

void TestLoadWarnings::missingAuditIdJoinsNoChain()
{
    const std::string a =
        R"({"kind":"Event","stage":"ResponseComplete","requestReceivedTimestamp":")" + T0 + "\"}";
    const std::string b =
        R"({"kind":"Event","stage":"RequestReceived","requestReceivedTimestamp":")" + T1 + "\"}";
    const LoadResult r = loadText(a + "\n" + b + "\n");
    QCOMPARE(r.store->size(), std::size_t(2));
    QVERIFY(!r.store->auditId[0]);
    QVERIFY(!r.store->auditId[1]);
    QCOMPARE(summarize(*r.store).distinctAuditIds, 0u);
}

void TestLoadWarnings::unusableLinesStayErrors_data()
{
    QTest::addColumn<QByteArray>("bad");
    QTest::addColumn<QString>("reason");
    auto row = [](const char* name, const std::string& bad, const char* reason) {
        QTest::newRow(name) << QByteArray::fromStdString(bad) << QString::fromUtf8(reason);
    };
    row("invalid JSON", R"({"kind":"Event","auditID":)", "JSON");
    row("an array", R"([{"kind":"Event"}])", "not a JSON object (found an array)");
    row("kind is a number", R"({"kind": 0, "auditID":"x"})", "kind: expected a string");
    row("no sign of an Event", R"({"hello":"world"})", "not an audit Event");
    row("bad escape in a string we read", eventLine("e", "ResponseComplete", T0, T0, "get\\x"),
        "verb: invalid string");
}

void TestLoadWarnings::unusableLinesStayErrors()
{
    QFETCH(QByteArray, bad);
    QFETCH(QString, reason);
    const LoadResult r = loadText(Before + "\n" + bad.toStdString() + "\n" + After + "\n");
    QCOMPARE(r.store->size(), std::size_t(2));
    QCOMPARE(r.report.badLines, 1u);
    QCOMPARE(r.report.diagnostics.size(), std::size_t(1));
    QCOMPARE(r.report.diagnostics[0].severity, Severity::Error);
    QVERIFY2(toQString(r.report.diagnostics[0].message).contains(reason),
        r.report.diagnostics[0].message.c_str());
}

void TestLoadWarnings::kubernetesObjectsAreOneWarningPerFile()
{
    // `kubectl get pods -w -o json` output mixed into a log, spread over many parallel chunks.
    std::string text = Before + "\n";
    for (int i = 0; i < 1234; ++i)
        text += R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p)" + std::to_string(i)
            + "\"}}\n";
    text += After + "\n";
    LoadOptions options;
    options.chunkBytes = 4096;
    options.preludeBytes = 4096;
    const LoadResult r = loadText(text, "pods.log", options);
    QCOMPARE(auditIds(*r.store), (std::vector<std::string>{"before", "after"}));
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(r.report.diagnostics.size(), std::size_t(1));
    const Diagnostic& d = r.report.diagnostics[0];
    QCOMPARE(d.severity, Severity::Warning);
    QCOMPARE(d.line, 2u); // the first of them
    QVERIFY2(d.message.find("1,234 lines are Kubernetes objects (kind Pod), not audit Events")
            != std::string::npos,
        d.message.c_str());
}

void TestLoadWarnings::duplicateKeysWarnAndTheLastWins()
{
    const std::string line = eventLine("dup", "ResponseComplete", T0, T0, "get",
        R"(,"verb":"delete","objectRef":{"name":"a","name":"b"})");
    const LoadResult r = loadText(line + "\n");
    QCOMPARE(r.store->size(), std::size_t(1));
    QCOMPARE(std::string(r.store->pools.verbs.view(r.store->verb[0].value)), std::string("delete"));
    QCOMPARE(std::string(r.store->pools.names.view(r.store->name[0].value)), std::string("b"));
    QVERIFY(r.store->flags[0] & LoadedWithWarnings);
    const auto warnings = withSeverity(r.report, Severity::Warning);
    QCOMPARE(warnings.size(), std::size_t(3)); // verb, objectRef, objectRef.name
    // Each names the second occurrence.
    QCOMPARE(line.substr(warnings[0]->column - 1, 7), std::string("\"verb\":"));
    QCOMPARE(std::size_t(warnings[0]->column - 1), line.rfind("\"verb\":"));
    QVERIFY(warnings[0]->message.find("duplicate key \"verb\"") != std::string::npos);
    QCOMPARE(std::size_t(warnings[1]->column - 1), line.rfind("\"objectRef\":"));
    QCOMPARE(std::size_t(warnings[2]->column - 1), line.rfind("\"name\":\"b\""));
    QVERIFY(warnings[2]->message.starts_with("objectRef: duplicate key \"name\""));
}

void TestLoadWarnings::keysThatNameNoReadKeyLoadSilently()
{
    const LoadResult r = loadText(eventLine("k", "ResponseComplete", T0, T0, "get",
                                      R"(,"custom":1,"Items":[],"requestObjects":{},"":2)")
        + "\n");
    QCOMPARE(r.store->size(), std::size_t(1));
    QCOMPARE(r.report.warnings, 0u);
    QVERIFY(!(r.store->flags[0] & LoadedWithWarnings));
}

void TestLoadWarnings::nulRunBeforeAnEventIsSkippedWithANote()
{
    // What copytruncate leaves when the writer keeps its file offset.
    const std::string nuls(3000, '\0');
    const LoadResult r =
        loadText(nuls + Before + "\n" + After + "\n" + std::string(10, '\0') + "\n");
    QCOMPARE(auditIds(*r.store), (std::vector<std::string>{"before", "after"}));
    QCOMPARE(r.report.badLines, 0u);
    QVERIFY(!(r.store->flags[0] & LoadedWithWarnings));
    QCOMPARE(r.store->rawJson(EventId{0}), std::string_view(Before));
    const auto notes = withSeverity(r.report, Severity::Note);
    QCOMPARE(notes.size(), std::size_t(2));
    QCOMPARE(notes[0]->line, 1u);
    QVERIFY2(
        notes[0]->message.find("3000 NUL bytes") != std::string::npos, notes[0]->message.c_str());
    QCOMPARE(notes[1]->line, 3u);
    QVERIFY2(
        notes[1]->message.find("10 NUL bytes") != std::string::npos, notes[1]->message.c_str());
    QCOMPARE(r.report.notes, 2u);
}

void TestLoadWarnings::bodiesDeeperThanTheLimitLoadWithAWarning_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("depth");
    QTest::addColumn<bool>("warned");
    QTest::newRow("requestObject at the limit")
        << QStringLiteral("requestObject") << MaxJsonDepth - 2 << false;
    QTest::newRow("requestObject 513")
        << QStringLiteral("requestObject") << MaxJsonDepth - 1 << true;
    QTest::newRow("responseObject 10k") << QStringLiteral("responseObject") << 10000 << true;
    QTest::newRow("unknown key 100k") << QStringLiteral("surprise") << 100000 << true;
}

void TestLoadWarnings::bodiesDeeperThanTheLimitLoadWithAWarning()
{
    QFETCH(QString, key);
    QFETCH(int, depth);
    QFETCH(bool, warned);
    // Brackets in strings do not count as nesting.
    std::string body = R"({"s":")" + std::string(2000, '[') + R"("})";
    for (int i = 0; i < depth; ++i)
        body = i % 2 ? "{\"a\":" + body + "}" : "[" + body + "]";
    const std::string line = eventLine(
        "deep", "ResponseComplete", T0, T0, "get", ",\"" + key.toStdString() + "\":" + body);
    const LoadResult r = loadText(Before + "\n" + line + "\n");
    QCOMPARE(r.store->size(), std::size_t(2));
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(r.report.warnings, warned ? 1u : 0u);
    QCOMPARE(bool(r.store->flags[1] & LoadedWithWarnings), warned);
    if (!warned)
        return;
    const Diagnostic& d = r.report.diagnostics[0];
    const std::string expected =
        "nesting deeper than 512 in " + key.toStdString() + ": searched only to depth 512";
    QVERIFY2(d.message.find(expected) != std::string::npos, d.message.c_str());
    QCOMPARE(d.line, 2u);
    QVERIFY(d.column > 0);
}

void TestLoadWarnings::warningsAreCappedButCountedApartFromBadLines()
{
    std::string text;
    for (int i = 0; i < 50; ++i)
        text += replaced(eventLine("c" + std::to_string(i), "ResponseComplete", T0, T0),
                    "\"code\":200", "\"code\":\"200\"")
            + "\n";
    text += "junk\n";
    LoadOptions options;
    options.maxDiagnosticsPerSource = 10;
    const LoadResult r = loadText(text, "many.log", options);
    QCOMPARE(r.store->size(), std::size_t(50));
    QCOMPARE(r.report.badLines, 1u);
    QCOMPARE(r.report.sources[0].badLines, 1u);
    QCOMPARE(r.report.warnings, 50u);
    QCOMPARE(r.report.sources[0].warnings, 50u);
    QCOMPARE(r.report.diagnostics.size(), std::size_t(10));
    QCOMPARE(r.report.diagnosticsOmitted, 41u);
}

void TestLoadWarnings::warningQueryTermFindsFlaggedEvents()
{
    const std::string odd =
        replaced(eventLine("odd", "ResponseComplete", T0, T0), "\"code\":200", "\"code\":\"200\"");
    const LoadResult r = loadText(Before + "\n" + odd + "\n" + After + "\n");
    auto rows = [&](const char* text) {
        const ParseResult q = parseQuery(text);
        if (!q.ok())
            qFatal("%s", q.error.toString().c_str());
        std::vector<std::string> ids;
        for (const EventId id : runQuery(*r.store, *q.query).rows)
            ids.emplace_back(r.store->pools.auditIds.text(r.store->auditId[id.value].value));
        return ids;
    };
    QCOMPARE(rows("warning:true"), std::vector<std::string>{"odd"});
    QCOMPARE(rows("warning:false"), (std::vector<std::string>{"before", "after"}));
    QCOMPARE(rows("not warning:true"), (std::vector<std::string>{"before", "after"}));
}

QTEST_GUILESS_MAIN(TestLoadWarnings)
