// SPDX-License-Identifier: Apache-2.0
#include "chaingantt.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>

namespace auditscope {

namespace {

constexpr int LabelWidth = 230;
constexpr int RowHeight = 34;
constexpr int MarkRadius = 6;

QString text(const std::string& s)
{
    return QString::fromStdString(s);
}

QString requestLabel(const Chain& chain, const ChainRequest& request)
{
    // Folder and file: servers' logs are often all called audit.log, in a folder per server.
    const QString lane = text(chain.lanes[request.lane].name).section(QLatin1Char('/'), -2);
    QString what = text(request.verb);
    if (!request.resource.empty())
        what += QLatin1Char(' ') + text(request.resource)
            + (request.subresource.empty() ? QString()
                                           : QLatin1Char('/') + text(request.subresource));
    else
        what += QLatin1Char(' ') + text(request.requestUri).section(QLatin1Char('?'), 0, 0);
    return lane + QStringLiteral(": ") + what;
}

} // namespace

ChainGantt::ChainGantt(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumHeight(90);
}

void ChainGantt::setChain(const Chain& chain)
{
    m_chain = chain;
    m_selected = {};
    setMinimumHeight(std::min(sizeHint().height(), 240)); // every request row, up to a point
    updateGeometry();
    update();
}

void ChainGantt::setSelectedEvent(EventId id)
{
    m_selected = id;
    update();
}

QSize ChainGantt::sizeHint() const
{
    const int rows = std::max<int>(1, int(m_chain.requests.size()));
    return {700, 2 * fontMetrics().height() + 12 + rows * RowHeight};
}

QRect ChainGantt::plotRect() const
{
    const int axis = fontMetrics().height() + 8;
    return rect().adjusted(LabelWidth, 8, -16, -axis);
}

double ChainGantt::xOf(std::int64_t ns) const
{
    const QRect plot = plotRect();
    const double span = double(std::max<std::int64_t>(1, m_chain.lastNs - m_chain.firstNs));
    return plot.left() + double(ns - m_chain.firstNs) / span * plot.width();
}

int ChainGantt::rowTop(std::size_t request) const
{
    return plotRect().top() + int(request) * RowHeight;
}

QPointF ChainGantt::markPosition(std::size_t index) const
{
    const ChainEvent& e = m_chain.events[index];
    return {xOf(e.stageNs), rowTop(e.request) + RowHeight / 2.0 + 4};
}

int ChainGantt::markAt(const QPoint& position) const
{
    int best = -1;
    double bestDistance = MarkRadius + 3;
    for (std::size_t i = 0; i < m_chain.events.size(); ++i) {
        const QPointF d = markPosition(i) - QPointF(position);
        const double distance = std::hypot(d.x(), d.y());
        if (distance < bestDistance) {
            bestDistance = distance;
            best = int(i);
        }
    }
    return best;
}

void ChainGantt::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    if (m_chain.empty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter,
            tr("Follow a request: select an event and press Ctrl+Alt+F (Go ▸ Follow Request)"));
        return;
    }
    const QRect plot = plotRect();
    const QColor textColor = palette().color(QPalette::Text);
    const QColor bar = palette().color(QPalette::Highlight).lighter(150);
    const QFontMetrics metrics = fontMetrics();

    // Time axis: offsets from the chain's first event.
    QColor grid = palette().color(QPalette::Mid);
    grid.setAlpha(80);
    for (int tick = 0; tick <= 4; ++tick) {
        const double x = plot.left() + plot.width() * tick / 4.0;
        painter.setPen(grid);
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        const std::int64_t offset = (m_chain.lastNs - m_chain.firstNs) * tick / 4;
        painter.setPen(textColor);
        const QString label = QLatin1Char('+') + text(formatDurationNs(offset));
        // The last label ends at the axis' end rather than running off the widget.
        const QRectF box(tick == 4 ? x - 120 : x - 60, plot.bottom() + 4, 120, metrics.height());
        painter.drawText(box, tick == 4 ? Qt::AlignRight : Qt::AlignHCenter, label);
    }

    for (std::size_t r = 0; r < m_chain.requests.size(); ++r) {
        const ChainRequest& request = m_chain.requests[r];
        const int top = rowTop(r);
        const double middle = top + RowHeight / 2.0 + 4;
        if (r % 2 == 1)
            painter.fillRect(
                QRect(0, top, width(), RowHeight), palette().color(QPalette::AlternateBase));
        painter.setPen(textColor);
        painter.drawText(QRect(6, top, LabelWidth - 12, RowHeight),
            Qt::AlignVCenter | Qt::AlignLeft,
            metrics.elidedText(requestLabel(m_chain, request), Qt::ElideMiddle, LabelWidth - 12));
        const bool troubled = request.flags & (ChainIncomplete | ChainPanic);
        const double left = xOf(request.receivedNs);
        const double right = std::max(left + 2, xOf(request.endNs()));
        painter.fillRect(
            QRectF(left, middle - 3, right - left, 6), troubled ? QColor(230, 140, 20) : bar);
        // Latency labels between consecutive stages of this request.
        for (std::size_t k = 1; k < request.events.size(); ++k) {
            const ChainEvent& a = m_chain.events[request.events[k - 1]];
            const ChainEvent& b = m_chain.events[request.events[k]];
            const double x0 = xOf(a.stageNs), x1 = xOf(b.stageNs);
            const QString latency = text(formatDurationNs(b.stageNs - a.stageNs));
            if (x1 - x0 > metrics.horizontalAdvance(latency) + 4) {
                painter.setPen(textColor);
                painter.drawText(
                    QRectF(x0, top, x1 - x0, middle - top - MarkRadius), Qt::AlignCenter, latency);
            }
        }
    }

    // Marks last, above bars and labels.
    for (std::size_t i = 0; i < m_chain.events.size(); ++i) {
        const ChainEvent& e = m_chain.events[i];
        const QPointF at = markPosition(i);
        const QRectF box(at.x() - MarkRadius, at.y() - MarkRadius, 2 * MarkRadius, 2 * MarkRadius);
        const QColor ink = e.code >= 400 ? QColor(220, 40, 40) : textColor;
        painter.setPen(QPen(ink, 2));
        switch (e.stage) {
        case Stage::RequestReceived:
            painter.setBrush(palette().color(QPalette::Base));
            painter.drawEllipse(box);
            break;
        case Stage::ResponseStarted: {
            painter.setBrush(palette().color(QPalette::Base));
            painter.drawEllipse(box);
            QPainterPath half;
            half.moveTo(at);
            half.arcTo(box, 90, 180);
            painter.fillPath(half, ink);
            break;
        }
        case Stage::ResponseComplete:
            painter.setBrush(ink);
            painter.drawEllipse(box);
            break;
        case Stage::Panic:
        case Stage::Unknown:
            painter.setPen(QPen(QColor(220, 40, 40), 3));
            painter.drawLine(box.topLeft(), box.bottomRight());
            painter.drawLine(box.topRight(), box.bottomLeft());
            break;
        }
        if (e.id == m_selected) {
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
            painter.drawEllipse(box.adjusted(-4, -4, 4, 4));
        }
    }
}

