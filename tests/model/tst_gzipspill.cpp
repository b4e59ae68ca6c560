// SPDX-License-Identifier: Apache-2.0
#include "tst_gzipspill.h"
#include "testutil.h"

#include "load/loader.h"
#include "source/byteregion.h"
#include "source/gzipinflate.h"
#include "source/sourcebuffer.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <fstream>
#include <random>

#include <sys/resource.h>
#include <unistd.h>

using namespace auditscope;
using namespace auditscope::test;

namespace {

const std::string T0 = "2025-03-14T09:00:00.000000Z";

QTemporaryDir* cacheDir = nullptr; // the cache folder of every test here

std::string gzip(const std::string& bytes, const QStringList& flags = {QStringLiteral("-6")})
{
    QProcess process;
    process.start(QStringLiteral("gzip"), QStringList{QStringLiteral("-c")} + flags);
    process.waitForStarted();
    process.write(bytes.data(), qint64(bytes.size()));
    process.closeWriteChannel();
    process.waitForFinished(-1);
    const QByteArray out = process.readAllStandardOutput();
    return std::string(out.constData(), std::size_t(out.size()));
}

void writeFile(const std::string& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

// `count` distinct events with some incompressible text, so the output is not trivial.
std::string events(int count, unsigned seed = 1)
{
    std::mt19937 random(seed);
    std::string text;
    for (int i = 0; i < count; ++i) {
        text += eventLine("id" + std::to_string(i), "ResponseComplete", T0, T0, "get",
                    R"(,"annotations":{"n":")" + std::to_string(random()) + "\"}")
            + "\n";
    }
    return text;
}

struct Inflated
{
    std::string bytes;
    std::string error;
};

Inflated inflateWith(bool fast, const std::string& gz)
{
    auto region = ByteRegion::create({}).region;
    Inflated out;
    out.error = fast ? inflateGzip(gz, *region, {}) : inflateGzipWithZlib(gz, *region);
    out.bytes.assign(region->data(), region->size());
    return out;
}

// Open file descriptors of this process that point into `folder`.
int descriptorsInto(const QString& folder)
{
    int count = 0;
    const QDir fds(QStringLiteral("/proc/self/fd"));
    for (const QString& fd : fds.entryList(QDir::NoDotAndDotDot | QDir::System | QDir::Files)) {
        const QString target = QFile::symLinkTarget(fds.filePath(fd));
        count += target.startsWith(folder);
    }
    return count;
}

} // namespace

void TestGzipSpill::initTestCase()
{
    cacheDir = new QTemporaryDir;
    QVERIFY(cacheDir->isValid());
}

void TestGzipSpill::cleanupTestCase()
{
    delete cacheDir;
}

void TestGzipSpill::cleanup()
{
    ByteRegion::setCacheFolder(cacheDir->filePath(QStringLiteral("cache")).toStdString());
}

void TestGzipSpill::fastPathMatchesZlib_data()
{
    QTest::addColumn<QByteArray>("gz");
    QTest::addColumn<QByteArray>("plain");
    const std::string text = events(20000);
    const auto row = [](const char* name, const std::string& gz, const std::string& plain) {
        QTest::newRow(name) << QByteArray(gz.data(), qsizetype(gz.size()))
                            << QByteArray(plain.data(), qsizetype(plain.size()));
    };
    row("level 1", gzip(text, {QStringLiteral("-1")}), text);
    row("level 9", gzip(text, {QStringLiteral("-9")}), text);
    row("three members",
        gzip(text.substr(0, 100)) + gzip(text.substr(100, 5000)) + gzip(text.substr(5100)), text);
    row("zero padding after the last member", gzip(text) + std::string(4096, '\0'), text);
    row("empty member between two", gzip(text.substr(0, 7)) + gzip({}) + gzip(text.substr(7)),
        text);
}

// ISA-L gives byte for byte what zlib gives, and what was compressed.
void TestGzipSpill::fastPathMatchesZlib()
{
    QFETCH(QByteArray, gz);
    QFETCH(QByteArray, plain);
    const std::string input(gz.constData(), std::size_t(gz.size()));
    const Inflated fast = inflateWith(true, input);
    const Inflated reference = inflateWith(false, input);
    QCOMPARE(QString::fromStdString(fast.error), QString());
    QCOMPARE(QString::fromStdString(reference.error), QString());
    QVERIFY(fast.bytes == reference.bytes);
    QVERIFY(fast.bytes == std::string(plain.constData(), std::size_t(plain.size())));
}

