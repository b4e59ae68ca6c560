// SPDX-License-Identifier: Apache-2.0
#include "tst_badinput.h"
#include "testutil.h"

#include "report/summary.h"

#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {
const std::string T0 = "2025-03-14T09:00:00.000000Z";
const std::string Before = eventLine("before", "ResponseComplete", T0, T0);
const std::string After = eventLine("after", "ResponseComplete", T0, T0);
} // namespace

void TestBadInput::badLineIsReportedAndNeighboursLoad_data()
{
    QTest::addColumn<QByteArray>("bad");
    QTest::addColumn<QString>("reason");
    auto row = [](const char* name, const std::string& bad, const char* reason) {
        QTest::newRow(name) << QByteArray::fromStdString(bad) << QString::fromUtf8(reason);
    };
    row("invalid JSON", R"({"kind":"Event","auditID":)", "JSON");
    row("garbage", "this is not json", "JSON");
    row("invalid UTF-8", eventLine("u", "ResponseComplete", T0, T0, "get\xC3\x28"),
        "invalid UTF-8");
    row("NUL byte in a string", eventLine("n", "ResponseComplete", T0, T0, std::string("ge\0t", 4)),
        "control character");
    row("NUL byte outside strings", std::string("{\"kind\":\"Event\"\0}", 17), "JSON");
    row("an array, not an object", R"([{"kind":"Event"}])", "not a JSON object (found an array)");
    row("a scalar", "42", "not a JSON object (found a scalar)");
    row("kind is a number", R"({"kind": 0})", "kind: expected a string, found a number");
    row("bad escape in a string", eventLine("e", "ResponseComplete", T0, T0, "get\\x"),
        "verb: invalid string");
    row("two objects on one line", Before + " " + After,
        "unexpected content after the JSON object");
    row("10,000-deep unclosed nesting",
        R"({"kind":"Event","auditID":"x","requestObject":)" + std::string(10000, '['), "JSON");
}

void TestBadInput::badLineIsReportedAndNeighboursLoad()
{
    QFETCH(QByteArray, bad);
    QFETCH(QString, reason);
    const LoadResult r =
        loadText(Before + "\n" + bad.toStdString() + "\n" + After + "\n", "bad.log");
    QCOMPARE(r.store->size(), std::size_t(2));
    QCOMPARE(auditIds(*r.store), (std::vector<std::string>{"before", "after"}));
    QCOMPARE(r.report.badLines, 1u);
    QCOMPARE(r.report.diagnostics.size(), std::size_t(1));
    const Diagnostic& d = r.report.diagnostics[0];
    QCOMPARE(d.line, 2u);
    QVERIFY2(toQString(d.message).contains(reason), d.message.c_str());
    QVERIFY(formatDiagnostic(d, r.report).rfind("bad.log:2", 0) == 0);
}

void TestBadInput::deeplyNestedEventLoadsWhenValid()
{
    // 10,000-deep nesting inside a body we skip is valid JSON: the event loads.
    const std::string line = R"({"kind":"Event","auditID":"deep","requestObject":)"
        + std::string(10000, '[') + std::string(10000, ']') + R"(,"requestReceivedTimestamp":")"
        + T0 + "\"}";
    const LoadResult r = loadText(line + "\n");
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(r.store->size(), std::size_t(1));
    QVERIFY(r.store->flags[0] & HasRequestObject);
}

void TestBadInput::truncatedLastLineIsNamedAsSuch()
{
    const std::string cut = Before.substr(0, Before.size() / 2);
    const LoadResult r = loadText(Before + "\n" + cut, "rotating.log");
    QCOMPARE(r.store->size(), std::size_t(1));
    QCOMPARE(r.report.diagnostics.size(), std::size_t(1));
    QCOMPARE(r.report.diagnostics[0].line, 2u);
    QVERIFY(toQString(r.report.diagnostics[0].message)
                .startsWith(QStringLiteral("truncated last line")));
}

void TestBadInput::hundredMegabyteLineLoads()
{
    // A 100 MB requestObject (a huge ConfigMap) is one valid event, not a crash or a hang.
    std::string line = R"({"kind":"Event","auditID":"huge","requestObject":{"data":")";
    line.append(100u << 20, 'x');
    line += R"("},"requestReceivedTimestamp":")" + T0 + "\"}";
    const LoadResult r = loadText(Before + "\n" + line + "\n" + After + "\n");
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(r.store->size(), std::size_t(3));
    QCOMPARE(r.store->rawLength[1], std::uint32_t(line.size()));
}

void TestBadInput::eventListItemErrorsAreLocatedAndOthersLoad()
{
    const std::string list =
        R"({"kind":"EventList","items":[)" + Before + R"(,{"hello":1},7,)" + After + "]}";
    const LoadResult r = loadText(list + "\n");
    QCOMPARE(r.store->size(), std::size_t(2));
    QCOMPARE(r.report.badLines, 2u);
    QVERIFY(toQString(r.report.diagnostics[0].message)
                .startsWith(QStringLiteral("items[1]: not an audit Event")));
    QVERIFY(toQString(r.report.diagnostics[1].message)
                .startsWith(QStringLiteral("items[2]: not a JSON object")));
}

