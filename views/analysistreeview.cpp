// SPDX-License-Identifier: Apache-2.0
#include "analysistreeview.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <functional>

namespace auditscope {

namespace {

// `a or b or c`, each part parenthesised when it has spaces (so `and` inside stays inside).
QString orOf(QStringList parts)
{
    parts.sort(); // one text per selection, whatever the click order
    if (parts.size() == 1)
        return parts.front();
    for (QString& part : parts)
        if (part.contains(QLatin1Char(' ')))
            part = QLatin1Char('(') + part + QLatin1Char(')');
    return parts.join(QStringLiteral(" or "));
}

} // namespace

AnalysisTreeView::AnalysisTreeView(QWidget* parent)
    : QWidget(parent)
    , m_tree(new QTreeView)
    , m_pin(new QToolButton)
    , m_status(new QLabel)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 0, 4, 0);
    m_pin->setText(tr("Pin"));
    m_pin->setCheckable(true);
    m_pin->setToolTip(tr("Keep showing the events without this view's own selection, so the "
                         "selection does not filter the other rows away"));
    connect(m_pin, &QToolButton::toggled, this, &AnalysisTreeView::pinnedChanged);
    // A long status (impersonation edges) is cut, never widens the dock; the tooltip has it all.
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    bar->addWidget(m_status, 1);
    bar->addWidget(m_pin);
    layout->addLayout(bar);
    layout->addWidget(m_tree, 1);

    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_tree, &QWidget::customContextMenuRequested, this, &AnalysisTreeView::showMenu);
}

void AnalysisTreeView::setModel(QAbstractItemModel* model, int filterRole)
{
    m_filterRole = filterRole;
    m_tree->setModel(model);
    m_tree->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_tree->header()->resizeSection(0, 260);
    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &AnalysisTreeView::emitSelection);
    connect(model, &QAbstractItemModel::modelReset, this, &AnalysisTreeView::restoreSelection);
}

bool AnalysisTreeView::isPinned() const
{
    return m_pin->isChecked();
}

void AnalysisTreeView::setPinned(bool pinned)
{
    m_pin->setChecked(pinned);
}

QString AnalysisTreeView::selectionFilter() const
{
    return m_selectedFilters.isEmpty() ? QString() : orOf(m_selectedFilters.values());
}

void AnalysisTreeView::clearSelection()
{
    m_restoring = true;
    m_selectedFilters.clear();
    m_tree->clearSelection();
    m_restoring = false;
}

void AnalysisTreeView::setStatus(const QString& text)
{
    m_status->setText(text);
}

void AnalysisTreeView::setStatusToolTip(const QString& text)
{
    m_status->setToolTip(text);
}

void AnalysisTreeView::emitSelection()
{
    if (m_restoring)
        return;
    QSet<QString> filters;
    for (const QModelIndex& index : m_tree->selectionModel()->selectedRows()) {
        const QString filter = index.data(m_filterRole).toString();
        if (!filter.isEmpty())
            filters.insert(filter);
    }
    if (filters == m_selectedFilters)
        return;
    m_selectedFilters = filters;
    Q_EMIT selectionFilterChanged(selectionFilter());
}

// After a reset (new counts), select again the rows the user had picked: found by their filter
// text, in the first two levels and below expanded rows (a deep tree is not walked whole).
void AnalysisTreeView::restoreSelection()
{
    if (m_selectedFilters.isEmpty())
        return;
    m_restoring = true;
    QAbstractItemModel* model = m_tree->model();
    QItemSelection selection;
    std::function<void(const QModelIndex&, int)> visit = [&](const QModelIndex& parent, int depth) {
        for (int row = 0; row < model->rowCount(parent); ++row) {
            const QModelIndex index = model->index(row, 0, parent);
            if (m_selectedFilters.contains(index.data(m_filterRole).toString()))
                selection.select(index, index);
            if (depth < 1 || m_tree->isExpanded(index))
                visit(index, depth + 1);
        }
    };
    visit({}, 0);
    m_tree->selectionModel()->select(
        selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_restoring = false;
}

void AnalysisTreeView::showMenu(const QPoint& position)
{
    const QModelIndex index = m_tree->indexAt(position);
    if (!index.isValid())
        return;
    QString filter = selectionFilter();
    const QString rowFilter = index.siblingAtColumn(0).data(m_filterRole).toString();
    if (!m_tree->selectionModel()->isRowSelected(index.row(), index.parent()))
        filter = rowFilter; // the menu is about the row under the mouse
    QMenu menu(this);
    if (!filter.isEmpty()) {
        menu.addAction(tr("Show Only These Events"), this,
            [this, filter] { Q_EMIT showOnlyRequested(filter); });
        menu.addAction(
            tr("Exclude These Events"), this, [this, filter] { Q_EMIT excludeRequested(filter); });
        menu.addAction(
            tr("Copy Filter"), this, [filter] { QGuiApplication::clipboard()->setText(filter); });
    }
    const QString name = index.siblingAtColumn(0).data().toString();
    menu.addAction(tr("Copy Name"), this, [name] { QGuiApplication::clipboard()->setText(name); });
    menu.exec(m_tree->viewport()->mapToGlobal(position));
}

} // namespace auditscope