void TestGzipSpill::damagedStreamsKeepWhatZlibKeeps_data()
{
    QTest::addColumn<QByteArray>("gz");
    QTest::addColumn<QString>("error");
    const std::string gz = gzip(events(20000));
    const auto row = [](const char* name, const std::string& bytes, const char* error) {
        QTest::newRow(name) << QByteArray(bytes.data(), qsizetype(bytes.size()))
                            << QString::fromLatin1(error);
    };
    row("cut in the header", gz.substr(0, 5), "truncated gzip");
    row("cut in the middle", gz.substr(0, gz.size() / 2), "truncated gzip");
    row("cut in the trailer", gz.substr(0, gz.size() - 3), "truncated gzip");
    std::string flipped = gz;
    for (std::size_t i = gz.size() / 3; i < gz.size() / 3 + 32; ++i)
        flipped[i] = char(flipped[i] ^ 0x5a);
    row("corrupt", flipped, "corrupt gzip");
    std::string badCrc = gz;
    badCrc[gz.size() - 6] = char(badCrc[gz.size() - 6] ^ 1);
    row("wrong checksum", badCrc, "incorrect data check");
    row("junk after the member", gz + "junk", "unexpected bytes after gzip member 1");
}

// A damaged stream gives zlib's exact error and at least the bytes zlib keeps (the same ones).
void TestGzipSpill::damagedStreamsKeepWhatZlibKeeps()
{
    QFETCH(QByteArray, gz);
    QFETCH(QString, error);
    const std::string input(gz.constData(), std::size_t(gz.size()));
    const Inflated fast = inflateWith(true, input);
    const Inflated reference = inflateWith(false, input);
    QVERIFY2(QString::fromStdString(fast.error).contains(error), fast.error.c_str());
    QCOMPARE(QString::fromStdString(fast.error), QString::fromStdString(reference.error));
    QVERIFY(fast.bytes.size() >= reference.bytes.size());
    QVERIFY(fast.bytes.compare(0, reference.bytes.size(), reference.bytes) == 0);
}

// Decompressed data lives in an unlinked file of the cache folder: no name is ever left there,
// the mapping goes with the buffer, and no anonymous memory holds it.
void TestGzipSpill::spillFileLeavesNothingBehind()
{
    const QString folder = cacheDir->filePath(QStringLiteral("spill"));
    ByteRegion::setCacheFolder(folder.toStdString());
    const std::string text = events(5000);
    const std::string path = cacheDir->filePath(QStringLiteral("a.log.gz")).toStdString();
    writeFile(path, gzip(text));
    {
        const SourceBuffer::OpenResult opened = SourceBuffer::open(path);
        QVERIFY(opened.error.empty());
        QVERIFY(opened.buffer->spilled());
        QCOMPARE(opened.buffer->heapBytes(), std::size_t(0));
        QVERIFY(opened.buffer->bytes() == text);
        QVERIFY(QDir(folder).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty());
        QCOMPARE(descriptorsInto(folder), 1); // the unlinked file
        QFile maps(QStringLiteral("/proc/self/maps"));
        QVERIFY(maps.open(QIODevice::ReadOnly));
        QVERIFY(QString::fromUtf8(maps.readAll()).contains(folder));
    }
    QCOMPARE(descriptorsInto(folder), 0);
    QFile maps(QStringLiteral("/proc/self/maps"));
    QVERIFY(maps.open(QIODevice::ReadOnly));
    QVERIFY(!QString::fromUtf8(maps.readAll()).contains(folder));
}

// A folder that fills up (here: the file size limit of this process) stops the decompression
// with a clear error; the events decompressed so far load, and so do the other files.
void TestGzipSpill::fullFolderIsAnErrorAndKeepsWhatLoaded()
{
    const std::string text = events(60000); // ~15 MiB: more than one 8 MiB growth step
    const std::string big = cacheDir->filePath(QStringLiteral("big.log.gz")).toStdString();
    writeFile(big, gzip(text, {QStringLiteral("-1")}));
    const std::string small = cacheDir->filePath(QStringLiteral("small.log")).toStdString();
    writeFile(small, eventLine("other", "ResponseComplete", T0, T0) + "\n");

    rlimit before{};
    QCOMPARE(getrlimit(RLIMIT_FSIZE, &before), 0);
    rlimit limited = before;
    limited.rlim_cur = 10 << 20; // the first 8 MiB fit, the next step does not
    const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN); // EFBIG instead of a signal
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &limited), 0);
    const LoadResult r = loadAuditLogs({big, small});
    setrlimit(RLIMIT_FSIZE, &before);
    std::signal(SIGXFSZ, oldHandler);

    const SourceReport& source = r.report.sources[0];
    QVERIFY2(source.error.find("cannot extend the decompressed file in the cache folder")
            != std::string::npos,
        source.error.c_str());
    QVERIFY2(source.error.find("File too large") != std::string::npos, source.error.c_str());
    const std::string_view kept = r.store->sources[0].buffer->bytes();
    QVERIFY(kept.size() >= (4u << 20) && kept.size() < text.size());
    QVERIFY(std::string_view(text).substr(0, kept.size()) == kept);
    QCOMPARE(source.events, std::uint64_t(std::count(kept.begin(), kept.end(), '\n')));
    QCOMPARE(r.report.sources[1].events, std::uint64_t(1));
}

