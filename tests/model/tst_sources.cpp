// SPDX-License-Identifier: Apache-2.0
#include "tst_sources.h"
#include "testutil.h"

#include "report/summary.h"
#include "source/formatsniffer.h"
#include "source/sourcebuffer.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

using namespace auditscope;
using namespace auditscope::test;

namespace {

QString data(const char* relative)
{
    return QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/") + QLatin1String(relative);
}

/// The first `lines` lines of the real MicroK8s log (decompressed).
std::string microk8sLines(int lines)
{
    const auto opened = SourceBuffer::open(data("corpus/microk8s-k8s.log.gz").toStdString());
    const std::string_view bytes = opened.buffer->bytes();
    std::size_t end = 0;
    for (int i = 0; i < lines; ++i)
        end = bytes.find('\n', end) + 1;
    return std::string(bytes.substr(0, end));
}

void writeFile(const std::string& path, std::string_view bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string readFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    return std::string(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

/// Diagnostics of one severity.
std::vector<Diagnostic> withSeverity(const LoadReport& report, Severity severity)
{
    std::vector<Diagnostic> out;
    for (const Diagnostic& d : report.diagnostics) {
        if (d.severity == severity)
            out.push_back(d);
    }
    return out;
}

/// Asserts the load refused its one source with exactly one message containing `expected`.
void verifyRefusedOnce(const LoadResult& r, const std::string& expected)
{
    QCOMPARE(r.store->size(), std::size_t(0));
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(r.report.diagnosticsOmitted, 0u);
    QCOMPARE(r.report.diagnostics.size(), std::size_t(1));
    const Diagnostic& d = r.report.diagnostics.front();
    QCOMPARE(d.line, 0u);
    QCOMPARE(d.severity, Severity::Error);
    QVERIFY2(d.message.find(expected) != std::string::npos, d.message.c_str());
    QCOMPARE(r.report.sources[0].error, d.message);
}

std::string toWide(const std::string& utf8, bool utf32, bool bigEndian, bool bom)
{
    const QString text = QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size()));
    std::vector<std::uint32_t> units;
    if (bom)
        units.push_back(0xFEFF);
    if (utf32) {
        for (const char32_t cp : text.toUcs4())
            units.push_back(cp);
    } else {
        for (const QChar c : text)
            units.push_back(c.unicode());
    }
    const std::size_t width = utf32 ? 4 : 2;
    std::string out;
    for (const std::uint32_t unit : units) {
        for (std::size_t b = 0; b < width; ++b)
            out.push_back(static_cast<char>(unit >> (8 * (bigEndian ? width - 1 - b : b))));
    }
    return out;
}

std::string randomBytes(std::size_t size, unsigned seed)
{
    std::mt19937 random(seed);
    std::string out(size, '\0');
    for (char& c : out)
        c = static_cast<char>(random() & 0xFF);
    return out;
}

} // namespace

void TestSources::otherCompressorsAreNamedOnce_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("command");
    QTest::newRow("zstd") << "twenty.log.zst"
                          << "zstd -d";
    QTest::newRow("xz") << "twenty.log.xz"
                        << "xz -d";
    QTest::newRow("bzip2") << "twenty.log.bz2"
                           << "bzip2 -d";
    QTest::newRow("lz4") << "twenty.log.lz4"
                         << "lz4 -d";
}

// Content decides, not the name: the same bytes named audit.log give the same one message.
void TestSources::otherCompressorsAreNamedOnce()
{
    QFETCH(QString, file);
    QFETCH(QString, command);
    const QString path = data("notaudit/") + file;
    verifyRefusedOnce(loadAuditLogs({path.toStdString()}), command.toStdString());

    QTemporaryDir dir;
    const std::string renamed = dir.filePath(QStringLiteral("audit.log")).toStdString();
    writeFile(renamed, readFile(path));
    verifyRefusedOnce(loadAuditLogs({renamed}), command.toStdString());
}

