#pragma once

#include "hoststate.h"

namespace converge::core::realize {

// The OpenFlow table a managed bridge gets, in ovs-ofctl flow syntax, one flow per line. Tables:
//   0  admission: frames from a port with MAC spoofing off must carry its MAC
//   1  guards: DHCP guard (UDP source 67/547), router guard (ICMPv6 134/137), community PVLAN
//   2  meter ACLs: count and continue (each ACL's flows carry its own cookie, see aclCookie)
//   3  allow/deny ACLs, then NORMAL (MAC learning, VLANs, bonds, mirrors: the bridge's own)
// Every table ends in a priority-0 flow that continues, so a bridge without policy forwards
// exactly like a plain Open vSwitch bridge.
QStringList bridgeFlows(const Bridge &bridge);

// SHA-256 (hex) of the flow lines, recorded in the bridge's external_ids:converge-flows.
QString flowsDigest(const QStringList &flows);

// The cookie of the flows realizing ACL `index` of port `port`, so their counters can be read.
quint64 aclCookie(const QString &port, int index);

} // namespace converge::core::realize
