// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "chain/objecthistory.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTreeView;

namespace auditscope {

class ObjectHistoryModel;

/// One object's history: its lifetimes (created … deleted, by whom), every request on it in
/// time order, and for the selected request what it changed (paths with old and new values),
/// the patch as sent, and the object before and after.
class ObjectHistoryView final : public QWidget
{
    Q_OBJECT

public:
    explicit ObjectHistoryView(QWidget* parent = nullptr);

    void setHistory(const ObjectHistory& history);
    const ObjectHistory& history() const;
    QTreeView* treeView() const { return m_tree; }
    QString diffText() const;

Q_SIGNALS:
    /// The user picked a request: select its event everywhere.
    void eventActivated(auditscope::EventId id);

private:
    void showEntry(std::size_t index);

    QLabel* m_summary;
    ObjectHistoryModel* m_model;
    QTreeView* m_tree;
    QPlainTextEdit* m_diff;
};

} // namespace auditscope
