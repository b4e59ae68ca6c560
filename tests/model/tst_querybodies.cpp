// SPDX-License-Identifier: Apache-2.0
#include "tst_querybodies.h"

#include "query/bytesearch.h"
#include "query/queryengine.h"
#include "query/rowmatcher.h"
#include "testutil.h"

#include <QtTest>

#include <sys/mman.h>
#include <unistd.h>

#include <random>

using namespace auditscope;
using namespace auditscope::test;

namespace {

const std::string T0 = "2025-03-14T09:00:00.000000Z";

// An event whose `extra` members follow the usual ones (start it with a comma).
std::string eventWith(const std::string& id, const std::string& extra)
{
    return eventLine(id, "ResponseComplete", T0, T0, "create", extra);
}

Query parsed(const std::string& text)
{
    ParseResult r = parseQuery(text);
    if (!r.ok())
        qFatal("test query '%s': %s", text.c_str(), r.error.toString().c_str());
    return std::move(*r.query);
}

// The engine's rows for `text` in `rows`; false, saying why in `why`, unless the reference
// evaluator and the detection engine's row matcher (with its body-flag shortcut) agree.
bool agreedRows(const EventStore& store, const std::string& text, RowSet& rows, std::string& why)
{
    const Query query = parsed(text);
    rows = runQuery(store, query).rows;
    const RowSet brute = runQueryBruteForce(store, query);
    const RowMatcher matcher(store, query, {}, true);
    RawMatcher raw;
    RowSet detected;
    for (std::uint32_t row = 0; row < store.size(); ++row)
        if (matcher.matches(row, raw))
            detected.push_back(EventId{row});
    why = "'" + text + "': engine " + std::to_string(rows.size()) + " rows, row matcher "
        + std::to_string(detected.size()) + ", reference " + std::to_string(brute.size());
    return rows == brute && detected == brute;
}

// QVERIFY that the engine, the row matcher and the reference agree on `text`; `rows` gets them.
#define VERIFY_AGREED(store, text, rows)                                                           \
    do {                                                                                           \
        std::string why;                                                                           \
        QVERIFY2(agreedRows(store, text, rows, why), why.c_str());                                 \
    } while (false)

std::vector<std::string> idsOf(const EventStore& store, const RowSet& rows)
{
    std::vector<std::string> ids;
    for (EventId e : rows)
        ids.emplace_back(store.pools.auditIds.text(store.auditId[e.value].value));
    return ids;
}

} // namespace

void TestQueryBodies::containsBytesAgreesWithFind()
{
    std::mt19937 rng(17);
    // A small alphabet, so that partial matches (first and last byte, not the middle) abound.
    auto text = [&](std::size_t size) {
        std::string s(size, 'a');
        for (char& c : s)
            c = "abc\n\"\\"[rng() % 6];
        return s;
    };
    for (int i = 0; i < 20000; ++i) {
        const std::string haystack = text(rng() % 150);
        std::string needle = text(rng() % 8);
        if (rng() % 3 == 0
            && haystack.size() > 0) { // one taken from the haystack, often at its end
            const std::size_t at = rng() % 2
                ? haystack.size() - std::min<std::size_t>(haystack.size(), 5)
                : rng() % haystack.size();
            needle = haystack.substr(at, 1 + rng() % 40);
        }
        const bool expected = haystack.find(needle) != std::string::npos;
        QVERIFY2(containsBytes(haystack, needle) == expected,
            ("'" + needle + "' in '" + haystack + "'").c_str());
    }
}

void TestQueryBodies::containsBytesReadsNothingPastTheEnd()
{
    // Haystacks that end where an unreadable page starts: a read past the end crashes.
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    void* block =
        mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    QVERIFY(block != MAP_FAILED);
    char* end = static_cast<char*>(block) + page;
    QCOMPARE(mprotect(end, page, PROT_NONE), 0);
    std::memset(block, 'x', page);
    for (std::size_t size = 0; size <= 200; ++size) {
        const std::string_view haystack(end - size, size);
        QVERIFY(!containsBytes(haystack, "xy"));
        QCOMPARE(containsBytes(haystack, "xxx"), size >= 3);
        QCOMPARE(containsBytes(haystack, std::string(40, 'x')), size >= 40);
    }
    end[-1] = 'y';
    QVERIFY(containsBytes(std::string_view(end - 64, 64), "xy"));
    QVERIFY(containsBytes(std::string_view(end - 2, 2), "xy"));
    munmap(block, 2 * page);
}

void TestQueryBodies::oddlyWrittenMembersStillMatch_data()
{
    QTest::addColumn<QByteArray>("body"); // the members that hold the privileged container
    QTest::addColumn<bool>("matches");
    const std::string pod = R"({"spec":{"containers":[{"securityContext":{"privileged":true}}]}})";
    auto row = [](const char* name, const std::string& body, bool matches) {
        QTest::newRow(name) << QByteArray::fromStdString(body) << matches;
    };
    row("as written", R"(,"requestObject":)" + pod, true);
    row("another case", R"(,"RequestObject":)" + pod, true);
    row("all lower case", R"(,"requestobject":)" + pod, true);
    row("escaped key", R"(,"request\u004fbject":)" + pod, true);
    // A path's first key decides; the loader keeps the last (null: no member), and warns.
    row("given twice, null last", R"(,"requestObject":)" + pod + R"(,"requestObject":null)", true);
    row("given twice, null first", R"(,"requestObject":null,"requestObject":)" + pod, false);
    row("in an array", R"(,"requestObject":[)" + pod + "]", true);
    row("null", R"(,"requestObject":null)", false);
    row("another member", R"(,"requestObjects":)" + pod, false);
}

