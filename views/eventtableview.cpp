// SPDX-License-Identifier: Apache-2.0
#include "eventtableview.h"

#include "severitydelegate.h"

#include "itemmodels/eventtablemodel.h"

#include <QContextMenuEvent>
#include <QHeaderView>
#include <QMenu>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>

#include <algorithm>
#include <climits>

namespace auditscope {

QColor EventTableView::ruleColor(int rule)
{
    // Hues a golden angle apart: neighbouring rules never look alike.
    return QColor::fromHsv((rule * 137 + 200) % 360, 170, 210);
}

EventTableView::EventTableView(QWidget* parent)
    : QAbstractItemView(parent)
    , m_header(new QHeaderView(Qt::Horizontal, this))
    , m_rowHeight(fontMetrics().height() + 6)
{
    setItemDelegate(new SeverityDelegate(this));
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);

    m_header->setSectionsMovable(true);
    m_header->setHighlightSections(false);
    m_header->setStretchLastSection(true);
    m_header->setSortIndicatorShown(true);
    m_header->setSortIndicator(-1, Qt::AscendingOrder);
    m_header->setSectionsClickable(true);
    m_header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(
        m_header, &QHeaderView::customContextMenuRequested, this, &EventTableView::showHeaderMenu);
    // QHeaderView flips its sort indicator on a click before emitting sectionClicked, so the
    // indicator already shows the order the user asked for.
    connect(m_header, &QHeaderView::sectionClicked, this, [this](int section) {
        Q_EMIT sortRequested(static_cast<EventColumn>(section),
            m_header->sortIndicatorOrder() == Qt::DescendingOrder);
    });
    auto relayout = [this] {
        updateGeometries();
        viewport()->update();
    };
    connect(m_header, &QHeaderView::sectionResized, this, relayout);
    connect(m_header, &QHeaderView::sectionMoved, this, relayout);
    connect(m_header, &QHeaderView::geometriesChanged, this, relayout);
}

void EventTableView::setModel(QAbstractItemModel* model)
{
    QAbstractItemView::setModel(model);
    m_header->setModel(model);
    setInitialColumnWidths();
    updateGeometries();
}

// Sensible first widths from the font, without measuring rows (that would visit every row). A
// restored column state replaces them. Columns with known shapes are measured on a sample; free
// text gets a share of characters.
void EventTableView::setInitialColumnWidths()
{
    if (!model())
        return;
    const QFontMetrics metrics = fontMetrics();
    const int padding = 2 * metrics.averageCharWidth();
    auto fit = [&](const char* sample) {
        return metrics.horizontalAdvance(QString::fromLatin1(sample)) + padding;
    };
    const int charWidth = metrics.averageCharWidth();
    const int widths[] = {fit("2023-03-10 22:38:26.382098"), fit("ResponseComplete"),
        34 * charWidth, fit("deletecollection"), 24 * charWidth, 16 * charWidth, 28 * charWidth,
        fit("Code 000"), fit("Decision"), fit("2001:db8::ffff:ffff"), 30 * charWidth,
        fit("000.0 ms"), fit("RequestResponse"), 16 * charWidth,
        fit("00000000-0000-0000-0000-000000000000"), fit("Rule 000"), fit("RequestResponse")};
    static_assert(std::size(widths) == EventColumnCount);
    for (int c = 0; c < EventColumnCount && c < m_header->count(); ++c)
        m_header->resizeSection(c, widths[c]);
}

void EventTableView::setColumnHidden(int column, bool hidden)
{
    m_header->setSectionHidden(column, hidden);
}

bool EventTableView::isColumnHidden(int column) const
{
    return m_header->isSectionHidden(column);
}

void EventTableView::setColumnWidth(int column, int width)
{
    m_header->resizeSection(column, width);
}

int EventTableView::columnWidth(int column) const
{
    return m_header->sectionSize(column);
}

QByteArray EventTableView::saveColumnState() const
{
    return m_header->saveState();
}

void EventTableView::restoreColumnState(const QByteArray& state)
{
    m_header->restoreState(state);
}

// Geometry -------------------------------------------------------------------------------------

int EventTableView::rowCount() const
{
    return model() ? model()->rowCount(rootIndex()) : 0;
}

