// SPDX-License-Identifier: Apache-2.0
#include "timelineview.h"

#include "timelinewidget.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace auditscope {

TimelineView::TimelineView(QWidget* parent)
    : QWidget(parent)
    , m_stack(new QComboBox)
    , m_histogram(new TimelineWidget)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 0, 4, 0);
    auto* label = new QLabel(tr("Stack &by"));
    label->setBuddy(m_stack);
    m_stack->addItem(tr("Nothing"), int(TimelineStack::None));
    m_stack->addItem(tr("Verb: read / write / delete"), int(TimelineStack::Verb));
    m_stack->addItem(tr("Response: 2xx / 4xx / 5xx"), int(TimelineStack::Response));
    m_stack->addItem(tr("Principal kind"), int(TimelineStack::PrincipalKind));
    m_stack->addItem(tr("Top principals (swimlanes)"), int(TimelineStack::Principal));
    m_stack->setCurrentIndex(1);
    auto* whole = new QToolButton;
    whole->setText(tr("Whole Range"));
    whole->setToolTip(tr("Show every event's time (Home in the histogram)"));
    bar->addWidget(label);
    bar->addWidget(m_stack);
    bar->addStretch(1);
    bar->addWidget(whole);
    layout->addLayout(bar);
    layout->addWidget(m_histogram, 1);

    connect(m_stack, &QComboBox::currentIndexChanged, this, &TimelineView::requestChanged);
    connect(whole, &QToolButton::clicked, this,
        [this] { m_histogram->setViewRange(m_histogram->fullRange()); });
    connect(m_histogram, &TimelineWidget::viewRangeChanged, this, &TimelineView::requestChanged);
    connect(m_histogram, &TimelineWidget::rangeSelected, this, &TimelineView::rangeSelected);
}

TimelineStack TimelineView::stack() const
{
    return static_cast<TimelineStack>(m_stack->currentData().toInt());
}

void TimelineView::setStack(TimelineStack stack)
{
    m_stack->setCurrentIndex(m_stack->findData(int(stack)));
}

TimelineRequest TimelineView::request() const
{
    TimelineRequest request;
    request.range = m_histogram->viewRange();
    request.targetBuckets = m_histogram->targetBuckets();
    request.stack = stack();
    request.lanes = 8;
    return request;
}

} // namespace auditscope
