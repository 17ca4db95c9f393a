#include "portsettings.h"

#include "core/model/design.h"
#include "core/model/newelements.h"
#include "core/util/ipaddress.h"

#include <QJsonArray>

namespace converge::core::realize {

using core::Element;

namespace {

QList<int> intList(const QJsonValue &v)
{
    QList<int> out;
    for (const QJsonValue &x : v.toArray())
        out.append(x.toInt());
    return out;
}

QString networkForm(const QString &prefix)
{
    const auto p = core::IpPrefix::parse(prefix);
    if (!p)
        return {};
    return p->network().address.toString() + QLatin1Char('/') + QString::number(p->length);
}

// One ACL record of the design, without its direction.
Acl aclOf(const QJsonObject &r)
{
    Acl a;
    a.action = r.value(key::action).toString().toLower();
    a.localPrefix = networkForm(r.value(key::localAddress).toString());
    a.remotePrefix = networkForm(r.value(key::remoteAddress).toString());
    a.localMac = canonicalMac(r.value(key::localMac).toString());
    a.remoteMac = canonicalMac(r.value(key::remoteMac).toString());
    const QString protocol = r.value(key::protocol).toString();
    a.protocol = protocol == value::any ? QString() : protocol.toLower();
    a.localPorts = intList(r.value(key::localPorts));
    a.remotePorts = intList(r.value(key::remotePorts));
    a.weight = r.value(key::weight).toInt();
    return a;
}

// The vNIC's ACL records, one Acl per direction ("Both" gives two).
QList<Acl> aclsOf(const Element &vnic, QStringList &notes)
{
    QList<Acl> out;
    for (const QJsonValue &rv : vnic.value(key::acls).toArray()) {
        const QJsonObject r = rv.toObject();
        Acl a = aclOf(r);
        if (r.value(key::stateful).toBool())
            notes << QStringLiteral("%1: stateful ACLs are enforced as stateless flows")
                         .arg(core::describe(vnic));
        const QString direction = r.value(key::direction).toString();
        if (direction != value::inbound) {
            a.direction = QStringLiteral("out");
            out.append(a);
        }
        if (direction != value::outbound) {
            a.direction = QStringLiteral("in");
            out.append(a);
        }
    }
    return out;
}

// Isolated and community ports carry their secondary VLAN, as the PVLAN standard does (on the
// wire too); a promiscuous port is an access port of the primary VLAN.
void applyPvlan(const QString &mode, int primary, int secondary, Port &p)
{
    p.vlanMode = QStringLiteral("access");
    if (mode != value::isolated && mode != value::community) {
        p.tag = primary;
        return;
    }
    if (primary < 0 || secondary < 0 || primary == secondary)
        return; // incomplete in the design: validation reports it, the port stays untagged
    p.tag = secondary;
    p.pvlanPrimary = primary;
    p.isolated = mode == value::isolated;
    if (mode == value::community)
        p.community = secondary;
}

} // namespace

void applyVlan(const Element &vnic, Port &p)
{
    const QString mode = vnic.value(key::vlanMode).toString();
    const auto num = [&](QLatin1StringView key) {
        const QJsonValue v = vnic.value(key);
        return v.isDouble() ? v.toInt() : -1;
    };
    if (mode == value::access) {
        p.vlanMode = QStringLiteral("access");
        p.tag = num(key::accessVlan);
    } else if (mode == value::trunk) {
        p.trunks = intList(vnic.value(key::trunkVlans));
        p.tag = num(key::nativeVlan);
        p.vlanMode = p.tag >= 0 ? QStringLiteral("native-untagged") : QStringLiteral("trunk");
    } else if (mode == value::pvlan) {
        applyPvlan(vnic.value(key::pvlanMode).toString(), num(key::pvlanPrimary),
                   num(key::pvlanSecondary), p);
    }
    if ((p.vlanMode == QLatin1String("access") || p.vlanMode == QLatin1String("native-untagged")) &&
        p.tag < 0) {
        p.vlanMode.clear(); // incomplete in the design: validation reports it
        p.tag = -1;
    }
}

void applyPolicy(const Element &vnic, Port &p, QStringList &notes)
{
    p.mac = canonicalMac(vnic.value(key::mac).toString());
    const QJsonValue spoofing = vnic.value(key::macSpoofing);
    if (spoofing.isBool() && !spoofing.toBool()) {
        if (p.mac.isEmpty())
            notes << QStringLiteral("%1: MAC spoofing cannot be blocked without a MAC address")
                         .arg(core::describe(vnic));
        else
            p.macSpoofing = false;
    }
    p.dhcpGuard = vnic.value(key::dhcpGuard).toBool();
    p.routerGuard = vnic.value(key::routerGuard).toBool();
    p.acls = aclsOf(vnic, notes);
    if (p.mac.isEmpty()) {
        const auto before = p.acls.size();
        p.acls.removeIf([](const Acl &a) { return a.direction == QLatin1String("in"); });
        if (p.acls.size() != before)
            notes << QStringLiteral("%1: inbound ACLs need the vNIC's MAC address: not realized")
                         .arg(core::describe(vnic));
    }
    if (p.community >= 0 && p.mac.isEmpty())
        notes << QStringLiteral("%1: community PVLAN ports need MAC addresses")
                     .arg(core::describe(vnic));
}

void applyAddresses(const Element &vnic, Port &p, QStringList &notes)
{
    if (p.type == Port::Type::Internal) {
        for (const QJsonValue &a : vnic.value(key::addresses).toArray()) {
            const auto prefix = core::IpPrefix::parse(a.toString());
            if (prefix)
                p.addresses << prefix->address.toString() + QLatin1Char('/') +
                                   QString::number(prefix->length);
        }
    } else if (vnic.value(key::hostInterface).toString().isEmpty()) {
        notes << QStringLiteral("%1 has no host interface: its port is named \"%2\", the VM's "
                                "tap or veth must have that name")
                     .arg(core::describe(vnic), p.name);
    }
}

const Element *overlayNetworkOf(const core::Design &design, const Element &vnic)
{
    const Element *vm = design.find(vnic.parent);
    if (!vm || vm->kind != core::ElementKind::VirtualMachine)
        return nullptr;
    const Element *net = design.find(vm->value(key::vmNetwork).toString());
    if (!net || net->kind != core::ElementKind::VmNetwork ||
        net->value(key::isolation).toString() != value::networkVirtualization)
        return nullptr;
    const double vsid = net->value(key::vsid).toDouble();
    return vsid >= 1 && vsid <= 16777215 ? net : nullptr; // else HNV-001 reports it
}

QString encapsulationOf(const Element &vmNetwork)
{
    return vmNetwork.value(key::encapsulation).toString() == value::vxlan ? QStringLiteral("vxlan")
                                                                          : QStringLiteral("nvgre");
}

void applyOverlay(const Element &vnic, const Element &vmNetwork, Port &p, QStringList &notes)
{
    if (!p.vlanMode.isEmpty())
        notes << QStringLiteral("%1 is on network-virtualized %2: its VLAN settings do not apply "
                                "(its frames travel in tunnels keyed by the VSID)")
                     .arg(core::describe(vnic), core::describe(vmNetwork));
    p.vlanMode.clear();
    p.tag = -1;
    p.trunks.clear();
    p.isolated = false;
    p.community = -1;
    p.pvlanPrimary = -1;
    p.vsid = vmNetwork.value(key::vsid).toInt();
    p.encapsulation = encapsulationOf(vmNetwork);
    if (p.mac.isEmpty())
        notes << QStringLiteral("%1 has no MAC address: on network-virtualized %2 frames are "
                                "delivered by MAC, so it gets broadcasts only (HNV-007)")
                     .arg(core::describe(vnic), core::describe(vmNetwork));
}

void setBondMode(const Element &team, Port &p, QStringList &notes)
{
    const QString mode = team.value(key::mode).toString();
    if (mode == value::lacp) {
        p.bondMode = QStringLiteral("balance-tcp");
        p.lacp = true;
    } else if (!team.value(key::standbyMember).toString().isEmpty()) {
        p.bondMode = QStringLiteral("active-backup");
    } else {
        p.bondMode = QStringLiteral("balance-slb");
        if (mode == value::static_)
            notes << QStringLiteral("%1: a static team is realized as a switch-independent "
                                    "balance-slb bond")
                         .arg(core::describe(team));
    }
}

} // namespace converge::core::realize