void TestSources::wideTextIsTranscoded_data()
{
    QTest::addColumn<bool>("utf32");
    QTest::addColumn<bool>("bigEndian");
    QTest::addColumn<bool>("bom");
    QTest::addColumn<QString>("name");
    for (const bool utf32 : {false, true}) {
        for (const bool bigEndian : {false, true}) {
            for (const bool bom : {true, false}) {
                const QString name =
                    QStringLiteral("UTF-%1%2")
                        .arg(utf32 ? 32 : 16)
                        .arg(bigEndian ? QStringLiteral("BE") : QStringLiteral("LE"));
                QTest::newRow(qPrintable(name + QLatin1String(bom ? " with BOM" : " without BOM")))
                    << utf32 << bigEndian << bom << name;
            }
        }
    }
}

// What PowerShell's `>` and some Windows editors write: every event loads, at the same lines,
// with one note saying the text was transcoded.
void TestSources::wideTextIsTranscoded()
{
    QFETCH(bool, utf32);
    QFETCH(bool, bigEndian);
    QFETCH(bool, bom);
    QFETCH(QString, name);
    // A non-ASCII user name checks the transcoding, not just the zero bytes.
    const std::string utf8 = microk8sLines(30)
        + eventLine("wide", "ResponseComplete", "2025-03-14T09:00:00Z", "2025-03-14T09:00:01Z",
            "get", ",\"annotations\":{\"n\":\"Zoë 😀\"}")
        + "\n";
    const LoadResult plain = loadText(utf8);
    const LoadResult wide = loadText(toWide(utf8, utf32, bigEndian, bom), "wide.log");
    QCOMPARE(wide.store->size(), std::size_t(31));
    QCOMPARE(wide.report.badLines, 0u);
    QCOMPARE(auditIds(*wide.store), auditIds(*plain.store));
    for (std::uint32_t i = 0; i < wide.store->size(); ++i) {
        QCOMPARE(wide.store->line[i], plain.store->line[i]);
        QCOMPARE(wide.store->rawJson(EventId{i}), plain.store->rawJson(EventId{i}));
    }
    const auto notes = withSeverity(wide.report, Severity::Note);
    QCOMPARE(notes.size(), std::size_t(1));
    QVERIFY2(notes[0].message.find(name.toStdString() + " text: transcoded") != std::string::npos,
        notes[0].message.c_str());
}

void TestSources::notAnAuditLogGetsOneMessage_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    const std::string event =
        eventLine("a", "ResponseComplete", "2025-03-14T09:00:00Z", "2025-03-14T09:00:01Z");
    std::string array = "[\n";
    for (int i = 0; i < 2000; ++i)
        array += "  " + event + (i + 1 < 2000 ? ",\n" : "\n");
    array += "]\n";
    auto bytes = [](const std::string& s) {
        return QByteArray(s.data(), static_cast<qsizetype>(s.size()));
    };
    QTest::newRow("pretty-printed JSON array") << bytes(array) << "a JSON array";
    QTest::newRow("one-line JSON array")
        << bytes("[" + event + "," + event + "]\n") << "JSON array";
    // The legacy format, as in the Kubernetes 1.7 auditing documentation's example.
    QTest::newRow("legacy text format")
        << QByteArray::fromStdString(readFile(data("notaudit/legacy-format.log")))
        << "legacy text audit format";
    QTest::newRow("random bytes") << bytes(randomBytes(200000, 7)) << "binary data";
    QTest::newRow("random bytes, another seed") << bytes(randomBytes(300000, 8)) << "binary data";
    QTest::newRow("an executable")
        << bytes(readFile(QCoreApplication::applicationFilePath())) << "an executable (ELF)";
    QTest::newRow("plain text") << QByteArray("hello\nworld\n") << "starts with \"hello\"";
    QTest::newRow("an audit policy")
        << QByteArray("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n")
        << "an audit policy (YAML)";
    QTest::newRow("only NUL bytes") << QByteArray(100000, '\0') << "only NUL bytes";
    // Found by hand in the GUI: one line of a README starting with '{' made it "an audit log".
    QTest::newRow("text with a brace line")
        << QByteArray("hello world\n{not json at all}\nthis is text\nmore\n")
        << "none of its lines is an audit event (4 lines could not be read; the first, line 1:";
    QTest::newRow("lines of {garbage") << QByteArray("{garbage\n").repeated(3000)
                                       << "none of its lines is an audit event (3000 lines";
    QTest::newRow("tar archive") << bytes(std::string(257, 'x') + "ustar" + std::string(300, '\0'))
                                 << "tar -xf";
}

