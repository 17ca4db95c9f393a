#include "elementsummary.h"

#include "core/model/schema.h"

#include <QJsonArray>

#include <algorithm>

namespace converge::views {

using core::Design;
using core::Element;
using core::ElementKind;
namespace key = core::key;
namespace value = core::value;

namespace {

QString str(const Element &e, QLatin1StringView key)
{
    return e.value(key).toString();
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
    QList<int> v;
    for (const QJsonValue id : ids)
        v << id.toInt();
    return core::formatVlanList(v);
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
    const QString platform = str(e, key::platform) == value::hyperv
                                 ? QStringLiteral("Hyper-V %1").arg(str(e, key::edition)).trimmed()
                                 : QStringLiteral("Linux + Open vSwitch");
    const QString cluster = str(e, key::cluster);
    return joined({platform, cluster.isEmpty() ? QString() : QStringLiteral("cluster ") + cluster});
}

QString nicDetails(const Element &e)
{
    const QString ifName = str(e, key::interfaceName);
    const double speed = e.value(key::speed).toDouble();
    const int mtu = e.value(key::mtu).toInt();
    return joined({ifName != e.name() ? ifName : QString(),
                   speed > 0 ? formatBandwidth(speed) : QString(),
                   mtu > 0 ? QStringLiteral("MTU %1").arg(mtu) : QString(), str(e, key::role)});
}

QString teamDetails(const Design &design, const Element &e)
{
    const QString members =
        nameList(design, e.value(key::members).toArray(), QStringLiteral(" + "));
    const QString standby = str(e, key::standbyMember);
    QStringList mode{str(e, key::mode), str(e, key::loadBalancing)};
    mode.removeAll(QString());
    return joined(
        {members, mode.join(QStringLiteral(" / ")),
         standby.isEmpty() ? QString() : QStringLiteral("standby ") + nameOf(design, standby),
         e.value(key::switchEmbedded).toBool() ? QStringLiteral("SET") : QString()});
}

QString switchDetails(const Design &design, const Element &e)
{
    const QString uplink = str(e, key::uplink);
    return joined(
        {str(e, key::type),
         uplink.isEmpty() ? QString() : QStringLiteral("uplink ") + nameOf(design, uplink),
         e.value(key::sriov).toBool() ? QStringLiteral("SR-IOV") : QString()});
}

QString vnicVlan(const Element &e)
{
    const QString mode = str(e, key::vlanMode);
    if (mode == value::access)
        return QStringLiteral("VLAN %1").arg(e.value(key::accessVlan).toInt());
    if (mode == value::trunk) {
        QString text = QStringLiteral("trunk ") + vlanList(e.value(key::trunkVlans).toArray());
        if (e.props.contains(key::nativeVlan))
            text += QStringLiteral(" native %1").arg(e.value(key::nativeVlan).toInt());
        return text;
    }
    if (mode == value::pvlan)
        return QStringLiteral("PVLAN %1/%2 %3")
            .arg(e.value(key::pvlanPrimary).toInt())
            .arg(e.value(key::pvlanSecondary).toInt())
            .arg(str(e, key::pvlanMode));
    return {};
}

QString vnicDetails(const Design &design, const Element &e)
{
    QStringList addresses;
    for (const QJsonValue a : e.value(key::addresses).toArray())
        addresses << a.toString();
    const QString sw = str(e, key::switch_);
    return joined({addresses.join(QStringLiteral(", ")), vnicVlan(e),
                   sw.isEmpty() ? QString() : QStringLiteral("switch ") + nameOf(design, sw)});
}

QString vmDetails(const Design &design, const Element &e)
{
    const int vcpus = e.value(key::vcpus).toInt();
    const int mib = e.value(key::memoryMiB).toInt();
    const auto vnics = design.children(e.id, ElementKind::VirtualNic).size();
    return joined({vcpus > 0 ? QStringLiteral("%1 vCPU").arg(vcpus) : QString(),
                   mib > 0 ? memory(mib) : QString(),
                   vnics == 1 ? QStringLiteral("1 vNIC") : QStringLiteral("%1 vNICs").arg(vnics)});
}

QString portDetails(const Element &e)
{
    QString vlans;
    if (str(e, key::mode) == value::trunk) {
        vlans = QStringLiteral("trunk ") + vlanList(e.value(key::allowedVlans).toArray());
        if (e.props.contains(key::nativeVlan))
            vlans += QStringLiteral(" native %1").arg(e.value(key::nativeVlan).toInt());
    } else if (e.props.contains(key::accessVlan)) {
        vlans = QStringLiteral("access VLAN %1").arg(e.value(key::accessVlan).toInt());
    }
    const int channel = e.value(key::portChannel).toInt();
    const double speed = e.value(key::speed).toDouble();
    return joined(
        {vlans,
         channel > 0
             ? QStringLiteral("Po%1 %2").arg(channel).arg(str(e, key::channelMode)).trimmed()
             : QString(),
         speed > 0 ? formatBandwidth(speed) : QString()});
}

QString physicalSwitchDetails(const Design &design, const Element &e)
{
    const auto ports = design.children(e.id, ElementKind::SwitchPort).size();
    return joined({str(e, key::model), str(e, key::managementAddress),
                   ports == 1 ? QStringLiteral("1 port") : QStringLiteral("%1 ports").arg(ports)});
}

QString subnetDetails(const Design &design, const Element &e)
{
    const QString gateway = str(e, key::gateway);
    const QString vlan = str(e, key::vlan);
    const Element *v = design.find(vlan);
    return joined({str(e, key::prefix),
                   gateway.isEmpty() ? QString() : QStringLiteral("gateway ") + gateway,
                   v ? QStringLiteral("VLAN %1").arg(v->value(key::vlanId).toInt()) : QString(),
                   str(e, key::routingDomain)});
}

QString vmNetworkDetails(const Element &e)
{
    QStringList subnets;
    for (const QJsonValue s : e.value(key::customerSubnets).toArray())
        subnets << s.toString();
    return joined({str(e, key::isolation),
                   e.props.contains(key::vsid)
                       ? QStringLiteral("VSID %1").arg(e.value(key::vsid).toInteger())
                       : QString(),
                   str(e, key::encapsulation), subnets.join(QStringLiteral(", "))});
}

QString mirrorDetails(const Design &design, const Element &e)
{
    const QString sources = nameList(design, e.value(key::sources).toArray(), QStringLiteral(", "));
    const QString destination = str(e, key::destination);
    return joined(
        {sources.isEmpty() ? QString() : QStringLiteral("from ") + sources,
         destination.isEmpty() ? QString() : QStringLiteral("to ") + nameOf(design, destination)});
}

QString storageDetails(const Element &e)
{
    QStringList portals;
    for (const QJsonValue p : e.value(key::portals).toArray())
        portals << p.toString();
    return joined({portals.join(QStringLiteral(", ")),
                   e.value(key::chap).toBool() ? QStringLiteral("CHAP") : QString()});
}

} // namespace

QString kindLabel(ElementKind kind)
{
    return core::kindTexts(kind).label;
}

QString groupLabel(ElementKind kind)
{
    return core::kindTexts(kind).groupLabel;
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
        return endName(design, str(e, key::a)) + QStringLiteral(" \u2194 ") +
               endName(design, str(e, key::b));
    case ElementKind::Vlan:
        return QStringLiteral("VLAN %1").arg(e.value(key::vlanId).toInt());
    case ElementKind::Subnet:
        return subnetDetails(design, e);
    case ElementKind::VmNetwork:
        return vmNetworkDetails(e);
    case ElementKind::MirrorSession:
        return mirrorDetails(design, e);
    case ElementKind::DhcpFailover:
        return joined({str(e, key::mode),
                       nameList(design, e.value(key::servers).toArray(), QStringLiteral(", "))});
    case ElementKind::StorageTarget:
        return storageDetails(e);
    case ElementKind::Suppression:
        return joined({str(e, key::rule), str(e, key::justification)});
    case ElementKind::ResourcePool:
        break;
    }
    return str(e, key::description);
}

} // namespace converge::views
