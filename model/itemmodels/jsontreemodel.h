// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractItemModel>
#include <QString>

#include <memory>
#include <string_view>
#include <vector>

namespace auditscope {

/// A tree of one JSON document (an event's raw JSON), for the detail pane. Builds a
/// pretty-printed text of the document at the same time and remembers each node's range in
/// it, so a view can mark the selected node. Paths use the filter language's field syntax
/// (`requestObject.spec.containers.image`, `annotations."authorization.k8s.io/decision"`; array
/// elements add no path step, as arrays match when any element does). Lives on the GUI thread;
/// one event is small, so it is built there.
class JsonTreeModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Role {
        PathRole = Qt::UserRole + 1, ///< QString, the field path for a filter
        ValueRole, ///< QString, a scalar's value as a filter would write it
        RangeStartRole, ///< int, start of the node in prettyText()
        RangeEndRole, ///< int, end of the node in prettyText()
        IsScalarRole, ///< bool
    };
    enum Column { KeyColumn, ValueColumn, ColumnCount };

    explicit JsonTreeModel(QObject* parent = nullptr);
    ~JsonTreeModel() override;

    /// Replaces the document (one model reset). Invalid JSON gives a single error row.
    void setJson(std::string_view json);
    const QString& prettyText() const { return m_pretty; }
    const QString& error() const { return m_error; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    struct Node;

private:
    std::vector<std::unique_ptr<Node>> m_nodes; // all nodes; [0] is the invisible root
    QString m_pretty;
    QString m_error;
};

/// `text` with JSON string escapes (quote, backslash, control characters), without quotes.
QString jsonEscaped(const QString& text);
/// Quotes a field name for a path when it is not a plain identifier (`"a.b/c"`).
QString jsonPathSegment(const QString& key);

} // namespace auditscope
