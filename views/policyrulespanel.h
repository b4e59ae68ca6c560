// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policyeditorevaluation.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTreeView;
class QTreeWidget;

namespace auditscope {

class PolicyRuleOutlineModel;

/// The active policy's rules against the log: an outline (one row per rule with the events and
/// bytes it decides, and whether it is shadowed or matches nothing), why the current event got
/// its rule (the earlier rules' first failing checks), and the impact of the policy per level
/// (events and bytes kept and dropped against the recorded log, and what the log cannot tell).
/// Shows results computed elsewhere.
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
    QLabel* blindSpotsLabel() const { return m_blindSpots; }

Q_SIGNALS:
    /// The user clicked (or activated) rule `rule` in the outline.
    void ruleActivated(int rule);

private:
    void showImpact();

    PolicyRuleOutlineModel* m_model;
    QTreeView* m_outline;
    QLabel* m_footer;
    QPlainTextEdit* m_explanation;
    QTreeWidget* m_impact;
    QLabel* m_blindSpots;
    PolicyEvaluationResultPtr m_result;
};

} // namespace auditscope
