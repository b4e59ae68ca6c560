// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "detect/finding.h"
#include "detect/rulecoverage.h"

#include <QAbstractTableModel>
#include <QString>

#include <memory>
#include <vector>

namespace auditscope {

/// Coverage of one rule set against one policy (coverageAgainst()), kept with the rules it
/// indexes. Immutable; shared between threads.
struct RuleSetCoverage
{
    std::shared_ptr<const RuleSet> rules;
    std::vector<RuleCoverage> coverage; ///< RuleCoverage::rule indexes `rules->rules`
};
using RuleSetCoveragePtr = std::shared_ptr<const RuleSetCoverage>;

/// The Rules tab of the Findings dock: every detection rule in force (built-in, overridden,
/// added, disabled), with its findings in the current result and, when a policy is open, whether
/// that policy records what the rule needs. One row per rule; data() is O(1). Lives on the GUI
/// thread.
class DetectionRulesModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Role {
        SeverityRole = Qt::UserRole + 1, ///< int, FindingSeverity
        SeverityColorRole, ///< QString "#rrggbb" (SeverityColumn)
        RuleIdRole, ///< QString
        EnabledRole, ///< bool
        /// bool: the open policy records what the rule needs; invalid without a policy
        CoveredRole,
        FindingCountRole, ///< qulonglong: findings of the rule in the current result
        FilterRole, ///< QString: `finding:ID`
    };
    enum Column {
        IdColumn,
        SeverityColumn,
        TitleColumn,
        EnabledColumn,
        SourceColumn,
        FindingsColumn,
        CoverageColumn, ///< "covered" or the smallest policy change that would make it work
        ColumnCount
    };

    explicit DetectionRulesModel(QObject* parent = nullptr);

    /// The rules in force (null: none). Counts and coverage of other rule sets are dropped.
    void setRules(std::shared_ptr<const RuleSet> rules);
    const std::shared_ptr<const RuleSet>& rules() const { return m_rules; }
    /// Per-rule finding counts from `result`, when it ran these rules (null: no counts).
    void setResult(const DetectionResultPtr& result);
    /// The active policy's coverage, when it was computed for these rules (null: no policy).
    void setCoverage(RuleSetCoveragePtr coverage);
    const RuleSetCoveragePtr& coverage() const { return m_coverage; }
    /// Rules the policy does not cover (0 without a policy).
    int uncoveredCount() const;
    /// The row of rule `id`, or -1.
    int rowOf(const QString& id) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant displayData(std::size_t row, int column) const;
    QVariant toolTipData(std::size_t row, int column) const;

    std::shared_ptr<const RuleSet> m_rules;
    RuleSetCoveragePtr m_coverage;
    std::vector<std::uint64_t> m_findings; ///< per rule; empty without a result
    std::vector<const RuleCoverage*> m_coverageOf; ///< per rule; null where not computed
};

} // namespace auditscope
