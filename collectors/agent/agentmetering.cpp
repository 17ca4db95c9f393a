#include "agentmetering.h"

#include "collectors/logging.h"
#include "collectors/ovs/flowstats.h"
#include "collectors/ovs/portstats.h"
#include "core/metering/aclmetering.h"
#include "core/realize/flows.h"
#include "core/util/logtext.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSysInfo>

namespace converge::collectors {

namespace cm = core::metering;
using core::Result;

namespace {

constexpr int kLayoutRounds = 10; // the ports' ACLs are read again every 10 rounds

bool hasMeterAcls(const core::realize::Bridge &b)
{
    for (const core::realize::Port &p : b.ports)
        for (const core::realize::Acl &a : p.acls)
            if (a.action == QLatin1String("meter"))
                return true;
    return false;
}

// A name the kernel could give a network interface, safe in a /sys path.
bool isInterfaceName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("\\A[A-Za-z0-9_.:@-]{1,15}\\z"));
    return re.match(name).hasMatch() && name != QLatin1String(".") && name != QLatin1String("..");
}

std::optional<quint64> readNumber(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    bool ok = false;
    const quint64 n = f.read(32).trimmed().toULongLong(&ok);
    return ok ? std::optional(n) : std::nullopt;
}

// A vNIC's counters, named from the VM's side: what its switch port sends, the VM receives.
struct VnicCounter
{
    const char *metric;
    const char *portCounter; // the port's (and its interface's) own name for it
};
constexpr VnicCounter kVnicCounters[] = {
    {"net_receive_bytes_per_second", "tx_bytes"},
    {"net_transmit_bytes_per_second", "rx_bytes"},
    {"net_receive_packets_per_second", "tx_packets"},
    {"net_transmit_packets_per_second", "rx_packets"},
    {"net_receive_errors_per_second", "tx_errors"},
    {"net_transmit_errors_per_second", "rx_errors"},
    {"net_receive_drops_per_second", "tx_dropped"},
    {"net_transmit_drops_per_second", "rx_dropped"},
};

QString hostNameOf(const AgentConfig &config)
{
    return config.hostName.isEmpty() ? QSysInfo::machineHostName() : config.hostName;
}

} // namespace

Result<std::vector<core::protocol::MeterCounter>> readMeterCounters(const ovs::OvsEnv &env,
                                                                    const ovs::HostReading &reading)
{
    std::vector<core::protocol::MeterCounter> counters;
    const QStringList unserved = reading.unrealizedManaged(); // no flows to count
    for (const core::realize::Bridge &b : reading.state.bridges) {
        if (!hasMeterAcls(b) || unserved.contains(b.name))
            continue;
        auto flows = ovs::readFlowStats(env, b.name);
        if (!flows)
            return std::unexpected(flows.error());
        for (const core::realize::Port &p : b.ports)
            for (int i = 0; i < p.acls.size(); ++i) {
                if (p.acls[i].action != QLatin1String("meter"))
                    continue;
                core::protocol::MeterCounter m{b.name, p.name, i, 0, 0};
                const quint64 cookie = core::realize::aclCookie(p.name, i);
                for (const ovs::FlowStat &f : *flows)
                    if (f.cookie == cookie) {
                        m.packets += f.packets;
                        m.bytes += f.bytes;
                    }
                counters.push_back(m);
            }
    }
    return counters;
}

namespace {

// The VMs of a subscription's params, or why they cannot be read.
Result<std::vector<metering::VmSource>> parseVms(const QJsonObject &params)
{
    for (auto it = params.begin(); it != params.end(); ++it)
        if (it.key() != QLatin1String("vms"))
            return core::invalid(
                QStringLiteral("params: unknown field \"%1\"").arg(core::logText(it.key(), 40)));
    const QJsonValue list = params.value(QLatin1String("vms"));
    if (list.isUndefined())
        return std::vector<metering::VmSource>{};
    if (!list.isArray() || list.toArray().size() > AgentMetering::kMaxVms)
        return core::invalid(QStringLiteral("params.vms: must be an array of at most %1 VMs")
                                 .arg(AgentMetering::kMaxVms));
    std::vector<metering::VmSource> vms;
    const QJsonArray array = list.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString where = QStringLiteral("params.vms[%1]").arg(i);
        const QJsonObject o = array.at(i).toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            if (!QStringList{QStringLiteral("id"), QStringLiteral("domain"),
                             QStringLiteral("cgroup"), QStringLiteral("disks")}
                     .contains(it.key()))
                return core::invalid(QStringLiteral("%1: unknown field \"%2\"")
                                         .arg(where, core::logText(it.key(), 40)));
        metering::VmSource vm;
        vm.vmId = o.value(QLatin1String("id")).toString();
        vm.domain = o.value(QLatin1String("domain")).toString();
        vm.cgroupPath = o.value(QLatin1String("cgroup")).toString();
        const QJsonArray disks = o.value(QLatin1String("disks")).toArray();
        if (disks.size() > 64)
            return core::invalid(where + QStringLiteral(".disks: at most 64 images"));
        for (const QJsonValue &d : disks)
            vm.diskImages << d.toString();
        vms.push_back(std::move(vm));
    }
    return metering::checkVmSources(std::move(vms));
}

} // namespace

QString checkMeteringParams(const QJsonObject &params)
{
    auto vms = parseVms(params);
    return vms ? QString() : vms.error().message;
}

std::vector<metering::VmSource> vmSourcesOf(const QJsonObject &params)
{
    auto vms = parseVms(params);
    return vms ? std::move(*vms) : std::vector<metering::VmSource>{};
}

