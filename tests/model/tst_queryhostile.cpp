// SPDX-License-Identifier: Apache-2.0
// Queries a user may type or paste that once crashed or silently matched nothing: deep nesting,
// text that is not UTF-8, `*` in bare words, policy terms without a policy.
#include "tst_queryhostile.h"

#include "common/limits.h"
#include "query/policyterms.h"
#include "query/queryengine.h"
#include "query/queryrunner.h"
#include "testutil.h"

#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {

// `depth` openings of one kind around `verb:get` (closed when the form has a closing).
std::string nestedQuery(const QString& form, int depth)
{
    const auto n = static_cast<std::size_t>(depth);
    if (form == QLatin1String("parentheses"))
        return std::string(n, '(') + "verb:get" + std::string(n, ')');
    if (form == QLatin1String("value groups")) // verb:((((get))))
        return "verb:" + std::string(n, '(') + "get" + std::string(n, ')');
    if (form == QLatin1String("not"))
        return [n] {
            std::string q;
            for (std::size_t i = 0; i < n; ++i)
                q += "not ";
            return q + "verb:get";
        }();
    const char prefix = form == QLatin1String("!") ? '!' : '-';
    return std::string(n, prefix) + "verb:get";
}

// The byte offset where the opening number `k` (1-based) of the form starts.
std::size_t openingOffset(const QString& form, int k)
{
    const auto i = static_cast<std::size_t>(k - 1);
    if (form == QLatin1String("value groups"))
        return 5 + i;
    return form == QLatin1String("not") ? 4 * i : i;
}

void addForms()
{
    QTest::addColumn<QString>("form");
    for (const char* form : {"parentheses", "value groups", "not", "!", "-"})
        QTest::newRow(form) << QString::fromLatin1(form);
}

LoadResult& twoGets()
{
    static LoadResult r = loadText(
        eventLine("a", "ResponseComplete", "2025-03-14T09:00:00Z", "2025-03-14T09:00:01Z", "get")
        + "\n"
        + eventLine("b", "ResponseComplete", "2025-03-14T09:00:02Z", "2025-03-14T09:00:03Z", "list")
        + "\n");
    return r;
}

} // namespace

void TestQueryHostile::nestingUpToTheLimitParsesAndRuns_data()
{
    addForms();
}

void TestQueryHostile::nestingUpToTheLimitParsesAndRuns()
{
    QFETCH(QString, form);
    const ParseResult parsed = parseQuery(nestedQuery(form, MaxQueryNesting));
    QVERIFY2(parsed.ok(), parsed.error.toString().c_str());
    QVERIFY(!parsed.query->toString().empty()); // the printer walks the whole tree
    // An even number of negations selects the gets, an odd one the rest.
    const EventStore& store = *twoGets().store;
    const bool negated = form != QLatin1String("parentheses")
        && form != QLatin1String("value groups") && MaxQueryNesting % 2 == 1;
    const RowSet rows = runQuery(store, *parsed.query).rows;
    QCOMPARE(rows.size(), std::size_t(1));
    QCOMPARE(rows.front().value, negated ? 1u : 0u);
    QCOMPARE(runQueryBruteForce(store, *parsed.query), rows);
}

void TestQueryHostile::nestingPastTheLimitIsALocatedError_data()
{
    addForms();
}

void TestQueryHostile::nestingPastTheLimitIsALocatedError()
{
    QFETCH(QString, form);
    const std::string expected = "nesting deeper than " + std::to_string(MaxQueryNesting);
    for (const int depth : {MaxQueryNesting + 1, 100000}) {
        const std::string text = nestedQuery(form, depth);
        const ParseResult parsed = parseQuery(text); // once a stack overflow
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error.message, expected);
        // At the opening that goes one level too deep.
        QCOMPARE(parsed.error.offset, openingOffset(form, MaxQueryNesting + 1));
        QCOMPARE(parsed.error.column, parsed.error.offset + 1);
        QVERIFY(!readsPolicyResult(std::string_view(text)));
    }
}

void TestQueryHostile::invalidUtf8IsALocatedError_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("column"); // 0: valid
    QTest::newRow("valid non-ASCII")
        << QByteArray("ns:\xc3\xa9\xe2\x82\xac \"\xf0\x9f\x98\x80\"") << 0;
    QTest::newRow("0xFF") << QByteArray("verb:get \xff") << 10;
    QTest::newRow("after a two-byte character") << QByteArray("ns:\xc3\xa9\x80") << 5;
    QTest::newRow("Latin-1 in a quoted value") << QByteArray("user:\"j\xf6rg\"") << 8;
    QTest::newRow("overlong slash") << QByteArray("uri:\xc0\xaf") << 5;
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << 1;
    QTest::newRow("above U+10FFFF") << QByteArray("x \xf4\x90\x80\x80") << 3;
    QTest::newRow("cut at the end") << QByteArray("verb:get \xe2\x82") << 10;
}

