// SPDX-License-Identifier: Apache-2.0
#include "policyeditor.h"

#include "policy/policytemplates.h"
#include "policycodeedit.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QTextBlock>
#include <QToolButton>
#include <QVBoxLayout>

namespace auditscope {

namespace {

constexpr int LineRole = Qt::UserRole + 1;
constexpr int ColumnRole = Qt::UserRole + 2;

int leadingSpaces(const QString& text)
{
    int n = 0;
    while (n < text.size() && text.at(n) == QLatin1Char(' '))
        ++n;
    return n;
}

bool isListItem(const QString& line)
{
    const QString trimmed = line.trimmed();
    return trimmed == QLatin1String("-") || trimmed.startsWith(QLatin1String("- "));
}

} // namespace

PolicyEditor::PolicyEditor(QWidget* parent)
    : QWidget(parent)
    , m_infoBar(new QFrame)
    , m_infoText(new QLabel)
    , m_tabs(new QTabWidget)
    , m_findBar(new QFrame)
    , m_findField(new QLineEdit)
    , m_status(new QLabel)
    , m_problems(new QListWidget)
{
    // Info bar: autosaves of an earlier session to restore.
    m_infoBar->setFrameShape(QFrame::StyledPanel);
    m_infoBar->setAutoFillBackground(true);
    QPalette infoPalette = m_infoBar->palette();
    infoPalette.setColor(QPalette::Window, QColor(255, 244, 200));
    infoPalette.setColor(QPalette::WindowText, QColor(60, 45, 0));
    m_infoBar->setPalette(infoPalette);
    auto* infoLayout = new QHBoxLayout(m_infoBar);
    infoLayout->setContentsMargins(6, 3, 6, 3);
    m_infoText->setWordWrap(true);
    infoLayout->addWidget(m_infoText, 1);
    auto* restore = new QPushButton(tr("Restore"));
    auto* discard = new QPushButton(tr("Discard"));
    restore->setObjectName(QStringLiteral("restoreAutosaves"));
    discard->setObjectName(QStringLiteral("discardAutosaves"));
    infoLayout->addWidget(restore);
    infoLayout->addWidget(discard);
    connect(restore, &QPushButton::clicked, this, &PolicyEditor::restoreOffered);
    connect(discard, &QPushButton::clicked, this, &PolicyEditor::discardOffered);
    m_infoBar->hide();

    // Find bar.
    auto* findLayout = new QHBoxLayout(m_findBar);
    findLayout->setContentsMargins(0, 0, 0, 0);
    m_findField->setPlaceholderText(tr("Find in policy"));
    m_findField->setClearButtonEnabled(true);
    auto* previous = new QToolButton;
    previous->setText(tr("Previous"));
    auto* next = new QToolButton;
    next->setText(tr("Next"));
    auto* close = new QToolButton;
    close->setText(tr("Close"));
    findLayout->addWidget(m_findField, 1);
    findLayout->addWidget(previous);
    findLayout->addWidget(next);
    findLayout->addWidget(close);
    m_findBar->hide();
    connect(m_findField, &QLineEdit::returnPressed, this, [this] { findNext(false); });
    connect(next, &QToolButton::clicked, this, [this] { findNext(false); });
    connect(previous, &QToolButton::clicked, this, [this] { findNext(true); });
    connect(close, &QToolButton::clicked, this, [this] {
        m_findBar->hide();
        if (PolicyCodeEdit* editor = activeEditor())
            editor->setFocus();
    });
    auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), m_findField);
    escape->setContext(Qt::WidgetShortcut);
    connect(escape, &QShortcut::activated, close, &QToolButton::click);
    // The window's Ctrl+F is the filter bar: the editor's find has its own keys.
    auto* find = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F), this);
    find->setContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, &PolicyEditor::showFindBar);
    auto* findAgain = new QShortcut(QKeySequence(Qt::Key_F3), this);
    findAgain->setContext(Qt::WidgetWithChildrenShortcut);
    connect(findAgain, &QShortcut::activated, this, [this] { findNext(false); });
    auto* findBack = new QShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F3), this);
    findBack->setContext(Qt::WidgetWithChildrenShortcut);
    connect(findBack, &QShortcut::activated, this, [this] { findNext(true); });

    m_tabs->setTabsClosable(true);
    m_tabs->setDocumentMode(true);
    m_tabs->setMovable(true);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &PolicyEditor::requestCloseTab);
    connect(m_tabs, &QTabWidget::currentChanged, this, &PolicyEditor::activeChanged);
    // Tab numbers name policies elsewhere (the impact's "compared with" list).
    connect(m_tabs->tabBar(), &QTabBar::tabMoved, this, &PolicyEditor::documentsChanged);

    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problems->setUniformItemSizes(true);
    m_problems->setWordWrap(false);
    connect(m_problems, &QListWidget::itemActivated, this, &PolicyEditor::jumpToProblem);
    connect(m_problems, &QListWidget::itemClicked, this, &PolicyEditor::jumpToProblem);

    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->setSpacing(2);
    topLayout->addWidget(m_infoBar);
    topLayout->addWidget(m_tabs, 1);
    topLayout->addWidget(m_findBar);
    topLayout->addWidget(m_status);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(top);
    splitter->addWidget(m_problems);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({400, 110}); // the text gets the room; proportions hold when resized
    splitter->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(splitter);
    showResult(nullptr);
}

