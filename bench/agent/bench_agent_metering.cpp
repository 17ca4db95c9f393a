// bench-agent-metering: what live metering costs the agent (issue 15, "Done means", 3rd
// benchmark). One namespace host with its own Open vSwitch (userspace datapath) and 50 vNICs,
// each with a meter ACL, measured in three phases that alternate ROUNDS times: (a) converged
// sampling every second for a console that drains its "metering" stream, (b) the same agent with
// metering off (its baseline, a console connected), (c) Prometheus node_exporter on the same host
// with its default collectors, scraped once a second. Each phase starts its process afresh, lets
// it settle for kWarmUpSec, then measures for SECONDS_PER_PHASE: CPU (ticks over wall time, with
// the children it ran, such as ovs-ofctl), resident memory (the peak, VmHWM, which includes
// start-up, and at the end), and the CPU the OVS daemons spent meanwhile (what the sampling asks
// of them). The scrape asks for no compression, which spares node_exporter the gzip a Prometheus
// server would ask for: its CPU here is a lower bound. Needs root.
//   usage: bench-agent-metering [SECONDS_PER_PHASE=20] [ROUNDS=3]
#include "ovsenv.h"

#include "collectors/agent/agentconfig.h"
#include "collectors/channel/channel.h"
#include "collectors/channel/tlsidentity.h"
#include "core/metering/sample.h"
#include "core/protocol/replies.h"
#include "core/protocol/requests.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <functional>

#include <unistd.h>

using namespace converge;
using namespace converge::testing;
namespace protocol = core::protocol;
namespace realize = core::realize;

namespace {

constexpr int kVnics = 50;
constexpr int kWarmUpSec = 2; // start-up work (certificates, the first OVSDB read) is not steady
constexpr quint16 kAgentPort = 7443;
constexpr quint16 kExporterPort = 9100;
const QString kHost = QStringLiteral("b");
// The agent's cap on the "metering" stream's buffer (AgentServer::kMeteringBufferBytes, private
// to the agent: keep the two equal).
constexpr qint64 kAgentBufferCapBytes = qint64(16) * 1024 * 1024;
const QString kExporter = QStringLiteral("/usr/bin/prometheus-node-exporter");

volatile std::sig_atomic_t s_interrupted = 0; // Ctrl-C: leave the phase, clean up, exit

// What one phase measured of one process.
struct Footprint
{
    double cpuPercent = 0; // of one core
    double rssPeakMb = 0;
    double rssEndMb = 0;
    double rssAnonEndMb = 0;  // of which private (heap, stacks): not the libraries' mapped pages
    double ovsCpuPercent = 0; // ovsdb-server and ovs-vswitchd meanwhile
};

// One "metering" event: its series (of which the vNICs' and their meter ACLs') and the size of
// its data as compact JSON, which is what the agent keeps for back-fill.
struct BatchShape
{
    qsizetype series = 0;
    qsizetype vnicSeries = 0;
    qsizetype aclSeries = 0;
    qsizetype bytes = 0;
};

struct AgentFigures
{
    Footprint use;
    qint64 events = 0;
    BatchShape batch; // the largest batch seen
};

struct ExporterFigures
{
    Footprint use;
    qint64 scrapes = 0;
    qint64 bytes = 0;  // of the last scrape's body
    qint64 series = 0; // lines of the last scrape not starting with '#'
};

struct Round
{
    AgentFigures metering, baseline;
    ExporterFigures exporter;
};

core::Error failure(const QString &what)
{
    return core::Error{core::Error::Code::Io, what, {}};
}

// kB (KiB, as /proc counts) to MB of 10^6 bytes: the unit of the 10 MB target.
double megabytes(qint64 kb)
{
    return double(kb) * 1024 / 1e6;
}

// A "FIELD: N kB" line of /proc/PID/status; -1 when the process is gone.
qint64 statusKb(qint64 pid, const QByteArray &field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(field + ':'))
            return line.mid(field.size() + 1).trimmed().split(' ').first().toLongLong();
    return -1;
}

