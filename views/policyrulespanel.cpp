// SPDX-License-Identifier: Apache-2.0
#include "policyrulespanel.h"

#include "itemmodels/policyruleoutlinemodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace auditscope {

namespace {

/// Colours a rule by its status: shadowed and matching-nothing rules stand out.
class RuleStatusDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        using Status = PolicyRuleOutlineModel::Status;
        const auto status =
            static_cast<Status>(index.data(PolicyRuleOutlineModel::StatusRole).toInt());
        if (status == Status::Ok)
            return;
        const bool shadowed = status == Status::Shadowed || status == Status::ShadowedInLog;
        const QColor hue = shadowed ? QColor(200, 110, 0) : QColor(128, 128, 128);
        option->palette.setColor(QPalette::Text, hue);
        if (index.column() == PolicyRuleOutlineModel::StatusColumn)
            option->font.setBold(true);
    }
};

QString levelTitle(Level level)
{
    const std::string_view name = levelName(level);
    return QString::fromLatin1(name.data(), qsizetype(name.size()));
}

} // namespace

PolicyRulesPanel::PolicyRulesPanel(QWidget* parent)
    : QWidget(parent)
    , m_model(new PolicyRuleOutlineModel(this))
    , m_outline(new QTreeView)
    , m_footer(new QLabel)
    , m_explanation(new QPlainTextEdit)
    , m_impact(new QTreeWidget)
    , m_blindSpots(new QLabel)
{
    m_outline->setModel(m_model);
    m_outline->setRootIsDecorated(false);
    m_outline->setUniformRowHeights(true);
    m_outline->setAlternatingRowColors(true);
    m_outline->setItemDelegate(new RuleStatusDelegate(m_outline));
    m_outline->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_outline->header()->setStretchLastSection(false);
    m_outline->header()->setSectionResizeMode(
        PolicyRuleOutlineModel::SummaryColumn, QHeaderView::Stretch);
    const QFontMetrics metrics = fontMetrics();
    m_outline->header()->resizeSection(
        PolicyRuleOutlineModel::RuleColumn, metrics.horizontalAdvance(QStringLiteral("Rule 00")));
    m_outline->header()->resizeSection(PolicyRuleOutlineModel::LevelColumn,
        metrics.horizontalAdvance(QStringLiteral("RequestResponse  ")));
    m_outline->header()->resizeSection(PolicyRuleOutlineModel::EventsColumn,
        metrics.horizontalAdvance(QStringLiteral("0,000,000  ")));
    m_outline->header()->resizeSection(PolicyRuleOutlineModel::BytesColumn,
        metrics.horizontalAdvance(QStringLiteral("000.0 MiB  ")));
    m_outline->header()->resizeSection(PolicyRuleOutlineModel::StatusColumn,
        metrics.horizontalAdvance(QStringLiteral("matches nothing in this log")) * 6 / 5);
    m_outline->header()->resizeSection(PolicyRuleOutlineModel::LinesColumn,
        metrics.horizontalAdvance(QStringLiteral("000–000  ")));
    connect(m_outline, &QTreeView::clicked, this, [this](const QModelIndex& index) {
        Q_EMIT ruleActivated(index.data(PolicyRuleOutlineModel::RuleIndexRole).toInt());
    });
    connect(m_outline, &QTreeView::activated, this, [this](const QModelIndex& index) {
        Q_EMIT ruleActivated(index.data(PolicyRuleOutlineModel::RuleIndexRole).toInt());
    });

    m_explanation->setReadOnly(true);
    m_explanation->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_explanation->setPlaceholderText(tr("Select an event to see why it gets its rule"));

    m_impact->setRootIsDecorated(false);
    m_impact->setUniformRowHeights(true);
    m_impact->setHeaderLabels({tr("New level"), tr("Events"), tr("Recorded"), tr("Kept"),
        tr("Kept size (est.)"), tr("Dropped"), tr("Dropped size")});
    m_impact->header()->setDefaultSectionSize(
        metrics.horizontalAdvance(QStringLiteral("0,000,000 00")));
    m_impact->header()->resizeSection(
        0, metrics.horizontalAdvance(QStringLiteral("RequestResponse 00")));
    m_impact->setMinimumHeight(metrics.height() * 10);
    m_blindSpots->setWordWrap(true);
    m_blindSpots->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    QFont small = m_blindSpots->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_blindSpots->setFont(small);

    auto* outlineBox = new QWidget;
    auto* outlineLayout = new QVBoxLayout(outlineBox);
    outlineLayout->setContentsMargins(0, 0, 0, 0);
    outlineLayout->setSpacing(2);
    outlineLayout->addWidget(m_outline, 1);
    outlineLayout->addWidget(m_footer);
    auto* impactBox = new QWidget;
    auto* impactLayout = new QVBoxLayout(impactBox);
    impactLayout->setContentsMargins(0, 0, 0, 0);
    impactLayout->setSpacing(2);
    impactLayout->addWidget(m_impact, 1);
    impactLayout->addWidget(m_blindSpots);

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(outlineBox);
    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(m_explanation);
    right->addWidget(impactBox);
    splitter->addWidget(right);
    right->setSizes({120, 240});
    splitter->setSizes({560, 440});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(splitter);
    setResult(nullptr);
}

