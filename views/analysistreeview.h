// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QSet>
#include <QWidget>

class QAbstractItemModel;
class QLabel;
class QToolButton;
class QTreeView;

namespace auditscope {

/// A tree of aggregated rows (users, resources) whose selection filters the events. Each row
/// gives its own filter text in `filterRole`; selecting rows asks for their `or`, clearing the
/// selection withdraws it. The selection survives the model's resets (by filter text), so a
/// view that recomputes after its own filter keeps showing what the user picked.
///
/// "Pin" keeps the view on the events without its own filter (the owner computes it so), so
/// the other rows stay visible to pick from.
class AnalysisTreeView final : public QWidget
{
    Q_OBJECT

public:
    explicit AnalysisTreeView(QWidget* parent = nullptr);

    void setModel(QAbstractItemModel* model, int filterRole);
    QTreeView* treeView() const { return m_tree; }
    bool isPinned() const;
    void setPinned(bool pinned);
    /// The filter the current selection stands for ("" when nothing is selected).
    QString selectionFilter() const;
    /// Forgets the selection without asking for a filter (the owner cleared the view filters).
    void clearSelection();
    /// A line under the tree, e.g. "23 users, 5 groups".
    void setStatus(const QString& text);
    void setStatusToolTip(const QString& text);

Q_SIGNALS:
    /// The user changed the selection: `filter` selects its rows' events ("" = none selected).
    void selectionFilterChanged(const QString& filter);
    /// From the context menu: replace the whole filter with `filter`, or exclude its events.
    void showOnlyRequested(const QString& filter);
    void excludeRequested(const QString& filter);
    void pinnedChanged(bool pinned);

private:
    void emitSelection();
    void restoreSelection();
    void showMenu(const QPoint& position);

    QTreeView* m_tree;
    QToolButton* m_pin;
    QLabel* m_status;
    int m_filterRole = 0;
    QSet<QString> m_selectedFilters; // by filter text: survives resets
    bool m_restoring = false;
};

} // namespace auditscope
