#pragma once

#include "core/model/design.h"

namespace converge::bench {

// Builds a synthetic converged design of `hosts` Hyper-V hosts, shaped like the SMB converged
// template (003_8b87448cefe986c9.txt §4.3.2) at scale: per host 4 NICs (2 teamed for LAN,
// 2 for iSCSI), 3 virtual switches, 3 management-OS vNICs and `vmsPerHost` VMs with 3 vNICs
// each; one physical LAN switch per 24 hosts with a cabled port per LAN NIC.
// Every element goes through core::commands, so the result is a valid design.
core::Design generateDesign(int hosts, int vmsPerHost = 16);

} // namespace converge::bench