bool EventTableView::scrollsByPixel() const
{
    return qint64(rowCount()) * m_rowHeight < INT_MAX / 2;
}

qint64 EventTableView::contentY() const
{
    const qint64 value = verticalScrollBar()->value();
    return scrollsByPixel() ? value : value * m_rowHeight;
}

void EventTableView::setContentY(qint64 y)
{
    const qint64 value = scrollsByPixel() ? y : (y + m_rowHeight - 1) / m_rowHeight;
    verticalScrollBar()->setValue(int(std::clamp<qint64>(value, 0, INT_MAX)));
}

int EventTableView::rowAt(int y) const
{
    if (y < 0)
        return -1;
    const qint64 row = (contentY() + y) / m_rowHeight;
    return row < rowCount() ? int(row) : -1;
}

qint64 EventTableView::rowTop(int row) const
{
    return qint64(row) * m_rowHeight - contentY();
}

int EventTableView::visibleRowCount() const
{
    return std::max(1, viewport()->height() / m_rowHeight);
}

void EventTableView::updateGeometries()
{
    const int headerHeight = m_header->isHidden() ? 0 : m_header->sizeHint().height();
    if (viewportMargins().top() != headerHeight)
        setViewportMargins(0, headerHeight, 0, 0);
    const QRect area = viewport()->geometry();
    m_header->setGeometry(area.left(), area.top() - headerHeight, area.width(), headerHeight);

    QScrollBar* horizontal = horizontalScrollBar();
    horizontal->setRange(0, std::max(0, m_header->length() - area.width()));
    horizontal->setPageStep(area.width());
    horizontal->setSingleStep(std::max(1, fontMetrics().averageCharWidth() * 4));
    m_header->setOffset(horizontal->value());

    QScrollBar* vertical = verticalScrollBar();
    const int rows = rowCount();
    if (scrollsByPixel()) {
        vertical->setRange(0, std::max(0, rows * m_rowHeight - area.height()));
        vertical->setPageStep(area.height());
        vertical->setSingleStep(m_rowHeight);
    } else {
        vertical->setRange(0, std::max(0, rows - visibleRowCount()));
        vertical->setPageStep(visibleRowCount());
        vertical->setSingleStep(1);
    }
    QAbstractItemView::updateGeometries();
}

void EventTableView::dataChanged(
    const QModelIndex& topLeft, const QModelIndex& bottomRight, const QList<int>& roles)
{
    Q_UNUSED(roles)
    if (!topLeft.isValid() || !bottomRight.isValid() || !isVisible())
        return;
    // Rows are arithmetic: the changed rows' band, clipped to the viewport, full width (the
    // rule strip of a row is drawn in its first visible column, whatever column changed).
    const qint64 top = std::max<qint64>(rowTop(topLeft.row()), 0);
    const qint64 bottom =
        std::min<qint64>(rowTop(bottomRight.row()) + m_rowHeight, viewport()->height());
    if (top < bottom)
        viewport()->update(QRect(0, int(top), viewport()->width(), int(bottom - top)));
}

void EventTableView::reset()
{
    QAbstractItemView::reset();
    updateGeometries();
    viewport()->update();
}

void EventTableView::rowsInserted(const QModelIndex& parent, int start, int end)
{
    QAbstractItemView::rowsInserted(parent, start, end);
    updateGeometries();
    viewport()->update();
}

void EventTableView::scrollContentsBy(int dx, int dy)
{
    m_header->setOffset(horizontalScrollBar()->value());
    if (dy != 0 && !scrollsByPixel())
        viewport()->update(); // dy counts rows here
    else
        viewport()->scroll(dx, dy);
}

// QAbstractItemView's questions ----------------------------------------------------------------

QRect EventTableView::visualRect(const QModelIndex& index) const
{
    if (!index.isValid() || index.parent() != rootIndex() || isIndexHidden(index))
        return {};
    // Far-away rows are clamped: only whether they intersect the viewport matters.
    const qint64 top = std::clamp<qint64>(rowTop(index.row()), -(1 << 24), 1 << 24);
    return {m_header->sectionViewportPosition(index.column()), int(top),
        m_header->sectionSize(index.column()), m_rowHeight};
}

