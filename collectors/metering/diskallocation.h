#pragma once

#include "collectors/metering/samplerround.h"
#include "collectors/metering/vmsource.h"

// The host space each VM's disk images take (vm_disk_allocated_bytes; Hyper-V Resource
// Metering's "highest disk allocation", whose highest the console's rollups keep): what the files
// hold on disk (st_blocks x 512), not their apparent size, so a thin or sparse image counts what
// it really uses.
namespace converge::collectors::metering {

// The space `file` takes on its file system, or why it cannot be read.
core::Result<quint64> allocatedBytes(const QString &file);

// Used by one thread at a time (the agent's sampling thread, or the console's).
class DiskAllocationSampler
{
public:
    // Checks the host name and the VMs (checkVmSources); VMs without images are not sampled.
    static core::Result<DiskAllocationSampler> create(const QString &host,
                                                      std::vector<VmSource> vms);

    // One gauge per VM: the sum over its images. A VM with an image that cannot be read gets no
    // sample (a partial sum would chart as a drop), and the file is reported.
    SamplerRound sample(qint64 nowMs);
    QStringList currentProblems() const { return m_problems.current(); }

private:
    DiskAllocationSampler(QString host, std::vector<VmSource> vms);

    QString m_host;
    std::vector<VmSource> m_vms;
    ProblemLog m_problems;
};

} // namespace converge::collectors::metering
