// collectors/metering/cgroupsampler.h and diskallocation.h over hand-written cgroup trees (issue
// 15, "Samplers", per VM): a libvirt domain found by name under cgroup v2's machine.slice, a VM
// given by path on cgroup v1, a restarted VM's new cgroup, and disk images by what they take on
// disk rather than their apparent size.
#include "collectors/metering/cgroupsampler.h"
#include "collectors/metering/diskallocation.h"
#include "meteringfixture.h"

#include <sys/stat.h>

using namespace converge::collectors::metering;
using meteringtest::FixtureRoot;
using meteringtest::hasEntity;
using meteringtest::valueOf;

namespace {

const QString kWebScope =
    QStringLiteral("/sys/fs/cgroup/machine.slice/machine-qemu\\x2d3\\x2dweb\\x2d01.scope");
// "web-011", a name "web-01" is the start of: it must not be taken for it.
const QString kDecoyScope =
    QStringLiteral("/sys/fs/cgroup/machine.slice/machine-qemu\\x2d4\\x2dweb\\x2d011.scope");

void writeV2Group(const FixtureRoot &root, const QString &dir, quint64 usageUsec, quint64 memory)
{
    root.write(dir + QStringLiteral("/cpu.stat"),
               "usage_usec " + QByteArray::number(usageUsec) + "\nuser_usec 1\nsystem_usec 2\n");
    root.write(dir + QStringLiteral("/memory.current"), QByteArray::number(memory) + '\n');
}

void writeV1Group(const FixtureRoot &root, const QString &path, quint64 usageNs, quint64 memory)
{
    root.write(QStringLiteral("/sys/fs/cgroup/cpuacct/") + path + QStringLiteral("/cpuacct.usage"),
               QByteArray::number(usageNs) + '\n');
    root.write(QStringLiteral("/sys/fs/cgroup/memory/") + path +
                   QStringLiteral("/memory.usage_in_bytes"),
               QByteArray::number(memory) + '\n');
}

CgroupSampler sampler(const FixtureRoot &root, std::vector<VmSource> vms)
{
    auto made = CgroupSampler::create({QStringLiteral("h1"), root.root(), std::move(vms)});
    EXPECT_TRUE(made) << made.error().message.toStdString();
    return std::move(*made);
}

} // namespace