void EventTableView::scrollTo(const QModelIndex& index, ScrollHint hint)
{
    if (!index.isValid())
        return;
    const qint64 top = qint64(index.row()) * m_rowHeight;
    const qint64 now = contentY();
    const int height = viewport()->height();
    switch (hint) {
    case EnsureVisible:
        if (top < now)
            setContentY(top);
        else if (top + m_rowHeight > now + height)
            setContentY(top + m_rowHeight - height);
        break;
    case PositionAtTop:
        setContentY(top);
        break;
    case PositionAtBottom:
        setContentY(top + m_rowHeight - height);
        break;
    case PositionAtCenter:
        setContentY(top - (height - m_rowHeight) / 2);
        break;
    }
    if (isIndexHidden(index))
        return;
    // Horizontally, only as far as it takes to show the whole cell (as QTableView does).
    const int left = m_header->sectionPosition(index.column());
    const int right = left + m_header->sectionSize(index.column());
    QScrollBar* horizontal = horizontalScrollBar();
    if (left < horizontal->value())
        horizontal->setValue(left);
    else if (right > horizontal->value() + viewport()->width())
        horizontal->setValue(std::min(left, right - viewport()->width()));
}

QModelIndex EventTableView::indexAt(const QPoint& point) const
{
    const int row = rowAt(point.y());
    const int column = m_header->logicalIndexAt(point.x());
    if (row < 0 || column < 0 || !model())
        return {};
    return model()->index(row, column, rootIndex());
}

QModelIndex EventTableView::moveCursor(CursorAction cursorAction, Qt::KeyboardModifiers)
{
    const int rows = rowCount();
    if (rows == 0 || m_header->count() == m_header->hiddenSectionCount())
        return {};
    const QModelIndex current = currentIndex();
    int row = current.isValid() ? current.row() : -1;
    // The column matters only for copying one cell; it moves over visible columns.
    int visual = current.isValid() ? m_header->visualIndex(current.column()) : -1;
    auto stepColumn = [this](int from, int step) {
        for (int v = from + step; v >= 0 && v < m_header->count(); v += step)
            if (!m_header->isSectionHidden(m_header->logicalIndex(v)))
                return v;
        return from;
    };
    if (visual < 0)
        visual = stepColumn(-1, 1);
    switch (cursorAction) {
    case MoveUp:
    case MovePrevious:
        row = row < 0 ? 0 : row - 1;
        break;
    case MoveDown:
    case MoveNext:
        row = row + 1;
        break;
    case MovePageUp:
        row -= visibleRowCount();
        break;
    case MovePageDown:
        row = row < 0 ? visibleRowCount() - 1 : row + visibleRowCount();
        break;
    case MoveHome:
        row = 0;
        break;
    case MoveEnd:
        row = rows - 1;
        break;
    case MoveLeft:
        visual = stepColumn(visual, -1);
        break;
    case MoveRight:
        visual = stepColumn(visual, 1);
        break;
    }
    row = std::clamp(row, 0, rows - 1);
    return model()->index(row, m_header->logicalIndex(visual), rootIndex());
}

int EventTableView::horizontalOffset() const
{
    return m_header->offset();
}

int EventTableView::verticalOffset() const
{
    return int(std::min<qint64>(contentY(), INT_MAX));
}

bool EventTableView::isIndexHidden(const QModelIndex& index) const
{
    return m_header->isSectionHidden(index.column());
}

void EventTableView::setSelection(const QRect& rect, QItemSelectionModel::SelectionFlags command)
{
    const int rows = rowCount();
    if (rows == 0 || !selectionModel())
        return;
    const QRect area = rect.normalized();
    const int first = area.top() < 0 ? rowAt(0) : rowAt(area.top());
    int last = rowAt(area.bottom());
    if (first < 0)
        return;
    if (last < 0)
        last = rows - 1;
    const int lastColumn = model()->columnCount(rootIndex()) - 1;
    selectionModel()->select(QItemSelection(model()->index(first, 0, rootIndex()),
                                 model()->index(last, lastColumn, rootIndex())),
        command);
}