void TestSources::notAnAuditLogGetsOneMessage()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QVERIFY(!bytes.isEmpty());
    verifyRefusedOnce(
        loadText(
            std::string(bytes.constData(), static_cast<std::size_t>(bytes.size())), "input.log"),
        expected.toStdString());
}

// Per-line errors stay for a log that is an audit log with some bad lines.
void TestSources::auditLogWithJunkKeepsPerLineErrors()
{
    const std::string text = "garbage line\n" + microk8sLines(10) + "more garbage\n";
    const LoadResult r = loadText(text);
    QCOMPARE(r.store->size(), std::size_t(10));
    QCOMPARE(r.report.badLines, 2u);
    QCOMPARE(r.report.diagnostics.size(), std::size_t(2));
    QCOMPARE(r.report.diagnostics[0].line, 1u);
    QCOMPARE(r.report.diagnostics[1].line, 12u);
    QVERIFY(r.report.sources[0].error.empty());
}

// copytruncate can leave a NUL run as long as the old file before the new lines.
void TestSources::longNulRunBeforeTheEventsIsSkipped()
{
    const std::string events = microk8sLines(5);
    const LoadResult r = loadText(std::string(200000, '\0') + events);
    QCOMPARE(r.store->size(), std::size_t(5));
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(r.store->line[0], 1u); // the NUL run and the first event share line 1
    QCOMPARE(r.store->line[4], 5u);
    const auto notes = withSeverity(r.report, Severity::Note);
    QCOMPARE(notes.size(), std::size_t(1));
    QVERIFY2(notes[0].message.find("starts with 200000 NUL bytes") != std::string::npos,
        notes[0].message.c_str());
}

// Not an error (the live file of a just-rotated set is empty), but the report names the file.
void TestSources::emptyFileIsANoteNamingIt()
{
    QTemporaryDir dir;
    const std::string empty = dir.filePath(QStringLiteral("audit.log")).toStdString();
    writeFile(empty, "");
    const LoadResult r = loadAuditLogs({empty});
    QCOMPARE(r.store->size(), std::size_t(0));
    QVERIFY(r.report.sources[0].error.empty());
    QCOMPARE(r.report.diagnostics.size(), std::size_t(1));
    QCOMPARE(r.report.diagnostics[0].severity, Severity::Note);
    QCOMPARE(r.report.diagnostics[0].message, std::string("the file is empty"));
    QCOMPARE(
        formatDiagnostic(r.report.diagnostics[0], r.report), empty + ": note: the file is empty");
}

void TestSources::endlessDevicesStopAfterTheSniff_data()
{
    QTest::addColumn<QString>("device");
    QTest::addColumn<QString>("expected");
    QTest::newRow("/dev/zero") << "/dev/zero"
                               << "only NUL bytes in the first 64 KiB";
    QTest::newRow("/dev/urandom") << "/dev/urandom"
                                  << "binary data";
}

// They used to be read until memory ran out (16.8 GB in 50 s) or forever; now reading stops
// after the first SniffBytes.
void TestSources::endlessDevicesStopAfterTheSniff()
{
    QFETCH(QString, device);
    QFETCH(QString, expected);
    const LoadResult r = loadAuditLogs({device.toStdString()});
    verifyRefusedOnce(r, expected.toStdString());
}

namespace {

/// A file of the first `events` lines of a real log (distinct events: copies would load once),
/// and load options that parse it in small chunks on one thread, with a callback after the
/// first chunk (the partial snapshot).
struct ChangingFile
{
    QTemporaryDir dir;
    std::string path;
    std::string text;
    std::string line; ///< one more event, for appending

    explicit ChangingFile(int events)
    {
        path = dir.filePath(QStringLiteral("audit.log")).toStdString();
        text = microk8sLines(events + 1);
        const std::size_t lastLine = text.rfind('\n', text.size() - 2) + 1;
        line = text.substr(lastLine);
        text.resize(lastLine);
        writeFile(path, text);
    }

