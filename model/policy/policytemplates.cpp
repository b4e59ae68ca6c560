// SPDX-License-Identifier: Apache-2.0
#include "policytemplates.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <algorithm>

namespace auditscope {

namespace {

QString resource(const QString& file)
{
    return QString::fromLatin1(PolicyTemplate::ResourcePrefix) + file;
}

PolicyTemplate templateOf(const QJsonObject& o, PolicyTemplate::Kind kind)
{
    PolicyTemplate t;
    t.id = o.value(QStringLiteral("id")).toString();
    t.kind = kind;
    if (kind != PolicyTemplate::Kind::Policy
        && o.value(QStringLiteral("placement")).toString() == QStringLiteral("top"))
        t.kind = PolicyTemplate::Kind::TopLevelSnippet;
    t.title = o.value(QStringLiteral("title")).toString();
    t.description = o.value(QStringLiteral("description")).toString();
    t.resourcePath = resource(o.value(QStringLiteral("file")).toString());
    t.ruleCount = o.value(QStringLiteral("rules")).toInt();
    return t;
}

} // namespace

QString PolicyTemplate::text() const
{
    QFile file(resourcePath);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

QList<PolicyTemplate> policyTemplates()
{
    QFile file(resource(QStringLiteral("templates.json")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QJsonObject index = QJsonDocument::fromJson(file.readAll()).object();
    QList<PolicyTemplate> out;
    for (const QJsonValue v : index.value(QStringLiteral("snippets")).toArray())
        out.push_back(templateOf(v.toObject(), PolicyTemplate::Kind::RuleSnippet));
    for (const QJsonValue v : index.value(QStringLiteral("policies")).toArray())
        out.push_back(templateOf(v.toObject(), PolicyTemplate::Kind::Policy));
    return out;
}

QString indentedSnippet(const QString& snippet, int columns)
{
    const QString pad(std::max(0, columns), QLatin1Char(' '));
    QStringList lines = snippet.split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.back().isEmpty())
        lines.pop_back();
    QString out;
    for (const QString& line : lines)
        out += (line.trimmed().isEmpty() ? QString() : pad + line) + QLatin1Char('\n');
    return out;
}

} // namespace auditscope
