#pragma once

#include "hoststate.h"

#include "core/model/element.h"

namespace converge::core::realize {

// What a design element's properties become on its port (desiredstate.cpp). What Open vSwitch
// cannot enforce is added to `notes`.

// The vNIC's VLAN mode: access, trunk (native-untagged with a native VLAN), PVLAN.
void applyVlan(const core::Element &vnic, Port &p);
// The parts realized as OpenFlow flows (flows.h): MAC, spoofing, DHCP and router guards, ACLs.
void applyPolicy(const core::Element &vnic, Port &p, QStringList &notes);
// Internal ports get the vNIC's addresses; a VM's port needs the name of its tap or veth.
void applyAddresses(const core::Element &vnic, Port &p, QStringList &notes);
// The team's mode as a bond mode: LACP, active-backup (with a standby member) or balance-slb.
void setBondMode(const core::Element &team, Port &p, QStringList &notes);

} // namespace converge::core::realize
