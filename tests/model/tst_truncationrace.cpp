// SPDX-License-Identifier: Apache-2.0
// A mapped log truncated while it loads (logrotate's copytruncate): simdjson reads a line twice
// (index, then values), so bytes turning to NUL in between used to crash the parser.
#include "testutil.h"

#include "load/loader.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include <unistd.h>

using namespace auditscope;
using namespace auditscope::test;

class TestTruncationRace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void truncatingWhileLoadingNeverCrashes();
};

namespace {

const std::string T0 = "2025-03-14T09:00:00.000000Z";

// Events with bodies long enough that a truncation often lands inside a line being parsed.
std::string makeLog(int events, std::set<std::string>& ids)
{
    std::string text;
    const std::string body = R"(,"requestObject":{"spec":{"containers":[{"name":"c","args":[")"
        + std::string(600, 'a') + R"("]}]}})";
    for (int i = 0; i < events; ++i) {
        const std::string id = "id-" + std::to_string(i);
        ids.insert(id);
        text += eventLine(id, "ResponseComplete", T0, T0, "create", body) + "\n";
    }
    return text;
}

} // namespace

void TestTruncationRace::truncatingWhileLoadingNeverCrashes()
{
    QTemporaryDir dir;
    std::set<std::string> ids;
    const int events = 6000;
    const std::string text = makeLog(events, ids);
    const std::string path = dir.filePath(QStringLiteral("audit.log")).toStdString();
    std::mt19937 random(15);
    LoadOptions options;
    options.threads = 2;
    options.chunkBytes = 64 << 10; // many chunks: workers are mid-file when it shrinks
    options.preludeBytes = 64 << 10;
    for (int iteration = 0; iteration < 50; ++iteration) {
        {
            QFile file(QString::fromStdString(path));
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(text.data(), qint64(text.size()));
        }
        const auto seed = random();
        std::atomic<bool> loading{true};
        std::jthread truncator([&, seed] {
            std::mt19937 r(seed);
            off_t size = off_t(text.size());
            // Shrinks the file at random points until the load ends, as a rotation would.
            while (loading.load() && size > 0) {
                std::this_thread::sleep_for(std::chrono::microseconds(r() % 2000));
                size = off_t(r() % std::uint64_t(size));
                if (::truncate(path.c_str(), size) != 0)
                    return;
            }
        });
        const LoadResult result = loadAuditLogs({path}, {}, options);
        loading = false;
        truncator.join();
        // Sane: nothing invented, nothing counted twice.
        QVERIFY(result.store->size() <= std::size_t(events));
        QVERIFY(result.store->size() + result.report.badLines <= std::uint64_t(events) + 1);
        for (const std::string& id : auditIds(*result.store))
            QVERIFY2(ids.count(id) == 1, id.c_str());
    }
}

QTEST_GUILESS_MAIN(TestTruncationRace)
#include "tst_truncationrace.moc"
