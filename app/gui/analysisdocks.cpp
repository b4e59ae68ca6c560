// SPDX-License-Identifier: Apache-2.0
#include "analysisdocks.h"

#include "analysis/analysisrunner.h"
#include "analysis/filtertext.h"
#include "analysistreeview.h"
#include "filterbar.h"
#include "investigation/investigation.h"
#include "itemmodels/resourcesmodel.h"
#include "itemmodels/usersmodel.h"
#include "timelineview.h"
#include "timelinewidget.h"

#include <QDockWidget>
#include <QLabel>
#include <QLocale>
#include <QMainWindow>
#include <QTimer>

namespace auditscope {

namespace {

const QString TimelineTerm = QStringLiteral("timeline");
const QString UsersTerm = QStringLiteral("users");
const QString ResourcesTerm = QStringLiteral("resources");

} // namespace

AnalysisDocks::AnalysisDocks(const WindowParts& parts)
    : QObject(parts.window)
    , m_parts(parts)
    , m_timeline(new TimelineView)
    , m_usersModel(new UsersModel(this))
    , m_users(new AnalysisTreeView)
    , m_resourcesModel(new ResourcesModel(this))
    , m_resources(new AnalysisTreeView)
    , m_timelineDock(
          addDock(m_timeline, tr("Timeline"), QStringLiteral("timeline"), Qt::BottomDockWidgetArea))
    , m_usersDock(addDock(m_users, tr("Users"), QStringLiteral("users"), Qt::LeftDockWidgetArea))
    , m_resourcesDock(addDock(
          m_resources, tr("Resources"), QStringLiteral("resources"), Qt::LeftDockWidgetArea))
    , m_timelineDebounce(new QTimer(this))
{
    m_users->setModel(m_usersModel, UsersModel::FilterRole);
    m_resources->setModel(m_resourcesModel, ResourcesModel::FilterRole);
    m_parts.window->tabifyDockWidget(m_usersDock, m_resourcesDock);
    m_usersDock->raise();

    Investigation* investigation = m_parts.investigation;
    connect(investigation->analysisRunner(), &AnalysisRunner::analysisFinished, this,
        &AnalysisDocks::showAnalysis);
    connect(investigation->analysisRunner(), &AnalysisRunner::analysisFailed, this,
        [this](const QString& message) { m_parts.status->setText(tr("Views: %1").arg(message)); });
    connect(
        investigation, &Investigation::filterRowsChanged, this, &AnalysisDocks::filterRowsChanged);
    connect(investigation, &Investigation::viewTermsCleared, this, &AnalysisDocks::clearSelections);
    connect(investigation, &Investigation::snapshotChanged, this, [this](const EventStorePtr& s) {
        if (s && s->indexed)
            m_timeline->histogram()->setFullRange(timeRangeOf(*s));
    });
    // Zoom and pan come in bursts (wheel ticks, mouse moves): compute once they pause.
    m_timelineDebounce->setSingleShot(true);
    m_timelineDebounce->setInterval(60);
    connect(m_timelineDebounce, &QTimer::timeout, this,
        [this] { requestAnalysis(true, false, false); });
    connect(
        m_timeline, &TimelineView::requestChanged, m_timelineDebounce, qOverload<>(&QTimer::start));
    connect(m_timeline, &TimelineView::rangeSelected, this, [this](const TimeRange& range) {
        m_timeline->histogram()->setSelectedRange(range);
        setViewFilter(TimelineTerm, QString::fromStdString(timeRangeFilter(range)));
    });
    connectTreeView(m_users, UsersTerm);
    connectTreeView(m_resources, ResourcesTerm);
}

QDockWidget* AnalysisDocks::addDock(
    QWidget* content, const QString& title, const QString& name, Qt::DockWidgetArea area)
{
    auto* widget = new QDockWidget(title);
    widget->setObjectName(name);
    widget->setWidget(content);
    m_parts.window->addDockWidget(area, widget);
    // A dock that opens needs its numbers.
    connect(widget, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible)
            requestAnalysis(true, true, true);
    });
    return widget;
}

void AnalysisDocks::connectTreeView(AnalysisTreeView* view, const QString& term)
{
    connect(view, &AnalysisTreeView::selectionFilterChanged, this,
        [this, term](const QString& filter) { setViewFilter(term, filter); });
    connect(view, &AnalysisTreeView::pinnedChanged, this,
        [this] { requestAnalysis(true, true, true); });
    connect(view, &AnalysisTreeView::showOnlyRequested, m_parts.filterBar, &FilterBar::applyFilter);
    connect(
        view, &AnalysisTreeView::excludeRequested, this, [this, view, term](const QString& filter) {
            // The view's own selection is what is being excluded: drop its term first.
            view->clearSelection();
            const QString current = m_parts.investigation->setViewTerm(term, {});
            const QString excluded = QString::fromStdString(excludeFilter(filter.toStdString()));
            m_parts.filterBar->applyFilter(current.isEmpty()
                    ? excluded
                    : QString::fromStdString(
                        andFilters(current.toStdString(), excluded.toStdString())));
        });
}

