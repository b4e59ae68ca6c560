// SPDX-License-Identifier: Apache-2.0
#include "policyruleoutlinemodel.h"

#include <QList>
#include <QLocale>

namespace auditscope {

namespace {

QString fromStd(const std::string& text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString ruleList(const std::vector<int>& rules)
{
    QString out;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        if (i > 0)
            out += i + 1 == rules.size() ? QStringLiteral(" and ") : QStringLiteral(", ");
        out += QString::number(rules[i]);
    }
    return out;
}

} // namespace

QString formatByteSize(quint64 bytes)
{
    static const char* const Units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024)
        return QString::number(bytes) + QStringLiteral(" B");
    double value = static_cast<double>(bytes) / 1024.0;
    int unit = 0;
    while (value >= 1024.0 && unit < 3) {
        value /= 1024.0;
        ++unit;
    }
    return QString::number(value, 'f', 1) + QLatin1Char(' ') + QLatin1String(Units[unit]);
}

PolicyRuleOutlineModel::PolicyRuleOutlineModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void PolicyRuleOutlineModel::setOutline(PolicyOutline outline)
{
    beginResetModel();
    m_outline = std::move(outline);
    endResetModel();
}

int PolicyRuleOutlineModel::rowOfRule(int rule) const
{
    return rule >= 0 && rule < rowCount() ? rule : -1;
}

PolicyRuleOutlineModel::Status PolicyRuleOutlineModel::statusOf(const PolicyRuleOutline& rule)
{
    if (rule.shadowed())
        return Status::Shadowed;
    if (rule.shadowedInLog())
        return Status::ShadowedInLog;
    if (rule.matchesNothing())
        return Status::MatchesNothing;
    return Status::Ok;
}

QString PolicyRuleOutlineModel::statusText(const PolicyRuleOutline& rule) const
{
    switch (statusOf(rule)) {
    case Status::Shadowed:
        return (rule.shadowedBy.size() == 1 ? QStringLiteral("shadowed by rule ")
                                            : QStringLiteral("shadowed by rules "))
            + ruleList(rule.shadowedBy);
    case Status::ShadowedInLog:
        return QStringLiteral("shadowed in this log: rule %1 takes its events")
            .arg(rule.takenMostlyBy);
    case Status::MatchesNothing:
        return QStringLiteral("matches nothing in this log");
    case Status::Ok:
        break;
    }
    return {};
}

int PolicyRuleOutlineModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_outline.rules.size());
}

int PolicyRuleOutlineModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PolicyRuleOutlineModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PolicyRuleOutline& r = m_outline.rules[static_cast<std::size_t>(index.row())];
    const auto column = static_cast<Column>(index.column());
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case RuleColumn:
            return QString::number(r.rule);
        case LevelColumn:
            return r.level.empty() ? QStringLiteral("(no level)") : fromStd(r.level);
        case EventsColumn: {
            if (!r.hasLog)
                return QString();
            QLocale locale = QLocale::c(); // "12,345" whatever the system locale
            locale.setNumberOptions(QLocale::DefaultNumberOptions);
            return locale.toString(static_cast<qulonglong>(r.events));
        }
        case BytesColumn:
            return r.hasLog ? formatByteSize(r.bytes) : QString();
        case StatusColumn:
            return statusText(r);
        case SummaryColumn:
            return fromStd(r.summary);
        case LinesColumn:
            if (!r.span.valid())
                return QString();
            // The end is exclusive: a span ending at column 1 ends on the line before.
            return r.span.end.line > r.span.begin.line
                ? QStringLiteral("%1–%2")
                      .arg(r.span.begin.line)
                      .arg(r.span.end.column == 1 ? r.span.end.line - 1 : r.span.end.line)
                : QString::number(r.span.begin.line);
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == StatusColumn && statusOf(r) == Status::ShadowedInLog)
            return QStringLiteral("Its own condition matches %1 events, all decided by earlier "
                                  "rules (first match wins)")
                .arg(r.ownEvents);
        if (column == SummaryColumn)
            return fromStd(r.summary);
        return {};
    case Qt::TextAlignmentRole:
        if (column == RuleColumn || column == EventsColumn || column == BytesColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case RuleIndexRole:
        return r.rule;
    case LevelRole:
        return static_cast<int>(r.parsedLevel);
    case EventsRole:
        return static_cast<qulonglong>(r.events);
    case BytesRole:
        return static_cast<qulonglong>(r.bytes);
    case StatusRole:
        return static_cast<int>(statusOf(r));
    case ShadowedByRole:
        return QVariant::fromValue(QList<int>(r.shadowedBy.begin(), r.shadowedBy.end()));
    case OwnEventsRole:
        return static_cast<qulonglong>(r.ownEvents);
    case TakenMostlyByRole:
        return r.takenMostlyBy;
    case SpanBeginLineRole:
        return r.span.begin.line;
    case SpanBeginColumnRole:
        return r.span.begin.column;
    case SpanEndLineRole:
        return r.span.end.line;
    case SpanEndColumnRole:
        return r.span.end.column;
    case SpanBeginOffsetRole:
        return static_cast<qulonglong>(r.span.beginOffset);
    case SpanEndOffsetRole:
        return static_cast<qulonglong>(r.span.endOffset);
    case SortRole:
        switch (column) {
        case RuleColumn:
            return r.rule;
        case LevelColumn:
            return static_cast<int>(r.parsedLevel);
        case EventsColumn:
            return static_cast<qulonglong>(r.events);
        case BytesColumn:
            return static_cast<qulonglong>(r.bytes);
        case StatusColumn:
            return static_cast<int>(statusOf(r));
        case SummaryColumn:
            return fromStd(r.summary);
        case LinesColumn:
            return r.span.begin.line;
        case ColumnCount:
            break;
        }
        return {};
    default:
        return {};
    }
}

QVariant PolicyRuleOutlineModel::headerData(
    int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case RuleColumn:
        return QStringLiteral("Rule");
    case LevelColumn:
        return QStringLiteral("Level");
    case EventsColumn:
        return QStringLiteral("Events");
    case BytesColumn:
        return QStringLiteral("Bytes");
    case StatusColumn:
        return QStringLiteral("Status");
    case SummaryColumn:
        return QStringLiteral("Selects");
    case LinesColumn:
        return QStringLiteral("Lines");
    default:
        return {};
    }
}

} // namespace auditscope
