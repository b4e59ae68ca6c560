// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "chain/chain.h"

#include <QAbstractItemModel>

namespace auditscope {

/// One auditID chain as a tree: a top-level row per request (in chain order), its events as
/// children (time order). For the chain view: a table/tree beside a Gantt painter that reads
/// the lanes and the time axis from chain(), and each row's start/end from StartNsRole and
/// EndNsRole. The chain is built elsewhere (buildChain() on a worker; it re-reads a few events
/// from disk) and handed over with setChain(). Lives on the GUI thread.
class ChainModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Role {
        EventIdRole = Qt::UserRole + 1, ///< quint32; events only
        IsRequestRole, ///< bool
        RequestRole, ///< int, index into chain().requests
        LaneRole, ///< int, index into chain().lanes
        StageRole, ///< int (auditscope::Stage); events only
        StartNsRole, ///< qint64: request receive time / event stage time
        EndNsRole, ///< qint64: request end (last stage) / event stage time
        OffsetNsRole, ///< qint64: StartNsRole - chain().firstNs
        FlagsRole, ///< int, ChainFlag bits (request flags; for events their request's)
        CodeRole, ///< int, response code (0 = none)
    };
    enum Column {
        LabelColumn, ///< request: "verb URI"; event: stage name
        LaneColumn, ///< the server (lane name)
        TimeColumn, ///< stage time (request: receive time), RFC 3339 UTC
        OffsetColumn, ///< from the chain's first event
        DurationColumn, ///< request: total; event: since the request's previous stage
        CodeColumn,
        FlagsColumn, ///< request flags ("incomplete", ...); empty for ok
        ColumnCount
    };

    explicit ChainModel(QObject* parent = nullptr);

    /// Replaces the chain (one model reset).
    void setChain(Chain chain);
    const Chain& chain() const { return m_chain; }

    /// The index of the request row, or of the event row showing `id` (invalid if absent).
    QModelIndex indexOfEvent(EventId id) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant requestData(int request, int column, int role) const;
    QVariant eventData(int request, int event, int column, int role) const;

    Chain m_chain;
};

} // namespace auditscope