void AnalysisDocks::showDocks()
{
    m_timelineDock->show();
    m_usersDock->show();
    m_resourcesDock->show();
    m_usersDock->raise();
}

void AnalysisDocks::hideDocks()
{
    m_timelineDock->hide();
    m_usersDock->hide();
    m_resourcesDock->hide();
}

void AnalysisDocks::setViewFilter(const QString& view, const QString& term)
{
    m_parts.filterBar->applyFilter(m_parts.investigation->setViewTerm(view, term));
}

void AnalysisDocks::clearSelections()
{
    m_users->clearSelection();
    m_resources->clearSelection();
    m_timeline->histogram()->setSelectedRange(std::nullopt);
}

void AnalysisDocks::clearViewFilters()
{
    clearSelections();
    if (const std::optional<QString> filter = m_parts.investigation->clearViewTerms())
        m_parts.filterBar->applyFilter(*filter);
}

void AnalysisDocks::filterRowsChanged()
{
    const EventStorePtr& store = m_parts.investigation->filterRowsStore();
    if (store && store->indexed && m_timeline->histogram()->fullRange().empty())
        m_timeline->histogram()->setFullRange(timeRangeOf(*store));
    requestAnalysis(true, true, true);
}

void AnalysisDocks::requestAnalysis(bool timeline, bool users, bool resources)
{
    Investigation* investigation = m_parts.investigation;
    const EventStorePtr store = investigation->snapshot();
    if (store && !store->indexed)
        return; // a partial snapshot while loading: the views wait for the whole log
    if (store != investigation->filterRowsStore())
        return; // the filter of the new snapshot is still running; its result asks again
    // A new run stops the running one: what that one had still to deliver is asked again.
    m_pendingTimeline = m_pendingTimeline || timeline;
    m_pendingUsers = m_pendingUsers || users;
    m_pendingResources = m_pendingResources || resources;
    AnalysisRequest request;
    request.store = store;
    request.rows = investigation->filterRows();
    request.timeline = m_pendingTimeline && m_timelineDock->isVisible();
    request.users = m_pendingUsers && m_usersDock->isVisible();
    request.resources = m_pendingResources && m_resourcesDock->isVisible();
    request.queryOptions.policy = investigation->policyContext(); // pinned views' rule: terms
    if (store && !request.timeline && !request.users && !request.resources)
        return;
    // A pinned view reads the events without its own term, so its other rows stay to pick.
    auto inputFor = [investigation](AnalysisTreeView* view, const QString& term) {
        AnalysisInput input;
        if (view->isPinned() && investigation->hasViewTerm(term)) {
            input.own = true;
            input.filter = investigation->composedFilter(term);
        }
        return input;
    };
    request.usersInput = inputFor(m_users, UsersTerm);
    request.resourcesInput = inputFor(m_resources, ResourcesTerm);
    if (investigation->hasViewTerm(TimelineTerm)) { // the brushed range stays in its context
        request.timelineInput.own = true;
        request.timelineInput.filter = investigation->composedFilter(TimelineTerm);
    }
    request.timelineRequest = m_timeline->request();
    investigation->analysisRunner()->run(std::move(request));
}

void AnalysisDocks::showAnalysis(const AnalysisResult& result)
{
    if (result.store != m_parts.investigation->snapshot())
        return;
    m_pendingTimeline = m_pendingTimeline && !result.timeline;
    m_pendingUsers = m_pendingUsers && !result.users;
    m_pendingResources = m_pendingResources && !result.resources;
    if (result.timeline)
        m_timeline->histogram()->setTimeline(*result.timeline);
    if (result.users || !result.store) {
        m_usersModel->setAggregate(result.store, result.users);
        if (result.users)
            showUsersStatus(result);
    }
    if (result.resources || !result.store) {
        m_resourcesModel->setAggregate(result.store, result.resources);
        const QLocale locale;
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
    Q_EMIT analysisShown();
}

void AnalysisDocks::showUsersStatus(const AnalysisResult& result)
{
    const QLocale locale;
    QString status = tr("%1 users, %2 events")
                         .arg(locale.toString(qulonglong(result.users->users.size())),
                             locale.toString(qulonglong(result.users->events)));
    // Impersonation edges: who acted as whom (the three busiest; all in the tooltip).
    QStringList edges;
    for (const ImpersonationEdge& edge : result.users->impersonations)
        edges << tr("%1 → %2 (%3)")
                     .arg(QString::fromUtf8(userDisplayName(*result.store, edge.user)),
                         QString::fromUtf8(userDisplayName(*result.store, edge.impersonated)),
                         locale.toString(qulonglong(edge.events)));
    if (!edges.isEmpty())
        status += tr("; impersonation: %1").arg(edges.mid(0, 3).join(QStringLiteral(", ")));
    m_users->setStatus(status);
    m_users->setStatusToolTip(edges.join(QLatin1Char('\n')));
}

} // namespace auditscope
