// SPDX-License-Identifier: Apache-2.0
#include "tst_loader.h"
#include "testutil.h"

#include "common/timestamp.h"
#include "load/loader.h"
#include "source/sourcebuffer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <thread>

#include <stop_token>
#include <sys/stat.h>
#include <unistd.h>

using namespace auditscope;
using namespace auditscope::test;

namespace {

const std::string T0 = "2025-03-14T09:00:00.000001Z";
const std::string T1 = "2025-03-14T09:00:01.000000Z";
const std::string T2 = "2025-03-14T09:00:02.000000Z";

void writeFile(const QString& path, const std::string& bytes)
{
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
    file.write(bytes.data(), qint64(bytes.size()));
}

std::string gzipBytes(const std::string& bytes)
{
    QProcess gzip;
    gzip.start(QStringLiteral("gzip"), {QStringLiteral("-c"), QStringLiteral("-n")});
    gzip.waitForStarted();
    gzip.write(bytes.data(), qint64(bytes.size()));
    gzip.closeWriteChannel();
    gzip.waitForFinished();
    const QByteArray out = gzip.readAllStandardOutput();
    return std::string(out.constData(), std::size_t(out.size()));
}

std::string sv(std::string_view v)
{
    return std::string(v);
}

} // namespace

void TestLoader::readsEveryColumnOfAV1Event()
{
    const std::string line = eventLine("a1", "ResponseComplete", T0, "2025-03-14T09:00:00.250001Z",
        "get",
        R"(,"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC"},"impersonatedUser":{"username":"bob"})");
    const LoadResult r = loadText(line + "\n");
    const EventStore& s = *r.store;
    QCOMPARE(s.size(), std::size_t(1));
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(s.timeNs[0], *parseRfc3339(T0));
    QCOMPARE(s.stageTimeNs(0) - s.timeNs[0], std::int64_t(250000000));
    QCOMPARE(s.stage[0], Stage::ResponseComplete);
    QCOMPARE(s.level[0], Level::Metadata);
    QCOMPARE(sv(s.pools.verbs.view(s.verb[0].value)), std::string("get"));
    QCOMPARE(sv(s.pools.users.view(s.user[0].value)), std::string("alice"));
    QCOMPARE(sv(s.pools.users.view(s.impersonatedUser[0].value)), std::string("bob"));
    const auto groups = s.groupsOf(s.groupSet[0]);
    QCOMPARE(groups.size(), std::size_t(2));
    QCOMPARE(sv(s.pools.groups.view(groups[1].value)), std::string("system:authenticated"));
    QCOMPARE(sv(s.pools.sourceIps.view(s.sourceIp[0].value)), std::string("10.0.0.1"));
    QCOMPARE(sv(s.pools.userAgents.view(s.userAgent[0].value)), std::string("kubectl/v1.29"));
    QCOMPARE(sv(s.pools.apiGroups.view(s.apiGroup[0].value)), std::string("")); // core group
    QCOMPARE(sv(s.pools.resources.view(s.resource[0].value)), std::string("pods"));
    QVERIFY(!s.subresource[0]);
    QCOMPARE(sv(s.pools.namespaces.view(s.namespaceId[0].value)), std::string("default"));
    QCOMPARE(sv(s.pools.names.view(s.name[0].value)), std::string("p1"));
    QCOMPARE(s.code[0], std::uint16_t(200));
    QCOMPARE(sv(s.pools.decisions.view(s.decision[0].value)), std::string("allow"));
    QVERIFY(s.flags[0] & HasObjectRef);
    QVERIFY(!(s.flags[0] & NoUser));
    QCOMPARE(s.line[0], 1u);
    QCOMPARE(sv(s.rawJson(EventId{0})), line); // raw JSON byte for byte
}

