#pragma once

#include "hoststate.h"

#include <vector>

// A port's maximum bandwidth (Port::maxRateKbps). Hyper-V's MaximumBandwidth limits what the VM
// sends, so Converge limits what a vNIC sends into the switch (the port's ingress), by one of two
// mechanisms, chosen by the bridge's datapath (docs/agent.md, "Rate limits"):
//   system (kernel datapath)    ingress policing: the Interface's ingress_policing_rate and
//                               _burst (a tenth of the rate), the kernel's own policer;
//   netdev (userspace datapath) an OpenFlow meter per port, which table 0 applies to every frame
//                               from the port (flows.h). Ingress policing would need a tc
//                               classifier on the device (cls_basic or matchall), which kernels
//                               may lack, and which frames the userspace datapath reads from
//                               the device never pass anyway; its policing rate is set to 0.
// Either way the designed rate is kept in the Port's external_ids:converge-max-rate, so it reads
// back the same on both datapaths (observedMaxRate).
namespace converge::core::realize {

// One port's meter, in ovs-ofctl meter syntax by spec().
struct Meter
{
    quint32 id = 0; // 1-65535: every Open vSwitch since meters came takes that many
    QString port;
    qint64 rateKbps = 0;
    qint64 burstKbits = 0;
    // "meter=7,kbps,burst,band=type=drop,rate=10000,burst_size=5000"
    QString spec() const;
    friend bool operator==(const Meter &, const Meter &) = default;
};

// Whether BRIDGE enforces maximum rates with meters (netdev) rather than ingress policing.
bool usesMeters(const Bridge &bridge);

// The meters of BRIDGE's rate-limited ports, by port name; none unless usesMeters. A port's id
// follows from its name (a digest), so ports coming and going leave the others' meters alone;
// the rare clash goes to the next free id, in port-name order.
std::vector<Meter> bridgeMeters(const Bridge &bridge);
QStringList meterSpecs(const std::vector<Meter> &meters);

// The burst of a port's meter: half a second at its rate (measured: a bulk TCP transfer through
// the userspace datapath then stays within 2 % of 10 and 100 Mbit/s, where a tenth of a second
// gives 50 % to 95 %; docs/agent.md), but at least two frames of the port's MTU.
qint64 meterBurstKbits(const Port &port);

// What the Interface's ingress_policing_rate and _burst get: the rate and a tenth of it on the
// kernel datapath, 0 (no policing) where meters enforce the rate.
qint64 policingRateKbps(const Bridge &bridge, const Port &port);
qint64 policingBurstKbits(const Bridge &bridge, const Port &port);

// SHA-256 (hex) of meter specs in any order, as the bridge's external_ids:converge-meters records
// them so the reader can tell a meter changed by hand; empty for none.
QString metersDigest(QStringList specs);

// The maximum rate a port reads back as: the recorded converge-max-rate while the Interface's
// policing is what that rate gives on DATAPATHTYPE, else the policing rate (changed by hand, or
// set before the rate was recorded).
qint64 observedMaxRate(const QString &datapathType, qint64 policingKbps, const QString &recorded);

// What the plan says about DESIRED's maximum rates: per bridge with rate-limited ports, which
// mechanism enforces them, on which direction, and what is not limited.
QStringList rateNotes(const HostState &desired);

// A plan's change line for PORT's maximum rate on BRIDGE, naming its mechanism: "maximum rate
// 10 Mb/s (OpenFlow meter 4711)", "maximum rate: 10 Mb/s -> none"; CURRENT is the rate before
// (-1: a new port).
QString rateChange(const Bridge &bridge, const Port &port, qint64 currentKbps = -1);
// A SetFlows operation's change line for BRIDGE's meters: "meters 4711 (vm1 10 Mb/s)"; empty
// when it has none.
QString metersChange(const Bridge &bridge);
// How BRIDGE enforces PORT's maximum rate: "OpenFlow meter 4711", "ingress policing", or both
// ways when the datapath is not known yet.
QString rateMechanism(const Bridge &bridge, const Port &port);

} // namespace converge::core::realize
