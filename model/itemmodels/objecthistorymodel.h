// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "chain/objecthistory.h"

#include <QAbstractItemModel>

namespace auditscope {

/// One object's history as a tree: a top-level row per request (time order), the JSON changes
/// it made as children. For the object-history view: the list on one side, and the selected
/// request's before/after (BeforeRole/AfterRole, compact JSON; pretty-print with prettyJson())
/// or its patch body on the other. The history is built elsewhere (buildObjectHistory() on a
/// worker) and handed over with setHistory(). Lives on the GUI thread.
class ObjectHistoryModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Role {
        EventIdRole = Qt::UserRole + 1, ///< quint32, the request's final event (both row kinds)
        IsChangeRole, ///< bool: a JSON change row
        EntryRole, ///< int, index into history().entries
        TimeNsRole, ///< qint64, the request's receive time
        ActionRole, ///< int (HistoryAction)
        SucceededRole, ///< bool
        PatchKindRole, ///< int (PatchKind); PatchKind::Unknown for other actions
        NoteRole, ///< QString
        BeforeRole, ///< QString, compact JSON of the object before; empty if unknown or absent
        AfterRole, ///< QString, compact JSON after; empty if unknown or absent
        PatchBodyRole, ///< QString, the patch as sent (patches only)
        ChangeKindRole, ///< int (JsonChange::Kind); change rows only
        PathRole, ///< QString, JSON Pointer; change rows only ("" = the whole object)
        OldValueRole, ///< QString, compact JSON; change rows only
        NewValueRole, ///< QString, compact JSON; change rows only
    };
    enum Column {
        TimeColumn, ///< request: receive time (UTC); change: empty
        ActorColumn, ///< request: user (and impersonated user); change: empty
        ActionColumn, ///< request: verb[/subresource]; change: added / removed / changed
        CodeColumn, ///< request: response code; change: empty
        DetailColumn, ///< request: patch kind, change count or note; change: path and values
        ColumnCount
    };

    explicit ObjectHistoryModel(QObject* parent = nullptr);

    /// Replaces the history (one model reset).
    void setHistory(ObjectHistory history);
    const ObjectHistory& history() const { return m_history; }

    /// The row of the request whose events include `id` (invalid if none).
    QModelIndex indexOfEvent(EventId id) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant entryData(int entry, int column, int role) const;
    QVariant changeData(int entry, int change, int column, int role) const;

    ObjectHistory m_history;
};

} // namespace auditscope
