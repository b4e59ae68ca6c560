// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policyeditorevaluation.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTreeView;
class QTreeWidget;

namespace auditscope {

class PolicyRuleOutlineModel;

/// The active policy's rules against the log: an outline (one row per rule with the events and
/// bytes it decides, and whether it is shadowed or matches nothing), why the current event got
/// its rule (the earlier rules' first failing checks), and the impact of the policy per level:
/// against the recorded log (events and bytes kept and dropped, and what the log cannot tell),
/// or against another policy chosen under "Compare with" (events and bytes written per level by
/// each, and the events whose outcome changes). Shows results computed elsewhere.
class PolicyRulesPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit PolicyRulesPanel(QWidget* parent = nullptr);

    /// Shows the outline and impact of `result` (null: nothing).
    void setResult(const PolicyEvaluationResultPtr& result);
    /// Shows why event `id` got its rule, and selects that rule (no ruleActivated()).
    void explainEvent(EventId id);
    QTreeView* outlineView() const { return m_outline; }
    PolicyRuleOutlineModel* outlineModel() const { return m_model; }
    QPlainTextEdit* explanationView() const { return m_explanation; }
    QTreeWidget* impactView() const { return m_impact; }
    /// The events whose outcome changes (only while comparing with another policy).
    QTreeWidget* changesView() const { return m_changes; }
    QLabel* blindSpotsLabel() const { return m_blindSpots; }

    /// The entries of "Compare with": entry 0 is the recorded log; the others are policies the
    /// window can compare with (`enabled[i]` false greys entry i out). Emits nothing.
    void setComparisonChoices(const QStringList& titles, const QList<bool>& enabled, int current);
    QComboBox* comparisonBox() const { return m_compareWith; }

Q_SIGNALS:
    /// The user clicked (or activated) rule `rule` in the outline.
    void ruleActivated(int rule);
    /// The user chose entry `choice` of "Compare with".
    void comparisonChosen(int choice);
    /// The user clicked a kind of change: show its events (a `policychange:` filter term).
    void changeActivated(const QString& filterTerm);

private:
    void showImpact();
    void showRecordedImpact(const PolicyImpact& impact);
    void showComparison(const PolicyImpact& impact, const PolicyComparison& comparison);

    PolicyRuleOutlineModel* m_model;
    QTreeView* m_outline;
    QLabel* m_footer;
    QPlainTextEdit* m_explanation;
    QComboBox* m_compareWith;
    QTreeWidget* m_impact;
    QTreeWidget* m_changes;
    QLabel* m_blindSpots;
    PolicyEvaluationResultPtr m_result;
};

} // namespace auditscope