void TestLoader::acceptsEveryInputForm_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("events");
    QTest::addColumn<QList<quint32>>("lines");
    const std::string a = eventLine("a", "RequestReceived", T0, T0);
    const std::string b = eventLine("b", "RequestReceived", T1, T1);
    auto row = [](const char* name, const std::string& text, int events, QList<quint32> lines) {
        QTest::newRow(name) << QByteArray::fromStdString(text) << events << lines;
    };
    row("json lines", a + "\n" + b + "\n", 2, {1, 2});
    row("CRLF line endings", a + "\r\n" + b + "\r\n", 2, {1, 2});
    row("UTF-8 byte order mark", "\xEF\xBB\xBF" + a + "\n" + b + "\n", 2, {1, 2});
    row("blank lines", "\n" + a + "\n   \n\n" + b + "\n\n", 2, {2, 5});
    row("no newline at the end", a + "\n" + b, 2, {1, 2});
    row("keys in any order",
        R"({"stageTimestamp":")" + T0
            + R"(","verb":"list","auditID":"x","requestReceivedTimestamp":")" + T0
            + R"(","user":{"groups":["g"],"username":"u"},"stage":"ResponseComplete","kind":"Event"})"
            + "\n",
        1, {1});
    row("no apiVersion (falco re-serialized)",
        R"({"auditID":"x","kind":"Event","requestReceivedTimestamp":")" + T0
            + R"(","stage":"ResponseComplete"})" + "\n",
        1, {1});
    row("EventList on one line",
        R"({"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[)" + a + ","
            + b + "]}\n",
        2, {1, 1});
    row("pretty-printed EventList (whole file)",
        "{\n  \"kind\": \"EventList\",\n  \"items\": [\n    " + a + ",\n    " + b + "\n  ]\n}\n", 2,
        {4, 5});
    row("pretty-printed single Event",
        "{\n \"kind\": \"Event\",\n \"auditID\": \"p\",\n \"stage\": \"ResponseComplete\",\n "
        "\"requestReceivedTimestamp\": \""
            + T0 + "\"\n}\n",
        1, {1});
    row("empty EventList",
        R"({"kind":"EventList","items":[]})"
        "\n",
        0, {});
}

void TestLoader::acceptsEveryInputForm()
{
    QFETCH(QByteArray, text);
    QFETCH(int, events);
    QFETCH(QList<quint32>, lines);
    const LoadResult r = loadText(text.toStdString());
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(int(r.store->size()), events);
    QList<quint32> actual;
    for (std::uint32_t l : r.store->line)
        actual << l;
    QCOMPARE(actual, lines);
}

void TestLoader::eventListItemsKeepTheirOwnRawJson()
{
    const std::string a = eventLine("a", "RequestReceived", T0, T0);
    const std::string b = eventLine("b", "RequestReceived", T1, T1);
    const LoadResult r = loadText(R"({"kind":"EventList","items":[)" + a + "," + b + "]}\n");
    QCOMPARE(r.store->size(), std::size_t(2));
    QCOMPARE(sv(r.store->rawJson(EventId{0})), a);
    QCOMPARE(sv(r.store->rawJson(EventId{1})), b);
    QVERIFY(r.store->flags[0] & FromEventList);
}

void TestLoader::timestampPrecisionsAndV1beta1Fallback_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("received");
    QTest::addColumn<QString>("stage");
    QTest::newRow("v1beta1 timestamp and creationTimestamp") << QByteArray(
        R"({"kind":"Event","apiVersion":"audit.k8s.io/v1beta1","metadata":{"creationTimestamp":"2017-09-11T19:55:06Z"},"auditID":"x","stage":"ResponseComplete","timestamp":"2017-09-11T19:55:05Z"})")
                                                             << "2017-09-11T19:55:05.000000Z"
                                                             << "2017-09-11T19:55:06.000000Z";
    QTest::newRow("only timestamp: stage time falls back to it") << QByteArray(
        R"({"kind":"Event","auditID":"x","stage":"ResponseComplete","timestamp":"2017-09-11T19:55:05Z"})")
                                                                 << "2017-09-11T19:55:05.000000Z"
                                                                 << "2017-09-11T19:55:05.000000Z";
    QTest::newRow("v1 fields win over v1beta1 ones") << QByteArray(
        R"({"kind":"Event","auditID":"x","timestamp":"2017-09-11T19:55:05Z","requestReceivedTimestamp":"2017-09-11T19:55:05.123456Z","stageTimestamp":"2017-09-11T19:55:05.223456789Z"})")
                                                     << "2017-09-11T19:55:05.123456Z"
                                                     << "2017-09-11T19:55:05.223456Z";
    QTest::newRow("null requestReceivedTimestamp (Go zero time) uses timestamp") << QByteArray(
        R"({"kind":"Event","auditID":"x","requestReceivedTimestamp":null,"timestamp":"2017-09-11T19:55:05Z"})")
                                                                                 << "2017-09-11T19:"
                                                                                    "55:05.000000Z"
                                                                                 << "2017-09-11T19:"
                                                                                    "55:05.000000Z";
}

