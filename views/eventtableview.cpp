// SPDX-License-Identifier: Apache-2.0
#include "eventtableview.h"

#include "itemmodels/eventtablemodel.h"

#include <QHeaderView>
#include <QMenu>
#include <QPainter>
#include <QStyledItemDelegate>

namespace auditscope {

namespace {

// Blends a hue into the palette's base colour: readable on light and dark themes alike.
QColor tint(const QColor& base, const QColor& hue, double amount)
{
    return QColor::fromRgbF(float(base.redF() * (1 - amount) + hue.redF() * amount),
        float(base.greenF() * (1 - amount) + hue.greenF() * amount),
        float(base.blueF() * (1 - amount) + hue.blueF() * amount));
}

class SeverityDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
        const QModelIndex& index) const override
    {
        const auto severity =
            static_cast<EventSeverity>(index.data(EventTableModel::SeverityRole).toInt());
        if (severity != EventSeverity::Normal && !(option.state & QStyle::State_Selected)) {
            QColor hue;
            switch (severity) {
            case EventSeverity::Forbidden:
                hue = QColor(220, 40, 40);
                break;
            case EventSeverity::Failure:
                hue = QColor(230, 140, 20);
                break;
            case EventSeverity::Delete:
                hue = QColor(150, 60, 200);
                break;
            case EventSeverity::Write:
                hue = QColor(40, 110, 220);
                break;
            case EventSeverity::Normal:
                break;
            }
            painter->fillRect(option.rect, tint(option.palette.color(QPalette::Base), hue, 0.22));
        }
        QStyledItemDelegate::paint(painter, option, index);
    }
};

} // namespace

EventTableView::EventTableView(QWidget* parent)
    : QTableView(parent)
{
    setItemDelegate(new SeverityDelegate(this));
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setShowGrid(false);
    setWordWrap(false);
    setAlternatingRowColors(false); // the severity tints carry the meaning
    verticalHeader()->setVisible(false);
    // A fixed row height keeps scrolling O(visible rows) over millions of events.
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    QHeaderView* header = horizontalHeader();
    header->setSectionsMovable(true);
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(-1, Qt::AscendingOrder);
    header->setSectionsClickable(true);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(
        header, &QHeaderView::customContextMenuRequested, this, &EventTableView::showHeaderMenu);
    // QHeaderView flips its sort indicator on a click before emitting sectionClicked, so the
    // indicator already shows the order the user asked for.
    connect(header, &QHeaderView::sectionClicked, this, [this](int section) {
        Q_EMIT sortRequested(static_cast<EventColumn>(section),
            horizontalHeader()->sortIndicatorOrder() == Qt::DescendingOrder);
    });
}

void EventTableView::setModel(QAbstractItemModel* model)
{
    QTableView::setModel(model);
    // Sensible first widths from the font, without measuring rows (ResizeToContents would
    // visit every row). A restored column state replaces them.
    // Columns with known shapes are measured on a sample; free text gets a share of characters.
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
        fit("00000000-0000-0000-0000-000000000000")};
    static_assert(std::size(widths) == EventColumnCount);
    for (int c = 0; c < EventColumnCount && model; ++c)
        setColumnWidth(c, widths[c]);
}

QByteArray EventTableView::saveColumnState() const
{
    return horizontalHeader()->saveState();
}

void EventTableView::restoreColumnState(const QByteArray& state)
{
    horizontalHeader()->restoreState(state);
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
    menu.exec(horizontalHeader()->mapToGlobal(position));
}

} // namespace auditscope
