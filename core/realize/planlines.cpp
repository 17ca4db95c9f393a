#include "planlines.h"
#include "ratelimits.h"

#include "flows.h"
#include "planops.h"

#include "core/model/labels.h"
#include "core/model/propertykeys.h"
#include "core/model/schema.h"

#include <map>

namespace converge::core::realize::planlines {

namespace {

// A port with the bridge it is read on (PVLAN domains, datapath).
struct PortView
{
    const Bridge &bridge;
    const Port &port;
};

// One setting of a bridge or port: what it is called, how its value reads (empty: not set,
// which a new one leaves out and a change writes as `unset`), and what follows a line that sets
// it (how it is enforced).
template<typename T> struct Setting
{
    QString label;
    QString (*value)(const T &);
    QString unset = QStringLiteral("none");
    bool whenNew = true; // a new bridge or port lists it
    QString (*how)(const T &) = nullptr;
};

// A list of items (ACL rules, PVLAN domains), each a line of its own, added and removed one by one.
template<typename T> struct ListSetting
{
    QString label;  // before each item: "ACL deny in ..."
    QString plural; // "ACLs: the same 3 in a new order"
    QStringList (*items)(const T &);
};

QString onOff(bool on)
{
    return on ? QStringLiteral("on") : QString();
}

QString noun(core::ElementKind kind)
{
    return core::kindTexts(kind).noun;
}

// "up1 (standby up2)": the member an active-backup bond prefers, and the others.
QString primaryText(const Port &p)
{
    if (p.bondPrimary.isEmpty())
        return {};
    QStringList standby = p.members;
    standby.removeAll(p.bondPrimary);
    return standby.isEmpty()
               ? p.bondPrimary
               : QStringLiteral("%1 (standby %2)").arg(p.bondPrimary, standby.join(u", "));
}

// What blocking MAC spoofing does (flows.cpp, table 0): without a MAC there is nothing to admit.
QString macGuardText(const Port &p)
{
    return p.mac.isEmpty() ? QStringLiteral("not enforced: the port has no MAC")
                           : QStringLiteral("the port may send from %1 only").arg(p.mac);
}

QString rateText(const Port &p)
{
    return p.maxRateKbps > 0 ? core::formatBandwidth(double(p.maxRateKbps) * 1000) : QString();
}

QString encapsulationText(const QString &encapsulation)
{
    return encapsulation == QLatin1String("vxlan") ? QStringLiteral("VXLAN")
                                                   : QStringLiteral("NVGRE");
}

// "VSID 5001 over VXLAN to 10.77.0.2 (2 MACs)": an overlay and the hosts its tunnels reach.
QString overlayText(const Overlay &o)
{
    QStringList remotes;
    for (const TunnelEndpoint &r : o.remotes)
        remotes << QStringLiteral("%1 (%2 MAC%3)")
                       .arg(r.address)
                       .arg(r.macs.size())
                       .arg(r.macs.size() == 1 ? QString() : QStringLiteral("s"));
    return QStringLiteral("VSID %1 over %2 to %3")
        .arg(o.vsid)
        .arg(encapsulationText(o.encapsulation))
        .arg(remotes.isEmpty() ? QStringLiteral("no other host") : remotes.join(u", "));
}

QString datapathText(const Bridge &b)
{
    if (b.datapathType == QLatin1String("system"))
        return QStringLiteral("system (kernel)");
    if (b.datapathType == QLatin1String("netdev"))
        return QStringLiteral("netdev (userspace)");
    return b.datapathType;
}

// NOLINTNEXTLINE(readability-function-size): a declarative table
const std::vector<Setting<PortView>> &portSettings()
{
    using V = const PortView &;
    static const std::vector<Setting<PortView>> rows{
        {QStringLiteral("type"),
         [](V v) { return v.port.type == Port::Type::System ? QString() : typeName(v.port.type); },
         typeName(Port::Type::System)},
        {QStringLiteral("uplink"),
         [](V v) { return v.port.uplink ? QStringLiteral("yes") : QString(); },
         QStringLiteral("no")},
        {QStringLiteral("overlay"),
         [](V v) {
             return v.port.vsid < 0 ? QString()
                                    : QStringLiteral("VSID %1 over %2")
                                          .arg(v.port.vsid)
                                          .arg(encapsulationText(v.port.encapsulation));
         },
         QStringLiteral("none"), true,
         [](V) {
             return QStringLiteral("delivered by MAC, never through NORMAL");
         }},
        {QStringLiteral("bond mode"),
         [](V v) {
             return bondModeText(v.port.bondMode);
         }},
        {QStringLiteral("members"),
         [](V v) {
             return v.port.members.join(u", ");
         }},
        {QStringLiteral("LACP"),
         [](V v) { return v.port.lacp ? QStringLiteral("active") : QString(); },
         QStringLiteral("off")},
        {QStringLiteral("primary member"),
         [](V v) {
             return primaryText(v.port);
         }},
        {QStringLiteral("VLAN"),
         [](V v) {
             return vlanText(v.bridge, v.port);
         }},
        {QStringLiteral("MTU"),
         [](V v) { return v.port.mtu > 0 ? QString::number(v.port.mtu) : QString(); },
         QStringLiteral("not set")},
        {QStringLiteral("maximum rate from the ") + noun(core::ElementKind::VirtualNic),
         [](V v) { return rateText(v.port); }, QStringLiteral("none"), true,
         [](V v) {
             return rateMechanism(v.bridge, v.port);
         }},
        {QStringLiteral("MAC"),
         [](V v) {
             return v.port.mac;
         }},
        {QStringLiteral("MAC spoofing"),
         [](V v) { return v.port.macSpoofing ? QString() : QStringLiteral("blocked"); },
         QStringLiteral("allowed"), true,
         [](V v) {
             return macGuardText(v.port);
         }},
        {QStringLiteral("DHCP guard"), [](V v) { return onOff(v.port.dhcpGuard); },
         QStringLiteral("off"), true,
         [](V) {
             return QStringLiteral("drops DHCP server messages from the port");
         }},
        {QStringLiteral("router guard"), [](V v) { return onOff(v.port.routerGuard); },
         QStringLiteral("off"), true,
         [](V) {
             return QStringLiteral("drops IPv6 router advertisements and redirects from the "
                                   "port");
         }},
        {QStringLiteral("element"), [](V v) { return v.port.elementId; }, QStringLiteral("none"),
         false},
    };
    return rows;
}

const std::vector<ListSetting<PortView>> &portLists()
{
    static const std::vector<ListSetting<PortView>> rows{
        {QStringLiteral("ACL"), QStringLiteral("ACLs"),
         [](const PortView &v) {
             QStringList out;
             for (const Acl &a : v.port.acls)
                 out << aclText(a);
             return out;
         }},
    };
    return rows;
}

QString domainText(const PvlanDomain &d)
{
    QStringList parts;
    if (!d.isolated.isEmpty())
        parts << QStringLiteral("isolated ") + core::formatVlanList(d.isolated);
    if (!d.communities.isEmpty())
        parts << (d.communities.size() == 1 ? QStringLiteral("community ")
                                            : QStringLiteral("communities ")) +
                     core::formatVlanList(d.communities);
    return QStringLiteral("%1 (%2)").arg(d.primary).arg(
        parts.isEmpty() ? QStringLiteral("no secondary VLANs") : parts.join(u"; "));
}

const std::vector<Setting<Bridge>> &bridgeSettings()
{
    using B = const Bridge &;
    static const std::vector<Setting<Bridge>> rows{
        {QStringLiteral("datapath"), [](B b) { return datapathText(b); },
         QStringLiteral("not set")},
        {QStringLiteral("SR-IOV"), [](B b) { return onOff(b.sriov); }, QStringLiteral("off")},
        {QStringLiteral("provider address"), [](B b) { return b.providerAddress; },
         QStringLiteral("none")},
        {QStringLiteral("element"), [](B b) { return b.elementId; }, QStringLiteral("none"), false},
    };
    return rows;
}

const std::vector<ListSetting<Bridge>> &bridgeLists()
{
    static const std::vector<ListSetting<Bridge>> rows{
        {QStringLiteral("PVLAN"), QStringLiteral("PVLAN domains"),
         [](const Bridge &b) {
             QStringList out;
             for (const PvlanDomain &d : b.pvlans)
                 out << domainText(d);
             return out;
         }},
        {QStringLiteral("overlay"), QStringLiteral("overlays"),
         [](const Bridge &b) {
             QStringList out;
             for (const Overlay &o : b.overlays)
                 out << overlayText(o);
             return out;
         }},
    };
    return rows;
}

// A line that sets `s` on `object`, and how that is enforced.
template<typename T> QString withHow(const Setting<T> &s, const T &object, QString line)
{
    if (s.how && !s.value(object).isEmpty())
        if (const QString how = s.how(object); !how.isEmpty())
            line += QStringLiteral(" (%1)").arg(how);
    return line;
}

template<typename T>
QStringList newLines(const std::vector<Setting<T>> &settings,
                     const std::vector<ListSetting<T>> &lists, const T &object)
{
    QStringList out;
    for (const Setting<T> &s : settings)
        if (const QString value = s.value(object); s.whenNew && !value.isEmpty())
            out << withHow(s, object, s.label + QStringLiteral(": ") + value);
    for (const ListSetting<T> &l : lists)
        for (const QString &item : l.items(object))
            out << l.label + QLatin1Char(' ') + item;
    return out;
}

// Items compared as a multiset: each current item the desired list still has is matched once.
template<typename T>
void listChanges(const ListSetting<T> &l, const T &c, const T &d, QStringList &out)
{
    const QStringList had = l.items(c);
    const QStringList wanted = l.items(d);
    QStringList added = wanted;
    QStringList removed;
    for (const QString &item : had)
        if (!added.removeOne(item))
            removed << item;
    for (const QString &item : removed)
        out << QStringLiteral("- ") + l.label + QLatin1Char(' ') + item;
    for (const QString &item : added)
        out << QStringLiteral("+ ") + l.label + QLatin1Char(' ') + item;
    if (removed.isEmpty() && added.isEmpty() && had != wanted)
        out << QStringLiteral("%1: the same %2 in a new order").arg(l.plural).arg(had.size());
}

template<typename T>
QStringList changeLines(const std::vector<Setting<T>> &settings,
                        const std::vector<ListSetting<T>> &lists, const T &c, const T &d)
{
    QStringList out;
    for (const Setting<T> &s : settings) {
        const QString from = s.value(c);
        const QString to = s.value(d);
        if (from != to)
            out << withHow(
                s, d,
                QStringLiteral("%1: %2 -> %3")
                    .arg(s.label, from.isEmpty() ? s.unset : from, to.isEmpty() ? s.unset : to));
    }
    for (const ListSetting<T> &l : lists)
        listChanges(l, c, d, out);
    return out;
}

// Every field of the port's VLAN settings, for shapes the readable texts do not cover.
QString rawVlanText(const Port &p)
{
    return QStringLiteral("vlan_mode %1, tag %2, trunks %3, protected %4, PVLAN primary %5, "
                          "community %6")
        .arg(planops::show(p.vlanMode), planops::show(p.tag), planops::show(p.trunks),
             planops::show(p.isolated), planops::show(p.pvlanPrimary), planops::show(p.community));
}

// The PVLAN roles of a port, as desiredstate.h makes them; empty for any other shape.
QString pvlanRoleText(const Port &p)
{
    const bool access = p.vlanMode == QLatin1String("access") && p.trunks.isEmpty() && p.tag >= 0;
    if (!access)
        return {};
    if (p.isolated && p.community < 0)
        return QStringLiteral("isolated in PVLAN %1 (secondary %2)").arg(p.pvlanPrimary).arg(p.tag);
    if (!p.isolated && p.community >= 0 && p.community == p.tag)
        return QStringLiteral("community %1 in PVLAN %2").arg(p.community).arg(p.pvlanPrimary);
    return {};
}

QString trunkText(const Port &p)
{
    return QStringLiteral("trunk ") +
           (p.trunks.isEmpty() ? QStringLiteral("all VLANs") : core::formatVlanList(p.trunks));
}

} // namespace

QString bondModeText(const QString &bondMode)
{
    const QString team = noun(core::ElementKind::Team);
    const QString switchIndependentOrStatic =
        QString(core::value::switchIndependent) + QStringLiteral(" or ") + core::value::static_;
    if (bondMode == QLatin1String("balance-tcp"))
        return QStringLiteral("balance-tcp (%1 mode %2)").arg(team, core::value::lacp);
    if (bondMode == QLatin1String("active-backup"))
        return QStringLiteral("active-backup (%1 mode %2, with a standby member)")
            .arg(team, switchIndependentOrStatic);
    if (bondMode == QLatin1String("balance-slb"))
        return QStringLiteral("balance-slb (%1 mode %2, no standby member)")
            .arg(team, switchIndependentOrStatic);
    return bondMode;
}

QString vlanText(const Bridge &bridge, const Port &p)
{
    if (p.pvlanPrimary >= 0) {
        const QString role = pvlanRoleText(p);
        return role.isEmpty() ? rawVlanText(p) : role;
    }
    if (p.isolated || p.community >= 0)
        return rawVlanText(p);
    if (p.vlanMode == QLatin1String("access") && p.trunks.isEmpty() && p.tag >= 0)
        return promiscuousIn(bridge, p) ? QStringLiteral("promiscuous in PVLAN %1").arg(p.tag)
                                        : QStringLiteral("access %1").arg(p.tag);
    if (p.vlanMode == QLatin1String("trunk") && p.tag < 0)
        return trunkText(p);
    if (p.vlanMode == QLatin1String("native-untagged") && p.tag >= 0)
        return trunkText(p) + QStringLiteral(", native %1 untagged").arg(p.tag);
    if (p.vlanMode.isEmpty() && p.tag < 0 && p.trunks.isEmpty())
        return QStringLiteral("all VLANs (no tag)");
    return rawVlanText(p);
}

QString aclText(const Acl &a)
{
    const auto endpoint = [](const QString &prefix, const QString &mac, const QList<int> &ports) {
        QStringList e;
        if (!prefix.isEmpty())
            e << prefix;
        if (!mac.isEmpty())
            e << QStringLiteral("MAC ") + mac;
        if (e.isEmpty())
            e << QStringLiteral("any");
        if (!ports.isEmpty()) {
            QStringList numbers;
            for (int port : ports)
                numbers << QString::number(port);
            e << (ports.size() == 1 ? QStringLiteral("port ") : QStringLiteral("ports ")) +
                     numbers.join(u", ");
        }
        return e.join(QLatin1Char(' '));
    };
    const QString local = endpoint(a.localPrefix, a.localMac, a.localPorts);
    const QString remote = endpoint(a.remotePrefix, a.remoteMac, a.remotePorts);
    const bool in = a.direction == QLatin1String("in");
    QStringList words{a.action, a.direction};
    if (!a.protocol.isEmpty())
        words << a.protocol;
    words << QStringLiteral("from") << (in ? remote : local) << QStringLiteral("to")
          << (in ? local : remote);
    QString text = words.join(QLatin1Char(' '));
    if (a.weight > 0)
        text += QStringLiteral(", weight %1").arg(a.weight);
    return text;
}

QStringList newBridge(const Bridge &bridge)
{
    return newLines(bridgeSettings(), bridgeLists(), bridge);
}

QStringList newPort(const Bridge &bridge, const Port &port)
{
    return newLines(portSettings(), portLists(), PortView{bridge, port});
}

QStringList bridgeChanges(const Bridge &current, const Bridge &desired)
{
    // A desired bridge without a datapath takes the host's (the agent fills it in when planning).
    Bridge d = desired;
    if (d.datapathType.isEmpty())
        d.datapathType = current.datapathType;
    return changeLines(bridgeSettings(), bridgeLists(), current, d);
}

QStringList portChanges(const Bridge &currentBridge, const Port &current,
                        const Bridge &desiredBridge, const Port &desired)
{
    return changeLines(portSettings(), portLists(), PortView{currentBridge, current},
                       PortView{desiredBridge, desired});
}

QString flowTable(const Bridge &bridge)
{
    std::map<FlowPurpose, int> counts;
    const std::vector<PurposedFlow> flows = purposedFlows(bridge);
    for (const PurposedFlow &f : flows)
        ++counts[f.purpose];
    QStringList parts;
    for (const auto &[purpose, count] : counts) {
        switch (purpose) {
        case FlowPurpose::RateLimit:
            parts << QStringLiteral("%1 rate limit").arg(count);
            break;
        case FlowPurpose::Overlay:
            parts << QStringLiteral("%1 overlay").arg(count);
            break;
        case FlowPurpose::Guard:
            parts << QStringLiteral("%1 guard").arg(count);
            break;
        case FlowPurpose::Acl:
            parts << QStringLiteral("%1 ACL").arg(count);
            break;
        case FlowPurpose::Pvlan:
            parts << QStringLiteral("%1 PVLAN").arg(count);
            break;
        case FlowPurpose::Default:
            parts << QStringLiteral("%1 forwarding").arg(count);
            break;
        }
    }
    return QStringLiteral("%1 flows: %2").arg(flows.size()).arg(parts.join(u", "));
}

} // namespace converge::core::realize::planlines
