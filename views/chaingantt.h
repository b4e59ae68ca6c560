// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "chain/chain.h"

#include <QWidget>

namespace auditscope {

/// The life of one auditID on a shared time axis: a row per request, grouped by server lane, a
/// bar from its receipt to its last stage, a mark per logged stage (hollow circle
/// RequestReceived, half circle ResponseStarted, full circle ResponseComplete, red cross Panic)
/// and the latency between consecutive stages. Clicking a mark selects that event.
class ChainGantt final : public QWidget
{
    Q_OBJECT

public:
    explicit ChainGantt(QWidget* parent = nullptr);

    void setChain(const Chain& chain);
    /// Rings the mark of `id` (the event selected elsewhere).
    void setSelectedEvent(EventId id);
    /// Where the mark of chain event `index` is drawn (for tests and tooltips).
    QPointF markPosition(std::size_t index) const;
    std::size_t markCount() const { return m_chain.events.size(); }

    QSize sizeHint() const override;

Q_SIGNALS:
    void eventClicked(auditscope::EventId id);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    QRect plotRect() const;
    double xOf(std::int64_t ns) const;
    int rowTop(std::size_t request) const;
    /// The chain event whose mark is under `position`, or -1.
    int markAt(const QPoint& position) const;

    Chain m_chain;
    EventId m_selected;
};

} // namespace auditscope
