// Remote capture through a real agent (root; issue 16): the design of
// tests/wire/data/capture.converge.json deployed to one host with VMs a (10.68.0.1) and b
// (10.68.0.2). The console captures alpha's vNIC through a temporary Open vSwitch mirror while a
// pings b and sends it UDP: the capture holds exactly that flow. A ring capture on the host is
// fetched and read back by tshark; tshark captures through converge-extcap; and the temporary
// mirror goes when the console is killed (kill -9) or stops renewing its lease.
#include "collectors/capture/dissector.h"
#include "collectors/capture/pcapfile.h"
#include "collectors/channel/tlsagentconnector.h"
#include "collectors/console/capturesession.h"
#include "collectors/console/fleet.h"
#include "core/io/designdocument.h"
#include "core/realize/desiredstate.h"

#include "testapp.h"
#include "tsharkoracle.h"
#include "wirelab.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QThread>

#include <QProcess>

#include <csignal>
#include <signal.h>

using namespace converge;
using namespace converge::testing;
namespace protocol = core::protocol;

namespace {

constexpr int kPings = 5;
constexpr int kDatagrams = 7;
const QString kB = QStringLiteral("10.68.0.2");

std::string text(const core::Result<ProcessResult> &r)
{
    if (!r)
        return r.error().message.toStdString();
    return (r->out + r->err).toStdString();
}

struct Counted
{
    int requests = 0, replies = 0, udp = 0, other = 0;
};

// What a capture file holds: echo requests from a to b, replies, UDP datagrams to port 5555.
core::Result<Counted> count(const QString &path)
{
    auto file = collectors::PcapFile::open(path);
    if (!file)
        return std::unexpected(file.error());
    Counted c;
    for (;;) {
        auto next = file->next();
        if (!next)
            return std::unexpected(next.error());
        if (!*next)
            return c;
        const collectors::PacketSummary s = collectors::dissectSummary((*next)->bytes);
        if (s.icmpType == 8) // ICMP (an ICMPv6 echo is 128)
            ++c.requests;
        else if (s.icmpType == 0)
            ++c.replies;
        else if (s.destinationPort == 5555)
            ++c.udp;
        else
            ++c.other;
    }
}

class WireCapture : public ::testing::Test
{
protected:
    static void SetUpTestSuite() { ensureApp(); }

    void SetUp() override
    {
        QString why;
        design = wireDesign("capture.converge.json");
        const WireLab::Ready ready = lab.deployed(design, &why);
        if (ready == WireLab::Ready::Skip)
            GTEST_SKIP() << why.toStdString();
        ASSERT_EQ(ready, WireLab::Ready::Yes) << why.toStdString();
        // The design and its project store with the agent, as convergectl enroll leaves them.
        file = lab.fleet().dir() + QStringLiteral("/capture.converge.json");
        ASSERT_TRUE(core::designdocument::saveFile(design, file));
        auto store =
            collectors::openFleetStore(file, design, collectors::StoreMode::CreateIfMissing);
        ASSERT_TRUE(store) << store.error().message.toStdString();
        const FleetLab::Host &h = lab.fleet().hosts().front();
        ASSERT_TRUE(store->saveAgent(
            {h.name, h.address, h.fingerprint, QDateTime::currentDateTimeUtc(), {}, {}}));
        ASSERT_TRUE(lab.vm(QStringLiteral("alpha")).ping(kB))
            << lab.vm(QStringLiteral("alpha")).lastPing().toStdString();
    }

    // The known flow: kPings pings a -> b and kDatagrams UDP datagrams to b's port 5555, and
    // datagrams to port 6666 the filter leaves out.
    void sendFlow()
    {
        Vm &a = lab.vm(QStringLiteral("alpha"));
        ASSERT_TRUE(a.ping(kB, kPings, 10)) << a.lastPing().toStdString();
        const QString udp = QStringLiteral("for i in $(seq %1); do echo x > /dev/udp/%2/%3; done");
        for (const auto &[port, n] : {std::pair{5555, kDatagrams}, std::pair{6666, 4}}) {
            auto sent = a.exec(
                {QStringLiteral("bash"), QStringLiteral("-c"), udp.arg(n).arg(kB).arg(port)});
            ASSERT_TRUE(sent && sent->exitCode == 0) << text(sent);
        }
    }

