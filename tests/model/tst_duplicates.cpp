// SPDX-License-Identifier: Apache-2.0
// Byte-identical events from several sources (overlapping files, a log collected twice) are
// kept once; the load report counts the copies and the kept event lists every place.
#include "testutil.h"

#include "chain/chainintegrity.h"
#include "load/loader.h"
#include "query/queryengine.h"
#include "report/eventformat.h"
#include "report/summary.h"
#include "source/sourcebuffer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <algorithm>
#include <set>

using namespace auditscope;
using namespace auditscope::test;

namespace {

const std::string T0 = "2025-03-14T09:00:00.000001Z";
const std::string T1 = "2025-03-14T09:00:00.250001Z";
const std::string T2 = "2025-03-14T09:00:00.500001Z";

// The 2,971 lines of the MicroK8s sample, in file order.
std::vector<std::string> sampleLines()
{
    const auto opened = SourceBuffer::open(AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz");
    std::vector<std::string> lines;
    if (!opened.buffer)
        return lines;
    const std::string_view bytes = opened.buffer->bytes();
    for (std::size_t pos = 0; pos < bytes.size();) {
        const std::size_t end = std::min(bytes.find('\n', pos), bytes.size());
        if (end > pos)
            lines.emplace_back(bytes.substr(pos, end - pos));
        pos = end + 1;
    }
    return lines;
}

std::string joinLines(const std::vector<std::string>& lines, std::size_t begin, std::size_t end)
{
    std::string text;
    for (std::size_t i = begin; i < end; ++i)
        text += lines[i] + "\n";
    return text;
}

std::multiset<std::string> rawEvents(const EventStore& store)
{
    std::multiset<std::string> raw;
    for (std::uint32_t row = 0; row < store.size(); ++row)
        raw.emplace(store.rawJson(EventId{row}));
    return raw;
}

// "path:line" of each dropped copy of `row`.
QStringList placesOf(const EventStore& store, std::uint32_t row)
{
    QStringList places;
    for (const EventStore::DuplicatePlace& place : store.duplicatePlacesOf(row))
        places << toQString(store.sources[place.source.value].path) + QLatin1Char(':')
                + QString::number(place.line);
    return places;
}

std::vector<EventId> query(const EventStore& store, std::string_view text)
{
    const ParseResult parsed = parseQuery(text);
    return parsed.ok() ? runQuery(store, *parsed.query).rows : std::vector<EventId>{};
}

} // namespace

class TestDuplicates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void overlappingSourcesLoadEachEventOnce()
    {
        const std::vector<std::string> lines = sampleLines();
        QCOMPARE(lines.size(), std::size_t(2971));
        // a.log: lines 1-2000; b.log: lines 1001-2971 (1,000 in common).
        const LoadResult r = loadAuditBuffers(
            {{"a.log", joinLines(lines, 0, 2000)}, {"b.log", joinLines(lines, 1000, 2971)}});
        const LoadResult whole = loadText(joinLines(lines, 0, 2971), "whole.log");
        QCOMPARE(r.store->size(), std::size_t(2971));
        QCOMPARE(r.report.duplicates, std::uint64_t(1000));
        QCOMPARE(r.report.sources[0].events, std::uint64_t(2000));
        QCOMPARE(r.report.sources[0].duplicates, std::uint64_t(0));
        QCOMPARE(r.report.sources[1].events, std::uint64_t(1971)); // read, copies included
        QCOMPARE(r.report.sources[1].duplicates, std::uint64_t(1000));
        QCOMPARE(r.report.sources[1].duplicatesOf.size(), std::size_t(1));
        QCOMPARE(r.report.sources[1].duplicatesOf[0].keptSource, 0u);
        QCOMPARE(describeDuplicates(r.report, 1),
            std::string("1000 duplicates of events already loaded from a.log"));
        QVERIFY(describeDuplicates(r.report, 0).empty());
        QVERIFY(rawEvents(*r.store) == rawEvents(*whole.store)); // the same events, once each
        QCOMPARE(r.store->duplicatePlaces.size(), std::size_t(1000));
        // The summary counts them (text and JSON).
        const Summary sum = summarize(*r.store);
        QCOMPARE(sum.events, std::uint64_t(2971));
        const QJsonObject json =
            QJsonDocument::fromJson(QByteArray::fromStdString(summaryJson(sum, r.report))).object();
        QCOMPARE(json.value(QStringLiteral("duplicates")).toInteger(), 1000);
        const QJsonObject b = json.value(QStringLiteral("sources")).toArray()[1].toObject();
        QCOMPARE(b.value(QStringLiteral("duplicates")).toInteger(), 1000);
        QCOMPARE(b.value(QStringLiteral("duplicatesOf"))
                     .toArray()[0]
                     .toObject()
                     .value(QStringLiteral("path"))
                     .toString(),
            QStringLiteral("a.log"));
        const QString text = toQString(summaryText(sum, r.report));
        QVERIFY2(text.contains(QStringLiteral("Duplicates:    1000")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral(
                     "b.log: 1971 events, 0 bad lines; 1000 duplicates of events already loaded "
                     "from a.log")),
            qPrintable(text));
    }

