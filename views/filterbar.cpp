// SPDX-License-Identifier: Apache-2.0
#include "filterbar.h"

#include "jobs/settingswriter.h"
#include "query/completerbuilder.h"
#include "query/findingterms.h"
#include "query/policyterms.h"
#include "query/query.h"
#include "query/querycompleter.h"
#include "query/queryengine.h"
#include "query/queryrunner.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QCoreApplication>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QInputMethodEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QStandardItemModel>
#include <QTextCharFormat>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QTreeView>

#include <algorithm>

namespace auditscope {

namespace {

constexpr int DebounceMs = 150;
constexpr int MaxHistory = 30;
const QString HistoryKey = QStringLiteral("filterBar/history");
const QString SavedKey = QStringLiteral("filterBar/saved");

enum CompletionRole { InsertRole = Qt::UserRole + 1, KindRole };

QColor blend(const QColor& base, const QColor& hue, double amount)
{
    return QColor::fromRgbF(float(base.redF() * (1 - amount) + hue.redF() * amount),
        float(base.greenF() * (1 - amount) + hue.greenF() * amount),
        float(base.blueF() * (1 - amount) + hue.blueF() * amount));
}

// Wireshark's hues, blended into the palette's base colour so they read on dark themes too.
QColor validHue()
{
    return QColor(40, 180, 60);
}

QColor invalidHue()
{
    return QColor(220, 40, 40);
}

// UTF-16 length of the first `bytes` bytes of `utf8`.
int utf16Length(const QByteArray& utf8, std::size_t bytes)
{
    const auto n = static_cast<qsizetype>(std::min<std::size_t>(bytes, utf8.size()));
    return static_cast<int>(QString::fromUtf8(utf8.constData(), n).size());
}

QString elided(const QString& text)
{
    return text.size() > 80 ? text.left(79) + QChar(0x2026) : text;
}

} // namespace

FilterBar::FilterBar(QWidget* parent)
    : QWidget(parent)
    , m_edit(new QLineEdit(this))
    , m_historyButton(new QToolButton(this))
    , m_savedButton(new QToolButton(this))
    , m_count(new QLabel(this))
    , m_debounce(new QTimer(this))
    , m_popup(new QCompleter(this))
    , m_completions(new QStandardItemModel(0, 2, this))
    , m_builder(new CompleterBuilder(this))
    , m_settings(new SettingsWriter(this))
{
    connect(m_builder, &CompleterBuilder::completerReady, this,
        [this](const std::shared_ptr<QueryCompleter>& completer) {
            m_completer = completer;
            m_completer->setPolicyContext(m_policy);
            m_completer->setFindingContext(m_findings);
            Q_EMIT completionReady();
        });
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    m_historyButton->setText(tr("Recent"));
    m_historyButton->setToolTip(tr("Recently applied filters (Up/Down in the field)"));
    m_historyButton->setPopupMode(QToolButton::InstantPopup);
    auto* historyMenu = new QMenu(m_historyButton);
    m_historyButton->setMenu(historyMenu);
    connect(historyMenu, &QMenu::aboutToShow, this, &FilterBar::rebuildHistoryMenu);

    m_edit->setPlaceholderText(tr("Filter, e.g. verb:delete and ns:prod (Ctrl+Space completes)"));
    m_edit->setClearButtonEnabled(true);
    m_edit->installEventFilter(this);
    setFocusProxy(m_edit);

    m_savedButton->setText(tr("Saved"));
    m_savedButton->setToolTip(tr("Saved filters"));
    m_savedButton->setPopupMode(QToolButton::InstantPopup);
    auto* savedMenu = new QMenu(m_savedButton);
    m_savedButton->setMenu(savedMenu);
    connect(savedMenu, &QMenu::aboutToShow, this, &FilterBar::rebuildSavedMenu);

    m_count->setTextInteractionFlags(Qt::TextSelectableByMouse);

    layout->addWidget(m_historyButton);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_savedButton);
    layout->addWidget(m_count);