    LoadResult load(const std::function<void()>& afterFirstChunk)
    {
        LoadOptions options;
        options.threads = 1;
        options.chunkBytes = 16 * 1024;
        options.preludeBytes = 1;
        options.onPartialSnapshot = [&](EventStorePtr) { afterFirstChunk(); };
        return loadAuditLogs({path}, {}, options);
    }
};

} // namespace

// logrotate's copytruncate while loading: the missing part reads as empty, nothing crashes,
// and the report says how much is missing.
void TestSources::shrinkingFileIsReported()
{
    ChangingFile file(2000);
    const std::size_t size = file.text.size();
    const std::size_t keep = size / 4;
    const auto linesBefore =
        static_cast<std::size_t>(std::count(file.text.begin(), file.text.begin() + keep, '\n'));
    const LoadResult r =
        file.load([&] { QVERIFY(::truncate(file.path.c_str(), off_t(keep)) == 0); });
    // Every line before the cut loads; nothing after it (but the line cut in two) does.
    QVERIFY2(r.store->size() >= linesBefore && r.store->size() <= linesBefore + 1,
        qPrintable(QString::number(r.store->size())));
    const auto warnings = withSeverity(r.report, Severity::Warning);
    QVERIFY(!warnings.empty());
    const std::string expected = "the file shrank from " + std::to_string(size) + " to "
        + std::to_string(keep) + " bytes while loading";
    QVERIFY2(warnings[0].message.find(expected) != std::string::npos, warnings[0].message.c_str());
    QCOMPARE(warnings[0].line, 0u);
    // The lines past the cut read as NUL bytes: one sentence says so, not an error per line.
    QVERIFY2(
        warnings[0].message.find("(it reads as NUL bytes) are not listed") != std::string::npos,
        warnings[0].message.c_str());
    for (const Diagnostic& d : r.report.diagnostics)
        QVERIFY2(d.line <= linesBefore + 1, d.message.c_str());
    QVERIFY(r.report.badLines <= 1); // at most the line cut in two
}

void TestSources::growingFileIsReported()
{
    ChangingFile file(200);
    const std::size_t size = file.text.size();
    const LoadResult r = file.load([&] {
        std::ofstream out(file.path, std::ios::binary | std::ios::app);
        out << file.line;
    });
    QCOMPARE(r.store->size(), std::size_t(200));
    QCOMPARE(r.report.badLines, 0u);
    const auto notes = withSeverity(r.report, Severity::Note);
    QCOMPARE(notes.size(), std::size_t(1));
    const std::string expected = "the file grew from " + std::to_string(size) + " to "
        + std::to_string(size + file.line.size()) + " bytes while loading";
    QVERIFY2(notes[0].message.find(expected) != std::string::npos, notes[0].message.c_str());
}

// kube-apiserver's own rotation renames the file and starts a new one: what was opened is read
// whole, and the report says the path now names another file.
void TestSources::replacedFileIsReported()
{
    ChangingFile file(200);
    const LoadResult r = file.load([&] {
        std::filesystem::rename(file.path, file.path + ".1");
        writeFile(file.path, file.line);
    });
    QCOMPARE(r.store->size(), std::size_t(200));
    const auto notes = withSeverity(r.report, Severity::Note);
    QCOMPARE(notes.size(), std::size_t(1));
    QVERIFY2(notes[0].message.find("replaced while loading") != std::string::npos,
        notes[0].message.c_str());
}

// Each prefix of a real head is sniffed without reading past it (ASan checks the reads; the
// results must also be stable: a prefix of an audit log never becomes "binary").
void TestSources::sniffNeverReadsPastTheHead()
{
    const std::string head = microk8sLines(40);
    for (std::size_t size = 0; size < 600; ++size) {
        const std::unique_ptr<char[]> exact(new char[size]); // exact: ASan sees one byte past
        std::memcpy(exact.get(), head.data(), size);
        const SniffResult r = sniffSource(std::string_view(exact.get(), size));
        QVERIFY2(r.format == SourceFormat::AuditJson || r.format == SourceFormat::Empty,
            qPrintable(
                QStringLiteral("prefix %1: %2").arg(size).arg(QString::fromStdString(r.message))));
    }
}

