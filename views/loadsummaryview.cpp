// SPDX-License-Identifier: Apache-2.0
#include "loadsummaryview.h"

#include <algorithm>

#include "common/timestamp.h"
#include "report/summary.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace auditscope {

namespace {

// "Codes: 200 1,426 · no code 1,484": `none` (the summary's key for a missing field) in words.
QString countsLine(const QString& title, const std::map<std::string, std::uint64_t>& counts,
    const QString& missing)
{
    std::vector<std::pair<std::string, std::uint64_t>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(),
        [](const auto& a, const auto& b) { return a.second > b.second; });
    QStringList parts;
    for (const auto& [key, count] : sorted) {
        const QString name = key == "none" ? missing : QString::fromStdString(key);
        parts << QStringLiteral("%1 %2").arg(name, QLocale().toString(qulonglong(count)));
    }
    return QStringLiteral("<b>%1</b> %2")
        .arg(title, parts.join(QStringLiteral(" · ")).toHtmlEscaped());
}

QTreeWidget* makeTree(const QStringList& headers)
{
    auto* tree = new QTreeWidget;
    tree->setHeaderLabels(headers);
    tree->setRootIsDecorated(false);
    tree->setUniformRowHeights(true);
    tree->setAlternatingRowColors(true);
    tree->header()->setStretchLastSection(true);
    return tree;
}

} // namespace

LoadSummaryView::LoadSummaryView(QWidget* parent)
    : QWidget(parent)
    , m_headline(new QLabel)
    , m_counts(new QLabel)
    , m_sources(makeTree({tr("Source"), tr("Events"), tr("Bad lines"), tr("Size"), tr("Problem")}))
    , m_problems(makeTree({tr("File"), tr("Line"), tr("Column"), tr("Reason")}))
{
    QFont big = m_headline->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    m_headline->setFont(big);
    m_headline->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_counts->setWordWrap(true);
    m_counts->setTextFormat(Qt::RichText);
    m_counts->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_sources);
    splitter->addWidget(m_problems);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_headline);
    layout->addWidget(m_counts);
    layout->addWidget(splitter, 1);
    clear();
}

void LoadSummaryView::clear()
{
    m_headline->setText(tr("Open an audit log (File ▸ Open) or drop one here."));
    m_counts->clear();
    m_sources->clear();
    m_problems->clear();
    m_problems->setVisible(false);
}

void LoadSummaryView::showLoading(const QStringList& paths)
{
    m_headline->setText(tr("Loading %n source(s)…", nullptr, int(paths.size())));
    m_counts->clear();
    m_sources->clear();
    m_problems->clear();
}

void LoadSummaryView::showPartial(const EventStore& store)
{
    m_headline->setText(
        tr("Loading… first %1 events read").arg(QLocale().toString(qulonglong(store.size()))));
}

void LoadSummaryView::showResult(const LoadResult& result, const Summary& sum)
{
    const LoadReport& report = result.report;
    const QLocale locale;
    QString headline = tr("%1 events").arg(locale.toString(qulonglong(sum.events)));
    if (sum.events > sum.eventsWithoutTime) {
        headline += QStringLiteral(" · %1 → %2 UTC")
                        .arg(QString::fromStdString(formatRfc3339Micros(sum.firstTimeNs)),
                            QString::fromStdString(formatRfc3339Micros(sum.lastTimeNs)));
    }
    if (sum.eventsWithoutTime > 0)
        headline += QStringLiteral(" · ")
            + tr("%n without a time (listed last)", nullptr, int(sum.eventsWithoutTime));
    if (report.badLines > 0)
        headline += QStringLiteral(" · ") + tr("%n bad line(s)", nullptr, int(report.badLines));
    if (report.duplicates > 0)
        headline += QStringLiteral(" · ")
            + tr("%1 duplicates loaded once").arg(locale.toString(qulonglong(report.duplicates)));
    const auto failedSources = std::count_if(report.sources.begin(), report.sources.end(),
        [](const SourceReport& s) { return !s.error.empty(); });
    if (failedSources > 0) // refused or unreadable: says what each is in the list below
        headline +=
            QStringLiteral(" · ") + tr("%n source(s) with errors", nullptr, int(failedSources));
    if (report.warnings > 0) // events that loaded, flagged
        headline += QStringLiteral(" · ") + tr("%n warning(s)", nullptr, int(report.warnings));
    if (report.notes > 0)
        headline += QStringLiteral(" · ") + tr("%n note(s)", nullptr, int(report.notes));
    if (report.cancelled)
        headline += QStringLiteral(" · ") + tr("cancelled: partial load");
    m_headline->setText(headline);

    QStringList lines;
    lines << tr("<b>Users</b> %1 · <b>Requests (audit IDs)</b> %2 · loaded in %3 s")
                 .arg(locale.toString(qulonglong(sum.distinctUsers)),
                     locale.toString(qulonglong(sum.distinctAuditIds)),
                     locale.toString(report.seconds, 'f', 2));
    lines << countsLine(tr("Stages"), sum.byStage, tr("no stage"))
          << countsLine(tr("Levels"), sum.byLevel, tr("no level"))
          << countsLine(tr("Verbs"), sum.byVerb, tr("no verb"))
          << countsLine(tr("Codes"), sum.byCode, tr("no status yet (RequestReceived)"));
    m_counts->setText(lines.join(QStringLiteral("<br>")));

    m_sources->clear();
    for (std::size_t index = 0; index < report.sources.size(); ++index) {
        const SourceReport& s = report.sources[index];
        auto* item = new QTreeWidgetItem(m_sources);
        item->setText(0, QString::fromStdString(s.path));
        item->setText(1, locale.toString(qulonglong(s.events)));
        item->setText(2, locale.toString(qulonglong(s.badLines)));
        if (s.bytes > 0 || s.error.empty()) // a source that failed to open has no size
            item->setText(3,
                locale.formattedDataSize(qint64(s.bytes))
                    + (s.compressed ? tr(" (gzip)") : QString()));
        QStringList problems; // the source's error, then what became of its duplicates
        if (!s.error.empty())
            problems << QString::fromStdString(s.error);
        if (s.duplicates > 0)
            problems << QString::fromStdString(describeDuplicates(report, index));
        item->setText(4, problems.join(QStringLiteral("; ")));
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
    }
    m_problems->clear();
    for (const Diagnostic& d : report.diagnostics) {
        auto* item = new QTreeWidgetItem(m_problems);
        item->setText(0, QString::fromStdString(report.sources[d.source].path));
        item->setText(1, d.line ? QString::number(d.line) : QString());
        item->setText(2, d.column ? QString::number(d.column) : QString());
        const QString severity = d.severity == Severity::Error ? QString()
            : d.severity == Severity::Warning                  ? tr("warning: ")
                                                               : tr("note: ");
        item->setText(3, severity + QString::fromStdString(d.message));
    }
    if (report.diagnosticsOmitted > 0) {
        auto* item = new QTreeWidgetItem(m_problems);
        item->setText(
            3, tr("… and %1 more").arg(locale.toString(qulonglong(report.diagnosticsOmitted))));
    }
    m_problems->setVisible(m_problems->topLevelItemCount() > 0); // no empty pane when all loaded
    for (QTreeWidget* tree : {m_sources, m_problems})
        tree->resizeColumnToContents(0);
}

QString LoadSummaryView::headline() const
{
    return m_headline->text();
}

int LoadSummaryView::problemCount() const
{
    return m_problems->topLevelItemCount();
}

} // namespace auditscope
