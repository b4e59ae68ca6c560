// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStyledItemDelegate>

namespace auditscope {

/// Paints event cells with a background tint for failures, forbids, writes and deletes. The tint
/// blends a hue into the palette's base colour, so it reads on light and dark themes alike.
class SeverityDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
        const QModelIndex& index) const override;
};

} // namespace auditscope
