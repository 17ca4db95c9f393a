#pragma once

#include "hoststate.h"

namespace converge::core::realize {

// The OpenFlow table a managed bridge gets, in ovs-ofctl flow syntax, one flow per line. Tables:
//   0  admission: on a userspace-datapath bridge, every frame from a rate-limited port passes
//      its meter first (meter:N, ratelimits.h); frames from a port with MAC spoofing off must
//      carry its MAC
//   1  guards: DHCP guard (UDP source 67/547), router guard (ICMPv6 134/137)
//   2  meter ACLs: count and continue (each ACL's flows carry its own cookie, see aclCookie)
//   3  allow/deny ACLs
//      An ACL's port lists become masked matches (portmasks.h); when both need several, a
//      conjunctive match (conj_id, unique in the bridge), so its flows never multiply.
//   4  forwarding: overlays (overlayForwarding), PVLAN (pvlanForwarding), then NORMAL (MAC
//      learning, VLANs, bonds, mirrors: the bridge's own)
// Every table ends in a priority-0 flow that continues, so a bridge without policy forwards
// exactly like a plain Open vSwitch bridge.
QStringList bridgeFlows(const Bridge &bridge);

// What each flow of a bridge's table is for: the plan says what its table is made of.
enum class FlowPurpose {
    RateLimit, // table 0: a port's frames through its OpenFlow meter (ratelimits.h)
    Guard,     // tables 0 and 1: MAC spoofing (with the meter, if any), DHCP and router guards
    Acl,       // tables 2 and 3: meter, allow and deny ACLs
    Overlay,   // table 4: overlay networks by VSID (overlayForwarding)
    Pvlan,     // table 4: delivery between a PVLAN's secondary VLANs and its primary
    Default,   // each table's priority-0 flow: on to the next table, the last one to NORMAL
};
struct PurposedFlow
{
    FlowPurpose purpose;
    QString flow;
};
// bridgeFlows, each flow with its purpose (the same flows in the same order).
std::vector<PurposedFlow> purposedFlows(const Bridge &bridge);

// Table 4's PVLAN flows (pvlanflows.cpp). Isolated and community ports are access ports of their
// secondary VLAN, which the uplink carries on the wire, so NORMAL already keeps a community to
// itself and protected ports keep isolated ones apart. What NORMAL cannot do is cross between a
// secondary VLAN and its primary: frames from isolated and community ports to the domain's
// promiscuous ports (the primary's access ports), and back, are delivered by explicit outputs,
// by destination MAC (broadcast and multicast to every one). Over the uplink, frames of an
// isolated VLAN reach the promiscuous ports only, never NORMAL (so no isolated port of this
// host), community frames both, and primary frames the isolated and community ports by MAC.
QStringList pvlanForwarding(const Bridge &bridge);
// The PVLAN domain whose promiscuous port `port` is (an access port of its primary VLAN that is
// not an uplink or a bond), or null.
const PvlanDomain *promiscuousIn(const Bridge &bridge, const Port &port);

// Table 4's overlay flows (overlayflows.cpp), above the PVLAN ones. A port of an overlay network
// (Port::vsid) reaches the other ports of its VSID on this bridge and, through the tunnel port of
// its encapsulation keyed by the VSID (tunnelKey), the remote hosts its VM network's other VMs
// run on, by destination MAC; broadcast and multicast go to all of them. Frames from the tunnel
// reach the local ports of their key. Nothing of an overlay goes through NORMAL, so it never
// touches the physical network untunnelled. Table 0 drops frames tagged overlayVlan.
QStringList overlayForwarding(const Bridge &bridge);

// SHA-256 (hex) of the flow lines and the meter specs (ratelimits.h) they use, recorded in the
// bridge's external_ids:converge-flows.
QString flowsDigest(const QStringList &flows, const QStringList &meters = {});
// The digest of BRIDGE's flows (bridgeFlows) and meters (bridgeMeters).
QString tableDigest(const Bridge &bridge);

// The cookie of the flows realizing ACL `index` of port `port`, so their counters can be read.
// An ACL whose local and remote ports both need several matches (portmasks.h) is a conjunctive
// match: its conj_id flow carries the action and the cookie, its conjunction flows carry none
// (Open vSwitch never counts on them).
quint64 aclCookie(const QString &port, int index);

// How many flows the ACLs of PORT make, before duplicates are left out (portmasks.h
// aclFlowCount), without making them.
qsizetype aclFlowCount(const Port &port);

} // namespace converge::core::realize
