// The agent's live captures over real TLS on loopback (issue 16; docs/capture.md, "Remote
// capture"), where the bugs are in what the agent says when a capture ends. The capture engine
// opens "lo", so these need root (CAP_NET_RAW); they skip otherwise.
#include "collectors/agent/captureservice.h"
#include "collectors/channel/channel.h"
#include "collectors/channel/tlsidentity.h"
#include "core/protocol/capture.h"
#include "core/protocol/requests.h"

#include "testapp.h"
#include "tlstesting.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QNetworkDatagram>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QUdpSocket>

#include <unistd.h>

#include <memory>

using converge::testing::ensureApp;
using converge::testing::makeIdentity;
using converge::testing::waitUntil;

namespace {

using namespace converge;
using namespace converge::collectors;
using core::protocol::Message;

const QString kHost = QStringLiteral("127.0.0.1");
constexpr qint64 kCaptureId = 42;

class CaptureServiceTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        if (::geteuid() != 0)
            GTEST_SKIP() << "capturing on lo needs root";
        ensureApp();
        m_agent = makeIdentity(QStringLiteral("agent"));
        m_console = makeIdentity(QStringLiteral("console"));
        AgentConfig config;
        config.stateDir = m_state.path();
        m_service = std::make_unique<CaptureService>(config, [] { return kCaptureId; });
        const QString console = fingerprint(m_console.certificate);
        m_listener = std::make_unique<AgentListener>(
            m_agent,
            [console](const QSslCertificate &peer) {
                return fingerprint(peer) == console ? PeerAccess::Authenticated
                                                    : PeerAccess::Reject;
            },
            nullptr);
        QObject::connect(m_listener.get(), &AgentListener::messageReceived, m_listener.get(),
                         [this](AgentConnection *c, const Message &m) { m_service->serve(c, m); });
        ASSERT_TRUE(m_listener->listen(QHostAddress::LocalHost, 0));
    }

    void TearDown() override
    {
        m_service.reset();
        m_listener.reset();
    }

    // A console that reads nothing until told: its TLS socket keeps at most 4 KiB.
    void connectSlowPeer()
    {
        QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
        conf.setProtocol(QSsl::TlsV1_3OrLater);
        conf.setPeerVerifyMode(QSslSocket::VerifyNone);
        conf.setLocalCertificate(m_console.certificate);
        conf.setPrivateKey(m_console.key);
        m_peer.setSslConfiguration(conf);
        m_peer.setReadBufferSize(4096);
        m_peer.connectToHostEncrypted(kHost, m_listener->port());
        ASSERT_TRUE(waitUntil([&] { return m_peer.isEncrypted(); }, 5000));
    }

    void send(const QString &type, qint64 id, const QJsonObject &body)
    {
        m_peer.write(core::protocol::encodeFrame({type, id, body}));
    }

    AgentConnection *agentSide() const
    {
        const auto all = m_listener->findChildren<AgentConnection *>();
        return all.isEmpty() ? nullptr : all.front();
    }

    // Every message the peer has been sent, once it reads again.
    std::vector<Message> readAll(const std::function<bool(const Message &)> &last)
    {
        m_peer.setReadBufferSize(0);
        core::protocol::FrameDecoder decoder;
        std::vector<Message> got;
        waitUntil(
            [&] {
                decoder.feed(m_peer.readAll());
                while (auto m = decoder.next())
                    if (*m)
                        got.push_back(**m);
                return !got.empty() && last(got.back());
            },
            20'000);
        return got;
    }

    // Starts a live capture of UDP to SINK on lo, lease LEASESEC, never renewed.
    void startCapture(const QUdpSocket &sink, int leaseSec)
    {
        core::protocol::CaptureStartRequest start;
        start.target.interface = QStringLiteral("lo");
        start.filter = {{QStringLiteral("protocol"), QStringLiteral("udp")},
                        {QStringLiteral("ports"), QJsonArray{int(sink.localPort())}}};
        start.snapLength = 2000;
        start.leaseSec = leaseSec;
        send(QStringLiteral("capture-start"), 1, start.toJson());
        ASSERT_TRUE(waitUntil([&] { return m_service->running() == 1 && agentSide(); }, 5000));
    }

    // The `end` of the capture's events, the last one's (empty: none said it ended).
    static QString endOf(const std::vector<Message> &got)
    {
        QString end;
        for (const Message &m : got)
            if (m.type == QLatin1String("event") && m.id == kCaptureId)
                end = m.body.value(QLatin1String("data"))
                          .toObject()
                          .value(QLatin1String("end"))
                          .toString();
        return end;
    }

    static bool isLastEvent(const Message &m)
    {
        return m.type == QLatin1String("event") && !endOf({m}).isEmpty();
    }

    QTemporaryDir m_state;
    TlsIdentity m_agent;
    TlsIdentity m_console;
    std::unique_ptr<CaptureService> m_service;
    std::unique_ptr<AgentListener> m_listener;
    QSslSocket m_peer;
};