void TestQueryHostile::invalidUtf8IsALocatedError()
{
    QFETCH(QByteArray, text);
    QFETCH(int, column);
    const ParseResult parsed = parseQuery(std::string_view(text.constData(), text.size()));
    if (column == 0) {
        QVERIFY2(parsed.ok(), parsed.error.toString().c_str());
        return;
    }
    QVERIFY(!parsed.ok());
    QCOMPARE(int(parsed.error.column), column);
    QVERIFY2(
        parsed.error.message.starts_with("invalid UTF-8 (byte 0x"), parsed.error.message.c_str());
}

void TestQueryHostile::loneSurrogateInFilterTextIsALocatedError()
{
    // A QString holds no invalid UTF-8, but a pasted lone surrogate; toUtf8() would replace it.
    QString text = QStringLiteral("ns:\u00e9 x");
    text.append(QChar(0xD800));
    const ParseResult parsed = parseFilterText(text, text.toUtf8());
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error.column, std::size_t(7));
    QCOMPARE(parsed.error.offset, std::size_t(7)); // bytes: é is two
    QVERIFY2(
        parsed.error.message.find("U+D800") != std::string::npos, parsed.error.message.c_str());
    const QString pair = QStringLiteral("\"\U0001F600\"");
    QVERIFY(parseFilterText(pair, pair.toUtf8()).ok());
}

void TestQueryHostile::starInABareWordIsAWildcard()
{
    const std::string t0 = "2025-03-14T09:00:00Z";
    const LoadResult r = loadText(eventLine("star", "ResponseComplete", t0, t0, "get",
                                      R"(,"annotations":{"note":"lit*eral"})")
        + "\n"
        + eventLine(
            "plain", "ResponseComplete", t0, t0, "get", R"(,"annotations":{"note":"literal"})")
        + "\n");
    QCOMPARE(r.store->size(), std::size_t(2));
    const auto idsOf = [&](const std::string& text) {
        const ParseResult parsed = parseQuery(text);
        if (!parsed.ok())
            return std::vector<std::string>{"bad query: " + parsed.error.toString()};
        const RowSet rows = runQuery(*r.store, *parsed.query).rows;
        if (runQueryBruteForce(*r.store, *parsed.query) != rows)
            return std::vector<std::string>{"engine and brute force differ"};
        std::vector<std::string> ids;
        for (const EventId id : rows)
            ids.emplace_back(r.store->pools.auditIds.text(r.store->auditId[id.value].value));
        std::sort(ids.begin(), ids.end());
        return ids;
    };
    using Ids = std::vector<std::string>;
    // A bare word's `*` matches any run of characters, as in values...
    QCOMPARE(idsOf("lit*eral"), (Ids{"plain", "star"}));
    QCOMPARE(idsOf("note*lit*ral"), (Ids{"plain", "star"}));
    QCOMPARE(idsOf("lit*zzz"), Ids{});
    QCOMPARE(idsOf("*"), (Ids{"plain", "star"}));
    // ...and a quoted phrase is the way to search for a literal star.
    QCOMPARE(idsOf(R"("lit*eral")"), Ids{"star"});
    QCOMPARE(parseQuery("lit*eral").query->toString(), std::string(R"(text:"lit*eral")"));
    QCOMPARE(parseQuery(R"("lit*eral")").query->toString(), std::string(R"(literal:"lit*eral")"));
}

void TestQueryHostile::policyTermsAreLocatedForACallerWithoutAPolicy()
{
    const std::string text = "verb:get and (emitted:false or rule:3)";
    const ParseResult parsed = parseQuery(text);
    QVERIFY(parsed.ok());
    const QueryNode* term = firstPolicyTerm(*parsed.query);
    QVERIFY(term);
    QCOMPARE(term->offset, std::size_t(14));
    QCOMPARE(term->field, QueryField::Emitted);
    QVERIFY(!firstPolicyTerm(*parseQuery("verb:get ruler").query));
}

// Found by the query fuzz target: the amount times its unit overflowed (UBSan), and a relative
// time far from the last event wrapped around.
void TestQueryHostile::hugeRelativeTimesDoNotOverflow()
{
    const ParseResult tooLong = parseQuery("stagetime <= now-133333333333333333m");
    QVERIFY(!tooLong.ok());
    QVERIFY2(tooLong.error.message.find("expected a duration") != std::string::npos,
        tooLong.error.message.c_str());
    const EventStore& store = *twoGets().store;
    // 100,000 days is a valid duration, but past the last event it leaves int64 nanoseconds.
    for (const auto& [text, expected] : {std::pair{"time < now+100000d", std::size_t(2)},
             std::pair{"time > now+100000d", std::size_t(0)},
             std::pair{"time > now-100000d", std::size_t(2)},
             std::pair{"time < now-100000d", std::size_t(0)}}) {
        const ParseResult parsed = parseQuery(text);
        QVERIFY2(parsed.ok(), text);
        QCOMPARE(runQuery(store, *parsed.query).rows.size(), expected);
        QCOMPARE(runQueryBruteForce(store, *parsed.query).size(), expected);
    }
}

QTEST_GUILESS_MAIN(TestQueryHostile)