void TestLoader::timestampPrecisionsAndV1beta1Fallback()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, received);
    QFETCH(QString, stage);
    const LoadResult r = loadText(line.toStdString() + "\n");
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(r.store->size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(formatRfc3339Micros(r.store->timeNs[0])), received);
    QCOMPARE(QString::fromStdString(formatRfc3339Micros(r.store->stageTimeNs(0))), stage);
}

void TestLoader::mergesSourcesByTimeThenStageThenSourceOrder()
{
    // Two "API servers": out-of-order lines inside a file, ties across files.
    const std::string serverA = eventLine("a2", "ResponseComplete", T2, T2) + "\n"
        + eventLine("a0", "RequestReceived", T0, T0) + "\n"
        + eventLine("tie-a", "ResponseComplete", T1, "2025-03-14T09:00:01.500000Z") + "\n";
    const std::string serverB =
        eventLine("tie-b", "ResponseComplete", T1, "2025-03-14T09:00:01.500000Z") + "\n"
        + eventLine("b1", "RequestReceived", T1, T1) + "\n";
    const LoadResult r = loadAuditBuffers({{"server-a.log", serverA}, {"server-b.log", serverB}});
    QCOMPARE(r.store->size(), std::size_t(5));
    const std::vector<std::string> expected{"a0", "b1", "tie-a", "tie-b", "a2"};
    QCOMPARE(auditIds(*r.store), expected);
    // Every event remembers its file and 1-based line.
    QCOMPARE(r.store->sourceOf(EventId{0}).path, std::string("server-a.log"));
    QCOMPARE(r.store->line[0], 2u);
    QCOMPARE(r.store->sourceOf(EventId{1}).path, std::string("server-b.log"));
    QCOMPARE(r.store->line[1], 2u);
    QCOMPARE(r.store->line[4], 1u);
    QCOMPARE(r.report.sources[0].events, 3u);
    QCOMPARE(r.report.sources[1].events, 2u);
}

void TestLoader::lineNumbersStayExactAcrossParallelChunks()
{
    // Small chunks force many chunks and both worker threads; lines must still be exact.
    std::string text;
    for (int i = 0; i < 5000; ++i) {
        if (i % 97 == 0)
            text += "\n"; // blank lines shift numbering
        text += eventLine("id" + std::to_string(i), "ResponseComplete", T0, T0) + "\n";
    }
    LoadOptions options;
    options.chunkBytes = 4096;
    options.preludeBytes = 8192;
    options.threads = 2;
    const LoadResult r = loadText(text, "big.log", options);
    QCOMPARE(r.store->size(), std::size_t(5000));
    // Same timestamps: the order is file order, and line = index + blank lines before it.
    for (std::uint32_t i = 0; i < 5000; ++i) {
        QCOMPARE(
            sv(r.store->pools.auditIds.text(r.store->auditId[i].value)), "id" + std::to_string(i));
        QCOMPARE(r.store->line[i], i + 1 + (i / 97 + 1));
    }
}

