// SPDX-License-Identifier: Apache-2.0
#include "chainmodel.h"

#include "common/timestamp.h"

namespace auditscope {

namespace {

QString fromStd(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// Request rows have internal id 0; event rows carry their request + 1.
constexpr quintptr RequestRow = 0;

} // namespace

ChainModel::ChainModel(QObject* parent)
    : QAbstractItemModel(parent)
{ }

void ChainModel::setChain(Chain chain)
{
    beginResetModel();
    m_chain = std::move(chain);
    endResetModel();
}

QModelIndex ChainModel::indexOfEvent(EventId id) const
{
    for (std::size_t r = 0; r < m_chain.requests.size(); ++r) {
        const auto& events = m_chain.requests[r].events;
        for (std::size_t i = 0; i < events.size(); ++i)
            if (m_chain.events[events[i]].id == id)
                return createIndex(static_cast<int>(i), 0, quintptr(r + 1));
    }
    return {};
}

QModelIndex ChainModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid()) {
        if (static_cast<std::size_t>(row) >= m_chain.requests.size())
            return {};
        return createIndex(row, column, RequestRow);
    }
    if (parent.internalId() != RequestRow)
        return {};
    const auto& events = m_chain.requests[static_cast<std::size_t>(parent.row())].events;
    if (static_cast<std::size_t>(row) >= events.size())
        return {};
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex ChainModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == RequestRow)
        return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, RequestRow);
}

int ChainModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_chain.requests.size());
    if (parent.column() != 0 || parent.internalId() != RequestRow)
        return 0;
    return static_cast<int>(m_chain.requests[static_cast<std::size_t>(parent.row())].events.size());
}

int ChainModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() && parent.column() != 0 ? 0 : ColumnCount;
}

QVariant ChainModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == RequestRow)
        return requestData(index.row(), index.column(), role);
    return eventData(static_cast<int>(index.internalId() - 1), index.row(), index.column(), role);
}

QVariant ChainModel::requestData(int request, int column, int role) const
{
    const ChainRequest& r = m_chain.requests[static_cast<std::size_t>(request)];
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(column)) {
        case LabelColumn:
            return QString(fromStd(r.verb.empty() ? std::string("request") : r.verb)
                + QLatin1Char(' ') + fromStd(r.requestUri));
        case LaneColumn:
            return fromStd(m_chain.lanes[r.lane].name);
        case TimeColumn:
            return fromStd(formatRfc3339Micros(r.receivedNs));
        case OffsetColumn:
            return fromStd(formatDurationNs(r.receivedNs - m_chain.firstNs));
        case DurationColumn:
            if (const auto total = r.totalNs())
                return fromStd(formatDurationNs(*total));
            return QStringLiteral("(no end)");
        case CodeColumn:
            return r.code ? QVariant(int(r.code)) : QVariant();
        case FlagsColumn:
            return r.flags ? fromStd(chainFlagNames(r.flags)) : QString();
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == FlagsColumn && r.flags) {
            QString tip;
            for (const ChainFlagInfo& info : chainFlagInfos())
                if (r.flags & info.flag)
                    tip += fromStd(info.title) + QStringLiteral(": ") + fromStd(info.description)
                        + QLatin1Char('\n');
            return tip.trimmed();
        }
        return {};
    case IsRequestRole:
        return true;
    case RequestRole:
        return request;
    case LaneRole:
        return int(r.lane);
    case StartNsRole:
        return qint64(r.receivedNs);
    case EndNsRole:
        return qint64(r.endNs());
    case OffsetNsRole:
        return qint64(r.receivedNs - m_chain.firstNs);
    case FlagsRole:
        return int(r.flags);
    case CodeRole:
        return int(r.code);
    default:
        return {};
    }
}

QVariant ChainModel::eventData(int request, int event, int column, int role) const
{
    const ChainRequest& r = m_chain.requests[static_cast<std::size_t>(request)];
    const std::uint32_t at = r.events[static_cast<std::size_t>(event)];
    const ChainEvent& e = m_chain.events[at];
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(column)) {
        case LabelColumn:
            return fromStd(stageName(e.stage));
        case LaneColumn:
            return fromStd(m_chain.lanes[e.lane].name);
        case TimeColumn:
            return fromStd(formatRfc3339Micros(e.stageNs));
        case OffsetColumn:
            return fromStd(formatDurationNs(e.stageNs - m_chain.firstNs));
        case DurationColumn: {
            const std::int64_t previous = event == 0
                ? r.receivedNs
                : m_chain.events[r.events[static_cast<std::size_t>(event - 1)]].stageNs;
            return fromStd(formatDurationNs(e.stageNs - previous));
        }
        case CodeColumn:
            return e.code ? QVariant(int(e.code)) : QVariant();
        case FlagsColumn:
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == CodeColumn && !e.message.empty())
            return fromStd(e.message);
        return {};
    case EventIdRole:
        return quint32(e.id.value);
    case IsRequestRole:
        return false;
    case RequestRole:
        return request;
    case LaneRole:
        return int(e.lane);
    case StageRole:
        return int(e.stage);
    case StartNsRole:
    case EndNsRole:
        return qint64(e.stageNs);
    case OffsetNsRole:
        return qint64(e.stageNs - m_chain.firstNs);
    case FlagsRole:
        return int(r.flags);
    case CodeRole:
        return int(e.code);
    default:
        return {};
    }
}

QVariant ChainModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case LabelColumn:
        return QStringLiteral("Request / stage");
    case LaneColumn:
        return QStringLiteral("Server");
    case TimeColumn:
        return QStringLiteral("Time (UTC)");
    case OffsetColumn:
        return QStringLiteral("Offset");
    case DurationColumn:
        return QStringLiteral("Duration");
    case CodeColumn:
        return QStringLiteral("Code");
    case FlagsColumn:
        return QStringLiteral("Flags");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace auditscope
