// SPDX-License-Identifier: Apache-2.0
#include "timelinewidget.h"

#include <QDateTime>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QTimeZone>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace auditscope {

namespace {

constexpr std::int64_t MinSpanNs = 10'000'000; // 10 ms: narrower than any useful bucket
constexpr int BucketPixels = 6;
constexpr int LaneLabelWidth = 150;
constexpr int MarkStripHeight = 9; // the ticks' strip above the plot, when there are marks

QColor hueFor(TimelineStack stack, std::string_view name, std::size_t index)
{
    static const QColor cycle[] = {{52, 120, 198}, {230, 126, 34}, {46, 160, 90}, {192, 57, 43},
        {142, 68, 173}, {22, 160, 133}, {211, 84, 0}, {127, 140, 141}, {241, 196, 15}};
    switch (stack) {
    case TimelineStack::Verb:
        if (name == "read")
            return {120, 150, 190};
        if (name == "write")
            return {40, 110, 220};
        if (name == "delete")
            return {150, 60, 200};
        return {150, 150, 150};
    case TimelineStack::Response:
        if (name == "2xx")
            return {60, 160, 90};
        if (name == "3xx")
            return {22, 160, 133};
        if (name == "4xx")
            return {230, 140, 20};
        if (name == "5xx")
            return {220, 40, 40};
        return {150, 150, 150};
    case TimelineStack::PrincipalKind:
        if (name == "human")
            return {230, 126, 34};
        if (name == "serviceaccount")
            return {52, 120, 198};
        if (name == "node")
            return {22, 160, 133};
        if (name == "anonymous")
            return {220, 40, 40};
        return {150, 150, 150};
    case TimelineStack::None:
        return {52, 120, 198};
    case TimelineStack::Principal:
        break;
    }
    return name == "other" ? QColor(150, 150, 150) : cycle[index % std::size(cycle)];
}

QString timeText(std::int64_t ns, const char* format)
{
    return QDateTime::fromMSecsSinceEpoch(ns / 1'000'000, QTimeZone::utc())
        .toString(QString::fromLatin1(format));
}

// The format for axis labels `stepNs` apart.
const char* labelFormat(std::int64_t stepNs)
{
    constexpr std::int64_t Second = 1'000'000'000;
    if (stepNs >= 86400 * Second)
        return "yyyy-MM-dd";
    if (stepNs >= 60 * Second)
        return "HH:mm";
    if (stepNs >= Second)
        return "HH:mm:ss";
    return "HH:mm:ss.zzz";
}

QString spanText(const TimeRange& range)
{
    return timeText(range.fromNs, "yyyy-MM-dd HH:mm:ss.zzz") + QStringLiteral(" – ")
        + timeText(range.toNs, "HH:mm:ss.zzz") + QStringLiteral(" UTC");
}

} // namespace

TimelineWidget::TimelineWidget(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setToolTip(tr("Wheel: zoom · Shift+wheel or middle-drag: pan · drag: select a time range · "
                  "click: select a bucket · double-click: whole range"));
}

void TimelineWidget::setTimeline(Timeline timeline)
{
    m_timeline = std::move(timeline);
    update();
}

void TimelineWidget::setFullRange(const TimeRange& range)
{
    m_full = range;
    // A log of one instant still gets a readable axis: at least MinSpanNs, around it.
    if (!range.empty() && range.toNs - range.fromNs < MinSpanNs) {
        const std::int64_t middle = range.fromNs + (range.toNs - range.fromNs) / 2;
        m_full = {middle - MinSpanNs / 2, middle + MinSpanNs / 2};
    }
    m_view = m_full;
    update();
}

void TimelineWidget::setViewRange(const TimeRange& range)
{
    TimeRange view = range;
    const std::int64_t fullSpan = std::max<std::int64_t>(m_full.toNs - m_full.fromNs, MinSpanNs);
    std::int64_t span = std::clamp<std::int64_t>(view.toNs - view.fromNs, MinSpanNs, fullSpan);
    // Keep the view over the events: never pan past either end.
    view.fromNs =
        std::clamp(view.fromNs, m_full.fromNs, std::max(m_full.fromNs, m_full.toNs - span));
    view.toNs = view.fromNs + span;
    if (view == m_view)
        return;
    m_view = view;
    update();
    Q_EMIT viewRangeChanged(m_view);
}

int TimelineWidget::targetBuckets() const
{
    return std::max(10, plotRect().width() / BucketPixels);
}

