// SPDX-License-Identifier: Apache-2.0
#include "findingsview.h"

#include "itemmodels/findingsmodel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFileInfo>
#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QSplitter>
#include <QTabWidget>
#include <QTreeView>
#include <QVBoxLayout>

#include <array>
#include <cmath>

namespace auditscope {

namespace {

constexpr int IconSize = 16;

// Paints each severity's icon into the severity column and the policy's verdict into the
// coverage column: the models say what, this says how it looks.
class SeverityStyleProxy final : public QIdentityProxyModel
{
public:
    SeverityStyleProxy(QAbstractItemModel* source, int severityRole, int colorRole, int coveredRole,
        int coverageColumn)
        : QIdentityProxyModel(source)
        , m_severityRole(severityRole)
        , m_colorRole(colorRole)
        , m_coveredRole(coveredRole)
        , m_coverageColumn(coverageColumn)
    {
        setSourceModel(source);
    }

    QVariant data(const QModelIndex& index, int role) const override
    {
        if (role == Qt::DecorationRole && QIdentityProxyModel::data(index, m_colorRole).isValid())
            return FindingsView::severityIcon(
                FindingSeverity(QIdentityProxyModel::data(index, m_severityRole).toInt()));
        if (role == Qt::ForegroundRole && index.column() == m_coverageColumn) {
            const QVariant covered = QIdentityProxyModel::data(index, m_coveredRole);
            if (covered.isValid() && !covered.toBool())
                return QColor(200, 30, 30);
        }
        return QIdentityProxyModel::data(index, role);
    }

private:
    int m_severityRole, m_colorRole, m_coveredRole, m_coverageColumn;
};

QTreeView* makeTree(QWidget* parent)
{
    auto* tree = new QTreeView(parent);
    tree->setUniformRowHeights(true);
    tree->setAlternatingRowColors(true);
    tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    tree->setSelectionMode(QAbstractItemView::SingleSelection);
    tree->setExpandsOnDoubleClick(false); // a double click filters
    tree->header()->setSectionResizeMode(QHeaderView::Interactive);
    tree->header()->setStretchLastSection(true);
    return tree;
}

} // namespace

FindingsView::FindingsView(QWidget* parent)
    : QWidget(parent)
    , m_tabs(new QTabWidget(this))
    , m_summary(new QLabel)
    , m_findings(new FindingsModel(this))
    , m_findingsTree(makeTree(nullptr))
    , m_rulesSummary(new QLabel)
    , m_rules(new DetectionRulesModel(this))
    , m_rulesTree(makeTree(nullptr))
    , m_problems(new QListWidget)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    auto* findingsPage = new QWidget;
    auto* findingsLayout = new QVBoxLayout(findingsPage);
    findingsLayout->setContentsMargins(4, 2, 4, 0);
    findingsLayout->setSpacing(2);
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    findingsLayout->addWidget(m_summary);
    findingsLayout->addWidget(m_findingsTree, 1);
    m_findingsTree->setModel(new SeverityStyleProxy(
        m_findings, FindingsModel::SeverityRole, FindingsModel::SeverityColorRole, -1, -1));
    QHeaderView* header = m_findingsTree->header();
    const QFontMetrics metrics = fontMetrics();
    const int digitWidth = metrics.horizontalAdvance(QLatin1Char('0'));
    header->resizeSection(FindingsModel::SeverityColumn, IconSize + 14 * digitWidth);
    header->resizeSection(FindingsModel::SummaryColumn, 52 * digitWidth);
    header->resizeSection(FindingsModel::CountColumn, 7 * digitWidth);
    header->resizeSection(FindingsModel::PrincipalColumn, 34 * digitWidth);
    header->resizeSection(FindingsModel::FirstColumn, 28 * digitWidth);
    header->resizeSection(FindingsModel::LastColumn, 28 * digitWidth);
    m_findingsTree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tabs->addTab(findingsPage, tr("Findings"));