void TestLoader::indexesAgreeWithColumns()
{
    std::string text;
    const char* verbs[] = {"get", "list", "watch", "create", "delete"};
    for (int i = 0; i < 2000; ++i) {
        text +=
            eventLine("id" + std::to_string(i / 2), i % 2 ? "ResponseComplete" : "RequestReceived",
                "2025-03-14T09:00:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60)
                    + ".000000Z",
                T2, verbs[i % 5])
            + "\n";
    }
    const LoadResult r = loadText(text);
    const EventStore& s = *r.store;
    QVERIFY(s.indexed);
    QVERIFY(std::is_sorted(s.timeNs.begin(), s.timeNs.end()));
    for (std::uint32_t v = 0; v < s.pools.verbs.size(); ++v) {
        std::vector<EventId> expected;
        for (std::uint32_t i = 0; i < s.size(); ++i) {
            if (s.verb[i].value == v)
                expected.push_back(EventId{i});
        }
        QVERIFY(s.indexes.byVerb.events(v) == expected);
    }
    QCOMPARE(s.indexes.byStage.count(std::uint32_t(Stage::RequestReceived)), 1000u);
    // Time search: [09:00:10, 09:00:20) holds seconds 10..19 of every minute-long cycle.
    const auto [first, last] =
        s.rowsBetween(*parseRfc3339("2025-03-14T09:00:10Z"), *parseRfc3339("2025-03-14T09:00:20Z"));
    std::size_t expectedInRange = 0;
    for (std::uint32_t i = 0; i < s.size(); ++i)
        expectedInRange += s.timeNs[i] >= *parseRfc3339("2025-03-14T09:00:10Z")
            && s.timeNs[i] < *parseRfc3339("2025-03-14T09:00:20Z");
    QCOMPARE(last - first, expectedInRange);
    QCOMPARE(last - first, std::size_t(2000 / 60 * 10 + 10));
    QCOMPARE(s.rowsBetween(0, 1).second, std::size_t(0));
    const auto chain = s.eventsWithAuditId("id7");
    QCOMPARE(chain.size(), std::size_t(2));
    QVERIFY(s.eventsWithAuditId("no-such-id").empty());
    const GroupId dev{s.pools.groups.find("dev")};
    QCOMPARE(s.eventsWithGroup(dev).size(), std::size_t(2000));
}

void TestLoader::gzipPlainMultiMemberAndRotatedFolder()
{
    QTemporaryDir dir;
    const std::string first = eventLine("old", "ResponseComplete", T0, T0) + "\n";
    const std::string second = eventLine("new", "ResponseComplete", T1, T1) + "\n";
    const std::string third = eventLine("active", "ResponseComplete", T2, T2) + "\n";
    // A rotated set as lumberjack leaves it: compressed backups plus the active file.
    writeFile(
        dir.filePath(QStringLiteral("audit-2025-03-14T09-00-00.500.log.gz")), gzipBytes(first));
    writeFile(dir.filePath(QStringLiteral("audit-2025-03-14T09-00-01.500.log.gz")),
        gzipBytes(second.substr(0, 100)) + gzipBytes(second.substr(100))); // two members
    writeFile(dir.filePath(QStringLiteral("audit.log")), third);
    writeFile(dir.filePath(QStringLiteral("notes.txt")), "not a log"); // not picked up
    const LoadResult r = loadAuditLogs({dir.path().toStdString()});
    QCOMPARE(r.report.sources.size(), std::size_t(3));
    QCOMPARE(r.report.badLines, 0u);
    const std::vector<std::string> expected{"old", "new", "active"};
    QCOMPARE(auditIds(*r.store), expected);
    QVERIFY(r.report.sources[0].compressed);
    QVERIFY(!r.report.sources[2].compressed);
    QCOMPARE(sv(r.store->rawJson(EventId{1})) + "\n", second); // members joined seamlessly
}

void TestLoader::truncatedAndCorruptGzipKeepWhatDecompressed()
{
    QTemporaryDir dir;
    std::string text;
    for (int i = 0; i < 3000; ++i)
        text += eventLine("id" + std::to_string(i), "ResponseComplete", T0, T0, "get",
                    R"(,"annotations":{"n":")" + std::to_string(i * 7919) + "\"}")
            + "\n";
    const std::string gz = gzipBytes(text);
    const QString truncated = dir.filePath(QStringLiteral("truncated.log.gz"));
    writeFile(truncated, gz.substr(0, gz.size() / 2));
    std::string corrupt = gz;
    for (std::size_t i = gz.size() / 2; i < gz.size() / 2 + 64; ++i)
        corrupt[i] = char(corrupt[i] ^ 0x5a);
    const QString corruptPath = dir.filePath(QStringLiteral("corrupt.log.gz"));
    writeFile(corruptPath, corrupt);
    const QString good = dir.filePath(QStringLiteral("good.log"));
    writeFile(good, eventLine("good", "ResponseComplete", T1, T1) + "\n");

    const LoadResult r =
        loadAuditLogs({truncated.toStdString(), corruptPath.toStdString(), good.toStdString()});
    const auto& sources = r.report.sources;
    QCOMPARE(sources.size(), std::size_t(3));
    QVERIFY2(
        sources[0].error.find("truncated gzip") != std::string::npos, sources[0].error.c_str());
    QVERIFY(sources[0].events > 100 && sources[0].events < 3000);
    QVERIFY2(sources[1].error.find("corrupt gzip") != std::string::npos, sources[1].error.c_str());
    QVERIFY(sources[1].events > 100 && sources[1].events < 3000);
    QCOMPARE(sources[2].events, 1u); // the others do not stop this one
    // What decompressed is a prefix of the original: every complete line in it loads and a
    // cut-off tail is one located bad line, not a silent loss.
    const std::string_view kept = r.store->sources[0].buffer->bytes();
    QVERIFY(std::string_view(text).substr(0, kept.size()) == kept);
    QCOMPARE(sources[0].events, std::uint64_t(std::count(kept.begin(), kept.end(), '\n')));
    QCOMPARE(sources[0].badLines, std::uint64_t(!kept.empty() && kept.back() != '\n'));
}