    QStringList captureMirrors()
    {
        auto names = lab.fleet().hosts().front().ovs->vsctl(
            {QStringLiteral("--bare"), QStringLiteral("--columns=name"), QStringLiteral("list"),
             QStringLiteral("mirror")});
        QStringList list;
        if (names)
            for (const QByteArray &n : names->split('\n'))
                if (n.startsWith("converge-capture"))
                    list << QString::fromUtf8(n);
        return list;
    }

    bool waitForMirrors(bool present, int ms = 5000)
    {
        for (QDeadlineTimer deadline(ms); !deadline.hasExpired(); QThread::msleep(50))
            if (captureMirrors().isEmpty() != present)
                return true;
        return false;
    }

    // The capture filter of these tests: a's pings and what goes to port 5555, not port 6666
    // (nor the ICMP port-unreachable answers b sends back for it).
    static collectors::CaptureChoice choice()
    {
        collectors::CaptureChoice c;
        c.vnic = QStringLiteral("alpha/nic");
        c.bpf = QStringLiteral("icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply or "
                               "udp port 5555");
        return c;
    }

    // A console capturing live in a thread of its own into OUT, as the capture window does,
    // until stopped (the destructor stops it and waits).
    struct LiveRun
    {
        std::atomic_bool stop = false;
        core::Result<collectors::LiveCaptureProgress> done =
            core::invalid(QStringLiteral("not run"));
        std::unique_ptr<QThread> thread;
        ~LiveRun() { finish(); }
        void finish()
        {
            stop = true;
            if (thread)
                thread->wait();
        }
    };

    std::unique_ptr<LiveRun> startLive(const collectors::CaptureChoice &c, const QString &out)
    {
        const FleetLab::Host &h = lab.fleet().hosts().front();
        const collectors::DeployTarget target{
            h.name, h.address, h.fingerprint,
            *core::realize::desiredState(design, QStringLiteral("hv1"))};
        auto run = std::make_unique<LiveRun>();
        auto resolved = collectors::resolveCapture(design, target, c);
        if (!resolved) {
            run->done = std::unexpected(resolved.error());
            return run;
        }
        run->thread.reset(QThread::create([this, r = *resolved, out, run = run.get()] {
            NetnsScope inConsole(lab.fleet().console().name());
            collectors::TlsAgentConnector connector(lab.fleet().identity());
            auto session = connector.open(r.agent, {});
            if (!session) {
                run->done = std::unexpected(session.error());
                return;
            }
            QFile output(out);
            output.open(QIODevice::WriteOnly);
            run->done = collectors::runLiveCapture(**session, r.request, output, run->stop);
        }));
        run->thread->start();
        return run;
    }

    WireLab lab;
    core::Design design;
    QString file;
};

} // namespace

TEST_F(WireCapture, ALiveCaptureThroughATemporaryMirrorHoldsExactlyTheFlow)
{
    const QString out = lab.fleet().dir() + QStringLiteral("/live.pcapng");
    auto run = startLive(choice(), out);
    if (!waitForMirrors(true)) {
        run->finish();
        FAIL() << "no temporary mirror appeared: "
               << (run->done ? std::string("the capture ran")
                             : run->done.error().message.toStdString())
               << "\n"
               << lab.fleet().agentLog(lab.fleet().hosts().front()).right(3000).toStdString();
    }
    QThread::msleep(300); // the engine opens its interface after the mirror exists
    ASSERT_NO_FATAL_FAILURE(sendFlow());
    QThread::msleep(500); // the last packets reach the console
    run->finish();
    const auto &done = run->done;
    ASSERT_TRUE(done) << done.error().message.toStdString();
    EXPECT_EQ(done->end, QStringLiteral("stopped"));
    EXPECT_EQ(done->stats.kernelDropped, 0);
    EXPECT_EQ(done->stats.agentDropped, 0);
    auto counted = count(out);
    ASSERT_TRUE(counted) << counted.error().message.toStdString();
    EXPECT_EQ(counted->requests, kPings);
    EXPECT_EQ(counted->replies, kPings);
    EXPECT_EQ(counted->udp, kDatagrams);
    EXPECT_EQ(counted->other, 0);
    EXPECT_EQ(done->packets, 2 * kPings + kDatagrams);
    EXPECT_TRUE(waitForMirrors(false))
        << "the temporary mirror stayed: " << captureMirrors().join(u' ').toStdString();
    // And tshark reads the file as it came.
    if (!QStandardPaths::findExecutable(QStringLiteral("tshark")).isEmpty()) {
        QProcess tshark;
        tshark.start(QStringLiteral("tshark"), {QStringLiteral("-r"), out});
        ASSERT_TRUE(tshark.waitForFinished(60000));
        EXPECT_EQ(tshark.exitCode(), 0) << tshark.readAllStandardError().toStdString();
        EXPECT_EQ(tshark.readAllStandardOutput().count('\n'), 2 * kPings + kDatagrams);
        // And every packet of this namespace traffic dissects as tshark dissects it.
        EXPECT_EQ(capturetest::expectFileAgreesWithTshark(out), 2 * kPings + kDatagrams);
    }
}