PolicyEditor::~PolicyEditor() = default;

int PolicyEditor::documentCount() const
{
    return m_tabs->count();
}

PolicyCodeEdit* PolicyEditor::editorAt(int index) const
{
    return qobject_cast<PolicyCodeEdit*>(m_tabs->widget(index));
}

PolicyDocument* PolicyEditor::documentAt(int index) const
{
    PolicyCodeEdit* editor = editorAt(index);
    return editor ? editor->findChild<PolicyDocument*>(QString(), Qt::FindDirectChildrenOnly)
                  : nullptr;
}

PolicyCodeEdit* PolicyEditor::activeEditor() const
{
    return editorAt(m_tabs->currentIndex());
}

PolicyDocument* PolicyEditor::activeDocument() const
{
    return documentAt(m_tabs->currentIndex());
}

QString PolicyEditor::activeText() const
{
    const PolicyDocument* document = activeDocument();
    return document ? document->text() : QString();
}

PolicyCodeEdit* PolicyEditor::addTab(PolicyDocument* document)
{
    auto* editor = new PolicyCodeEdit;
    document->setParent(editor); // the tab owns its document
    editor->setPlainText(document->text());
    document->setAutosaveInterval(m_autosaveMs);
    connect(editor, &QPlainTextEdit::textChanged, document,
        [document, editor] { document->setText(editor->toPlainText()); });
    connect(document, &PolicyDocument::textChanged, this, [this, editor] {
        if (editor == activeEditor())
            Q_EMIT activeTextChanged(activeText());
    });
    auto title = [this, editor] { updateTabTitle(m_tabs->indexOf(editor)); };
    connect(document, &PolicyDocument::modifiedChanged, this, title);
    connect(document, &PolicyDocument::pathChanged, this, title);
    connect(document, &PolicyDocument::saved, this, &PolicyEditor::documentsChanged);
    const int index = m_tabs->addTab(editor, document->displayName());
    updateTabTitle(index);
    m_tabs->setCurrentIndex(index); // emits activeTextChanged through activeChanged()
    Q_EMIT documentsChanged();
    return editor;
}

void PolicyEditor::updateTabTitle(int index)
{
    const PolicyDocument* document = documentAt(index);
    if (!document)
        return;
    m_tabs->setTabText(index,
        document->displayName() + (document->isModified() ? QStringLiteral(" •") : QString()));
    m_tabs->setTabToolTip(
        index, document->isUntitled() ? document->displayName() : document->path());
}

