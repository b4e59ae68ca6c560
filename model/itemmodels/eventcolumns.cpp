// SPDX-License-Identifier: Apache-2.0
#include "eventcolumns.h"

#include "common/timestamp.h"

#include <QDateTime>
#include <QFileInfo>

namespace auditscope {

namespace {

template <class IdT>
QString poolText(const StringPool& pool, IdT id)
{
    if (!id)
        return {};
    const std::string_view text = pool.view(id.value);
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString formatTime(std::int64_t ns, const TimeDisplay& time)
{
    if (ns == NoTimeNs) // no usable requestReceivedTimestamp: sorted last
        return QStringLiteral("no time");
    if (time.relative) {
        const std::int64_t delta = ns - time.referenceNs;
        return (delta < 0 ? QStringLiteral("-") : QStringLiteral("+"))
            + formatDuration(delta < 0 ? -delta : delta);
    }
    if (time.zone == TimeDisplay::Zone::Utc) {
        // "2023-03-10 22:38:26.382098": RFC 3339 with a space, as log viewers show it.
        QString text = QString::fromStdString(formatRfc3339Micros(ns));
        text[10] = QLatin1Char(' ');
        text.chop(1); // the Z; the column header says UTC
        return text;
    }
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(ns / 1'000'000, Qt::LocalTime);
    const int micros =
        static_cast<int>((ns % 1'000'000'000 + 1'000'000'000) % 1'000'000'000 / 1000);
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss."))
        + QStringLiteral("%1").arg(micros, 6, 10, QLatin1Char('0'));
}

} // namespace

QString formatDuration(std::int64_t ns)
{
    if (ns < 1'000'000)
        return QStringLiteral("%1 µs").arg(ns / 1000);
    if (ns < 1'000'000'000)
        return QStringLiteral("%1 ms").arg(double(ns) / 1e6, 0, 'f', 1);
    if (ns < 60'000'000'000)
        return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 2);
    const std::int64_t seconds = ns / 1'000'000'000;
    return QStringLiteral("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
}

QString eventColumnName(EventColumn column)
{
    switch (column) {
    case EventColumn::Time:
        return QStringLiteral("Time");
    case EventColumn::Stage:
        return QStringLiteral("Stage");
    case EventColumn::User:
        return QStringLiteral("User");
    case EventColumn::Verb:
        return QStringLiteral("Verb");
    case EventColumn::Resource:
        return QStringLiteral("Resource");
    case EventColumn::Namespace:
        return QStringLiteral("Namespace");
    case EventColumn::Name:
        return QStringLiteral("Name");
    case EventColumn::Code:
        return QStringLiteral("Code");
    case EventColumn::Decision:
        return QStringLiteral("Decision");
    case EventColumn::SourceIp:
        return QStringLiteral("Source IP");
    case EventColumn::UserAgent:
        return QStringLiteral("User agent");
    case EventColumn::Latency:
        return QStringLiteral("Latency");
    case EventColumn::Level:
        return QStringLiteral("Level");
    case EventColumn::SourceFile:
        return QStringLiteral("File");
    case EventColumn::AuditId:
        return QStringLiteral("Audit ID");
    case EventColumn::Rule:
        return QStringLiteral("Rule");
    case EventColumn::PolicyLevel:
        return QStringLiteral("Policy level");
    case EventColumn::ColumnCount:
        break;
    }
    return {};
}

QString eventCellText(
    const EventStore& s, std::uint32_t row, EventColumn column, const TimeDisplay& time)
{
    const StringPools& p = s.pools;
    switch (column) {
    case EventColumn::Time:
        return formatTime(s.timeNs[row], time);
    case EventColumn::Stage: {
        const std::string_view name = stageName(s.stage[row]);
        return QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
    }
    case EventColumn::User:
        return poolText(p.users, s.user[row]);
    case EventColumn::Verb:
        return poolText(p.verbs, s.verb[row]);
    case EventColumn::Resource: {
        QString text = poolText(p.resources, s.resource[row]);
        if (s.subresource[row])
            text += QLatin1Char('/') + poolText(p.subresources, s.subresource[row]);
        return text;
    }
    case EventColumn::Namespace:
        return poolText(p.namespaces, s.namespaceId[row]);
    case EventColumn::Name:
        return poolText(p.names, s.name[row]);
    case EventColumn::Code:
        return s.code[row] ? QString::number(s.code[row]) : QString();
    case EventColumn::Decision:
        return poolText(p.decisions, s.decision[row]);
    case EventColumn::SourceIp:
        return poolText(p.sourceIps, s.sourceIp[row]);
    case EventColumn::UserAgent:
        return poolText(p.userAgents, s.userAgent[row]);
    case EventColumn::Latency:
        return formatDuration(s.stageLatencyNs[row]);
    case EventColumn::Level: {
        const std::string_view name = levelName(s.level[row]);
        return QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
    }
    case EventColumn::SourceFile:
        return QFileInfo(QString::fromStdString(s.sources[s.source[row].value].path)).fileName();
    case EventColumn::AuditId:
        return s.auditId[row] ? QString::fromStdString(p.auditIds.text(s.auditId[row].value))
                              : QString();
    case EventColumn::Rule: // the policy's outcome is not in the store: EventTableModel has it
    case EventColumn::PolicyLevel:
    case EventColumn::ColumnCount:
        break;
    }
    return {};
}

EventSeverity eventSeverity(const EventStore& s, std::uint32_t row)
{
    const std::uint16_t code = s.code[row];
    if (code == 401 || code == 403)
        return EventSeverity::Forbidden;
    if (const DecisionId d = s.decision[row]; d && s.pools.decisions.view(d.value) == "forbid")
        return EventSeverity::Forbidden;
    if (code >= 400)
        return EventSeverity::Failure;
    if (const VerbId v = s.verb[row]) {
        const std::string_view verb = s.pools.verbs.view(v.value);
        if (verb == "delete" || verb == "deletecollection")
            return EventSeverity::Delete;
        if (verb == "create" || verb == "update" || verb == "patch")
            return EventSeverity::Write;
    }
    return EventSeverity::Normal;
}

} // namespace auditscope
