// SPDX-License-Identifier: Apache-2.0
// The linked analysis views: timeline, users, resources. Each shows the events of the current
// filter (recomputed on a worker when it changes), and a selection in one of them adds a term
// to the filter. The filter bar always shows the whole filter: the user's own part, then one
// term per view ("(…) and (user:alice) and (time >= …)"), so nothing is hidden state.
#include "mainwindow.h"

#include "policy/policyeditorevaluation.h"

#include "analysis/analysisrunner.h"
#include "analysis/filtertext.h"
#include "analysistreeview.h"
#include "eventtableview.h"
#include "filterbar.h"
#include "itemmodels/eventtablemodel.h"
#include "itemmodels/resourcesmodel.h"
#include "itemmodels/usersmodel.h"
#include "query/queryrunner.h"
#include "timelineview.h"
#include "timelinewidget.h"

#include <QDockWidget>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QTimer>

namespace auditscope {

namespace {

const QString TimelineTerm = QStringLiteral("timeline");
const QString UsersTerm = QStringLiteral("users");
const QString ResourcesTerm = QStringLiteral("resources");

// A part joined with others: always in parentheses (`a||b` has no space but an `or`).
QString parenthesised(const QString& filter)
{
    return QLatin1Char('(') + filter + QLatin1Char(')');
}

} // namespace

void MainWindow::createAnalysisDocks()
{
    m_analysis = new AnalysisRunner(this);
    m_timeline = new TimelineView;
    m_usersModel = new UsersModel(this);
    m_users = new AnalysisTreeView;
    m_users->setModel(m_usersModel, UsersModel::FilterRole);
    m_resourcesModel = new ResourcesModel(this);
    m_resources = new AnalysisTreeView;
    m_resources->setModel(m_resourcesModel, ResourcesModel::FilterRole);

    auto dock = [this](QWidget* content, const QString& title, const QString& name,
                    Qt::DockWidgetArea area) {
        auto* widget = new QDockWidget(title);
        widget->setObjectName(name);
        widget->setWidget(content);
        addDockWidget(area, widget);
        // A dock that opens needs its numbers.
        connect(widget, &QDockWidget::visibilityChanged, this, [this](bool visible) {
            if (visible)
                requestAnalysis(true, true, true);
        });
        return widget;
    };
    m_timelineDock =
        dock(m_timeline, tr("Timeline"), QStringLiteral("timeline"), Qt::BottomDockWidgetArea);
    m_usersDock = dock(m_users, tr("Users"), QStringLiteral("users"), Qt::LeftDockWidgetArea);
    m_resourcesDock =
        dock(m_resources, tr("Resources"), QStringLiteral("resources"), Qt::LeftDockWidgetArea);
    tabifyDockWidget(m_usersDock, m_resourcesDock);
    m_usersDock->raise();

    connect(m_analysis, &AnalysisRunner::analysisFinished, this, &MainWindow::showAnalysis);
    // Zoom and pan come in bursts (wheel ticks, mouse moves): compute once they pause.
    m_timelineDebounce = new QTimer(this);
    m_timelineDebounce->setSingleShot(true);
    m_timelineDebounce->setInterval(60);
    connect(m_timelineDebounce, &QTimer::timeout, this,
        [this] { requestAnalysis(true, false, false); });
    connect(
        m_timeline, &TimelineView::requestChanged, m_timelineDebounce, qOverload<>(&QTimer::start));
    connect(m_analysis, &AnalysisRunner::analysisFailed, this,
        [this](const QString& message) { m_status->setText(tr("Views: %1").arg(message)); });
    connect(m_timeline, &TimelineView::rangeSelected, this, [this](const TimeRange& range) {
        m_timeline->histogram()->setSelectedRange(range);
        setViewFilter(TimelineTerm, QString::fromStdString(timeRangeFilter(range)));
    });
    for (auto [view, term] :
        {std::pair{m_users, UsersTerm}, std::pair{m_resources, ResourcesTerm}}) {
        connect(view, &AnalysisTreeView::selectionFilterChanged, this,
            [this, term](const QString& filter) { setViewFilter(term, filter); });
        connect(view, &AnalysisTreeView::pinnedChanged, this,
            [this] { requestAnalysis(true, true, true); });
        connect(view, &AnalysisTreeView::showOnlyRequested, m_filterBar, &FilterBar::applyFilter);
        connect(view, &AnalysisTreeView::excludeRequested, this,
            [this, view, term](const QString& filter) {
                // The view's own selection is what is being excluded: drop its term first.
                view->clearSelection();
                m_viewTerms.remove(term);
                const QString current = composeFilter();
                const QString excluded =
                    QString::fromStdString(excludeFilter(filter.toStdString()));
                m_filterBar->applyFilter(current.isEmpty()
                        ? excluded
                        : QString::fromStdString(
                            andFilters(current.toStdString(), excluded.toStdString())));
            });
    }
}

QString MainWindow::composeFilter(const QString& without) const
{
    QStringList parts;
    if (!m_baseFilter.trimmed().isEmpty())
        parts << m_baseFilter.trimmed();
    for (auto it = m_viewTerms.cbegin(); it != m_viewTerms.cend(); ++it)
        if (it.key() != without)
            parts << it.value();
    if (parts.size() == 1)
        return parts.front(); // one part needs no parentheses
    for (QString& part : parts)
        part = parenthesised(part);
    return parts.join(QStringLiteral(" and "));
}

void MainWindow::filterFromBar(const QString& text)
{
    if (text.trimmed() != m_composedFilter) {
        // Typed or chosen by the user: that is the filter now; view selections are folded in.
        m_baseFilter = text.trimmed();
        if (!m_viewTerms.isEmpty()) {
            m_viewTerms.clear();
            m_users->clearSelection();
            m_resources->clearSelection();
            m_timeline->histogram()->setSelectedRange(std::nullopt);
        }
        m_composedFilter = m_baseFilter;
    }
    m_runner->run(m_model->store(), text);
}

void MainWindow::setViewFilter(const QString& view, const QString& term)
{
    if (term.isEmpty())
        m_viewTerms.remove(view);
    else
        m_viewTerms.insert(view, term);
    m_composedFilter = composeFilter();
    m_filterBar->applyFilter(m_composedFilter);
}

void MainWindow::clearViewFilters()
{
    m_users->clearSelection();
    m_resources->clearSelection();
    m_timeline->histogram()->setSelectedRange(std::nullopt);
    if (m_viewTerms.isEmpty())
        return;
    m_viewTerms.clear();
    m_composedFilter = composeFilter();
    m_filterBar->applyFilter(m_composedFilter);
}

void MainWindow::setAnalysisRows(const EventStorePtr& store, std::optional<RowSet> rows)
{
    m_currentRows = std::make_shared<const std::optional<RowSet>>(std::move(rows));
    m_currentRowsStore = store;
    if (store && store->indexed && m_timeline->histogram()->fullRange().empty())
        m_timeline->histogram()->setFullRange(timeRangeOf(*store));
    requestAnalysis(true, true, true);
}

void MainWindow::requestAnalysis(bool timeline, bool users, bool resources)
{
    const EventStorePtr store = m_model->store();
    if (store && !store->indexed)
        return; // a partial snapshot while loading: the views wait for the whole log
    if (store != m_currentRowsStore)
        return; // the filter of the new snapshot is still running; its result asks again
    // A new run stops the running one: what that one had still to deliver is asked again.
    m_pendingTimeline = m_pendingTimeline || timeline;
    m_pendingUsers = m_pendingUsers || users;
    m_pendingResources = m_pendingResources || resources;
    AnalysisRequest request;
    request.store = store;
    request.rows = m_currentRows;
    request.timeline = m_pendingTimeline && m_timelineDock->isVisible();
    request.users = m_pendingUsers && m_usersDock->isVisible();
    request.resources = m_pendingResources && m_resourcesDock->isVisible();
    if (m_policyResult) // pinned views' own filters may use rule: terms
        request.queryOptions.policy = m_policyResult->queryContext();
    if (store && !request.timeline && !request.users && !request.resources)
        return;
    // A pinned view reads the events without its own term, so its other rows stay to pick.
    auto inputFor = [this](AnalysisTreeView* view, const QString& term) {
        AnalysisInput input;
        if (view->isPinned() && m_viewTerms.contains(term)) {
            input.own = true;
            input.filter = composeFilter(term);
        }
        return input;
    };
    request.usersInput = inputFor(m_users, UsersTerm);
    request.resourcesInput = inputFor(m_resources, ResourcesTerm);
    if (m_viewTerms.contains(TimelineTerm)) { // the brushed range stays shown in its context
        request.timelineInput.own = true;
        request.timelineInput.filter = composeFilter(TimelineTerm);
    }
    request.timelineRequest = m_timeline->request();
    m_analysis->run(std::move(request));
}

void MainWindow::showAnalysis(const AnalysisResult& result)
{
    if (result.store != m_model->store())
        return;
    m_pendingTimeline = m_pendingTimeline && !result.timeline;
    m_pendingUsers = m_pendingUsers && !result.users;
    m_pendingResources = m_pendingResources && !result.resources;
    const QLocale locale;
    if (result.timeline)
        m_timeline->histogram()->setTimeline(*result.timeline);
    if (result.users || !result.store) {
        m_usersModel->setAggregate(result.store, result.users);
        if (result.users) {
            QString status = tr("%1 users, %2 events")
                                 .arg(locale.toString(qulonglong(result.users->users.size())),
                                     locale.toString(qulonglong(result.users->events)));
            // Impersonation edges: who acted as whom (the three busiest; all in the tooltip).
            QStringList edges;
            for (const ImpersonationEdge& edge : result.users->impersonations)
                edges << tr("%1 → %2 (%3)")
                             .arg(QString::fromUtf8(userDisplayName(*result.store, edge.user)),
                                 QString::fromUtf8(
                                     userDisplayName(*result.store, edge.impersonated)),
                                 locale.toString(qulonglong(edge.events)));
            if (!edges.isEmpty())
                status += tr("; impersonation: %1").arg(edges.mid(0, 3).join(QStringLiteral(", ")));
            m_users->setStatus(status);
            m_users->setStatusToolTip(edges.join(QLatin1Char('\n')));
        }
    }
    if (result.resources || !result.store) {
        m_resourcesModel->setAggregate(result.store, result.resources);
        if (result.resources)
            m_resources->setStatus(
                tr("%1 events, %2 without an object")
                    .arg(locale.toString(qulonglong(result.resources->events)),
                        locale.toString(qulonglong(result.resources->nonResourceEvents))));
    }
    if (!result.store) {
        m_timeline->histogram()->setTimeline({});
        m_timeline->histogram()->setFullRange({});
    }
    Q_EMIT analysisFinished();
}

} // namespace auditscope
