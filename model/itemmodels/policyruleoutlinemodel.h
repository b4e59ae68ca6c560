// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policyoutline.h"

#include <QAbstractTableModel>

namespace auditscope {

/// The rules of the policy being edited, one row per rule (a flat table), for the editor's rule
/// outline dock: level, events the rule decides in the loaded log, their recorded bytes,
/// whether it matches nothing or is shadowed, and where it is written. data() formats on demand
/// from a PolicyOutline; nothing is computed here. Lives on the GUI thread.
class PolicyRuleOutlineModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        RuleColumn, ///< "0", "1", ... (the index the query term rule:N uses)
        LevelColumn, ///< as written
        EventsColumn, ///< events decided ("" without a log)
        BytesColumn, ///< their recorded JSON bytes, human-readable ("" without a log)
        StatusColumn, ///< "shadowed by rule 2", "matches nothing", ... ("" when fine)
        SummaryColumn, ///< what the rule selects, short
        LinesColumn, ///< "12–18": the rule's lines in the policy text
        ColumnCount
    };
    /// What a rule's status means, for a delegate (the view picks colours and icons).
    enum class Status {
        Ok, ///< decides some events (or no log is loaded and it is not shadowed)
        MatchesNothing, ///< decides no event, and its own condition matches none either
        ShadowedInLog, ///< decides no event: earlier rules take every event it matches
        Shadowed, ///< statically: earlier rules match every request it could match
    };
    Q_ENUM(Status)
    enum Role {
        RuleIndexRole = Qt::UserRole + 1, ///< int
        LevelRole, ///< int, auditscope::Level (Unknown when invalid)
        EventsRole, ///< qulonglong
        BytesRole, ///< qulonglong
        StatusRole, ///< int, Status
        ShadowedByRole, ///< QList<int>: earlier rules that shadow it (statically)
        OwnEventsRole, ///< qulonglong: events its own condition matches (rules deciding none)
        TakenMostlyByRole, ///< int: the earlier rule that takes most of them, or -1
        SpanBeginLineRole, ///< int, 1-based; 0 when unknown
        SpanBeginColumnRole, ///< int, 1-based (bytes, as the reader counts)
        SpanEndLineRole, ///< int, exclusive end
        SpanEndColumnRole, ///< int
        SpanBeginOffsetRole, ///< qulonglong, byte offset into the policy text
        SpanEndOffsetRole, ///< qulonglong, exclusive
        SortRole, ///< the column's raw value (numbers as numbers), for a proxy
    };

    explicit PolicyRuleOutlineModel(QObject* parent = nullptr);

    /// Shows `outline` (from PolicyEvaluationResult::outline). One model reset.
    void setOutline(PolicyOutline outline);
    const PolicyOutline& outline() const { return m_outline; }
    /// Events that no rule decides (level None), for a footer.
    quint64 unmatchedEvents() const { return m_outline.unmatchedEvents; }
    /// The row of rule `rule`, or -1 (rows are rules in order, so it is `rule` when valid).
    int rowOfRule(int rule) const;
    static Status statusOf(const PolicyRuleOutline& rule);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString statusText(const PolicyRuleOutline& rule) const;

    PolicyOutline m_outline;
};

/// Bytes as "512 B", "1.4 KiB", "23.0 MiB", "1.2 GiB".
QString formatByteSize(quint64 bytes);

} // namespace auditscope
