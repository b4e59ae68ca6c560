// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "analysis/timeline.h"

#include <QColor>
#include <QString>
#include <QWidget>

#include <optional>
#include <vector>

namespace auditscope {

/// Something to mark on the timeline at one instant (a finding): a tick along the top in its
/// colour; where ticks share a pixel, the highest rank is drawn.
struct TimelineMark
{
    std::int64_t timeNs = 0;
    int rank = 0; ///< e.g. the severity: higher wins a shared pixel
    QColor color;
    QString text; ///< for the tooltip, e.g. "High: Privileged container created"
};

/// A histogram of events over time, painted from a Timeline (bucket counts computed in model/
/// on a worker, never one item per event): stacked bars, or one lane per principal
/// (swimlanes). The widget owns the span it shows and asks for new buckets when it changes.
///
/// Mouse: wheel zooms around the pointer, Shift+wheel pans, middle-drag or Ctrl+drag pans,
/// left-drag selects a time range, a click selects one bucket, a double click shows the whole
/// range. Keyboard: + and - zoom, Left and Right pan, Home shows the whole range.
class TimelineWidget final : public QWidget
{
    Q_OBJECT

public:
    explicit TimelineWidget(QWidget* parent = nullptr);

    /// The counts to paint; their range should be viewRange() (older results are still drawn,
    /// stretched to their own range, until the new ones arrive).
    void setTimeline(Timeline timeline);
    const Timeline& timeline() const { return m_timeline; }

    /// The whole span of the events: the zoom-out limit and what Home shows. Resets the view.
    void setFullRange(const TimeRange& range);
    TimeRange fullRange() const { return m_full; }
    TimeRange viewRange() const { return m_view; }
    /// Shows `range` (clamped to sensible limits) and emits viewRangeChanged.
    void setViewRange(const TimeRange& range);
    /// How many buckets fit the current width (about 6 pixels each).
    int targetBuckets() const;

    /// The current event's time, marked with a line.
    void setCurrentTime(std::optional<std::int64_t> timeNs);
    /// A time range to shade, e.g. the one the filter's `time` terms select.
    void setSelectedRange(std::optional<TimeRange> range);
    /// Ticks along the top (any order; empty: none, and no strip for them). `legend` names
    /// them in the caption line, e.g. "12 findings".
    void setMarks(std::vector<TimelineMark> marks, const QString& legend);
    const std::vector<TimelineMark>& marks() const { return m_marks; }
    /// The marks within `pixels` of widget x coordinate `x`, in time order.
    std::vector<const TimelineMark*> marksNear(int x, int pixels = 2) const;

    /// The time under widget x coordinate `x` (clamped to the plot).
    std::int64_t timeAt(int x) const;
    /// The widget x coordinate of `timeNs`.
    double xOf(std::int64_t timeNs) const;
    /// The area bars are drawn in.
    QRect plotRect() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    /// The shown span changed (zoom or pan): compute a timeline for it.
    void viewRangeChanged(const auditscope::TimeRange& range);
    /// The user selected a range (drag) or a bucket (click).
    void rangeSelected(const auditscope::TimeRange& range);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    bool swimlanes() const { return m_timeline.stack == TimelineStack::Principal; }
    QColor seriesColor(std::size_t series) const;
    void zoom(double factor, std::int64_t anchorNs);
    void pan(std::int64_t byNs);
    void showBucketTip(const QPoint& position);
    void paintAxes(QPainter& painter, const QRect& plot) const;
    void paintBars(QPainter& painter, const QRect& plot) const;
    void paintLanes(QPainter& painter, const QRect& plot) const;
    void paintMarks(QPainter& painter, const QRect& plot) const;
    /// The caption line's right end: a tick and the legend; returns the width it took.
    int paintMarkLegend(QPainter& painter, const QRect& plot) const;

    Timeline m_timeline;
    TimeRange m_full;
    TimeRange m_view;
    std::optional<std::int64_t> m_current;
    std::optional<TimeRange> m_selected;
    std::vector<TimelineMark> m_marks; // by time
    QString m_markLegend;

    enum class Drag { None, Select, Pan } m_drag = Drag::None;
    int m_dragStartX = 0;
    int m_dragX = 0;
    TimeRange m_dragStartView;
};

} // namespace auditscope