// Processor time in clock ticks of PID and of its children it has waited for (converged runs
// ovs-ofctl for the meter flows' counters: that is metering's cost too); -1 when it is gone.
qint64 cpuTicksWithChildren(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray stat = f.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() <= 14)
        return -1;
    qint64 ticks = 0;
    for (int i = 11; i <= 14; ++i) // utime, stime, cutime, cstime
        ticks += fields[i].toLongLong();
    return ticks;
}

// The CPU PIDS took together from construction to percent(), in % of one core.
class CpuMeter
{
public:
    explicit CpuMeter(QList<qint64> pids)
        : m_pids(std::move(pids))
        , m_ticks0(ticks())
    {
        m_wall.start();
    }

    std::optional<double> percent() const
    {
        const qint64 now = ticks();
        if (m_pids.isEmpty() || m_ticks0 < 0 || now < 0)
            return std::nullopt;
        const double cpuSec = double(now - m_ticks0) / double(::sysconf(_SC_CLK_TCK));
        return 100.0 * cpuSec / (double(m_wall.nsecsElapsed()) / 1e9);
    }

private:
    qint64 ticks() const
    {
        qint64 sum = 0;
        for (qint64 pid : m_pids) {
            const qint64 t = cpuTicksWithChildren(pid);
            if (t < 0)
                return -1;
            sum += t;
        }
        return sum;
    }

    QList<qint64> m_pids;
    qint64 m_ticks0;
    QElapsedTimer m_wall;
};

// CPU and memory of PID, and the CPU of the Open vSwitch daemons OVSPIDS (what the process asks
// of them), from construction to finish().
class ProcessMeter
{
public:
    ProcessMeter(qint64 pid, const QList<qint64> &ovsPids)
        : m_pid(pid)
        , m_cpu({pid})
        , m_ovsCpu(ovsPids)
    {
    }

    core::Result<Footprint> finish() const
    {
        const std::optional<double> cpu = m_cpu.percent(), ovsCpu = m_ovsCpu.percent();
        const qint64 rss = statusKb(m_pid, "VmRSS"), peak = statusKb(m_pid, "VmHWM");
        const qint64 anon = statusKb(m_pid, "RssAnon");
        if (!cpu || rss < 0 || peak < 0 || anon < 0)
            return std::unexpected(
                failure(QStringLiteral("process %1 ended during the phase").arg(m_pid)));
        if (!ovsCpu)
            return std::unexpected(failure(
                QStringLiteral("no Open vSwitch daemons (pid files) to measure in the phase")));
        return Footprint{*cpu, megabytes(peak), megabytes(rss), megabytes(anon), *ovsCpu};
    }

private:
    qint64 m_pid;
    CpuMeter m_cpu;
    CpuMeter m_ovsCpu;
};

double median(std::vector<double> v)
{
    std::ranges::sort(v);
    return v.empty() ? 0 : v[v.size() / 2];
}

// 50 vNIC ports on one bridge, each with one meter ACL on all outbound traffic, so that each
// sampling round reads the ports' counters and the meter flows' too.
realize::HostState benchHost()
{
    realize::HostState s;
    s.host = kHost;
    realize::Bridge b;
    b.name = QStringLiteral("bench");
    b.elementId = kHost + QStringLiteral(".bench");
    for (int i = 0; i < kVnics; ++i) {
        realize::Port p;
        p.name = QStringLiteral("bv%1").arg(i);
        p.elementId = kHost + QStringLiteral(".v%1").arg(i);
        p.mac = QStringLiteral("02:be:00:00:00:%1").arg(i + 1, 2, 16, QLatin1Char('0'));
        realize::Acl meter;
        meter.direction = QStringLiteral("out");
        meter.action = QStringLiteral("meter");
        meter.remotePrefix = QStringLiteral("0.0.0.0/0");
        p.acls.push_back(meter);
        b.ports.push_back(p);
    }
    s.bridges.push_back(b);
    s.normalize();
    return s;
}