// A console that is behind when its capture ends still learns that it ended and why: without
// the last event it would wait, renew a lease the agent no longer knows and report "no live
// capture" instead of what happened.
TEST_F(CaptureServiceTest, AConsoleThatIsBehindStillGetsTheLastEvent)
{
    connectSlowPeer();
    QUdpSocket sink;
    ASSERT_TRUE(sink.bind(QHostAddress::LocalHost, 0));
    startCapture(sink, 5);
    QUdpSocket flood;
    const QByteArray payload(1400, 'x');
    const bool behind = waitUntil(
        [&] {
            for (int i = 0; i < 200; ++i)
                flood.writeDatagram(payload, QHostAddress::LocalHost, sink.localPort());
            return !agentSide()->canSendEvent();
        },
        4000);
    ASSERT_TRUE(behind) << "the console never fell behind";
    // The lease passes (5 s, never renewed) while the console is behind.
    ASSERT_TRUE(waitUntil([&] { return m_service->running() == 0; }, 10'000));
    EXPECT_FALSE(endOf(readAll(isLastEvent)).isEmpty()) << "the capture's last event never came";
}

// The last event says why the capture ended: a console told "stopped" would take a lease that
// passed (a renewal that never came through) for its own stop.
TEST_F(CaptureServiceTest, TheLastEventSaysTheLeasePassed)
{
    connectSlowPeer();
    QUdpSocket sink;
    ASSERT_TRUE(sink.bind(QHostAddress::LocalHost, 0));
    startCapture(sink, 5);
    const QString end = endOf(readAll(isLastEvent));
    EXPECT_TRUE(end.contains(QStringLiteral("lease"))) << end.toStdString();
}

} // namespace

// A ring capture whose agent was killed before it said "running" (between making its directory
// and opening its interface, or when the agent stopped first) is listed after a restart, as
// interrupted: else its files (up to the whole ring) are on the disk, invisible to `captures
// list`, and its name is refused as existing.
TEST_F(CaptureServiceTest, ARingCaptureLeftBeforeItRanIsListedAfterARestart)
{
    const QString dir = m_state.filePath(QStringLiteral("captures/orphan"));
    ASSERT_TRUE(QDir().mkpath(dir));
    QFile file(dir + QStringLiteral("/orphan_00001.pcapng"));
    ASSERT_TRUE(file.open(QIODevice::WriteOnly) && file.write(QByteArray(1000, 'x')) == 1000);
    file.close();
    m_service->recover();
    connectSlowPeer();
    send(QStringLiteral("capture-list"), 1, {});
    const auto got = readAll([](const Message &m) { return m.id == 1; });
    ASSERT_FALSE(got.empty());
    auto list = core::protocol::CaptureListReply::fromJson(got.back().body);
    ASSERT_TRUE(list) << list.error().message.toStdString();
    ASSERT_EQ(list->captures.size(), 1U) << "the capture's files are invisible";
    EXPECT_EQ(list->captures[0].name, QStringLiteral("orphan"));
    EXPECT_EQ(list->captures[0].state, QStringLiteral("interrupted"));
    ASSERT_EQ(list->captures[0].files.size(), 1U);
}
