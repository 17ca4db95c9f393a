// Table 4's overlay flows (flows.h, overlayForwarding): network-virtualized VM networks
// forwarded by their lookup records, never by NORMAL.
#include "flows.h"
#include "flowsyntax.h"

namespace converge::core::realize {

using namespace flowsyntax;

namespace {

using Ports = QList<const Port *>;

Ports localPorts(const Bridge &b, int vsid)
{
    Ports out;
    for (const Port &p : b.ports)
        if (p.vsid == vsid)
            out << &p;
    return out;
}

// Into the tunnel to one remote host, keyed by the VSID.
QString toRemote(const Overlay &o, const TunnelEndpoint &r)
{
    return QStringLiteral("set_field:0x%1->tun_id,set_field:%2->tun_dst,")
               .arg(tunnelKey(o.vsid, o.encapsulation), 0, 16)
               .arg(r.address) +
           output(tunnelPortName(o.encapsulation));
}

// Frames from a local port of the overlay: to a local port or a remote host by MAC, broadcast
// and multicast to every other port of the overlay here and to every remote host (head-end
// replication); anything else is dropped, as HNV drops what its lookup records do not know.
void fromPort(QStringList &flows, const Overlay &o, const Port &from, const Ports &local)
{
    const QString in = inPort(from.name);
    QStringList everyone;
    for (const Port *q : local) {
        if (q == &from)
            continue;
        everyone << output(q->name);
        if (!q->mac.isEmpty())
            flows << flow(4, 320, in + QStringLiteral(",dl_dst=") + q->mac, output(q->name));
    }
    for (const TunnelEndpoint &r : o.remotes) {
        everyone << toRemote(o, r);
        for (const QString &mac : r.macs)
            flows << flow(4, 320, in + QStringLiteral(",dl_dst=") + mac, toRemote(o, r));
    }
    flows << flow(4, 310, in + QLatin1Char(',') + multicast(),
                  everyone.isEmpty() ? QStringLiteral("drop") : everyone.join(QLatin1Char(',')));
    flows << flow(4, 300, in, QStringLiteral("drop"));
}

// Frames out of the tunnel with this overlay's key: to its local ports by MAC, broadcast and
// multicast to all of them.
void fromTunnel(QStringList &flows, const Overlay &o, const Ports &local)
{
    const QString in =
        inPort(tunnelPortName(o.encapsulation)) +
        QStringLiteral(",tun_id=0x%1").arg(tunnelKey(o.vsid, o.encapsulation), 0, 16);
    QStringList everyone;
    for (const Port *q : local) {
        everyone << output(q->name);
        if (!q->mac.isEmpty())
            flows << flow(4, 320, in + QStringLiteral(",dl_dst=") + q->mac, output(q->name));
    }
    flows << flow(4, 310, in + QLatin1Char(',') + multicast(),
                  everyone.isEmpty() ? QStringLiteral("drop") : everyone.join(QLatin1Char(',')));
}

} // namespace

QStringList overlayForwarding(const Bridge &bridge)
{
    QStringList flows;
    bool any = false;
    for (const Overlay &o : bridge.overlays) {
        const Ports local = localPorts(bridge, o.vsid);
        for (const Port *p : local)
            fromPort(flows, o, *p, local);
        if (!o.remotes.empty())
            fromTunnel(flows, o, local);
        any = any || !local.isEmpty();
    }
    // Whatever else a tunnel brings (an unknown key or MAC) goes nowhere, and no frame tagged
    // with the overlay ports' VLAN enters the bridge: NORMAL would hand it to them.
    for (const Port &t : bridge.ports)
        if (t.type == Port::Type::Vxlan || t.type == Port::Type::Gre)
            flows << flow(4, 300, inPort(t.name), QStringLiteral("drop"));
    if (any)
        flows << flow(0, 400, QStringLiteral("dl_vlan=%1").arg(overlayVlan),
                      QStringLiteral("drop"));
    return flows;
}

} // namespace converge::core::realize
