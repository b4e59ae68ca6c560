// SPDX-License-Identifier: Apache-2.0
#include "eventtablemodel.h"

#include <algorithm>

namespace auditscope {

EventTableModel::EventTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void EventTableModel::setSnapshot(EventStorePtr store)
{
    beginResetModel();
    m_store = std::move(store);
    dropStalePolicy();
    m_rows.clear();
    m_all = m_store != nullptr;
    m_rowsAscending = true;
    endResetModel();
}

void EventTableModel::setSnapshot(EventStorePtr store, RowSet rows)
{
    const bool ascending = std::is_sorted(rows.begin(), rows.end());
    beginResetModel();
    m_store = std::move(store);
    dropStalePolicy();
    m_rows = std::move(rows);
    m_all = false;
    m_rowsAscending = ascending;
    endResetModel();
}

void EventTableModel::dropStalePolicy()
{
    if (m_policy && (!m_store || !m_policy->covers(*m_store)))
        m_policy.reset();
}

void EventTableModel::setPolicyContext(PolicyQueryContextPtr context)
{
    if (context && (!m_store || !context->covers(*m_store)))
        context.reset(); // computed on another snapshot
    if (!context && !m_policy)
        return;
    m_policy = std::move(context);
    const int first = static_cast<int>(EventColumn::Rule);
    const int last = static_cast<int>(EventColumn::PolicyLevel);
    if (rowCount() > 0) // only the two policy columns change: the views repaint what they show
        Q_EMIT dataChanged(index(0, first), index(rowCount() - 1, last),
            {Qt::DisplayRole, Qt::ToolTipRole, MatchedRuleRole});
}

const PolicyEventMatch* EventTableModel::policyMatch(std::uint32_t row) const
{
    return m_policy && row < m_policy->result->events.size() ? &m_policy->result->events[row]
                                                             : nullptr;
}

std::size_t EventTableModel::size() const
{
    return m_all ? m_store->size() : m_rows.size();
}

void EventTableModel::setTimeDisplay(const TimeDisplay& time)
{
    m_time = time;
    const int column = static_cast<int>(EventColumn::Time);
    Q_EMIT headerDataChanged(
        Qt::Horizontal, column, column); // "Time (UTC)" / "(local)" / "(relative)"
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, column), index(rowCount() - 1, column), {Qt::DisplayRole});
}

EventId EventTableModel::eventAt(int row) const
{
    if (row < 0 || static_cast<std::size_t>(row) >= size())
        return EventId{};
    return m_all ? EventId{static_cast<std::uint32_t>(row)} : m_rows[static_cast<std::size_t>(row)];
}

int EventTableModel::rowOf(EventId id) const
{
    if (m_all)
        return id && id.value < size() ? static_cast<int>(id.value) : -1;
    if (m_rowsAscending) {
        const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), id);
        return it != m_rows.end() && *it == id ? static_cast<int>(it - m_rows.begin()) : -1;
    }
    const auto it = std::find(m_rows.begin(), m_rows.end(), id); // sorted by a column: O(n)
    return it != m_rows.end() ? static_cast<int>(it - m_rows.begin()) : -1;
}

int EventTableModel::rowCount(const QModelIndex& parent) const
{
    // Rows are int in Qt: more than 2^31-1 events cannot be shown in one table.
    return parent.isValid() || !m_store
        ? 0
        : static_cast<int>(std::min<std::size_t>(size(), INT32_MAX));
}

int EventTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : EventColumnCount;
}

QVariant EventTableModel::data(const QModelIndex& index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const std::uint32_t row = eventAt(index.row()).value;
    const auto column = static_cast<EventColumn>(index.column());
    switch (role) {
    case Qt::DisplayRole:
        if (column == EventColumn::Rule || column == EventColumn::PolicyLevel) {
            const PolicyEventMatch* match = policyMatch(row);
            if (!match)
                return {};
            if (column == EventColumn::Rule)
                return match->rule() >= 0 ? QVariant(match->rule()) : QVariant(QStringLiteral("–"));
            const std::string_view name = levelName(match->level());
            return QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
        }
        return eventCellText(*m_store, row, column, m_time);
    case Qt::ToolTipRole:
        if (column == EventColumn::SourceFile)
            return QStringLiteral("%1:%2")
                .arg(QString::fromStdString(m_store->sourceOf(EventId{row}).path))
                .arg(m_store->line[row]);
        if (column == EventColumn::Rule) {
            const PolicyEventMatch* match = policyMatch(row);
            if (match && match->rule() < 0)
                return QStringLiteral("No rule matches: level None, not written");
            if (match && !match->emitted())
                return QStringLiteral("Rule %1: not written at this stage").arg(match->rule());
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == EventColumn::Code || column == EventColumn::Latency
            || column == EventColumn::Rule)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case EventIdRole:
        return row;
    case TimeNsRole:
        return qint64(m_store->timeNs[row]);
    case SeverityRole:
        return static_cast<int>(eventSeverity(*m_store, row));
    case MatchedRuleRole: {
        const PolicyEventMatch* match = policyMatch(row);
        return match ? match->rule() : -1;
    }
    default:
        return {};
    }
}

QVariant EventTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0
        || section >= EventColumnCount)
        return {};
    const auto column = static_cast<EventColumn>(section);
    if (column == EventColumn::Time) {
        if (m_time.relative)
            return QStringLiteral("Time (relative)");
        return m_time.zone == TimeDisplay::Zone::Utc ? QStringLiteral("Time (UTC)")
                                                     : QStringLiteral("Time (local)");
    }
    return eventColumnName(column);
}

} // namespace auditscope
