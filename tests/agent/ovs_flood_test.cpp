// converged under a connection flood (root; issue 13): 2,000 connections kept going from another
// namespace (silent, slow, mid-frame, non-reading, self-signed while a token is pending, and some
// with the enrolled console's own key) while a legitimate console says hello, plans, applies and
// confirms. The deploy completes, the confirm is on time, the flood's addresses are paced (refused
// before TLS beyond their rate), and the agent stays under its budget: peak RSS under 64 MB and
// less than one core (docs/agent.md, "Limits").
#include "collectors/channel/channel.h"
#include "collectors/channel/tlsidentity.h"
#include "core/protocol/replies.h"
#include "core/protocol/requests.h"
#include "ovsenv.h"

#include "testapp.h"

#include <gtest/gtest.h>

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <iostream>

#include <unistd.h>

using namespace converge;
using namespace converge::testing;
namespace protocol = core::protocol;

namespace {

const QString kHost = QStringLiteral("fld1");
#ifdef __SANITIZE_ADDRESS__
// Under AddressSanitizer the agent's memory and CPU are ASan's (shadow memory, quarantine of
// freed blocks, checks several times slower): the test then holds the console's deploy to its
// deadlines (a CPU-starved agent still serves it, since the flood's handshakes are paced per
// address) but not the agent to its memory and CPU budget.
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
const QString kAgentAddress = QStringLiteral("10.213.47.1");
const QStringList kFloodSources = {QStringLiteral("10.213.47.2"), QStringLiteral("10.213.47.3"),
                                   QStringLiteral("10.213.47.4"), QStringLiteral("10.213.47.5")};
const QString kAuthSource = QStringLiteral("10.213.47.9");

core::realize::HostState twoVms()
{
    return labBridge(kHost, {QStringLiteral("v1"), QStringLiteral("v2")},
                     [](core::realize::Port &p) { p.dhcpGuard = true; });
}

class FloodTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ensureApp();
        QString why;
        if (!haveRootAndOvs(&why))
            GTEST_SKIP() << why.toStdString();
        ASSERT_TRUE(host.isValid() && attacker.isValid())
            << (host.error() + attacker.error()).toStdString();
        ovs = std::make_unique<OvsInstance>(host);
        ASSERT_TRUE(ovs->isValid()) << ovs->error().toStdString();
        for (const char *vm : {"v1", "v2"})
            vms.push_back(std::make_unique<Vm>(
                host, QLatin1String(vm), QStringLiteral("02:47:00:00:00:0%1").arg(vms.size() + 1),
                QStringLiteral("10.213.48.%1/24").arg(vms.size() + 1)));
        for (const auto &vm : vms)
            ASSERT_TRUE(vm->isValid()) << vm->error().toStdString();
        ASSERT_NO_FATAL_FAILURE(link());
        auto identity = collectors::generateIdentity(QStringLiteral("test console"));
        ASSERT_TRUE(identity) << identity.error().message.toStdString();
        console = *identity;
        ASSERT_TRUE(write(QStringLiteral("console.pem"), console.certificate.toPem()));
        ASSERT_TRUE(write(QStringLiteral("console.key"), console.key.toPem()));
        ASSERT_TRUE(write(QStringLiteral("converged.conf"),
                          QStringLiteral("listen = 0.0.0.0:7443\nstate_dir = %1/state\n"
                                         "ovs_db = %2/db.sock\novs_rundir = %2\ndatapath = netdev\n"
                                         "host_name = %3\nconsole_certificate = %1/console.pem\n")
                                  .arg(dir.path(), ovs->dir(), kHost)
                                  .toUtf8() +
                              // Lines to compare with (README: connection_rate_per_source =
                              // 65536 turns the pacing off).
                              qgetenv("CONVERGE_FLOOD_AGENT_CONF").replace(';', '\n') + '\n'));
        ASSERT_NO_FATAL_FAILURE(startAgent());
    }

    bool write(const QString &name, const QByteArray &bytes)
    {
        QFile f(dir.filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
    }

    // The attacker's namespace: a veth to the host, the agent's address on the host's end and
    // every flood source on the attacker's.
    void link()
    {
        ASSERT_TRUE(host.run({QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("add"),
                              QStringLiteral("fl0"), QStringLiteral("type"), QStringLiteral("veth"),
                              QStringLiteral("peer"), QStringLiteral("name"), QStringLiteral("fl1"),
                              QStringLiteral("netns"), attacker.name()}));
        for (const QStringList &argv :
             {QStringList{QStringLiteral("ip"), QStringLiteral("addr"), QStringLiteral("add"),
                          kAgentAddress + QStringLiteral("/24"), QStringLiteral("dev"),
                          QStringLiteral("fl0")},
              QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                          QStringLiteral("fl0"), QStringLiteral("up")},
              QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                          QStringLiteral("lo"), QStringLiteral("up")}})
            ASSERT_TRUE(host.run(argv)) << argv.join(u' ').toStdString();
        QStringList sources = kFloodSources;
        sources << kAuthSource;
        for (const QString &a : sources)
            ASSERT_TRUE(attacker.run({QStringLiteral("ip"), QStringLiteral("addr"),
                                      QStringLiteral("add"), a + QStringLiteral("/24"),
                                      QStringLiteral("dev"), QStringLiteral("fl1")}));
        ASSERT_TRUE(
            attacker.run({QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                          QStringLiteral("fl1"), QStringLiteral("up")}));
    }

    QString config() const { return dir.filePath(QStringLiteral("converged.conf")); }

    void startAgent()
    {
        // A pending token: any self-signed certificate then gets an enroll-only connection.
        ASSERT_TRUE(
            host.run({QStringLiteral(CONVERGE_BINARY_DIR "/app/converged"),
                      QStringLiteral("--config"), config(), QStringLiteral("--issue-token")}));
        auto started = startConverged(host, config(), dir.filePath(QStringLiteral("agent.log")));
        ASSERT_TRUE(started) << started.error().message.toStdString();
        agent = started->process;
        agentFingerprint = started->fingerprint;
        scope = std::make_unique<NetnsScope>(host.name());
        ASSERT_TRUE(scope->isValid()) << scope->error().toStdString();
        for (QDeadlineTimer deadline(15000); !deadline.hasExpired(); QThread::msleep(100)) {
            ASSERT_TRUE(agent->isRunning()) << agentLog().toStdString();
            if (client.connectTo(QStringLiteral("127.0.0.1"), 7443, console, agentFingerprint,
                                 2000))
                return;
        }
        FAIL() << "converged did not start serving: " << agentLog().toStdString();
    }

    QString agentLog() const
    {
        QFile f(dir.filePath(QStringLiteral("agent.log")));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

    // First: the TLS members below need the application (testapp.h).
    bool appReady = (ensureApp(), true);
    QTemporaryDir dir{QStringLiteral("/tmp/cvflood-XXXXXX")};
    NetNs host;
    NetNs attacker;
    std::unique_ptr<OvsInstance> ovs;
    std::vector<std::unique_ptr<Vm>> vms;
    std::unique_ptr<NetnsScope> scope;
    OwnedProcess *agent = nullptr;
    collectors::TlsIdentity console;
    QString agentFingerprint;
    collectors::AgentClient client;
};

