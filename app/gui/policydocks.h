// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "windowparts.h"

#include "policy/policyeditorevaluation.h"
#include "store/eventstore.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>

class QDockWidget;
class QMenu;

namespace auditscope {

class PolicyDocument;
class PolicyEditor;
class PolicyRulesPanel;

/// The policy editor in the window: the Policy dock (editor tabs, problems, load status) and
/// the Rules dock (outline, why-not explanation, impact and what it is compared with), and the
/// Policy menu. The active policy's text goes to the investigation, which evaluates it over the
/// snapshot; each result shows here, in the table's Rule and Policy level columns and in the
/// filter's rule:, policylevel: and emitted: terms.
class PolicyDocks final : public QObject
{
    Q_OBJECT

public:
    /// `bottomNeighbour`: the dock the Rules dock shares a tab with (the timeline).
    PolicyDocks(const WindowParts& parts, QDockWidget* bottomNeighbour);

    PolicyEditor* editor() const { return m_editor; }
    PolicyRulesPanel* rules() const { return m_rules; }
    QDockWidget* policyDock() const { return m_policyDock; }
    QDockWidget* rulesDock() const { return m_rulesDock; }

    /// Adds Open Policy, New Policy from Template, Save to `file`, and the Policy menu.
    void createMenus(QMenu* file);
    /// Opens an audit policy in the editor; it becomes the active policy.
    bool openPolicy(const QString& path);
    /// A new policy from a bundled complete-policy template (PolicyTemplate::id).
    void newPolicyFromTemplate(const QString& id);
    /// Shows the editor and the rules beside the table.
    void showEditor();
    /// The event the table shows now: its rule is highlighted and explained.
    void showEvent(EventId id);

Q_SIGNALS:
    /// The editor, rules and table show a new evaluation of the active policy.
    void resultShown();

private:
    void choosePolicy();
    void activeTextChanged(const QString& text);
    void chooseComparison(int choice);
    void showResult(const PolicyEvaluationResultPtr& result);
    void updateComparisonChoices();
    void updateBaseline();
    void showPolicyColumns(bool matching);

    WindowParts m_parts;
    PolicyEditor* m_editor;
    PolicyRulesPanel* m_rules;
    QDockWidget* m_policyDock;
    QDockWidget* m_rulesDock;
    QDockWidget* m_bottomNeighbour;
    // What each open policy's impact is compared with ("Impact compared with" in the Rules
    // dock), per policy: switching tabs keeps each one's choice.
    enum class Baseline { RecordedLog, SavedFile, OtherPolicy };
    struct ComparisonChoice
    {
        Baseline kind = Baseline::RecordedLog;
        QPointer<PolicyDocument> other; // OtherPolicy
    };
    QHash<const PolicyDocument*, ComparisonChoice> m_choices;
    QList<QPointer<PolicyDocument>> m_baselineChoices; // the policies from entry 2 on
    QPointer<PolicyDocument> m_choicesFor; // the active policy the entries were made for
};

} // namespace auditscope
