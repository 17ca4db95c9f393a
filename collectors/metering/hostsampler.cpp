#include "hostsampler.h"

#include "collectors/metering/procfile.h"

#include <QDir>
#include <QFile>

#include <array>
#include <cerrno>
#include <cstring>

#include <sys/statvfs.h>

namespace converge::collectors::metering {

using core::metering::CounterReading;
using core::metering::Sample;
using core::metering::SeriesKey;

namespace {

// File systems that hold no data of their own (kernel interfaces, memory, layers over other
// file systems) and network ones, whose statvfs can block for as long as their server is gone.
bool isRealFileSystem(QByteArrayView type)
{
    static const QSet<QByteArray> skipped = {
        "proc",        "sysfs",      "tmpfs",      "devtmpfs",
        "devpts",      "cgroup",     "cgroup2",    "overlay",
        "squashfs",    "securityfs", "debugfs",    "tracefs",
        "pstore",      "bpf",        "configfs",   "fusectl",
        "mqueue",      "hugetlbfs",  "autofs",     "binfmt_misc",
        "efivarfs",    "ramfs",      "nsfs",       "rpc_pipefs",
        "nfsd",        "selinuxfs",  "fuse.lxcfs", "fuse.gvfsd-fuse",
        "fuse.portal", "erofs",      "iso9660",    "nfs",
        "nfs4",        "cifs",       "smb3",       "ceph",
        "glusterfs",   "9p",         "fuse.sshfs", "afs",
        "lustre",      "beegfs"};
    return !skipped.contains(type.toByteArray());
}

// /proc/self/mounts writes space, tab, newline and backslash in a path as \040, \011, \012 and
// \134 (the kernel's mangle()).
QString unescapeMountPath(QByteArrayView text)
{
    QByteArray out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const auto digit = [&](qsizetype at) {
            return text[at] >= '0' && text[at] <= '7';
        };
        if (text[i] == '\\' && i + 3 < text.size() && digit(i + 1) && digit(i + 2) &&
            digit(i + 3)) {
            out.append(
                char((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + text[i + 3] - '0'));
            i += 3;
        } else {
            out.append(text[i]);
        }
    }
    return QFile::decodeName(out);
}

// Loop and RAM disks are memory or files already counted where they live.
bool isMeteredDisk(QByteArrayView name)
{
    return !name.startsWith("loop") && !name.startsWith("ram") && !name.startsWith("zram");
}

struct CpuTicks
{
    QString entity; // "cpu", "cpu3"
    quint64 busy = 0;
    quint64 all = 0;
};

// One "cpu" line of /proc/stat: the name, then at least user, nice, system and idle.
core::Result<CpuTicks> parseCpuTicks(QByteArrayView line)
{
    std::array<QByteArrayView, 9> f; // the name and the eight counts before guest time
    const qsizetype n = splitFields(line, f);
    if (f[0] != "cpu" && !parseNumber(f[0].sliced(3)))
        return core::invalid(
            QStringLiteral("\"%1\" is neither cpu nor cpuN")
                .arg(QString::fromLatin1(f[0].first(std::min<qsizetype>(f[0].size(), 40)))));
    if (n < 5)
        return core::invalid(QStringLiteral("expected at least 4 tick counts"));
    CpuTicks ticks{QString::fromLatin1(f[0]), 0, 0};
    quint64 idle = 0;
    for (qsizetype i = 1; i < n; ++i) {
        const auto count = parseNumber(f[size_t(i)]);
        if (!count)
            return core::invalid(QStringLiteral("field %1 is not a tick count").arg(i + 1));
        ticks.all += *count;
        if (i == 4 || i == 5) // idle, iowait
            idle += *count;
    }
    ticks.busy = ticks.all - idle;
    return ticks;
}

} // namespace

// One round's state: where the samples and problems go, and the time they carry.
struct HostSampler::Round
{
    HostSampler &sampler;
    qint64 nowMs;
    SamplerRound result;

