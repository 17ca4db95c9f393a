#pragma once

#include "hoststate.h"

#include "core/model/element.h"

namespace converge::core {
class Design;
}

namespace converge::core::realize {

// What a design element's properties become on its port (desiredstate.cpp). What Open vSwitch
// cannot enforce is added to `notes`.

// The vNIC's VLAN mode: access, trunk (native-untagged with a native VLAN), PVLAN.
void applyVlan(const core::Element &vnic, Port &p);
// The parts realized as OpenFlow flows (flows.h): MAC, spoofing, DHCP and router guards, ACLs.
void applyPolicy(const core::Element &vnic, Port &p, QStringList &notes);
// Internal ports get the vNIC's addresses; a VM's port needs the name of its tap or veth.
void applyAddresses(const core::Element &vnic, Port &p, QStringList &notes);
// The network-virtualized VM network (with a VSID) the vNIC's VM is on, or null.
const core::Element *overlayNetworkOf(const core::Design &design, const core::Element &vnic);
// "vxlan" or "nvgre" (HNV's own, the default).
QString encapsulationOf(const core::Element &vmNetwork);
// A vNIC on a network-virtualized VM network joins its overlay: a port with the VM network's
// VSID and no VLANs (its own VLAN settings do not apply).
void applyOverlay(const core::Element &vnic, const core::Element &vmNetwork, Port &p,
                  QStringList &notes);
// The team's mode as a bond mode: LACP, active-backup (with a standby member) or balance-slb.
void setBondMode(const core::Element &team, Port &p, QStringList &notes);

} // namespace converge::core::realize