    m_debounce->setSingleShot(true);
    m_debounce->setInterval(DebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &FilterBar::validate);
    connect(m_edit, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_dirty = true;
        markError(-1, 0);
        if (text.trimmed().isEmpty())
            validate(); // nothing to wait for
        else
            m_debounce->start();
    });
    connect(m_edit, &QLineEdit::textEdited, this, [this](const QString& text) {
        m_historyPos = -1;
        const int cursor = m_edit->cursorPosition();
        if (cursor == 0 || text.at(cursor - 1).isSpace() || text.at(cursor - 1) == QLatin1Char(')'))
            m_popup->popup()->hide();
        else
            showCompletions();
    });
    connect(m_edit, &QLineEdit::returnPressed, this, [this] {
        if (!m_justCompleted)
            applyCurrent();
    });

    // Completion: the completer only shows the popup; we fill the model for the cursor and
    // insert the choice ourselves (QLineEdit's own completer would replace the whole text).
    auto* view = new QTreeView;
    view->setRootIsDecorated(false);
    view->setHeaderHidden(true);
    view->setUniformRowHeights(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_popup->setModel(m_completions);
    m_popup->setPopup(view);
    view->header()->setStretchLastSection(false);
    view->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    view->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_popup->setWidget(m_edit);
    m_popup->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
    m_popup->setMaxVisibleItems(12);
    connect(m_popup, qOverload<const QModelIndex&>(&QCompleter::activated), this,
        &FilterBar::insertCompletion);

    m_history = m_settings->value(HistoryKey).toStringList();
    setCounts(0, 0);
    setStore(nullptr);
}

FilterBar::~FilterBar() = default;

QString FilterBar::filterText() const
{
    return m_edit->text();
}

QList<std::pair<QString, QString>> FilterBar::savedFilters() const
{
    QList<std::pair<QString, QString>> out;
    const QVariantMap saved = m_settings->value(SavedKey).toMap();
    for (auto it = saved.cbegin(); it != saved.cend(); ++it)
        out.append({it.key(), it.value().toString()});
    return out;
}

void FilterBar::setStore(const EventStorePtr& store)
{
    m_completer.reset(); // value completion waits for the new store's counts
    m_builder->build(store);
    m_store = store;
    revalidatePolicyTerms();
}

void FilterBar::setPolicyContext(const PolicyQueryContextPtr& context)
{
    m_policy = context;
    if (m_completer)
        m_completer->setPolicyContext(context);
    revalidatePolicyTerms();
}

void FilterBar::setFindingContext(const FindingQueryContextPtr& context)
{
    m_findings = context;
    if (m_completer)
        m_completer->setFindingContext(context);
    // What finding: and severity select, or whether they can run, changed.
    const QByteArray utf8 = m_edit->text().toUtf8();
    if (readsFindings(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size()))))
        validate();
}

void FilterBar::setCounts(qint64 shown, qint64 total)
{
    m_count->setText(tr("%1 / %2 events").arg(locale().toString(shown), locale().toString(total)));
}

void FilterBar::setFilterText(const QString& text)
{
    m_historyPos = -1;
    m_edit->setText(text);
}

void FilterBar::applyFilter(const QString& text)
{
    setFilterText(text);
    applyCurrent();
}

void FilterBar::prepareFilter(const QString& text)
{
    setFilterText(text);
    m_edit->setFocus(Qt::OtherFocusReason);
    m_edit->setCursorPosition(static_cast<int>(text.size()));
}

void FilterBar::useFilter(const QString& text, bool apply)
{
    if (apply)
        applyFilter(text);
    else
        prepareFilter(text);
}

void FilterBar::clear()
{
    applyFilter(QString());
}

void FilterBar::saveFilter(const QString& name, const QString& expression)
{
    if (name.trimmed().isEmpty())
        return;
    QVariantMap saved = m_settings->value(SavedKey).toMap();
    saved.insert(name.trimmed(), expression);
    m_settings->setValue(SavedKey, saved);
}

void FilterBar::removeSavedFilter(const QString& name)
{
    QVariantMap saved = m_settings->value(SavedKey).toMap();
    saved.remove(name);
    m_settings->setValue(SavedKey, saved);
}

QList<std::pair<QString, qint64>> FilterBar::updateCompletions()
{
    QList<std::pair<QString, qint64>> out;
    m_completions->setRowCount(0);
    if (!m_completer)
        return out;
    const QString text = m_edit->text();
    const QByteArray utf8 = text.toUtf8();
    const auto cursor =
        static_cast<std::size_t>(text.left(m_edit->cursorPosition()).toUtf8().size());
    const Completions completions =
        m_completer->complete(std::string_view(utf8.constData(), utf8.size()), cursor, 50);
    m_replaceOffset = static_cast<std::size_t>(utf16Length(utf8, completions.replaceOffset));
    m_replaceLength = static_cast<std::size_t>(
                          utf16Length(utf8, completions.replaceOffset + completions.replaceLength))
        - m_replaceOffset;
    for (const CompletionItem& item : completions.items) {
        const QString insert = QString::fromStdString(item.text);
        auto* textItem = new QStandardItem(insert);
        textItem->setData(insert, InsertRole);
        textItem->setData(static_cast<int>(item.kind), KindRole);
        auto* countItem =
            new QStandardItem(item.count >= 0 ? locale().toString(item.count) : QString());
        countItem->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        countItem->setEnabled(true);
        m_completions->appendRow({textItem, countItem});
        out.append({insert, static_cast<qint64>(item.count)});
    }
    return out;
}