    void aDuplicateKeepsItsFirstPlaceAndListsTheOthers()
    {
        // Line 2 of a.log is repeated at a.log:4, b.log:1 and c.log:3 (CRLF and trailing blanks
        // are not part of an event). It has two sourceIPs: the extra one belongs to the kept row.
        std::string twoIps = eventLine("dup", "ResponseComplete", T0, T1);
        twoIps.replace(twoIps.find(R"(["10.0.0.1"])"), 12, R"(["10.0.0.1","10.0.0.2"])");
        const std::string other = eventLine("other", "ResponseComplete", T2, T2);
        const LoadResult r = loadAuditBuffers({
            {"a.log", other + "\n" + twoIps + "\n\n" + twoIps + "\n"},
            {"b.log", twoIps + "\r\n"},
            {"c.log", "\n\n" + twoIps + " \t\n"},
        });
        QCOMPARE(r.report.badLines, std::uint64_t(0));
        QCOMPARE(r.store->size(), std::size_t(2));
        const std::vector<EventId> dup = r.store->eventsWithAuditId("dup");
        QCOMPARE(dup.size(), std::size_t(1));
        const std::uint32_t row = dup[0].value;
        QCOMPARE(r.store->sourceOf(dup[0]).path, std::string("a.log"));
        QCOMPARE(r.store->line[row], 2u);
        QCOMPARE(placesOf(*r.store, row),
            (QStringList{
                QStringLiteral("a.log:4"), QStringLiteral("b.log:1"), QStringLiteral("c.log:3")}));
        QCOMPARE(r.store->extraSourceIps.size(), std::size_t(1));
        QCOMPARE(r.store->extraSourceIpsOf(row).size(), std::size_t(1));
        QCOMPARE(r.report.sources[0].duplicates, std::uint64_t(1));
        QCOMPARE(toQString(describeDuplicates(r.report, 0)),
            QStringLiteral("1 duplicate of an event already loaded earlier in this file"));
        QCOMPARE(describeDuplicates(r.report, 2),
            std::string("1 duplicate of an event already loaded from a.log"));
        // The other event has no copies.
        const std::vector<EventId> single = r.store->eventsWithAuditId("other");
        QVERIFY(placesOf(*r.store, single[0].value).isEmpty());
    }

