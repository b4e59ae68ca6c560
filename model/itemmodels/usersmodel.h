// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "analysis/usersaggregate.h"
#include "store/eventstore.h"

#include <QAbstractItemModel>

#include <memory>

namespace auditscope {

/// The users view: a tree of principal groups (humans, service accounts per namespace, nodes,
/// control plane, anonymous) and their users, over a UsersAggregate computed elsewhere (off the
/// GUI thread). data() is O(1) apart from formatting; nothing is cached. Lives on the GUI thread.
class UsersModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Role {
        FilterRole = Qt::UserRole + 1, ///< QString: query text selecting the row's events
        KindRole, ///< int, PrincipalKind
        IsGroupRole, ///< bool: a group row (its children are users)
        UserIndexRole, ///< int, index into UsersAggregate::users (-1 for group rows)
        FirstTimeNsRole, ///< qint64 (user rows)
        LastTimeNsRole, ///< qint64 (user rows)
    };
    enum Column {
        NameColumn,
        EventsColumn,
        WritesColumn,
        DeletesColumn,
        AuthFailuresColumn,
        FirstSeenColumn,
        LastSeenColumn,
        SourceIpsColumn,
        UserAgentsColumn,
        GroupsColumn,
        ColumnCount
    };

    explicit UsersModel(QObject* parent = nullptr);

    /// Shows `users` of `store` (one model reset). Either may be null: an empty model.
    void setAggregate(EventStorePtr store, std::shared_ptr<const UsersAggregate> users);
    const std::shared_ptr<const UsersAggregate>& aggregate() const { return m_users; }
    /// The index of a user's row (NameColumn), or invalid: keeps a selection across resets.
    QModelIndex indexOfUser(UserId user) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant groupData(const UserGroup& group, int column, int role) const;
    QVariant userData(const UserSummary& user, int column, int role) const;

    EventStorePtr m_store;
    std::shared_ptr<const UsersAggregate> m_users;
};

} // namespace auditscope
