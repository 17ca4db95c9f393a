// The capture engine on a real interface (root): a veth pair between two network namespaces of
// the test's own (10.216.61.0/24, used by no other test), the engine in the receiving one (its
// thread joins the namespace with setns). A filter keeps exactly the flow asked for; an idle
// capture stops at once when asked; an interface deleted mid-capture ends it with an error that
// names it; a ring capture's files each read back with tshark.
#include "collectors/capture/captureengine.h"
#include "collectors/capture/pcapfile.h"

#include "capturetools.h"

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <future>
#include <iostream>
#include <thread>

using namespace converge;
using namespace converge::capturetest;
using collectors::CaptureEngine;
using collectors::CaptureOptions;

namespace {

const QString kSender = QStringLiteral("10.216.61.1");
const QString kReceiver = QStringLiteral("10.216.61.2");
constexpr quint16 kPort = 5555;
constexpr quint16 kOtherPort = 5556;

QString ipTool()
{
    return QStringLiteral("/usr/sbin/ip");
}

// Two namespaces joined by a veth pair: SENDER's "IDa" (10.216.61.1) and RECEIVER's "IDb"
// (10.216.61.2). Deleted on destruction, also when a test fails.
class VethPair
{
public:
    VethPair()
        : m_id(QStringLiteral("cvce%1").arg(QCoreApplication::applicationPid()))
    {
        m_ok =
            ip({QStringLiteral("netns"), QStringLiteral("add"), sender()}) &&
            ip({QStringLiteral("netns"), QStringLiteral("add"), receiver()}) &&
            ip({QStringLiteral("-n"), sender(), QStringLiteral("link"), QStringLiteral("add"),
                senderIf(), QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
                QStringLiteral("name"), receiverIf(), QStringLiteral("netns"), receiver()}) &&
            up(sender(), senderIf(), kSender) && up(receiver(), receiverIf(), kReceiver);
    }
    ~VethPair()
    {
        ip({QStringLiteral("netns"), QStringLiteral("del"), sender()});
        ip({QStringLiteral("netns"), QStringLiteral("del"), receiver()});
    }
    VethPair(const VethPair &) = delete;
    VethPair &operator=(const VethPair &) = delete;

    bool isValid() const { return m_ok; }
    QString error() const { return m_error; }
    QString sender() const { return m_id + QStringLiteral("s"); }
    QString receiver() const { return m_id + QStringLiteral("r"); }
    QString senderIf() const { return m_id + QStringLiteral("a"); }
    QString receiverIf() const { return m_id + QStringLiteral("b"); }
    bool deleteLink()
    {
        return ip({QStringLiteral("-n"), sender(), QStringLiteral("link"), QStringLiteral("del"),
                   senderIf()});
    }

private:
    bool ip(const QStringList &args)
    {
        const ToolRun r = runTool(ipTool(), args, 10000);
        if (r.exitCode != 0 && m_error.isEmpty())
            m_error = QStringLiteral("ip %1: %2").arg(args.join(QLatin1Char(' ')), r.err);
        return r.exitCode == 0;
    }
    bool up(const QString &ns, const QString &ifname, const QString &address)
    {
        return ip({QStringLiteral("-n"), ns, QStringLiteral("addr"), QStringLiteral("add"),
                   address + QStringLiteral("/24"), QStringLiteral("dev"), ifname}) &&
               ip({QStringLiteral("-n"), ns, QStringLiteral("link"), QStringLiteral("set"), ifname,
                   QStringLiteral("up")});
    }

