// Table 4's PVLAN flows (flows.h, pvlanForwarding): delivery between a PVLAN domain's secondary
// VLANs and its primary, which NORMAL does not cross.
#include "flows.h"
#include "flowsyntax.h"

namespace converge::core::realize {

using namespace flowsyntax;

namespace {

using Ports = QList<const Port *>;

struct DomainPorts
{
    Ports promiscuous; // access ports of the primary VLAN
    Ports members;     // isolated and community ports of the domain
    Ports uplinks;
};

DomainPorts portsOf(const Bridge &b, const PvlanDomain &d)
{
    DomainPorts out;
    for (const Port &p : b.ports) {
        if (p.uplink)
            out.uplinks << &p;
        else if (p.pvlanPrimary == d.primary)
            out.members << &p;
        else if (const PvlanDomain *of = promiscuousIn(b, p); of && of->primary == d.primary)
            out.promiscuous << &p;
    }
    return out;
}

// The OpenFlow ports frames of a port arrive on: a bond's members, else the port itself.
QStringList openFlowPorts(const Port &p)
{
    return p.type == Port::Type::Bond ? p.members : QStringList{p.name};
}

QString outputsTo(const Ports &ports)
{
    QStringList out;
    for (const Port *p : ports)
        out << output(p->name);
    return out.join(QLatin1Char(','));
}

// Frames matching `match` to the ports `to`: unicast by their MAC, broadcast and multicast to
// all of them. `prefix` comes before the outputs (strip_vlan for frames from the trunk);
// `normal` also hands broadcasts to NORMAL in their own VLAN.
void deliver(QStringList &flows, const QString &match, const Ports &to, const QString &prefix,
             bool normal)
{
    for (const Port *q : to)
        if (!q->mac.isEmpty())
            flows << flow(4, 120, match + QStringLiteral(",dl_dst=") + q->mac,
                          prefix + output(q->name));
    QStringList actions;
    if (normal)
        actions << QStringLiteral("NORMAL");
    if (!to.isEmpty())
        actions << prefix + outputsTo(to);
    flows << flow(4, 110, match + QLatin1Char(',') + multicast(),
                  actions.isEmpty() ? QStringLiteral("drop") : actions.join(QLatin1Char(',')));
}

// What arrives over the uplink tagged with the domain's VLANs.
void fromUplink(QStringList &flows, const QString &in, const PvlanDomain &d,
                const DomainPorts &ports)
{
    const QString strip = QStringLiteral("strip_vlan,");
    const auto tagged = [&in](int vlan) {
        return in + QStringLiteral(",dl_vlan=%1").arg(vlan);
    };
    deliver(flows, tagged(d.primary), ports.members, strip, true);
    for (int isolated : d.isolated) {
        deliver(flows, tagged(isolated), ports.promiscuous, strip, false);
        flows << flow(4, 100, tagged(isolated), QStringLiteral("drop"));
    }
    for (int community : d.communities)
        deliver(flows, tagged(community), ports.promiscuous, strip, true);
}

void domainFlows(QStringList &flows, const Bridge &b, const PvlanDomain &d)
{
    const DomainPorts ports = portsOf(b, d);
    for (const Port *m : ports.members)
        deliver(flows, inPort(m->name), ports.promiscuous, {}, true);
    if (!ports.members.isEmpty())
        for (const Port *q : ports.promiscuous)
            deliver(flows, inPort(q->name), ports.members, {}, true);
    for (const Port *u : ports.uplinks)
        for (const QString &of : openFlowPorts(*u))
            fromUplink(flows, inPort(of), d, ports);
}

} // namespace

const PvlanDomain *promiscuousIn(const Bridge &bridge, const Port &port)
{
    if (port.uplink || port.pvlanPrimary >= 0 || port.type == Port::Type::Bond ||
        port.vlanMode != QLatin1String("access"))
        return nullptr;
    for (const PvlanDomain &d : bridge.pvlans)
        if (d.primary == port.tag)
            return &d;
    return nullptr;
}

QStringList pvlanForwarding(const Bridge &bridge)
{
    QStringList flows;
    for (const PvlanDomain &d : bridge.pvlans)
        domainFlows(flows, bridge, d);
    return flows;
}

} // namespace converge::core::realize
