// SPDX-License-Identifier: Apache-2.0
#include "tst_jsontreemodel.h"

#include "itemmodels/jsontreemodel.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace auditscope;

namespace {

const std::string Event =
    R"({"kind":"Event","auditID":"a1","user":{"username":"alice","groups":["dev","system:authenticated"]},"requestObject":{"spec":{"containers":[{"name":"c","securityContext":{"privileged":true}}]}},"responseStatus":{"metadata":{},"code":201},"annotations":{"authorization.k8s.io/decision":"allow"}})";

// Finds the first node whose key is `key`, depth first.
QModelIndex find(
    const QAbstractItemModel& model, const QString& key, const QModelIndex& parent = {})
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (index.data().toString() == key)
            return index;
        if (const QModelIndex found = find(model, key, index); found.isValid())
            return found;
    }
    return {};
}

} // namespace

void TestJsonTreeModel::passesTheModelTester()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setJson(Event);
    QCOMPARE(model.rowCount(), 6);
    model.setJson("[]");
    QCOMPARE(model.rowCount(), 0);
    model.setJson(Event);
}

void TestJsonTreeModel::buildsPathsInTheFilterSyntax()
{
    JsonTreeModel model;
    model.setJson(Event);
    const QModelIndex privileged = find(model, QStringLiteral("privileged"));
    QVERIFY(privileged.isValid());
    QCOMPARE(privileged.data(JsonTreeModel::PathRole).toString(),
        QStringLiteral("requestObject.spec.containers.securityContext.privileged"));
    QCOMPARE(privileged.data(JsonTreeModel::ValueRole).toString(), QStringLiteral("true"));
    QVERIFY(privileged.data(JsonTreeModel::IsScalarRole).toBool());
    const QModelIndex decision = find(model, QStringLiteral("authorization.k8s.io/decision"));
    QCOMPARE(decision.data(JsonTreeModel::PathRole).toString(),
        QStringLiteral("annotations.\"authorization.k8s.io/decision\""));
    QCOMPARE(decision.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString(),
        QStringLiteral("allow"));
    const QModelIndex groups = find(model, QStringLiteral("groups"));
    QCOMPARE(groups.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString(),
        QStringLiteral("[2]"));
    QCOMPARE(model.index(1, 0, groups).data(JsonTreeModel::PathRole).toString(),
        QStringLiteral("user.groups"));
    QCOMPARE(model.index(1, 0, groups).data(JsonTreeModel::ValueRole).toString(),
        QStringLiteral("system:authenticated"));
    QCOMPARE(find(model, QStringLiteral("code")).data(JsonTreeModel::ValueRole).toString(),
        QStringLiteral("201"));
}

void TestJsonTreeModel::rangesMarkEachNodeInThePrettyText()
{
    JsonTreeModel model;
    model.setJson(Event);
    const QString& text = model.prettyText();
    QVERIFY(text.startsWith(QStringLiteral("{\n  \"kind\": \"Event\",\n")));
    auto range = [&](const QModelIndex& index) {
        const int start = index.data(JsonTreeModel::RangeStartRole).toInt();
        return text.mid(start, index.data(JsonTreeModel::RangeEndRole).toInt() - start);
    };
    QCOMPARE(range(find(model, QStringLiteral("username"))), QStringLiteral("\"alice\""));
    QCOMPARE(range(find(model, QStringLiteral("code"))), QStringLiteral("201"));
    QCOMPARE(range(find(model, QStringLiteral("metadata"))), QStringLiteral("{}"));
    QVERIFY(range(find(model, QStringLiteral("securityContext")))
                .contains(QStringLiteral("\"privileged\": true")));
    // The pretty text is the same JSON.
    QJsonParseError error;
    QJsonDocument::fromJson(text.toUtf8(), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
}

void TestJsonTreeModel::invalidOrTooDeepJsonIsAnErrorRow()
{
    JsonTreeModel model;
    model.setJson(R"({"kind":)");
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(model.error().startsWith(QStringLiteral("invalid JSON")));
    QCOMPARE(model.prettyText(), QStringLiteral("{\"kind\":")); // the raw text is still shown
    // Deeper than the DOM parser's limit: refused, not a stack overflow.
    model.setJson(std::string(5000, '[') + std::string(5000, ']'));
    QVERIFY(!model.error().isEmpty());
    // Empty input.
    model.setJson("");
    QVERIFY(!model.error().isEmpty());
}

QTEST_GUILESS_MAIN(TestJsonTreeModel)