void ChainGantt::mousePressEvent(QMouseEvent* event)
{
    const int mark = markAt(event->position().toPoint());
    if (mark >= 0 && event->button() == Qt::LeftButton) {
        m_selected = m_chain.events[std::size_t(mark)].id;
        update();
        Q_EMIT eventClicked(m_selected);
    }
}

bool ChainGantt::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int mark = markAt(help->pos());
        if (mark < 0) {
            QToolTip::hideText();
            return true;
        }
        const ChainEvent& e = m_chain.events[std::size_t(mark)];
        QString tip = QStringLiteral("<b>%1</b> +%2")
                          .arg(text(std::string(stageName(e.stage))),
                              text(formatDurationNs(e.stageNs - m_chain.firstNs)));
        if (e.code)
            tip += QStringLiteral("<br>code %1 %2").arg(e.code).arg(text(e.status).toHtmlEscaped());
        if (!e.decision.empty())
            tip += QStringLiteral("<br>decision %1").arg(text(e.decision).toHtmlEscaped());
        tip += QStringLiteral("<br>%1:%2").arg(text(e.file).toHtmlEscaped()).arg(e.line);
        QToolTip::showText(help->globalPos(), tip, this);
        return true;
    }
    return QWidget::event(event);
}

} // namespace auditscope
