#pragma once

#include "design.h"

namespace converge::core::commands {

// The edit an admin means by dragging from one element to another on a canvas; the order of
// `from` and `to` does not matter:
//   vNIC - virtual switch:                 the vNIC connects to the switch (same host);
//   physical NIC - team:                   the NIC joins the team (same host, one team per NIC);
//   physical NIC or team - virtual switch: it becomes the switch's uplink, and the switch
//                                          turns External (same host, one switch per uplink);
//   physical NIC - switch port, switch port - switch port: a cable (Link), one per end.
// Anything else, or a connection that holds already or would break one of those limits, is
// refused with the reason.
Result<Edit> connect(const Design &design, const QString &from, const QString &to);

// Undoes one of those connections (the cable's Link is removed).
Result<Edit> disconnect(const Design &design, const QString &from, const QString &to);

} // namespace converge::core::commands