// No usable cache folder: the data is decompressed into memory and the report says why.
void TestGzipSpill::unusableFolderFallsBackToMemory()
{
    ByteRegion::setCacheFolder("/dev/null/cache");
    const std::string text = events(100);
    const std::string path = cacheDir->filePath(QStringLiteral("m.log.gz")).toStdString();
    writeFile(path, gzip(text));
    const LoadResult r = loadAuditLogs({path});
    QCOMPARE(r.store->size(), std::size_t(100));
    QVERIFY(r.report.sources[0].error.empty());
    QVERIFY(r.store->sources[0].buffer->heapBytes() > 0);
    const auto note = std::find_if(r.report.diagnostics.begin(), r.report.diagnostics.end(),
        [](const Diagnostic& d) { return d.message.find("/dev/null/cache") != std::string::npos; });
    QVERIFY(note != r.report.diagnostics.end());
    QCOMPARE(note->severity, Severity::Note);
    QVERIFY2(note->message.find("decompressed into memory instead") != std::string::npos,
        note->message.c_str());
}

// Chunks of a gzip file are parsed while later ones inflate: the result is the plain load's,
// event for event, line for line, with a first snapshot on the way.
void TestGzipSpill::gzipParsedWhileDecompressingLoadsLikePlain()
{
    const std::string text = events(12000, 7); // ~3 MiB: many 64 KiB chunks, past DecideBytes
    const std::string gz = cacheDir->filePath(QStringLiteral("s.log.gz")).toStdString();
    const std::string plain = cacheDir->filePath(QStringLiteral("s.log")).toStdString();
    writeFile(gz, gzip(text));
    writeFile(plain, text);
    LoadOptions options;
    options.threads = 2;
    options.chunkBytes = 64 << 10;
    options.preludeBytes = 256 << 10;
    EventStorePtr partial;
    options.onPartialSnapshot = [&](EventStorePtr s) { partial = std::move(s); };
    const LoadResult fromGz = loadAuditLogs({gz}, {}, options);
    const LoadResult fromPlain = loadAuditLogs({plain}, {}, options);
    QVERIFY(partial && partial->size() > 0 && partial->size() < 12000);
    QCOMPARE(partial->line[0], 1u);
    QCOMPARE(fromGz.store->size(), std::size_t(12000));
    QCOMPARE(fromGz.report.badLines, 0u);
    QVERIFY(fromGz.report.sources[0].compressed);
    QCOMPARE(fromGz.store->size(), fromPlain.store->size());
    for (std::uint32_t i = 0; i < fromGz.store->size(); i += 97) {
        QCOMPARE(fromGz.store->line[i], fromPlain.store->line[i]);
        QVERIFY(fromGz.store->rawJson(EventId{i}) == fromPlain.store->rawJson(EventId{i}));
    }
}

// A cancel while a gzip file decompresses keeps what was parsed, with the right line numbers.
void TestGzipSpill::cancelWhileDecompressingKeepsWhatWasParsed()
{
    const std::string text = events(30000, 3);
    const std::string gz = cacheDir->filePath(QStringLiteral("c.log.gz")).toStdString();
    writeFile(gz, gzip(text));
    std::stop_source stop;
    LoadOptions options;
    options.threads = 2;
    options.chunkBytes = 64 << 10;
    options.preludeBytes = 64 << 10;
    options.onPartialSnapshot = [&](EventStorePtr) { stop.request_stop(); };
    const LoadResult r = loadAuditLogs({gz}, stop.get_token(), options);
    QVERIFY(r.report.cancelled);
    QVERIFY(r.store->size() > 0 && r.store->size() < 30000);
    for (std::uint32_t i = 0; i < r.store->size(); ++i) {
        const std::string id(r.store->pools.auditIds.text(r.store->auditId[i].value));
        QCOMPARE(r.store->line[i], std::uint32_t(std::stoul(id.substr(2)) + 1));
    }
}

QTEST_GUILESS_MAIN(TestGzipSpill)
