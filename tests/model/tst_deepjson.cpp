// SPDX-License-Identifier: Apache-2.0
// Event bodies nested far deeper than any Kubernetes object (a compromised cluster can log
// them): everything that walks an event's JSON stops at MaxJsonDepth instead of overflowing the
// stack, and searches down to it.
#include "tst_deepjson.h"

#include "chain/chain.h"
#include "chain/chainintegrity.h"
#include "chain/chainjson.h"
#include "chain/eventdetail.h"
#include "chain/jsondiff.h"
#include "chain/jsonvalue.h"
#include "chain/objecthistory.h"
#include "common/limits.h"
#include "itemmodels/jsontreemodel.h"
#include "policy/requestattributes.h"
#include "query/queryengine.h"
#include "report/eventformat.h"
#include "report/rawfieldreader.h"
#include "testutil.h"

#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {

constexpr int HundredThousand = 100000;
const std::string T0 = "2025-03-14T09:00:00Z";

std::string nestedArrays(int depth, const std::string& inner)
{
    return std::string(std::size_t(depth), '[') + inner + std::string(std::size_t(depth), ']');
}

// `{"a":{"a":...{}...}}`: `depth` objects.
std::string nestedObjects(int depth)
{
    std::string out;
    for (int i = 1; i < depth; ++i)
        out += R"({"a":)";
    out += "{}";
    return out + std::string(std::size_t(depth - 1), '}');
}

// An update of pods/p1 whose requestObject comes first and whose responseObject is last.
std::string eventWithBodies(const std::string& requestObject, const std::string& responseObject)
{
    const std::string line = eventLine(
        "deep", "ResponseComplete", T0, T0, "update", R"(,"responseObject":)" + responseObject);
    return R"({"requestObject":)" + requestObject + "," + line.substr(1) + "\n";
}

std::size_t matches(const EventStore& store, const std::string& text)
{
    const ParseResult parsed = parseQuery(text);
    if (!parsed.ok())
        return 999;
    const RowSet rows = runQuery(store, *parsed.query).rows;
    return rows == runQueryBruteForce(store, *parsed.query) ? rows.size() : 998;
}

} // namespace

void TestDeepJson::rawMatcherSearchesDownToTheBound_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("inner"); // inside the arrays
    QTest::addColumn<int>("deepest"); // the most arrays that still match
    // The event's object is level 1, responseObject 2, the arrays 3 and on: the object holding
    // `a` is at level 3 + arrays, the innermost array at level 2 + arrays.
    QTest::newRow("path step in arrays") << QStringLiteral("responseObject.deep.a:1")
                                         << QStringLiteral(R"({"a":1})") << MaxJsonDepth - 3;
    QTest::newRow("leaf in arrays")
        << QStringLiteral("responseObject.deep:1") << QStringLiteral("1") << MaxJsonDepth - 2;
}

void TestDeepJson::rawMatcherSearchesDownToTheBound()
{
    QFETCH(QString, query);
    QFETCH(QString, inner);
    QFETCH(int, deepest);
    for (const int arrays : {deepest, deepest + 1, HundredThousand}) {
        const std::string body = R"({"deep":)" + nestedArrays(arrays, inner.toStdString()) + "}";
        const LoadResult r = loadText(eventWithBodies("{}", body));
        QCOMPARE(r.store->size(), std::size_t(1)); // a body deeper than the bound still loads
        QCOMPARE(matches(*r.store, query.toStdString()), std::size_t(arrays == deepest ? 1 : 0));
        QCOMPARE(matches(*r.store, "deep"), std::size_t(1)); // bare words read the text
    }
}

void TestDeepJson::hundredThousandDeepBodiesCrashNothing()
{
    const std::string deep = nestedArrays(HundredThousand, "1");
    const LoadResult r = loadText(eventWithBodies(deep, R"({"deep":)" + deep + "}"));
    QCOMPARE(r.store->size(), std::size_t(1));
    const EventStore& store = *r.store;
    const EventId id{0};
    QCOMPARE(matches(store, "requestObject.a:1 or responseObject.deep.a:1"), std::size_t(0));

    EventDetailReader details; // reads the bodies as raw text
    const EventDetail d = details.read(store, id);
    QVERIFY2(d.valid, d.error.c_str());
    QCOMPARE(d.requestObject, deep);
    QCOMPARE(d.requestUri, std::string("/api/v1/namespaces/default/pods/p1"));

    RawFieldReader reader; // skips the body to reach keys after it
    QCOMPARE(attributesOf(store, id, reader).name, std::string("p1"));
    std::string out;
    appendEvent(out, store, id, EventFormat::Jsonl, reader);
    QVERIFY(out.find("/api/v1/namespaces/default/pods/p1") != std::string::npos);

    std::string error;
    QVERIFY(!parseJson(deep, &error));
    QVERIFY2(error.find("deep") != std::string::npos, error.c_str());
    QCOMPARE(prettyJson(deep), deep);

    const EventStorePtr shared = r.store;
    const Chain chain = buildChain(store, *chainIntegrityFor(shared), "deep");
    QCOMPARE(chain.events.size(), std::size_t(1));
    QVERIFY(chainToJson(chain).find(deep) != std::string::npos);

    const ObjectHistory history = buildObjectHistory(store, *ObjectKey::of(store, id));
    QCOMPARE(history.entries.size(), std::size_t(1));
    QVERIFY(!historyToJson(history).empty());

    JsonTreeModel tree;
    tree.setJson(deep);
    QVERIFY(!tree.error().isEmpty());
}

void TestDeepJson::jsonValueAndTreeStopAtTheBound()
{
    for (const int depth : {MaxJsonDepth, MaxJsonDepth + 1}) {
        const bool within = depth <= MaxJsonDepth;
        const std::string text = nestedObjects(depth);
        std::string error;
        const std::optional<JsonValue> value = parseJson(text, &error);
        QCOMPARE(value.has_value(), within);
        if (within) {
            QCOMPARE(value->toJson(), text);
            QVERIFY(diffJson(&*value, &*value).empty());
        }
        JsonTreeModel tree;
        tree.setJson(text);
        QCOMPARE(tree.error().isEmpty(), within);
        QCOMPARE(tree.rowCount(), within ? 1 : 0);
        if (!within)
            QVERIFY(tree.error().contains(QString::number(MaxJsonDepth)));
    }
}

void TestDeepJson::jsonPatchCannotNestPastTheBound()
{
    // Copying a document into itself nests it deeper each time; a history of such patches
    // would grow without bound. A patch whose result would pass MaxJsonDepth is refused.
    const int depth = MaxJsonDepth / 2 + 10;
    JsonValue doc = *parseJson(nestedObjects(depth));
    std::string intoTheLeaf;
    for (int i = 1; i < depth; ++i)
        intoTheLeaf += "/a";
    const JsonValue copyAtTop = *parseJson(R"([{"op":"copy","from":"","path":"/b"}])");
    QVERIFY(applyJsonPatch(doc, copyAtTop));
    const JsonValue copyDown =
        *parseJson(R"([{"op":"copy","from":"","path":")" + intoTheLeaf + R"(/b"}])");
    std::string error;
    const JsonValue before = doc;
    QVERIFY(!applyJsonPatch(doc, copyDown, &error));
    QVERIFY2(error.find("deeper than") != std::string::npos, error.c_str());
    QVERIFY(doc == before);
}

QTEST_GUILESS_MAIN(TestDeepJson)