    void eventsOutputListsTheOtherPlaces()
    {
        const std::string line = eventLine("dup", "ResponseComplete", T0, T1);
        const LoadResult r = loadAuditBuffers({{"a.log", line + "\n"}, {"b.log", line + "\n"}});
        QCOMPARE(r.store->size(), std::size_t(1));
        RawFieldReader reader;
        std::string jsonl, tsv;
        appendEvent(jsonl, *r.store, EventId{0}, EventFormat::Jsonl, reader);
        appendEvent(tsv, *r.store, EventId{0}, EventFormat::Tsv, reader);
        const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(jsonl)).object();
        QCOMPARE(o.value(QStringLiteral("file")).toString(), QStringLiteral("a.log"));
        QCOMPARE(
            o.value(QStringLiteral("alsoIn")).toArray(), QJsonArray{QStringLiteral("b.log:1")});
        QVERIFY(tsvHeader().ends_with("\tfile\tline\talsoIn\n"));
        QVERIFY2(tsv.ends_with("\ta.log\t1\tb.log:1\n"), tsv.c_str());
    }

    void fileTermMatchesAnEventByAnyOfItsPlaces()
    {
        const std::string shared = eventLine("shared", "ResponseComplete", T0, T1);
        const std::string onlyA = eventLine("only-a", "ResponseComplete", T2, T2);
        const LoadResult r = loadAuditBuffers(
            {{"/logs/a.log", shared + "\n" + onlyA + "\n"}, {"/copy/b.log", shared + "\n"}});
        QCOMPARE(r.store->size(), std::size_t(2));
        const std::vector<EventId> sharedRow = r.store->eventsWithAuditId("shared");
        QCOMPARE(query(*r.store, "file:b.log"), sharedRow);
        QCOMPARE(query(*r.store, "file:/copy/*").size(), std::size_t(1));
        QCOMPARE(query(*r.store, "file:a.log").size(), std::size_t(2));
        QCOMPARE(query(*r.store, "-file:b.log").size(), std::size_t(1));
    }

    void anEventThatDiffersInOneByteIsNotADuplicate()
    {
        // Same times, auditID, stage and length; one character of the user agent differs.
        const std::string line = eventLine("a1", "ResponseComplete", T0, T1);
        std::string changed = line;
        const std::size_t at = changed.find("kubectl/v1.29") + 12;
        changed[at] = '8';
        QCOMPARE(changed.size(), line.size());
        const LoadResult r = loadAuditBuffers({{"a.log", line + "\n"}, {"b.log", changed + "\n"}});
        QCOMPARE(r.store->size(), std::size_t(2));
        QCOMPARE(r.report.duplicates, std::uint64_t(0));
        QVERIFY(r.store->duplicatePlaces.empty());
    }

    void aReusedAuditIdWithOtherBytesIsKeptTwice()
    {
        // Same auditID, stage and times but another request (a client's own Audit-ID header):
        // a real finding, not a copy.
        const std::string get = eventLine("reused", "ResponseComplete", T0, T1, "get");
        const std::string del = eventLine("reused", "ResponseComplete", T0, T1, "delete");
        const LoadResult r = loadAuditBuffers({{"a.log", get + "\n"}, {"b.log", del + "\n"}});
        QCOMPARE(r.store->size(), std::size_t(2));
        QCOMPARE(r.report.duplicates, std::uint64_t(0));
        const ChainIntegrityPtr chains = ChainIntegrity::compute(*r.store);
        const std::uint32_t id = r.store->pools.auditIds.find("reused");
        QVERIFY(chains->flagsOf(AuditIdId{id}) & (ChainReused | ChainMultiServer));
    }

    void copiesOfOneLogAreOneServerInChains()
    {
        // The same log collected from two places, overlapping: a request received in the
        // overlap and completed after it is one request on one server, not a forwarded or
        // reused one.
        const std::string received = eventLine("req", "RequestReceived", T0, T0);
        const std::string complete = eventLine("req", "ResponseComplete", T0, T2);
        const std::string early = eventLine("early", "ResponseComplete", T0, T0, "list");
        const LoadResult single =
            loadAuditBuffers({{"/node1/audit.log", early + "\n" + received + "\n" + complete}});
        const LoadResult copies = loadAuditBuffers({
            {"/node1/audit.log", early + "\n" + received + "\n"},
            {"/backup/node1/audit.log", received + "\n" + complete + "\n"},
        });
        QCOMPARE(copies.store->size(), std::size_t(3));
        const ChainIntegrityPtr expected = ChainIntegrity::compute(*single.store);
        const ChainIntegrityPtr chains = ChainIntegrity::compute(*copies.store);
        const auto flagsOf = [](const EventStore& store, const ChainIntegrity& c) {
            return c.flagsOf(AuditIdId{store.pools.auditIds.find("req")});
        };
        QCOMPARE(flagsOf(*single.store, *expected), std::uint8_t(0));
        QCOMPARE(flagsOf(*copies.store, *chains), std::uint8_t(0));
        QCOMPARE(chains->lanes().size(), std::size_t(1));
        QCOMPARE(chains->laneOf(SourceId{1}), chains->laneOf(SourceId{0}));
    }

    void overlappingSampleChainsLookLikeTheOriginal()
    {
        const std::vector<std::string> lines = sampleLines();
        QCOMPARE(lines.size(), std::size_t(2971));
        const LoadResult whole = loadText(joinLines(lines, 0, 2971), "/a/audit.log");
        const LoadResult r = loadAuditBuffers({{"/a/audit.log", joinLines(lines, 0, 2000)},
            {"/b/audit.log", joinLines(lines, 1000, 2971)}});
        const ChainIntegrityPtr expected = ChainIntegrity::compute(*whole.store);
        const ChainIntegrityPtr chains = ChainIntegrity::compute(*r.store);
        QCOMPARE(chains->chains(), expected->chains());
        for (const ChainFlagInfo& info : chainFlagInfos())
            QCOMPARE(chains->chainsWith(info.flag), expected->chainsWith(info.flag));
        QCOMPARE(chains->chainsWith(ChainMultiServer | ChainReused), std::uint64_t(0));
    }

    void partialSnapshotsOfDuplicatesAreConsistent()
    {
        // a.log repeats each of its first 200 lines at once (a replayed file), then the rest;
        // b.log is a copy of the sample. Small chunks publish a partial snapshot first.
        const std::vector<std::string> lines = sampleLines();
        QCOMPARE(lines.size(), std::size_t(2971));
        std::string a;
        for (std::size_t i = 0; i < 200; ++i)
            a += lines[i] + "\n" + lines[i] + "\n";
        a += joinLines(lines, 200, 2971);
        std::vector<EventStorePtr> partial;
        LoadOptions options;
        options.chunkBytes = 16 << 10;
        options.preludeBytes = 64 << 10;
        options.threads = 2;
        options.onPartialSnapshot = [&](EventStorePtr store) { partial.push_back(store); };
        const LoadResult r =
            loadAuditBuffers({{"a.log", a}, {"b.log", joinLines(lines, 0, 2971)}}, {}, options);
        QCOMPARE(partial.size(), std::size_t(1));
        const EventStore& first = *partial[0];
        QVERIFY(first.size() > 0 && first.size() < 2971);
        QVERIFY(!first.duplicatePlaces.empty());
        const std::multiset<std::string> firstRaw = rawEvents(first);
        QCOMPARE(std::set<std::string>(firstRaw.begin(), firstRaw.end()).size(), first.size());
        for (const EventStore::DuplicatePlace& place : first.duplicatePlaces) {
            QVERIFY(place.row < first.size());
            QCOMPARE(place.line, first.line[place.row] + 1); // the repeat follows its original
        }
        QCOMPARE(r.store->size(), std::size_t(2971));
        QCOMPARE(r.report.sources[0].duplicates, std::uint64_t(200));
        QCOMPARE(r.report.sources[1].duplicates, std::uint64_t(2971));
        QCOMPARE(r.report.duplicates, std::uint64_t(3171));
    }

    void aWholeSourceCopySaysSo()
    {
        const std::vector<std::string> lines = sampleLines();
        const std::string log = joinLines(lines, 0, lines.size());
        const LoadResult r = loadAuditBuffers({{"audit.log", log}, {"audit (copy).log", log}});
        QCOMPARE(r.store->size(), std::size_t(2971));
        QCOMPARE(r.report.sources[1].events, std::uint64_t(2971));
        QCOMPARE(r.report.sources[1].duplicates, std::uint64_t(2971));
        QCOMPARE(r.report.sources[1].firstTimeNs, r.report.sources[0].firstTimeNs);
        QCOMPARE(r.report.sources[1].lastTimeNs, r.report.sources[0].lastTimeNs);
        QCOMPARE(describeDuplicates(r.report, 1),
            std::string("all 2971 events are duplicates of events already loaded from "
                        "audit.log: the same log given twice"));
        const std::string text = summaryText(summarize(*r.store), r.report);
        QVERIFY2(text.find("audit (copy).log: 2971 events, 0 bad lines; all 2971 events are "
                           "duplicates of events already loaded from audit.log: the same log "
                           "given twice")
                != std::string::npos,
            text.c_str());
    }
};

QTEST_GUILESS_MAIN(TestDuplicates)
#include "tst_duplicates.moc"