void FilterBar::showCompletions()
{
    if (updateCompletions().isEmpty()) {
        m_popup->popup()->hide();
        return;
    }
    m_popup->setCompletionPrefix(QString());
    QRect rect = m_edit->inputMethodQuery(Qt::ImCursorRectangle).toRect();
    rect.setWidth(std::max(320, m_edit->width() / 2));
    m_popup->complete(rect);
}

void FilterBar::insertCompletion(const QModelIndex& index)
{
    const QModelIndex first = index.sibling(index.row(), 0);
    QString insert = first.data(InsertRole).toString();
    const auto kind = static_cast<CompletionItem::Kind>(first.data(KindRole).toInt());
    QString text = m_edit->text();
    const auto start = static_cast<qsizetype>(std::min<std::size_t>(m_replaceOffset, text.size()));
    const qsizetype end =
        std::min<qsizetype>(start + static_cast<qsizetype>(m_replaceLength), text.size());
    const bool continues = insert.endsWith(QLatin1Char(':')) || insert.endsWith(QLatin1Char('.'));
    if (!continues && (end >= text.size() || !text.at(end).isSpace()))
        insert += QLatin1Char(' ');
    text.replace(start, end - start, insert);
    m_edit->setText(text);
    m_edit->setCursorPosition(static_cast<int>(start + insert.size()));
    // Enter picked this completion: the line edit also sees that Enter; do not apply on it.
    m_justCompleted = true;
    QTimer::singleShot(0, this, [this, continues, kind] {
        m_justCompleted = false;
        if (continues && kind == CompletionItem::Kind::Field)
            showCompletions(); // offer the field's values
    });
}

void FilterBar::validate()
{
    m_debounce->stop();
    m_dirty = false;
    const QString text = m_edit->text();
    ValidationState state = ValidationState::Valid;
    m_errorColumn = 0;
    m_errorMessage.clear();
    markError(-1, 0);
    if (text.trimmed().isEmpty()) {
        state = ValidationState::Empty;
    } else {
        const QByteArray utf8 = text.toUtf8();
        const ParseResult parsed = parseChecked(text, utf8);
        if (!parsed.ok()) {
            state = ValidationState::Invalid;
            m_errorColumn = static_cast<int>(parsed.error.column);
            m_errorMessage = tr("col %1: %2")
                                 .arg(m_errorColumn)
                                 .arg(QString::fromStdString(parsed.error.message));
            int start = utf16Length(utf8, parsed.error.offset);
            int end = start;
            while (end < text.size() && !text.at(end).isSpace())
                ++end;
            if (start >= text.size()) // "expected a value" at the end: mark the last character
                start = static_cast<int>(text.size()) - 1;
            markError(start, std::max(1, end - start));
        }
    }
    m_edit->setToolTip(m_errorMessage);
    if (state != m_state) {
        m_state = state;
        updateTint();
        Q_EMIT validationStateChanged(state);
    }
}

ParseResult FilterBar::parseChecked(const QString& text, const QByteArray& utf8) const
{
    ParseResult parsed = parseFilterText(text, utf8);
    if (!parsed.ok() || !m_store)
        return parsed;
    // What the query runner would refuse, say now: a policy term with no policy to read.
    QueryOptions options;
    options.policy = m_policy;
    options.findings = m_findings;
    const std::string_view view(utf8.constData(), static_cast<std::size_t>(utf8.size()));
    if (std::optional<QueryError> error = checkQueryContext(*parsed.query, view, *m_store, options))
        return ParseResult{std::nullopt, std::move(*error)};
    return parsed;
}

void FilterBar::revalidatePolicyTerms()
{
    const QByteArray utf8 = m_edit->text().toUtf8();
    if (readsPolicyResult(
            std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size()))))
        validate();
}

void FilterBar::applyCurrent()
{
    if (m_dirty || m_debounce->isActive())
        validate();
    m_popup->popup()->hide();
    if (m_state == ValidationState::Invalid) {
        // Keep the filter that is applied; say why this one is not.
        QToolTip::showText(
            m_edit->mapToGlobal(
                m_edit->inputMethodQuery(Qt::ImCursorRectangle).toRect().bottomLeft()),
            m_errorMessage, m_edit);
        return;
    }
    const QString text = m_edit->text().trimmed();
    if (!text.isEmpty())
        addToHistory(text);
    m_historyPos = -1;
    Q_EMIT filterRequested(text);
}