    QString m_id;
    QString m_error;
    bool m_ok = false;
};

// Runs FN in a thread that has joined network namespace NS; false when it could not join.
bool inNamespace(const QString &ns, const std::function<void()> &fn)
{
    bool joined = false;
    std::thread t([&] {
        const int fd = ::open(QByteArray("/run/netns/" + ns.toUtf8()).constData(), O_RDONLY);
        joined = fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
        if (fd >= 0)
            ::close(fd);
        if (joined)
            fn();
    });
    t.join();
    return joined;
}

// UDP sockets bound in the receiving namespace, so datagrams are taken and not answered with
// ICMP port unreachable (which would count in the ICMP capture).
class Listeners
{
public:
    Listeners(const QString &ns, std::initializer_list<quint16> ports)
    {
        inNamespace(ns, [&] {
            for (const quint16 port : ports) {
                const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                sockaddr_in a{};
                a.sin_family = AF_INET;
                a.sin_port = htons(port);
                if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0)
                    m_fds.push_back(fd);
                else if (fd >= 0)
                    ::close(fd);
            }
        });
    }
    ~Listeners()
    {
        for (const int fd : m_fds)
            ::close(fd);
    }
    Listeners(const Listeners &) = delete;
    Listeners &operator=(const Listeners &) = delete;
    size_t count() const { return m_fds.size(); }

private:
    std::vector<int> m_fds;
};

// COUNT datagrams of PAYLOAD bytes from the sender's namespace to the receiver's PORT.
int sendUdp(const QString &ns, quint16 port, int count, int payload = 32)
{
    int sent = 0;
    inNamespace(ns, [&] {
        const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        ::inet_pton(AF_INET, kReceiver.toLatin1().constData(), &to.sin_addr);
        const QByteArray data(payload, 'u');
        for (int i = 0; fd >= 0 && i < count; ++i)
            if (::sendto(fd, data.constData(), size_t(data.size()), 0,
                         reinterpret_cast<sockaddr *>(&to), sizeof to) == data.size())
                ++sent;
        if (fd >= 0)
            ::close(fd);
    });
    return sent;
}

// One engine run in its own thread, inside a namespace: open(), then run() until stop().
class CaptureThread
{
public:
    CaptureThread(const QString &ns, const CaptureOptions &options, collectors::PacketSink &sink)
        : m_stopFd(::eventfd(0, EFD_CLOEXEC))
    {
        std::promise<QString> opened;
        auto openedFuture = opened.get_future();
        m_thread = std::thread([this, ns, options, &sink, &opened] {
            if (!inNamespaceHere(ns)) {
                opened.set_value(QStringLiteral("cannot join namespace ") + ns);
                return;
            }
            auto engine = CaptureEngine::open(options);
            if (!engine) {
                opened.set_value(engine.error().message);
                return;
            }
            m_engine = std::move(*engine);
            opened.set_value({});
            m_result = m_engine->run(sink, m_stopFd);
            m_ended = true;
        });
        m_openError = openedFuture.get();
    }
    ~CaptureThread()
    {
        stop();
        ::close(m_stopFd);
    }
    CaptureThread(const CaptureThread &) = delete;
    CaptureThread &operator=(const CaptureThread &) = delete;

    QString openError() const { return m_openError; }
    // Signals the stop fd and waits for run() to return.
    void stop()
    {
        const quint64 one = 1;
        if (m_thread.joinable()) {
            (void)::write(m_stopFd, &one, sizeof one);
            m_thread.join();
        }
    }
    // Waits up to timeoutMs for run() to return on its own.
    bool waitEnded(int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (!m_ended && t.elapsed() < timeoutMs)
            QThread::msleep(5);
        if (m_ended && m_thread.joinable())
            m_thread.join();
        return m_ended;
    }
    const core::Result<void> &result() const { return m_result; }
    CaptureEngine &engine() const { return *m_engine; }

private:
    static bool inNamespaceHere(const QString &ns)
    {
        const int fd = ::open(QByteArray("/run/netns/" + ns.toUtf8()).constData(), O_RDONLY);
        const bool ok = fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
        if (fd >= 0)
            ::close(fd);
        return ok;
    }

    int m_stopFd;
    std::thread m_thread;
    QString m_openError;
    std::unique_ptr<CaptureEngine> m_engine;
    core::Result<void> m_result;
    std::atomic<bool> m_ended = false;
};

