// SPDX-License-Identifier: Apache-2.0
#include "detailpane.h"

#include "flaggedby.h"
#include "itemmodels/jsontreemodel.h"
#include "jsonhighlighter.h"
#include "query/query.h"
#include "query/querytext.h"

#include <simdjson.h>

#include <QAction>
#include <QClipboard>
#include <QEvent>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTreeView>
#include <QVBoxLayout>

#include <memory>
#include <utility>

namespace auditscope {

namespace {

QColor blend(const QColor& base, const QColor& hue, double amount)
{
    return QColor::fromRgbF(float(base.redF() * (1 - amount) + hue.redF() * amount),
        float(base.greenF() * (1 - amount) + hue.greenF() * amount),
        float(base.blueF() * (1 - amount) + hue.blueF() * amount));
}

// A value as the filter language reads it: bare when it is one plain word, else quoted with
// `\` before `"` and `\`. `*` cannot be escaped: it stays a wildcard (the language has none).
QString filterValue(const QString& value)
{
    return QString::fromStdString(quoteQueryValue(value.toStdString()));
}

// Whether `path` names that JSON path in the filter language. Not when the parser does not know
// it (a top-level key outside the audit Event spec, e.g. v1beta1's `timestamp`) or when it is an
// alias of another path (the top-level `apiVersion` reads as `objectRef.apiVersion`).
bool addressesItself(const QString& path)
{
    const QByteArray probe = (path + QStringLiteral(":*")).toUtf8();
    if (!parseQuery(std::string_view(probe.constData(), probe.size())).ok())
        return false;
    const QByteArray lower = path.toLower().toUtf8();
    const std::string_view name(lower.constData(), lower.size());
    for (const FieldName& alias : queryFieldNames()) {
        if (!alias.alias || alias.name != name)
            continue;
        for (const FieldName& full : queryFieldNames())
            if (!full.alias && full.field == alias.field)
                return false;
    }
    return true;
}

// A quoted phrase matching `text` as it appears in raw JSON (a string's escapes included).
QString rawPhrase(const QString& jsonText)
{
    return filterValue(jsonText).startsWith(QLatin1Char('"'))
        ? filterValue(jsonText)
        : QLatin1Char('"') + jsonText + QLatin1Char('"');
}

QString oneLine(std::string_view json)
{
    // Events of an EventList file span lines; minify keeps every value byte for byte.
    std::string out(json.size(), '\0');
    std::size_t length = 0;
    if (json.find('\n') == std::string_view::npos
        || simdjson::minify(json.data(), json.size(), out.data(), length) != simdjson::SUCCESS)
        return QString::fromUtf8(json.data(), static_cast<qsizetype>(json.size()));
    return QString::fromUtf8(out.data(), static_cast<qsizetype>(length));
}

// Where event `id` was read, for the header ("a.log:12 · Also in: b.log:3") and its tool tip
// (full paths): its own place, then the places of its byte-identical copies.
std::pair<QString, QString> placesOf(const EventStore& store, EventId id)
{
    QStringList names, paths;
    const auto addPlace = [&](const SourceInfo& source, std::uint32_t line) {
        const QString path = QFile::decodeName(QByteArray::fromStdString(source.path));
        names << QStringLiteral("%1:%2").arg(QFileInfo(path).fileName()).arg(line);
        paths << QStringLiteral("%1:%2").arg(path).arg(line);
    };
    addPlace(store.sourceOf(id), store.line[id.value]);
    for (const EventStore::DuplicatePlace& place : store.duplicatePlacesOf(id.value))
        addPlace(store.sources[place.source.value], place.line);
    QString header = names.takeFirst();
    QString toolTip = paths.takeFirst();
    if (!names.isEmpty()) {
        header += QStringLiteral(" · ")
            + DetailPane::tr("Also in: %1").arg(names.join(QStringLiteral(", ")));
        toolTip += QLatin1Char('\n')
            + DetailPane::tr("Also in (byte-identical copies, loaded once): %1")
                  .arg(paths.join(QStringLiteral(", ")));
    }
    return {header, toolTip};
}

} // namespace

DetailPane::DetailPane(QWidget* parent)
    : QWidget(parent)
    , m_model(new JsonTreeModel(this))
    , m_header(new QLabel(this))
    , m_flags(new QTextBrowser(this))
    , m_splitter(new QSplitter(Qt::Vertical, this))
    , m_tree(new QTreeView(this))
    , m_text(new QPlainTextEdit(this))
    , m_highlighter(new JsonHighlighter(m_text->document()))
    , m_copyValue(new QAction(tr("Copy Value"), this))
    , m_copyPath(new QAction(tr("Copy Path"), this))
    , m_copyEvent(new QAction(tr("Copy Event"), this))
    , m_apply(new QAction(tr("Apply as Filter"), this))
    , m_prepare(new QAction(tr("Prepare as Filter"), this))
    , m_exclude(new QAction(tr("Exclude"), this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setTextFormat(Qt::PlainText);
    layout->addWidget(m_header);
    setFocusProxy(m_tree); // Go > Event Details lands on the field tree

    QSplitter* splitter = m_splitter;
    layout->addWidget(splitter, 1);
    // Flagged by: above the event, so what the rules say is read before the JSON.
    m_flags->setOpenLinks(false);
    m_flags->setFrameShape(QFrame::StyledPanel);
    m_flags->setVisible(false);
    splitter->addWidget(m_flags);

    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_copyValue->setShortcut(QKeySequence::Copy);
    m_copyValue->setShortcutContext(Qt::WidgetShortcut);
    m_apply->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_apply->setShortcutContext(Qt::WidgetShortcut);
    m_exclude->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return));
    m_exclude->setShortcutContext(Qt::WidgetShortcut);
    auto* separator = new QAction(this);
    separator->setSeparator(true);
    m_tree->addActions(
        {m_copyValue, m_copyPath, m_copyEvent, separator, m_apply, m_prepare, m_exclude});
    connect(m_copyValue, &QAction::triggered, this, &DetailPane::copyValue);
    connect(m_copyPath, &QAction::triggered, this, &DetailPane::copyPath);
    connect(m_copyEvent, &QAction::triggered, this, &DetailPane::copyEvent);
    connect(m_apply, &QAction::triggered, this, &DetailPane::applyAsFilter);
    connect(m_prepare, &QAction::triggered, this, &DetailPane::prepareAsFilter);
    connect(m_exclude, &QAction::triggered, this, &DetailPane::excludeAsFilter);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
        [this](const QModelIndex& current) {
            markNode(current);
            if (current.isValid())
                m_lastPath = current.data(JsonTreeModel::PathRole).toString();
            updateActions();
        });
    splitter->addWidget(m_tree);

    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    splitter->addWidget(m_text);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 2);

    m_highlighter->setPalette(m_text->palette());
    updateActions();
}