// Peak RSS and CPU of a process, sampled every 100 ms while the event loop runs.
struct Meter
{
    explicit Meter(qint64 agentPid)
        : pid(agentPid)
        , ticks0(processCpuTicks(agentPid))
    {
        wall.start();
        QObject::connect(&timer, &QTimer::timeout,
                         [this] { peakRssKb = std::max(peakRssKb, processRssKb(this->pid)); });
        timer.start(100);
    }
    double cores() const
    {
        return double(processCpuTicks(pid) - ticks0) / double(sysconf(_SC_CLK_TCK)) /
               (double(wall.elapsed()) / 1000.0);
    }
    qint64 pid;
    qint64 ticks0;
    qint64 peakRssKb = 0;
    QElapsedTimer wall;
    QTimer timer;
};

// Runs the event loop for MS (the agent client is synchronous; the meter's timer needs a loop).
void spin(int ms)
{
    QDeadlineTimer deadline(ms);
    while (!deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
}

TEST_F(FloodTest, AnEnrolledConsoleDeploysOnTimeThroughTwoThousandHostileConnections)
{
    QProcess flood;
    flood.setProgram(QStringLiteral("ip"));
    flood.setArguments(attacker.execPrefix()
                       << QStringLiteral("python3")
                       << QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/flood.py")
                       << QStringLiteral("--host") << kAgentAddress << QStringLiteral("--sources")
                       << kFloodSources.join(u',') << QStringLiteral("--auth-source") << kAuthSource
                       << QStringLiteral("--cert") << dir.filePath(QStringLiteral("console.pem"))
                       << QStringLiteral("--key") << dir.filePath(QStringLiteral("console.key"))
                       << QStringLiteral("--connections") << QStringLiteral("2000")
                       << QStringLiteral("--seconds") << QStringLiteral("25"));
    flood.setStandardErrorFile(dir.filePath(QStringLiteral("flood.err")));
    client.disconnectFromAgent();
    const qint64 rssBefore = processRssKb(agent->pid());
    flood.start();
    ASSERT_TRUE(flood.waitForStarted()) << flood.errorString().toStdString();
    Meter meter(agent->pid());
    spin(5000); // the flood at full strength

    QElapsedTimer took;
    took.start();
    ASSERT_TRUE(
        client.connectTo(QStringLiteral("127.0.0.1"), 7443, console, agentFingerprint, 10000));
    const qint64 connectMs = took.restart();
    auto plan = client.call<protocol::PlanReply>(protocol::PlanRequest{twoVms()}, 30000);
    ASSERT_TRUE(plan) << plan.error().message.toStdString();
    const qint64 planMs = took.restart();
    auto applied =
        client.call<protocol::ApplyReply>(protocol::ApplyRequest{twoVms(), 30, {}}, 60000);
    ASSERT_TRUE(applied) << applied.error().message.toStdString();
    ASSERT_TRUE(applied->changed);
    const qint64 applyMs = took.restart();
    spin(3000); // the console checks its hosts before confirming
    took.restart();
    auto confirmed =
        client.call<protocol::ConfirmReply>(protocol::ConfirmRequest{applied->transaction}, 10000);
    ASSERT_TRUE(confirmed) << confirmed.error().message.toStdString() << "\n"
                           << agentLog().right(3000).toStdString();
    const qint64 confirmMs = took.elapsed();
    spin(8000); // the rest of the flood, measured too
    const double cores = meter.cores();
    ASSERT_TRUE(flood.waitForFinished(60000));
    const QJsonObject stats =
        QJsonDocument::fromJson(flood.readAllStandardOutput().trimmed().split('\n').last())
            .object();
    const QString figures =
        QStringLiteral("flood %1; agent RSS before %2 kB, peak %3 kB; CPU %4 cores; console "
                       "connect %5 ms, plan %6 ms, apply %7 ms, confirm %8 ms")
            .arg(QString::fromUtf8(QJsonDocument(stats).toJson(QJsonDocument::Compact)))
            .arg(rssBefore)
            .arg(meter.peakRssKb)
            .arg(cores, 0, 'f', 2)
            .arg(connectMs)
            .arg(planMs)
            .arg(applyMs)
            .arg(confirmMs);
    std::cout << figures.toStdString() << std::endl;

    const QJsonObject counts = stats.value(QLatin1String("counts")).toObject();
    EXPECT_GE(counts.value(QLatin1String("attempts")).toInt(), 2000) << figures.toStdString();
    // The target. Before the per-address pacing a flood of 3,500 connections a second
    // reached 94 MB here (TLS sessions churned through the heap); paced, 45 MB (README).
    if (!kSanitized) {
        EXPECT_LT(meter.peakRssKb, 64 * 1024) << figures.toStdString();
        EXPECT_LT(cores, 1.0) << figures.toStdString();
    }
    EXPECT_LT(connectMs + planMs + applyMs + confirmMs, 20000) << figures.toStdString();
    // The agent said what it refused, and in counts rather than a line per connection.
    const QString log = agentLog();
    EXPECT_TRUE(log.contains(QLatin1String("connection_rate_per_source")))
        << log.right(3000).toStdString();
    EXPECT_TRUE(log.contains(QLatin1String("dropped an unauthenticated connection")))
        << log.right(3000).toStdString();
    // (Requests of the console's key are each logged by the service, as always; lines about
    // peers are at most 20 in 10 s plus a summary.)
    EXPECT_LT(log.count(QLatin1String("converge.agent.channel:")), 150)
        << log.right(3000).toStdString();
    // Nothing but the agent's own lines: no warning from Qt about sockets used after their end.
    QStringList foreign;
    for (const QString &line : log.split(u'\n', Qt::SkipEmptyParts))
        if (!line.startsWith(QLatin1String("converge")))
            foreign << line;
    EXPECT_TRUE(foreign.isEmpty()) << foreign.mid(0, 20).join(u'\n').toStdString();
    // And it still serves.
    auto state = client.call<protocol::StateReply>(protocol::StateRequest{}, 30000);
    ASSERT_TRUE(state) << state.error().message.toStdString() << "\n"
                       << agentLog().right(3000).toStdString();
    EXPECT_EQ(state->state.bridges.size(), 1U);
}

} // namespace
