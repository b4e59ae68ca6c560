// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "analysis/resourcesaggregate.h"
#include "store/eventstore.h"

#include <QAbstractItemModel>

#include <memory>

namespace auditscope {

/// The resources view: the tree of a ResourcesAggregate (apiGroup → resource → subresource →
/// namespace → name, and non-resource paths), computed elsewhere (off the GUI thread). Rows are
/// the aggregate's nodes in its order (most events first); parent() and index() are O(1) as
/// siblings are contiguous. Lives on the GUI thread.
class ResourcesModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Role {
        FilterRole = Qt::UserRole + 1, ///< QString: query text selecting the node's events
        KindRole, ///< int, ResourceNodeKind
        NodeRole, ///< int, index into ResourcesAggregate::nodes
    };
    enum Column {
        NameColumn,
        EventsColumn,
        WritesColumn,
        DeletesColumn,
        PrincipalsColumn, ///< distinct principals
        TopPrincipalsColumn, ///< "alice (12), bob (3)"
        ColumnCount
    };

    explicit ResourcesModel(QObject* parent = nullptr);

    /// Shows `resources` of `store` (one model reset). Either may be null: an empty model.
    void setAggregate(EventStorePtr store, std::shared_ptr<const ResourcesAggregate> resources);
    const std::shared_ptr<const ResourcesAggregate>& aggregate() const { return m_tree; }
    /// The index of a node (NameColumn).
    QModelIndex indexOfNode(std::uint32_t node) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    EventStorePtr m_store;
    std::shared_ptr<const ResourcesAggregate> m_tree;
};

} // namespace auditscope