    auto* rulesPage = new QWidget;
    auto* rulesLayout = new QVBoxLayout(rulesPage);
    rulesLayout->setContentsMargins(4, 2, 4, 0);
    rulesLayout->setSpacing(2);
    m_rulesSummary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_rulesSummary->setWordWrap(true);
    rulesLayout->addWidget(m_rulesSummary);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_rulesTree);
    splitter->addWidget(m_problems);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    rulesLayout->addWidget(splitter, 1);
    m_rulesTree->setRootIsDecorated(false);
    m_rulesTree->setModel(new SeverityStyleProxy(m_rules, DetectionRulesModel::SeverityRole,
        DetectionRulesModel::SeverityColorRole, DetectionRulesModel::CoveredRole,
        DetectionRulesModel::CoverageColumn));
    QHeaderView* rulesHeader = m_rulesTree->header();
    rulesHeader->resizeSection(DetectionRulesModel::IdColumn, 30 * digitWidth);
    rulesHeader->resizeSection(DetectionRulesModel::SeverityColumn, IconSize + 12 * digitWidth);
    rulesHeader->resizeSection(DetectionRulesModel::TitleColumn, 44 * digitWidth);
    rulesHeader->resizeSection(DetectionRulesModel::EnabledColumn, 9 * digitWidth);
    rulesHeader->resizeSection(DetectionRulesModel::SourceColumn, 16 * digitWidth);
    rulesHeader->resizeSection(DetectionRulesModel::FindingsColumn, 9 * digitWidth);
    m_problems->setVisible(false);
    m_problems->setWordWrap(true);
    m_tabs->addTab(rulesPage, tr("Detection Rules"));

    connect(m_findingsTree->selectionModel(), &QItemSelectionModel::currentChanged, this,
        &FindingsView::activateFinding);
    connect(m_findingsTree, &QTreeView::clicked, this, &FindingsView::activateFinding);
    connect(m_findingsTree, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        const QString filter = index.data(FindingsModel::FilterRole).toString();
        if (!filter.isEmpty())
            Q_EMIT filterRequested(filter);
    });
    connect(m_findingsTree, &QWidget::customContextMenuRequested, this,
        &FindingsView::showFindingsMenu);
    // Enter does what a double click does, for the keyboard.
    auto* filterCurrent = new QAction(tr("Filter"), m_findingsTree);
    filterCurrent->setShortcuts({QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)});
    filterCurrent->setShortcutContext(Qt::WidgetShortcut);
    m_findingsTree->addAction(filterCurrent);
    connect(filterCurrent, &QAction::triggered, this, [this] {
        const QString filter =
            m_findingsTree->currentIndex().data(FindingsModel::FilterRole).toString();
        if (!filter.isEmpty())
            Q_EMIT filterRequested(filter);
    });
    connect(m_rulesTree, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        if (index.data(DetectionRulesModel::EnabledRole).toBool())
            Q_EMIT filterRequested(index.data(DetectionRulesModel::FilterRole).toString());
    });
    updateSummary();
    updateRulesSummary();
}

FindingsView::~FindingsView() = default;

QIcon FindingsView::severityIcon(FindingSeverity severity)
{
    static std::array<QIcon, FindingSeverityCount> icons;
    QIcon& icon = icons[static_cast<std::size_t>(severity)];
    if (!icon.isNull())
        return icon;
    QPixmap pixmap(IconSize * 2, IconSize * 2); // drawn at 2x: sharp on high-DPI screens
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const QColor color(findingSeverityColorName(severity));
    painter.setBrush(color);
    painter.setPen(QPen(color.darker(140), 2));
    const QRectF box(3, 3, IconSize * 2 - 6, IconSize * 2 - 6);
    QPainterPath path;
    switch (severity) {
    case FindingSeverity::Info:
    case FindingSeverity::Low:
        path.addEllipse(box);
        break;
    case FindingSeverity::Medium:
        path.addRoundedRect(box.adjusted(1, 1, -1, -1), 4, 4);
        break;
    case FindingSeverity::High: // a warning triangle
        path.moveTo(box.center().x(), box.top());
        path.lineTo(box.bottomRight());
        path.lineTo(box.bottomLeft());
        path.closeSubpath();
        break;
    case FindingSeverity::Critical: // a stop sign
        for (int i = 0; i < 8; ++i) {
            const double angle = (22.5 + 45.0 * i) * M_PI / 180.0;
            const QPointF point(box.center().x() + box.width() / 2 * std::cos(angle),
                box.center().y() + box.height() / 2 * std::sin(angle));
            i == 0 ? path.moveTo(point) : path.lineTo(point);
        }
        path.closeSubpath();
        break;
    }
    painter.drawPath(path);
    if (severity >= FindingSeverity::High) { // an exclamation mark
        painter.setPen(QPen(Qt::white, 3, Qt::SolidLine, Qt::RoundCap));
        const double x = box.center().x();
        const double top = severity == FindingSeverity::High ? box.top() + 10 : box.top() + 7;
        painter.drawLine(QPointF(x, top), QPointF(x, box.bottom() - 9));
        painter.drawPoint(QPointF(x, box.bottom() - 4));
    }
    painter.end();
    pixmap.setDevicePixelRatio(2);
    icon = QIcon(pixmap);
    return icon;
}

void FindingsView::setResult(const DetectionResultPtr& result)
{
    m_findings->setResult(result);
    m_rules->setResult(result);
    if (m_findings->rowCount() > 0 && m_findings->rowCount() <= 3)
        m_findingsTree->expandAll(); // a few rules: their findings are what to look at
    m_running = false;
    updateSummary();
    updateRulesSummary();
}

void FindingsView::setRules(const std::shared_ptr<const RuleSet>& rules, const QString& file)
{
    m_rulesFile = file;
    if (rules != m_rules->rules()) {
        m_rules->setRules(rules);
        m_rules->setResult(m_findings->result());
    }
    m_problems->clear();
    if (rules)
        for (const RuleDiagnostic& d : rules->diagnostics) {
            auto* item = new QListWidgetItem(QString::fromStdString(d.toString()), m_problems);
            item->setForeground(d.severity == RuleDiagnostic::Severity::Error
                    ? QColor(200, 30, 30)
                    : palette().color(QPalette::Text));
        }
    m_problems->setVisible(m_problems->count() > 0);
    updateRulesSummary();
}

