#include "designtreemodel.h"

#include "views/elementsummary.h"

#include <QFont>

#include <algorithm>

namespace converge::views {

using core::Design;
using core::Element;
using core::ElementKind;

namespace {

// Edits bigger than this reset the model rather than move rows one by one.
constexpr std::size_t resetThreshold = 200;

// Sibling order: document (enum) order of kinds, except that a host's management-OS vNICs
// come before its VMs; within a kind, creation order.
int rank(ElementKind kind)
{
    if (kind == ElementKind::VirtualNic)
        return int(ElementKind::VirtualMachine) * 2 - 1;
    return int(kind) * 2;
}

} // namespace

struct DesignTreeModel::Node
{
    Node *parent = nullptr;
    int row = 0;
    QString id; // empty for a group row and the root
    ElementKind kind = ElementKind::Host;
    qint64 seq = 0;
    std::vector<std::unique_ptr<Node>> children;

    bool isGroup() const { return parent && id.isEmpty(); }
    std::pair<int, qint64> orderKey() const { return {rank(kind), seq}; }

    void renumber(std::size_t from)
    {
        for (std::size_t i = from; i < children.size(); ++i)
            children[i]->row = int(i);
    }
    // The row a child with `key` goes to, keeping siblings in order.
    int rowFor(std::pair<int, qint64> key) const
    {
        auto it = std::ranges::upper_bound(children, key, {},
                                           [](const auto &c) { return c->orderKey(); });
        return int(it - children.begin());
    }
};

DesignTreeModel::DesignTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{
}

DesignTreeModel::~DesignTreeModel()
{
    if (m_design)
        m_design->removeListener(m_listener);
}

void DesignTreeModel::setDesign(Design *design)
{
    beginResetModel();
    if (m_design)
        m_design->removeListener(m_listener);
    m_design = design;
    if (m_design)
        m_listener = m_design->addListener(
            [this](const std::vector<core::Change> &changes) { applyChanges(changes); });
    rebuild();
    endResetModel();
}

void DesignTreeModel::rebuild()
{
    m_root = std::make_unique<Node>();
    m_nodes.clear();
    if (!m_design)
        return;
    // One pass in creation order: an owner is always created before what it owns.
    const auto elements = m_design->allElements();
    m_nodes.reserve(qsizetype(elements.size()));
    for (const Element *e : elements) {
        Node *parentNode =
            e->parent.isEmpty() ? groupNode(e->kind, true) : m_nodes.value(e->parent);
        if (parentNode)
            addNode(*parentNode, *e);
    }
}

DesignTreeModel::Node *DesignTreeModel::addNode(Node &parentNode, const Element &element)
{
    auto node = std::make_unique<Node>();
    node->parent = &parentNode;
    node->id = element.id;
    node->kind = element.kind;
    node->seq = element.seq;
    Node *raw = node.get();
    m_nodes.insert(element.id, raw);
    const int row = parentNode.rowFor(raw->orderKey());
    parentNode.children.insert(parentNode.children.begin() + row, std::move(node));
    parentNode.renumber(row);
    return raw;
}

DesignTreeModel::Node *DesignTreeModel::groupNode(ElementKind kind, bool create)
{
    const std::pair key{rank(kind), qint64(0)};
    const int row = m_root->rowFor(key);
    if (row > 0 && m_root->children[row - 1]->kind == kind)
        return m_root->children[row - 1].get();
    if (!create)
        return nullptr;
    auto group = std::make_unique<Node>();
    group->parent = m_root.get();
    group->kind = kind;
    Node *raw = group.get();
    m_root->children.insert(m_root->children.begin() + row, std::move(group));
    m_root->renumber(row);
    return raw;
}

void DesignTreeModel::applyChanges(const std::vector<core::Change> &changes)
{
    if (changes.size() > resetThreshold) {
        beginResetModel();
        rebuild();
        endResetModel();
        return;
    }
    for (const core::Change &change : changes) {
        switch (change.type) {
        case core::Change::Type::Added:
            insertElement(change.id);
            break;
        case core::Change::Type::Removed:
            removeElement(change.id);
            break;
        case core::Change::Type::PropertyChanged:
            elementChanged(change.id, change.key);
            break;
        }
    }
}

void DesignTreeModel::insertElement(const QString &id)
{
    const Element *e = m_design->find(id);
    if (!e || m_nodes.contains(id))
        return;
    Node *parentNode = nullptr;
    if (e->parent.isEmpty()) {
        parentNode = groupNode(e->kind, false);
        if (!parentNode) {
            const int groupRow = m_root->rowFor({rank(e->kind), 0});
            beginInsertRows({}, groupRow, groupRow);
            parentNode = groupNode(e->kind, true);
            endInsertRows();
        }
    } else {
        parentNode = m_nodes.value(e->parent);
    }
    if (!parentNode)
        return;
    const int row = parentNode->rowFor({rank(e->kind), e->seq});
    beginInsertRows(indexOf(parentNode), row, row);
    addNode(*parentNode, *e);
    endInsertRows();
    refreshRow(parentNode); // group counts, "3 vNICs", "48 ports"
}

void DesignTreeModel::removeElement(const QString &id)
{
    Node *node = m_nodes.value(id);
    if (!node)
        return;
    Node *parentNode = node->parent;
    const int row = node->row;
    beginRemoveRows(indexOf(parentNode), row, row);
    forget(*node);
    parentNode->children.erase(parentNode->children.begin() + row);
    parentNode->renumber(row);
    endRemoveRows();
    if (parentNode->isGroup() && parentNode->children.empty()) {
        const int groupRow = parentNode->row;
        beginRemoveRows({}, groupRow, groupRow);
        m_root->children.erase(m_root->children.begin() + groupRow);
        m_root->renumber(groupRow);
        endRemoveRows();
        return;
    }
    refreshRow(parentNode);
}

void DesignTreeModel::forget(const Node &node)
{
    m_nodes.remove(node.id);
    for (const auto &child : node.children)
        forget(*child);
}

void DesignTreeModel::elementChanged(const QString &id, const QString &key)
{
    Node *node = m_nodes.value(id);
    if (!node)
        return;
    refreshRow(node);
    if (key != core::key::name && key != core::key::vlanId)
        return;
    // Other rows name this element in their details: teams and switches name NICs and teams
    // of the same host, links name NICs and ports, subnets name VLANs.
    refreshDetails(node->parent);
    refreshDetails(groupNode(ElementKind::Link, false));
    refreshDetails(groupNode(ElementKind::Subnet, false));
    refreshDetails(groupNode(ElementKind::MirrorSession, false));
}

void DesignTreeModel::refreshRow(Node *node, int firstColumn)
{
    if (node && node != m_root.get())
        Q_EMIT dataChanged(indexOf(node, firstColumn), indexOf(node, DetailsColumn));
}

void DesignTreeModel::refreshDetails(Node *parentNode)
{
    if (!parentNode || parentNode->children.empty())
        return;
    const QModelIndex parentIndex = indexOf(parentNode);
    Q_EMIT dataChanged(index(0, DetailsColumn, parentIndex),
                       index(int(parentNode->children.size()) - 1, DetailsColumn, parentIndex));
}

DesignTreeModel::Node *DesignTreeModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

QModelIndex DesignTreeModel::indexOf(const Node *node, int column) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row, column, const_cast<Node *>(node));
}

