// SPDX-License-Identifier: Apache-2.0
#include "chainview.h"

#include "chain/jsonvalue.h"
#include "chaingantt.h"
#include "itemmodels/chainmodel.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

namespace auditscope {

namespace {

QString text(const std::string& s)
{
    return QString::fromStdString(s);
}

QString flagName(ChainFlag flag)
{
    for (const ChainFlagInfo& info : chainFlagInfos())
        if (info.flag == flag)
            return QString::fromLatin1(info.name.data(), qsizetype(info.name.size()));
    return {};
}

} // namespace

ChainView::ChainView(QWidget* parent)
    : QWidget(parent)
    , m_summary(new QLabel)
    , m_issues(new QLabel)
    , m_gantt(new ChainGantt)
    , m_model(new ChainModel(this))
    , m_tree(new QTreeView)
    , m_details(new QPlainTextEdit)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_issues->setWordWrap(true);
    m_issues->setTextFormat(Qt::RichText);
    layout->addWidget(m_summary);
    layout->addWidget(m_issues);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_gantt);
    auto* lower = new QSplitter(Qt::Horizontal);
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    lower->addWidget(m_tree);
    m_details->setReadOnly(true);
    m_details->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    lower->addWidget(m_details);
    splitter->addWidget(lower);
    layout->addWidget(splitter, 1);

    connect(m_gantt, &ChainGantt::eventClicked, this, [this](EventId id) {
        for (std::size_t i = 0; i < m_model->chain().events.size(); ++i)
            if (m_model->chain().events[i].id == id)
                showEventDetails(i);
        Q_EMIT eventActivated(id);
    });
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) {
            const QVariant id = current.data(ChainModel::EventIdRole);
            if (!id.isValid())
                return; // a request row
            const EventId event{id.toUInt()};
            for (std::size_t i = 0; i < m_model->chain().events.size(); ++i)
                if (m_model->chain().events[i].id == event)
                    showEventDetails(i);
            m_gantt->setSelectedEvent(event);
            Q_EMIT eventActivated(event);
        });
}

const Chain& ChainView::chain() const
{
    return m_model->chain();
}

QString ChainView::detailText() const
{
    return m_details->toPlainText();
}

void ChainView::setChain(const Chain& chain)
{
    m_model->setChain(chain);
    m_gantt->setChain(chain);
    m_tree->expandAll();
    m_tree->header()->resizeSections(QHeaderView::ResizeToContents);
    m_details->clear();
    if (chain.empty()) {
        m_summary->setText(tr("No events with this auditID."));
        m_issues->clear();
        return;
    }
    const QString flags = text(chainFlagNames(chain.flags));
    m_summary->setText(tr("<b>auditID %1</b> — %2 events, %3 requests, %4 servers, %5 — flags: %6")
                           .arg(text(chain.auditId).toHtmlEscaped())
                           .arg(chain.events.size())
                           .arg(chain.requests.size())
                           .arg(chain.lanes.size())
                           .arg(text(formatDurationNs(chain.lastNs - chain.firstNs)), flags));
    QStringList issues;
    for (const ChainIssue& issue : chain.issues)
        issues << QStringLiteral("<p><b>%1</b>: %2</p>")
                      .arg(flagName(issue.flag), text(issue.explanation).toHtmlEscaped());
    m_issues->setText(issues.join(QString()));
    m_issues->setVisible(!issues.isEmpty());
}

void ChainView::showEventDetails(std::size_t index)
{
    const ChainEvent& e = m_model->chain().events[index];
    QStringList lines;
    lines << QStringLiteral("%1  %2:%3")
                 .arg(text(std::string(stageName(e.stage))), text(e.file))
                 .arg(e.line);
    if (e.code)
        lines << QStringLiteral("status  %1 %2 %3 %4")
                     .arg(e.code)
                     .arg(text(e.status), text(e.reason), text(e.message));
    if (!e.decision.empty())
        lines << QStringLiteral("decision  %1%2")
                     .arg(text(e.decision),
                         e.authorizationReason.empty()
                             ? QString()
                             : QStringLiteral("  (%1)").arg(text(e.authorizationReason)));
    for (const auto& [name, value] : e.latencies)
        lines << QStringLiteral("latency %1  %2").arg(text(name), text(value));
    if (!e.requestObject.empty())
        lines << QString() << QStringLiteral("requestObject:") << text(prettyJson(e.requestObject));
    if (!e.responseObject.empty())
        lines << QString() << QStringLiteral("responseObject:")
              << text(prettyJson(e.responseObject));
    m_details->setPlainText(lines.join(QLatin1Char('\n')));
}

} // namespace auditscope