void FindingsView::setCoverage(const RuleSetCoveragePtr& coverage)
{
    m_rules->setCoverage(coverage);
    updateSummary();
    updateRulesSummary();
}

void FindingsView::setRunning(bool running)
{
    m_running = running;
    updateSummary();
}

void FindingsView::showFindingsTab()
{
    m_tabs->setCurrentIndex(0);
}

void FindingsView::showRulesTab()
{
    m_tabs->setCurrentIndex(1);
}

QString FindingsView::summaryText() const
{
    return m_summary->text();
}

QString FindingsView::rulesSummaryText() const
{
    return m_rulesSummary->text();
}

void FindingsView::updateSummary()
{
    const QLocale locale;
    const DetectionResultPtr& result = m_findings->result();
    QString text;
    if (m_running)
        text = tr("Running the detection rules…");
    else if (!result)
        text = tr("Findings appear once a log has loaded.");
    else if (m_findings->findingCount() == 0)
        text = tr("No findings: none of the rules matched (%1 ms).")
                   .arg(locale.toString(result->elapsedMs, 'f', 0));
    else
        text = tr("%1 findings (%2 high or critical) from %n rule(s) · %3 ms", nullptr,
            m_findings->rowCount())
                   .arg(locale.toString(qulonglong(m_findings->findingCount())),
                       locale.toString(qulonglong(m_findings->seriousCount())),
                       locale.toString(result->elapsedMs, 'f', 0));
    if (m_rules->coverage() && m_rules->uncoveredCount() > 0)
        text += tr(" · %n rule(s) not covered by the open policy (see Detection Rules)", nullptr,
            m_rules->uncoveredCount());
    if (result && !m_running)
        text += tr(" · double-click a rule or a finding to filter");
    m_summary->setText(text);
}

void FindingsView::updateRulesSummary()
{
    const std::shared_ptr<const RuleSet>& rules = m_rules->rules();
    if (!rules) {
        m_rulesSummary->clear();
        return;
    }
    const auto disabled = std::count_if(rules->rules.begin(), rules->rules.end(),
        [](const DetectionRule& r) { return !r.enabled; });
    QString text = tr("%n rule(s)", nullptr, int(rules->rules.size()));
    if (disabled > 0)
        text += tr(" (%n disabled)", nullptr, int(disabled));
    text += m_rulesFile.isEmpty() ? tr(" · built-in")
                                  : tr(" · built-in and %1").arg(QFileInfo(m_rulesFile).fileName());
    const auto errors = std::count_if(rules->diagnostics.begin(), rules->diagnostics.end(),
        [](const RuleDiagnostic& d) { return d.severity == RuleDiagnostic::Severity::Error; });
    if (errors > 0)
        text += tr(" · %n error(s) in the rules file (listed below; those rules are left out)",
            nullptr, int(errors));
    if (!m_rules->coverage())
        text += tr(" · open an audit policy to see whether it records what each rule needs");
    else if (const int uncovered = m_rules->uncoveredCount(); uncovered > 0)
        text += tr(" · %n rule(s) not covered by the open policy", nullptr, uncovered);
    else
        text += tr(" · the open policy records what every rule needs");
    m_rulesSummary->setText(text);
}

void FindingsView::activateFinding(const QModelIndex& index)
{
    const QVariant event = index.data(FindingsModel::EventIdRole);
    if (event.isValid())
        Q_EMIT eventActivated(EventId{event.toUInt()});
}

void FindingsView::showFindingsMenu(const QPoint& position)
{
    const QModelIndex index = m_findingsTree->indexAt(position);
    if (!index.isValid())
        return;
    const QString filter = index.data(FindingsModel::FilterRole).toString();
    const bool group = index.data(FindingsModel::IsGroupRole).toBool();
    QMenu menu(this);
    menu.addAction(group ? tr("Show This Rule's Events") : tr("Show This Finding's Requests"), this,
        [this, filter] { Q_EMIT filterRequested(filter); });
    menu.addAction(
        tr("Copy Filter"), this, [filter] { QGuiApplication::clipboard()->setText(filter); });
    const QString text = index.siblingAtColumn(FindingsModel::SummaryColumn).data().toString();
    menu.addAction(tr("Copy"), this, [text] { QGuiApplication::clipboard()->setText(text); });
    if (group)
        menu.addAction(tr("Show the Rule"), this, [this, index] {
            const int row = m_rules->rowOf(index.data(FindingsModel::RuleIdRole).toString());
            if (row < 0)
                return;
            showRulesTab();
            m_rulesTree->setCurrentIndex(m_rulesTree->model()->index(row, 0));
        });
    menu.exec(m_findingsTree->viewport()->mapToGlobal(position));
}

} // namespace auditscope