// The ring runs on the host without the console; convergectl lists, stops and fetches it, tshark
// reads every file, a second fetch adds nothing, delete removes it.
TEST_F(WireCapture, ARingCaptureIsFetchedAndReadByTshark)
{
    if (QStandardPaths::findExecutable(QStringLiteral("tshark")).isEmpty())
        GTEST_SKIP() << "tshark is not installed (installer/deps.sh installs it)";
    FleetLab &fleet = lab.fleet();
    const QStringList where{file, QStringLiteral("--host"), QStringLiteral("hv1")};
    auto started = fleet.convergectl(
        QStringList{QStringLiteral("capture")} + where +
        QStringList{QStringLiteral("--vnic"), QStringLiteral("alpha/nic"),
                    QStringLiteral("--filter"), choice().bpf, QStringLiteral("--ring"),
                    QStringLiteral("r1"), QStringLiteral("--file-size"), QStringLiteral("1"),
                    QStringLiteral("--files"), QStringLiteral("3")});
    ASSERT_TRUE(started && started->exitCode == 0) << text(started);
    EXPECT_TRUE(started->out.contains("Ring capture r1 runs on hv1")) << text(started);
    ASSERT_TRUE(waitForMirrors(true));
    QThread::msleep(300);
    ASSERT_NO_FATAL_FAILURE(sendFlow());
    QThread::msleep(300);
    const auto ctl = [&](const QStringList &verbAndName, const QStringList &more = {}) {
        return fleet.convergectl(QStringList{QStringLiteral("captures"), verbAndName.front()} +
                                 where + verbAndName.mid(1) + more);
    };
    auto running = ctl({QStringLiteral("list")});
    ASSERT_TRUE(running && running->exitCode == 0) << text(running);
    EXPECT_TRUE(running->out.contains("r1  running")) << text(running);
    auto stopped = ctl({QStringLiteral("stop"), QStringLiteral("r1")});
    ASSERT_TRUE(stopped && stopped->exitCode == 0) << text(stopped);
    EXPECT_TRUE(waitForMirrors(false)) << "the ring's temporary mirror stayed";
    auto finished = ctl({QStringLiteral("list")});
    EXPECT_TRUE(finished && finished->out.contains("r1  finished")) << text(finished);
    EXPECT_TRUE(finished &&
                finished->out.contains(QByteArray::number(2 * kPings + kDatagrams) + " packets"))
        << text(finished);

    const QString local = fleet.dir() + QStringLiteral("/fetched");
    auto fetched =
        ctl({QStringLiteral("fetch"), QStringLiteral("r1")}, {QStringLiteral("-o"), local});
    ASSERT_TRUE(fetched && fetched->exitCode == 0) << text(fetched);
    const QStringList files = QDir(local).entryList({QStringLiteral("*.pcapng")}, QDir::Files);
    ASSERT_FALSE(files.isEmpty()) << text(fetched);
    int packets = 0;
    for (const QString &f : files) {
        QProcess tshark;
        tshark.start(QStringLiteral("tshark"), {QStringLiteral("-r"), QDir(local).filePath(f)});
        ASSERT_TRUE(tshark.waitForFinished(60000));
        EXPECT_EQ(tshark.exitCode(), 0)
            << f.toStdString() << ": " << tshark.readAllStandardError().toStdString();
        packets += int(tshark.readAllStandardOutput().count('\n'));
    }
    EXPECT_EQ(packets, 2 * kPings + kDatagrams);
    // A fetch cut short resumes where the local file ends: cut the file in half and fetch again.
    QFile first(QDir(local).filePath(files.front()));
    ASSERT_TRUE(first.open(QIODevice::ReadOnly));
    const QByteArray whole = first.readAll();
    first.close();
    ASSERT_TRUE(first.resize(whole.size() / 2));
    auto again =
        ctl({QStringLiteral("fetch"), QStringLiteral("r1")}, {QStringLiteral("-o"), local});
    ASSERT_TRUE(again && again->exitCode == 0) << text(again);
    ASSERT_TRUE(first.open(QIODevice::ReadOnly));
    EXPECT_EQ(first.readAll(), whole) << "a resumed fetch did not complete the file as it was";
    first.close();

    auto deleted = ctl({QStringLiteral("delete"), QStringLiteral("r1")});
    ASSERT_TRUE(deleted && deleted->exitCode == 0) << text(deleted);
    auto none = ctl({QStringLiteral("list")});
    EXPECT_TRUE(none && none->out.contains("No ring captures")) << text(none);
}

