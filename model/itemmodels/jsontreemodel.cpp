// SPDX-License-Identifier: Apache-2.0
#include "jsontreemodel.h"

#include "common/limits.h"

#include <simdjson.h>

#include <algorithm>

namespace auditscope {

struct JsonTreeModel::Node
{
    Node* parent = nullptr;
    int row = 0;
    QString key; // object key, or "[i]" for an array element
    QString value; // scalar text as shown; "{n}" / "[n]" for containers
    QString filterValue;
    QString path;
    bool scalar = false;
    int rangeStart = 0, rangeEnd = 0;
    std::vector<Node*> children;
};

namespace {

namespace dom = simdjson::dom;

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString jsonQuoted(const QString& text)
{
    return QLatin1Char('"') + jsonEscaped(text) + QLatin1Char('"');
}

// Builds nodes depth-first while writing the pretty text. setJson() has the DOM parser refuse
// nesting deeper than MaxJsonDepth, so this recursion is bounded.
class Builder
{
public:
    Builder(std::vector<std::unique_ptr<JsonTreeModel::Node>>& nodes, QString& pretty)
        : m_nodes(nodes)
        , m_pretty(pretty)
    { }

    void add(JsonTreeModel::Node* node, dom::element element, int indent)
    {
        node->rangeStart = static_cast<int>(m_pretty.size());
        switch (element.type()) {
        case dom::element_type::OBJECT: {
            const dom::object object = element.get_object().value_unsafe();
            m_pretty += QLatin1Char('{');
            bool first = true;
            for (const dom::key_value_pair field : object) {
                m_pretty += first ? QStringLiteral("\n") : QStringLiteral(",\n");
                first = false;
                m_pretty += QString(indent + 2, QLatin1Char(' '));
                JsonTreeModel::Node* child = makeChild(node, fromUtf8(field.key));
                child->path = (node->path.isEmpty() ? QString() : node->path + QLatin1Char('.'))
                    + jsonPathSegment(child->key);
                m_pretty += jsonQuoted(child->key) + QStringLiteral(": ");
                add(child, field.value, indent + 2);
            }
            if (!first)
                m_pretty += QLatin1Char('\n') + QString(indent, QLatin1Char(' '));
            m_pretty += QLatin1Char('}');
            node->value = QStringLiteral("{%1}").arg(node->children.size());
            break;
        }
        case dom::element_type::ARRAY: {
            const dom::array array = element.get_array().value_unsafe();
            m_pretty += QLatin1Char('[');
            bool first = true;
            int i = 0;
            for (const dom::element item : array) {
                m_pretty += first ? QStringLiteral("\n") : QStringLiteral(",\n");
                first = false;
                m_pretty += QString(indent + 2, QLatin1Char(' '));
                JsonTreeModel::Node* child = makeChild(node, QStringLiteral("[%1]").arg(i++));
                child->path = node->path; // arrays match when any element does
                add(child, item, indent + 2);
            }
            if (!first)
                m_pretty += QLatin1Char('\n') + QString(indent, QLatin1Char(' '));
            m_pretty += QLatin1Char(']');
            node->value = QStringLiteral("[%1]").arg(node->children.size());
            break;
        }
        case dom::element_type::STRING: {
            const QString text = fromUtf8(element.get_string().value_unsafe());
            node->scalar = true;
            node->value = text;
            node->filterValue = text;
            m_pretty += jsonQuoted(text);
            break;
        }
        default: {
            // Numbers, booleans and null: their JSON text as is.
            const QString text = fromUtf8(simdjson::minify(element));
            node->scalar = true;
            node->value = text;
            node->filterValue = text;
            m_pretty += text;
            break;
        }
        }
        node->rangeEnd = static_cast<int>(m_pretty.size());
    }

private:
    JsonTreeModel::Node* makeChild(JsonTreeModel::Node* parent, QString key)
    {
        m_nodes.push_back(std::make_unique<JsonTreeModel::Node>());
        JsonTreeModel::Node* child = m_nodes.back().get();
        child->parent = parent;
        child->row = static_cast<int>(parent->children.size());
        child->key = std::move(key);
        parent->children.push_back(child);
        return child;
    }

    std::vector<std::unique_ptr<JsonTreeModel::Node>>& m_nodes;
    QString& m_pretty;
};

} // namespace

QString jsonEscaped(const QString& text)
{
    QString out;
    for (const QChar c : text) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\');
        if (c == QLatin1Char('\n'))
            out += QStringLiteral("\\n");
        else if (c.unicode() < 0x20)
            out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

QString jsonPathSegment(const QString& key)
{
    bool plain = !key.isEmpty();
    for (const QChar c : key)
        plain = plain && (c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('-'));
    return plain ? key : jsonQuoted(key);
}

JsonTreeModel::JsonTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
    m_nodes.push_back(std::make_unique<Node>());
}

JsonTreeModel::~JsonTreeModel() = default;

void JsonTreeModel::setJson(std::string_view json)
{
    beginResetModel();
    m_nodes.clear();
    m_nodes.push_back(std::make_unique<Node>());
    m_pretty.clear();
    m_error.clear();
    dom::parser parser;
    dom::element root;
    const simdjson::padded_string padded(json);
    auto error = parser.allocate(std::max<std::size_t>(json.size(), 1), MaxJsonDepth);
    if (!error)
        error = parser.parse(padded).get(root);
    if (error == simdjson::DEPTH_ERROR) {
        m_error = QStringLiteral("nested deeper than %1 levels: shown as text").arg(MaxJsonDepth);
        m_pretty = fromUtf8(json);
    } else if (error) {
        m_error = QStringLiteral("invalid JSON: %1")
                      .arg(QString::fromLatin1(simdjson::error_message(error)));
        m_pretty = fromUtf8(json);
    } else {
        Builder(m_nodes, m_pretty).add(m_nodes.front().get(), root, 0);
    }
    endResetModel();
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    const Node* node = parent.isValid() ? static_cast<const Node*>(parent.internalPointer())
                                        : m_nodes.front().get();
    if (row < 0 || column < 0 || column >= ColumnCount
        || static_cast<std::size_t>(row) >= node->children.size())
        return {};
    return createIndex(row, column, node->children[static_cast<std::size_t>(row)]);
}

QModelIndex JsonTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const Node* parent = static_cast<const Node*>(child.internalPointer())->parent;
    if (!parent || parent == m_nodes.front().get())
        return {};
    return createIndex(parent->row, 0, const_cast<Node*>(parent));
}

int JsonTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return 0;
    const Node* node = parent.isValid() ? static_cast<const Node*>(parent.internalPointer())
                                        : m_nodes.front().get();
    return static_cast<int>(node->children.size());
}

int JsonTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant JsonTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node* node = static_cast<const Node*>(index.internalPointer());
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == KeyColumn ? node->key : node->value;
    case Qt::ToolTipRole:
        return node->path;
    case PathRole:
        return node->path;
    case ValueRole:
        return node->filterValue;
    case RangeStartRole:
        return node->rangeStart;
    case RangeEndRole:
        return node->rangeEnd;
    case IsScalarRole:
        return node->scalar;
    default:
        return {};
    }
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == KeyColumn ? QStringLiteral("Field") : QStringLiteral("Value");
}

} // namespace auditscope
