// SPDX-License-Identifier: Apache-2.0
#include "tst_objecthistory.h"

#include "chain/jsondiff.h"
#include "chain/jsonvalue.h"
#include "chain/objecthistory.h"
#include "common/timestamp.h"
#include "testutil.h"

#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {

const std::string HistoryLog = AUDITSCOPE_TEST_DATA_DIR "/chain/object-history.log";

JsonValue json(std::string_view text)
{
    std::string error;
    std::optional<JsonValue> v = parseJson(text, &error);
    if (!v)
        qFatal("bad test JSON %s: %s", std::string(text).c_str(), error.c_str());
    return std::move(*v);
}

// "op path old new" per change, values as compact JSON.
QStringList describe(const std::vector<JsonChange>& changes)
{
    QStringList out;
    for (const JsonChange& c : changes) {
        QString line = toQString(jsonChangeKindName(c.kind)) + QLatin1Char(' ') + toQString(c.path);
        if (c.kind != JsonChange::Kind::Added)
            line += QLatin1Char(' ') + toQString(c.oldValue);
        if (c.kind != JsonChange::Kind::Removed)
            line += QLatin1Char(' ') + toQString(c.newValue);
        out << line;
    }
    return out;
}

const ObjectHistory& configMapHistory()
{
    static const LoadResult load = loadAuditLogs({HistoryLog});
    static const ObjectHistory h =
        buildObjectHistory(*load.store, *ObjectKey::parse("core/configmaps/prod/app-config"));
    return h;
}

} // namespace

void TestObjectHistory::jsonValueKeepsOrderAndNumberText()
{
    const JsonValue v = json(R"( {"z": 1.50, "a": [true, null, -0.5e3], "s": "x\"\u00e9\n"} )");
    QCOMPARE(toQString(v.toJson()), toQString(R"({"z":1.50,"a":[true,null,-0.5e3],"s":"x\"é\n"})"));
    QCOMPARE(v.members().front().first, std::string("z"));
    QVERIFY(v == json(R"({"s":"x\"é\n","a":[true,null,-500],"z":1.5})")); // order, number form
    QVERIFY(!(v == json(R"({"z":1.5,"a":[true,null,-500]})")));
    QVERIFY(json("12") == JsonValue::makeNumber("12"));
    QCOMPARE(toQString(json(R"({"a":{"b":[1,{}]},"c":[]})").toPrettyJson()),
        QStringLiteral(
            "{\n  \"a\": {\n    \"b\": [\n      1,\n      {}\n    ]\n  },\n  \"c\": []\n}"));
}

void TestObjectHistory::jsonValueRejectsInvalidText_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << "";
    QTest::newRow("trailing content") << R"({"a":1} {"b":2})";
    QTest::newRow("unclosed") << R"({"a":[1,2})";
    QTest::newRow("leading zero") << "[01]";
    QTest::newRow("bare word") << "nope";
    QTest::newRow("closing the wrapper") << "1],[2";
}

void TestObjectHistory::jsonValueRejectsInvalidText()
{
    QFETCH(QString, text);
    std::string error;
    QVERIFY(!parseJson(text.toStdString(), &error));
    QVERIFY(!error.empty());
    QCOMPARE(toQString(prettyJson(text.toStdString())), text); // shown as is
}

void TestObjectHistory::jsonPointers()
{
    const JsonValue v = json(R"({"a/b":{"m~n":[10,20]},"":0,"list":[{"x":1}]})");
    QCOMPARE(toQString(v.at("/a~1b/m~0n/1")->toJson()), QStringLiteral("20"));
    QCOMPARE(toQString(v.at("/")->toJson()), QStringLiteral("0"));
    QCOMPARE(toQString(v.at("/list/0/x")->toJson()), QStringLiteral("1"));
    QCOMPARE(v.at(""), &v);
    QVERIFY(!v.at("/list/01"));
    QVERIFY(!v.at("/list/1"));
    QVERIFY(!v.at("/list/-"));
    QVERIFY(!v.at("list"));
    QVERIFY(!v.at("/a~2b"));
    QCOMPARE(toQString(jsonPointerToken("a/b~c")), QStringLiteral("a~1b~0c"));
}