void TestLoader::wholeSourceErrorsAreReportedPerSource()
{
    QTemporaryDir dir;
    QDir(dir.path()).mkdir(QStringLiteral("empty"));
    writeFile(dir.filePath(QStringLiteral("empty/README")), "nothing here");
    const QString good = dir.filePath(QStringLiteral("good.log"));
    writeFile(good, eventLine("good", "ResponseComplete", T1, T1) + "\n");
    const LoadResult r = loadAuditLogs({dir.filePath(QStringLiteral("missing.log")).toStdString(),
        dir.filePath(QStringLiteral("empty")).toStdString(),
        dir.filePath(QStringLiteral("*.nomatch")).toStdString(), good.toStdString()});
    const auto& sources = r.report.sources;
    QCOMPARE(sources.size(), std::size_t(4));
    QVERIFY2(sources[0].error.find("No such file") != std::string::npos, sources[0].error.c_str());
    QVERIFY2(
        sources[1].error.find("no audit log files") != std::string::npos, sources[1].error.c_str());
    QVERIFY2(
        sources[2].error.find("no file matches") != std::string::npos, sources[2].error.c_str());
    QCOMPARE(sources[3].events, 1u);
    QCOMPARE(r.store->size(), std::size_t(1));
    // Whole-source problems are diagnostics with line 0.
    QCOMPARE(std::count_if(r.report.diagnostics.begin(), r.report.diagnostics.end(),
                 [](const Diagnostic& d) { return d.line == 0; }),
        3);
}

void TestLoader::permissionDeniedIsASourceError()
{
    if (geteuid() == 0)
        QSKIP("running as root: permissions do not stop root from reading the file");
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("secret.log"));
    writeFile(path, eventLine("x", "ResponseComplete", T1, T1) + "\n");
    QFile::setPermissions(path, QFileDevice::Permissions());
    const LoadResult r = loadAuditLogs({path.toStdString()});
    QVERIFY2(r.report.sources[0].error.find("Permission denied") != std::string::npos,
        r.report.sources[0].error.c_str());
}

void TestLoader::cancelKeepsWhatWasLoadedWithExactLines()
{
    std::string text;
    for (int i = 0; i < 200000; ++i)
        text += eventLine("id" + std::to_string(i), "ResponseComplete", T0, T0) + "\n";
    std::stop_source stop;
    LoadOptions options;
    options.chunkBytes = 64 * 1024;
    options.preludeBytes = 64 * 1024;
    options.threads = 2;
    // Cancel as soon as the first partial snapshot is out: most chunks are still to come.
    options.onPartialSnapshot = [&](EventStorePtr) { stop.request_stop(); };
    const LoadResult r = loadAuditBuffers({{"big.log", text}}, stop.get_token(), options);
    QVERIFY(r.report.cancelled);
    QVERIFY(r.store->size() > 0);
    QVERIFY(r.store->size() < 200000);
    QVERIFY(r.store->indexed);
    for (std::uint32_t i = 0; i < r.store->size(); ++i) {
        const std::string id(r.store->pools.auditIds.text(r.store->auditId[i].value));
        QCOMPARE(r.store->line[i], std::uint32_t(std::stoul(id.substr(2)) + 1));
    }
}

