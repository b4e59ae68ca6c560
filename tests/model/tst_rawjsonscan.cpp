// SPDX-License-Identifier: Apache-2.0
// The byte scan for a top-level string member (issue 17: the policy index reads requestURI of a
// third of the events): it finds the top-level member only, skips what comes before it by its
// brackets and quotes, reports escapes, and leaves every case it does not decide to the parser.
// On the corpus it agrees with simdjson for requestURI on every event.
#include "load/loader.h"
#include "report/rawjsonscan.h"

#include <QTest>

#include <simdjson.h>

#include <string>

using namespace auditscope;

Q_DECLARE_METATYPE(RawScanResult)

class TestRawJsonScan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void skipsStringsAndValues_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<int>("end"); // where skipValue(json, 0) ends, -1: npos
        auto row = [](const char* name, const char* json, int end) {
            QTest::newRow(name) << QString::fromLatin1(json) << end;
        };
        row("plain string", "\"abc\",", 5);
        row("escaped quote", "\"a\\\"b\"x", 6); // "a\"b"
        row("escaped backslash before the quote", "\"a\\\\\"x", 5); // "a\\"
        row("three backslashes", "\"\\\\\\\"\"x", 6); // "\\\"" : \\ then \"
        row("unterminated", "\"abc\\\"", -1);
        row("empty string", "\"\"", 2);
        row("object with strings", "{\"a\":\"}\",\"b\":[1,{\"c\":\"]\"}]} tail", 27);
        row("number", "-12.5e3,", 7);
        row("literal at the end", "true", -1);
        row("unbalanced", "{\"a\":[1,2}", -1);
    }

    void skipsStringsAndValues()
    {
        QFETCH(QString, json);
        QFETCH(int, end);
        const QByteArray bytes = json.toLatin1();
        const std::string_view s(bytes.constData(), std::size_t(bytes.size()));
        const std::size_t got = rawjson::skipValue(s, 0);
        QCOMPARE(got == rawjson::npos ? -1 : int(got), end);
    }

    void scans_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<RawScanResult>("result");
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("escaped");
        auto row = [](const char* name, const char* json, RawScanResult result,
                       const char* value = "", bool escaped = false) {
            QTest::newRow(name) << QString::fromUtf8(json) << result << QString::fromUtf8(value)
                                << escaped;
        };
        const auto found = RawScanResult::Found;
        const auto absent = RawScanResult::Absent;
        const auto unsure = RawScanResult::Unsure;
        row("first", "{\"k\":\"v\",\"a\":1}", found, "v");
        row("after values of every kind",
            "{\"s\":\"x\",\"n\":-1.5e3,\"t\":true,\"f\":false,\"z\":null,\"o\":{\"k\":\"no\"},"
            "\"a\":[1,{\"k\":[]}],\"k\":\"yes\"}",
            found, "yes");
        row("brackets and quotes inside strings",
            "{\"a\":\"}{][\\\"\",\"b\":{\"c\":\"}\\\"]\"},\"k\":\"v\"}", found, "v");
        row("nested only", "{\"o\":{\"k\":\"v\"},\"a\":[{\"k\":\"w\"}]}", absent);
        row("empty object", "{}", absent);
        row("spaces", " {\t\"a\" : [ 1 , 2 ] ,\r\n \"k\" :\"v\" } ", found, "v");
        row("escaped value", "{\"k\":\"a\\u0026b\\\"c\"}", found, "a\\u0026b\\\"c", true);
        row("empty value", "{\"k\":\"\"}", found, "");
        row("not a string", "{\"k\":5}", unsure);
        row("object value", "{\"k\":{\"x\":1}}", unsure);
        row("escaped key could be it", "{\"\\u006b\":\"v\",\"k\":\"w\"}", unsure);
        row("longer key", "{\"kk\":\"v\"}", absent);
        row("not an object", "[\"k\",\"v\"]", unsure);
        row("cut in a value", "{\"a\":\"xyz", unsure);
        row("cut after a value", "{\"a\":\"x\"", unsure);
        row("cut in the wanted value", "{\"k\":\"v", unsure);
        row("missing colon", "{\"a\" \"x\",\"k\":\"v\"}", unsure);
        row("empty text", "", unsure);
    }

    void scans()
    {
        QFETCH(QString, json);
        QFETCH(RawScanResult, result);
        QFETCH(QString, value);
        QFETCH(bool, escaped);
        const QByteArray utf8 = json.toUtf8();
        const RawScan scan =
            scanTopLevelString(std::string_view(utf8.constData(), std::size_t(utf8.size())), "k");
        QCOMPARE(int(scan.result), int(result));
        if (result == RawScanResult::Found) {
            QCOMPARE(QString::fromUtf8(scan.value.data(), qsizetype(scan.value.size())), value);
            QCOMPARE(scan.escaped, escaped);
        }
    }

    void agreesWithTheParserOnTheCorpus()
    {
        const LoadResult loaded =
            loadAuditLogs({AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz"});
        if (loaded.store->size() == 0)
            QSKIP("corpus log not available");
        const EventStore& store = *loaded.store;
        simdjson::ondemand::parser parser;
        int decided = 0;
        for (std::uint32_t row = 0; row < store.size(); ++row) {
            const std::string_view raw = store.rawJson(EventId{row});
            const RawScan scan = scanTopLevelString(raw, "requestURI");
            const simdjson::padded_string padded(raw);
            simdjson::ondemand::document doc;
            std::string_view expected;
            const bool has = !parser.iterate(padded).get(doc)
                && !doc.find_field_unordered("requestURI").get_string().get(expected);
            if (scan.result == RawScanResult::Unsure)
                continue;
            ++decided;
            QCOMPARE(scan.result == RawScanResult::Found, has);
            if (has && !scan.escaped)
                QCOMPARE(std::string(scan.value), std::string(expected));
        }
        QCOMPARE(decided, int(store.size())); // the real log's lines are all plain cases
    }
};

QTEST_GUILESS_MAIN(TestRawJsonScan)
#include "tst_rawjsonscan.moc"
