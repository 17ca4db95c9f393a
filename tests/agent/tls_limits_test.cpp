// The agent listener's budget (docs/agent.md, "Limits"; issue 13): who gives way when a source or
// the agent is at its cap, and, on loopback with small limits, what a peer that floods, stalls,
// parks a partial frame, idles or stops reading gets: disconnected in time, never buffered, and
// never at the cost of an enrolled console.
#include "collectors/channel/channel.h"
#include "collectors/channel/connectionbudget.h"
#include "collectors/channel/tlsidentity.h"
#include "core/protocol/frame.h"

#include "testapp.h"
#include "tlstesting.h"

#include <gtest/gtest.h>

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>
#include <QtEndian>

#include <functional>
#include <memory>
#include <vector>

using converge::testing::ensureApp;

namespace {

using namespace converge;
using namespace converge::collectors;
using core::protocol::Message;

const QString kHost = QStringLiteral("127.0.0.1");

// --- the budget's decisions ------------------------------------------------------------------

TEST(ConnectionBudgetTest, ASourceAtItsCapGivesUpItsOwnOldestUnauthenticatedConnection)
{
    ChannelLimits limits;
    limits.maxPerSource = 2;
    ConnectionBudget b(limits);
    ASSERT_TRUE(b.arrive(1, QStringLiteral("a"), 10).accept);
    ASSERT_TRUE(b.arrive(2, QStringLiteral("a"), 20).accept);
    ASSERT_TRUE(b.arrive(3, QStringLiteral("b"), 30).accept);
    const auto d = b.arrive(4, QStringLiteral("a"), 40);
    EXPECT_TRUE(d.accept);
    EXPECT_EQ(d.evict, ConnectionBudget::Id(1));
    EXPECT_TRUE(d.why.contains(QLatin1String("max_connections_per_source"))) << d.why.toStdString();
    EXPECT_EQ(b.fromSource(QStringLiteral("a")), 2);
    EXPECT_EQ(b.open(), 3);
}

TEST(ConnectionBudgetTest, AuthenticatedConnectionsAreNeverEvicted)
{
    ChannelLimits limits;
    limits.maxPerSource = 2;
    ConnectionBudget b(limits);
    b.arrive(1, QStringLiteral("a"), 10);
    b.arrive(2, QStringLiteral("a"), 20);
    b.authenticated(1);
    b.authenticated(2);
    const auto d = b.arrive(3, QStringLiteral("a"), 30);
    EXPECT_FALSE(d.accept);
    EXPECT_FALSE(d.evict);
    EXPECT_TRUE(d.why.contains(QLatin1String("a already has 2 connections")))
        << d.why.toStdString();
    b.left(1);
    EXPECT_TRUE(b.arrive(4, QStringLiteral("a"), 40).accept);
}

TEST(ConnectionBudgetTest, AtTheAgentsCapTheSourceHoldingTheMostGivesWay)
{
    ChannelLimits limits;
    limits.maxUnauthenticated = 4;
    ConnectionBudget b(limits);
    b.arrive(1, QStringLiteral("console"), 1); // the oldest of all, alone at its address
    b.arrive(2, QStringLiteral("flood"), 2);
    b.arrive(3, QStringLiteral("flood"), 3);
    b.arrive(4, QStringLiteral("flood"), 4);
    const auto d = b.arrive(5, QStringLiteral("other"), 5);
    EXPECT_TRUE(d.accept);
    EXPECT_EQ(d.evict, ConnectionBudget::Id(2)) << d.why.toStdString();
    EXPECT_TRUE(d.why.contains(QLatin1String("flood holds the most"))) << d.why.toStdString();
    EXPECT_EQ(b.unauthenticated(), 4);
    EXPECT_EQ(b.olderThan(5, 3), std::vector<ConnectionBudget::Id>{1});
}

TEST(ConnectionBudgetTest, ASourceFasterThanItsRateIsRefusedUntilItsTokensRefill)
{
    ChannelLimits limits;
    limits.newPerSecondPerSource = 20;
    limits.newBurstPerSource = 64;
    ConnectionBudget b(limits);
    for (int i = 0; i < 64; ++i)
        ASSERT_EQ(b.paceNew(QStringLiteral("10.0.0.1"), 1000), QString()) << i;
    const QString why = b.paceNew(QStringLiteral("10.0.0.1"), 1000);
    EXPECT_TRUE(why.contains(QLatin1String("10.0.0.1 opens connections faster than 20 a second")))
        << why.toStdString();
    EXPECT_TRUE(why.contains(QLatin1String("connection_rate_per_source"))) << why.toStdString();
    // Another address has a burst of its own.
    EXPECT_EQ(b.paceNew(QStringLiteral("10.0.0.2"), 1000), QString());
    // 100 ms later two more, not three; after a quiet spell a whole burst, no more.
    EXPECT_EQ(b.paceNew(QStringLiteral("10.0.0.1"), 1100), QString());
    EXPECT_EQ(b.paceNew(QStringLiteral("10.0.0.1"), 1100), QString());
    EXPECT_NE(b.paceNew(QStringLiteral("10.0.0.1"), 1100), QString());
    int allowed = 0;
    while (b.paceNew(QStringLiteral("10.0.0.1"), 60'000).isEmpty())
        ++allowed;
    EXPECT_EQ(allowed, 64);
}

TEST(ConnectionBudgetTest, IPv6SourcesArePacedByTheirSlash64)
{
    ChannelLimits limits;
    limits.newBurstPerSource = 2;
    limits.newPerSecondPerSource = 1;
    ConnectionBudget b(limits);
    EXPECT_EQ(b.paceNew(QStringLiteral("2001:db8::1"), 0), QString());
    EXPECT_EQ(b.paceNew(QStringLiteral("2001:db8::ffff:2"), 0), QString());
    const QString why = b.paceNew(QStringLiteral("2001:db8::3"), 0);
    EXPECT_TRUE(why.contains(QLatin1String("2001:db8::/64"))) << why.toStdString();
    EXPECT_EQ(b.paceNew(QStringLiteral("2001:db8:0:1::1"), 0), QString());
}

// A flood from more prefixes than the agent tracks shares one bucket; the table stays bounded
// and forgets the sources whose tokens have refilled.
TEST(ConnectionBudgetTest, ThePacingTableStaysBoundedUnderAFloodOfSources)
{
    ChannelLimits limits;
    ConnectionBudget b(limits);
    int refused = 0;
    for (int i = 0; i < 20'000; ++i)
        if (!b.paceNew(QStringLiteral("2001:db8:%1:%2::1").arg(i / 60000).arg(i, 0, 16), 0)
                 .isEmpty())
            ++refused;
    EXPECT_LE(b.pacedSources(), 4097);
    EXPECT_GE(refused, 20'000 - 4096 - 64);
    EXPECT_EQ(b.paceNew(QStringLiteral("10.0.0.1"), 3'600'000), QString());
    EXPECT_LE(b.pacedSources(), 2);
}

TEST(ConnectionBudgetTest, TheInputBudgetGrantsWhatIsLeftAndNoMore)
{
    InputBudget budget(100);
    EXPECT_EQ(budget.reserve(60), 60);
    EXPECT_EQ(budget.reserve(60), 40);
    EXPECT_EQ(budget.reserve(1), 0);
    budget.release(50);
    EXPECT_EQ(budget.used(), 50);
    EXPECT_EQ(budget.reserve(-5), 0);
}

// --- a listener with small limits ------------------------------------------------------------

using converge::testing::makeIdentity;
using converge::testing::waitUntil;
constexpr auto header = converge::testing::frameHeader;

// A TLS 1.3 client that sends what the test says and reads only when asked.
class RawTls
{
public:
    RawTls(quint16 port, const TlsIdentity &own)
    {
        QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
        conf.setProtocol(QSsl::TlsV1_3OrLater);
        conf.setPeerVerifyMode(QSslSocket::VerifyNone);
        conf.setLocalCertificate(own.certificate);
        conf.setPrivateKey(own.key);
        socket.setSslConfiguration(conf);
        socket.connectToHostEncrypted(kHost, port);
    }
    bool encrypted()
    {
        return waitUntil([this] { return socket.isEncrypted(); }, 5000);
    }
    bool closedWithin(int ms)
    {
        return waitUntil(
            [this] {
                received += socket.readAll();
                return socket.state() == QAbstractSocket::UnconnectedState;
            },
            ms);
    }
    QSslSocket socket;
    QByteArray received;
};

class ListenerLimitsTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ensureApp();
        m_agent = makeIdentity(QStringLiteral("agent"));
        m_console = makeIdentity(QStringLiteral("console"));
    }

    // A listener that admits the console and answers every request with REPLYBYTES of body.
    void listen(const ChannelLimits &limits, qsizetype replyBytes = 0)
    {
        const QString console = fingerprint(m_console.certificate);
        m_listener = std::make_unique<AgentListener>(
            m_agent,
            [console](const QSslCertificate &peer) {
                return fingerprint(peer) == console ? PeerAccess::Authenticated
                                                    : PeerAccess::EnrollOnly;
            },
            nullptr, limits);
        QObject::connect(m_listener.get(), &AgentListener::messageReceived, m_listener.get(),
                         [this, replyBytes](AgentConnection *c, const Message &m) {
                             ++m_served;
                             QJsonObject body = m.body;
                             if (replyBytes > 0)
                                 body.insert(QStringLiteral("pad"),
                                             QString(replyBytes, QLatin1Char('x')));
                             c->send(core::protocol::reply(m.id, body));
                         });
        ASSERT_TRUE(m_listener->listen(QHostAddress::LocalHost, 0))
            << m_listener->errorString().toStdString();
    }

    // The console's typed client: connects and gets its echo.
    ::testing::AssertionResult consoleIsServed()
    {
        AgentClient client;
        if (auto c = client.connectTo(kHost, m_listener->port(), m_console,
                                      fingerprint(m_agent.certificate), 5000);
            !c)
            return ::testing::AssertionFailure() << c.error().message.toStdString();
        auto r = client.request(QStringLiteral("echo"), {{QStringLiteral("n"), 7}}, 5000);
        if (!r)
            return ::testing::AssertionFailure() << r.error().message.toStdString();
        return ::testing::AssertionSuccess();
    }

    TlsIdentity m_agent;
    TlsIdentity m_console;
    std::unique_ptr<AgentListener> m_listener;
    int m_served = 0;
};

TEST_F(ListenerLimitsTest, ASilentFloodFromTheConsolesOwnAddressNeverKeepsItOut)
{
    ChannelLimits limits;
    limits.maxPerSource = 4;
    limits.maxUnauthenticated = 4;
    listen(limits);
    std::vector<std::unique_ptr<QTcpSocket>> flood;
    for (int i = 0; i < 60; ++i) {
        flood.push_back(std::make_unique<QTcpSocket>());
        flood.back()->connectToHost(kHost, m_listener->port());
    }
    int mostOpen = 0;
    waitUntil(
        [&] {
            mostOpen = std::max(mostOpen, m_listener->budget().open());
            return false;
        },
        500);
    EXPECT_LE(mostOpen, 4);
    EXPECT_TRUE(consoleIsServed());
    const auto closed = std::ranges::count_if(
        flood, [](const auto &s) { return s->state() == QAbstractSocket::UnconnectedState; });
    EXPECT_GE(closed, 55) << "the flood's connections were not closed by the agent";
}

// Beyond its rate an address's connections are closed at once, before TLS: they never count
// against the caps, and a console at another address is served throughout.
TEST_F(ListenerLimitsTest, AnAddressFasterThanItsRateIsRefusedBeforeAnyHandshake)
{
    ChannelLimits limits;
    limits.newPerSecondPerSource = 5;
    limits.newBurstPerSource = 10;
    limits.maxPerSource = 1000;
    limits.maxUnauthenticated = 1000;
    limits.maxConnections = 1000;
    listen(limits);
    std::vector<std::unique_ptr<QTcpSocket>> flood;
    for (int i = 0; i < 100; ++i) {
        flood.push_back(std::make_unique<QTcpSocket>());
        ASSERT_TRUE(flood.back()->bind(QHostAddress(QStringLiteral("127.0.0.2"))));
        flood.back()->connectToHost(kHost, m_listener->port());
    }
    int mostOpen = 0;
    waitUntil(
        [&] {
            mostOpen = std::max(mostOpen, m_listener->budget().open());
            return false;
        },
        500);
    EXPECT_LE(mostOpen, 10 + 5);
    EXPECT_GE(mostOpen, 10);
    EXPECT_TRUE(consoleIsServed());
    const auto closed = std::ranges::count_if(
        flood, [](const auto &s) { return s->state() == QAbstractSocket::UnconnectedState; });
    EXPECT_GE(closed, 100 - 10 - 5) << "connections beyond the rate were not closed";
}

TEST_F(ListenerLimitsTest, AConnectionThatNeverStartsItsHandshakeIsClosedInTime)
{
    ChannelLimits limits;
    limits.handshakeTimeoutMs = 300;
    listen(limits);
    QTcpSocket silent;
    silent.connectToHost(kHost, m_listener->port());
    ASSERT_TRUE(waitUntil([&] { return m_listener->budget().open() == 1; }, 2000));
    EXPECT_TRUE(
        waitUntil([&] { return silent.state() == QAbstractSocket::UnconnectedState; }, 1500));
    EXPECT_EQ(m_listener->budget().open(), 0);
}

TEST_F(ListenerLimitsTest, APartialFrameIsAnsweredWithATimeoutAndClosed)
{
    ChannelLimits limits;
    limits.frameTimeoutMs = 400;
    listen(limits);
    RawTls peer(m_listener->port(), m_console);
    ASSERT_TRUE(peer.encrypted());
    peer.socket.write(header(1024 * 1024) + QByteArray(1000, ' '));
    ASSERT_TRUE(peer.closedWithin(3000)) << "a partial frame kept its connection open";
    EXPECT_TRUE(peer.received.contains("\"timeout\"")) << peer.received.toStdString();
    EXPECT_TRUE(peer.received.contains("still incomplete")) << peer.received.toStdString();
}

TEST_F(ListenerLimitsTest, AnIdleConsoleConnectionIsClosedAfterTheIdleTimeout)
{
    ChannelLimits limits;
    limits.idleTimeoutMs = 400;
    listen(limits);
    RawTls peer(m_listener->port(), m_console);
    ASSERT_TRUE(peer.encrypted());
    ASSERT_TRUE(peer.closedWithin(3000));
    EXPECT_TRUE(peer.received.contains("idle for")) << peer.received.toStdString();
}

TEST_F(ListenerLimitsTest, APeerThatDoesNotReadIsDisconnectedNotBuffered)
{
    ChannelLimits limits;
    limits.writeTimeoutMs = 500;
    listen(limits, 1024 * 1024); // every reply is 1 MiB
    RawTls peer(m_listener->port(), m_console);
    peer.socket.setReadBufferSize(4096); // and the peer takes almost none of it
    ASSERT_TRUE(peer.encrypted());
    QByteArray requests;
    for (int id = 1; id <= 300; ++id)
        requests += core::protocol::encodeFrame({QStringLiteral("echo"), id, {}});
    peer.socket.write(requests);
    // (The peer, which reads nothing, would not even notice the reset: ask the agent.)
    EXPECT_TRUE(waitUntil([&] { return m_listener->budget().open() == 0; }, 10000))
        << "the agent kept a peer that does not read";
    // Served only while the kernel's buffers took the replies: the agent queued nothing more.
    EXPECT_LT(m_served, 60);
    EXPECT_TRUE(consoleIsServed());
}

TEST_F(ListenerLimitsTest, AnEnrollOnlyConnectionMayNotSendALargeFrame)
{
    listen(ChannelLimits{});
    RawTls peer(m_listener->port(), makeIdentity(QStringLiteral("stranger")));
    ASSERT_TRUE(peer.encrypted());
    peer.socket.write(header(1024 * 1024));
    ASSERT_TRUE(peer.closedWithin(3000));
    EXPECT_TRUE(peer.received.contains("exceeds the 65536-byte cap"))
        << peer.received.toStdString();
}

// Large frames take turns for the shared budget: each is read once all of it is granted.
TEST_F(ListenerLimitsTest, LargeFramesTakeTurnsWithinTheSharedInputBudget)
{
    ChannelLimits limits;
    limits.sharedInputBytes = 256 * 1024;
    limits.frameTimeoutMs = 1500;
    listen(limits);
    const QByteArray large = core::protocol::encodeFrame(
        {QStringLiteral("echo"), 1, {{QStringLiteral("pad"), QString(200 * 1024, u'x')}}});
    std::vector<std::unique_ptr<RawTls>> peers;
    for (int i = 0; i < 4; ++i) {
        peers.push_back(std::make_unique<RawTls>(m_listener->port(), m_console));
        ASSERT_TRUE(peers.back()->encrypted());
        peers.back()->socket.write(large);
    }
    qint64 mostUsed = 0;
    EXPECT_TRUE(waitUntil(
        [&] {
            mostUsed = std::max(mostUsed, m_listener->inputBudget().used());
            return m_served == 4;
        },
        5000))
        << m_served << " of 4 large frames served";
    EXPECT_LE(mostUsed, limits.sharedInputBytes);
    EXPECT_EQ(m_listener->inputBudget().used(), 0);
}

TEST_F(ListenerLimitsTest, PartialLargeFramesGiveTheBudgetBackWhenTheyTimeOut)
{
    ChannelLimits limits;
    limits.sharedInputBytes = 256 * 1024;
    limits.frameTimeoutMs = 800;
    listen(limits);
    std::vector<std::unique_ptr<RawTls>> peers;
    for (int i = 0; i < 4; ++i) {
        peers.push_back(std::make_unique<RawTls>(m_listener->port(), m_console));
        ASSERT_TRUE(peers.back()->encrypted());
        peers.back()->socket.write(header(200 * 1024) + QByteArray(150 * 1024, ' '));
    }
    qint64 mostUsed = 0;
    waitUntil(
        [&] {
            mostUsed = std::max(mostUsed, m_listener->inputBudget().used());
            return false;
        },
        500);
    EXPECT_GT(mostUsed, 0);
    EXPECT_LE(mostUsed, limits.sharedInputBytes);
    EXPECT_TRUE(waitUntil([&] { return m_listener->budget().open() == 0; }, 5000));
    EXPECT_EQ(m_listener->inputBudget().used(), 0);
    EXPECT_TRUE(consoleIsServed());
}

} // namespace
