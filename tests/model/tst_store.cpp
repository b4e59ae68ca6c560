// SPDX-License-Identifier: Apache-2.0
#include "store/auditidpool.h"
#include "store/compactcolumns.h"
#include "store/packedidcolumn.h"
#include "store/postingindex.h"
#include "store/stringpool.h"

#include <QtTest>

#include <random>

using namespace auditscope;

class TestStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void internReturnsStableDenseIds()
    {
        StringPool pool;
        QCOMPARE(pool.intern("get"), 0u);
        QCOMPARE(pool.intern("list"), 1u);
        QCOMPARE(pool.intern("get"), 0u);
        QCOMPARE(pool.intern(""), 2u);
        QCOMPARE(pool.find("list"), 1u);
        QCOMPARE(pool.find("watch"), UINT32_MAX);
        QCOMPARE(QString::fromUtf8(pool.view(1).data(), 4), QStringLiteral("list"));
    }

    void internSurvivesGrowthAndKeepsViewsValid()
    {
        StringPool pool;
        std::vector<std::string> strings;
        for (int i = 0; i < 100000; ++i)
            strings.push_back(
                "system:serviceaccount:ns" + std::to_string(i % 977) + ":sa" + std::to_string(i));
        std::vector<std::string_view> views;
        for (const auto& s : strings)
            views.push_back(pool.view(pool.intern(s)));
        QCOMPARE(pool.size(), 100000u);
        for (std::size_t i = 0; i < strings.size(); ++i) {
            QCOMPARE(views[i], std::string_view(strings[i])); // chunk storage never moves
            QCOMPARE(pool.find(strings[i]), std::uint32_t(i));
        }
    }

    void packedColumnPicksWidthAndKeepsNone_data()
    {
        QTest::addColumn<quint32>("distinct");
        QTest::addColumn<int>("width");
        QTest::newRow("verbs fit a byte") << 10u << 1;
        QTest::newRow("254 values still a byte") << 254u << 1;
        QTest::newRow("255 values need two bytes (0 is none)") << 255u << 2;
        QTest::newRow("names need four") << 70000u << 4;
    }
    void packedColumnPicksWidthAndKeepsNone()
    {
        QFETCH(quint32, distinct);
        QFETCH(int, width);
        const std::uint32_t rows = 1003; // not a multiple of countValues()' four tallies
        PackedIdColumn<UserId> column(rows, distinct);
        QCOMPARE(column.width(), width);
        for (std::uint32_t row = 0; row < rows; ++row) {
            if (row % 7 == 0)
                column.set(row, UserId{});
            else
                column.set(row, UserId{(row * 7919) % distinct});
        }
        std::vector<std::uint64_t> expected(distinct, 0);
        for (std::uint32_t row = 0; row < rows; ++row) {
            if (row % 7 == 0) {
                QVERIFY(!column[row]);
            } else {
                QCOMPARE(column[row].value, (row * 7919) % distinct);
                ++expected[column[row].value];
            }
        }
        std::vector<std::uint64_t> counts(distinct, 1); // counts are added
        column.countValues(counts);
        for (std::uint64_t& c : counts)
            --c;
        QVERIFY(counts == expected);
    }

    void latencyColumnKeepsEveryValueExactly()
    {
        const std::vector<std::int64_t> latencies{0, 1000, 250'000'000'000, // common: whole µs
            2'147'483'647'000, // largest inline value
            2'147'483'648'000, // 35.8 min: exception
            -5'000, // clock skew: exception
            123'456'789, // ns precision: exception
            7'200'000'000'000}; // a 2-hour exec session
        LatencyColumn column;
        column.resize(latencies.size());
        for (std::size_t i = 0; i < latencies.size(); ++i)
            column.set(i, latencies[i]);
        for (std::size_t i = 0; i < latencies.size(); ++i)
            QCOMPARE(column[i], latencies[i]);
        QVERIFY(column.memoryBytes() < latencies.size() * 4 + 5 * 8 + 64);
    }

    void offsetColumnReachesPastFourGigabytes()
    {
        OffsetColumn column;
        column.resize(3);
        column.set(0, 0);
        column.set(1, 0xFFFFFFFFull);
        column.set(2, 0xFF45678901ull); // just under 1 TiB
        QCOMPARE(column[0], 0ull);
        QCOMPARE(column[1], 0xFFFFFFFFull);
        QCOMPARE(column[2], 0xFF45678901ull);
    }

    void auditIdPoolStoresUuidsCompactlyAndOthersAsText()
    {
        AuditIdPool pool;
        const std::string uuid = "7dc9c3c6-cd31-482f-8bba-dedec37361c0";
        const std::uint32_t a = pool.intern(uuid);
        const std::uint32_t b = pool.intern("my-own-audit-id"); // client-chosen (spec §8)
        const std::uint32_t c =
            pool.intern("7DC9C3C6-CD31-482F-8BBA-DEDEC37361C0"); // not canonical
        QCOMPARE(pool.intern(uuid), a);
        QCOMPARE(pool.intern("my-own-audit-id"), b);
        QVERIFY(a != b && b != c && a != c);
        QCOMPARE(pool.text(a), uuid);
        QCOMPARE(pool.text(b), std::string("my-own-audit-id"));
        QCOMPARE(pool.text(c), std::string("7DC9C3C6-CD31-482F-8BBA-DEDEC37361C0")); // unchanged
        QCOMPARE(pool.find(uuid), a);
        QCOMPARE(pool.find("nope"), UINT32_MAX);
        QCOMPARE(pool.find("00000000-0000-0000-0000-000000000000"), UINT32_MAX);
        // Merging pools (as the store builder does) keeps identities.
        AuditIdPool merged;
        merged.intern("first");
        QCOMPARE(merged.text(merged.internFrom(pool, a)), uuid);
        QCOMPARE(merged.text(merged.internFrom(pool, b)), std::string("my-own-audit-id"));
        QCOMPARE(merged.internFrom(pool, a), merged.find(uuid));
        // Many ids survive growth.
        AuditIdPool big;
        for (int i = 0; i < 100000; ++i) {
            char text[37];
            std::snprintf(text, sizeof text, "%08x-0000-4000-8000-%012x", i * 2654435761u, i);
            QCOMPARE(big.intern(text), std::uint32_t(i));
        }
        QCOMPARE(big.text(77777).substr(24), std::string("000000012fd1")); // 77777 = 0x12fd1
        QVERIFY(big.memoryBytes() < 100000 * 36); // less than the text alone, hash table included
    }

    void postingListsMatchBruteForce()
    {
        std::mt19937 rng(42);
        const std::uint32_t keys = 300;
        std::vector<std::uint32_t> column(200000);
        for (auto& k : column) {
            // Skewed: a few dense keys (1-byte deltas), many sparse ones (multi-byte deltas),
            // and some rows with no key at all.
            const std::uint32_t r = rng() % 1000;
            k = r < 50 ? UINT32_MAX : r < 700 ? r % 3 : 3 + rng() % (keys - 3);
        }
        const PostingIndex index =
            PostingIndex::build(column.size(), keys, [&](std::size_t row) { return column[row]; });
        for (std::uint32_t key = 0; key < keys; ++key) {
            std::vector<EventId> expected;
            for (std::uint32_t row = 0; row < column.size(); ++row) {
                if (column[row] == key)
                    expected.push_back(EventId{row});
            }
            QCOMPARE(index.count(key), std::uint32_t(expected.size()));
            QVERIFY(index.events(key) == expected);
        }
        QCOMPARE(index.count(keys + 5), 0u); // unknown key: empty, not a crash
        QVERIFY(index.events(keys + 5).empty());
        // Dense keys cost about a byte per entry.
        QVERIFY(index.memoryBytes() < column.size() * 2);
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
