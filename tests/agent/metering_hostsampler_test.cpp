// collectors/metering/hostsampler.h over a hand-written /proc and /sys (issue 15, "Samplers",
// host): two rounds with moved counters give exact rates, partitions and loop devices are not
// metered, a re-created interface starts new counters, a 32-bit counter wraps, and a malformed
// line is reported once with its file and line while the rest is still sampled.
#include "collectors/metering/hostsampler.h"
#include "meteringfixture.h"

#include <sys/statvfs.h>

using namespace converge::collectors::metering;
using meteringtest::FixtureRoot;
using meteringtest::hasEntity;
using meteringtest::valueOf;

namespace {

const QByteArray kStat1 = "cpu  1000 100 400 8000 500 50 50 0 300 0\n"
                          "cpu0 500 50 200 4000 250 25 25 0 150 0\n"
                          "cpu1 500 50 200 4000 250 25 25 0 150 0\n"
                          "intr 12345 0 0\nctxt 999\nbtime 1700000000\n";
// cpu0: 200 ticks, 80 busy (user, system), 50 guest ticks that user already holds; cpu1 idle.
const QByteArray kStat2 = "cpu  1060 100 420 8300 520 50 50 0 350 0\n"
                          "cpu0 560 50 220 4100 270 25 25 0 200 0\n"
                          "cpu1 500 50 200 4200 250 25 25 0 150 0\n"
                          "intr 12399 0 0\nctxt 1999\nbtime 1700000000\n";
const QByteArray kMeminfo = "MemTotal:       16000000 kB\nMemFree:            1000 kB\n"
                            "MemAvailable:   12000000 kB\nBuffers:             10 kB\n";
const QByteArray kDisks1 =
    "   8       0 sda 1000 10 20000 500 2000 20 40000 900 0 1000 1400 0 0 0 0 0 0\n"
    "   8       1 sda1 900 10 18000 400 1900 20 38000 800 0 900 1200 0 0 0 0 0 0\n"
    " 259       0 nvme0n1 10 0 80 1 0 0 0 0 0 1 1\n"
    "   7       0 loop0 5 0 10 0 0 0 0 0 0 0 0\n";
const QByteArray kDisks2 =
    "   8       0 sda 1100 10 24096 500 2050 20 48192 900 0 1000 1400 0 0 0 0 0 0\n"
    "   8       1 sda1 1000 10 22096 400 1950 20 46192 800 0 900 1200 0 0 0 0 0 0\n"
    " 259       0 nvme0n1 10 0 80 1 0 0 0 0 0 1 1\n"
    "   7       0 loop0 500 0 1000 0 0 0 0 0 0 0 0\n";

struct NetCounters
{
    quint64 ifindex, rxBytes, txBytes, rxPackets, rxDropped;
};

void writeInterface(const FixtureRoot &root, const QString &name, const NetCounters &c)
{
    const QString dir = QStringLiteral("/sys/class/net/") + name;
    root.write(dir + QStringLiteral("/ifindex"), QByteArray::number(c.ifindex) + '\n');
    const std::pair<const char *, quint64> files[] = {
        {"rx_bytes", c.rxBytes},     {"tx_bytes", c.txBytes}, {"rx_packets", c.rxPackets},
        {"tx_packets", 0},           {"rx_errors", 0},        {"tx_errors", 0},
        {"rx_dropped", c.rxDropped}, {"tx_dropped", 0}};
    for (const auto &[file, value] : files)
        root.write(dir + QStringLiteral("/statistics/") + QLatin1String(file),
                   QByteArray::number(value) + '\n');
}

// A host at its first round: two cores, sda with a partition, an NVMe disk, a loop device,
// eth0 and lo, and /sys/class/net/bonding_masters (a file, not an interface).
void writeHost(const FixtureRoot &root)
{
    root.write(QStringLiteral("/proc/stat"), kStat1);
    root.write(QStringLiteral("/proc/meminfo"), kMeminfo);
    root.write(QStringLiteral("/proc/diskstats"), kDisks1);
    root.write(QStringLiteral("/proc/self/mounts"), "/dev/sda1 / ext4 rw,relatime 0 0\n");
    for (const char *disk : {"/sys/block/sda", "/sys/block/nvme0n1", "/sys/block/loop0"})
        root.mkdir(QLatin1String(disk));
    writeInterface(root, QStringLiteral("eth0"), {2, 1'000'000, 500, 10, 4});
    writeInterface(root, QStringLiteral("lo"), {1, 77, 77, 1, 0});
    root.write(QStringLiteral("/sys/class/net/bonding_masters"), "bond0\n");
}

HostSampler sampler(const FixtureRoot &root, int counterBits = 64)
{
    auto made = HostSampler::create({QStringLiteral("h1"), root.root(), counterBits});
    EXPECT_TRUE(made) << made.error().message.toStdString();
    return std::move(*made);
}

} // namespace

