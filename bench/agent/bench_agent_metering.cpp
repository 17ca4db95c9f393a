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
#include "meteringreport.h"
#include "ovsenv.h"

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

using namespace converge;
using namespace converge::testing;
using namespace converge::bench;
namespace protocol = core::protocol;
namespace realize = core::realize;

namespace {

constexpr int kVnics = 50;
constexpr int kWarmUpSec = 2; // start-up work (certificates, the first OVSDB read) is not steady
constexpr quint16 kAgentPort = 7443;
constexpr quint16 kExporterPort = 9100;
const QString kHost = QStringLiteral("b");
const QString kExporter = QStringLiteral("/usr/bin/prometheus-node-exporter");

volatile std::sig_atomic_t s_interrupted = 0; // Ctrl-C: leave the phase, clean up, exit

core::Error failure(const QString &what)
{
    return core::Error{core::Error::Code::Io, what, {}};
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

// The vNICs' host ends (bvN, as a VM's taps would be) and their peers (bvNp) in GUESTS, where
// neither the agent nor node_exporter counts them as the host's interfaces; both ends up.
core::Result<void> addVeths(NetNs &host, const NetNs &guests)
{
    const QString ip = QStringLiteral("ip"), link = QStringLiteral("link"),
                  set = QStringLiteral("set"), up = QStringLiteral("up");
    for (int i = 0; i < kVnics; ++i) {
        const QString dev = QStringLiteral("bv%1").arg(i), peer = dev + QStringLiteral("p");
        auto added =
            host.run({ip, link, QStringLiteral("add"), dev, QStringLiteral("type"),
                      QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"), peer,
                      QStringLiteral("netns"), guests.name()});
        auto hostUp = added ? host.run({ip, link, set, dev, up}) : added;
        auto peerUp = hostUp ? guests.run({ip, link, set, peer, up}) : hostUp;
        if (!peerUp)
            return std::unexpected(peerUp.error());
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
    NetNs m_guests; // the vNICs' far ends
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
    if (!m_guests.isValid())
        return std::unexpected(failure(
            QStringLiteral("cannot create the guests' namespace: %1").arg(m_guests.error())));
    if (auto v = addVeths(m_host, m_guests); !v)
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
    const QByteArray json = QJsonDocument(e->data).toJson(QJsonDocument::Compact);
    BatchShape shape{qsizetype(batch->series.size()), 0, 0, json.size(), qCompress(json, 1).size()};
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
    printMedians(out, results, seconds + kWarmUpSec);
    return 0;
}