void TestObjectHistory::diffListsAddedRemovedChanged_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<QStringList>("changes");
    QTest::newRow("equal") << R"({"a":1,"b":[1,2]})"
                           << R"({"b":[1,2],"a":1})" << QStringList{};
    QTest::newRow("number spelled differently") << R"({"a":1.0})"
                                                << R"({"a":1})" << QStringList{};
    QTest::newRow("scalar changed")
        << R"({"a":1,"b":"x"})"
        << R"({"a":2,"b":"x"})" << QStringList{QStringLiteral("changed /a 1 2")};
    QTest::newRow("member added, escaped path")
        << R"({"m":{}})"
        << R"({"m":{"a/b~c":"x"}})" << QStringList{QStringLiteral("added /m/a~1b~0c \"x\"")};
    QTest::newRow("nested member removed")
        << R"({"s":{"t":{"u":true,"v":null}}})"
        << R"({"s":{"t":{"u":true}}})" << QStringList{QStringLiteral("removed /s/t/v null")};
    QTest::newRow("type changed") << R"({"a":{"b":1}})"
                                  << R"({"a":"x"})"
                                  << QStringList{QStringLiteral("changed /a {\"b\":1} \"x\"")};
    QTest::newRow("array grows") << R"({"l":[1]})"
                                 << R"({"l":[1,2,3]})"
                                 << QStringList{QStringLiteral("added /l/1 2"),
                                        QStringLiteral("added /l/2 3")};
    QTest::newRow("array element changed and shrinks")
        << R"({"l":[{"n":"a"},{"n":"b"}]})"
        << R"({"l":[{"n":"c"}]})"
        << QStringList{QStringLiteral("changed /l/0/n \"a\" \"c\""),
               QStringLiteral("removed /l/1 {\"n\":\"b\"}")};
    QTest::newRow("created") << ""
                             << R"({"k":1})" << QStringList{QStringLiteral("added  {\"k\":1}")};
    QTest::newRow("deleted") << R"({"k":1})"
                             << "" << QStringList{QStringLiteral("removed  {\"k\":1}")};
}

void TestObjectHistory::diffListsAddedRemovedChanged()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(QStringList, changes);
    const std::optional<JsonValue> b =
        before.isEmpty() ? std::nullopt : std::optional(json(before.toStdString()));
    const std::optional<JsonValue> a =
        after.isEmpty() ? std::nullopt : std::optional(json(after.toStdString()));
    QCOMPARE(describe(diffJson(b ? &*b : nullptr, a ? &*a : nullptr)), changes);
}

void TestObjectHistory::diffSuppressesNoiseOnRequest()
{
    const JsonValue before = json(
        R"({"metadata":{"name":"n","resourceVersion":"1","managedFields":[{"manager":"a"}]},"data":{"k":"v"}})");
    const JsonValue after = json(
        R"({"metadata":{"name":"n","resourceVersion":"2","managedFields":[{"manager":"b"}]},"data":{"k":"w"}})");
    QCOMPARE(describe(diffJson(&before, &after)),
        QStringList{QStringLiteral("changed /data/k \"v\" \"w\"")});
    DiffOptions all;
    all.suppressNoise = false;
    QCOMPARE(describe(diffJson(&before, &after, all)),
        (QStringList{QStringLiteral("changed /metadata/resourceVersion \"1\" \"2\""),
            QStringLiteral("changed /metadata/managedFields/0/manager \"a\" \"b\""),
            QStringLiteral("changed /data/k \"v\" \"w\"")}));
    DiffOptions extra;
    extra.ignoredPaths = {"/data"};
    QVERIFY(diffJson(&before, &after, extra).empty());
    // A whole created object is shown without the noise too.
    QCOMPARE(describe(diffJson(nullptr, &after)),
        QStringList{
            QStringLiteral("added  {\"metadata\":{\"name\":\"n\"},\"data\":{\"k\":\"w\"}}")});
}