TEST(HostSampler, SecondRoundGivesExactRatesForProcessorsDisksAndInterfaces)
{
    FixtureRoot root;
    writeHost(root);
    HostSampler host = sampler(root);
    const SamplerRound first = host.sample(10'000);
    EXPECT_TRUE(first.problems.isEmpty()) << first.problems.join(u'\n').toStdString();
    EXPECT_FALSE(valueOf(first, QStringLiteral("cpu"), "cpu_busy_percent")); // a first reading
    EXPECT_EQ(valueOf(first, {}, "memory_used_bytes"), 4'096'000'000.0);

    root.write(QStringLiteral("/proc/stat"), kStat2);
    root.write(QStringLiteral("/proc/diskstats"), kDisks2);
    writeInterface(root, QStringLiteral("eth0"), {2, 3'000'000, 1500, 2010, 10});
    const SamplerRound second = host.sample(12'000);
    EXPECT_TRUE(second.problems.isEmpty()) << second.problems.join(u'\n').toStdString();

    EXPECT_EQ(valueOf(second, QStringLiteral("cpu"), "cpu_busy_percent"), 20.0);
    EXPECT_EQ(valueOf(second, QStringLiteral("cpu0"), "cpu_busy_percent"), 40.0);
    EXPECT_EQ(valueOf(second, QStringLiteral("cpu1"), "cpu_busy_percent"), 0.0);
    EXPECT_EQ(valueOf(second, {}, "memory_total_bytes"), 16'384'000'000.0);
    EXPECT_EQ(valueOf(second, {}, "memory_available_bytes"), 12'288'000'000.0);

    const QString sda = QStringLiteral("disk/sda");
    EXPECT_EQ(valueOf(second, sda, "disk_reads_per_second"), 50.0);
    EXPECT_EQ(valueOf(second, sda, "disk_read_bytes_per_second"), 1'048'576.0);
    EXPECT_EQ(valueOf(second, sda, "disk_writes_per_second"), 25.0);
    EXPECT_EQ(valueOf(second, sda, "disk_written_bytes_per_second"), 2'097'152.0);
    EXPECT_EQ(valueOf(second, QStringLiteral("disk/nvme0n1"), "disk_reads_per_second"), 0.0);
    EXPECT_FALSE(hasEntity(second, QStringLiteral("disk/sda1")));
    EXPECT_FALSE(hasEntity(second, QStringLiteral("disk/loop0")));

    const QString eth0 = QStringLiteral("if/eth0");
    EXPECT_EQ(valueOf(second, eth0, "net_receive_bytes_per_second"), 1'000'000.0);
    EXPECT_EQ(valueOf(second, eth0, "net_transmit_bytes_per_second"), 500.0);
    EXPECT_EQ(valueOf(second, eth0, "net_receive_packets_per_second"), 1000.0);
    EXPECT_EQ(valueOf(second, eth0, "net_receive_drops_per_second"), 3.0);
    EXPECT_EQ(valueOf(second, QStringLiteral("if/lo"), "net_receive_bytes_per_second"), 0.0);
    EXPECT_FALSE(hasEntity(second, QStringLiteral("if/bonding_masters")));
    for (const auto &series : second.batch.series)
        EXPECT_EQ(series.samples.front().spanMs,
                  series.key.metric.startsWith(QLatin1String("memory")) ||
                          series.key.metric.startsWith(QLatin1String("filesystem"))
                      ? 0
                      : 2000)
            << series.key.toString().toStdString();
}

TEST(HostSampler, ReCreatedInterfaceCountsFromZeroNotFromTheOldCounter)
{
    FixtureRoot root;
    writeHost(root);
    HostSampler host = sampler(root);
    host.sample(10'000);
    writeInterface(root, QStringLiteral("eth0"), {2, 3'000'000, 500, 10, 4});
    EXPECT_EQ(
        valueOf(host.sample(11'000), QStringLiteral("if/eth0"), "net_receive_bytes_per_second"),
        2'000'000.0);
    // Deleted and created again (a new ifindex): its 3.5 MB are all new, not 0.5 MB more.
    writeInterface(root, QStringLiteral("eth0"), {9, 3'500'000, 500, 10, 4});
    EXPECT_EQ(
        valueOf(host.sample(12'000), QStringLiteral("if/eth0"), "net_receive_bytes_per_second"),
        3'500'000.0);
}

TEST(HostSampler, ThirtyTwoBitCounterWrapIsARiseNotAReset)
{
    FixtureRoot root;
    writeHost(root);
    writeInterface(root, QStringLiteral("eth0"), {2, 4'294'967'000, 0, 0, 0});
    HostSampler narrow = sampler(root, 32);
    HostSampler wide = sampler(root, 64);
    narrow.sample(10'000);
    wide.sample(10'000);
    writeInterface(root, QStringLiteral("eth0"), {2, 704, 0, 0, 0});
    // 296 bytes up to 2^32, then 704: 1,000 bytes in the second.
    EXPECT_EQ(
        valueOf(narrow.sample(11'000), QStringLiteral("if/eth0"), "net_receive_bytes_per_second"),
        1000.0);
    // A 64-bit counter that goes down was reset: only the 704 since then are counted.
    EXPECT_EQ(
        valueOf(wide.sample(11'000), QStringLiteral("if/eth0"), "net_receive_bytes_per_second"),
        704.0);
}

TEST(HostSampler, MalformedLineIsReportedOnceWithFileAndLineAndTheRestIsSampled)
{
    FixtureRoot root;
    writeHost(root);
    root.write(QStringLiteral("/proc/diskstats"), kDisks1 + "   8      16 sdb 12 x\n");
    root.write(QStringLiteral("/proc/stat"), kStat1 + "cpu2 1 2 x 4\n");
    root.write(QStringLiteral("/proc/meminfo"), "MemTotal: lots kB\nMemAvailable: 1 kB\n");
    HostSampler host = sampler(root);
    const SamplerRound first = host.sample(10'000);
    const QString disks = root.path(QStringLiteral("/proc/diskstats"));
    const QString stat = root.path(QStringLiteral("/proc/stat"));
    const QString meminfo = root.path(QStringLiteral("/proc/meminfo"));
    EXPECT_TRUE(first.problems.contains(disks + QStringLiteral(":5: expected 14 fields")))
        << first.problems.join(u'\n').toStdString();
    EXPECT_TRUE(first.problems.contains(stat + QStringLiteral(":7: field 4 is not a tick count")));
    EXPECT_TRUE(first.problems.contains(meminfo + QStringLiteral(":1: expected \"NAME: N kB\"")));
    EXPECT_FALSE(hasEntity(first, {})) << "no memory without MemTotal";

    root.write(QStringLiteral("/proc/stat"), kStat2 + "cpu2 1 2 x 4\n");
    const SamplerRound second = host.sample(11'000);
    EXPECT_TRUE(second.problems.isEmpty())
        << "reported again: " << second.problems.join(u'\n').toStdString();
    EXPECT_TRUE(host.currentProblems().contains(disks + QStringLiteral(":5: expected 14 fields")));
    EXPECT_TRUE(valueOf(second, QStringLiteral("disk/sda"), "disk_reads_per_second"));
    EXPECT_EQ(valueOf(second, QStringLiteral("cpu0"), "cpu_busy_percent"), 40.0);
}

TEST(HostSampler, UnreadableSourceIsNamedAndTheOthersStillSample)
{
    FixtureRoot root;
    writeHost(root);
    ASSERT_TRUE(QFile::remove(root.path(QStringLiteral("/proc/diskstats"))));
    ASSERT_TRUE(QDir(root.path(QStringLiteral("/sys/block"))).removeRecursively());
    HostSampler host = sampler(root);
    const SamplerRound round = host.sample(10'000);
    EXPECT_TRUE(round.problems.contains(QStringLiteral("cannot read %1: No such file or directory")
                                            .arg(root.path(QStringLiteral("/proc/diskstats")))))
        << round.problems.join(u'\n').toStdString();
    EXPECT_TRUE(valueOf(round, {}, "memory_total_bytes"));
    // An interface whose statistics cannot be opened, then no /sys/class/net or /sys/block.
    root.write(QStringLiteral("/proc/diskstats"), kDisks1);
    root.write(QStringLiteral("/sys/class/net/broken0/ifindex"), "5\n");
    const SamplerRound second = host.sample(11'000);
    EXPECT_TRUE(second.problems.contains(
        QStringLiteral("cannot open %1: No such file or directory")
            .arg(root.path(QStringLiteral("/sys/class/net/broken0/statistics")))))
        << second.problems.join(u'\n').toStdString();
    EXPECT_TRUE(
        second.problems.contains(QStringLiteral("cannot list %1: disks are not metered without it")
                                     .arg(root.path(QStringLiteral("/sys/block")))));
    EXPECT_TRUE(hasEntity(second, QStringLiteral("if/eth0")));
    ASSERT_TRUE(QDir(root.path(QStringLiteral("/sys/class/net"))).removeRecursively());
    const SamplerRound third = host.sample(12'000);
    EXPECT_TRUE(third.problems.contains(QStringLiteral("cannot list %1: interfaces are not metered")
                                            .arg(root.path(QStringLiteral("/sys/class/net")))))
        << third.problems.join(u'\n').toStdString();
    EXPECT_TRUE(valueOf(third, {}, "memory_total_bytes"));
}

TEST(HostSampler, RealFileSystemsBySpaceEscapedPathsAndNoVirtualOnes)
{
    FixtureRoot root;
    writeHost(root);
    root.mkdir(QStringLiteral("/with space"));
    root.write(QStringLiteral("/proc/self/mounts"), "/dev/sda1 / ext4 rw,relatime 0 0\n"
                                                    "proc /proc proc rw 0 0\n"
                                                    "tmpfs /run tmpfs rw 0 0\n"
                                                    "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n"
                                                    "/dev/sda2 /with\\040space xfs rw 0 0\n"
                                                    "/dev/sdc1 /gone ext4 rw 0 0\n");
    HostSampler host = sampler(root);
    const SamplerRound round = host.sample(10'000);
    struct statvfs fs = {};
    ASSERT_EQ(::statvfs(QFile::encodeName(root.root()).constData(), &fs), 0);
    const double size = double(fs.f_blocks) * double(fs.f_frsize);
    EXPECT_EQ(valueOf(round, QStringLiteral("mount//"), "filesystem_size_bytes"), size);
    EXPECT_EQ(valueOf(round, QStringLiteral("mount//with space"), "filesystem_size_bytes"), size);
    const auto used = valueOf(round, QStringLiteral("mount//"), "filesystem_used_bytes");
    ASSERT_TRUE(used);
    EXPECT_NEAR(*used, double(fs.f_blocks - fs.f_bfree) * double(fs.f_frsize), 256.0 * 1024 * 1024)
        << "other work on this disk moves it a little";
    for (const char *virtualFs : {"mount//proc", "mount//run", "mount//sys/fs/cgroup/cpu"})
        EXPECT_FALSE(hasEntity(round, QLatin1String(virtualFs))) << virtualFs;
    EXPECT_TRUE(
        round.problems.contains(QStringLiteral("cannot statvfs %1: No such file or directory")
                                    .arg(root.path(QStringLiteral("/gone")))))
        << round.problems.join(u'\n').toStdString();
}

TEST(HostSampler, ConfigurationIsCheckedAndSaysWhatIsWrong)
{
    const auto error = [](HostSamplerConfig config) {
        auto made = HostSampler::create(std::move(config));
        return made ? std::string() : made.error().message.toStdString();
    };
    EXPECT_NE(error({QString(), QStringLiteral("/"), 64}).find("the host name \"\" is empty"),
              std::string::npos);
    EXPECT_NE(error({QStringLiteral("a|b"), QStringLiteral("/"), 64}).find("has '|'"),
              std::string::npos);
    EXPECT_NE(error({QStringLiteral("h"), QStringLiteral("proc"), 64}).find("not an absolute path"),
              std::string::npos);
    EXPECT_NE(error({QStringLiteral("h"), QStringLiteral("/"), 16}).find("32 or 64 bits"),
              std::string::npos);
}

TEST(HostSampler, GarbageAndHugeFilesCostBoundedWork)
{
    FixtureRoot root;
    writeHost(root);
    QByteArray garbage;
    for (int i = 0; i < 1000; ++i)
        garbage += "8 0 sda " + QByteArray::number(i) + "\n";
    root.write(QStringLiteral("/proc/diskstats"), garbage);
    // 2 MiB of mounts: only the first MiB is read.
    QByteArray mounts = "/dev/sda1 / ext4 rw 0 0\n";
    while (mounts.size() < 2 * 1024 * 1024)
        mounts += "tmpfs /run/user/1000 tmpfs rw,nosuid,nodev,relatime,size=1000k,mode=700 0 0\n";
    root.write(QStringLiteral("/proc/self/mounts"), mounts);
    HostSampler host = sampler(root);
    const SamplerRound round = host.sample(10'000);
    const QString disks = root.path(QStringLiteral("/proc/diskstats"));
    EXPECT_EQ(round.problems.size(), 5) << round.problems.join(u'\n').toStdString();
    EXPECT_TRUE(round.problems.contains(disks + QStringLiteral(":3: expected 14 fields")));
    EXPECT_TRUE(
        round.problems.contains(disks + QStringLiteral(": 997 more malformed lines skipped")));
    EXPECT_TRUE(round.problems.contains(
        QStringLiteral("%1: longer than 1048576 bytes, the rest is not read")
            .arg(root.path(QStringLiteral("/proc/self/mounts")))));
    EXPECT_TRUE(valueOf(round, QStringLiteral("mount//"), "filesystem_size_bytes"));
}

TEST(ProblemLog, AProblemIsReportedWhenItAppearsAndAgainOnlyAfterItWentAway)
{
    ProblemLog log;
    log.note(QStringLiteral("cannot read /proc/diskstats: Permission denied"));
    EXPECT_EQ(log.finishRound().size(), 1);
    log.note(QStringLiteral("cannot read /proc/diskstats: Permission denied"));
    EXPECT_TRUE(log.finishRound().isEmpty());
    EXPECT_EQ(log.current().size(), 1) << "still wrong";
    EXPECT_TRUE(log.finishRound().isEmpty()); // a round without it: fixed
    EXPECT_TRUE(log.current().isEmpty());
    log.note(QStringLiteral("cannot read /proc/diskstats: Permission denied"));
    EXPECT_EQ(log.finishRound().size(), 1) << "broken again: said again";
}

TEST(HostSampler, IowaitGoingDownNeverMakesMoreThanAHundredPercent)
{
    FixtureRoot root;
    writeHost(root);
    root.write(QStringLiteral("/proc/stat"), "cpu  100 0 0 100 50 0 0 0 0 0\n"
                                             "cpu0 100 0 0 100 50 0 0 0 0 0\n");
    HostSampler host = sampler(root);
    host.sample(10'000);
    // 200 busy ticks while iowait went back by 10 (proc(5) says it may): 190 ticks in all.
    root.write(QStringLiteral("/proc/stat"), "cpu  300 0 0 100 40 0 0 0 0 0\n"
                                             "cpu0 300 0 0 100 40 0 0 0 0 0\n");
    const SamplerRound round = host.sample(12'000);
    EXPECT_EQ(valueOf(round, QStringLiteral("cpu"), "cpu_busy_percent"), 100.0);
    EXPECT_EQ(valueOf(round, QStringLiteral("cpu0"), "cpu_busy_percent"), 100.0);
}
