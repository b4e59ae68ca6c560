// SPDX-License-Identifier: Apache-2.0
#include "objecthistorymodel.h"

#include "common/timestamp.h"

#include <algorithm>

namespace auditscope {

namespace {

QString fromStd(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// Entry rows have internal id 0; change rows carry their entry + 1.
constexpr quintptr EntryRow = 0;

// Long values are cut for the cell; the full text is in OldValueRole / NewValueRole.
QString shortened(const std::string& json)
{
    constexpr std::size_t Limit = 120;
    if (json.size() <= Limit)
        return fromStd(json);
    return fromStd(std::string_view(json).substr(0, Limit)) + QStringLiteral("…");
}

} // namespace

ObjectHistoryModel::ObjectHistoryModel(QObject* parent)
    : QAbstractItemModel(parent)
{ }

void ObjectHistoryModel::setHistory(ObjectHistory history)
{
    beginResetModel();
    m_history = std::move(history);
    endResetModel();
}

QModelIndex ObjectHistoryModel::indexOfEvent(EventId id) const
{
    for (std::size_t i = 0; i < m_history.entries.size(); ++i) {
        const auto& events = m_history.entries[i].events;
        if (std::find(events.begin(), events.end(), id) != events.end())
            return createIndex(static_cast<int>(i), 0, EntryRow);
    }
    return {};
}

QModelIndex ObjectHistoryModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid()) {
        if (static_cast<std::size_t>(row) >= m_history.entries.size())
            return {};
        return createIndex(row, column, EntryRow);
    }
    if (parent.internalId() != EntryRow)
        return {};
    const auto& changes = m_history.entries[static_cast<std::size_t>(parent.row())].changes;
    if (static_cast<std::size_t>(row) >= changes.size())
        return {};
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex ObjectHistoryModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == EntryRow)
        return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, EntryRow);
}

int ObjectHistoryModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_history.entries.size());
    if (parent.column() != 0 || parent.internalId() != EntryRow)
        return 0;
    return static_cast<int>(
        m_history.entries[static_cast<std::size_t>(parent.row())].changes.size());
}

int ObjectHistoryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() && parent.column() != 0 ? 0 : ColumnCount;
}

QVariant ObjectHistoryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == EntryRow)
        return entryData(index.row(), index.column(), role);
    return changeData(static_cast<int>(index.internalId() - 1), index.row(), index.column(), role);
}

QVariant ObjectHistoryModel::entryData(int entry, int column, int role) const
{
    const HistoryEntry& e = m_history.entries[static_cast<std::size_t>(entry)];
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(column)) {
        case TimeColumn:
            return fromStd(formatRfc3339Micros(e.receivedNs));
        case ActorColumn:
            return QString((e.user.empty() ? QStringLiteral("{}") : fromStd(e.user))
                + (e.impersonatedUser.empty()
                        ? QString()
                        : QString(QStringLiteral(" as ") + fromStd(e.impersonatedUser))));
        case ActionColumn:
            return QString(fromStd(e.verb)
                + (e.subresource.empty() ? QString()
                                         : QString(QLatin1Char('/') + fromStd(e.subresource))));
        case CodeColumn:
            return e.code ? QVariant(int(e.code)) : QVariant();
        case DetailColumn: {
            QString text;
            if (e.action == HistoryAction::Patch)
                text = fromStd(patchKindName(e.patch.kind))
                    + (e.patch.certain ? QString() : QStringLiteral(" (guessed)"));
            if (!e.changes.empty()) {
                if (!text.isEmpty())
                    text += QStringLiteral("; ");
                text += e.changes.size() == 1 ? QStringLiteral("1 change")
                                              : QStringLiteral("%1 changes").arg(e.changes.size());
            } else if (!e.note.empty()) {
                if (!text.isEmpty())
                    text += QStringLiteral("; ");
                text += fromStd(e.note);
            }
            return text;
        }
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == DetailColumn) {
            QString tip = fromStd(e.note);
            if (e.action == HistoryAction::Patch)
                tip += (tip.isEmpty() ? QString() : QStringLiteral("\n"))
                    + fromStd(patchContentType(e.patch.kind)) + QStringLiteral(": ")
                    + fromStd(e.patch.why);
            return tip;
        }
        return {};
    case EventIdRole:
        return quint32(e.finalEvent.value);
    case IsChangeRole:
        return false;
    case EntryRole:
        return entry;
    case TimeNsRole:
        return qint64(e.receivedNs);
    case ActionRole:
        return int(e.action);
    case SucceededRole:
        return e.succeeded;
    case PatchKindRole:
        return int(e.action == HistoryAction::Patch ? e.patch.kind : PatchKind::Unknown);
    case NoteRole:
        return fromStd(e.note);
    case BeforeRole:
        return fromStd(e.before);
    case AfterRole:
        return fromStd(e.after);
    case PatchBodyRole:
        return e.action == HistoryAction::Patch ? fromStd(e.requestObject) : QString();
    default:
        return {};
    }
}

QVariant ObjectHistoryModel::changeData(int entry, int change, int column, int role) const
{
    const HistoryEntry& e = m_history.entries[static_cast<std::size_t>(entry)];
    const JsonChange& c = e.changes[static_cast<std::size_t>(change)];
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(column)) {
        case ActionColumn:
            return fromStd(jsonChangeKindName(c.kind));
        case DetailColumn: {
            const QString path =
                c.path.empty() ? QStringLiteral("(whole object)") : fromStd(c.path);
            switch (c.kind) {
            case JsonChange::Kind::Added:
                return QString(path + QStringLiteral(" = ") + shortened(c.newValue));
            case JsonChange::Kind::Removed:
                return QString(
                    path + QStringLiteral(" (was ") + shortened(c.oldValue) + QLatin1Char(')'));
            case JsonChange::Kind::Changed:
                return QString(path + QStringLiteral(": ") + shortened(c.oldValue)
                    + QStringLiteral(" → ") + shortened(c.newValue));
            }
            return path;
        }
        default:
            return {};
        }
    case EventIdRole:
        return quint32(e.finalEvent.value);
    case IsChangeRole:
        return true;
    case EntryRole:
        return entry;
    case TimeNsRole:
        return qint64(e.receivedNs);
    case ChangeKindRole:
        return int(c.kind);
    case PathRole:
        return fromStd(c.path);
    case OldValueRole:
        return fromStd(c.oldValue);
    case NewValueRole:
        return fromStd(c.newValue);
    default:
        return {};
    }
}

QVariant ObjectHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case TimeColumn:
        return QStringLiteral("Time (UTC)");
    case ActorColumn:
        return QStringLiteral("User");
    case ActionColumn:
        return QStringLiteral("Action");
    case CodeColumn:
        return QStringLiteral("Code");
    case DetailColumn:
        return QStringLiteral("Change");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace auditscope