void TimelineWidget::setCurrentTime(std::optional<std::int64_t> timeNs)
{
    m_current = timeNs;
    update();
}

void TimelineWidget::setSelectedRange(std::optional<TimeRange> range)
{
    m_selected = range;
    update();
}

void TimelineWidget::setMarks(std::vector<TimelineMark> marks, const QString& legend)
{
    std::stable_sort(marks.begin(), marks.end(),
        [](const TimelineMark& a, const TimelineMark& b) { return a.timeNs < b.timeNs; });
    m_marks = std::move(marks);
    m_markLegend = legend;
    update();
}

std::vector<const TimelineMark*> TimelineWidget::marksNear(int x, int pixels) const
{
    std::vector<const TimelineMark*> near;
    if (m_marks.empty() || m_view.empty())
        return near;
    const std::int64_t from = timeAt(x - pixels), to = timeAt(x + pixels);
    auto it = std::lower_bound(m_marks.begin(), m_marks.end(), from,
        [](const TimelineMark& m, std::int64_t t) { return m.timeNs < t; });
    for (; it != m_marks.end() && it->timeNs <= to; ++it)
        near.push_back(&*it);
    return near;
}

QRect TimelineWidget::plotRect() const
{
    const QFontMetrics metrics = fontMetrics();
    const int left =
        (swimlanes() ? LaneLabelWidth : metrics.horizontalAdvance(QStringLiteral("000000"))) + 8;
    const int top = metrics.height() + 4 + (m_marks.empty() ? 0 : MarkStripHeight);
    const int bottom = metrics.height() + 8;
    return rect().adjusted(left, top, -8, -bottom);
}

std::int64_t TimelineWidget::timeAt(int x) const
{
    const QRect plot = plotRect();
    const double share = std::clamp(double(x - plot.left()) / std::max(1, plot.width()), 0.0, 1.0);
    return m_view.fromNs + std::int64_t(std::llround(share * double(m_view.toNs - m_view.fromNs)));
}

double TimelineWidget::xOf(std::int64_t timeNs) const
{
    const QRect plot = plotRect();
    const double span = double(std::max<std::int64_t>(1, m_view.toNs - m_view.fromNs));
    return plot.left() + double(timeNs - m_view.fromNs) / span * plot.width();
}

QSize TimelineWidget::sizeHint() const
{
    return {600, 160};
}

QSize TimelineWidget::minimumSizeHint() const
{
    return {200, 80};
}

QColor TimelineWidget::seriesColor(std::size_t series) const
{
    const std::string& name = m_timeline.seriesNames[series];
    return hueFor(m_timeline.stack, name, series);
}

// Painting ---------------------------------------------------------------------------------------

void TimelineWidget::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    const QRect plot = plotRect();
    if (m_timeline.bucketCount == 0 || m_view.empty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No events"));
        return;
    }
    if (swimlanes())
        paintLanes(painter, plot);
    else
        paintBars(painter, plot);
    paintAxes(painter, plot);
    paintMarks(painter, plot);

    QColor shade = palette().color(QPalette::Highlight);
    shade.setAlpha(60);
    if (m_selected) {
        const double left = std::max<double>(plot.left(), xOf(m_selected->fromNs));
        const double right = std::min<double>(plot.right(), xOf(m_selected->toNs));
        if (right > left)
            painter.fillRect(QRectF(left, plot.top(), right - left, plot.height()), shade);
    }
    if (m_drag == Drag::Select) {
        const int left = std::min(m_dragStartX, m_dragX);
        painter.fillRect(
            QRect(left, plot.top(), std::abs(m_dragX - m_dragStartX), plot.height()), shade);
    }
    if (m_current && m_current >= m_view.fromNs && m_current < m_view.toNs) {
        painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
        const double x = xOf(*m_current);
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    }
}

void TimelineWidget::paintBars(QPainter& painter, const QRect& plot) const
{
    const double peak = double(std::max<std::uint64_t>(1, m_timeline.maxBucketTotal()));
    for (std::size_t b = 0; b < m_timeline.bucketCount; ++b) {
        const double left = xOf(m_timeline.bucketStartNs(b));
        const double right = xOf(m_timeline.bucketStartNs(b) + m_timeline.bucketNs);
        // A one-pixel gap between wide bars keeps buckets apart.
        const double width = std::max(1.0, right - left - (right - left > 4 ? 1 : 0));
        double bottom = plot.bottom() + 1;
        for (std::size_t s = 0; s < m_timeline.seriesCount(); ++s) {
            const std::uint32_t count = m_timeline.count(b, s);
            if (count == 0)
                continue;
            const double height = count / peak * plot.height();
            painter.fillRect(QRectF(left, bottom - height, width, height), seriesColor(s));
            bottom -= height;
        }
    }
}

