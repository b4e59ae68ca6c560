// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "detect/finding.h"

#include <QAbstractItemModel>
#include <QString>

#include <vector>

namespace auditscope {

/// The hue a severity is shown in ("#rrggbb"), the same in every view (Findings dock, Rules tab,
/// timeline marks, event pane). Meaning, not pixels: views turn it into a colour.
QString findingSeverityColorName(FindingSeverity severity);
/// "Info", "Low", "Medium", "High", "Critical".
QString findingSeverityTitle(FindingSeverity severity);

/// The Findings dock's tree, in the spirit of Wireshark's Expert Information: one row per rule
/// that found something, most severe first (then in rule order), and below it one row per
/// finding in time order. Grouping is O(findings), done once per result in setResult(); data()
/// is O(1) apart from formatting. Lives on the GUI thread.
class FindingsModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Role {
        SeverityRole = Qt::UserRole + 1, ///< int, FindingSeverity (groups and findings)
        SeverityColorRole, ///< QString "#rrggbb", findingSeverityColorName() (SeverityColumn)
        SeverityIconRole, ///< QString: a symbolic icon name, "severity-high" (SeverityColumn)
        RuleIdRole, ///< QString: the rule's id (groups and findings)
        RuleIndexRole, ///< int: index into the result's RuleSet
        IsGroupRole, ///< bool: a rule row (its children are findings)
        EventIdRole, ///< quint32: a finding's first event; none for groups
        FindingIndexRole, ///< int: index into DetectionResult::findings; -1 for groups
        /// QString, query text: `finding:ID` for a group, the finding's requests
        /// (`auditid:(…)`, or its time span when its events carry no auditID) for a finding
        FilterRole,
        FirstTimeNsRole, ///< qint64
        LastTimeNsRole, ///< qint64
    };
    enum Column {
        SeverityColumn,
        SummaryColumn, ///< group: rule title and id; finding: its detail or its request
        CountColumn, ///< group: findings; finding: requests
        PrincipalColumn, ///< group: up to 3 principals and "…"; finding: its principal
        FirstColumn,
        LastColumn,
        LocationColumn, ///< finding: file:line of its first event
        ColumnCount
    };

    explicit FindingsModel(QObject* parent = nullptr);

    /// Shows `result` (null: nothing; a cancelled result counts as none). One model reset.
    void setResult(DetectionResultPtr result);
    const DetectionResultPtr& result() const { return m_result; }
    /// Findings shown, and those of rules at High or Critical.
    std::size_t findingCount() const;
    std::size_t seriousCount() const;
    /// The group row of rule `ruleId` (SeverityColumn), or invalid.
    QModelIndex indexOfRule(const QString& ruleId) const;
    /// The row of the finding that holds event `id`, the first such, or invalid.
    QModelIndex indexOfEvent(EventId id) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    /// One rule with findings: its findings (indexes into the result), in time order.
    struct Group
    {
        std::uint32_t rule = 0;
        std::vector<std::uint32_t> findings;
        QString principals; ///< "a, b, c, …"
        std::int64_t firstNs = 0, lastNs = 0;
    };
    const DetectionRule& ruleOf(const Group& group) const;
    QVariant groupData(const Group& group, int column, int role) const;
    QVariant findingData(std::uint32_t finding, int column, int role) const;
    QVariant severityData(FindingSeverity severity, int column, int role) const;
    QString findingFilter(const Finding& finding) const;

    DetectionResultPtr m_result;
    std::vector<Group> m_groups;
    std::size_t m_serious = 0;
};

} // namespace auditscope
