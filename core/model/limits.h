#pragma once

// Caps where the cost of realizing a design multiplies (issue 13 "Bounded work per request"):
// the design schema, the host-state form the agent reads and the validator (VSW-012) share them.
namespace converge::core {

// Ports in one of an ACL's lists (localPorts, remotePorts).
inline constexpr int maxAclPorts = 4096;
// Flows in one bridge's OpenFlow table (core/realize/flows.h).
inline constexpr int maxBridgeFlows = 50000;

} // namespace converge::core
