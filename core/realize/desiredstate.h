#pragma once

#include "hoststate.h"

namespace converge::core {
class Design;
}

namespace converge::core::realize {

// What a `linux-ovs` host of a design should look like (docs/agent.md, "What it changes
// on a host"): one bridge per virtual switch, its uplink NIC or team (a bond), management-OS vNICs
// as internal ports with their addresses, VM vNICs as ports named after their host interface,
// VLANs, PVLANs, QoS maximum, guards, ACLs and mirror sessions. What Open vSwitch cannot enforce is
// listed in `notes`. The bridges' datapath type is left empty: the agent fills it in from its
// configuration. Fails for a host that is missing, not `linux-ovs`, or whose names clash.
Result<HostState> desiredState(const core::Design &design, const QString &hostId);

// The port or bridge name an element gets on the host: its interface name when it is a valid one
// (hostInterface for vNICs, interfaceName for NICs, otherwise the name), else "cv" and a digest
// of its id.
QString hostInterfaceName(const core::Design &design, const QString &elementId);

} // namespace converge::core::realize
