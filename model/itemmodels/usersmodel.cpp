// SPDX-License-Identifier: Apache-2.0
#include "usersmodel.h"

#include "analysis/filtertext.h"
#include "common/timestamp.h"

namespace auditscope {

namespace {

// internalId: 0 for group rows; group index + 1 for user rows (their parent).
constexpr quintptr GroupRow = 0;

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString groupLabel(const UserGroup& g)
{
    switch (g.kind) {
    case PrincipalKind::Human:
        return QStringLiteral("Humans");
    case PrincipalKind::ServiceAccount:
        return QStringLiteral("Service accounts: ") + toQString(g.serviceAccountNamespace);
    case PrincipalKind::Node:
        return QStringLiteral("Nodes");
    case PrincipalKind::ControlPlane:
        return QStringLiteral("Control plane");
    case PrincipalKind::Anonymous:
        break;
    }
    return QStringLiteral("Anonymous and unauthenticated");
}

template <class Id>
QString joined(const std::vector<Id>& ids, const StringPool& pool)
{
    QString out;
    for (const Id id : ids) {
        if (!out.isEmpty())
            out += QStringLiteral(", ");
        out += toQString(pool.view(id.value));
    }
    return out;
}

} // namespace

UsersModel::UsersModel(QObject* parent)
    : QAbstractItemModel(parent)
{ }

void UsersModel::setAggregate(EventStorePtr store, std::shared_ptr<const UsersAggregate> users)
{
    beginResetModel();
    m_store = std::move(store);
    m_users = m_store ? std::move(users) : nullptr;
    endResetModel();
}

QModelIndex UsersModel::indexOfUser(UserId user) const
{
    if (!m_users)
        return {};
    const std::ptrdiff_t i = m_users->indexOf(user);
    if (i < 0)
        return {};
    for (std::size_t g = 0; g < m_users->groups.size(); ++g) {
        const auto& members = m_users->groups[g].members;
        for (std::size_t m = 0; m < members.size(); ++m)
            if (members[m] == static_cast<std::uint32_t>(i))
                return createIndex(static_cast<int>(m), NameColumn, quintptr(g + 1));
    }
    return {};
}

QModelIndex UsersModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, GroupRow);
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex UsersModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == GroupRow)
        return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, GroupRow);
}

int UsersModel::rowCount(const QModelIndex& parent) const
{
    if (!m_users || parent.column() > 0)
        return 0;
    if (!parent.isValid())
        return static_cast<int>(m_users->groups.size());
    if (parent.internalId() != GroupRow)
        return 0;
    return static_cast<int>(m_users->groups[static_cast<std::size_t>(parent.row())].members.size());
}

int UsersModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant UsersModel::data(const QModelIndex& index, int role) const
{
    if (!m_users || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == GroupRow) {
        const UserGroup& g = m_users->groups[static_cast<std::size_t>(index.row())];
        return groupData(g, index.column(), role);
    }
    const UserGroup& g = m_users->groups[index.internalId() - 1];
    const std::uint32_t user = g.members[static_cast<std::size_t>(index.row())];
    if (role == UserIndexRole)
        return int(user);
    return userData(m_users->users[user], index.column(), role);
}

QVariant UsersModel::groupData(const UserGroup& g, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return groupLabel(g);
        case EventsColumn:
            return qulonglong(g.events);
        default:
            return {};
        }
    case FilterRole: {
        std::vector<UserId> ids;
        for (const std::uint32_t m : g.members)
            ids.push_back(m_users->users[m].user);
        return toQString(usersFilter(*m_store, ids));
    }
    case KindRole:
        return int(g.kind);
    case IsGroupRole:
        return true;
    case UserIndexRole:
        return -1;
    default:
        return {};
    }
}

QVariant UsersModel::userData(const UserSummary& u, int column, int role) const
{
    const StringPools& p = m_store->pools;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return toQString(userDisplayName(*m_store, u.user));
        case EventsColumn:
            return qulonglong(u.events);
        case WritesColumn:
            return qulonglong(u.writes);
        case DeletesColumn:
            return qulonglong(u.deletes);
        case AuthFailuresColumn:
            return qulonglong(u.authFailures);
        case FirstSeenColumn:
            return QString::fromStdString(formatRfc3339Micros(u.firstNs));
        case LastSeenColumn:
            return QString::fromStdString(formatRfc3339Micros(u.lastNs));
        case SourceIpsColumn:
            return joined(u.sourceIps, p.sourceIps);
        case UserAgentsColumn:
            return joined(u.userAgents, p.userAgents);
        case GroupsColumn:
            return joined(u.groups, p.groups);
        default:
            return {};
        }
    case FilterRole:
        return toQString(userFilter(*m_store, u.user));
    case KindRole:
        return int(u.kind);
    case IsGroupRole:
        return false;
    case FirstTimeNsRole:
        return qint64(u.firstNs);
    case LastTimeNsRole:
        return qint64(u.lastNs);
    default:
        return {};
    }
}

QVariant UsersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return QStringLiteral("User");
    case EventsColumn:
        return QStringLiteral("Events");
    case WritesColumn:
        return QStringLiteral("Writes");
    case DeletesColumn:
        return QStringLiteral("Deletes");
    case AuthFailuresColumn:
        return QStringLiteral("401/403");
    case FirstSeenColumn:
        return QStringLiteral("First seen");
    case LastSeenColumn:
        return QStringLiteral("Last seen");
    case SourceIpsColumn:
        return QStringLiteral("Source IPs");
    case UserAgentsColumn:
        return QStringLiteral("User agents");
    case GroupsColumn:
        return QStringLiteral("Groups");
    default:
        return {};
    }
}

} // namespace auditscope