void TestObjectHistory::jsonPatchFollowsRfc6902_data()
{
    // Examples of RFC 6902 appendix A; "error" rows must fail and leave the document alone.
    QTest::addColumn<QString>("doc");
    QTest::addColumn<QString>("patch");
    QTest::addColumn<QString>("result");
    QTest::newRow("A.1 add member") << R"({"foo":"bar"})"
                                    << R"([{"op":"add","path":"/baz","value":"qux"}])"
                                    << R"({"foo":"bar","baz":"qux"})";
    QTest::newRow("A.2 add element") << R"({"foo":["bar","baz"]})"
                                     << R"([{"op":"add","path":"/foo/1","value":"qux"}])"
                                     << R"({"foo":["bar","qux","baz"]})";
    QTest::newRow("A.3 remove member") << R"({"baz":"qux","foo":"bar"})"
                                       << R"([{"op":"remove","path":"/baz"}])"
                                       << R"({"foo":"bar"})";
    QTest::newRow("A.4 remove element") << R"({"foo":["bar","qux","baz"]})"
                                        << R"([{"op":"remove","path":"/foo/1"}])"
                                        << R"({"foo":["bar","baz"]})";
    QTest::newRow("A.5 replace") << R"({"baz":"qux","foo":"bar"})"
                                 << R"([{"op":"replace","path":"/baz","value":"boo"}])"
                                 << R"({"baz":"boo","foo":"bar"})";
    QTest::newRow("A.6 move member")
        << R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})"
        << R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])"
        << R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})";
    QTest::newRow("A.7 move element") << R"({"foo":["all","grass","cows","eat"]})"
                                      << R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])"
                                      << R"({"foo":["all","cows","eat","grass"]})";
    QTest::newRow("A.8 test passes")
        << R"({"baz":"qux","foo":["a",2,"c"]})"
        << R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])"
        << R"({"baz":"qux","foo":["a",2,"c"]})";
    QTest::newRow("A.9 test fails") << R"({"baz":"qux"})"
                                    << R"([{"op":"test","path":"/baz","value":"bar"}])"
                                    << "error";
    QTest::newRow("A.10 add nested object")
        << R"({"foo":"bar"})"
        << R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])"
        << R"({"foo":"bar","child":{"grandchild":{}}})";
    QTest::newRow("A.12 add to a missing parent")
        << R"({"foo":"bar"})"
        << R"([{"op":"add","path":"/baz/bat","value":"qux"}])"
        << "error";
    QTest::newRow("A.16 append with -") << R"({"foo":["bar"]})"
                                        << R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])"
                                        << R"({"foo":["bar",["abc","def"]]})";
    QTest::newRow("copy") << R"({"a":{"b":1}})"
                          << R"([{"op":"copy","from":"/a","path":"/c"}])"
                          << R"({"a":{"b":1},"c":{"b":1}})";
    QTest::newRow("all or nothing")
        << R"({"a":1})"
        << R"([{"op":"remove","path":"/a"},{"op":"remove","path":"/a"}])"
        << "error";
    QTest::newRow("replace the root") << R"({"a":1})"
                                      << R"([{"op":"replace","path":"","value":[]}])"
                                      << "[]";
}

void TestObjectHistory::jsonPatchFollowsRfc6902()
{
    QFETCH(QString, doc);
    QFETCH(QString, patch);
    QFETCH(QString, result);
    JsonValue value = json(doc.toStdString());
    std::string error;
    const bool ok = applyJsonPatch(value, json(patch.toStdString()), &error);
    if (result == QLatin1String("error")) {
        QVERIFY(!ok);
        QVERIFY(!error.empty());
        QVERIFY(value == json(doc.toStdString()));
    } else {
        QVERIFY2(ok, error.c_str());
        QCOMPARE(toQString(value.toJson()), toQString(json(result.toStdString()).toJson()));
    }
}