// copytruncate's usual cut is to 0 bytes: every line read after it is one sentence too.
void TestSources::fileTruncatedToNothingIsOneWarning()
{
    ChangingFile file(2000);
    const LoadResult r = file.load([&] { QVERIFY(::truncate(file.path.c_str(), 0) == 0); });
    QVERIFY(r.store->size() < 2000);
    const auto warnings = withSeverity(r.report, Severity::Warning);
    QCOMPARE(warnings.size(), std::size_t(1));
    QVERIFY2(warnings[0].message.find("to 0 bytes while loading") != std::string::npos,
        warnings[0].message.c_str());
    QCOMPARE(r.report.badLines, 0u);
    QCOMPARE(r.report.diagnostics.size(), std::size_t(1)); // nothing per line, no notes
}

// Wide text is judged again after transcoding: a JSON array saved by PowerShell is one message.
void TestSources::wideTextIsSniffedAgainAfterTranscoding()
{
    const std::string event =
        eventLine("a", "ResponseComplete", "2025-03-14T09:00:00Z", "2025-03-14T09:00:01Z");
    std::string array = "[\n";
    for (int i = 0; i < 500; ++i)
        array += "  " + event + ",\n";
    array += "  " + event + "\n]\n";
    verifyRefusedOnce(loadText(toWide(array, false, false, true), "array.json"),
        "UTF-16 text holding a JSON array");
}

// gzip of an endless NUL stream (or of a binary) stops inflating once its head says so.
void TestSources::gzipOfNulBytesStopsAfterTheSniff()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("zeros.log.gz"));
    QProcess shell;
    shell.start(QStringLiteral("sh"),
        {QStringLiteral("-c"), QStringLiteral("head -c 200000000 /dev/zero | gzip -c > ") + path});
    QVERIFY(shell.waitForFinished(60000));
    QCOMPARE(shell.exitCode(), 0);
    const LoadResult r = loadAuditLogs({path.toStdString()});
    verifyRefusedOnce(r, "only NUL bytes");
    QVERIFY2(r.report.sources[0].bytes < 20'000'000,
        qPrintable(QString::number(r.report.sources[0].bytes)));
}

// `kubectl get events -o json`: core/v1 Events are kind Event too, but not audit events.
void TestSources::coreEventsAreNotAuditEvents()
{
    std::string list = "{\"apiVersion\":\"v1\",\"items\":[";
    for (int i = 0; i < 300; ++i)
        list += std::string(i ? "," : "")
            + "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e\","
              "\"creationTimestamp\":\"2025-03-14T09:00:00Z\"},\"reason\":\"Pulled\"}";
    list += "],\"kind\":\"List\"}\n";
    const LoadResult r = loadText(list + microk8sLines(3), "events.json");
    QCOMPARE(r.store->size(), std::size_t(3)); // only the audit events
    const auto warnings = withSeverity(r.report, Severity::Warning);
    QCOMPARE(warnings.size(), std::size_t(1));
    QVERIFY2(warnings[0].message.find("300") != std::string::npos
            && warnings[0].message.find("Event of v1") != std::string::npos,
        warnings[0].message.c_str());
    QCOMPARE(r.report.badLines, 0u);
}

// One odd value on every line (a shipper that wrote a field with another type) is not a flood:
// the first lines are listed, the rest summed up in one line.
void TestSources::sameWarningOnEveryLineIsSummedUp()
{
    std::string text;
    for (int i = 0; i < 100; ++i)
        text += eventLine("id" + std::to_string(i), "ResponseComplete", "2025-03-14T09:00:00Z",
                    "2025-03-14T09:00:01Z", "get", ",\"annotations\":\"x\"")
            + "\n";
    const LoadResult r = loadText(text);
    QCOMPARE(r.store->size(), std::size_t(100));
    QCOMPARE(r.report.warnings, 100u);
    const auto warnings = withSeverity(r.report, Severity::Warning);
    QCOMPARE(warnings.size(), std::size_t(11));
    QCOMPARE(warnings[0].line, 0u);
    QVERIFY2(warnings[0].message.starts_with(
                 "90 more lines have the warning \"annotations: expected an object"),
        warnings[0].message.c_str());
    QCOMPARE(warnings[1].line, 1u);
    QCOMPARE(warnings[10].line, 10u);
}

QTEST_GUILESS_MAIN(TestSources)