DetailPane::~DetailPane() = default;

QString DetailPane::headerText() const
{
    return m_header->text();
}

void DetailPane::setEvent(const EventStorePtr& store, EventId id)
{
    if (!store || !id || id.value >= store->size()) {
        clear();
        return;
    }
    m_store = store;
    m_event = id;
    const auto [header, toolTip] = placesOf(*store, id);
    m_header->setText(header);
    m_header->setToolTip(toolTip);
    const QString keepPath = m_lastPath;
    m_marked = {-1, -1};
    m_model->setJson(store->rawJson(id));
    m_text->setPlainText(m_model->prettyText());
    m_tree->expandToDepth(0);
    m_tree->resizeColumnToContents(JsonTreeModel::KeyColumn);
    if (!keepPath.isEmpty()) {
        const QModelIndexList same = m_model->match(m_model->index(0, 0), JsonTreeModel::PathRole,
            keepPath, 1, Qt::MatchExactly | Qt::MatchRecursive);
        if (!same.isEmpty()) {
            m_tree->setCurrentIndex(same.first());
            m_tree->scrollTo(same.first());
        }
    }
    m_lastPath = keepPath;
    updateFlags();
    updateActions();
}

void DetailPane::setFindings(const DetectionResultPtr& result)
{
    m_findings = result;
    updateFlags();
}

void DetailPane::updateFlags()
{
    const QString text = m_findings && m_store && m_findings->store == m_store
        ? flaggedByHtml(*m_findings, m_event)
        : QString();
    m_flags->setHtml(text);
    m_flags->setVisible(!text.isEmpty());
    if (!text.isEmpty()) {
        m_flags->verticalScrollBar()->setValue(0); // a new event reads from its first rule
        fitFlags();
    }
}

void DetailPane::fitFlags()
{
    QList<int> sizes = m_splitter->sizes();
    int total = 0;
    for (const int size : sizes)
        total += size;
    if (sizes.size() != 3 || total <= 0)
        return; // not laid out yet
    QTextDocument* document = m_flags->document();
    document->setTextWidth(m_flags->viewport()->width());
    const int wanted = int(document->size().height()) + 2 * m_flags->frameWidth() + 4;
    const int flags = std::min(wanted, total * 45 / 100);
    const int rest = total - flags;
    m_splitter->setSizes({flags, rest * 3 / 5, rest - rest * 3 / 5});
}

QString DetailPane::flaggedByText() const
{
    return m_flags->isVisibleTo(this) ? m_flags->toPlainText() : QString();
}

