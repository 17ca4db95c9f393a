#include "planops.h"
#include "ratelimits.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace converge::core::realize::planops {

namespace {

QString intSet(const QList<int> &values)
{
    QStringList parts;
    for (int v : values)
        parts << QString::number(v);
    return QLatin1Char('[') + parts.join(QLatin1Char(',')) + QLatin1Char(']');
}

QString policyText(const Port &p)
{
    return QString::fromUtf8(QJsonDocument(p.policyJson()).toJson(QJsonDocument::Compact));
}

QStringList interfacesOf(const Port &p)
{
    return p.type == Port::Type::Bond ? p.members : QStringList{p.name};
}

QStringList ipCmd(std::initializer_list<QString> args)
{
    return QStringList(args);
}

} // namespace

QString atom(const QString &s)
{
    const QByteArray doc = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(doc.mid(1, doc.size() - 2));
}

Operation operation(Operation::Kind kind, const QString &bridge, const QString &target,
                    bool destructive)
{
    Operation op;
    op.kind = kind;
    op.bridge = bridge;
    op.target = target;
    op.destructive = destructive;
    return op;
}

QList<QStringList> portColumns(const Bridge &b, const Port &p)
{
    QStringList port{QStringLiteral("set"), QStringLiteral("Port"), p.name};
    const bool overlay = p.vsid >= 0;
    const int tag = overlay ? overlayVlan : p.tag;
    const QString vlanMode = overlay ? QStringLiteral("access") : p.vlanMode;
    port << (tag >= 0 ? QStringLiteral("tag=%1").arg(tag) : QStringLiteral("tag=[]"));
    port << QStringLiteral("trunks=") + intSet(p.trunks);
    port << (vlanMode.isEmpty() ? QStringLiteral("vlan_mode=[]")
                                : QStringLiteral("vlan_mode=") + vlanMode);
    port << (p.isolated ? QStringLiteral("protected=true") : QStringLiteral("protected=false"));
    if (p.type == Port::Type::Bond) {
        port << QStringLiteral("bond_mode=") + p.bondMode;
        port << (p.lacp ? QStringLiteral("lacp=active") : QStringLiteral("lacp=off"));
    }
    port << QStringLiteral("external_ids:converge-id=") + atom(p.elementId);
    port << QStringLiteral("external_ids:converge-uplink=") +
                (p.uplink ? QStringLiteral("true") : QStringLiteral("false"));
    port << QStringLiteral("external_ids:converge-policy=") + atom(policyText(p));
    port << QStringLiteral("external_ids:converge-max-rate=%1").arg(p.maxRateKbps);
    QList<QStringList> out{port};
    if (p.type == Port::Type::Bond) {
        if (p.bondPrimary.isEmpty())
            out << QStringList{QStringLiteral("remove"), QStringLiteral("Port"), p.name,
                               QStringLiteral("other_config"), QStringLiteral("bond-primary")};
        else
            out << QStringList{QStringLiteral("set"), QStringLiteral("Port"), p.name,
                               QStringLiteral("other_config:bond-primary=") + atom(p.bondPrimary)};
    }
    for (const QString &iface : interfacesOf(p)) {
        QStringList i{QStringLiteral("set"), QStringLiteral("Interface"), iface};
        i << (p.mtu > 0 ? QStringLiteral("mtu_request=%1").arg(p.mtu)
                        : QStringLiteral("mtu_request=[]"));
        if (p.type != Port::Type::Bond)
            i << QStringLiteral("ingress_policing_rate=%1").arg(policingRateKbps(b, p))
              << QStringLiteral("ingress_policing_burst=%1").arg(policingBurstKbits(b, p));
        out << i;
    }
    return out;
}

QList<QStringList> addPortCommands(const Bridge &b, const Port &p)
{
    QList<QStringList> out;
    if (p.type == Port::Type::Bond)
        out << (QStringList{QStringLiteral("add-bond"), b.name, p.name} + p.members);
    else
        out << QStringList{QStringLiteral("add-port"), b.name, p.name};
    if (p.type == Port::Type::Internal)
        out << QStringList{QStringLiteral("set"), QStringLiteral("Interface"), p.name,
                           QStringLiteral("type=internal")};
    // Flow-based tunnels: the flows set the remote address and the key (overlayflows.cpp).
    if (p.type == Port::Type::Vxlan || p.type == Port::Type::Gre)
        out << QStringList{QStringLiteral("set"),
                           QStringLiteral("Interface"),
                           p.name,
                           QStringLiteral("type=") + typeName(p.type),
                           QStringLiteral("options:remote_ip=flow"),
                           QStringLiteral("options:key=flow")};
    return out + portColumns(b, p);
}

QList<QStringList> addressCommands(const QString &device, const QStringList &desired,
                                   const QStringList &current, bool isNew)
{
    QList<QStringList> out;
    for (const QString &a : current)
        if (!desired.contains(a))
            out << ipCmd(
                {QStringLiteral("addr"), QStringLiteral("del"), a, QStringLiteral("dev"), device});
    for (const QString &a : desired)
        if (!current.contains(a))
            out << ipCmd(
                {QStringLiteral("addr"), QStringLiteral("add"), a, QStringLiteral("dev"), device});
    if (isNew || !out.isEmpty())
        out.prepend(ipCmd({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("dev"),
                           device, QStringLiteral("up")}));
    return out;
}