bool PolicyEditor::openFile(const QString& path, QString* error)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    for (int i = 0; i < m_tabs->count(); ++i)
        if (QFileInfo(documentAt(i)->path()).absoluteFilePath() == absolute
            && !documentAt(i)->isUntitled()) {
            m_tabs->setCurrentIndex(i);
            return true;
        }
    auto document = std::make_unique<PolicyDocument>();
    if (!document->open(path, error))
        return false;
    addTab(document.release());
    return true;
}

void PolicyEditor::newDocument(const QString& text, const QString& title)
{
    auto* document = new PolicyDocument;
    document->newDocument(text);
    PolicyCodeEdit* editor = addTab(document);
    if (!title.isEmpty())
        m_tabs->setTabToolTip(m_tabs->indexOf(editor), title);
}

bool PolicyEditor::restoreAutosave(const PolicyAutosave& autosave, QString* error)
{
    auto document = std::make_unique<PolicyDocument>();
    if (!document->restore(autosave, error))
        return false;
    addTab(document.release());
    return true;
}

bool PolicyEditor::save()
{
    PolicyDocument* document = activeDocument();
    if (!document)
        return false;
    if (document->isUntitled())
        return saveAs();
    QString error;
    if (!document->save(&error)) {
        m_lastSaveError = error;
        m_status->setText(tr("Not saved: %1").arg(error));
        return false;
    }
    return true;
}

bool PolicyEditor::saveAs()
{
    if (!activeDocument())
        return false;
    const QString path = QFileDialog::getSaveFileName(this, tr("Save policy"),
        activeDocument()->isUntitled() ? QStringLiteral("audit-policy.yaml")
                                       : activeDocument()->path(),
        tr("Audit policies (*.yaml *.yml *.json);;All files (*)"));
    if (path.isEmpty())
        return false;
    QString error;
    if (!saveAs(path, &error)) {
        m_lastSaveError = error;
        m_status->setText(tr("Not saved: %1").arg(error));
        return false;
    }
    return true;
}

bool PolicyEditor::saveAs(const QString& path, QString* error)
{
    PolicyDocument* document = activeDocument();
    return document && document->saveAs(path, error);
}

bool PolicyEditor::saveForClosing(PolicyCodeEdit* editor)
{
    m_tabs->setCurrentWidget(editor); // save() saves the active policy
    m_lastSaveError.clear();
    if (save())
        return true;
    if (!m_lastSaveError.isEmpty()) // not a cancelled file dialog: say why it stays open
        QMessageBox::warning(this, tr("Policy not saved"),
            tr("%1 was not saved: %2")
                .arg(documentAt(m_tabs->indexOf(editor))->displayName(), m_lastSaveError));
    return false;
}