void TestObjectHistory::mergePatchFollowsRfc7386_data()
{
    // RFC 7386 appendix A.
    QTest::addColumn<QString>("doc");
    QTest::addColumn<QString>("patch");
    QTest::addColumn<QString>("result");
    const auto row = [](const char* doc, const char* patch, const char* result) {
        QTest::newRow(patch) << QString::fromUtf8(doc) << QString::fromUtf8(patch)
                             << QString::fromUtf8(result);
    };
    row(R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})");
    row(R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})");
    row(R"({"a":"b"})", R"({"a":null})", R"({})");
    row(R"({"a":"b","b":"c"})", R"({"a":null} )", R"({"b":"c"})");
    row(R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})");
    row(R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})");
    row(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})");
    row(R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})");
    row(R"(["a","b"])", R"(["c","d"])", R"(["c","d"])");
    row(R"({"a":"b"})", R"(["c"])", R"(["c"])");
    row(R"({"a":"foo"})", "null", "null");
    row(R"({"a":"foo"})", R"("bar")", R"("bar")");
    row(R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})");
    row("[1,2]", R"({"a":"b","c":null})", R"({"a":"b"})");
    row("{}", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})");
}

void TestObjectHistory::mergePatchFollowsRfc7386()
{
    QFETCH(QString, doc);
    QFETCH(QString, patch);
    QFETCH(QString, result);
    JsonValue value = json(doc.toStdString());
    applyMergePatch(value, json(patch.toStdString()));
    QCOMPARE(toQString(value.toJson()), toQString(json(result.toStdString()).toJson()));
}

void TestObjectHistory::detectsPatchKinds_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("group");
    QTest::addColumn<QString>("response");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<bool>("certain");
    const QString cm = QStringLiteral("/api/v1/namespaces/prod/configmaps/c");
    QTest::newRow("list of operations")
        << R"([{"op":"remove","path":"/metadata/finalizers/0"}])" << cm << ""
        << ""
        << "json-patch" << true;
    QTest::newRow("force is for apply only")
        << R"({"data":{"a":"b"}})" << cm + QStringLiteral("?fieldManager=x&force=false") << ""
        << ""
        << "apply-patch" << true;
    QTest::newRow("managedFields record an Apply")
        << R"({"data":{"a":"b"}})" << cm + QStringLiteral("?fieldManager=helm") << ""
        << R"({"metadata":{"managedFields":[{"manager":"kubectl","operation":"Update"},{"manager":"helm","operation":"Apply"}]}})"
        << "apply-patch" << true;
    QTest::newRow("strategic directive")
        << R"({"status":{"$setElementOrder/conditions":[{"type":"Ready"}],"conditions":[]}})"
        << cm + QStringLiteral("/status") << ""
        << ""
        << "strategic-merge-patch" << true;
    QTest::newRow("strategic directive inside a list")
        << R"({"spec":{"containers":[{"name":"a","$patch":"delete"}]}})" << cm << "apps"
        << ""
        << "strategic-merge-patch" << true;
    QTest::newRow("whole object with a field manager")
        << R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{}})"
        << cm + QStringLiteral("?fieldManager=argocd") << ""
        << ""
        << "apply-patch" << false;
    QTest::newRow("whole object, manager did an Update")
        << R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}})"
        << cm + QStringLiteral("?fieldManager=kubectl-edit") << ""
        << R"({"metadata":{"managedFields":[{"manager":"kubectl-edit","operation":"Update"}]}})"
        << "strategic-merge-patch" << false;
    QTest::newRow("core object") << R"({"metadata":{"labels":{"a":"b"}}})" << cm << ""
                                 << ""
                                 << "strategic-merge-patch" << false;
    QTest::newRow("built-in group") << R"({"spec":{"replicas":3}})"
                                    << "/apis/apps/v1/namespaces/p/deployments/d"
                                    << "apps"
                                    << ""
                                    << "strategic-merge-patch" << false;
    QTest::newRow("custom resource") << R"({"spec":{"size":3}})"
                                     << "/apis/example.com/v1/namespaces/p/widgets/w"
                                     << "example.com"
                                     << ""
                                     << "merge-patch" << false;
}