TEST(CgroupSampler, LibvirtDomainOnCgroupV2ByNameGivesCoresAndMemory)
{
    FixtureRoot root;
    root.write(QStringLiteral("/sys/fs/cgroup/cgroup.controllers"), "cpu memory io\n");
    writeV2Group(root, kWebScope, 1'000'000, 1'073'741'824);
    writeV2Group(root, kDecoyScope, 0, 1);
    CgroupSampler vms = sampler(root, {{QStringLiteral("vm-a"), QStringLiteral("web-01"), {}, {}}});
    const SamplerRound first = vms.sample(1000);
    EXPECT_TRUE(first.problems.isEmpty()) << first.problems.join(u'\n').toStdString();
    EXPECT_EQ(valueOf(first, QStringLiteral("vm/vm-a"), "vm_memory_bytes"), 1'073'741'824.0);
    writeV2Group(root, kWebScope, 4'000'000, 2'000'000);
    writeV2Group(root, kDecoyScope, 900'000'000, 1);
    const SamplerRound second = vms.sample(3000);
    // 3 s of processor time in 2 s: one and a half cores.
    EXPECT_EQ(valueOf(second, QStringLiteral("vm/vm-a"), "vm_cpu_cores"), 1.5);
    EXPECT_EQ(valueOf(second, QStringLiteral("vm/vm-a"), "vm_memory_bytes"), 2'000'000.0);
    const auto at = vms.locate({QStringLiteral("vm-a"), QStringLiteral("web-01"), {}, {}});
    ASSERT_TRUE(at);
    EXPECT_EQ(at->layout, CgroupLocation::Layout::V2);
    EXPECT_EQ(at->cpuDir, root.path(kWebScope));
}

TEST(CgroupSampler, PathOnCgroupV1UsesCpuacctAndMemoryHierarchies)
{
    FixtureRoot root;
    root.write(QStringLiteral("/sys/fs/cgroup/cpuacct/cpuacct.usage"), "999\n");
    root.write(QStringLiteral("/sys/fs/cgroup/unified/cgroup.controllers"), "\n");
    root.mkdir(QStringLiteral("/sys/fs/cgroup/unified/machine.slice/db.scope"));
    writeV1Group(root, QStringLiteral("machine.slice/db.scope"), 5'000'000'000, 4096);
    CgroupSampler vms =
        sampler(root, {{QStringLiteral("vm-b"), {}, QStringLiteral("machine.slice/db.scope"), {}}});
    vms.sample(10'000);
    writeV1Group(root, QStringLiteral("machine.slice/db.scope"), 5'250'000'000, 8192);
    const SamplerRound second = vms.sample(10'500);
    EXPECT_TRUE(second.problems.isEmpty()) << second.problems.join(u'\n').toStdString();
    EXPECT_EQ(valueOf(second, QStringLiteral("vm/vm-b"), "vm_cpu_cores"), 0.5);
    EXPECT_EQ(valueOf(second, QStringLiteral("vm/vm-b"), "vm_memory_bytes"), 8192.0);
    const auto at =
        vms.locate({QStringLiteral("vm-b"), {}, QStringLiteral("machine.slice/db.scope"), {}});
    ASSERT_TRUE(at);
    EXPECT_EQ(at->layout, CgroupLocation::Layout::V1) << "v1 before the hybrid host's unified tree";
    EXPECT_EQ(at->memoryDir,
              root.path(QStringLiteral("/sys/fs/cgroup/memory/machine.slice/db.scope")));
}

TEST(CgroupSampler, LibvirtDomainOnCgroupV1ByName)
{
    FixtureRoot root;
    root.write(QStringLiteral("/sys/fs/cgroup/cpuacct/cpuacct.usage"), "999\n");
    const QString scope =
        QStringLiteral("machine.slice/machine-qemu\\x2d17\\x2dmail.example.com.scope");
    writeV1Group(root, scope, 1'000'000'000, 1);
    CgroupSampler vms =
        sampler(root, {{QStringLiteral("vm-m"), QStringLiteral("mail.example.com"), {}, {}}});
    vms.sample(0);
    writeV1Group(root, scope, 3'000'000'000, 2);
    const SamplerRound round = vms.sample(1000);
    EXPECT_TRUE(round.problems.isEmpty()) << round.problems.join(u'\n').toStdString();
    EXPECT_EQ(valueOf(round, QStringLiteral("vm/vm-m"), "vm_cpu_cores"), 2.0);
    EXPECT_EQ(valueOf(round, QStringLiteral("vm/vm-m"), "vm_memory_bytes"), 2.0);
}

TEST(CgroupSampler, HybridHostsUnifiedTreeGivesProcessorTimeAndSaysWhyNoMemory)
{
    FixtureRoot root;
    root.write(QStringLiteral("/sys/fs/cgroup/unified/cgroup.controllers"), "hugetlb\n");
    root.write(QStringLiteral("/sys/fs/cgroup/unified/lab/vm1/cpu.stat"), "usage_usec 100\n");
    CgroupSampler vms =
        sampler(root, {{QStringLiteral("vm-u"), {}, QStringLiteral("lab/vm1"), {}}});
    const SamplerRound first = vms.sample(1000);
    EXPECT_TRUE(first.problems.contains(
        QStringLiteral("%1: no memory.current (the memory controller is not enabled for this "
                       "group)")
            .arg(root.path(QStringLiteral("/sys/fs/cgroup/unified/lab/vm1")))))
        << first.problems.join(u'\n').toStdString();
    root.write(QStringLiteral("/sys/fs/cgroup/unified/lab/vm1/cpu.stat"), "usage_usec 250100\n");
    EXPECT_EQ(valueOf(vms.sample(2000), QStringLiteral("vm/vm-u"), "vm_cpu_cores"), 0.25);
}

TEST(CgroupSampler, RestartedVmHasANewCgroupAndStartsNewCounters)
{
    FixtureRoot root;
    root.write(QStringLiteral("/sys/fs/cgroup/cgroup.controllers"), "cpu memory\n");
    writeV2Group(root, kWebScope, 50'000'000, 1);
    CgroupSampler vms = sampler(root, {{QStringLiteral("vm-a"), QStringLiteral("web-01"), {}, {}}});
    vms.sample(1000);
    // The old group still exists while the new one is made, so the new one has another inode.
    ASSERT_TRUE(QDir().rename(root.path(kWebScope), root.path(QStringLiteral("/old"))));
    writeV2Group(root, kWebScope, 60'000'000, 1);
    ASSERT_TRUE(QDir(root.path(QStringLiteral("/old"))).removeRecursively());
    // The new VM used 60 s since it started, not 10 s more than the old one.
    EXPECT_EQ(valueOf(vms.sample(61'000), QStringLiteral("vm/vm-a"), "vm_cpu_cores"), 1.0);
}

TEST(CgroupSampler, StoppedVmAndMalformedFilesAreReportedWithWhere)
{
    FixtureRoot root;
    root.write(QStringLiteral("/sys/fs/cgroup/cgroup.controllers"), "cpu memory\n");
    root.write(QStringLiteral("/sys/fs/cgroup/bad.scope/cpu.stat"), "usage_usec lots\n");
    root.write(QStringLiteral("/sys/fs/cgroup/bad.scope/memory.current"), "12\n");
    CgroupSampler vms =
        sampler(root, {{QStringLiteral("vm-a"), QStringLiteral("web-01"), {}, {}},
                       {QStringLiteral("vm-c"), {}, QStringLiteral("bad.scope"), {}}});
    const SamplerRound round = vms.sample(1000);
    EXPECT_TRUE(round.problems.contains(
        QStringLiteral("libvirt domain web-01: no scope for it in machine.slice under %1: is the "
                       "VM running?")
            .arg(root.path(QStringLiteral("/sys/fs/cgroup")))))
        << round.problems.join(u'\n').toStdString();
    EXPECT_TRUE(
        round.problems.contains(root.path(QStringLiteral("/sys/fs/cgroup/bad.scope/cpu.stat")) +
                                QStringLiteral(":1: expected \"usage_usec N\"")));
    EXPECT_EQ(valueOf(round, QStringLiteral("vm/vm-c"), "vm_memory_bytes"), 12.0);
    EXPECT_FALSE(hasEntity(round, QStringLiteral("vm/vm-a")));
}

TEST(CgroupSampler, LibvirtMachineNamesAsLibvirtMakesThem)
{
    EXPECT_EQ(libvirtMachineName(QStringLiteral("qemu"), 3, QStringLiteral("web-01")),
              QStringLiteral("qemu-3-web-01"));
    EXPECT_EQ(libvirtMachineName(QStringLiteral("qemu"), 1, QStringLiteral("-my_vm..prod--a.")),
              QStringLiteral("qemu-1-myvm.prod-a"));
    const QString longName(100, u'x');
    EXPECT_EQ(libvirtMachineName(QStringLiteral("qemu"), 12, longName).size(), 64);
}

TEST(CgroupSampler, ConfigurationIsCheckedAndSaysWhichVm)
{
    const auto error = [](std::vector<VmSource> vms) {
        auto made =
            CgroupSampler::create({QStringLiteral("h1"), QStringLiteral("/"), std::move(vms)});
        return made ? std::string() : made.error().message.toStdString();
    };
    EXPECT_NE(error({{QStringLiteral("a"), QStringLiteral("d"), QStringLiteral("p"), {}}})
                  .find("VM 0 (\"a\"): give either a libvirt domain name or a cgroup path"),
              std::string::npos);
    EXPECT_NE(error({{QStringLiteral("a"), {}, QStringLiteral("x/../../etc"), {}}})
                  .find("must be relative and clean"),
              std::string::npos);
    EXPECT_NE(error({{QStringLiteral("a"), QStringLiteral("d"), {}, {}},
                     {QStringLiteral("a"), QStringLiteral("e"), {}, {}}})
                  .find("VM 1 (\"a\"): the id is used by an earlier VM"),
              std::string::npos);
    EXPECT_NE(
        error({{QStringLiteral("a"), QStringLiteral("d"), {}, {QStringLiteral("disk.qcow2")}}})
            .find("not an absolute path"),
        std::string::npos);
}

TEST(DiskAllocation, SparseImagesCountWhatTheyTakeNotTheirSize)
{
    FixtureRoot root;
    const QString sparse = root.path(QStringLiteral("/a.raw"));
    const QString full = root.path(QStringLiteral("/b.qcow2"));
    {
        QFile f(sparse);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        ASSERT_TRUE(f.resize(qint64(1024) * 1024 * 1024)); // 1 GiB apparent, nothing written
        ASSERT_TRUE(f.seek(qint64(512) * 1024 * 1024));
        f.write(QByteArray(64 * 1024, 'x'));
    }
    root.write(QStringLiteral("/b.qcow2"), QByteArray(1024 * 1024, 'y'));
    struct stat a = {}, b = {};
    ASSERT_EQ(::stat(QFile::encodeName(sparse).constData(), &a), 0);
    ASSERT_EQ(::stat(QFile::encodeName(full).constData(), &b), 0);
    auto made = DiskAllocationSampler::create(
        QStringLiteral("h1"), {{QStringLiteral("vm-a"), QStringLiteral("web"), {}, {sparse, full}},
                               {QStringLiteral("vm-b"), QStringLiteral("db"), {}, {}},
                               {QStringLiteral("vm-c"),
                                QStringLiteral("x"),
                                {},
                                {full, root.path(QStringLiteral("/gone.img"))}}});
    ASSERT_TRUE(made) << made.error().message.toStdString();
    const SamplerRound round = made->sample(1000);
    const auto bytes = valueOf(round, QStringLiteral("vm/vm-a"), "vm_disk_allocated_bytes");
    ASSERT_TRUE(bytes);
    EXPECT_EQ(*bytes, double(a.st_blocks + b.st_blocks) * 512);
    EXPECT_LT(*bytes, 16.0 * 1024 * 1024) << "the 1 GiB sparse image counted by its size";
    EXPECT_GE(*bytes, double(64 + 1024) * 1024);
    EXPECT_FALSE(hasEntity(round, QStringLiteral("vm/vm-b"))) << "no images, nothing to meter";
    EXPECT_FALSE(hasEntity(round, QStringLiteral("vm/vm-c")))
        << "a partial sum would look like a drop";
    EXPECT_TRUE(
        round.problems.contains(QStringLiteral("VM vm-c: cannot stat %1: No such file or directory")
                                    .arg(root.path(QStringLiteral("/gone.img")))))
        << round.problems.join(u'\n').toStdString();
}
