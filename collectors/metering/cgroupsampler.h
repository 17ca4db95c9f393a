#pragma once

#include "collectors/metering/samplerround.h"
#include "collectors/metering/vmsource.h"
#include "core/metering/counterrate.h"

// Each VM's processor and memory use from its cgroup (issue 15, "Samplers", per VM), in either
// layout: cgroup v2 (cpu.stat usage_usec, memory.current), as modern hosts and libvirt have it,
// or cgroup v1 (cpuacct.usage in ns, memory.usage_in_bytes), as hosts still on the legacy or
// hybrid layout have it. Both totals count the cgroup's descendants too (libvirt's vCPU and
// emulator threads sit in sub-groups of the VM's scope).
namespace converge::collectors::metering {

struct CgroupSamplerConfig
{
    QString host;                       // the design's host name: every series' host
    QString root = QStringLiteral("/"); // the cgroup file systems are at ROOT/sys/fs/cgroup
    std::vector<VmSource> vms;
    // Where the cgroup file systems are when not at ROOT/sys/fs/cgroup (an agent in a container
    // that has the host's mounted elsewhere): the directory that holds them.
    QString cgroupDir = {};
};

// Where one VM's counters are, as found in a round.
struct CgroupLocation
{
    enum class Layout : quint8 { V2, V1 };
    Layout layout = Layout::V2;
    QString cpuDir;    // v2: the group; v1: its directory in the cpuacct hierarchy
    QString memoryDir; // v2: the group; v1: its directory in the memory hierarchy
};

// Used by one thread at a time (the agent's sampling thread, or the console's).
class CgroupSampler
{
public:
    // Checks the host name and the VMs (checkVmSources) and says what is wrong.
    static core::Result<CgroupSampler> create(CgroupSamplerConfig config);

    // One round at nowMs: vm_memory_bytes now, vm_cpu_cores since the previous round. A VM not
    // running (no cgroup) is reported and left out.
    SamplerRound sample(qint64 nowMs);
    QStringList currentProblems() const { return m_problems.current(); }

    // Where the VM's cgroup is now, or why it cannot be found. A path is looked for in the v2
    // hierarchy at /sys/fs/cgroup, then in the v1 cpuacct and memory hierarchies, then in the
    // v2 hierarchy a hybrid host mounts at /sys/fs/cgroup/unified.
    core::Result<CgroupLocation> locate(const VmSource &vm) const;

private:
    // What a round looks in: the hierarchies present, and the libvirt scopes in them.
    struct Scan
    {
        struct Scope
        {
            QString hierarchy;
            QString path;    // "machine.slice/machine-qemu\x2d3\x2dweb.scope"
            QString driver;  // "qemu"
            int id = 0;      // 3
            QString machine; // "qemu-3-web", unescaped
        };
        QStringList hierarchies;
        std::vector<Scope> scopes; // by hierarchy, in the order of hierarchies
    };

    explicit CgroupSampler(CgroupSamplerConfig config);
    Scan scan() const;
    core::Result<CgroupLocation> locate(const VmSource &vm, const Scan &scan) const;
    core::Result<QString> findScope(const QString &domain, const Scan &scan) const;
    void sampleVm(SamplerRound &round, const VmSource &vm, const Scan &scan, qint64 nowMs);
    void sampleCpu(SamplerRound &round, const QString &entity, const CgroupLocation &at,
                   qint64 nowMs);
    void sampleMemory(SamplerRound &round, const QString &entity, const CgroupLocation &at,
                      qint64 nowMs);

    CgroupSamplerConfig m_config;
    QString m_cgroupRoot; // ROOT/sys/fs/cgroup
    core::metering::CounterRates m_rates;
    ProblemLog m_problems;
    qint64 m_lastRoundMs = -1;
};

// The name libvirt gives a domain's machine (and so its scope, "machine-" + the name with each
// '-' written \x2d + ".scope"): "DRIVER-ID-" then the domain name with characters a host name
// cannot have dropped, runs of '.' and '-' kept as their first, all cut at 64 characters and
// stripped of a trailing '.' or '-' (libvirt's virDomainDriverGenerateMachineName).
QString libvirtMachineName(const QString &driver, int id, const QString &domain);

} // namespace converge::collectors::metering
