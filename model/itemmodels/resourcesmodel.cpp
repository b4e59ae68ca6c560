// SPDX-License-Identifier: Apache-2.0
#include "resourcesmodel.h"

#include "analysis/filtertext.h"
#include "analysis/usersaggregate.h"

namespace auditscope {

namespace {

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

} // namespace

ResourcesModel::ResourcesModel(QObject* parent)
    : QAbstractItemModel(parent)
{ }

void ResourcesModel::setAggregate(
    EventStorePtr store, std::shared_ptr<const ResourcesAggregate> resources)
{
    beginResetModel();
    m_store = std::move(store);
    m_tree = m_store ? std::move(resources) : nullptr;
    endResetModel();
}

// internalId is the node index; a node's row is its offset among its parent's children.
QModelIndex ResourcesModel::indexOfNode(std::uint32_t node) const
{
    if (!m_tree || node >= m_tree->nodes.size())
        return {};
    const std::uint32_t parent = m_tree->nodes[node].parent;
    const std::uint32_t first =
        parent == ResourceNode::NoParent ? 0 : m_tree->nodes[parent].firstChild;
    return createIndex(static_cast<int>(node - first), NameColumn, quintptr(node));
}

QModelIndex ResourcesModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    const std::uint32_t first =
        parent.isValid() ? m_tree->nodes[parent.internalId()].firstChild : 0;
    return createIndex(row, column, quintptr(first + static_cast<std::uint32_t>(row)));
}

QModelIndex ResourcesModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || !m_tree)
        return {};
    const std::uint32_t parent = m_tree->nodes[child.internalId()].parent;
    if (parent == ResourceNode::NoParent)
        return {};
    return indexOfNode(parent);
}

int ResourcesModel::rowCount(const QModelIndex& parent) const
{
    if (!m_tree || parent.column() > 0)
        return 0;
    if (!parent.isValid())
        return static_cast<int>(m_tree->rootCount);
    return static_cast<int>(m_tree->nodes[parent.internalId()].childCount);
}

int ResourcesModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

bool ResourcesModel::hasChildren(const QModelIndex& parent) const
{
    return rowCount(parent) > 0;
}

QVariant ResourcesModel::data(const QModelIndex& index, int role) const
{
    if (!m_tree || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const auto node = static_cast<std::uint32_t>(index.internalId());
    const ResourceNode& n = m_tree->nodes[node];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return QString::fromStdString(resourceNodeLabel(*m_store, *m_tree, node));
        case EventsColumn:
            return qulonglong(n.events);
        case WritesColumn:
            return qulonglong(n.writes);
        case DeletesColumn:
            return qulonglong(n.deletes);
        case PrincipalsColumn:
            return n.distinctPrincipals;
        case TopPrincipalsColumn: {
            QString out;
            for (const PrincipalCount& p : m_tree->topPrincipals(node)) {
                if (!out.isEmpty())
                    out += QStringLiteral(", ");
                out += toQString(userDisplayName(*m_store, p.user)) + QStringLiteral(" (")
                    + QString::number(p.events) + QLatin1Char(')');
            }
            return out;
        }
        default:
            return {};
        }
    case FilterRole:
        return toQString(resourceNodeFilter(*m_store, *m_tree, node));
    case KindRole:
        return int(n.kind);
    case NodeRole:
        return int(node);
    default:
        return {};
    }
}

QVariant ResourcesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return QStringLiteral("Resource");
    case EventsColumn:
        return QStringLiteral("Events");
    case WritesColumn:
        return QStringLiteral("Writes");
    case DeletesColumn:
        return QStringLiteral("Deletes");
    case PrincipalsColumn:
        return QStringLiteral("Principals");
    case TopPrincipalsColumn:
        return QStringLiteral("Most active");
    default:
        return {};
    }
}

} // namespace auditscope
