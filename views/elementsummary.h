#pragma once

#include "core/model/design.h"
#include "core/model/labels.h"

#include <QString>

namespace converge::views {

// Short texts shared by the tree and the diagram.
using core::formatBandwidth;                // 10e9 -> "10 Gb/s"
QString kindLabel(core::ElementKind kind);  // "Physical NIC": the kind table's label
QString groupLabel(core::ElementKind kind); // "Physical switches": the kind table's group label
// One line saying what matters about an element: NIC speed, switch type and uplink, vNIC
// addresses and VLAN, subnet prefix, the two ends of a link...
QString elementDetails(const core::Design &design, const core::Element &element);

} // namespace converge::views
