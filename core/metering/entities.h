#pragma once

#include "core/model/design.h"

#include <optional>

// Which series belong to a design element (docs/metering.md, "Series"): what "Show Metering"
// opens and what dashboards ask for.
namespace converge::core::metering {

struct MeteredEntity
{
    QString host;   // the design host's name: the series' host
    QString entity; // "" (the host), "vm/ID", "vnic/ID", "if/NAME"
    QString title;  // "web1 (VM on hv01)"
    // A resource pool ("pool/ID", no host of its own): its VMs' (host, entity) pairs.
    std::vector<std::pair<QString, QString>> members = {};
};

// The host, a VM, a vNIC, a physical NIC or a resource pool (its VMs); nothing for other
// elements (switches, VLANs, ...).
std::optional<MeteredEntity> meteredEntity(const Design &design, const Element &element);

} // namespace converge::core::metering
