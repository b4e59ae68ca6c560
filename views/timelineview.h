// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "analysis/timeline.h"

#include <QWidget>

class QComboBox;

namespace auditscope {

class TimelineWidget;

/// The timeline dock's content: what to stack by (verb class, response class, principal kind,
/// or swimlanes of the top principals), a button for the whole range, and the histogram.
class TimelineView final : public QWidget
{
    Q_OBJECT

public:
    explicit TimelineView(QWidget* parent = nullptr);

    TimelineWidget* histogram() const { return m_histogram; }
    /// What to compute for the current zoom, width and stacking.
    TimelineRequest request() const;
    TimelineStack stack() const;
    void setStack(TimelineStack stack);

Q_SIGNALS:
    /// Stacking, zoom or pan changed: compute request() again.
    void requestChanged();
    /// The user selected a time range (drag) or a bucket (click).
    void rangeSelected(const auditscope::TimeRange& range);

private:
    QComboBox* m_stack;
    TimelineWidget* m_histogram;
};

} // namespace auditscope