// tshark -i with converge-extcap in its extcap directory: the design's vNIC is a capture
// interface, and tshark's capture filter reaches the agent.
TEST_F(WireCapture, TsharkCapturesAKnownFlowThroughTheExtcap)
{
    if (QStandardPaths::findExecutable(QStringLiteral("tshark")).isEmpty())
        GTEST_SKIP() << "tshark is not installed (installer/deps.sh installs it)";
    FleetLab &fleet = lab.fleet();
    // Wireshark 4.0 runs the extcap programs of its own directory and of the user's
    // ~/.config/wireshark/extcap: a home of the test's own holds converge-extcap.
    const QString home = fleet.dir() + QStringLiteral("/home");
    const QString extcapDir = home + QStringLiteral("/.config/wireshark/extcap");
    ASSERT_TRUE(QDir().mkpath(extcapDir));
    ASSERT_TRUE(QFile::link(FleetLab::binary("converge-extcap"),
                            extcapDir + QStringLiteral("/converge-extcap")));
    QProcessEnvironment env = fleet.consoleEnv();
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("CONVERGE_EXTCAP_DESIGNS"), file);
    auto listed =
        fleet.console().exec({QStringLiteral("tshark"), QStringLiteral("-D")}, 60000, env);
    ASSERT_TRUE(listed && listed->exitCode == 0) << text(listed);
    EXPECT_TRUE(listed->out.contains("converge.hv1.alpha (Converge: hv1 / alpha/nic)"))
        << text(listed);

    const QString out = fleet.dir() + QStringLiteral("/extcap.pcapng");
    auto tshark = fleet.console().spawn(
        {QStringLiteral("tshark"), QStringLiteral("-i"), QStringLiteral("converge.hv1.alpha"),
         QStringLiteral("-f"), choice().bpf, QStringLiteral("-c"),
         QString::number(2 * kPings + kDatagrams), QStringLiteral("-w"), out},
        env, fleet.dir() + QStringLiteral("/tshark.log"));
    ASSERT_TRUE(tshark) << tshark.error().message.toStdString();
    ASSERT_TRUE(waitForMirrors(true, 15000)) << "tshark's capture made no mirror";
    QThread::msleep(300);
    ASSERT_NO_FATAL_FAILURE(sendFlow());
    for (QDeadlineTimer deadline(15000); (*tshark)->isRunning() && !deadline.hasExpired();)
        QThread::msleep(50);
    EXPECT_FALSE((*tshark)->isRunning()) << "tshark did not get its packets";
    auto counted = count(out);
    ASSERT_TRUE(counted) << counted.error().message.toStdString();
    EXPECT_EQ(counted->requests, kPings);
    EXPECT_EQ(counted->replies, kPings);
    EXPECT_EQ(counted->udp, kDatagrams);
    EXPECT_TRUE(waitForMirrors(false)) << "the extcap's temporary mirror stayed";
}

// A console killed mid-capture (kill -9: no capture-stop) takes its temporary mirror with it:
// its connection closes and the agent stops the capture.
TEST_F(WireCapture, AConsoleKilledMidCaptureLeavesNoMirror)
{
    FleetLab &fleet = lab.fleet();
    auto console = fleet.console().spawn(
        {FleetLab::binary("convergectl"), QStringLiteral("capture"), file, QStringLiteral("--host"),
         QStringLiteral("hv1"), QStringLiteral("--vnic"), QStringLiteral("alpha/nic"),
         QStringLiteral("-w"), fleet.dir() + QStringLiteral("/killed.pcapng")},
        fleet.consoleEnv());
    ASSERT_TRUE(console) << console.error().message.toStdString();
    ASSERT_TRUE(waitForMirrors(true, 15000)) << "convergectl capture made no mirror";
    ASSERT_NO_FATAL_FAILURE(sendFlow());
    ASSERT_EQ(::kill(pid_t((*console)->pid()), SIGKILL), 0);
    EXPECT_TRUE(waitForMirrors(false, 5000))
        << "the mirror outlived its console: " << captureMirrors().join(u' ').toStdString();
}