void TestQueryBodies::oddlyWrittenMembersStillMatch()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, matches);
    const std::string plain = eventWith("plain", {});
    const LoadResult r = loadText(plain + "\n" + eventWith("odd", body.toStdString()) + "\n");
    QCOMPARE(r.store->size(), std::size_t(2));
    RowSet rows;
    VERIFY_AGREED(*r.store, "requestObject.spec.containers.securityContext.privileged:true", rows);
    QCOMPARE(idsOf(*r.store, rows),
        matches ? std::vector<std::string>{"odd"} : std::vector<std::string>{});
    // The same spellings of the other members.
    for (const char* term : {"responseStatus.metadata:*", "objectRef.name:p1"}) {
        VERIFY_AGREED(*r.store, term, rows);
        QCOMPARE(rows.size(), std::size_t(2));
    }
}

void TestQueryBodies::bodyTermsReadOnlyEventsThatMayHaveTheMember()
{
    const std::string pod = R"({"spec":{"privileged":true}})";
    const LoadResult r = loadText(eventWith("a", {}) + "\n" + eventWith("b", {}) + "\n"
        + eventWith("c", R"(,"requestObject":)" + pod) + "\n"
        + eventWith("d", R"(,"RequestObject":)" + pod) + "\n" + eventWith("e", {}) + "\n");
    const EventStore& store = *r.store;
    const QueryResult body = runQuery(store, parsed("requestObject.spec.privileged:true"));
    QCOMPARE(idsOf(store, body.rows), (std::vector<std::string>{"c", "d"}));
    QCOMPARE(body.rawEventsScanned, std::uint64_t(2)); // c (flagged) and d (warned about)
    // A bare word and a path outside the members read every event.
    QCOMPARE(runQuery(store, parsed("privileged")).rawEventsScanned, std::uint64_t(5));
    QCOMPARE(runQuery(store, parsed("user.extra.scope:x")).rawEventsScanned, std::uint64_t(5));
    // One step: the member's own value, null included, so every event is read.
    QCOMPARE(runQuery(store, parsed("requestObject:*")).rawEventsScanned, std::uint64_t(5));
}

void TestQueryBodies::shortcutsEqualBruteForceOnGeneratedBodies()
{
    std::mt19937 rng(23);
    auto pick = [&](std::initializer_list<const char*> options) {
        return std::string(*(options.begin() + rng() % options.size()));
    };
    auto pod = [&] {
        return R"({"kind":"Pod","spec":{"hostPID":)" + pick({"true", "false"})
            + R"(,"containers":[{"name":"a","securityContext":{"privileged":)"
            + pick({"true", "false", "\"true\""}) + R"(}}],"replicas":)" + pick({"1", "3"}) + "}}";
    };
    std::string log;
    for (int i = 0; i < 1500; ++i) {
        const std::string member = pick({"requestObject", "requestObject", "responseObject",
            "RequestObject", "request\\u004fbject", "requestobject", "objectref"});
        std::string extra;
        switch (rng() % 6) {
        case 0:
            break; // Metadata: no body
        case 1:
            extra = ",\"" + member + "\":" + pod();
            break;
        case 2:
            extra = ",\"" + member + "\":null";
            break;
        case 3:
            extra = ",\"" + member + "\":" + pod() + ",\"" + member + "\":" + pick({"null", "{}"});
            break;
        case 4:
            extra = ",\"" + member + "\":[" + pod() + "," + pod() + "]";
            break;
        default:
            extra = R"(,"requestObject":)" + pod() + R"(,"responseObject":)" + pod();
            break;
        }
        const std::string line = eventWith("id-" + std::to_string(i), extra);
        if (rng() % 10 == 0) // an EventList of one item
            log +=
                R"({"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[)" + line + "]}\n";
        else
            log += line + "\n";
    }
    const LoadResult r = loadText(log, "bodies.log");
    QCOMPARE(r.store->size(), std::size_t(1500));
    const std::vector<std::string> atoms{
        "requestObject.spec.containers.securityContext.privileged:true",
        "requestObject.spec.hostPID:true", "responseObject.spec.replicas > 2",
        "requestObject.spec.containers.name:a", "responseObject.kind:Pod", "objectRef.kind:Pod",
        "requestObject.spec:*", "requestObject:null", "privileged", "\"hostPID\":true",
        "verb:create", "requestobject.SPEC.hostpid:false", "objectRef.name:p1"};
    RowSet rows;
    for (const std::string& atom : atoms)
        VERIFY_AGREED(*r.store, atom, rows);
    for (int i = 0; i < 200; ++i) {
        const std::string a = atoms[rng() % atoms.size()], b = atoms[rng() % atoms.size()];
        VERIFY_AGREED(*r.store, pick({"", "not "}) + a + pick({" and ", " or "}) + b, rows);
    }
    // Events that spell the member oddly are among the matches.
    RowSet hostPid;
    VERIFY_AGREED(*r.store, "requestObject.spec.hostPID:true", hostPid);
    QVERIFY(std::any_of(hostPid.begin(), hostPid.end(), [&](EventId e) {
        return r.store->rawJson(e).find("\"requestObject\"") == std::string_view::npos;
    }));
}

QTEST_GUILESS_MAIN(TestQueryBodies)