void TimelineWidget::paintLanes(QPainter& painter, const QRect& plot) const
{
    const std::size_t lanes = m_timeline.seriesCount();
    const double laneHeight = double(plot.height()) / double(std::max<std::size_t>(1, lanes));
    std::uint32_t peak = 1;
    for (std::uint32_t count : m_timeline.counts)
        peak = std::max(peak, count);
    const QFontMetrics metrics = fontMetrics();
    for (std::size_t s = 0; s < lanes; ++s) {
        const double top = plot.top() + s * laneHeight;
        if (s % 2 == 1)
            painter.fillRect(
                QRectF(0, top, width(), laneHeight), palette().color(QPalette::AlternateBase));
        painter.setPen(palette().color(QPalette::Text));
        const QString name = QString::fromStdString(m_timeline.seriesNames[s]);
        painter.drawText(QRectF(4, top, LaneLabelWidth - 4, laneHeight),
            Qt::AlignVCenter | Qt::AlignLeft,
            metrics.elidedText(name, Qt::ElideMiddle, LaneLabelWidth - 8));
        for (std::size_t b = 0; b < m_timeline.bucketCount; ++b) {
            const std::uint32_t count = m_timeline.count(b, s);
            if (count == 0)
                continue;
            const double left = xOf(m_timeline.bucketStartNs(b));
            const double right = xOf(m_timeline.bucketStartNs(b) + m_timeline.bucketNs);
            const double height = std::max(1.0, count / double(peak) * (laneHeight - 2));
            painter.fillRect(QRectF(left, top + laneHeight - 1 - height,
                                 std::max(1.0, right - left - (right - left > 4 ? 1 : 0)), height),
                seriesColor(s));
        }
    }
}

void TimelineWidget::paintMarks(QPainter& painter, const QRect& plot) const
{
    if (m_marks.empty())
        return;
    // One tick per pixel column: the highest-ranked mark in it.
    const int columns = std::max(1, plot.width() + 1);
    std::vector<const TimelineMark*> top(static_cast<std::size_t>(columns), nullptr);
    auto it = std::lower_bound(m_marks.begin(), m_marks.end(), m_view.fromNs,
        [](const TimelineMark& m, std::int64_t t) { return m.timeNs < t; });
    for (; it != m_marks.end() && it->timeNs <= m_view.toNs; ++it) {
        const int column = std::clamp(int(xOf(it->timeNs)) - plot.left(), 0, columns - 1);
        const TimelineMark*& slot = top[static_cast<std::size_t>(column)];
        if (!slot || it->rank > slot->rank)
            slot = &*it;
    }
    const int stripTop = plot.top() - MarkStripHeight;
    painter.fillRect(QRect(plot.left(), stripTop, plot.width(), MarkStripHeight - 1),
        palette().color(QPalette::AlternateBase));
    // Taller ticks for higher ranks: the few serious ones stand out of many minor ones.
    int highest = 0;
    for (const TimelineMark& m : m_marks)
        highest = std::max(highest, m.rank);
    for (int column = 0; column < columns; ++column) {
        const TimelineMark* mark = top[static_cast<std::size_t>(column)];
        if (!mark)
            continue;
        const int height = std::max(3, (MarkStripHeight - 1) * (mark->rank + 2) / (highest + 2));
        painter.fillRect(
            QRect(plot.left() + column - 1, stripTop + MarkStripHeight - 1 - height, 3, height),
            mark->color);
    }
}

int TimelineWidget::paintMarkLegend(QPainter& painter, const QRect& plot) const
{
    if (m_marks.empty() || m_markLegend.isEmpty())
        return 0;
    const QFontMetrics metrics = fontMetrics();
    const int textWidth = metrics.horizontalAdvance(m_markLegend);
    const int right = plot.right();
    const int height = plot.top() - MarkStripHeight;
    // The tick in the colour of the highest-ranked mark: what the strip shows at its worst.
    const auto worst = std::max_element(m_marks.begin(), m_marks.end(),
        [](const TimelineMark& a, const TimelineMark& b) { return a.rank < b.rank; });
    painter.fillRect(
        QRect(right - textWidth - 9, height / 2 - 3, 3, MarkStripHeight - 1), worst->color);
    painter.setPen(palette().color(QPalette::Text));
    painter.drawText(QRect(right - textWidth, 0, textWidth, height),
        Qt::AlignRight | Qt::AlignVCenter, m_markLegend);
    return textWidth + 16;
}