QList<QStringList> addressCommands(const Port &desired, const QStringList &current, bool isNew)
{
    return addressCommands(desired.name, desired.addresses, current, isNew);
}

bool sameExceptAddresses(Port a, Port b)
{
    a.addresses.clear();
    b.addresses.clear();
    return a == b;
}

QList<QStringList> mirrorAdd(const Mirror &m, int serial)
{
    QList<QStringList> out;
    QHash<QString, QString> ids;
    auto ref = [&](const QString &port) {
        if (!ids.contains(port)) {
            const QString id = QStringLiteral("@cvm%1p%2").arg(serial).arg(ids.size());
            ids.insert(port, id);
            out << QStringList{QStringLiteral("--id=") + id, QStringLiteral("get"),
                               QStringLiteral("Port"), port};
        }
        return ids.value(port);
    };
    QStringList src, dst;
    for (const QString &p : m.selectSrc)
        src << ref(p);
    for (const QString &p : m.selectDst)
        dst << ref(p);
    const QString output = ref(m.output);
    const QString id = QStringLiteral("@cvm%1").arg(serial);
    QStringList create{QStringLiteral("--id=") + id, QStringLiteral("create"),
                       QStringLiteral("Mirror"), QStringLiteral("name=") + atom(m.name)};
    if (!src.isEmpty())
        create << QStringLiteral("select_src_port=") + src.join(QLatin1Char(','));
    if (!dst.isEmpty())
        create << QStringLiteral("select_dst_port=") + dst.join(QLatin1Char(','));
    create << QStringLiteral("output_port=") + output
           << QStringLiteral("external_ids:converge-id=") + atom(m.elementId);
    out << create;
    out << QStringList{QStringLiteral("add"), QStringLiteral("Bridge"), m.bridge,
                       QStringLiteral("mirrors"), id};
    return out;
}

QList<QStringList> mirrorRemove(const Mirror &m)
{
    // By the row's UUID, never by its name: ovs-vsctl looks a record up by UUID before it tries
    // names (a mirror named with another's UUID is taken for that one) and reads a name starting
    // with '-' as an option ("--" ends the command). A mirror not read from a host has no UUID:
    // ovs-vsctl refuses the empty one and the transaction changes nothing.
    return {{QStringLiteral("remove"), QStringLiteral("Bridge"), m.bridge,
             QStringLiteral("mirrors"), m.uuid.value}};
}

QList<QStringList> bridgeAdd(const Bridge &b)
{
    QList<QStringList> commands{
        {QStringLiteral("add-br"), b.name},
        {QStringLiteral("set"), QStringLiteral("Bridge"), b.name,
         QStringLiteral("datapath_type=") +
             (b.datapathType.isEmpty() ? QStringLiteral("system") : b.datapathType),
         QStringLiteral("protocols=OpenFlow10,OpenFlow13,OpenFlow14"),
         QStringLiteral("external_ids:converge-managed=true"),
         QStringLiteral("external_ids:converge-id=") + atom(b.elementId),
         QStringLiteral("external_ids:converge-sriov=") +
             (b.sriov ? QStringLiteral("true") : QStringLiteral("false"))}};
    for (const auto &[key, value] : optionalBridgeIds(b)) {
        if (!value.isEmpty())
            commands[1] << QStringLiteral("external_ids:%1=%2").arg(key, atom(value));
    }
    return commands;
}

std::vector<std::pair<QString, QString>> optionalBridgeIds(const Bridge &b)
{
    return {{QStringLiteral("converge-pvlans"), pvlansText(b.pvlans)},
            {QStringLiteral("converge-overlays"), overlaysText(b.overlays)},
            {QStringLiteral("converge-pa"), b.providerAddress}};
}

QString overlaysText(const std::vector<Overlay> &overlays)
{
    if (overlays.empty())
        return {};
    return QString::fromUtf8(QJsonDocument(overlaysJson(overlays)).toJson(QJsonDocument::Compact));
}

QString pvlansText(const std::vector<PvlanDomain> &pvlans)
{
    if (pvlans.empty())
        return {};
    return QString::fromUtf8(QJsonDocument(pvlansJson(pvlans)).toJson(QJsonDocument::Compact));
}

QString show(const QList<int> &v)
{
    return v.isEmpty() ? QStringLiteral("none") : intSet(v);
}
QString show(const QStringList &v)
{
    return v.isEmpty() ? QStringLiteral("none") : v.join(u", ");
}
QString show(const QString &v)
{
    return v.isEmpty() ? QStringLiteral("none") : v;
}
QString show(int v)
{
    return v < 0 ? QStringLiteral("none") : QString::number(v);
}
QString show(qint64 v)
{
    return v == 0 ? QStringLiteral("none") : QString::number(v);
}
QString show(bool v)
{
    return v ? QStringLiteral("on") : QStringLiteral("off");
}

} // namespace converge::core::realize::planops
