// SPDX-License-Identifier: Apache-2.0
#include "policyrulespanel.h"

#include "itemmodels/policyruleoutlinemodel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStyledItemDelegate>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

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

/// A written level: the level, or "not written" for Level::None.
QString writtenTitle(Level level)
{
    return level == Level::None ? PolicyRulesPanel::tr("not written") : levelTitle(level);
}

QString signedCount(const QLocale& locale, std::int64_t n)
{
    return n > 0 ? QLatin1Char('+') + locale.toString(qlonglong(n))
        : n < 0  ? QChar(0x2212) + locale.toString(qlonglong(-n))
                 : QStringLiteral("0");
}

QString signedSize(std::int64_t n)
{
    return n > 0 ? QLatin1Char('+') + formatByteSize(std::uint64_t(n))
        : n < 0  ? QChar(0x2212) + formatByteSize(std::uint64_t(-n))
                 : QStringLiteral("0");
}

constexpr int FilterTermRole = Qt::UserRole + 1;

} // namespace

PolicyRulesPanel::PolicyRulesPanel(QWidget* parent)
    : QWidget(parent)
    , m_model(new PolicyRuleOutlineModel(this))
    , m_outline(new QTreeView)
    , m_footer(new QLabel)
    , m_explanation(new QPlainTextEdit)
    , m_compareWith(new QComboBox)
    , m_impact(new QTreeWidget)
    , m_changes(new QTreeWidget)
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

    m_compareWith->setObjectName(QStringLiteral("compareWith"));
    m_compareWith->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_compareWith->setToolTip(
        tr("What the impact compares this policy with: the recorded log, the saved file of this "
           "policy, or another open policy"));
    connect(m_compareWith, &QComboBox::activated, this, &PolicyRulesPanel::comparisonChosen);
    setComparisonChoices({tr("the recorded log")}, {true}, 0);

    m_impact->setRootIsDecorated(false);
    m_impact->setUniformRowHeights(true);
    // Few rows: every column as wide as its widest text.
    m_impact->header()->setStretchLastSection(false);
    m_impact->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_impact->setMinimumHeight(metrics.height() * 8);

    m_changes->setObjectName(QStringLiteral("policyChanges"));
    m_changes->setHeaderLabels({tr("Events that change"), tr("Events"), tr("Recorded size")});
    m_changes->setUniformRowHeights(true);
    m_changes->header()->setStretchLastSection(false);
    m_changes->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_changes->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_changes->setToolTip(tr("Click a change to show its events in the table"));
    auto activateChange = [this](QTreeWidgetItem* item) {
        const QString term = item ? item->data(0, FilterTermRole).toString() : QString();
        if (!term.isEmpty())
            Q_EMIT changeActivated(term);
    };
    connect(m_changes, &QTreeWidget::itemClicked, this, activateChange);
    connect(m_changes, &QTreeWidget::itemActivated, this, activateChange);
    m_changes->hide();
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
    auto* compareRow = new QHBoxLayout;
    auto* compareLabel = new QLabel(tr("Impact compared with"));
    compareLabel->setBuddy(m_compareWith);
    compareRow->addWidget(compareLabel);
    compareRow->addWidget(m_compareWith);
    compareRow->addStretch(1);
    impactLayout->addLayout(compareRow);
    impactLayout->addWidget(m_impact, 3);
    impactLayout->addWidget(m_changes, 2);
    impactLayout->addWidget(m_blindSpots);

    // Rules and why the current event got its rule on the left; the impact on the right.
    auto* left = new QSplitter(Qt::Vertical);
    left->addWidget(outlineBox);
    left->addWidget(m_explanation);
    left->setSizes({240, 120});
    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(left);
    splitter->addWidget(impactBox);
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

void PolicyRulesPanel::setComparisonChoices(
    const QStringList& titles, const QList<bool>& enabled, int current)
{
    const QSignalBlocker block(m_compareWith);
    m_compareWith->clear();
    m_compareWith->addItems(titles);
    auto* items = qobject_cast<QStandardItemModel*>(m_compareWith->model());
    for (int i = 0; i < titles.size() && items; ++i)
        if (i < enabled.size() && !enabled[i])
            items->item(i)->setEnabled(false);
    m_compareWith->setCurrentIndex(std::clamp(current, 0, int(titles.size()) - 1));
}

void PolicyRulesPanel::showImpact()
{
    m_impact->clear();
    m_changes->clear();
    if (!m_result || !m_result->impact) {
        m_changes->hide();
        m_blindSpots->setText(
            m_result ? tr("The impact needs a log and a policy that decodes.") : QString());
        return;
    }
    if (m_result->comparison) {
        showComparison(*m_result->impact, *m_result->comparison);
        return;
    }
    m_changes->hide();
    QString notCompared;
    if (m_result->baseline)
        notCompared = tr("Not compared with %1: it has no rules to match (empty, unreadable or "
                         "not a policy).")
                          .arg(m_compareWith->currentText())
            + QLatin1Char('\n');
    showRecordedImpact(*m_result->impact);
    m_blindSpots->setText(notCompared + m_blindSpots->text());
}

