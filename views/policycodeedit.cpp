// SPDX-License-Identifier: Apache-2.0
#include "policycodeedit.h"

#include "syntaxformats.h"

#include "yamlhighlighter.h"

#include <QFontDatabase>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QTextBlock>
#include <QToolTip>

namespace auditscope {

constexpr int IndentColumns = 2;

/// The gutter: line numbers, and a marker per line with a diagnostic.
class PolicyCodeGutter final : public QWidget
{
public:
    explicit PolicyCodeGutter(PolicyCodeEdit* editor)
        : QWidget(editor)
        , m_editor(editor)
    { }
    QSize sizeHint() const override { return {m_editor->gutterWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent* event) override { m_editor->paintGutter(event); }

private:
    PolicyCodeEdit* m_editor;
};

namespace {

int leadingSpaces(const QString& text)
{
    int n = 0;
    while (n < text.size() && text.at(n) == QLatin1Char(' '))
        ++n;
    return n;
}

const QColor ErrorColor(220, 40, 40);
const QColor WarningColor(220, 150, 0);

} // namespace

PolicyCodeEdit::PolicyCodeEdit(QWidget* parent)
    : QPlainTextEdit(parent)
    , m_gutter(new PolicyCodeGutter(this))
    , m_highlighter(new YamlHighlighter(document()))
{
    setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    setFont(mono);
    setTabChangesFocus(false);
    m_highlighter->setPalette(palette());
    connect(this, &QPlainTextEdit::blockCountChanged, this,
        [this] { setViewportMargins(gutterWidth(), 0, 0, 0); });
    connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect& rect, int dy) {
        if (dy != 0)
            m_gutter->scroll(0, dy);
        else
            m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
    });
    setViewportMargins(gutterWidth(), 0, 0, 0);
}

int PolicyCodeEdit::gutterWidth() const
{
    int digits = 1;
    for (int n = std::max(1, blockCount()); n >= 10; n /= 10)
        ++digits;
    const int marker = fontMetrics().height() / 2 + 6;
    return marker + fontMetrics().horizontalAdvance(QLatin1Char('9')) * std::max(3, digits) + 8;
}

void PolicyCodeEdit::resizeEvent(QResizeEvent* event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect r = contentsRect();
    m_gutter->setGeometry(QRect(r.left(), r.top(), gutterWidth(), r.height()));
}

void PolicyCodeEdit::changeEvent(QEvent* event)
{
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        m_highlighter->setPalette(palette());
        updateExtraSelections();
    }
}

void PolicyCodeEdit::paintGutter(QPaintEvent* event)
{
    QPainter painter(m_gutter);
    const QPalette& pal = palette();
    painter.fillRect(
        event->rect(), blendColors(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.06));
    const int current = textCursor().blockNumber();
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    const int lineHeight = fontMetrics().height();
    const int markerSize = lineHeight / 2;
    while (block.isValid() && top <= event->rect().bottom()) {
        const int height = qRound(blockBoundingRect(block).height());
        if (block.isVisible() && top + height >= event->rect().top()) {
            const int line = block.blockNumber() + 1;
            const bool inRule = m_ruleBegin > 0 && line >= m_ruleBegin && line <= m_ruleEnd;
            if (inRule) // the current event's rule: a bar along the gutter's edge
                painter.fillRect(
                    m_gutter->width() - 3, top, 3, height, pal.color(QPalette::Highlight));
            int severity = 0; // 1 warning, 2 error
            for (const EditorDiagnostic& d : m_diagnostics)
                if (d.line == line)
                    severity = std::max(severity, d.error ? 2 : 1);
            if (severity > 0) {
                painter.setRenderHint(QPainter::Antialiasing);
                painter.setPen(Qt::NoPen);
                painter.setBrush(severity == 2 ? ErrorColor : WarningColor);
                painter.drawEllipse(
                    QRect(4, top + (lineHeight - markerSize) / 2, markerSize, markerSize));
                painter.setRenderHint(QPainter::Antialiasing, false);
            }
            QFont font = this->font();
            font.setBold(block.blockNumber() == current);
            painter.setFont(font);
            painter.setPen(blendColors(pal.color(QPalette::Base), pal.color(QPalette::Text),
                block.blockNumber() == current ? 0.9 : 0.5));
            painter.drawText(
                0, top, m_gutter->width() - 8, lineHeight, Qt::AlignRight, QString::number(line));
        }
        block = block.next();
        top += height;
    }
}