// The vNICs' host ends (bvN), their peers (bvNp) in the same namespace; both up.
core::Result<void> addVeths(NetNs &host)
{
    for (int i = 0; i < kVnics; ++i) {
        const QString dev = QStringLiteral("bv%1").arg(i), peer = dev + QStringLiteral("p");
        for (const QStringList &cmd :
             {QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("add"), dev,
                          QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
                          QStringLiteral("name"), peer},
              QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"), dev,
                          QStringLiteral("up")},
              QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"), peer,
                          QStringLiteral("up")}})
            if (auto r = host.run(cmd); !r)
                return std::unexpected(r.error());
    }
    return {};
}

// Runs STEP until SECONDS pass (false: it failed, or Ctrl-C).
bool runFor(int seconds, const std::function<bool()> &step)
{
    for (QDeadlineTimer deadline(qint64(seconds) * 1000); !deadline.hasExpired();)
        if (s_interrupted || !step())
            return false;
    return true;
}

// The namespace host, its Open vSwitch and the agent's files; the calling thread works inside
// the namespace (the console's and the scraper's sockets).
class MeteringBench
{
public:
    MeteringBench(NetNs &host, OvsInstance &ovs, QTextStream &out)
        : m_host(host)
        , m_ovs(ovs)
        , m_out(out)
    {
    }

    core::Result<void> setUp();
    core::Result<Round> round(int seconds);

private:
    core::Result<void> writeFile(const QString &name, const QByteArray &content) const;
    core::Result<void> writeConfig(int meteringIntervalSec) const;
    core::Result<StartedAgent> startAgent(int meteringIntervalSec,
                                          collectors::AgentClient &client) const;
    core::Result<void> deploy();
    QList<qint64> ovsPids() const;
    core::Result<AgentFigures> agentPhase(bool metering, int seconds) const;
    core::Result<ExporterFigures> exporterPhase(int seconds) const;

    NetNs &m_host;
    OvsInstance &m_ovs;
    QTextStream &m_out;
    QTemporaryDir m_dir{QStringLiteral("/tmp/cvbench-XXXXXX")};
    collectors::TlsIdentity m_console;
};

core::Result<void> MeteringBench::writeFile(const QString &name, const QByteArray &content) const
{
    QFile f(m_dir.filePath(name));
    if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size())
        return std::unexpected(
            failure(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString())));
    return {};
}

core::Result<void> MeteringBench::writeConfig(int meteringIntervalSec) const
{
    return writeFile(QStringLiteral("converged.conf"),
                     QStringLiteral("listen = 127.0.0.1:%1\nstate_dir = %2/state\n"
                                    "ovs_db = %3/db.sock\novs_rundir = %3\ndatapath = netdev\n"
                                    "host_name = %4\nconsole_certificate = %2/console.pem\n"
                                    "metering_interval = %5\n")
                         .arg(kAgentPort)
                         .arg(m_dir.path(), m_ovs.dir(), kHost)
                         .arg(meteringIntervalSec)
                         .toUtf8());
}

core::Result<void> MeteringBench::setUp()
{
    if (!m_dir.isValid())
        return std::unexpected(failure(QStringLiteral("cannot create a directory under /tmp")));
    auto identity = collectors::generateIdentity(QStringLiteral("bench console"));
    if (!identity)
        return std::unexpected(identity.error());
    m_console = *identity;
    if (auto w = writeFile(QStringLiteral("console.pem"), m_console.certificate.toPem()); !w)
        return w;
    if (auto v = addVeths(m_host); !v)
        return v;
    return deploy();
}

