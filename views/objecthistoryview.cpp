// SPDX-License-Identifier: Apache-2.0
#include "objecthistoryview.h"

#include "chain/jsonvalue.h"
#include "common/timestamp.h"
#include "itemmodels/objecthistorymodel.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

namespace auditscope {

namespace {

QString text(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

QString timeText(const std::optional<std::int64_t>& ns)
{
    return ns ? text(formatRfc3339Micros(*ns)) : QString();
}

QString lifetimeText(const ObjectLifetime& life)
{
    QString created = life.createdNs
        ? QObject::tr("created %1 by %2").arg(timeText(life.createdNs), text(life.createdBy))
        : life.creationTimestampNs
        ? QObject::tr("created %1 (before the log)").arg(timeText(life.creationTimestampNs))
        : QObject::tr("existed when the log starts");
    QString deleted = life.deletedNs
        ? QObject::tr("deleted %1 by %2").arg(timeText(life.deletedNs), text(life.deletedBy))
        : life.deletionPending ? QObject::tr("deletion pending")
                               : QObject::tr("still there when the log ends");
    return created + QStringLiteral(" … ") + deleted
        + (life.uid.empty() ? QString() : QObject::tr(" (uid %1)").arg(text(life.uid)));
}

} // namespace

ObjectHistoryView::ObjectHistoryView(QWidget* parent)
    : QWidget(parent)
    , m_summary(new QLabel)
    , m_model(new ObjectHistoryModel(this))
    , m_tree(new QTreeView)
    , m_diff(new QPlainTextEdit)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    auto* splitter = new QSplitter(Qt::Horizontal);
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    splitter->addWidget(m_tree);
    m_diff->setReadOnly(true);
    m_diff->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_diff->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    splitter->addWidget(m_diff);
    layout->addWidget(splitter, 1);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) {
            const QVariant entry = current.data(ObjectHistoryModel::EntryRole);
            if (!entry.isValid())
                return;
            showEntry(std::size_t(entry.toInt()));
            const QVariant id = current.data(ObjectHistoryModel::EventIdRole);
            if (id.isValid())
                Q_EMIT eventActivated(EventId{id.toUInt()});
        });
}

const ObjectHistory& ObjectHistoryView::history() const
{
    return m_model->history();
}

QString ObjectHistoryView::diffText() const
{
    return m_diff->toPlainText();
}

void ObjectHistoryView::setHistory(const ObjectHistory& history)
{
    m_model->setHistory(history);
    m_diff->clear();
    QStringList lines;
    lines << tr("<b>%1</b> — %2 requests")
                 .arg(text(history.key.toString()).toHtmlEscaped())
                 .arg(history.entries.size());
    for (const ObjectLifetime& life : history.lifetimes)
        lines << lifetimeText(life).toHtmlEscaped();
    m_summary->setText(lines.join(QStringLiteral("<br>")));
    for (int c = 0; c < ObjectHistoryModel::DetailColumn; ++c)
        m_tree->resizeColumnToContents(c);
}

void ObjectHistoryView::showEntry(std::size_t index)
{
    const HistoryEntry& e = m_model->history().entries[index];
    QStringList lines;
    lines << QStringLiteral("%1 %2 by %3 → %4")
                 .arg(text(historyActionName(e.action)), text(e.requestUri), text(e.user))
                 .arg(e.code);
    if (!e.note.empty())
        lines << text(e.note);
    if (e.action == HistoryAction::Patch) {
        lines << tr("patch: %1%2 — %3")
                     .arg(text(patchKindName(e.patch.kind)),
                         e.patch.certain ? QString() : tr(" (guessed)"), text(e.patch.why));
        if (!e.requestObject.empty())
            lines << text(prettyJson(e.requestObject));
    }
    if (e.hasDiff) {
        lines << QString() << tr("changes:");
        for (const JsonChange& change : e.changes) {
            const QString path = change.path.empty() ? tr("(whole object)") : text(change.path);
            switch (change.kind) {
            case JsonChange::Kind::Added:
                lines << QStringLiteral("+ %1 = %2").arg(path, text(change.newValue));
                break;
            case JsonChange::Kind::Removed:
                lines << QStringLiteral("- %1 (was %2)").arg(path, text(change.oldValue));
                break;
            case JsonChange::Kind::Changed:
                lines << QStringLiteral("~ %1: %2 -> %3")
                             .arg(path, text(change.oldValue), text(change.newValue));
                break;
            }
        }
    }
    if (e.beforeKnown && !e.before.empty())
        lines << QString() << tr("before:") << text(prettyJson(e.before));
    if (e.afterKnown && !e.after.empty())
        lines << QString() << tr("after:") << text(prettyJson(e.after));
    m_diff->setPlainText(lines.join(QLatin1Char('\n')));
}

} // namespace auditscope