    SeriesKey key(const QString &entity, const char *metric) const
    {
        return {sampler.m_config.host, entity, QLatin1String(metric)};
    }
    void gauge(const QString &entity, const char *metric, double value)
    {
        addSample(result.batch, key(entity, metric), Sample{nowMs, value, 0});
    }
    std::optional<Sample> counter(SeriesKey key, quint64 value, const QString &instance, int bits,
                                  double scale = 1.0)
    {
        return sampler.m_rates.feed(
            CounterReading{std::move(key), nowMs, value, bits, instance, scale});
    }
    void rate(const QString &entity, const char *metric, quint64 value, const QString &instance,
              double scale = 1.0)
    {
        if (auto s =
                counter(key(entity, metric), value, instance, sampler.m_config.counterBits, scale))
            addSample(result.batch, key(entity, metric), *s);
    }
    void problem(const QString &text) { sampler.m_problems.note(text); }
    void lineProblem(const QString &path, int line, const QString &what)
    {
        sampler.m_problems.noteLine(path, line, what);
    }
    QString path(const char *inRoot) const { return sampler.m_root + QLatin1String(inRoot); }
};

core::Result<HostSampler> HostSampler::create(HostSamplerConfig config)
{
    if (config.host.isEmpty() || !isSeriesName(config.host))
        return core::invalid(QStringLiteral("host sampler: the host name \"%1\" is empty, longer "
                                            "than 255 characters or has '|' or a control character")
                                 .arg(config.host.left(80)));
    if (!QDir::isAbsolutePath(config.root))
        return core::invalid(QStringLiteral("host sampler: the root \"%1\" is not an absolute path")
                                 .arg(config.root));
    if (config.counterBits != 32 && config.counterBits != 64)
        return core::invalid(QStringLiteral("host sampler: counters are 32 or 64 bits wide, not %1")
                                 .arg(config.counterBits));
    return HostSampler(std::move(config));
}

HostSampler::HostSampler(HostSamplerConfig config)
    : m_config(std::move(config))
    , m_root(QDir::cleanPath(m_config.root))
{
    if (m_root == QLatin1String("/"))
        m_root.clear();
}

SamplerRound HostSampler::sample(qint64 nowMs)
{
    Round round{*this, nowMs, {}};
    sampleCpu(round);
    sampleMemory(round);
    sampleDisks(round);
    sampleFileSystems(round);
    sampleInterfaces(round);
    // Counters not read this round or the one before belong to something gone (an interface
    // deleted, a disk unplugged): forgetting them keeps the sampler's memory bounded.
    if (m_lastRoundMs >= 0 && m_lastRoundMs <= nowMs)
        m_rates.forgetOlderThan(m_lastRoundMs);
    m_lastRoundMs = nowMs;
    round.result.problems = m_problems.finishRound();
    return std::move(round.result);
}

// /proc/stat: "cpu" and "cpuN" lines of ticks (user nice system idle iowait irq softirq steal
// guest guest_nice; proc(5)). Busy is all but idle and iowait; guest time is already inside user
// and nice, so it is not added again. The share is busy ticks over all ticks of the span, both
// through CounterRates; the total is kept under an entity no series uses ("cpu3#ticks").
void HostSampler::sampleCpu(Round &round)
{
    const QString path = round.path("/proc/stat");
    const auto text = readTextFile(path);
    if (!text)
        return round.problem(text.error().message);
    forEachLine(text->bytes, [&](QByteArrayView line, int number) {
        if (!line.startsWith("cpu"))
            return;
        const auto ticks = parseCpuTicks(line);
        if (!ticks)
            return round.lineProblem(path, number, ticks.error().message);
        const QString entity = ticks->entity;
        const auto busy = round.counter(round.key(entity, "cpu_busy_percent"), ticks->busy, {}, 64);
        const auto all = round.counter(
            round.key(entity + QLatin1String("#ticks"), "cpu_busy_percent"), ticks->all, {}, 64);
        // At most 100: iowait may go down (proc(5)), so busy can rise by more than all ticks.
        if (busy && all && all->value > 0)
            addSample(
                round.result.batch, round.key(entity, "cpu_busy_percent"),
                Sample{round.nowMs, 100.0 * std::min(1.0, busy->value / all->value), busy->spanMs});
    });
}

// /proc/meminfo, in kB (1024 bytes): used is total minus available, as free(1) counts it.
void HostSampler::sampleMemory(Round &round)
{
    const QString path = round.path("/proc/meminfo");
    const auto text = readTextFile(path);
    if (!text)
        return round.problem(text.error().message);
    std::optional<quint64> total, available;
    forEachLine(text->bytes, [&](QByteArrayView line, int number) {
        const bool isTotal = line.startsWith("MemTotal:");
        if (!isTotal && !line.startsWith("MemAvailable:"))
            return;
        std::array<QByteArrayView, 3> f;
        const auto kb =
            splitFields(line, f) == 3 && f[2] == "kB" ? parseNumber(f[1]) : std::nullopt;
        if (!kb || *kb > std::numeric_limits<quint64>::max() / 1024)
            return round.lineProblem(path, number, QStringLiteral("expected \"NAME: N kB\""));
        (isTotal ? total : available) = *kb * 1024;
    });
    if (!total || !available || *available > *total)
        return round.problem(
            QStringLiteral("%1: no MemTotal and MemAvailable (Linux 3.14 or later) "
                           "with available at most the total")
                .arg(path));
    round.gauge({}, "memory_total_bytes", double(*total));
    round.gauge({}, "memory_available_bytes", double(*available));
    round.gauge({}, "memory_used_bytes", double(*total - *available));
}

// /proc/diskstats (Documentation/admin-guide/iostats.rst): after major, minor and name, reads
// completed, reads merged, sectors read, ms reading, writes completed, merged, sectors written.
// Whole devices are those in /sys/block; partitions would count their disk's I/O twice. Sectors
// are 512 bytes whatever the device's own sector size.
void HostSampler::sampleDisks(Round &round)
{
    const QString path = round.path("/proc/diskstats");
    const auto text = readTextFile(path);
    if (!text)
        return round.problem(text.error().message);
    const QString blockDir = round.path("/sys/block");
    const QStringList listed =
        QDir(blockDir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System);
    const QSet<QString> wholeDevices(listed.begin(), listed.end());
    if (wholeDevices.isEmpty())
        return round.problem(
            QStringLiteral("cannot list %1: disks are not metered without it").arg(blockDir));
    forEachLine(text->bytes, [&](QByteArrayView line, int number) {
        std::array<QByteArrayView, 14> f;
        if (splitFields(line, f) < 14)
            return round.lineProblem(path, number, QStringLiteral("expected 14 fields"));
        std::array<quint64, 4> v; // reads, sectors read, writes, sectors written
        for (size_t i = 0; i < v.size(); ++i) {
            const auto n = parseNumber(f[3 + 2 * i]);
            if (!n)
                return round.lineProblem(path, number, QStringLiteral("not a count"));
            v[i] = *n;
        }
        const QString name = QFile::decodeName(f[2].toByteArray());
        // /sys/block spells a '/' in a device name as '!' (cciss/c0d0 is cciss!c0d0).
        if (!isMeteredDisk(f[2]) || !wholeDevices.contains(QString(name).replace(u'/', u'!')))
            return;
        const QString entity = QLatin1String("disk/") + name;
        if (!isSeriesName(entity))
            return round.lineProblem(path, number, QStringLiteral("unusable device name"));
        const QString instance = QString::fromLatin1(f[0]) + u':' + QString::fromLatin1(f[1]);
        round.rate(entity, "disk_reads_per_second", v[0], instance);
        round.rate(entity, "disk_read_bytes_per_second", v[1], instance, 512.0);
        round.rate(entity, "disk_writes_per_second", v[2], instance);
        round.rate(entity, "disk_written_bytes_per_second", v[3], instance, 512.0);
    });
}

// /proc/self/mounts (fstab(5) fields): each real file system once by mount point (the last
// mount of a point is the one visible there), sized by statvfs as df(1) does: used is the size
// minus the free blocks, reserved ones included.
void HostSampler::sampleFileSystems(Round &round)
{
    const QString path = round.path("/proc/self/mounts");
    const auto text = readTextFile(path);
    if (!text)
        return round.problem(text.error().message);
    if (text->truncated)
        round.problem(QStringLiteral("%1: longer than %2 bytes, the rest is not read")
                          .arg(path)
                          .arg(kMaxFileBytes));
    QMap<QString, bool> points; // mount point -> a real file system is mounted there
    forEachLine(text->bytes, [&](QByteArrayView line, int number) {
        std::array<QByteArrayView, 3> f;
        if (splitFields(line, f) < 3 || !f[1].startsWith('/'))
            return round.lineProblem(path, number,
                                     QStringLiteral("expected a device, a mount point and a type"));
        points.insert(unescapeMountPath(f[1]), isRealFileSystem(f[2]));
    });
    for (const auto &[point, real] : points.asKeyValueRange()) {
        if (!real)
            continue;
        const QString entity = QLatin1String("mount/") + point;
        const QString where = m_root + point;
        struct statvfs fs = {};
        if (!isSeriesName(entity))
            round.problem(QStringLiteral("%1: the mount point %2 cannot name a series")
                              .arg(path, point.left(80)));
        else if (::statvfs(QFile::encodeName(where).constData(), &fs) != 0)
            round.problem(QStringLiteral("cannot statvfs %1: %2")
                              .arg(where, QString::fromLocal8Bit(std::strerror(errno))));
        else {
            round.gauge(entity, "filesystem_size_bytes", double(fs.f_blocks) * double(fs.f_frsize));
            round.gauge(entity, "filesystem_used_bytes",
                        double(fs.f_blocks - std::min(fs.f_bfree, fs.f_blocks)) *
                            double(fs.f_frsize));
        }
    }
}

// /sys/class/net/NAME/statistics (sysfs-class-net-statistics): the interface's ifindex is the
// counters' instance, so an interface deleted and created again under the same name starts
// new counters instead of showing a drop.
void HostSampler::sampleInterfaces(Round &round)
{
    const QString dir = round.path("/sys/class/net");
    const QStringList names = QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    if (names.isEmpty() && !QDir(dir).exists())
        return round.problem(QStringLiteral("cannot list %1: interfaces are not metered").arg(dir));
    for (const QString &name : names)
        sampleInterface(round, name);
}

void HostSampler::sampleInterface(Round &round, const QString &name)
{
    static const std::array<std::pair<const char *, const char *>, 8> counters = {{
        {"rx_bytes", "net_receive_bytes_per_second"},
        {"tx_bytes", "net_transmit_bytes_per_second"},
        {"rx_packets", "net_receive_packets_per_second"},
        {"tx_packets", "net_transmit_packets_per_second"},
        {"rx_errors", "net_receive_errors_per_second"},
        {"tx_errors", "net_transmit_errors_per_second"},
        {"rx_dropped", "net_receive_drops_per_second"},
        {"tx_dropped", "net_transmit_drops_per_second"},
    }};
    const QString entity = QLatin1String("if/") + name;
    const QString dir = round.path("/sys/class/net/") + name;
    if (!isSeriesName(entity))
        return round.problem(
            QStringLiteral("%1: the name cannot name a series").arg(dir.left(300)));
    const OpenDirectory device(dir);
    const auto ifindex = device.readNumber("ifindex");
    if (!ifindex)
        return round.problem(ifindex.error().message);
    const QString instance = QStringLiteral("ifindex %1").arg(*ifindex);
    const OpenDirectory statistics(dir + QLatin1String("/statistics"));
    if (!statistics.error().isEmpty())
        return round.problem(statistics.error());
    for (const auto &[file, metric] : counters) {
        const auto value = statistics.readNumber(file);
        if (!value)
            round.problem(value.error().message);
        else
            round.rate(entity, metric, *value, instance);
    }
}

} // namespace converge::collectors::metering
