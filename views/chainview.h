// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "chain/chain.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTreeView;

namespace auditscope {

class ChainGantt;
class ChainModel;

/// "Follow request": one auditID's chain — a summary with the integrity findings explained, the
/// Gantt of its requests and stages, the requests and events as a tree, and the selected
/// event's status, decision, latency annotations and bodies.
class ChainView final : public QWidget
{
    Q_OBJECT

public:
    explicit ChainView(QWidget* parent = nullptr);

    void setChain(const Chain& chain);
    const Chain& chain() const;
    ChainGantt* gantt() const { return m_gantt; }
    QTreeView* treeView() const { return m_tree; }
    /// The details shown for the selected event (plain text).
    QString detailText() const;

Q_SIGNALS:
    /// The user picked an event (a mark or a tree row): select it everywhere.
    void eventActivated(auditscope::EventId id);

private:
    void showEventDetails(std::size_t index);

    QLabel* m_summary;
    QLabel* m_issues;
    ChainGantt* m_gantt;
    ChainModel* m_model;
    QTreeView* m_tree;
    QPlainTextEdit* m_details;
};

} // namespace auditscope