// A console that keeps its connection but stops renewing (a frozen or partitioned console) loses
// the capture when its lease passes, and the mirror with it.
TEST_F(WireCapture, ACaptureWhoseLeaseIsNotRenewedEnds)
{
    NetnsScope scope(lab.fleet().console().name());
    ASSERT_TRUE(scope.isValid());
    const FleetLab::Host &h = lab.fleet().hosts().front();
    collectors::TlsAgentConnector connector(lab.fleet().identity());
    auto session = connector.open({h.name, h.address, h.fingerprint}, {});
    ASSERT_TRUE(session) << session.error().message.toStdString();
    protocol::CaptureStartRequest request;
    request.target.port = QStringLiteral("alpha");
    request.target.viaMirror = true;
    request.leaseSec = 5;
    auto started = (*session)->captureStart(request);
    ASSERT_TRUE(started) << started.error().message.toStdString();
    ASSERT_FALSE(captureMirrors().isEmpty());
    const qint64 t0 = QDateTime::currentMSecsSinceEpoch();
    EXPECT_TRUE(waitForMirrors(false, 9000)) << "the mirror outlived the lease";
    EXPECT_GE(QDateTime::currentMSecsSinceEpoch() - t0, 3500)
        << "the capture ended before its lease";
    EXPECT_FALSE((*session)->captureRenew({started->capture})) << "a lapsed capture was renewed";
}

// A mirror session of the design, deployed as an Open vSwitch mirror into mon's port: the
// capture reads that output port, and gets alpha's traffic as the session copies it.
TEST_F(WireCapture, ADesignsMirrorSessionIsCapturedOnItsOutputPort)
{
    const FleetLab::Host &h = lab.fleet().hosts().front();
    collectors::CaptureChoice c = choice();
    c.vnic.clear();
    c.mirror = QStringLiteral("watch-alpha");
    const QString out = lab.fleet().dir() + QStringLiteral("/session.pcapng");
    auto run = startLive(c, out);
    // The agent says when the engine reads the session's output port.
    const auto reading = [&] {
        return lab.fleet().agentLog(h).contains(QStringLiteral("reads mon"));
    };
    for (QDeadlineTimer deadline(10000); !reading() && !deadline.hasExpired();)
        QThread::msleep(50);
    ASSERT_TRUE(reading()) << lab.fleet().agentLog(h).right(2000).toStdString();
    ASSERT_NO_FATAL_FAILURE(sendFlow());
    QThread::msleep(500);
    run->finish();
    ASSERT_TRUE(run->done) << run->done.error().message.toStdString();
    auto counted = count(out);
    ASSERT_TRUE(counted) << counted.error().message.toStdString();
    EXPECT_EQ(counted->requests, kPings);
    EXPECT_EQ(counted->replies, kPings);
    EXPECT_EQ(counted->udp, kDatagrams);
    EXPECT_TRUE(captureMirrors().isEmpty()) << "a session capture made a mirror of its own";
}