QRegion EventTableView::visualRegionForSelection(const QItemSelection& selection) const
{
    const int firstShown = rowAt(0);
    if (firstShown < 0)
        return {};
    // The row under the last pixel (a partly shown bottom row counts), or the last row.
    const int underBottom = rowAt(viewport()->height() - 1);
    const int lastShown = underBottom < 0 ? rowCount() - 1 : underBottom;
    QRegion region;
    for (const QItemSelectionRange& range : selection) {
        const int top = std::max(range.top(), firstShown);
        const int bottom = std::min(range.bottom(), lastShown);
        if (top <= bottom)
            region +=
                QRect(0, int(rowTop(top)), viewport()->width(), (bottom - top + 1) * m_rowHeight);
    }
    return region;
}

// Painting -------------------------------------------------------------------------------------

void EventTableView::paintEvent(QPaintEvent* event)
{
    const int rows = rowCount();
    const QRect exposed = event->rect();
    const int first = rowAt(exposed.top());
    if (rows == 0 || first < 0)
        return;
    int last = rowAt(exposed.bottom());
    if (last < 0)
        last = rows - 1;

    QPainter painter(viewport());
    QStyleOptionViewItem base;
    initViewItemOption(&base);
    const QModelIndex current = currentIndex();
    QItemSelectionModel* selection = selectionModel();
    QAbstractItemDelegate* delegate = itemDelegate();
    for (int row = first; row <= last; ++row) {
        const int top = int(rowTop(row));
        for (int visual = 0; visual < m_header->count(); ++visual) {
            const int column = m_header->logicalIndex(visual);
            if (m_header->isSectionHidden(column))
                continue;
            const int left = m_header->sectionViewportPosition(column);
            const int width = m_header->sectionSize(column);
            if (left > exposed.right() || left + width < exposed.left())
                continue;
            const QModelIndex index = model()->index(row, column, rootIndex());
            QStyleOptionViewItem option = base;
            option.rect = QRect(left, top, width, m_rowHeight);
            if (selection && selection->isSelected(index))
                option.state |= QStyle::State_Selected;
            delegate->paint(&painter, option, index);
        }
        // With an active policy, a strip at the row's start in its matched rule's colour.
        const QVariant rule =
            model()->index(row, 0, rootIndex()).data(EventTableModel::MatchedRuleRole);
        if (rule.isValid() && rule.toInt() >= 0)
            painter.fillRect(QRect(0, top, RuleStripWidth, m_rowHeight), ruleColor(rule.toInt()));
        // One focus frame around the whole current row, so keyboard users see where they are.
        if (hasFocus() && current.isValid() && current.row() == row) {
            QStyleOptionFocusRect focus;
            focus.initFrom(this);
            focus.rect =
                QRect(0, top, std::min(viewport()->width(), m_header->length()), m_rowHeight);
            focus.backgroundColor = palette().color(QPalette::Highlight);
            style()->drawPrimitive(QStyle::PE_FrameFocusRect, &focus, &painter, this);
        }
    }
}

void EventTableView::contextMenuEvent(QContextMenuEvent* event)
{
    // From the mouse the position is the viewport's; from the keyboard only the current row
    // counts, and the menu opens below it.
    const bool mouse = event->reason() == QContextMenuEvent::Mouse;
    const QModelIndex index = mouse ? indexAt(event->pos()) : currentIndex();
    if (!index.isValid())
        return;
    const QRect cell = visualRect(index);
    const QPoint position = mouse
        ? event->globalPos()
        : viewport()->mapToGlobal(QPoint(std::max(0, cell.left()), cell.bottom()));
    Q_EMIT eventMenuRequested(index, position);
}

void EventTableView::showHeaderMenu(const QPoint& position)
{
    QMenu menu(this);
    for (int c = 0; c < EventColumnCount; ++c) {
        QAction* action = menu.addAction(model() ? model()->headerData(c, Qt::Horizontal).toString()
                                                 : eventColumnName(static_cast<EventColumn>(c)));
        action->setCheckable(true);
        action->setChecked(!isColumnHidden(c));
        connect(
            action, &QAction::toggled, this, [this, c](bool shown) { setColumnHidden(c, !shown); });
    }
    menu.exec(m_header->mapToGlobal(position));
}

} // namespace auditscope
