#pragma once

#include "core/util/result.h"

#include <QStringList>

#include <vector>

// Where a VM's resource use is read on its host (docs/metering-samplers.md, "How a VM is
// found"): its cgroup, found by libvirt domain name or given as a path, and its disk images.
namespace converge::collectors::metering {

struct VmSource
{
    QString vmId; // the design's VM element id: the series' entity is "vm/ID"
    // One of the two: the libvirt domain name (libvirt runs the VM in the scope
    // machine.slice/machine-qemu\x2dN\x2dNAME.scope), or the cgroup's path relative to the
    // hierarchy's root ("machine.slice/my-vm.scope"), for VMs libvirt does not start.
    QString domain;
    QString cgroupPath;
    QStringList diskImages; // absolute paths of its disk image files
};

// Checks every VM (an id a series takes, exactly one of domain and cgroup path, a relative path
// without "..", absolute image paths, no id twice) and names the first wrong one.
core::Result<std::vector<VmSource>> checkVmSources(std::vector<VmSource> vms);

} // namespace converge::collectors::metering
