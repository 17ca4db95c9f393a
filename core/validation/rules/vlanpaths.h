#pragma once

// VLAN ids and the physical path a vNIC's frames take (vNIC -> virtual switch -> uplink NIC or
// team member -> cable -> switch port), shared by the VLAN, VLAN-mode and MTU rule files.
#include "../rulecontext.h"

namespace converge::core::rules {

// 802.1Q: usable ids are 1-4094.
bool validVlan(int id);
QString joinInts(const QList<int> &values);  // "10, 20"
QString vlansText(const QList<int> &values); // "VLAN 10", "VLANs 10, 20"

// "switch port 'Te1/0/1' on physical switch 'tor1'".
QString portLabel(const Element &port, RuleContext &ctx);

// The physical switch ports a NIC is cabled to.
std::vector<const Element *> cabledPorts(const Element &nic, RuleContext &ctx);

// External virtual switches whose uplink is the NIC or a team it is a member of.
std::vector<const Element *> switchesOver(const Element &nic, RuleContext &ctx);

} // namespace converge::core::rules