void TestObjectHistory::detectsPatchKinds()
{
    QFETCH(QString, body);
    QFETCH(QString, uri);
    QFETCH(QString, group);
    QFETCH(QString, response);
    QFETCH(QString, kind);
    QFETCH(bool, certain);
    const JsonValue b = json(body.toStdString());
    const std::optional<JsonValue> r =
        response.isEmpty() ? std::nullopt : std::optional(json(response.toStdString()));
    const PatchKindGuess g =
        detectPatchKind(&b, uri.toStdString(), group.toStdString(), r ? &*r : nullptr);
    QCOMPARE(toQString(patchKindName(g.kind)), kind);
    QCOMPARE(g.certain, certain);
    QVERIFY(!g.why.empty());
}

void TestObjectHistory::objectKeys_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("parsed"); // group|resource|namespace|name, or "error"
    QTest::newRow("namespaced") << "apps/deployments/prod/web"
                                << "apps|deployments|prod|web";
    QTest::newRow("core") << "core/configmaps/prod/app-config"
                          << "|configmaps|prod|app-config";
    QTest::newRow("cluster-scoped") << "rbac.authorization.k8s.io/clusterrolebindings/-/x"
                                    << "rbac.authorization.k8s.io|clusterrolebindings||x";
    QTest::newRow("three parts") << "core/pods/default"
                                 << "error";
    QTest::newRow("five parts") << "core/pods/default/a/b"
                                << "error";
    QTest::newRow("empty resource") << "core//default/a"
                                    << "error";
}

void TestObjectHistory::objectKeys()
{
    QFETCH(QString, text);
    QFETCH(QString, parsed);
    std::string error;
    const std::optional<ObjectKey> key = ObjectKey::parse(text.toStdString(), &error);
    if (parsed == QLatin1String("error")) {
        QVERIFY(!key);
        QVERIFY(!error.empty());
        return;
    }
    QVERIFY(key);
    QCOMPARE(
        toQString(key->group + "|" + key->resource + "|" + key->namespaceName + "|" + key->name),
        parsed);
    QCOMPARE(toQString(key->toString()), text);
}