QTextCursor PolicyCodeEdit::cursorAt(int line, int column) const
{
    const QTextBlock block = document()->findBlockByNumber(std::max(0, line - 1));
    QTextCursor cursor(document());
    if (!block.isValid()) {
        cursor.movePosition(QTextCursor::End);
        return cursor;
    }
    // Columns count UTF-8 bytes: map them to UTF-16 code units of this line.
    const QByteArray utf8 = block.text().toUtf8();
    const int bytes = std::clamp(column - 1, 0, int(utf8.size()));
    const int units = int(QString::fromUtf8(utf8.left(bytes)).size());
    cursor.setPosition(block.position() + units);
    return cursor;
}

QTextCursor PolicyCodeEdit::diagnosticRange(const EditorDiagnostic& d) const
{
    QTextCursor cursor = cursorAt(d.line, std::max(1, d.column));
    const QTextBlock block = cursor.block();
    const QString text = block.text();
    int start = cursor.positionInBlock();
    if (d.column <= 0) // the whole line, from its first character
        start = leadingSpaces(text);
    if (start >= text.size()) // past the end: the line's last character, or the line
        start = std::max(0, int(text.size()) - 1);
    int end = start;
    while (end < text.size() && !text.at(end).isSpace())
        ++end;
    if (end == start)
        end = std::min(int(text.size()), start + 1);
    cursor.setPosition(block.position() + start);
    cursor.setPosition(block.position() + end, QTextCursor::KeepAnchor);
    return cursor;
}

void PolicyCodeEdit::updateExtraSelections()
{
    QList<QTextEdit::ExtraSelection> selections;
    if (m_ruleBegin > 0) {
        QTextEdit::ExtraSelection rule;
        const QPalette& pal = palette();
        rule.format.setBackground(
            blendColors(pal.color(QPalette::Base), pal.color(QPalette::Highlight), 0.18));
        rule.format.setProperty(QTextFormat::FullWidthSelection, true);
        for (int line = m_ruleBegin; line <= m_ruleEnd; ++line) {
            const QTextBlock block = document()->findBlockByNumber(line - 1);
            if (!block.isValid())
                break;
            rule.cursor = QTextCursor(block);
            selections.append(rule);
        }
    }
    // Warnings first: a later selection paints over an earlier one, and where a warning and an
    // error share a span (a rule's invalid level is also what lint warns about) the error shows.
    for (const bool errors : {false, true}) {
        for (const EditorDiagnostic& d : std::as_const(m_diagnostics)) {
            if (d.line <= 0 || d.error != errors)
                continue;
            QTextEdit::ExtraSelection squiggle;
            squiggle.cursor = diagnosticRange(d);
            squiggle.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
            squiggle.format.setUnderlineColor(d.error ? ErrorColor : WarningColor);
            squiggle.format.setToolTip(d.message);
            selections.append(squiggle);
        }
    }
    setExtraSelections(selections);
    m_gutter->update();
}

void PolicyCodeEdit::setDiagnostics(const QList<EditorDiagnostic>& diagnostics)
{
    m_diagnostics = diagnostics;
    updateExtraSelections();
}

void PolicyCodeEdit::setHighlightedLines(int beginLine, int endLine)
{
    if (beginLine <= 0)
        beginLine = endLine = 0;
    if (beginLine == m_ruleBegin && endLine == m_ruleEnd)
        return;
    m_ruleBegin = beginLine;
    m_ruleEnd = std::max(beginLine, endLine);
    updateExtraSelections();
}

void PolicyCodeEdit::goTo(int line, int column)
{
    setTextCursor(cursorAt(line, column));
    centerCursor();
    setFocus();
}