void TimelineWidget::paintAxes(QPainter& painter, const QRect& plot) const
{
    const QFontMetrics metrics = fontMetrics();
    const QColor text = palette().color(QPalette::Text);
    QColor grid = palette().color(QPalette::Mid);
    grid.setAlpha(90);

    // Time ticks: the smallest bucket step that leaves room for a label.
    const double nsPerPixel =
        double(m_view.toNs - m_view.fromNs) / double(std::max(1, plot.width()));
    const int labelWidth = metrics.horizontalAdvance(QStringLiteral("00:00:00.000")) + 24;
    std::int64_t step = bucketSteps().back();
    for (const std::int64_t candidate : bucketSteps()) {
        if (candidate / nsPerPixel >= labelWidth) {
            step = candidate;
            break;
        }
    }
    const char* format = labelFormat(step);
    const std::int64_t first = (m_view.fromNs / step + (m_view.fromNs % step > 0 ? 1 : 0)) * step;
    for (std::int64_t t = first; t < m_view.toNs; t += step) {
        const double x = xOf(t);
        painter.setPen(grid);
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        painter.setPen(text);
        painter.drawText(
            QRectF(x - labelWidth / 2.0, plot.bottom() + 3, labelWidth, metrics.height()),
            Qt::AlignHCenter | Qt::AlignTop, timeText(t, format));
    }
    painter.setPen(grid);
    painter.drawLine(plot.bottomLeft(), plot.bottomRight());

    // The caption says what one bar is; the bars' scale is on the left.
    painter.setPen(text);
    const QLocale locale;
    const QString caption =
        tr("%1 events · per %2 · %3")
            .arg(locale.toString(qulonglong(m_timeline.total)),
                QString::fromStdString(formatBucketWidth(m_timeline.bucketNs)), spanText(m_view));
    const int legendWidth = paintMarkLegend(painter, plot);
    const int captionHeight = plot.top() - (m_marks.empty() ? 0 : MarkStripHeight);
    painter.setPen(text);
    painter.drawText(QRect(plot.left(), 0, plot.width() - legendWidth, captionHeight),
        Qt::AlignLeft | Qt::AlignVCenter,
        metrics.elidedText(caption, Qt::ElideRight, plot.width() - legendWidth));
    if (!swimlanes()) {
        const QString peak = locale.toString(qulonglong(m_timeline.maxBucketTotal()));
        painter.drawText(
            QRect(0, plot.top() - metrics.height() / 2, plot.left() - 4, metrics.height()),
            Qt::AlignRight | Qt::AlignVCenter, peak);
        painter.drawText(
            QRect(0, plot.bottom() - metrics.height() / 2, plot.left() - 4, metrics.height()),
            Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("0"));
    }
}

// Interaction ------------------------------------------------------------------------------------

void TimelineWidget::zoom(double factor, std::int64_t anchorNs)
{
    const double span = double(m_view.toNs - m_view.fromNs) * factor;
    const double share = double(anchorNs - m_view.fromNs)
        / double(std::max<std::int64_t>(1, m_view.toNs - m_view.fromNs));
    const auto from = std::int64_t(std::llround(double(anchorNs) - share * span));
    setViewRange(
        {from, from + std::max<std::int64_t>(MinSpanNs, std::int64_t(std::llround(span)))});
}

void TimelineWidget::pan(std::int64_t byNs)
{
    setViewRange({m_view.fromNs + byNs, m_view.toNs + byNs});
}

void TimelineWidget::mousePressEvent(QMouseEvent* event)
{
    const bool panning = event->button() == Qt::MiddleButton
        || (event->button() == Qt::LeftButton && event->modifiers() & Qt::ControlModifier);
    if (panning) {
        m_drag = Drag::Pan;
        m_dragStartView = m_view;
    } else if (event->button() == Qt::LeftButton) {
        m_drag = Drag::Select;
    } else {
        return;
    }
    m_dragStartX = m_dragX = event->position().toPoint().x();
}

