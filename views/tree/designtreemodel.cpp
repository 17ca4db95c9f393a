#include "designtreemodel.h"

#include <QFont>
#include <QJsonArray>

#include <algorithm>

namespace converge::views {

using core::Design;
using core::Element;
using core::ElementKind;

namespace {

// Edits bigger than this reset the model rather than move rows one by one.
constexpr std::size_t resetThreshold = 200;

QString str(const Element &e, const char *key)
{
    return e.value(QLatin1String(key)).toString();
}

QString joined(const QStringList &parts)
{
    QStringList kept = parts;
    kept.removeAll(QString());
    return kept.join(QStringLiteral(" \u00b7 "));
}

QString nameOf(const Design &design, const QString &id)
{
    const Element *e = design.find(id);
    return e ? e->name() : id;
}

// "hv1 eth1" for a NIC, "tor1 Te1/0/1" for a port: the owner makes a link end readable.
QString endName(const Design &design, const QString &id)
{
    const Element *e = design.find(id);
    if (!e)
        return id;
    const Element *owner = design.find(e->parent);
    return owner ? owner->name() + QLatin1Char(' ') + e->name() : e->name();
}

// [100, 101, 102, 110] -> "100-102, 110"
QString vlanList(const QJsonArray &ids)
{
    std::vector<int> v;
    for (const QJsonValue id : ids)
        v.push_back(id.toInt());
    std::ranges::sort(v);
    QStringList parts;
    for (std::size_t i = 0; i < v.size();) {
        std::size_t j = i;
        while (j + 1 < v.size() && v[j + 1] == v[j] + 1)
            ++j;
        parts << (j > i ? QStringLiteral("%1-%2").arg(v[i]).arg(v[j]) : QString::number(v[i]));
        i = j + 1;
    }
    return parts.join(QStringLiteral(", "));
}

QString nameList(const Design &design, const QJsonArray &ids, const QString &separator)
{
    QStringList names;
    for (const QJsonValue id : ids)
        names << nameOf(design, id.toString());
    return names.join(separator);
}

QString memory(int mib)
{
    if (mib >= 1024 && mib % 1024 == 0)
        return QStringLiteral("%1 GiB").arg(mib / 1024);
    return QStringLiteral("%1 MiB").arg(mib);
}

QString hostDetails(const Element &e)
{
    const QString platform = str(e, "platform") == QLatin1String("hyperv")
                                 ? QStringLiteral("Hyper-V %1").arg(str(e, "edition")).trimmed()
                                 : QStringLiteral("Linux + Open vSwitch");
    const QString cluster = str(e, "cluster");
    return joined({platform, cluster.isEmpty() ? QString() : QStringLiteral("cluster ") + cluster});
}

QString nicDetails(const Element &e)
{
    const QString ifName = str(e, "interfaceName");
    const double speed = e.value(QStringLiteral("speed")).toDouble();
    const int mtu = e.value(QStringLiteral("mtu")).toInt();
    return joined({ifName != e.name() ? ifName : QString(),
                   speed > 0 ? formatBandwidth(speed) : QString(),
                   mtu > 0 ? QStringLiteral("MTU %1").arg(mtu) : QString(), str(e, "role")});
}

QString teamDetails(const Design &design, const Element &e)
{
    const QString members =
        nameList(design, e.value(QStringLiteral("members")).toArray(), QStringLiteral(" + "));
    const QString standby = str(e, "standbyMember");
    QStringList mode{str(e, "mode"), str(e, "loadBalancing")};
    mode.removeAll(QString());
    return joined(
        {members, mode.join(QStringLiteral(" / ")),
         standby.isEmpty() ? QString() : QStringLiteral("standby ") + nameOf(design, standby),
         e.value(QStringLiteral("switchEmbedded")).toBool() ? QStringLiteral("SET") : QString()});
}

QString switchDetails(const Design &design, const Element &e)
{
    const QString uplink = str(e, "uplink");
    return joined(
        {str(e, "type"),
         uplink.isEmpty() ? QString() : QStringLiteral("uplink ") + nameOf(design, uplink),
         e.value(QStringLiteral("sriov")).toBool() ? QStringLiteral("SR-IOV") : QString()});
}

QString vnicVlan(const Element &e)
{
    const QString mode = str(e, "vlanMode");
    if (mode == QLatin1String("Access"))
        return QStringLiteral("VLAN %1").arg(e.value(QStringLiteral("accessVlan")).toInt());
    if (mode == QLatin1String("Trunk")) {
        QString text =
            QStringLiteral("trunk ") + vlanList(e.value(QStringLiteral("trunkVlans")).toArray());
        if (e.props.contains(QStringLiteral("nativeVlan")))
            text += QStringLiteral(" native %1").arg(e.value(QStringLiteral("nativeVlan")).toInt());
        return text;
    }
    if (mode == QLatin1String("Pvlan"))
        return QStringLiteral("PVLAN %1/%2 %3")
            .arg(e.value(QStringLiteral("pvlanPrimary")).toInt())
            .arg(e.value(QStringLiteral("pvlanSecondary")).toInt())
            .arg(str(e, "pvlanMode"));
    return {};
}

QString vnicDetails(const Design &design, const Element &e)
{
    QStringList addresses;
    for (const QJsonValue a : e.value(QStringLiteral("addresses")).toArray())
        addresses << a.toString();
    const QString sw = str(e, "switch");
    return joined({addresses.join(QStringLiteral(", ")), vnicVlan(e),
                   sw.isEmpty() ? QString() : QStringLiteral("switch ") + nameOf(design, sw)});
}

QString vmDetails(const Design &design, const Element &e)
{
    const int vcpus = e.value(QStringLiteral("vcpus")).toInt();
    const int mib = e.value(QStringLiteral("memoryMiB")).toInt();
    const auto vnics = design.children(e.id, ElementKind::VirtualNic).size();
    return joined({vcpus > 0 ? QStringLiteral("%1 vCPU").arg(vcpus) : QString(),
                   mib > 0 ? memory(mib) : QString(),
                   vnics == 1 ? QStringLiteral("1 vNIC") : QStringLiteral("%1 vNICs").arg(vnics)});
}

QString portDetails(const Element &e)
{
    QString vlans;
    if (str(e, "mode") == QLatin1String("Trunk")) {
        vlans =
            QStringLiteral("trunk ") + vlanList(e.value(QStringLiteral("allowedVlans")).toArray());
        if (e.props.contains(QStringLiteral("nativeVlan")))
            vlans +=
                QStringLiteral(" native %1").arg(e.value(QStringLiteral("nativeVlan")).toInt());
    } else if (e.props.contains(QStringLiteral("accessVlan"))) {
        vlans = QStringLiteral("access VLAN %1").arg(e.value(QStringLiteral("accessVlan")).toInt());
    }
    const int channel = e.value(QStringLiteral("portChannel")).toInt();
    const double speed = e.value(QStringLiteral("speed")).toDouble();
    return joined({vlans,
                   channel > 0
                       ? QStringLiteral("Po%1 %2").arg(channel).arg(str(e, "channelMode")).trimmed()
                       : QString(),
                   speed > 0 ? formatBandwidth(speed) : QString()});
}

QString physicalSwitchDetails(const Design &design, const Element &e)
{
    const auto ports = design.children(e.id, ElementKind::SwitchPort).size();
    return joined({str(e, "model"), str(e, "managementAddress"),
                   ports == 1 ? QStringLiteral("1 port") : QStringLiteral("%1 ports").arg(ports)});
}

QString subnetDetails(const Design &design, const Element &e)
{
    const QString gateway = str(e, "gateway");
    const QString vlan = str(e, "vlan");
    const Element *v = design.find(vlan);
    return joined(
        {str(e, "prefix"), gateway.isEmpty() ? QString() : QStringLiteral("gateway ") + gateway,
         v ? QStringLiteral("VLAN %1").arg(v->value(QStringLiteral("vlanId")).toInt()) : QString(),
         str(e, "routingDomain")});
}

QString vmNetworkDetails(const Element &e)
{
    QStringList subnets;
    for (const QJsonValue s : e.value(QStringLiteral("customerSubnets")).toArray())
        subnets << s.toString();
    return joined({str(e, "isolation"),
                   e.props.contains(QStringLiteral("vsid"))
                       ? QStringLiteral("VSID %1").arg(e.value(QStringLiteral("vsid")).toInteger())
                       : QString(),
                   str(e, "encapsulation"), subnets.join(QStringLiteral(", "))});
}

QString mirrorDetails(const Design &design, const Element &e)
{
    const QString sources =
        nameList(design, e.value(QStringLiteral("sources")).toArray(), QStringLiteral(", "));
    const QString destination = str(e, "destination");
    return joined(
        {sources.isEmpty() ? QString() : QStringLiteral("from ") + sources,
         destination.isEmpty() ? QString() : QStringLiteral("to ") + nameOf(design, destination)});
}

QString storageDetails(const Element &e)
{
    QStringList portals;
    for (const QJsonValue p : e.value(QStringLiteral("portals")).toArray())
        portals << p.toString();
    return joined({portals.join(QStringLiteral(", ")),
                   e.value(QStringLiteral("chap")).toBool() ? QStringLiteral("CHAP") : QString()});
}

// Sibling order: document (enum) order of kinds, except that a host's management-OS vNICs
// come before its VMs; within a kind, creation order.
int rank(ElementKind kind)
{
    if (kind == ElementKind::VirtualNic)
        return int(ElementKind::VirtualMachine) * 2 - 1;
    return int(kind) * 2;
}

} // namespace

QString formatBandwidth(double bitsPerSecond)
{
    static const std::pair<double, const char *> units[] = {
        {1e12, "Tbps"}, {1e9, "Gbps"}, {1e6, "Mbps"}, {1e3, "kbps"}};
    for (const auto &[scale, unit] : units) {
        if (bitsPerSecond >= scale)
            return QString::number(bitsPerSecond / scale, 'g', 4) + QLatin1Char(' ') +
                   QLatin1String(unit);
    }
    return QString::number(bitsPerSecond, 'f', 0) + QStringLiteral(" bps");
}

QString kindLabel(ElementKind kind)
{
    static const char *labels[] = {
        "Host",          "Physical NIC",    "Team",          "Virtual switch", "VM",
        "vNIC",          "Physical switch", "Switch port",   "Link",           "VLAN",
        "Subnet",        "VM network",      "Resource pool", "Mirror session", "DHCP failover",
        "Storage target"};
    return QString::fromLatin1(labels[int(kind)]);
}

QString groupLabel(ElementKind kind)
{
    static const char *labels[] = {"Hosts",
                                   "Physical NICs",
                                   "Teams",
                                   "Virtual switches",
                                   "VMs",
                                   "vNICs",
                                   "Physical switches",
                                   "Switch ports",
                                   "Links",
                                   "VLANs",
                                   "Subnets",
                                   "VM networks",
                                   "Resource pools",
                                   "Mirror sessions",
                                   "DHCP failovers",
                                   "Storage targets"};
    return QString::fromLatin1(labels[int(kind)]);
}

QString elementDetails(const Design &design, const Element &e)
{
    switch (e.kind) {
    case ElementKind::Host:
        return hostDetails(e);
    case ElementKind::PhysicalNic:
        return nicDetails(e);
    case ElementKind::Team:
        return teamDetails(design, e);
    case ElementKind::VirtualSwitch:
        return switchDetails(design, e);
    case ElementKind::VirtualMachine:
        return vmDetails(design, e);
    case ElementKind::VirtualNic:
        return vnicDetails(design, e);
    case ElementKind::PhysicalSwitch:
        return physicalSwitchDetails(design, e);
    case ElementKind::SwitchPort:
        return portDetails(e);
    case ElementKind::Link:
        return endName(design, str(e, "a")) + QStringLiteral(" \u2194 ") +
               endName(design, str(e, "b"));
    case ElementKind::Vlan:
        return QStringLiteral("VLAN %1").arg(e.value(QStringLiteral("vlanId")).toInt());
    case ElementKind::Subnet:
        return subnetDetails(design, e);
    case ElementKind::VmNetwork:
        return vmNetworkDetails(e);
    case ElementKind::MirrorSession:
        return mirrorDetails(design, e);
    case ElementKind::DhcpFailover:
        return joined(
            {str(e, "mode"),
             nameList(design, e.value(QStringLiteral("servers")).toArray(), QStringLiteral(", "))});
    case ElementKind::StorageTarget:
        return storageDetails(e);
    case ElementKind::ResourcePool:
        break;
    }
    return str(e, "description");
}

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
    if (key != QLatin1String("name") && key != QLatin1String("vlanId"))
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
