// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "itemmodels/eventcolumns.h"
#include "policy/policyquerycontext.h"
#include "store/rowset.h"

#include <QAbstractTableModel>

namespace auditscope {

/// The event table: a snapshot of the store and the rows to show (filtered and/or sorted
/// elsewhere, off the GUI thread). data() formats one cell on demand; nothing is cached per
/// row. Lives on the GUI thread.
class EventTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Role {
        EventIdRole = Qt::UserRole + 1, ///< quint32
        TimeNsRole, ///< qint64, requestReceivedTimestamp
        SeverityRole, ///< int, EventSeverity
        MatchedRuleRole, ///< int: the active policy's rule, -1 when none matches (or no policy)
    };

    explicit EventTableModel(QObject* parent = nullptr);

    /// Shows every event of `store` in time order, without materialising a row list (a 10 M
    /// row vector would be 40 MB built on the GUI thread). One model reset.
    void setSnapshot(EventStorePtr store);
    /// Shows `rows` of `store` (filtered and/or sorted elsewhere). One model reset.
    void setSnapshot(EventStorePtr store, RowSet rows);
    void setTimeDisplay(const TimeDisplay& time);
    /// The active policy's outcome per event, for the Rule and Policy level columns (null: no
    /// policy). Ignored unless it covers the shown store; dropped when the store changes.
    void setPolicyContext(PolicyQueryContextPtr context);
    const PolicyQueryContextPtr& policyContext() const { return m_policy; }
    const TimeDisplay& timeDisplay() const { return m_time; }

    const EventStorePtr& store() const { return m_store; }
    /// True when every event is shown in time order (then rows() is empty).
    bool showsAllEvents() const { return m_all; }
    /// The rows shown; empty in the all-events mode (see showsAllEvents()).
    const RowSet& rows() const { return m_rows; }
    EventId eventAt(int row) const;
    /// Number of rows shown (can exceed what an int row count can address).
    std::size_t size() const;
    /// The row showing `id`, or -1: keeps selections by event id across resets.
    int rowOf(EventId id) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    /// The policy's outcome for the event in `row` of the store, or null.
    const PolicyEventMatch* policyMatch(std::uint32_t row) const;
    void dropStalePolicy();

    EventStorePtr m_store;
    PolicyQueryContextPtr m_policy; // covers m_store, or null
    RowSet m_rows;
    bool m_all = false;
    bool m_rowsAscending = true; // rows in EventId order: rowOf() can binary-search
    TimeDisplay m_time;
};

} // namespace auditscope
