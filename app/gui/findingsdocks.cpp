// SPDX-License-Identifier: Apache-2.0
#include "findingsdocks.h"

#include "detailpane.h"
#include "detect/detectionrunner.h"
#include "filterbar.h"
#include "findingsview.h"
#include "investigation/investigation.h"
#include "itemmodels/findingsmodel.h"
#include "timelinewidget.h"

#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMainWindow>
#include <QMenu>
#include <QProgressBar>
#include <QStatusBar>
#include <QToolButton>

namespace auditscope {

FindingsDocks::FindingsDocks(const WindowParts& parts, DetailPane* detail, TimelineWidget* timeline,
    QDockWidget* bottomNeighbour)
    : QObject(parts.window)
    , m_parts(parts)
    , m_detail(detail)
    , m_timeline(timeline)
    , m_view(new FindingsView)
    , m_dock(new QDockWidget(tr("Findings")))
    , m_bottomNeighbour(bottomNeighbour)
    , m_statusButton(new QToolButton)
    , m_progress(new QProgressBar)
{
    m_dock->setObjectName(QStringLiteral("findings"));
    m_dock->setWidget(m_view);
    m_parts.window->addDockWidget(Qt::BottomDockWidgetArea, m_dock);
    m_parts.window->tabifyDockWidget(m_bottomNeighbour, m_dock);
    m_dock->hide();
    m_bottomNeighbour->raise();

    m_statusButton->setAutoRaise(true);
    m_statusButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_statusButton->setToolTip(tr("Show the findings of the detection rules"));
    m_statusButton->setVisible(false);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(120);
    m_progress->setFormat(tr("Detecting %p%"));
    m_progress->setVisible(false);
    m_parts.window->statusBar()->addPermanentWidget(m_progress);
    m_parts.window->statusBar()->addPermanentWidget(m_statusButton);
    connect(m_statusButton, &QToolButton::clicked, this, [this] { showDock(); });

    Investigation* investigation = m_parts.investigation;
    DetectionRunner* runner = investigation->detectionRunner();
    connect(runner, &DetectionRunner::detectionStarted, this, [this] {
        m_progress->setValue(0);
        m_progress->setVisible(true);
        m_view->setRunning(true);
    });
    connect(runner, &DetectionRunner::detectionProgress, this,
        [this](double share) { m_progress->setValue(int(share * 1000)); });
    connect(runner, &DetectionRunner::detectionFailed, this, [this] {
        m_progress->setVisible(false);
        m_view->setRunning(false);
    });
    connect(investigation, &Investigation::findingsChanged, this, &FindingsDocks::showFindings);
    connect(investigation, &Investigation::rulesChanged, this, &FindingsDocks::showRules);
    connect(investigation, &Investigation::coverageChanged, m_view, &FindingsView::setCoverage);
    connect(investigation, &Investigation::snapshotChanged, this, [this](const EventStorePtr& s) {
        if (!s)
            m_dock->hide(); // closed: the welcome page gets the room
    });
    connect(m_view, &FindingsView::eventActivated, this, &FindingsDocks::eventActivated);
    connect(m_view, &FindingsView::filterRequested, this, [this](const QString& filter) {
        if (m_parts.investigation->snapshot())
            m_parts.filterBar->applyFilter(filter);
    });
    showRules();
}

void FindingsDocks::createMenus(QMenu* file)
{
    file->addSeparator();
    QAction* load =
        file->addAction(tr("Load &Detection Rules…"), this, &FindingsDocks::chooseRulesFile);
    load->setStatusTip(tr("Add, change or disable detection rules with a rules file (YAML)"));
    file->addAction(tr("Use &Built-in Detection Rules Only"), this, [this] {
        m_parts.investigation->setRulesFile({});
        m_parts.status->setText(tr("Detection rules: the built-in rules"));
    });
}

void FindingsDocks::chooseRulesFile()
{
    const QString path = QFileDialog::getOpenFileName(m_parts.window, tr("Load detection rules"),
        QString(), tr("Detection rules (*.yaml *.yml);;All files (*)"));
    if (!path.isEmpty())
        loadRulesFile(path);
}

void FindingsDocks::loadRulesFile(const QString& path)
{
    m_parts.investigation->setRulesFile(path);
    const std::shared_ptr<const RuleSet>& rules = m_parts.investigation->rules();
    const auto errors = std::count_if(rules->diagnostics.begin(), rules->diagnostics.end(),
        [](const RuleDiagnostic& d) { return d.severity == RuleDiagnostic::Severity::Error; });
    const QString name = QFileInfo(path).fileName();
    if (errors > 0) {
        // Like a policy that does not load: say where the problems are and show them.
        m_parts.status->setText(tr("Detection rules from %1: %n error(s), listed in Findings › "
                                   "Detection Rules; the other rules "
                                   "run",
            nullptr, int(errors))
                                    .arg(name));
        showDock(true);
    } else {
        m_parts.status->setText(
            tr("Detection rules from %1: %n rule(s) in force", nullptr, int(rules->rules.size()))
                .arg(name));
    }
}

void FindingsDocks::showBehindNeighbour()
{
    m_dock->show();
    m_bottomNeighbour->raise();
}

void FindingsDocks::showDock(bool rulesTab)
{
    if (!m_dock->isVisible())
        m_dock->show();
    m_dock->raise();
    if (rulesTab)
        m_view->showRulesTab();
    else
        m_view->showFindingsTab();
}

void FindingsDocks::showRules()
{
    m_view->setRules(m_parts.investigation->rules(), m_parts.investigation->rulesFile());
}

void FindingsDocks::showFindings(const DetectionResultPtr& result)
{
    m_progress->setVisible(m_parts.investigation->detectionRunner()->isRunning());
    m_view->setResult(result);
    m_view->setRunning(m_parts.investigation->detectionRunner()->isRunning());
    m_detail->setFindings(result);
    m_parts.filterBar->setFindingContext(m_parts.investigation->findingContext());
    // One tick per finding, where it starts, in its rule's colour.
    std::vector<TimelineMark> marks;
    if (result && result->rules) {
        marks.reserve(result->findings.size());
        for (const Finding& f : result->findings) {
            const DetectionRule& rule = result->rules->rules[f.rule];
            marks.push_back(
                {f.firstNs, int(rule.severity), QColor(findingSeverityColorName(rule.severity)),
                    findingSeverityTitle(rule.severity) + QStringLiteral(": ")
                        + QString::fromStdString(rule.title)
                        + (f.principal.empty()
                                ? QString()
                                : QStringLiteral(" · ") + QString::fromStdString(f.principal))});
        }
    }
    const QLocale locale;
    m_timeline->setMarks(std::move(marks),
        result && !result->findings.empty() ? (result->findings.size() == 1
                ? tr("1 finding")
                : tr("%1 findings").arg(locale.toString(qulonglong(result->findings.size()))))
                                            : QString());
    updateStatusButton();
    Q_EMIT findingsShown();
}

void FindingsDocks::updateStatusButton()
{
    const FindingsModel* model = m_view->findingsModel();
    if (!model->result()) {
        m_statusButton->setVisible(false);
        return;
    }
    const QLocale locale;
    const std::size_t all = model->findingCount();
    const std::size_t serious = model->seriousCount();
    m_statusButton->setText(all == 0 ? tr("No findings")
            : all == 1
            ? tr("1 finding (%1 high or critical)").arg(serious)
            : tr("%1 findings (%2 high or critical)")
                  .arg(locale.toString(qulonglong(all)), locale.toString(qulonglong(serious))));
    m_statusButton->setIcon(serious > 0 ? FindingsView::severityIcon(FindingSeverity::High)
            : all > 0                   ? FindingsView::severityIcon(FindingSeverity::Low)
                                        : QIcon());
    m_statusButton->setVisible(true);
}

} // namespace auditscope