void FilterBar::updateTint()
{
    if (m_state == ValidationState::Empty) {
        m_edit->setPalette(QPalette());
        return;
    }
    QPalette palette = this->palette();
    const QColor base = palette.color(QPalette::Base);
    palette.setColor(QPalette::Base,
        blend(base, m_state == ValidationState::Valid ? validHue() : invalidHue(), 0.25));
    m_edit->setPalette(palette);
}

void FilterBar::markError(int start, int length)
{
    // QLineEdit has no API for character formats; input-method attributes are the way in
    // (positions relative to the cursor). An empty list clears the marks.
    QList<QInputMethodEvent::Attribute> attributes;
    if (start >= 0 && length > 0) {
        QTextCharFormat format;
        format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        format.setUnderlineColor(invalidHue());
        attributes.append(QInputMethodEvent::Attribute(
            QInputMethodEvent::TextFormat, start - m_edit->cursorPosition(), length, format));
    }
    QInputMethodEvent event(QString(), attributes);
    QCoreApplication::sendEvent(m_edit, &event);
}

void FilterBar::addToHistory(const QString& text)
{
    m_history.removeAll(text);
    m_history.prepend(text);
    while (m_history.size() > MaxHistory)
        m_history.removeLast();
    m_settings->setValue(HistoryKey, m_history); // off this thread: QSettings syncs to disk
}

void FilterBar::stepHistory(int step)
{
    if (m_history.isEmpty())
        return;
    if (m_historyPos == -1)
        m_draft = m_edit->text();
    const int pos = std::clamp(m_historyPos + step, -1, static_cast<int>(m_history.size()) - 1);
    if (pos == m_historyPos)
        return;
    m_edit->setText(pos == -1 ? m_draft : m_history.at(pos));
    m_historyPos = pos; // after setText: it does not count as an edit
}

void FilterBar::rebuildHistoryMenu()
{
    QMenu* menu = m_historyButton->menu();
    menu->clear();
    for (const QString& entry : std::as_const(m_history)) {
        QAction* action = menu->addAction(elided(entry));
        action->setToolTip(entry);
        connect(action, &QAction::triggered, this, [this, entry] { applyFilter(entry); });
    }
    if (m_history.isEmpty())
        menu->addAction(tr("No recent filters"))->setEnabled(false);
    menu->addSeparator();
    QAction* clearAction = menu->addAction(tr("Clear History"));
    clearAction->setEnabled(!m_history.isEmpty());
    connect(clearAction, &QAction::triggered, this, [this] {
        m_history.clear();
        m_historyPos = -1;
        m_settings->remove(HistoryKey);
    });
}

void FilterBar::rebuildSavedMenu()
{
    QMenu* menu = m_savedButton->menu();
    menu->clear();
    QAction* save = menu->addAction(tr("Save Current Filter As…"));
    save->setEnabled(m_state == ValidationState::Valid);
    connect(save, &QAction::triggered, this, &FilterBar::askToSaveFilter);
    const QList<std::pair<QString, QString>> saved = savedFilters();
    if (!saved.isEmpty())
        menu->addSeparator();
    for (const auto& [name, expression] : saved) {
        QAction* action = menu->addAction(name);
        action->setToolTip(expression);
        action->setStatusTip(expression);
        connect(action, &QAction::triggered, this, [this, e = expression] { applyFilter(e); });
    }
    if (!saved.isEmpty()) {
        menu->addSeparator();
        QMenu* remove = menu->addMenu(tr("Delete Saved Filter"));
        for (const auto& [name, expression] : saved)
            connect(remove->addAction(name), &QAction::triggered, this,
                [this, n = name] { removeSavedFilter(n); });
    }
}

void FilterBar::askToSaveFilter()
{
    const QString expression = m_edit->text().trimmed();
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save Filter"),
        tr("Name for the filter “%1”:").arg(elided(expression)), QLineEdit::Normal, QString(), &ok);
    if (ok)
        saveFilter(name, expression);
}

bool FilterBar::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_edit && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Space && (key->modifiers() & Qt::ControlModifier)) {
            showCompletions();
            return true;
        }
        if (!m_popup->popup()->isVisible() && key->modifiers() == Qt::NoModifier) {
            if (key->key() == Qt::Key_Up) {
                stepHistory(+1);
                return true;
            }
            if (key->key() == Qt::Key_Down) {
                stepHistory(-1);
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

void FilterBar::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        updateTint();
}

} // namespace auditscope