void TestObjectHistory::configMapHistoryShowsEachChange()
{
    // tests/data/chain/object-history.log was written for this test: every expected change
    // below follows from the bodies in that file.
    const ObjectHistory& h = configMapHistory();
    QCOMPARE(h.entries.size(), std::size_t(9));
    QStringList verbs;
    for (const HistoryEntry& e : h.entries)
        verbs << toQString(e.verb);
    QCOMPARE(verbs,
        (QStringList{QStringLiteral("create"), QStringLiteral("get"), QStringLiteral("update"),
            QStringLiteral("update"), QStringLiteral("patch"), QStringLiteral("patch"),
            QStringLiteral("patch"), QStringLiteral("get"), QStringLiteral("delete")}));

    // 1 create: its RequestReceived names no object yet, and still belongs to it.
    const HistoryEntry& create = h.entries[0];
    QCOMPARE(create.events.size(), std::size_t(2));
    QCOMPARE(create.action, HistoryAction::Create);
    QCOMPARE(create.code, std::uint16_t(201));
    QCOMPARE(create.user, std::string("alice@example.com"));
    QCOMPARE(describe(create.changes),
        QStringList{QStringLiteral(
            R"(added  {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"app-config","namespace":"prod","uid":"6f1c2d3e-0000-4000-8000-000000000001","creationTimestamp":"2025-03-14T09:00:00Z"},"data":{"mode":"blue","replicas":"3"}})")});
    QVERIFY(!create.existsBefore);
    // 2 get: the same state, nothing to show.
    QCOMPARE(h.entries[1].action, HistoryAction::Read);
    QVERIFY(!h.entries[1].hasDiff);
    // 3 update (body as sent) against the created state.
    QCOMPARE(describe(h.entries[2].changes),
        (QStringList{QStringLiteral(R"(changed /data/mode "blue" "green")"),
            QStringLiteral(R"(added /data/extra "x")")}));
    // 4 conflicting update: failed, nothing changed.
    QVERIFY(!h.entries[3].succeeded);
    QVERIFY(!h.entries[3].hasDiff);
    QCOMPARE(h.entries[3].code, std::uint16_t(409));
    // 5 JSON patch, applied to the last known state.
    const HistoryEntry& jsonPatch = h.entries[4];
    QCOMPARE(jsonPatch.patch.kind, PatchKind::JsonPatch);
    QVERIFY(jsonPatch.patch.certain);
    QCOMPARE(describe(jsonPatch.changes),
        (QStringList{QStringLiteral(R"(changed /data/replicas "3" "5")"),
            QStringLiteral(R"(removed /data/extra "x")")}));
    // 6 strategic merge patch (a guess for a built-in type), result from responseObject; the
    // new resourceVersion is noise.
    const HistoryEntry& strategic = h.entries[5];
    QCOMPARE(strategic.patch.kind, PatchKind::StrategicMergePatch);
    QVERIFY(!strategic.patch.certain);
    QCOMPARE(describe(strategic.changes),
        QStringList{QStringLiteral(R"(added /metadata/labels {"tier":"web"})")});
    // 7 server-side apply (force=true); managedFields are noise.
    const HistoryEntry& apply = h.entries[6];
    QCOMPARE(apply.patch.kind, PatchKind::ApplyPatch);
    QVERIFY(apply.patch.certain);
    QCOMPARE(describe(apply.changes), QStringList{QStringLiteral(R"(added /data/owner "team-a")")});
    // 8 get: the object changed without a logged request.
    QCOMPARE(describe(h.entries[7].changes),
        QStringList{QStringLiteral(R"(changed /data/mode "green" "red")")});
    QVERIFY(h.entries[7].note.find("not in the log") != std::string::npos);
    // 9 delete: the last known state is gone.
    const HistoryEntry& del = h.entries[8];
    QCOMPARE(del.action, HistoryAction::Delete);
    QVERIFY(!del.existsAfter);
    QCOMPARE(del.changes.size(), std::size_t(1));
    QCOMPARE(del.changes[0].kind, JsonChange::Kind::Removed);
    QCOMPARE(del.changes[0].path, std::string());
    QVERIFY(json(del.changes[0].oldValue).at("/data/mode")->text() == "red");
    // Lifetime: created by alice, deleted by alice.
    QCOMPARE(h.lifetimes.size(), std::size_t(1));
    const ObjectLifetime& life = h.lifetimes.front();
    QCOMPARE(
        formatRfc3339Micros(life.createdNs.value()), std::string("2025-03-14T09:00:00.004000Z"));
    QCOMPARE(
        formatRfc3339Micros(life.deletedNs.value()), std::string("2025-03-14T09:08:00.004000Z"));
    QCOMPARE(life.deletedBy, std::string("alice@example.com"));
    QCOMPARE(life.uid, std::string("6f1c2d3e-0000-4000-8000-000000000001"));
    QVERIFY(!life.deletionPending);
}

void TestObjectHistory::customResourceMergePatchIsApplied()
{
    const LoadResult load = loadAuditLogs({HistoryLog});
    const ObjectHistory h =
        buildObjectHistory(*load.store, *ObjectKey::parse("example.com/widgets/prod/w1"));
    QCOMPARE(h.entries.size(), std::size_t(3));
    QCOMPARE(h.entries[0].note, std::string("object from requestObject"));
    const HistoryEntry& merge = h.entries[1];
    QCOMPARE(merge.patch.kind, PatchKind::MergePatch);
    QVERIFY(!merge.patch.certain);
    QCOMPARE(describe(merge.changes),
        (QStringList{QStringLiteral("changed /spec/size 1 2"),
            QStringLiteral(R"(removed /spec/color "red")"),
            QStringLiteral(R"(added /spec/tags/1 "b")")}));
    QCOMPARE(toQString(merge.after),
        QStringLiteral(
            R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","namespace":"prod"},"spec":{"size":2,"tags":["a","b"]}})"));
    // A server-side apply without responseObject: the result is not guessed.
    const HistoryEntry& apply = h.entries[2];
    QCOMPARE(apply.patch.kind, PatchKind::ApplyPatch);
    QVERIFY(!apply.patch.certain);
    QVERIFY(!apply.hasDiff);
    QVERIFY(!apply.afterKnown);
    QVERIFY(apply.note.find("not computed") != std::string::npos);
    QCOMPARE(h.lifetimes.size(), std::size_t(1));
    QVERIFY(!h.lifetimes.front().deletedNs);
}