void DetailPane::clear()
{
    m_store.reset();
    m_event = {};
    m_marked = {-1, -1};
    m_header->clear();
    m_header->setToolTip(QString());
    m_model->setJson({});
    m_text->clear();
    updateFlags();
    updateActions();
}

QModelIndex DetailPane::currentNode() const
{
    const QModelIndex index = m_tree->currentIndex();
    return index.isValid() ? index.sibling(index.row(), JsonTreeModel::KeyColumn) : index;
}

void DetailPane::markNode(const QModelIndex& index)
{
    QList<QTextEdit::ExtraSelection> marks;
    m_marked = {-1, -1};
    if (index.isValid()) {
        const int start = index.data(JsonTreeModel::RangeStartRole).toInt();
        const int end = index.data(JsonTreeModel::RangeEndRole).toInt();
        if (end > start && end <= m_text->document()->characterCount()) {
            m_marked = {start, end};
            QTextCursor cursor(m_text->document());
            cursor.setPosition(end);
            cursor.setPosition(start, QTextCursor::KeepAnchor); // the start is what scrolls in
            QTextEdit::ExtraSelection mark;
            mark.cursor = cursor;
            const QPalette& palette = m_text->palette();
            mark.format.setBackground(
                blend(palette.color(QPalette::Base), palette.color(QPalette::Highlight), 0.3));
            marks.append(mark);
            m_text->setTextCursor(cursor);
            m_text->ensureCursorVisible();
        }
    }
    m_text->setExtraSelections(marks);
}

void DetailPane::updateActions()
{
    const QModelIndex node = currentNode();
    const bool hasNode = node.isValid() && !node.data(JsonTreeModel::PathRole).toString().isEmpty();
    m_copyValue->setEnabled(node.isValid());
    m_copyPath->setEnabled(hasNode);
    m_copyEvent->setEnabled(m_store != nullptr);
    m_apply->setEnabled(hasNode);
    m_prepare->setEnabled(hasNode);
    m_exclude->setEnabled(hasNode);
}

QString DetailPane::filterExpression(const QModelIndex& index, bool exclude)
{
    const QString path = index.data(JsonTreeModel::PathRole).toString();
    if (path.isEmpty())
        return {};
    const QString prefix = exclude ? QStringLiteral("-") : QString();
    const bool scalar = index.data(JsonTreeModel::IsScalarRole).toBool();
    const QString value = index.data(JsonTreeModel::ValueRole).toString();
    if (!addressesItself(path)) {
        // The language cannot name this field: search the raw text for the value instead (or
        // for the key, for an object or array), which still finds this event.
        if (scalar)
            return prefix
                + rawPhrase(value.isEmpty() ? QStringLiteral("\"\"") : jsonEscaped(value));
        QModelIndex keyed = index; // array elements are named by their array's key
        while (keyed.parent().isValid() && keyed.data().toString().startsWith(QLatin1Char('[')))
            keyed = keyed.parent();
        return prefix
            + rawPhrase(QLatin1Char('"') + jsonEscaped(keyed.data().toString()) + QLatin1Char('"'));
    }
    return prefix + path + QLatin1Char(':') + (scalar ? filterValue(value) : QStringLiteral("*"));
}

void DetailPane::copyValue()
{
    const QModelIndex node = currentNode();
    if (!node.isValid())
        return;
    QString text;
    if (node.data(JsonTreeModel::IsScalarRole).toBool()) {
        text = node.data(JsonTreeModel::ValueRole).toString();
    } else {
        const int start = node.data(JsonTreeModel::RangeStartRole).toInt();
        const int end = node.data(JsonTreeModel::RangeEndRole).toInt();
        text = m_model->prettyText().mid(start, end - start);
    }
    QGuiApplication::clipboard()->setText(text);
}

void DetailPane::copyPath()
{
    const QModelIndex node = currentNode();
    if (node.isValid())
        QGuiApplication::clipboard()->setText(node.data(JsonTreeModel::PathRole).toString());
}

void DetailPane::copyEvent()
{
    if (m_store && m_event)
        QGuiApplication::clipboard()->setText(oneLine(m_store->rawJson(m_event)));
}

void DetailPane::applyAsFilter()
{
    const QString expression = filterExpression(currentNode(), false);
    if (!expression.isEmpty())
        Q_EMIT filterRequested(expression, true);
}

void DetailPane::prepareAsFilter()
{
    const QString expression = filterExpression(currentNode(), false);
    if (!expression.isEmpty())
        Q_EMIT filterRequested(expression, false);
}

void DetailPane::excludeAsFilter()
{
    const QString expression = filterExpression(currentNode(), true);
    if (!expression.isEmpty())
        Q_EMIT filterRequested(expression, true);
}

void DetailPane::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        m_highlighter->setPalette(m_text->palette());
        markNode(currentNode());
    }
}

} // namespace auditscope
