// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "detect/finding.h"
#include "itemmodels/detectionrulesmodel.h"

#include <QIcon>
#include <QWidget>

#include <memory>
#include <vector>

class QLabel;
class QListWidget;
class QModelIndex;
class QPoint;
class QTabWidget;
class QTreeView;

namespace auditscope {

class FindingsModel;

/// The Findings dock's content, in the spirit of Wireshark's Expert Information. The Findings
/// tab: one row per rule that found something (severity icon, title, count, principals, first
/// and last time), most severe first, each expanding into its findings. Clicking a finding asks
/// for its event (eventActivated), a double click filters to its requests and on a rule row to
/// `finding:RULE` (filterRequested). The Rules tab lists every rule in force with its source,
/// its findings and, with a policy open, whether the policy records what it needs (red where it
/// does not, with the smallest change that would), and the rules file's problems.
class FindingsView final : public QWidget
{
    Q_OBJECT

public:
    explicit FindingsView(QWidget* parent = nullptr);
    ~FindingsView() override;

    FindingsModel* findingsModel() const { return m_findings; }
    DetectionRulesModel* rulesModel() const { return m_rules; }
    QTreeView* findingsTree() const { return m_findingsTree; }
    QTreeView* rulesTree() const { return m_rulesTree; }
    QTabWidget* tabs() const { return m_tabs; }
    QListWidget* problemsList() const { return m_problems; }
    /// The line above the findings ("12 findings (3 high or critical) from 4 rules"), and the
    /// one above the rules.
    QString summaryText() const;
    QString rulesSummaryText() const;

    /// A painted icon per severity (shape and colour: readable without colour too).
    static QIcon severityIcon(FindingSeverity severity);

public Q_SLOTS:
    /// A new result (null: none; detection may be running).
    void setResult(const auditscope::DetectionResultPtr& result);
    /// The rules in force and the file they were read from besides the built-in pack.
    void setRules(const std::shared_ptr<const auditscope::RuleSet>& rules, const QString& file);
    /// The active policy's coverage of the rules (null: no policy open).
    void setCoverage(const auditscope::RuleSetCoveragePtr& coverage);
    /// Detection is running: the summary says so until the result arrives.
    void setRunning(bool running);
    void showFindingsTab();
    void showRulesTab();

Q_SIGNALS:
    /// A finding was picked: its first event should be shown.
    void eventActivated(auditscope::EventId id);
    /// Filter the events by `filter` (a finding's requests, or `finding:RULE`).
    void filterRequested(const QString& filter);

private:
    void updateSummary();
    void updateRulesSummary();
    void activateFinding(const QModelIndex& index);
    void showFindingsMenu(const QPoint& position);

    QTabWidget* m_tabs;
    QLabel* m_summary;
    FindingsModel* m_findings;
    QTreeView* m_findingsTree;
    QLabel* m_rulesSummary;
    DetectionRulesModel* m_rules;
    QTreeView* m_rulesTree;
    QListWidget* m_problems;
    QString m_rulesFile;
    bool m_running = false;
};

} // namespace auditscope