void TestLoader::publishesAPartialSnapshotThenTheWhole()
{
    std::string text;
    for (int i = 0; i < 20000; ++i)
        text += eventLine("id" + std::to_string(i), "ResponseComplete", T0, T0) + "\n";
    LoadOptions options;
    options.chunkBytes = 64 * 1024;
    options.preludeBytes = 64 * 1024;
    EventStorePtr partial;
    int progressCalls = 0;
    LoadProgress last;
    options.onPartialSnapshot = [&](EventStorePtr s) { partial = std::move(s); };
    options.onProgress = [&](const LoadProgress& p) {
        ++progressCalls;
        last = p;
    };
    const LoadResult r = loadText(text, "big.log", options);
    QVERIFY(partial);
    QVERIFY(!partial->indexed);
    QVERIFY(partial->size() > 0 && partial->size() < r.store->size());
    QCOMPARE(partial->line[0], 1u);
    QCOMPARE(sv(partial->rawJson(EventId{0})), eventLine("id0", "ResponseComplete", T0, T0));
    QCOMPARE(r.store->size(), std::size_t(20000));
    QVERIFY(r.report.firstSnapshotSeconds >= 0);
    QVERIFY(progressCalls >= 2);
    QCOMPARE(last.events, 20000u);
    QCOMPARE(last.bytesDone, last.bytesTotal);
}

void TestLoader::fileThatShrinksWhileOpenDoesNotCrash()
{
    // logrotate's copytruncate empties audit.log while we still map it.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.log"));
    std::string text;
    for (int i = 0; i < 20000; ++i)
        text += eventLine("id" + std::to_string(i), "ResponseComplete", T0, T0) + "\n";
    writeFile(path, text);
    const LoadResult r = loadAuditLogs({path.toStdString()});
    QCOMPARE(r.store->size(), std::size_t(20000));
    QVERIFY(::truncate(path.toLocal8Bit().constData(), 4096) == 0);
    const SourceBuffer& buffer = *r.store->sources[0].buffer;
    QVERIFY(!buffer.shrankWhileOpen());
    // The last event's bytes are gone from the file: they read as NUL, not as a SIGBUS.
    const std::string_view raw = r.store->rawJson(EventId{19999});
    QVERIFY(std::all_of(raw.begin(), raw.end(), [](char c) { return c == 0; }));
    QVERIFY(buffer.shrankWhileOpen());
    QCOMPARE(sv(r.store->rawJson(EventId{0})).substr(0, 10), std::string("{\"kind\":\"E"));
}

void TestLoader::readsPipes()
{
    // auditscope-cli summary <(zcat audit.log.gz): a FIFO, read to its end.
    QTemporaryDir dir;
    const QString fifo = dir.filePath(QStringLiteral("pipe"));
    QVERIFY(::mkfifo(fifo.toLocal8Bit().constData(), 0600) == 0);
    const std::string text = gzipBytes(eventLine("piped", "ResponseComplete", T0, T0) + "\n");
    std::thread writer([&] {
        QFile out(fifo);
        if (out.open(QIODevice::WriteOnly))
            out.write(text.data(), qint64(text.size()));
    });
    QTest::qWait(50); // let the writer open its end first
    const LoadResult r = loadAuditLogs({fifo.toStdString()});
    writer.join();
    QCOMPARE(r.store->size(), std::size_t(1));
    QVERIFY(r.report.sources[0].compressed);
    QCOMPARE(auditIds(*r.store), std::vector<std::string>{"piped"});
}

void TestLoader::pipeWithoutWriterDoesNotHang()
{
    QTemporaryDir dir;
    const QString fifo = dir.filePath(QStringLiteral("pipe"));
    QVERIFY(::mkfifo(fifo.toLocal8Bit().constData(), 0600) == 0);
    QElapsedTimer timer;
    timer.start();
    const LoadResult r = loadAuditLogs({fifo.toStdString()});
    QVERIFY(timer.elapsed() < 5000);
    QCOMPARE(r.store->size(), std::size_t(0));
}

QTEST_GUILESS_MAIN(TestLoader)