void PolicyRulesPanel::showRecordedImpact(const PolicyImpact& impact)
{
    m_impact->setHeaderLabels({tr("New level"), tr("Events"), tr("Recorded"), tr("Kept"),
        tr("Kept size (est.)"), tr("Dropped"), tr("Dropped size")});
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

void PolicyRulesPanel::showComparison(
    const PolicyImpact& impact, const PolicyComparison& comparison)
{
    const PolicyImpact& before = comparison.baseline;
    const QLocale locale;
    m_impact->setHeaderLabels({tr("Written at"), tr("Before"), tr("Now"), tr("Change"),
        tr("Size before"), tr("Size now"), tr("Size change")});
    m_impact->headerItem()->setToolTip(4, tr("Estimated: bodies a level keeps or removes"));
    m_impact->headerItem()->setToolTip(5, tr("Estimated: bodies a level keeps or removes"));
    auto addRow = [&](const QString& title, std::uint64_t eventsBefore, std::uint64_t eventsNow,
                      std::uint64_t bytesBefore, std::uint64_t bytesNow) {
        auto* item = new QTreeWidgetItem(m_impact,
            {title, locale.toString(qulonglong(eventsBefore)),
                locale.toString(qulonglong(eventsNow)),
                signedCount(locale, std::int64_t(eventsNow) - std::int64_t(eventsBefore)),
                formatByteSize(bytesBefore), formatByteSize(bytesNow),
                signedSize(std::int64_t(bytesNow) - std::int64_t(bytesBefore))});
        for (int c = 1; c < m_impact->columnCount(); ++c)
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        return item;
    };
    for (Level level : {Level::Metadata, Level::Request, Level::RequestResponse}) {
        const PolicyImpactRow& a = before.byNewLevel[std::size_t(level)];
        const PolicyImpactRow& b = impact.byNewLevel[std::size_t(level)];
        addRow(levelTitle(level), a.keptEvents, b.keptEvents, a.keptBytes, b.keptBytes);
    }
    // Not written: sized as recorded (what the log holds of them).
    addRow(tr("not written"), before.total.droppedEvents, impact.total.droppedEvents,
        before.total.droppedBytes, impact.total.droppedBytes);
    QTreeWidgetItem* total = addRow(tr("Written in all"), before.total.keptEvents,
        impact.total.keptEvents, before.total.keptBytes, impact.total.keptBytes);
    QFont bold = total->font(0);
    bold.setBold(true);
    for (int c = 0; c < m_impact->columnCount(); ++c)
        total->setFont(c, bold);

    m_changes->setVisible(comparison.changedEvents() > 0);
    for (int c = 1; c < PolicyChangeCount; ++c) {
        const auto change = PolicyChange(c);
        static const char* const titles[] = {"", QT_TR_NOOP("Dropped: written before, not now"),
            QT_TR_NOOP("Added: written now, not before"), QT_TR_NOOP("Raised: a higher level now"),
            QT_TR_NOOP("Lowered: a lower level now")};
        const std::string_view name = policyChangeName(change);
        const QString term = QStringLiteral("policychange:") + QString::fromLatin1(name.data());
        auto* item = new QTreeWidgetItem(m_changes,
            {tr(titles[c]), locale.toString(qulonglong(comparison.events[std::size_t(c)])),
                formatByteSize(comparison.bytes[std::size_t(c)])});
        item->setData(0, FilterTermRole, term);
        item->setToolTip(0, tr("Click to show these events (%1)").arg(term));
        item->setHidden(comparison.events[std::size_t(c)] == 0);
        // Where they move, e.g. "Metadata → not written".
        for (const PolicyComparison::Move& m : comparison.movesOf(change)) {
            auto* move = new QTreeWidgetItem(item,
                {writtenTitle(m.from) + QStringLiteral(" → ") + writtenTitle(m.to),
                    locale.toString(qulonglong(m.events))});
            move->setData(0, FilterTermRole, term);
            move->setToolTip(0,
                tr("Click to show all %1 events (%2)").arg(QString::fromLatin1(name.data()), term));
        }
        for (int col = 1; col < m_changes->columnCount(); ++col)
            item->setTextAlignment(col, Qt::AlignRight | Qt::AlignVCenter);
        for (int k = 0; k < item->childCount(); ++k)
            item->child(k)->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    }
    m_changes->expandAll();

    const QString baseline = m_compareWith->currentText();
    const std::int64_t events =
        std::int64_t(impact.total.keptEvents) - std::int64_t(before.total.keptEvents);
    const std::int64_t bytes =
        std::int64_t(impact.total.keptBytes) - std::int64_t(before.total.keptBytes);
    QString text;
    if (comparison.changedEvents() == 0) {
        text = tr("No event changes compared with %1.").arg(baseline);
    } else {
        // e.g. "Compared with the saved file: 1,204 events change; this policy writes 1,200
        // fewer events and about 3.4 MiB less log (-12.0 %)."
        const QString share = before.total.keptBytes > 0
            ? QStringLiteral(" (%1 %)").arg(
                locale.toString(100.0 * double(bytes) / double(before.total.keptBytes), 'f', 1))
            : QString();
        const QString eventsText = events == 0 ? tr("as many events")
            : events < 0 ? tr("%1 fewer events").arg(locale.toString(qlonglong(-events)))
                         : tr("%1 more events").arg(locale.toString(qlonglong(events)));
        const QString bytesText = bytes == 0 ? tr("the same size of log")
            : bytes < 0 ? tr("about %1 less log").arg(formatByteSize(std::uint64_t(-bytes)))
                        : tr("about %1 more log").arg(formatByteSize(std::uint64_t(bytes)));
        text = tr("Compared with %1: %2 events change; this policy writes %3 and %4%5.")
                   .arg(baseline, locale.toString(qulonglong(comparison.changedEvents())),
                       eventsText, bytesText, share);
    }
    if (m_result->baseline && !m_result->baseline->load.loadable)
        text += QLatin1Char('\n')
            + tr("Note: kube-apiserver would refuse %1 as it is (see its problems).").arg(baseline);
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
