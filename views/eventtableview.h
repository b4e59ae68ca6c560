// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "itemmodels/eventcolumns.h"

#include <QAbstractItemView>

class QHeaderView;

namespace auditscope {

/// The event list. A row view of its own rather than a QTableView: QTableView keeps a vertical
/// QHeaderView with one record per row, and rebuilding that for 10 M rows on every filter or sort
/// blocks the GUI thread for longer than our 50 ms budget. Here every row has the same height,
/// so a row's position is arithmetic and a model reset costs nothing per row.
///
/// Columns come from a horizontal QHeaderView: movable, resizable, hidden from its context
/// menu, remembered with saveColumnState(). Rows are tinted by severity from the palette (so
/// dark themes work). A click on a header asks the owner to sort (off the GUI thread).
class EventTableView final : public QAbstractItemView
{
    Q_OBJECT

public:
    explicit EventTableView(QWidget* parent = nullptr);

    void setModel(QAbstractItemModel* model) override;
    QHeaderView* horizontalHeader() const { return m_header; }
    int rowHeight() const { return m_rowHeight; }
    /// The colour of the strip that marks rows matched by policy rule `rule`.
    static QColor ruleColor(int rule);
    static constexpr int RuleStripWidth = 5;

    void setColumnHidden(int column, bool hidden);
    bool isColumnHidden(int column) const;
    void setColumnWidth(int column, int width);
    int columnWidth(int column) const;

    /// Column order, widths and visibility, for QSettings.
    QByteArray saveColumnState() const;
    void restoreColumnState(const QByteArray& state);

    // QAbstractItemView
    QRect visualRect(const QModelIndex& index) const override;
    void scrollTo(const QModelIndex& index, ScrollHint hint = EnsureVisible) override;
    QModelIndex indexAt(const QPoint& point) const override;
    void reset() override;
    /// Repaints the visible part of the changed rows. QAbstractItemView's own version measures
    /// every changed cell (visualRect per cell): seconds on the GUI thread when a new policy
    /// result changes the Rule column of 10 M rows.
    void dataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight,
        const QList<int>& roles = QList<int>()) override;

Q_SIGNALS:
    /// The user clicked a column header; the owner sorts and calls setSortIndicator.
    void sortRequested(auditscope::EventColumn column, bool descending);
    /// A context menu for a cell: under the mouse, or the current row's for the menu key.
    void eventMenuRequested(const QModelIndex& index, const QPoint& globalPosition);

protected:
    QModelIndex moveCursor(CursorAction cursorAction, Qt::KeyboardModifiers modifiers) override;
    int horizontalOffset() const override;
    int verticalOffset() const override;
    bool isIndexHidden(const QModelIndex& index) const override;
    void setSelection(const QRect& rect, QItemSelectionModel::SelectionFlags command) override;
    QRegion visualRegionForSelection(const QItemSelection& selection) const override;
    void updateGeometries() override;
    void rowsInserted(const QModelIndex& parent, int start, int end) override;
    void paintEvent(QPaintEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    int rowCount() const;
    /// Distance in pixels from the first row's top to the viewport's top.
    qint64 contentY() const;
    /// The row under a viewport y coordinate, or -1.
    int rowAt(int y) const;
    /// A row's top edge in viewport coordinates (may lie far outside the viewport).
    qint64 rowTop(int row) const;
    int visibleRowCount() const;
    /// Whether the vertical scroll bar counts pixels (smooth) or, for logs too long for an
    /// int of pixels, rows.
    bool scrollsByPixel() const;
    void setContentY(qint64 y);
    void showHeaderMenu(const QPoint& position);
    void setInitialColumnWidths();

    QHeaderView* m_header;
    int m_rowHeight;
};

} // namespace auditscope
