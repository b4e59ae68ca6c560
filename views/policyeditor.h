// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policydocument.h"
#include "policy/policyeditorevaluation.h"

#include <QList>
#include <QString>
#include <QWidget>

class QFrame;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QTabWidget;

namespace auditscope {

class PolicyCodeEdit;

/// The policy editor panel: one tab per open policy (a PolicyCodeEdit with its PolicyDocument,
/// autosaved while modified), the current tab being the active policy the log is matched
/// against; a find bar; a status line saying whether kube-apiserver would load the active
/// policy; and a problems list (click: jump to the place). When autosaves of an earlier
/// session are left, an info bar offers to restore them (never a modal dialog). It shows the
/// results of evaluations run elsewhere (showResult); it evaluates nothing itself.
class PolicyEditor final : public QWidget
{
    Q_OBJECT

public:
    explicit PolicyEditor(QWidget* parent = nullptr);
    ~PolicyEditor() override;

    /// Opens a policy file in a new tab (or shows its tab). False with `error` set on failure.
    bool openFile(const QString& path, QString* error = nullptr);
    /// A new untitled policy holding `text` (modified unless empty), in a new tab.
    void newDocument(const QString& text, const QString& title = {});
    /// Restores an autosave into a new tab.
    bool restoreAutosave(const PolicyAutosave& autosave, QString* error = nullptr);
    /// Saves the active policy (asks for a path when untitled); false when not saved.
    bool save();
    /// Saves the active policy under a path asked for with a file dialog.
    bool saveAs();
    /// Saves the active policy to `path`.
    bool saveAs(const QString& path, QString* error = nullptr);
    /// Closes tab `index` at once (its autosave is discarded: closing is a decision).
    void closeTab(int index);
    /// Closes tab `index` after asking whether to save its unsaved edits (Save, Discard,
    /// Cancel); false when it stays open. The tabs' close buttons call it.
    bool requestCloseTab(int index);
    /// Asks once about every policy with unsaved edits before the window closes (Save All,
    /// Discard, Cancel). False when the user cancelled or a save failed; Discard deletes their
    /// autosaves (a decision, not a crash).
    bool confirmClose();
    /// Policies with unsaved edits.
    int modifiedCount() const;

    int documentCount() const;
    PolicyCodeEdit* activeEditor() const;
    PolicyDocument* activeDocument() const;
    PolicyCodeEdit* editorAt(int index) const;
    PolicyDocument* documentAt(int index) const;
    QTabWidget* tabs() const { return m_tabs; }
    /// The text of the active policy (empty without one).
    QString activeText() const;

    /// Inserts a rule snippet (kind RuleSnippet) before the rule at the cursor, indented like
    /// the policy's rules, or a top-level snippet before `rules:`.
    void insertSnippet(const QString& snippet, bool topLevel);

    /// Autosave interval for every document (ms; default 30 s).
    void setAutosaveInterval(int ms);
    /// Looks for autosaves left by an earlier session; shows the info bar when there are some.
    /// Returns how many there are.
    int checkRecoverable();
    bool recoveryOffered() const;
    /// Restores every offered autosave (the info bar's Restore button).
    void restoreOffered();
    /// Deletes every offered autosave (the info bar's Discard button).
    void discardOffered();

    /// Shows an evaluation of the active policy: diagnostics, status line, problems.
    void showResult(const PolicyEvaluationResultPtr& result);
    /// Says that an evaluation of the active text is on its way.
    void showChecking();
    /// Marks rule `rule` of the shown result in the active editor (-1: none).
    void highlightRule(int rule);
    /// Moves the cursor to rule `rule` of the shown result.
    void goToRule(int rule);
    QString statusText() const;
    QListWidget* problemsList() const { return m_problems; }

    /// Opens the find bar with the selection (or the last search).
    void showFindBar();
    /// Finds the next (or previous) occurrence of the find bar's text; false when none.
    bool findNext(bool backward = false);
    QLineEdit* findField() const { return m_findField; }

Q_SIGNALS:
    /// The active policy's text changed, or another tab became active (empty: none open).
    void activeTextChanged(const QString& text);
    /// A document was opened, restored, saved or closed, or the tabs were reordered.
    void documentsChanged();

private:
    PolicyCodeEdit* addTab(PolicyDocument* document);
    void updateTabTitle(int index);
    void activeChanged();
    void jumpToProblem(QListWidgetItem* item);
    /// Saves the policy of `editor` before closing; a failure (not a cancelled dialog) is
    /// shown in a message box, since the dock may be hidden.
    bool saveForClosing(PolicyCodeEdit* editor);

    QFrame* m_infoBar;
    QLabel* m_infoText;
    QTabWidget* m_tabs;
    QFrame* m_findBar;
    QLineEdit* m_findField;
    QLabel* m_status;
    QListWidget* m_problems;
    QList<PolicyAutosave> m_offered;
    PolicyEvaluationResultPtr m_result;
    int m_autosaveMs = 30000;
    QString m_lastSaveError; ///< why the last save failed (empty: it did not, or was cancelled)
};

} // namespace auditscope
