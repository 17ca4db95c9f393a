#pragma once

#include "collectors/console/deployer.h"
#include "collectors/console/fleet.h"

// Target choice: which design hosts a deployment reaches, each with its desired state derived
// from the design (core/realize), and which are left out and why.
namespace converge::collectors {

struct TargetChoice
{
    std::vector<DeployTarget> targets; // linux-ovs hosts with an enrolled agent
    QStringList notEnrolled;           // linux-ovs hosts without one
    QStringList bundleHosts;           // Hyper-V (and other) hosts: reached by bundles instead
};

// Every host of `hosts`, or only those named in `only` (each must be a host of the design).
// Fails when a name is unknown or a target's desired state cannot be derived ("hv1: ...").
core::Result<TargetChoice> chooseTargets(const core::Design &design,
                                         const std::vector<FleetHost> &hosts,
                                         const QStringList &only = {});

} // namespace converge::collectors