// converged with METERINGINTERVALSEC, and CLIENT connected to it as the console.
core::Result<StartedAgent> MeteringBench::startAgent(int meteringIntervalSec,
                                                     collectors::AgentClient &client) const
{
    if (auto c = writeConfig(meteringIntervalSec); !c)
        return std::unexpected(c.error());
    auto agent = startConverged(m_host, m_dir.filePath(QStringLiteral("converged.conf")),
                                m_dir.filePath(QStringLiteral("agent.log")));
    if (!agent)
        return agent;
    QString why;
    for (QDeadlineTimer deadline(15000); !deadline.hasExpired(); QThread::msleep(100)) {
        auto c = client.connectTo(QStringLiteral("127.0.0.1"), kAgentPort, m_console,
                                  agent->fingerprint, 2000);
        if (c)
            return agent;
        why = c.error().message;
    }
    agent->process->stop();
    return std::unexpected(
        failure(QStringLiteral("converged did not start serving (see %1/agent.log): %2")
                    .arg(m_dir.path(), why)));
}

// The 50 vNICs through the agent's own apply and confirm, as a console would.
core::Result<void> MeteringBench::deploy()
{
    collectors::AgentClient client;
    auto agent = startAgent(0, client);
    if (!agent)
        return std::unexpected(agent.error());
    auto applied =
        client.call<protocol::ApplyReply>(protocol::ApplyRequest{benchHost(), 60, {}}, 120'000);
    auto confirmed = applied
                         ? client.call<protocol::ConfirmReply>(
                               protocol::ConfirmRequest{applied->transaction}, 10'000)
                         : core::Result<protocol::ConfirmReply>(std::unexpected(applied.error()));
    client.disconnectFromAgent();
    agent->process->stop();
    if (!confirmed)
        return std::unexpected(confirmed.error());
    auto ports = m_ovs.vsctl({QStringLiteral("list-ports"), QStringLiteral("bench")});
    if (!ports)
        return std::unexpected(ports.error());
    const qsizetype n = ports->trimmed().split('\n').size();
    if (n != kVnics)
        return std::unexpected(failure(
            QStringLiteral("the bridge has %1 ports after the apply, not %2").arg(n).arg(kVnics)));
    m_out << "bench-agent-metering: host with " << kVnics
          << " vNIC ports (one meter ACL each) on a userspace-datapath bridge\n";
    return {};
}

// ovsdb-server's and ovs-vswitchd's (their pid files); empty if unreadable (finish() fails).
QList<qint64> MeteringBench::ovsPids() const
{
    QList<qint64> pids;
    for (const char *name : {"ovsdb.pid", "vswitchd.pid"}) {
        QFile f(m_ovs.dir() + QLatin1Char('/') + QLatin1String(name));
        const qint64 pid = f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toLongLong() : 0;
        if (pid <= 0)
            return {};
        pids << pid;
    }
    return pids;
}

// The series in one "metering" event (what a console stores per second).
core::Result<BatchShape> shapeOf(const protocol::Message &event)
{
    auto e = protocol::StreamEvent::fromJson(event.id, event.body);
    if (!e)
        return std::unexpected(e.error());
    auto batch = core::metering::SampleBatch::fromJson(e->data);
    if (!batch)
        return std::unexpected(batch.error());
    BatchShape shape{qsizetype(batch->series.size()), 0, 0,
                     QJsonDocument(e->data).toJson(QJsonDocument::Compact).size()};
    for (const core::metering::SeriesSamples &s : batch->series) {
        shape.vnicSeries += s.key.entity.startsWith(QLatin1String("vnic/")) ? 1 : 0;
        shape.aclSeries += s.key.metric.startsWith(QLatin1String("acl_")) ? 1 : 0;
    }
    return shape;
}

// Phase (a) or (b): converged started afresh, a console connected (and, with metering, subscribed
// and taking every event as it comes), for SECONDS after the warm-up. With metering off the agent
// offers no "metering" stream, so the console only holds its session.
core::Result<AgentFigures> MeteringBench::agentPhase(bool metering, int seconds) const
{
    collectors::AgentClient client;
    auto agent = startAgent(metering ? 1 : 0, client);
    if (!agent)
        return std::unexpected(agent.error());
    AgentFigures f;
    QString why;
    const auto drain = [&] {
        auto event = client.nextEvent(200);
        if (!event) {
            why = event.error().message;
            return false;
        }
        if (!event->has_value())
            return true;
        ++f.events;
        auto shape = shapeOf(**event);
        if (!shape)
            why = QStringLiteral("unreadable metering event: %1").arg(shape.error().message);
        else if (shape->series > f.batch.series)
            f.batch = *shape;
        return bool(shape);
    };
    if (metering) {
        auto subscribed = client.call<protocol::SubscribeReply>(
            protocol::SubscribeRequest{QStringLiteral("metering"), 0, {}}, 10'000);
        if (!subscribed)
            why = subscribed.error().message;
    }
    std::optional<ProcessMeter> meter;
    const auto measure = [&] {
        f.events = 0;
        meter.emplace(agent->process->pid(), ovsPids());
        return runFor(seconds, drain);
    };
    const bool ran = why.isEmpty() && runFor(kWarmUpSec, drain) && measure();
    auto use = ran && meter
                   ? meter->finish()
                   : std::unexpected(failure(why.isEmpty() ? QStringLiteral("interrupted") : why));
    client.disconnectFromAgent();
    agent->process->stop();
    if (!use)
        return std::unexpected(
            failure(QStringLiteral("converged (metering %1): %2")
                        .arg(QLatin1String(metering ? "on" : "off"), use.error().message)));
    f.use = *use;
    return f;
}

// One GET /metrics over HTTP/1.0 (a new connection each time, no compression), as a plain
// scraper would: the body's size and its series (sample lines).
core::Result<ExporterFigures> scrape()
{
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), kExporterPort);
    if (!s.waitForConnected(2000))
        return std::unexpected(failure(QStringLiteral("node_exporter at 127.0.0.1:%1: %2")
                                           .arg(kExporterPort)
                                           .arg(s.errorString())));
    s.write("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray reply;
    while (s.waitForReadyRead(5000))
        reply += s.readAll();
    reply += s.readAll();
    const qsizetype headerEnd = reply.indexOf("\r\n\r\n");
    if (!reply.startsWith("HTTP/1.") || reply.mid(9, 3) != "200" || headerEnd < 0)
        return std::unexpected(failure(QStringLiteral("node_exporter answered /metrics with "
                                                      "\"%1\" (%2 bytes)")
                                           .arg(QString::fromUtf8(reply.left(40)))
                                           .arg(reply.size())));
    const QByteArray body = reply.mid(headerEnd + 4);
    ExporterFigures f;
    f.bytes = body.size();
    for (const QByteArray &line : body.split('\n'))
        f.series += !line.isEmpty() && !line.startsWith('#') ? 1 : 0;
    return f;
}

// Phase (c): node_exporter started in the host's namespace, bound to its loopback, scraped at the
// start of every second.
core::Result<ExporterFigures> MeteringBench::exporterPhase(int seconds) const
{
    auto exporter = m_host.spawn(
        {kExporter, QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(kExporterPort)},
        QProcessEnvironment::systemEnvironment(), m_dir.filePath(QStringLiteral("exporter.log")));
    if (!exporter)
        return std::unexpected(exporter.error());
    core::Result<ExporterFigures> last = std::unexpected(failure(QStringLiteral("no scrape")));
    for (QDeadlineTimer ready(10'000); !ready.hasExpired() && !last; QThread::msleep(100))
        last = scrape();
    ExporterFigures f;
    QElapsedTimer clock;
    clock.start();
    qint64 nextMs = 0;
    const auto scrapeEachSecond = [&] {
        if (clock.elapsed() < nextMs) {
            QThread::msleep(std::min<qint64>(100, nextMs - clock.elapsed()));
            return true;
        }
        nextMs += 1000;
        last = scrape();
        f.scrapes += last ? 1 : 0;
        return bool(last);
    };
    std::optional<ProcessMeter> meter;
    const auto measure = [&] {
        f.scrapes = 0;
        nextMs = clock.elapsed() + 50; // SECONDS scrapes, the last one well before the end
        meter.emplace((*exporter)->pid(), ovsPids());
        return runFor(seconds, scrapeEachSecond);
    };
    const bool ran = last && runFor(kWarmUpSec, scrapeEachSecond) && measure();
    auto use = ran && meter
                   ? meter->finish()
                   : std::unexpected(last ? failure(QStringLiteral("interrupted")) : last.error());
    (*exporter)->stop();
    if (!use)
        return std::unexpected(failure(QStringLiteral("node_exporter (see %1/exporter.log): %2")
                                           .arg(m_dir.path(), use.error().message)));
    f.use = *use;
    f.bytes = last->bytes;
    f.series = last->series;
    return f;
}

core::Result<Round> MeteringBench::round(int seconds)
{
    Round r;
    auto a = agentPhase(true, seconds);
    if (!a)
        return std::unexpected(a.error());
    auto b = agentPhase(false, seconds);
    if (!b)
        return std::unexpected(b.error());
    auto c = exporterPhase(seconds);
    if (!c)
        return std::unexpected(c.error());
    return Round{*a, *b, *c};
}

QString row(const QString &what, const Footprint &f)
{
    return QStringLiteral("  %1 CPU %2 %   RSS peak %3 MB, end %4 MB (anon %5)   OVS daemons "
                          "CPU %6 %")
        .arg(what, -36)
        .arg(f.cpuPercent, 6, 'f', 2)
        .arg(f.rssPeakMb, 5, 'f', 1)
        .arg(f.rssEndMb, 5, 'f', 1)
        .arg(f.rssAnonEndMb, 4, 'f', 1)
        .arg(f.ovsCpuPercent, 5, 'f', 2);
}

QString batchText(const BatchShape &b)
{
    return QStringLiteral("%1 series per batch (%2 of vNICs, %3 of them ACLs), %4 bytes")
        .arg(b.series)
        .arg(b.vnicSeries)
        .arg(b.aclSeries)
        .arg(b.bytes);
}

void printRound(QTextStream &out, int n, const Round &r)
{
    out << "round " << n << '\n'
        << row(QStringLiteral("(a) converged, metering every 1 s"), r.metering.use)
        << QStringLiteral("   (%1 events; %2)\n")
               .arg(r.metering.events)
               .arg(batchText(r.metering.batch))
        << row(QStringLiteral("(b) converged, metering off"), r.baseline.use) << '\n'
        << row(QStringLiteral("(c) node_exporter, scraped at 1 Hz"), r.exporter.use)
        << QStringLiteral("   (%1 scrapes of %2 bytes, %3 series)\n")
               .arg(r.exporter.scrapes)
               .arg(r.exporter.bytes)
               .arg(r.exporter.series);
    out.flush();
}

// The median of each figure over the rounds (not the round with the median CPU).
Footprint medianOf(const std::vector<Round> &rounds, auto pick)
{
    std::vector<double> cpu, peak, end, anon, ovs;
    for (const Round &r : rounds) {
        const Footprint &f = pick(r);
        cpu.push_back(f.cpuPercent);
        peak.push_back(f.rssPeakMb);
        end.push_back(f.rssEndMb);
        anon.push_back(f.rssAnonEndMb);
        ovs.push_back(f.ovsCpuPercent);
    }
    return Footprint{median(cpu), median(peak), median(end), median(anon), median(ovs)};
}

// What the agent's back-fill buffer (metering_buffer minutes of events, capped in bytes) holds
// once full, at the size of these batches: the phases are too short to fill it.
void printBuffer(QTextStream &out, const BatchShape &batch, int phaseSec)
{
    const double minutes = double(collectors::AgentConfig{}.meteringBufferMs) / 60'000;
    const qint64 cap = kAgentBufferCapBytes;
    const double full = std::min(double(cap), minutes * 60 * double(batch.bytes));
    out << QStringLiteral("  back-fill buffer (%1 min of events, at most %2 MB): full at %3 MB "
                          "after %4 s; a phase ends with about %5 MB in it\n")
               .arg(minutes, 0, 'f', 0)
               .arg(double(cap) / 1e6, 0, 'f', 1)
               .arg(full / 1e6, 0, 'f', 1)
               .arg(full / double(std::max<qsizetype>(1, batch.bytes)), 0, 'f', 0)
               .arg(double(phaseSec + kWarmUpSec) * double(batch.bytes) / 1e6, 0, 'f', 1);
}

void printMedians(QTextStream &out, const std::vector<Round> &rounds, int phaseSec)
{
    const Footprint a = medianOf(rounds, [](const Round &r) { return r.metering.use; });
    const Footprint b = medianOf(rounds, [](const Round &r) { return r.baseline.use; });
    const Footprint c = medianOf(rounds, [](const Round &r) { return r.exporter.use; });
    const Footprint cost{a.cpuPercent - b.cpuPercent, a.rssPeakMb - b.rssPeakMb,
                         a.rssEndMb - b.rssEndMb, a.rssAnonEndMb - b.rssAnonEndMb,
                         a.ovsCpuPercent - b.ovsCpuPercent};
    const Round &last = rounds.back();
    out << "median of " << rounds.size() << " rounds\n"
        << row(QStringLiteral("(a) converged, metering every 1 s"), a) << '\n'
        << row(QStringLiteral("(b) converged, metering off"), b) << '\n'
        << row(QStringLiteral("(c) node_exporter, scraped at 1 Hz"), c) << '\n'
        << row(QStringLiteral("metering's cost (a) - (b)"), cost) << '\n'
        << QStringLiteral("  CPU (a) / (c): %1\n").arg(a.cpuPercent / c.cpuPercent, 0, 'f', 2)
        << QStringLiteral("  (a): %1; node_exporter: %2 series, %3 bytes a scrape\n")
               .arg(batchText(last.metering.batch))
               .arg(last.exporter.series)
               .arg(last.exporter.bytes);
    printBuffer(out, last.metering.batch, phaseSec);
    out << QStringLiteral("  target RSS <= 10 MB: %1 (peak %2 MB); CPU below node_exporter's: %3\n")
               .arg(QLatin1String(a.rssPeakMb <= 10 ? "met" : "NOT met"))
               .arg(a.rssPeakMb, 0, 'f', 1)
               .arg(QLatin1String(a.cpuPercent < c.cpuPercent ? "met" : "NOT met"));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("converge.*.info=false"));
    QTextStream out(stdout);
    const int seconds = argc > 1 ? std::max(1, atoi(argv[1])) : 20;
    const int rounds = argc > 2 ? std::max(1, atoi(argv[2])) : 3;
    QString why;
    if (haveRootAndOvs(&why) && !QFileInfo(kExporter).isExecutable())
        why = kExporter + QStringLiteral(" is not installed (Debian: prometheus-node-exporter)");
    if (!why.isEmpty()) {
        out << "bench-agent-metering skipped: " << why << '\n';
        return 0;
    }
    std::signal(SIGINT, [](int) { s_interrupted = 1; });
    std::signal(SIGTERM, [](int) { s_interrupted = 1; });
    NetNs host;
    OvsInstance ovs(host);
    if (!ovs.isValid()) {
        out << "cannot start Open vSwitch: " << ovs.error() << '\n';
        return 1;
    }
    NetnsScope scope(host.name()); // the console's and the scraper's sockets live in the host
    if (!scope.isValid()) {
        out << "cannot enter " << host.name() << ": " << scope.error() << '\n';
        return 1;
    }
    MeteringBench bench(host, ovs, out);
    if (auto s = bench.setUp(); !s) {
        out << "bench-agent-metering: " << s.error().message << '\n';
        return 1;
    }
    out << rounds << " rounds of " << seconds << " s per phase (after " << kWarmUpSec
        << " s of warm-up); CPU in % of one core, RSS in MB of 10^6 bytes\n";
    out.flush();
    std::vector<Round> results;
    for (int i = 1; i <= rounds; ++i) {
        auto r = bench.round(seconds);
        if (!r) {
            out << "bench-agent-metering: round " << i << ": " << r.error().message << '\n';
            return 1;
        }
        results.push_back(*r);
        printRound(out, i, *r);
    }
    printMedians(out, results, seconds);
    return 0;
}