void TestObjectHistory::keepsNoiseWhenAsked()
{
    const LoadResult load = loadAuditLogs({HistoryLog});
    HistoryOptions options;
    options.diff.suppressNoise = false;
    const ObjectHistory h = buildObjectHistory(
        *load.store, *ObjectKey::parse("core/configmaps/prod/app-config"), options);
    QCOMPARE(describe(h.entries[5].changes),
        (QStringList{QStringLiteral(R"(changed /metadata/resourceVersion "100" "131")"),
            QStringLiteral(R"(added /metadata/labels {"tier":"web"})")}));
}

void TestObjectHistory::leavesOutReadsWhenAsked()
{
    const LoadResult load = loadAuditLogs({HistoryLog});
    HistoryOptions options;
    options.includeReads = false;
    const ObjectHistory h = buildObjectHistory(
        *load.store, *ObjectKey::parse("core/configmaps/prod/app-config"), options);
    QCOMPARE(h.entries.size(), std::size_t(7));
    for (const HistoryEntry& e : h.entries)
        QVERIFY(e.action != HistoryAction::Read);
    // Another object or name gives nothing.
    QVERIFY(buildObjectHistory(*load.store, *ObjectKey::parse("core/configmaps/dev/app-config"))
                .entries.empty());
    QVERIFY(buildObjectHistory(*load.store, *ObjectKey::parse("core/secrets/prod/app-config"))
                .entries.empty());
}

void TestObjectHistory::falcoCreateAndDeleteAcrossFiles()
{
    // Two real events in two files (Falco's trace files): a create logged at RequestResponse,
    // whose responseObject carries the stored uid and resourceVersion 265142, and the delete.
    const std::string dir = AUDITSCOPE_TEST_DATA_DIR "/corpus/falco/";
    const LoadResult load =
        loadAuditLogs({dir + "create_configmap.json", dir + "delete_configmap.json"});
    const ObjectHistory h =
        buildObjectHistory(*load.store, *ObjectKey::parse("core/configmaps/default/my-config"));
    QCOMPARE(h.entries.size(), std::size_t(2));
    QCOMPARE(h.entries[0].action, HistoryAction::Create);
    QCOMPARE(h.entries[0].changes.size(), std::size_t(1));
    const JsonValue created = json(h.entries[0].changes[0].newValue);
    QVERIFY(!created.at("/metadata/resourceVersion")); // noise, left out
    QCOMPARE(
        created.at("/metadata/uid")->text(), std::string("ded3abb9-d920-11e8-a2e6-080027728ac4"));
    QCOMPARE(h.entries[1].action, HistoryAction::Delete);
    QCOMPARE(describe(h.entries[1].changes).size(), 1);
    QCOMPARE(h.entries[1].changes[0].kind, JsonChange::Kind::Removed);
    QCOMPARE(h.lifetimes.size(), std::size_t(1));
    QCOMPARE(h.lifetimes[0].uid, std::string("ded3abb9-d920-11e8-a2e6-080027728ac4"));
    QCOMPARE(formatRfc3339Micros(h.lifetimes[0].createdNs.value()),
        std::string("2018-10-26T13:13:03.544952Z"));
    QCOMPARE(formatRfc3339Micros(h.lifetimes[0].deletedNs.value()),
        std::string("2018-10-26T13:13:33.773884Z"));
    QCOMPARE(h.lifetimes[0].createdBy, std::string("minikube-user"));
}

QTEST_GUILESS_MAIN(TestObjectHistory)