void TestBadInput::diagnosticsAreCappedButCounted()
{
    std::string text;
    for (int i = 0; i < 50; ++i)
        text += "junk\n";
    text += Before + "\n";
    LoadOptions options;
    options.maxDiagnosticsPerSource = 10;
    const LoadResult r = loadText(text, "junk.log", options);
    QCOMPARE(r.store->size(), std::size_t(1));
    QCOMPARE(r.report.badLines, 50u);
    QCOMPARE(r.report.diagnostics.size(), std::size_t(10));
    QCOMPARE(r.report.diagnosticsOmitted, 40u);
}

void TestBadInput::emptyInputIsNotAnError()
{
    const LoadResult r = loadText("");
    QCOMPARE(r.store->size(), std::size_t(0));
    QCOMPARE(r.report.badLines, 0u);
    QVERIFY(r.report.sources[0].error.empty());
}

void TestBadInput::brokenEventListItemSaysTheRestIsLost()
{
    const std::string list =
        R"({"kind":"EventList","items":[)" + Before + R"(,{"b" 2},)" + After + "]}";
    const LoadResult r = loadText(list + "\n");
    QCOMPARE(auditIds(*r.store), std::vector<std::string>{"before"});
    QCOMPARE(r.report.diagnostics.size(), std::size_t(1)); // one clear message, not two
    const QString message = toQString(r.report.diagnostics[0].message);
    QVERIFY2(message.startsWith(QStringLiteral("items[1]: ")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("the ones after it could not be read")),
        qPrintable(message));
}

void TestBadInput::itemsKeyInAnEventIsNotAList()
{
    // kind comes first (Go's order): an Event with a stray "items" key is still an Event.
    std::string line = Before;
    line.insert(line.size() - 1, R"(,"items":[])");
    const LoadResult r = loadText(line + "\n");
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(auditIds(*r.store), std::vector<std::string>{"before"});
}

void TestBadInput::rawOfPrettyPrintedItemsHasNoTrailingWhitespace()
{
    const LoadResult r = loadText("{\n  \"kind\": \"EventList\",\n  \"items\": [\n    " + Before
        + ",\n    " + After + "\n  ]\n}\n");
    QCOMPARE(r.store->size(), std::size_t(2));
    QCOMPARE(std::string(r.store->rawJson(EventId{1})), After);
    const LoadResult single =
        loadText("{\n \"kind\": \"Event\",\n \"auditID\": \"p\",\n \"requestReceivedTimestamp\": \""
            + T0 + "\"\n}\n\n");
    QCOMPARE(single.store->size(), std::size_t(1));
    QVERIFY(single.store->rawJson(EventId{0}).back() == '}');
}

void TestBadInput::diagnosticsAreCappedWhileParsing()
{
    // Junk spread over many parallel chunks: memory holds at most the cap per chunk.
    std::string text;
    for (int i = 0; i < 5000; ++i)
        text += "this is not an audit event, line " + std::to_string(i + 1) + "\n";
    text += Before + "\n";
    LoadOptions options;
    options.chunkBytes = 4096;
    options.preludeBytes = 4096;
    options.maxDiagnosticsPerSource = 10;
    const LoadResult r = loadText(text, "junk.log", options);
    QCOMPARE(r.store->size(), std::size_t(1));
    QCOMPARE(r.report.badLines, 5000u);
    QCOMPARE(r.report.sources[0].badLines, 5000u);
    QCOMPARE(r.report.diagnostics.size(), std::size_t(10));
    QCOMPARE(r.report.diagnosticsOmitted, 4990u);
    for (std::size_t i = 0; i < 10; ++i)
        QCOMPARE(r.report.diagnostics[i].line, std::uint64_t(i + 1)); // the first ten, in order
}

void TestBadInput::quotedValuesInMessagesAreSafe()
{
    // A terminal escape sequence and a long multi-byte value, as a hostile log could carry.
    const std::string time = R"(,"requestReceivedTimestamp":")" + T0 + "\"}";
    const std::string escape =
        R"({"kind":"Event","auditID":"x","stage":"\u001b]0;owned\u0007")" + time;
    std::string longUtf8 = R"({"kind":"Event","auditID":"y","stage":")";
    for (int i = 0; i < 40; ++i)
        longUtf8 += "\u00b5"; // µ: two bytes in UTF-8
    longUtf8 += "\"" + time;
    const LoadResult r = loadText(escape + "\n" + longUtf8 + "\n");
    QCOMPARE(r.report.diagnostics.size(), std::size_t(2));
    const std::string& first = r.report.diagnostics[0].message;
    QVERIFY2(first.find('\x1b') == std::string::npos, first.c_str());
    QVERIFY2(first.find("\\x1b]0;owned\\x07") != std::string::npos, first.c_str());
    const QString second = toQString(r.report.diagnostics[1].message);
    QVERIFY2(second.contains(QStringLiteral("...\";")), qPrintable(second));
    QVERIFY(!second.contains(QChar::ReplacementCharacter)); // no split character
    QCOMPARE(second.count(QChar(0xB5)), 32); // 64 bytes = 32 whole characters
}

QTEST_GUILESS_MAIN(TestBadInput)
