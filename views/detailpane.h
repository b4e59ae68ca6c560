// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "detect/finding.h"
#include "store/eventstore.h"

#include <QString>
#include <QWidget>

#include <utility>

class QAction;
class QLabel;
class QModelIndex;
class QPlainTextEdit;
class QSplitter;
class QTextBrowser;
class QTreeView;

namespace auditscope {

class JsonHighlighter;
class JsonTreeModel;

/// The current event in detail: its source file:line, the detection rules that flagged it and
/// why ("Flagged by"), a tree of its JSON (re-parsed from the raw line) and the pretty-printed
/// JSON, highlighted, with the selected node's range marked.
/// A node's context menu copies its value, its path or the whole event, and turns the node into
/// a filter (Wireshark's "Apply as Filter", "Prepare as Filter", "Exclude"): filterRequested().
class DetailPane final : public QWidget
{
    Q_OBJECT

public:
    explicit DetailPane(QWidget* parent = nullptr);
    ~DetailPane() override;

    EventId event() const { return m_event; }
    /// "file.log:123" of the event shown, or empty.
    QString headerText() const;
    QTreeView* treeView() const { return m_tree; }
    QPlainTextEdit* textView() const { return m_text; }
    /// The "Flagged by" section (hidden when no rule flagged the event).
    QTextBrowser* flagsView() const { return m_flags; }
    /// The section as plain text ("" when hidden).
    QString flaggedByText() const;
    JsonTreeModel* model() const { return m_model; }
    /// The range of the model's prettyText() marked for the current node; {-1, -1} if none.
    std::pair<int, int> markedRange() const { return m_marked; }

    /// The filter for a node: `path:value` (value quoted when the syntax needs it), `path:*`
    /// for an object or array; `-path:value` to exclude. Empty when the node has no path.
    static QString filterExpression(const QModelIndex& index, bool exclude);

public Q_SLOTS:
    /// Shows event `id` of `store` (a null store or id clears the pane). The node at the same
    /// path as the one selected before is selected again.
    void setEvent(const auditscope::EventStorePtr& store, auditscope::EventId id);
    /// The findings whose rules are shown for the events of their snapshot (null: none).
    void setFindings(const auditscope::DetectionResultPtr& result);
    void clear();
    void copyValue();
    void copyPath();
    /// The raw JSON of the event, on one line.
    void copyEvent();
    void applyAsFilter();
    void prepareAsFilter();
    void excludeAsFilter();

Q_SIGNALS:
    /// A filter made from the current node: apply it now, or only put it in the filter bar.
    void filterRequested(const QString& expression, bool apply);

protected:
    void changeEvent(QEvent* event) override;

private:
    void markNode(const QModelIndex& index);
    void updateFlags();
    /// Gives the "Flagged by" section the height of its text, up to about half the pane.
    void fitFlags();
    void updateActions();
    QModelIndex currentNode() const;

    JsonTreeModel* m_model;
    QLabel* m_header;
    QTextBrowser* m_flags;
    QSplitter* m_splitter;
    QTreeView* m_tree;
    QPlainTextEdit* m_text;
    JsonHighlighter* m_highlighter;
    QAction* m_copyValue;
    QAction* m_copyPath;
    QAction* m_copyEvent;
    QAction* m_apply;
    QAction* m_prepare;
    QAction* m_exclude;
    EventStorePtr m_store;
    EventId m_event;
    DetectionResultPtr m_findings;
    QString m_lastPath; // of the node selected last, to select it again in the next event
    std::pair<int, int> m_marked{-1, -1};
};

} // namespace auditscope
