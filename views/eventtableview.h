// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "itemmodels/eventcolumns.h"

#include <QTableView>

namespace auditscope {

/// The event list: fixed row height (smooth over millions of rows), movable columns, a header
/// menu to show and hide columns, rows tinted by severity from the palette (so dark themes
/// work), and sort requests that the owner fulfils off the GUI thread.
class EventTableView final : public QTableView
{
    Q_OBJECT

public:
    explicit EventTableView(QWidget* parent = nullptr);
    void setModel(QAbstractItemModel* model) override;

    /// Column order and visibility, for QSettings.
    QByteArray saveColumnState() const;
    void restoreColumnState(const QByteArray& state);

Q_SIGNALS:
    /// The user clicked a column header; the owner sorts and calls setSortIndicator.
    void sortRequested(auditscope::EventColumn column, bool descending);

private:
    void showHeaderMenu(const QPoint& position);
};

} // namespace auditscope