AgentMetering::AgentMetering(const AgentConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
{
    m_timer.setParent(this); // moves with this object to its thread
    m_timer.setInterval(std::max(100, config.meteringIntervalMs));
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &AgentMetering::round);
    auto host = metering::HostSampler::create({hostNameOf(config)});
    if (host)
        m_host.emplace(std::move(*host));
    else
        note({host.error().message});
}

AgentMetering::~AgentMetering() = default;

void AgentMetering::start()
{
    m_timer.start();
}

void AgentMetering::addVms(const std::vector<metering::VmSource> &vms)
{
    bool changed = false;
    for (const metering::VmSource &vm : vms) {
        const auto same = [&](const metering::VmSource &v) {
            return v.vmId == vm.vmId;
        };
        if (const auto it = std::ranges::find_if(m_vms, same); it != m_vms.end()) {
            changed = changed || it->domain != vm.domain || it->cgroupPath != vm.cgroupPath ||
                      it->diskImages != vm.diskImages;
            *it = vm;
        } else if (m_vms.size() < size_t(kMaxVms)) {
            m_vms.push_back(vm);
            changed = true;
        }
    }
    if (!changed)
        return;
    const QString host = hostNameOf(m_config);
    auto cgroups =
        metering::CgroupSampler::create({host, QStringLiteral("/"), m_vms, m_config.cgroupRoot});
    auto disks = metering::DiskAllocationSampler::create(host, m_vms);
    if (cgroups)
        m_cgroups.emplace(std::move(*cgroups));
    if (disks)
        m_disks.emplace(std::move(*disks));
}

void AgentMetering::round()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    cm::SampleBatch batch;
    const auto take = [&](metering::SamplerRound r) {
        for (cm::SeriesSamples &s : r.batch.series)
            batch.series.push_back(std::move(s));
        note(r.problems);
    };
    if (m_host)
        take(m_host->sample(now));
    if (m_cgroups)
        take(m_cgroups->sample(now));
    if (m_disks)
        take(m_disks->sample(now));
    sampleVnics(batch, now);
    sampleAcls(batch, now);
    m_rates.forgetOlderThan(now - qint64(10) * m_timer.interval()); // deleted ports
    ++m_round;
    Q_EMIT sampled(now, QJsonDocument(batch.toJson()).toJson(QJsonDocument::Compact));
}

// New problems, once each (the samplers report theirs once; ours are noted the same way).
void AgentMetering::note(const QStringList &problems)
{
    for (const QString &p : problems)
        qCWarning(lcAgent).noquote() << "metering:" << core::logText(p);
}

void AgentMetering::addRate(cm::SampleBatch &batch, const cm::CounterReading &r)
{
    if (auto sample = m_rates.feed(r))
        batch.series.push_back({r.key, {*sample}});
}

// Each vNIC's port: the kernel's counters of its interface where there is one (always current),
// else those ovs-vswitchd wrote to OVSDB (refreshed every few seconds).
void AgentMetering::sampleVnics(cm::SampleBatch &batch, qint64 nowMs)
{
    if (!m_ovsdb.isConnected()) {
        auto c = m_ovsdb.connectToServer(m_config.ovs.dbSocket, 1000);
        // Said once, not every second, until it changes.
        const QString problem = c ? QString() : c.error().message;
        if (problem != m_ovsProblem && !problem.isEmpty())
            note({QStringLiteral("no vNIC or ACL counters: ") + problem});
        m_ovsProblem = problem;
        if (!c)
            return;
    }
    auto ports = ovs::readPortCounters(m_ovsdb, 5000);
    if (!ports) {
        m_ovsdb.close();
        return;
    }
    const QString host = hostNameOf(m_config);
    for (const ovs::PortCounters &p : *ports) {
        if (!metering::isSeriesName(p.elementId))
            continue;
        const QString sys = QStringLiteral("/sys/class/net/%1/").arg(p.port);
        const bool kernel =
            isInterfaceName(p.port) && QFile::exists(sys + QStringLiteral("ifindex"));
        const QString instance =
            kernel ? QString::number(readNumber(sys + QStringLiteral("ifindex")).value_or(0))
                   : p.interfaceUuid;
        for (const VnicCounter &c : kVnicCounters) {
            const QLatin1String name(c.portCounter);
            const std::optional<quint64> value =
                kernel ? readNumber(sys + QStringLiteral("statistics/") + name)
                       : (p.statistics.contains(name)
                              ? std::optional(quint64(p.statistics.value(name)))
                              : std::nullopt);
            if (value)
                addRate(batch,
                        {{host, QStringLiteral("vnic/") + p.elementId, QLatin1String(c.metric)},
                         nowMs,
                         *value,
                         64,
                         instance});
        }
    }
}

void AgentMetering::sampleAcls(cm::SampleBatch &batch, qint64 nowMs)
{
    if (!m_ovsdb.isConnected())
        return;
    if (!m_layout || m_round % kLayoutRounds == 0) {
        auto reading = ovs::readHost(m_config.ovs, m_ovsdb, hostNameOf(m_config), 10'000);
        if (!reading)
            return;
        m_layout = std::move(*reading);
    }
    auto counters = readMeterCounters(m_config.ovs, *m_layout);
    if (!counters)
        return;
    for (const cm::CounterReading &r :
         cm::aclReadings(hostNameOf(m_config), nowMs, m_layout->state, *counters))
        addRate(batch, r);
}

} // namespace converge::collectors
