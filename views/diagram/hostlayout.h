#pragma once

#include "views/diagram/diagramitems.h"

#include <memory>

namespace converge::views {

// One host's box: caption on the left, NICs across the top (a column each), teams and
// vSwitches in lanes under the NICs they use, then rows for management-OS vNICs and VMs.
std::unique_ptr<BlockItem> buildHostItem(const core::Design &design, const core::Element &host,
                                         const DiagramStyle *style);

} // namespace converge::views