void PolicyRulesPanel::setResult(const PolicyEvaluationResultPtr& result)
{
    m_result = result;
    m_model->setOutline(result ? result->outline : PolicyOutline{});
    const QLocale locale;
    if (result && result->outline.hasLog)
        m_footer->setText(tr("%1 events (%2) match no rule: level None, not written")
                              .arg(locale.toString(qulonglong(result->outline.unmatchedEvents)),
                                  formatByteSize(result->outline.unmatchedBytes)));
    else
        m_footer->setText(result ? tr("Open a log to count the events of each rule") : QString());
    showImpact();
}

void PolicyRulesPanel::showImpact()
{
    m_impact->clear();
    if (!m_result || !m_result->impact) {
        m_blindSpots->setText(
            m_result ? tr("The impact needs a log and a policy that decodes.") : QString());
        return;
    }
    const PolicyImpact& impact = *m_result->impact;
    const QLocale locale;
    auto addRow = [&](const QString& title, const PolicyImpactRow& row) {
        auto* item = new QTreeWidgetItem(m_impact,
            {title, locale.toString(qulonglong(row.events)), formatByteSize(row.bytes),
                locale.toString(qulonglong(row.keptEvents)), formatByteSize(row.keptBytes),
                locale.toString(qulonglong(row.droppedEvents)), formatByteSize(row.droppedBytes)});
        for (int c = 1; c < m_impact->columnCount(); ++c)
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        return item;
    };
    for (Level level :
        {Level::None, Level::Metadata, Level::Request, Level::RequestResponse, Level::Unknown}) {
        const PolicyImpactRow& row = impact.byNewLevel[std::size_t(level)];
        if (row.events == 0 && level == Level::Unknown)
            continue;
        addRow(level == Level::Unknown ? tr("(invalid level)") : levelTitle(level), row);
    }
    QTreeWidgetItem* total = addRow(tr("Total"), impact.total);
    QFont bold = total->font(0);
    bold.setBold(true);
    for (int c = 0; c < m_impact->columnCount(); ++c)
        total->setFont(c, bold);
    const qulonglong recorded = impact.total.bytes;
    const qulonglong kept = impact.total.keptBytes;
    QString text = recorded > 0
        ? tr("This policy keeps %1 of %2 events and about %3 of the %4 recorded (%5 %).")
              .arg(locale.toString(qulonglong(impact.total.keptEvents)),
                  locale.toString(qulonglong(impact.total.events)), formatByteSize(kept),
                  formatByteSize(recorded),
                  locale.toString(100.0 * double(kept) / double(recorded), 'f', 0))
        : QString();
    if (impact.requestsMissingRequestReceived > 0)
        text += QLatin1Char(' ')
            + tr("It would add a RequestReceived event for %1 requests the log has none for.")
                  .arg(locale.toString(qulonglong(impact.requestsMissingRequestReceived)));
    for (const std::string& unknown : impact.unknowns)
        text += QStringLiteral("\n• ") + QString::fromStdString(unknown);
    m_blindSpots->setText(text);
}

void PolicyRulesPanel::explainEvent(EventId id)
{
    if (!m_result || !m_result->matches || !id || id.value >= m_result->matches->events.size()) {
        m_explanation->clear();
        m_outline->selectionModel()->clearSelection();
        return;
    }
    const int rule = m_result->matches->events[id.value].rule();
    const PolicyExplanation explanation = m_result->explainEvent(id);
    QString text = QString::fromStdString(explanation.summary);
    if (!explanation.rejected.empty())
        text += QLatin1Char('\n') + tr("Earlier rules that do not match:");
    for (const RuleExplanation& why : explanation.rejected)
        text += QStringLiteral("\n  ") + QString::fromStdString(why.sentence);
    m_explanation->setPlainText(text);
    const int row = m_model->rowOfRule(rule);
    if (row >= 0) {
        const QModelIndex index = m_model->index(row, 0);
        m_outline->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_outline->scrollTo(index);
    } else {
        m_outline->selectionModel()->clearSelection();
    }
}

} // namespace auditscope
