// SPDX-License-Identifier: Apache-2.0
#include "severitydelegate.h"

#include "syntaxformats.h"

#include "itemmodels/eventcolumns.h"
#include "itemmodels/eventtablemodel.h"

#include <QPainter>

namespace auditscope {

namespace {

QColor hueOf(EventSeverity severity)
{
    switch (severity) {
    case EventSeverity::Forbidden:
        return {220, 40, 40};
    case EventSeverity::Failure:
        return {230, 140, 20};
    case EventSeverity::Delete:
        return {150, 60, 200};
    case EventSeverity::Write:
        return {40, 110, 220};
    case EventSeverity::Normal:
        break;
    }
    return {};
}

} // namespace

void SeverityDelegate::paint(
    QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const auto severity =
        static_cast<EventSeverity>(index.data(EventTableModel::SeverityRole).toInt());
    if (severity != EventSeverity::Normal && !(option.state & QStyle::State_Selected))
        painter->fillRect(
            option.rect, blendColors(option.palette.color(QPalette::Base), hueOf(severity), 0.22));
    QStyledItemDelegate::paint(painter, option, index);
}

} // namespace auditscope