bool PolicyEditor::requestCloseTab(int index)
{
    PolicyDocument* document = documentAt(index);
    if (!document)
        return false;
    // The dialog runs an event loop: hold the tab by pointer, not by index.
    const QPointer<PolicyCodeEdit> editor = editorAt(index);
    if (document->isModified()) {
        m_tabs->setCurrentIndex(index); // show what is asked about
        QMessageBox box(QMessageBox::Warning, tr("Unsaved policy"),
            tr("Save the changes to %1 before closing it?").arg(document->displayName()),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
        box.setObjectName(QStringLiteral("unsavedPolicy"));
        box.setDefaultButton(QMessageBox::Save);
        const int answer = box.exec();
        if (!editor || answer == QMessageBox::Cancel
            || (answer == QMessageBox::Save && !saveForClosing(editor)))
            return false;
    }
    closeTab(m_tabs->indexOf(editor));
    return true;
}

int PolicyEditor::modifiedCount() const
{
    int n = 0;
    for (int i = 0; i < documentCount(); ++i)
        n += documentAt(i)->isModified() ? 1 : 0;
    return n;
}

bool PolicyEditor::confirmClose()
{
    QList<QPointer<PolicyCodeEdit>> modified;
    QStringList names;
    for (int i = 0; i < documentCount(); ++i)
        if (documentAt(i)->isModified()) {
            modified << editorAt(i);
            names << documentAt(i)->displayName();
        }
    if (modified.isEmpty())
        return true;
    const bool one = modified.size() == 1;
    QMessageBox box(QMessageBox::Warning, tr("Unsaved policies"),
        one ? tr("%1 has unsaved changes. Save them before closing?").arg(names.front())
            : tr("%1 policies have unsaved changes: %2. Save them before closing?")
                  .arg(modified.size())
                  .arg(names.join(QStringLiteral(", "))),
        (one ? QMessageBox::Save : QMessageBox::SaveAll) | QMessageBox::Discard
            | QMessageBox::Cancel,
        this);
    box.setObjectName(QStringLiteral("unsavedPolicies"));
    box.setDefaultButton(one ? QMessageBox::Save : QMessageBox::SaveAll);
    const int answer = box.exec();
    if (answer == QMessageBox::Cancel)
        return false;
    for (const QPointer<PolicyCodeEdit>& editor : std::as_const(modified)) {
        PolicyDocument* document = editor ? documentAt(m_tabs->indexOf(editor)) : nullptr;
        if (!document || !document->isModified())
            continue;
        if (answer == QMessageBox::Discard) {
            // A decision, not a crash: no autosave now, and none written before the window goes.
            document->setAutosaveInterval(0);
            document->discardAutosave();
        } else if (!saveForClosing(editor)) {
            return false; // the file dialog was cancelled or the write failed: stay open
        }
    }
    return true;
}

void PolicyEditor::closeTab(int index)
{
    PolicyCodeEdit* editor = editorAt(index);
    if (!editor)
        return;
    if (PolicyDocument* document = documentAt(index))
        document->discardAutosave();
    m_tabs->removeTab(index);
    editor->deleteLater();
    if (m_tabs->count() == 0)
        activeChanged();
    Q_EMIT documentsChanged();
}

void PolicyEditor::activeChanged()
{
    m_result.reset(); // the shown result was for another text
    for (int i = 0; i < m_tabs->count(); ++i)
        if (i != m_tabs->currentIndex()) // only the active policy is matched: no stale marks
            editorAt(i)->setHighlightedLines(0, 0);
    showChecking();
    Q_EMIT activeTextChanged(activeText());
}

void PolicyEditor::setAutosaveInterval(int ms)
{
    m_autosaveMs = ms;
    for (int i = 0; i < m_tabs->count(); ++i)
        documentAt(i)->setAutosaveInterval(ms);
}

int PolicyEditor::checkRecoverable()
{
    m_offered.clear();
    for (const PolicyAutosave& autosave : PolicyDocument::recoverableAutosaves())
        if (!autosave.ownerRunning)
            m_offered.append(autosave);
    if (m_offered.isEmpty()) {
        m_infoBar->hide();
        return 0;
    }
    QStringList names;
    for (const PolicyAutosave& autosave : std::as_const(m_offered))
        names << (autosave.originalPath.isEmpty() ? tr("an untitled policy")
                                                  : QFileInfo(autosave.originalPath).fileName());
    m_infoText->setText(
        tr("Unsaved policy edits from an earlier session were kept (%1, %2). "
           "Restore them?")
            .arg(names.join(QStringLiteral(", ")),
                QLocale().toString(m_offered.front().savedAt.toLocalTime(), QLocale::ShortFormat)));
    m_infoBar->show();
    return int(m_offered.size());
}

bool PolicyEditor::recoveryOffered() const
{
    return !m_offered.isEmpty();
}

void PolicyEditor::restoreOffered()
{
    const QList<PolicyAutosave> offered = std::exchange(m_offered, {});
    QStringList failures;
    for (const PolicyAutosave& autosave : offered) {
        QString error;
        if (!restoreAutosave(autosave, &error))
            failures << error;
    }
    m_infoBar->setVisible(!failures.isEmpty());
    m_infoText->setText(tr("Not restored: %1").arg(failures.join(QStringLiteral("; "))));
}

void PolicyEditor::discardOffered()
{
    for (const PolicyAutosave& autosave : std::as_const(m_offered))
        PolicyDocument::discardAutosave(autosave);
    m_offered.clear();
    m_infoBar->hide();
}

void PolicyEditor::showChecking()
{
    if (m_tabs->count() == 0) {
        m_status->setText(tr("No policy open: File ▸ Open Policy… or New Policy from Template"));
        m_problems->clear();
        return;
    }
    m_status->setText(tr("Checking…"));
}

void PolicyEditor::showResult(const PolicyEvaluationResultPtr& result)
{
    m_result = result;
    PolicyCodeEdit* editor = activeEditor();
    m_problems->clear();
    if (!result || !editor) {
        if (editor)
            editor->setDiagnostics({});
        showChecking();
        return;
    }
    QList<EditorDiagnostic> diagnostics;
    int errors = 0, warnings = 0;
    for (const PolicyDiagnostic& d : result->diagnostics()) {
        EditorDiagnostic e;
        e.line = d.line;
        e.column = d.column;
        e.error = d.severity == PolicyDiagnostic::Severity::Error;
        e.message = QString::fromStdString(d.message);
        if (!d.fieldPath.empty())
            e.message += QStringLiteral(" (%1)").arg(QString::fromStdString(d.fieldPath));
        (e.error ? errors : warnings) += 1;
        diagnostics.append(e);
        auto* item = new QListWidgetItem(
            (d.line > 0 ? QStringLiteral("%1:%2  ").arg(d.line).arg(d.column) : QString())
            + (e.error ? tr("Error: ") : tr("Warning: ")) + e.message);
        item->setData(LineRole, d.line);
        item->setData(ColumnRole, d.column);
        item->setForeground(e.error ? QColor(190, 30, 30) : QColor(150, 100, 0));
        item->setToolTip(e.message);
        m_problems->addItem(item);
    }
    editor->setDiagnostics(diagnostics);
    const QLocale locale;
    QString text;
    const int rules = int(result->load.policy.rules.size());
    if (result->load.loadable)
        text = tr("✔ kube-apiserver would load this policy: %n rule(s)", nullptr, rules);
    else if (!result->load.decoded)
        text = tr("✘ kube-apiserver would not start with this file: it does not decode");
    else
        text = tr("✘ kube-apiserver would refuse this policy");
    if (errors > 0)
        text += tr(" · %n error(s)", nullptr, errors);
    if (warnings > 0)
        text += tr(" · %n warning(s)", nullptr, warnings);
    if (result->store)
        text += tr(" · matched in %1 ms").arg(locale.toString(result->timings.totalMs, 'f', 1));
    m_status->setText(text);
    m_status->setToolTip(result->load.loadable
            ? tr("No error: the API server accepts this file as --audit-policy-file")
            : tr("The API server refuses to start with this file; see the problems below"));
}

void PolicyEditor::highlightRule(int rule)
{
    PolicyCodeEdit* editor = activeEditor();
    if (!editor)
        return;
    if (!m_result || rule < 0 || std::size_t(rule) >= m_result->outline.rules.size()) {
        editor->setHighlightedLines(0, 0);
        return;
    }
    const SourceSpan& span = m_result->outline.rules[std::size_t(rule)].span;
    if (!span.valid()) {
        editor->setHighlightedLines(0, 0);
        return;
    }
    // The end is exclusive: a span ending at column 1 ends on the line before.
    const int last =
        std::max(span.begin.line, span.end.column <= 1 ? span.end.line - 1 : span.end.line);
    editor->setHighlightedLines(span.begin.line, last);
    if (!editor->hasFocus()) // while the user types, the text does not move under the cursor
        editor->showLines(span.begin.line, last);
}

void PolicyEditor::goToRule(int rule)
{
    PolicyCodeEdit* editor = activeEditor();
    if (!editor || !m_result || rule < 0 || std::size_t(rule) >= m_result->outline.rules.size())
        return;
    const PolicyRuleOutline& outline = m_result->outline.rules[std::size_t(rule)];
    const SourcePos pos = outline.span.valid() ? outline.span.begin : outline.pos;
    if (pos.line > 0)
        editor->goTo(pos.line, pos.column);
    highlightRule(rule);
}

QString PolicyEditor::statusText() const
{
    return m_status->text();
}

void PolicyEditor::jumpToProblem(QListWidgetItem* item)
{
    PolicyCodeEdit* editor = activeEditor();
    const int line = item ? item->data(LineRole).toInt() : 0;
    if (editor && line > 0)
        editor->goTo(line, std::max(1, item->data(ColumnRole).toInt()));
}

void PolicyEditor::showFindBar()
{
    if (PolicyCodeEdit* editor = activeEditor(); editor && editor->textCursor().hasSelection())
        m_findField->setText(editor->textCursor().selectedText());
    m_findBar->show();
    m_findField->setFocus();
    m_findField->selectAll();
}

bool PolicyEditor::findNext(bool backward)
{
    PolicyCodeEdit* editor = activeEditor();
    if (!editor || m_findField->text().isEmpty())
        return false;
    const QTextDocument::FindFlags flags =
        backward ? QTextDocument::FindBackward : QTextDocument::FindFlags();
    if (editor->find(m_findField->text(), flags))
        return true;
    // Wrap around.
    QTextCursor cursor = editor->textCursor();
    cursor.movePosition(backward ? QTextCursor::End : QTextCursor::Start);
    editor->setTextCursor(cursor);
    return editor->find(m_findField->text(), flags);
}

void PolicyEditor::insertSnippet(const QString& snippet, bool topLevel)
{
    PolicyCodeEdit* editor = activeEditor();
    if (!editor)
        return;
    QTextDocument* document = editor->document();
    // Where `rules:` is, and how its items are indented.
    int rulesLine = -1, itemIndent = 0;
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        const QString text = block.text();
        if (rulesLine < 0 && leadingSpaces(text) == 0 && text.startsWith(QLatin1String("rules:"))) {
            rulesLine = block.blockNumber();
            continue;
        }
        if (rulesLine >= 0 && isListItem(text)) {
            itemIndent = leadingSpaces(text);
            break;
        }
    }
    QTextCursor cursor = editor->textCursor();
    QString text;
    if (topLevel || rulesLine < 0) {
        text = indentedSnippet(snippet, 0);
        if (rulesLine >= 0)
            cursor = QTextCursor(document->findBlockByNumber(rulesLine));
        else
            cursor.movePosition(QTextCursor::End);
        if (rulesLine < 0 && !topLevel)
            text = QStringLiteral("rules:\n") + indentedSnippet(snippet, 0);
    } else {
        text = indentedSnippet(snippet, itemIndent);
        // Before the rule the cursor is in; after `rules:` when the cursor is above it.
        QTextBlock block = cursor.block();
        if (block.blockNumber() <= rulesLine) {
            block = document->findBlockByNumber(rulesLine).next();
        } else {
            QTextBlock at = block;
            while (at.isValid() && at.blockNumber() > rulesLine
                && !(isListItem(at.text()) && leadingSpaces(at.text()) == itemIndent))
                at = at.previous();
            block =
                at.blockNumber() > rulesLine ? at : document->findBlockByNumber(rulesLine).next();
        }
        if (block.isValid()) {
            cursor = QTextCursor(block);
        } else { // `rules:` is the last line
            cursor.movePosition(QTextCursor::End);
            text.prepend(QLatin1Char('\n'));
        }
    }
    cursor.beginEditBlock();
    cursor.insertText(text);
    cursor.endEditBlock();
    editor->setTextCursor(cursor);
    editor->setFocus();
}

} // namespace auditscope