// An agent killed while a ring capture runs through a temporary mirror: when it starts again it
// removes the mirror (nothing else would: it copies the VM's traffic for ever) and lists the
// capture as interrupted, its files still there to fetch.
TEST_F(WireCapture, AnAgentRestartRemovesTheMirrorItsKilledRunLeft)
{
    FleetLab &fleet = lab.fleet();
    FleetLab::Host &h = fleet.hosts().front();
    const QStringList where{file, QStringLiteral("--host"), QStringLiteral("hv1")};
    auto started = fleet.convergectl(QStringList{QStringLiteral("capture")} + where +
                                     QStringList{QStringLiteral("--vnic"), QStringLiteral("alpha"),
                                                 QStringLiteral("--ring"), QStringLiteral("r2")});
    ASSERT_TRUE(started && started->exitCode == 0) << text(started);
    ASSERT_TRUE(waitForMirrors(true));
    ASSERT_NO_FATAL_FAILURE(sendFlow());
    ASSERT_EQ(::kill(pid_t(h.agent->pid()), SIGKILL), 0);
    for (QDeadlineTimer deadline(5000); h.agent->isRunning() && !deadline.hasExpired();)
        QThread::msleep(20);
    ASSERT_FALSE(captureMirrors().isEmpty()) << "the mirror went with the agent: nothing to test";
    auto restarted = fleet.startAgent(h);
    ASSERT_TRUE(restarted) << restarted.error().message.toStdString();
    EXPECT_TRUE(waitForMirrors(false))
        << "the restarted agent left the mirror: " << captureMirrors().join(u' ').toStdString();
    auto list =
        fleet.convergectl(QStringList{QStringLiteral("captures"), QStringLiteral("list")} + where);
    ASSERT_TRUE(list && list->exitCode == 0) << text(list);
    EXPECT_TRUE(list->out.contains("r2  interrupted (the agent stopped while it ran)"))
        << text(list);
}

// convergectl capture without -w prints a line a packet, as dissect does, and stops at --count.
TEST_F(WireCapture, TextLinesStopAtTheCount)
{
    FleetLab &fleet = lab.fleet();
    const QString log = fleet.dir() + QStringLiteral("/lines.txt");
    auto console = fleet.console().spawn(
        {FleetLab::binary("convergectl"), QStringLiteral("capture"), file, QStringLiteral("--host"),
         QStringLiteral("hv1"), QStringLiteral("--vnic"), QStringLiteral("alpha"),
         QStringLiteral("--filter"), QStringLiteral("icmp[icmptype] == icmp-echo"),
         QStringLiteral("--count"), QStringLiteral("3")},
        fleet.consoleEnv(), log);
    ASSERT_TRUE(console) << console.error().message.toStdString();
    ASSERT_TRUE(waitForMirrors(true, 15000));
    QThread::msleep(300);
    ASSERT_NO_FATAL_FAILURE(sendFlow());
    for (QDeadlineTimer deadline(15000); (*console)->isRunning() && !deadline.hasExpired();)
        QThread::msleep(50);
    EXPECT_FALSE((*console)->isRunning()) << "convergectl did not stop at --count";
    QFile f(log);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QString out = QString::fromUtf8(f.readAll());
    EXPECT_EQ(out.count(QStringLiteral("10.68.0.1 → 10.68.0.2")), 3) << out.toStdString();
    EXPECT_EQ(out.count(QStringLiteral("Echo (ping) request")), 3) << out.toStdString();
    EXPECT_TRUE(out.contains(QStringLiteral("3 packets captured"))) << out.toStdString();
    EXPECT_TRUE(waitForMirrors(false));
}

// Two captures of one bridge's vNICs started at once (Wireshark on two vNICs of a host): both
// temporary mirrors are made (the second try of a transaction that raced the other's), both
// captures get their VM's pings, and both mirrors go.
TEST_F(WireCapture, TwoCapturesOnOneBridgeAtOnce)
{
    collectors::CaptureChoice alpha = choice(), beta = choice();
    beta.vnic = QStringLiteral("beta/nic");
    const QString outA = lab.fleet().dir() + QStringLiteral("/a.pcapng");
    const QString outB = lab.fleet().dir() + QStringLiteral("/b.pcapng");
    auto runA = startLive(alpha, outA);
    auto runB = startLive(beta, outB);
    for (QDeadlineTimer deadline(10000); captureMirrors().size() < 2 && !deadline.hasExpired();)
        QThread::msleep(50);
    ASSERT_EQ(captureMirrors().size(), 2)
        << lab.fleet().agentLog(lab.fleet().hosts().front()).right(2000).toStdString();
    QThread::msleep(300);
    ASSERT_NO_FATAL_FAILURE(sendFlow());
    QThread::msleep(500);
    runA->finish();
    runB->finish();
    ASSERT_TRUE(runA->done) << runA->done.error().message.toStdString();
    ASSERT_TRUE(runB->done) << runB->done.error().message.toStdString();
    for (const QString &out : {outA, outB}) {
        auto counted = count(out);
        ASSERT_TRUE(counted) << counted.error().message.toStdString();
        EXPECT_EQ(counted->requests, kPings) << out.toStdString();
        EXPECT_EQ(counted->replies, kPings) << out.toStdString();
    }
    EXPECT_TRUE(waitForMirrors(false));
}