class EngineOnVeth : public ::testing::Test
{
protected:
    void SetUp() override
    {
        if (::geteuid() != 0)
            GTEST_SKIP() << "not root: the capture engine's veth tests need namespaces and "
                            "raw sockets (run as root, ctest -L root)";
        if (!QFile::exists(ipTool()) || !QFile::exists(QStringLiteral("/usr/bin/ping")))
            GTEST_SKIP() << "iproute2's ip or ping is not installed";
        veth = std::make_unique<VethPair>();
        ASSERT_TRUE(veth->isValid()) << veth->error().toStdString();
    }
    CaptureOptions options(const collectors::CaptureFilter &filter = {}) const
    {
        CaptureOptions o;
        o.interface = veth->receiverIf();
        o.filter = filter;
        o.bufferBytes = 4 * 1024 * 1024;
        return o;
    }
    ToolRun ping(int count) const
    {
        return runTool(ipTool(),
                       {QStringLiteral("netns"), QStringLiteral("exec"), veth->sender(),
                        QStringLiteral("ping"), QStringLiteral("-c"), QString::number(count),
                        QStringLiteral("-i"), QStringLiteral("0.01"), QStringLiteral("-W"),
                        QStringLiteral("2"), kReceiver});
    }
    std::unique_ptr<VethPair> veth;
};

int icmpType(const KeepingSink::Packet &p)
{
    return p.bytes.size() > 34 ? quint8(p.bytes[34]) : -1;
}

} // namespace

TEST_F(EngineOnVeth, AFilterKeepsExactlyTheFlowAskedFor)
{
    constexpr int pings = 5, wanted = 40, others = 30;
    const Listeners listeners(veth->receiver(), {kPort, kOtherPort});
    ASSERT_EQ(listeners.count(), 2u);
    collectors::CaptureFilter udpFlow;
    udpFlow.hosts = {kSender};
    udpFlow.ports = {kPort};
    udpFlow.protocol = QStringLiteral("udp");
    collectors::CaptureFilter icmp;
    icmp.protocol = QStringLiteral("icmp");
    KeepingSink udpSink, icmpSink;
    CaptureThread udpCapture(veth->receiver(), options(udpFlow), udpSink);
    ASSERT_TRUE(udpCapture.openError().isEmpty()) << udpCapture.openError().toStdString();
    CaptureThread icmpCapture(veth->receiver(), options(icmp), icmpSink);
    ASSERT_TRUE(icmpCapture.openError().isEmpty()) << icmpCapture.openError().toStdString();
    const ToolRun p = ping(pings);
    ASSERT_EQ(p.exitCode, 0) << p.out.toStdString() << p.err.toStdString();
    ASSERT_EQ(sendUdp(veth->sender(), kPort, wanted), wanted);
    ASSERT_EQ(sendUdp(veth->sender(), kOtherPort, others), others);
    QThread::msleep(400); // more than a TPACKET_V3 block's timeout
    udpCapture.stop();
    icmpCapture.stop();
    ASSERT_TRUE(udpCapture.result()) << udpCapture.result().error().message.toStdString();
    ASSERT_TRUE(icmpCapture.result()) << icmpCapture.result().error().message.toStdString();

    const auto udp = udpSink.packets();
    EXPECT_EQ(udp.size(), size_t(wanted));
    EXPECT_EQ(udpCapture.engine().counters().received, wanted);
    EXPECT_EQ(udpCapture.engine().counters().kernelDropped, 0);
    EXPECT_EQ(udpCapture.engine().bpf(), "(host 10.216.61.1) and (port 5555) and (udp)");
    for (const auto &u : udp)
        EXPECT_EQ(quint8(u.bytes[36]) << 8 | quint8(u.bytes[37]), kPort);
    const auto echoes = icmpSink.packets();
    const auto requests =
        std::count_if(echoes.begin(), echoes.end(), [](const auto &e) { return icmpType(e) == 8; });
    const auto replies =
        std::count_if(echoes.begin(), echoes.end(), [](const auto &e) { return icmpType(e) == 0; });
    EXPECT_EQ(requests, pings);
    EXPECT_EQ(replies, pings);
    EXPECT_EQ(echoes.size(), size_t(2 * pings));
}

