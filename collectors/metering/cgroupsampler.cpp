#include "cgroupsampler.h"

#include "collectors/metering/procfile.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <array>

namespace converge::collectors::metering {

using core::metering::CounterReading;
using core::metering::Sample;
using core::metering::SeriesKey;

namespace {

// systemd's unit-name escaping undone: "\x2d" is '-' (systemd.unit(5), "String Escaping").
QString unescapeUnitName(QStringView name)
{
    QString out;
    out.reserve(name.size());
    for (qsizetype i = 0; i < name.size(); ++i) {
        bool ok = false;
        const int byte = name.mid(i, 2) == u"\\x" ? name.mid(i + 2, 2).toInt(&ok, 16) : -1;
        if (ok && name.mid(i + 2, 2).size() == 2) {
            out.append(QChar(byte));
            i += 3;
        } else {
            out.append(name.at(i));
        }
    }
    return out;
}

bool isFile(const QString &path)
{
    return QFileInfo(path).isFile();
}

// cpu.stat's "usage_usec N" line (cgroup-v2.rst, "Core Interface Files").
core::Result<quint64> readUsageUsec(const QString &path)
{
    const auto text = readTextFile(path, qint64(64) * 1024);
    if (!text)
        return std::unexpected(text.error());
    std::optional<quint64> usage;
    QString problem;
    forEachLine(text->bytes, [&](QByteArrayView line, int number) {
        std::array<QByteArrayView, 3> f;
        if (!line.startsWith("usage_usec ") || usage || !problem.isEmpty())
            return;
        if (splitFields(line, f) == 2)
            usage = parseNumber(f[1]);
        if (!usage)
            problem = lineProblem(path, number, QStringLiteral("expected \"usage_usec N\""));
    });
    if (!problem.isEmpty())
        return core::invalid(problem);
    if (!usage)
        return core::invalid(QStringLiteral("%1: no usage_usec line").arg(path));
    return *usage;
}

} // namespace

QString libvirtMachineName(const QString &driver, int id, const QString &domain)
{
    QString name = QStringLiteral("%1-%2-").arg(driver).arg(id);
    bool skip = true; // a '.' or '-' only after a character kept, and one of a run
    for (const QChar c : domain) {
        if (name.size() >= 64)
            break;
        if (c == u'.' || c == u'-') {
            if (!skip)
                name.append(c);
            skip = true;
        } else if (c.unicode() < 128 && c.isLetterOrNumber()) {
            name.append(c);
            skip = false;
        }
    }
    while (name.endsWith(u'-') || name.endsWith(u'.'))
        name.chop(1);
    return name;
}

core::Result<CgroupSampler> CgroupSampler::create(CgroupSamplerConfig config)
{
    if (config.host.isEmpty() || !isSeriesName(config.host))
        return core::invalid(QStringLiteral("cgroup sampler: the host name \"%1\" is empty, longer "
                                            "than 255 characters or has '|' or a control character")
                                 .arg(config.host.left(80)));
    if (!QDir::isAbsolutePath(config.root))
        return core::invalid(
            QStringLiteral("cgroup sampler: the root \"%1\" is not an absolute path")
                .arg(config.root));
    auto vms = checkVmSources(std::move(config.vms));
    if (!vms)
        return core::invalid(QStringLiteral("cgroup sampler: ") + vms.error().message);
    config.vms = std::move(*vms);
    return CgroupSampler(std::move(config));
}

CgroupSampler::CgroupSampler(CgroupSamplerConfig config)
    : m_config(std::move(config))
    , m_cgroupRoot(QDir::cleanPath(m_config.cgroupDir.isEmpty()
                                       ? m_config.root + QLatin1String("/sys/fs/cgroup")
                                       : m_config.cgroupDir))
{
}

SamplerRound CgroupSampler::sample(qint64 nowMs)
{
    SamplerRound round;
    const Scan found = scan();
    for (const VmSource &vm : m_config.vms)
        sampleVm(round, vm, found, nowMs);
    // A VM stopped for two rounds has its counters forgotten; when it starts again its new
    // cgroup (a new inode) starts new counters anyway.
    if (m_lastRoundMs >= 0 && m_lastRoundMs <= nowMs)
        m_rates.forgetOlderThan(m_lastRoundMs);
    m_lastRoundMs = nowMs;
    round.problems = m_problems.finishRound();
    return round;
}

void CgroupSampler::sampleVm(SamplerRound &round, const VmSource &vm, const Scan &scan,
                             qint64 nowMs)
{
    const auto at = locate(vm, scan);
    if (!at) {
        m_problems.note(at.error().message);
        return;
    }
    const QString entity = QLatin1String("vm/") + vm.vmId;
    sampleCpu(round, entity, *at, nowMs);
    sampleMemory(round, entity, *at, nowMs);
}

void CgroupSampler::sampleCpu(SamplerRound &round, const QString &entity, const CgroupLocation &at,
                              qint64 nowMs)
{
    const bool v2 = at.layout == CgroupLocation::Layout::V2;
    const auto usage = v2 ? readUsageUsec(at.cpuDir + QLatin1String("/cpu.stat"))
                          : readNumberFile(at.cpuDir + QLatin1String("/cpuacct.usage"));
    const auto inode = inodeOf(at.cpuDir);
    if (!usage || !inode)
        return m_problems.note(!usage ? usage.error().message : inode.error().message);
    SeriesKey key{m_config.host, entity, QStringLiteral("vm_cpu_cores")};
    const auto s = m_rates.feed(CounterReading{
        key, nowMs, *usage, 64, QStringLiteral("inode %1").arg(*inode), v2 ? 1e-6 : 1e-9});
    if (s)
        addSample(round.batch, std::move(key), *s);
}

void CgroupSampler::sampleMemory(SamplerRound &round, const QString &entity,
                                 const CgroupLocation &at, qint64 nowMs)
{
    const bool v2 = at.layout == CgroupLocation::Layout::V2;
    const QString file = at.memoryDir + (v2 ? QLatin1String("/memory.current")
                                            : QLatin1String("/memory.usage_in_bytes"));
    if (v2 && !isFile(file))
        return m_problems.note(QStringLiteral("%1: no memory.current (the memory controller is not "
                                              "enabled for this group)")
                                   .arg(at.memoryDir));
    const auto bytes = readNumberFile(file);
    if (!bytes)
        return m_problems.note(bytes.error().message);
    addSample(round.batch, {m_config.host, entity, QStringLiteral("vm_memory_bytes")},
              Sample{nowMs, double(*bytes), 0});
}

// The v2 hierarchy when /sys/fs/cgroup is one (it has cgroup.controllers), the v1 cpuacct
// hierarchy, and a hybrid host's v2 hierarchy; in that order, since a hybrid host's systemd
// makes each group in both and only v1 has the controllers there. Then the scopes libvirt made
// in each machine.slice, listed once a round however many VMs look for theirs.
CgroupSampler::Scan CgroupSampler::scan() const
{
    static const QRegularExpression machine(
        QStringLiteral("^machine-(([a-z]+)-([0-9]{1,9})-.*)\\.scope$"));
    Scan found;
    if (isFile(m_cgroupRoot + QLatin1String("/cgroup.controllers")))
        found.hierarchies.append(m_cgroupRoot);
    for (const char *v1 : {"/cpuacct", "/cpu,cpuacct"})
        if (isFile(m_cgroupRoot + QLatin1String(v1) + QLatin1String("/cpuacct.usage")))
            found.hierarchies.append(m_cgroupRoot + QLatin1String(v1));
    if (isFile(m_cgroupRoot + QLatin1String("/unified/cgroup.controllers")))
        found.hierarchies.append(m_cgroupRoot + QLatin1String("/unified"));
    for (const QString &hierarchy : std::as_const(found.hierarchies)) {
        const QDir slice(hierarchy + QLatin1String("/machine.slice"));
        for (const QString &entry : slice.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            const auto m = machine.match(unescapeUnitName(entry));
            if (m.hasMatch())
                found.scopes.push_back({hierarchy, QLatin1String("machine.slice/") + entry,
                                        m.captured(2), m.captured(3).toInt(), m.captured(1)});
        }
    }
    return found;
}

core::Result<CgroupLocation> CgroupSampler::locate(const VmSource &vm) const
{
    return locate(vm, scan());
}

core::Result<CgroupLocation> CgroupSampler::locate(const VmSource &vm, const Scan &scan) const
{
    QString path = vm.cgroupPath;
    if (path.isEmpty()) {
        auto scope = findScope(vm.domain, scan);
        if (!scope)
            return std::unexpected(scope.error());
        path = *scope;
    }
    for (const QString &hierarchy : scan.hierarchies) {
        const QString dir = hierarchy + u'/' + path;
        if (!QFileInfo(dir).isDir())
            continue;
        if (!hierarchy.endsWith(QLatin1String("cpuacct")))
            return CgroupLocation{CgroupLocation::Layout::V2, dir, dir};
        return CgroupLocation{CgroupLocation::Layout::V1, dir,
                              m_cgroupRoot + QLatin1String("/memory/") + path};
    }
    return core::fail(core::Error::Code::NotFound,
                      QStringLiteral("VM %1: no cgroup %2 under %3 (v2, v1 cpuacct or unified): is "
                                     "the VM running?")
                          .arg(vm.vmId, path, m_cgroupRoot));
}

// The scope whose machine name is the one libvirt makes for `domain`, whatever the domain's id
// (it changes at every start), from the first hierarchy that has one.
core::Result<QString> CgroupSampler::findScope(const QString &domain, const Scan &scan) const
{
    QStringList matches;
    QString matchedIn;
    for (const Scan::Scope &scope : scan.scopes) {
        if (!matchedIn.isEmpty() && scope.hierarchy != matchedIn)
            break;
        if (scope.machine == libvirtMachineName(scope.driver, scope.id, domain)) {
            matches.append(scope.path);
            matchedIn = scope.hierarchy;
        }
    }
    if (matches.size() > 1)
        return core::invalid(QStringLiteral("libvirt domain %1: several scopes match (%2)")
                                 .arg(domain, matches.join(QLatin1String(", "))));
    if (matches.isEmpty())
        return core::fail(
            core::Error::Code::NotFound,
            QStringLiteral("libvirt domain %1: no scope for it in machine.slice under "
                           "%2: is the VM running?")
                .arg(domain, m_cgroupRoot));
    return matches.first();
}

} // namespace converge::collectors::metering