QModelIndex DesignTreeModel::indexForId(const QString &id, int column) const
{
    return indexOf(m_nodes.value(id), column);
}

QModelIndex DesignTreeModel::groupIndex(ElementKind kind) const
{
    const int row = m_root->rowFor({rank(kind), 0});
    if (row > 0 && m_root->children[row - 1]->kind == kind)
        return indexOf(m_root->children[row - 1].get());
    return {};
}

QString DesignTreeModel::idForIndex(const QModelIndex &index) const
{
    return index.isValid() ? nodeOf(index)->id : QString();
}

QModelIndex DesignTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    const Node *p = nodeOf(parent);
    if (row < 0 || column < 0 || column >= ColumnCount || row >= int(p->children.size()) ||
        (parent.isValid() && parent.column() != 0))
        return {};
    return createIndex(row, column, p->children[row].get());
}

QModelIndex DesignTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexOf(nodeOf(child)->parent);
}

int DesignTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeOf(parent)->children.size());
}

int DesignTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant DesignTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_design)
        return {};
    const Node *node = nodeOf(index);
    if (node->isGroup()) {
        if (role == Qt::DisplayRole && index.column() == NameColumn)
            return QStringLiteral("%1 (%2)").arg(groupLabel(node->kind)).arg(node->children.size());
        if (role == Qt::FontRole) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    }
    const Element *e = m_design->find(node->id);
    if (!e)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == NameColumn)
            return e->name();
        return index.column() == KindColumn ? kindLabel(e->kind) : elementDetails(*m_design, *e);
    case Qt::ToolTipRole:
        return QStringLiteral("%1 %2 (id %3)\n%4")
            .arg(kindLabel(e->kind), e->name(), e->id, elementDetails(*m_design, *e));
    case ElementIdRole:
        return e->id;
    default:
        return {};
    }
}

QVariant DesignTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *titles[] = {"Name", "Kind", "Details"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(titles[section])
                                                 : QVariant();
}

} // namespace converge::views