TEST_F(EngineOnVeth, StampsAreNanosecondsOfNowAndLengthsTheFrames)
{
    const Listeners listeners(veth->receiver(), {kPort});
    collectors::CaptureFilter f;
    f.ports = {kPort};
    KeepingSink sink;
    CaptureOptions o = options(f);
    o.snapLength = 64;
    const qint64 before = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
    CaptureThread capture(veth->receiver(), o, sink);
    ASSERT_TRUE(capture.openError().isEmpty()) << capture.openError().toStdString();
    ASSERT_EQ(sendUdp(veth->sender(), kPort, 3, 500), 3);
    QThread::msleep(300);
    capture.stop();
    const qint64 after = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
    const auto packets = sink.packets();
    ASSERT_EQ(packets.size(), 3u);
    for (const auto &p : packets) {
        EXPECT_GE(p.timestampNs, before - 1'000'000);
        EXPECT_LE(p.timestampNs, after + 1'000'000);
        EXPECT_EQ(p.bytes.size(), 64) << "cut at the snap length";
        EXPECT_EQ(p.originalLength, 14u + 20 + 8 + 500);
    }
    EXPECT_EQ(capture.engine().snapLength(), 64);
    EXPECT_EQ(capture.engine().linkType(), 1);
    EXPECT_EQ(capture.engine().counters().bytes, 3 * 64);
}

TEST_F(EngineOnVeth, PacketsTheSinkRefusesAreCountedAsOurs)
{
    const Listeners listeners(veth->receiver(), {kPort});
    collectors::CaptureFilter f;
    f.ports = {kPort};
    KeepingSink sink;
    sink.refuse = true;
    CaptureThread capture(veth->receiver(), options(f), sink);
    ASSERT_TRUE(capture.openError().isEmpty()) << capture.openError().toStdString();
    ASSERT_EQ(sendUdp(veth->sender(), kPort, 25), 25);
    QThread::msleep(300);
    capture.stop();
    const auto c = capture.engine().counters();
    EXPECT_EQ(c.ourDropped, 25);
    EXPECT_EQ(c.received, 0);
    EXPECT_EQ(c.bytes, 0);
}

TEST_F(EngineOnVeth, AnIdleCaptureStopsAtOnceAndStillFlushes)
{
    collectors::CaptureFilter nothing;
    nothing.ports = {9};
    KeepingSink sink;
    CaptureThread capture(veth->receiver(), options(nothing), sink);
    ASSERT_TRUE(capture.openError().isEmpty()) << capture.openError().toStdString();
    QThread::msleep(550);
    QElapsedTimer t;
    t.start();
    capture.stop();
    EXPECT_LT(t.elapsed(), 200) << "run() returns within 200 ms of the stop fd";
    ASSERT_TRUE(capture.result()) << capture.result().error().message.toStdString();
    EXPECT_GE(sink.flushes, 4) << "the sink flushes every timeoutMs (100) while idle";
    EXPECT_TRUE(sink.packets().empty());
}

TEST_F(EngineOnVeth, ASinkThatStopsEndsTheCaptureWithoutError)
{
    KeepingSink sink;
    sink.stopAtFlush = true;
    CaptureThread capture(veth->receiver(), options(), sink);
    ASSERT_TRUE(capture.openError().isEmpty()) << capture.openError().toStdString();
    ASSERT_TRUE(capture.waitEnded(1000)) << "flush() returning false ends run()";
    EXPECT_TRUE(capture.result());
}

TEST_F(EngineOnVeth, TheInterfaceDeletedMidCaptureEndsItWithAnErrorNamingIt)
{
    KeepingSink sink;
    CaptureThread capture(veth->receiver(), options(), sink);
    ASSERT_TRUE(capture.openError().isEmpty()) << capture.openError().toStdString();
    ASSERT_EQ(sendUdp(veth->sender(), kPort, 5), 5);
    QThread::msleep(200);
    ASSERT_TRUE(veth->deleteLink());
    ASSERT_TRUE(capture.waitEnded(2000)) << "run() still running after the interface went away";
    ASSERT_FALSE(capture.result());
    const QString message = capture.result().error().message;
    std::cout << "run() ended with: " << message.toStdString() << '\n';
    EXPECT_TRUE(message.startsWith(
        QStringLiteral("interface %1 disappeared during the capture").arg(veth->receiverIf())))
        << message.toStdString();
}

