// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QPlainTextEdit>
#include <QString>

namespace auditscope {

class YamlHighlighter;

/// A problem to show in the policy text: 1-based line and column (columns count UTF-8 bytes,
/// as the policy reader reports them; 0 = the whole line / not tied to a place).
struct EditorDiagnostic
{
    int line = 0;
    int column = 0;
    bool error = true; ///< else a warning
    QString message;
};

/// The YAML text of one audit policy: line numbers and error/warning markers in a gutter, YAML
/// highlighting, wavy underlines at each diagnostic with its message as a tooltip, a background
/// band over the rule that decides the current event, and indentation help (Tab inserts two
/// spaces or indents the selected lines, Shift+Tab dedents, Enter keeps the indentation and
/// continues a list item's mapping). Undo/redo are QPlainTextEdit's.
class PolicyCodeEdit final : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit PolicyCodeEdit(QWidget* parent = nullptr);

    /// Underlines and marks these problems (replaces the previous ones).
    void setDiagnostics(const QList<EditorDiagnostic>& diagnostics);
    const QList<EditorDiagnostic>& diagnostics() const { return m_diagnostics; }
    /// Marks lines [beginLine, endLine] (1-based, inclusive) as the current event's rule; 0 to
    /// clear.
    void setHighlightedLines(int beginLine, int endLine);
    int highlightedBeginLine() const { return m_ruleBegin; }
    int highlightedEndLine() const { return m_ruleEnd; }
    /// Scrolls (without moving the cursor) so that lines [first, last] are in sight.
    void showLines(int first, int last);
    /// Puts the cursor at `line`:`column` (1-based, column in UTF-8 bytes) and shows it.
    void goTo(int line, int column = 1);
    /// The text cursor for `line`:`column` (column in UTF-8 bytes of that line).
    QTextCursor cursorAt(int line, int column) const;
    /// The diagnostics' messages at a document position, joined by newlines.
    QString diagnosticsAt(int position) const;
    int gutterWidth() const;

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool event(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    friend class PolicyCodeGutter;
    void paintGutter(QPaintEvent* event);
    void updateExtraSelections();
    void indentSelection(bool dedent);
    void newLine();
    /// The range a diagnostic underlines: from its column to the end of the word there.
    QTextCursor diagnosticRange(const EditorDiagnostic& diagnostic) const;

    QWidget* m_gutter;
    YamlHighlighter* m_highlighter;
    QList<EditorDiagnostic> m_diagnostics;
    int m_ruleBegin = 0, m_ruleEnd = 0;
};

} // namespace auditscope