void TimelineWidget::mouseMoveEvent(QMouseEvent* event)
{
    const int x = event->position().toPoint().x();
    switch (m_drag) {
    case Drag::Pan: {
        const double nsPerPixel = double(m_dragStartView.toNs - m_dragStartView.fromNs)
            / double(std::max(1, plotRect().width()));
        const auto shift = std::int64_t(std::llround((m_dragStartX - x) * nsPerPixel));
        setViewRange({m_dragStartView.fromNs + shift, m_dragStartView.toNs + shift});
        break;
    }
    case Drag::Select:
        m_dragX = std::clamp(x, plotRect().left(), plotRect().right());
        update();
        break;
    case Drag::None:
        showBucketTip(event->position().toPoint());
        break;
    }
}

void TimelineWidget::mouseReleaseEvent(QMouseEvent* event)
{
    const Drag drag = std::exchange(m_drag, Drag::None);
    if (drag != Drag::Select)
        return;
    update();
    const int x =
        std::clamp(event->position().toPoint().x(), plotRect().left(), plotRect().right());
    if (std::abs(x - m_dragStartX) < 4) { // a click: the bucket under it
        if (const auto bucket = m_timeline.bucketAt(timeAt(x)))
            Q_EMIT rangeSelected(m_timeline.bucketRange(*bucket));
        return;
    }
    const std::int64_t a = timeAt(std::min(x, m_dragStartX));
    const std::int64_t b = timeAt(std::max(x, m_dragStartX));
    Q_EMIT rangeSelected({a, b});
}

void TimelineWidget::mouseDoubleClickEvent(QMouseEvent*)
{
    setViewRange(m_full);
}

void TimelineWidget::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0)
        return;
    if (event->modifiers() & Qt::ShiftModifier)
        pan(std::int64_t(-steps * 0.1 * double(m_view.toNs - m_view.fromNs)));
    else
        zoom(std::pow(0.8, steps), timeAt(event->position().toPoint().x()));
    event->accept();
}

void TimelineWidget::keyPressEvent(QKeyEvent* event)
{
    const std::int64_t span = m_view.toNs - m_view.fromNs;
    const std::int64_t middle = m_view.fromNs + span / 2;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoom(0.5, middle);
        break;
    case Qt::Key_Minus:
        zoom(2.0, middle);
        break;
    case Qt::Key_Left:
        pan(-span / 5);
        break;
    case Qt::Key_Right:
        pan(span / 5);
        break;
    case Qt::Key_Home:
        setViewRange(m_full);
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}

void TimelineWidget::leaveEvent(QEvent* event)
{
    QToolTip::hideText();
    QWidget::leaveEvent(event);
}

void TimelineWidget::showBucketTip(const QPoint& position)
{
    const QRect plot = plotRect();
    if (!m_marks.empty() && position.y() < plot.top()
        && position.y() >= plot.top() - MarkStripHeight && position.x() >= plot.left()) {
        const std::vector<const TimelineMark*> near = marksNear(position.x());
        if (near.empty()) {
            QToolTip::hideText();
            return;
        }
        QString text;
        for (std::size_t i = 0; i < near.size() && i < 8; ++i)
            text +=
                QStringLiteral("%1<span style='color:%2'>■</span> %3 · %4")
                    .arg(i > 0 ? QStringLiteral("<br>") : QString(), near[i]->color.name(),
                        timeText(near[i]->timeNs, "HH:mm:ss.zzz"), near[i]->text.toHtmlEscaped());
        if (near.size() > 8)
            text += tr("<br>… and %1 more").arg(near.size() - 8);
        QToolTip::showText(mapToGlobal(position), text, this);
        return;
    }
    if (!plotRect().contains(position) || m_timeline.bucketCount == 0) {
        QToolTip::hideText();
        return;
    }
    const auto bucket = m_timeline.bucketAt(timeAt(position.x()));
    if (!bucket)
        return;
    const QLocale locale;
    const std::int64_t start = m_timeline.bucketStartNs(*bucket);
    QString text = QStringLiteral("<b>%1</b><br>%2 events")
                       .arg(spanText({start, start + m_timeline.bucketNs}).toHtmlEscaped(),
                           locale.toString(qulonglong(m_timeline.bucketTotal(*bucket))));
    for (std::size_t s = 0; s < m_timeline.seriesCount() && m_timeline.seriesCount() > 1; ++s) {
        const std::uint32_t count = m_timeline.count(*bucket, s);
        if (count > 0)
            text += QStringLiteral("<br><span style='color:%1'>■</span> %2: %3")
                        .arg(seriesColor(s).name(),
                            QString::fromStdString(m_timeline.seriesNames[s]).toHtmlEscaped(),
                            locale.toString(count));
    }
    QToolTip::showText(mapToGlobal(position), text, this);
}

} // namespace auditscope