// A vNIC bounces when its VM reboots: libpcap keeps the socket, and the capture goes on.
TEST_F(EngineOnVeth, AnInterfaceTakenDownAndUpAgainKeepsItsCapture)
{
    const Listeners listeners(veth->receiver(), {kPort});
    collectors::CaptureFilter f;
    f.ports = {kPort};
    KeepingSink sink;
    CaptureThread capture(veth->receiver(), options(f), sink);
    ASSERT_TRUE(capture.openError().isEmpty()) << capture.openError().toStdString();
    ASSERT_EQ(sendUdp(veth->sender(), kPort, 3), 3);
    QThread::msleep(200);
    for (const char *state : {"down", "up"}) {
        const ToolRun r =
            runTool(ipTool(), {QStringLiteral("-n"), veth->receiver(), QStringLiteral("link"),
                               QStringLiteral("set"), veth->receiverIf(), QLatin1String(state)});
        ASSERT_EQ(r.exitCode, 0) << r.err.toStdString();
        QThread::msleep(300);
    }
    EXPECT_FALSE(capture.waitEnded(0))
        << "the capture ended: " << capture.result().error().message.toStdString();
    // The veth carrier takes a moment to come back.
    for (int tries = 0; tries < 20 && sink.packets().size() < 4; ++tries) {
        (void)sendUdp(veth->sender(), kPort, 1);
        QThread::msleep(100);
    }
    capture.stop();
    ASSERT_TRUE(capture.result()) << capture.result().error().message.toStdString();
    EXPECT_GE(sink.packets().size(), 4u) << "nothing captured after the interface came back up";
}

TEST_F(EngineOnVeth, ARingCapturesFilesEachReadBackByTshark)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const Listeners listeners(veth->receiver(), {kPort});
    collectors::CaptureFilter f;
    f.ports = {kPort};
    collectors::PcapNgInterface i;
    i.name = veth->receiverIf();
    i.filter = f.toBpf();
    collectors::RingOptions r;
    r.directory = dir.path();
    r.baseName = QStringLiteral("veth");
    r.fileBytes = 64 * 1024;
    r.files = 3;
    auto ring = collectors::RingWriter::create(
        r, collectors::pcapng::sectionHeader(QStringLiteral("ring on veth")) +
               collectors::pcapng::interfaceBlock(i));
    ASSERT_TRUE(ring) << ring.error().message.toStdString();
    CaptureThread capture(veth->receiver(), options(f), **ring);
    ASSERT_TRUE(capture.openError().isEmpty()) << capture.openError().toStdString();
    constexpr int sent = 2000; // 242-byte frames: about eight 64 KiB files
    ASSERT_EQ(sendUdp(veth->sender(), kPort, sent, 200), sent);
    QThread::msleep(400);
    capture.stop();
    ASSERT_TRUE(capture.result()) << capture.result().error().message.toStdString();
    const auto counters = capture.engine().counters();
    EXPECT_EQ(counters.received + counters.kernelDropped, sent);
    ASSERT_TRUE((*ring)->finish(collectors::pcapng::statistics(0, 1, counters)));
    const QStringList files = (*ring)->files();
    ASSERT_EQ(files.size(), 3);
    EXPECT_TRUE(files.back().endsWith(QStringLiteral("veth_00008.pcapng")) ||
                files.back().endsWith(QStringLiteral("veth_00009.pcapng")))
        << files.back().toStdString();
    if (!QFile::exists(tsharkPath))
        GTEST_SKIP() << "tshark is not installed (apt-get install tshark): files not checked";
    for (const QString &file : files) {
        const ToolRun t = runTool(tsharkPath, {QStringLiteral("-r"), file});
        EXPECT_EQ(t.exitCode, 0) << file.toStdString() << ": " << t.err.toStdString();
        // Full files hold about 236 frames; the last one what was left.
        EXPECT_GT(t.out.count(QLatin1Char('\n')), file == files.back() ? 0 : 200)
            << file.toStdString();
    }
}