void PolicyCodeEdit::showLines(int first, int last)
{
    // QPlainTextEdit scrolls by lines (blocks, without wrapping).
    QScrollBar* bar = verticalScrollBar();
    const int visible = std::max(1, viewport()->height() / std::max(1, fontMetrics().height()));
    const int top = bar->value(); // the first visible line, 0-based
    if (first - 1 >= top && last <= top + visible - 1)
        return; // already in sight
    bar->setValue(std::max(0, first - 1 - std::max(0, (visible - (last - first + 1)) / 3)));
}

QString PolicyCodeEdit::diagnosticsAt(int position) const
{
    QStringList messages;
    for (const EditorDiagnostic& d : m_diagnostics) {
        if (d.line <= 0)
            continue;
        const QTextCursor range = diagnosticRange(d);
        if (position >= range.selectionStart() && position <= range.selectionEnd())
            messages << d.message;
    }
    return messages.join(QLatin1Char('\n'));
}

bool PolicyCodeEdit::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QPoint inViewport = viewport()->mapFrom(this, help->pos());
        QString text;
        if (inViewport.x() >= 0) {
            text = diagnosticsAt(cursorForPosition(inViewport).position());
        } else { // over the gutter: every message of the line
            const int line = cursorForPosition(QPoint(0, inViewport.y())).blockNumber() + 1;
            QStringList messages;
            for (const EditorDiagnostic& d : std::as_const(m_diagnostics))
                if (d.line == line)
                    messages << d.message;
            text = messages.join(QLatin1Char('\n'));
        }
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QPlainTextEdit::event(event);
}

void PolicyCodeEdit::keyPressEvent(QKeyEvent* event)
{
    if (isReadOnly()) {
        QPlainTextEdit::keyPressEvent(event);
        return;
    }
    const bool plain = !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier));
    if (event->key() == Qt::Key_Backtab && plain) {
        indentSelection(true);
        return;
    }
    if (event->key() == Qt::Key_Tab && plain && !(event->modifiers() & Qt::ShiftModifier)) {
        if (textCursor().hasSelection())
            indentSelection(false);
        else
            insertPlainText(QString(
                IndentColumns - textCursor().positionInBlock() % IndentColumns, QLatin1Char(' ')));
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && plain
        && !(event->modifiers() & Qt::ShiftModifier)) {
        newLine();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

// Enter: the same indentation; after `key:` one level deeper; after `- key: value` aligned with
// the item's mapping (the next key of the same rule).
void PolicyCodeEdit::newLine()
{
    QTextCursor cursor = textCursor();
    const QString line = cursor.block().text().left(cursor.positionInBlock());
    int indent = leadingSpaces(line);
    const QString trimmed = line.trimmed();
    if (trimmed.startsWith(QLatin1String("- ")) && trimmed.size() > 2)
        indent += 2;
    if (trimmed.endsWith(QLatin1Char(':')))
        indent += IndentColumns;
    cursor.beginEditBlock();
    cursor.insertText(QLatin1Char('\n') + QString(indent, QLatin1Char(' ')));
    cursor.endEditBlock();
    setTextCursor(cursor);
    ensureCursorVisible();
}

void PolicyCodeEdit::indentSelection(bool dedent)
{
    QTextCursor cursor = textCursor();
    const int startBlock = document()->findBlock(cursor.selectionStart()).blockNumber();
    int endBlock = document()->findBlock(cursor.selectionEnd()).blockNumber();
    if (cursor.hasSelection() && endBlock > startBlock
        && document()->findBlock(cursor.selectionEnd()).position() == cursor.selectionEnd())
        --endBlock; // a selection ending at a line's start does not include that line
    cursor.beginEditBlock();
    for (int b = startBlock; b <= endBlock; ++b) {
        const QTextBlock block = document()->findBlockByNumber(b);
        QTextCursor line(block);
        if (dedent) {
            const int remove = std::min(IndentColumns, leadingSpaces(block.text()));
            line.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor, remove);
            line.removeSelectedText();
        } else if (!block.text().trimmed().isEmpty()) {
            line.insertText(QString(IndentColumns, QLatin1Char(' ')));
        }
    }
    cursor.endEditBlock();
}

} // namespace auditscope
