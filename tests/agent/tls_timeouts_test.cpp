// AgentClient::connectTo's timeouts: a connection request that nobody answers (the SYN is
// dropped) and a peer that accepts the connection but never speaks TLS are told apart. Both are
// made on 127.0.0.1 without root: a listening socket that never accepts completes TCP handshakes
// into its backlog, and Linux drops the SYNs that come when that backlog is full.
#include "collectors/channel/channel.h"
#include "collectors/channel/tlsidentity.h"

#include "testapp.h"

#include <gtest/gtest.h>

#include <QElapsedTimer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using namespace converge;
using namespace converge::collectors;

constexpr int kTimeoutMs = 1500;

// A TCP socket on 127.0.0.1 that listens with BACKLOG and never accepts; closed on destruction.
class SilentListener
{
public:
    explicit SilentListener(int backlog)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof address;
        m_ok = m_fd >= 0 && ::bind(m_fd, reinterpret_cast<sockaddr *>(&address), size) == 0 &&
               ::listen(m_fd, backlog) == 0 &&
               ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&address), &size) == 0;
        m_port = ntohs(address.sin_port);
    }
    ~SilentListener()
    {
        for (int fd : {m_fd, m_filler})
            if (fd >= 0)
                ::close(fd);
    }
    SilentListener(const SilentListener &) = delete;
    SilentListener &operator=(const SilentListener &) = delete;

    bool ok() const { return m_ok; }
    quint16 port() const { return m_port; }
    // Completes one connection into the backlog (listen(fd, 0) holds one): the kernel then
    // drops every further SYN to this port.
    bool fillBacklog()
    {
        m_filler = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(m_port);
        return m_filler >= 0 &&
               ::connect(m_filler, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
    }

private:
    int m_fd = -1;
    int m_filler = -1;
    quint16 m_port = 0;
    bool m_ok = false;
};

core::Result<void> connectWithin(quint16 port, int timeoutMs)
{
    static const auto identity = generateIdentity(QStringLiteral("console"));
    EXPECT_TRUE(identity.has_value());
    AgentClient client;
    return client.connectTo(QStringLiteral("127.0.0.1"), port, identity.value_or(TlsIdentity{}),
                            QString(), timeoutMs);
}

} // namespace

TEST(AgentClientTimeouts, APeerThatAcceptsButNeverSpeaksTlsIsAHandshakeTimeout)
{
    converge::testing::ensureApp();
    SilentListener listener(16);
    ASSERT_TRUE(listener.ok());
    const auto connected = connectWithin(listener.port(), kTimeoutMs);
    ASSERT_FALSE(connected);
    const QString message = connected.error().message;
    EXPECT_TRUE(message.contains(
        QStringLiteral("connected, but no TLS 1.3 handshake within %1 ms").arg(kTimeoutMs)))
        << message.toStdString();
    EXPECT_FALSE(message.contains(QStringLiteral("no TCP connection"))) << message.toStdString();
}

TEST(AgentClientTimeouts, AConnectionRequestNobodyAnswersIsNotCalledAHandshakeTimeout)
{
    converge::testing::ensureApp();
    SilentListener listener(0);
    ASSERT_TRUE(listener.ok());
    ASSERT_TRUE(listener.fillBacklog());
    QElapsedTimer clock;
    clock.start();
    const auto connected = connectWithin(listener.port(), kTimeoutMs);
    ASSERT_FALSE(connected);
    EXPECT_GE(clock.elapsed(), kTimeoutMs - 100) << "the SYN was not dropped: refused at once?";
    const QString message = connected.error().message;
    EXPECT_TRUE(message.startsWith(QStringLiteral("agent at 127.0.0.1:%1: no TCP connection "
                                                  "within %2 ms: nothing answered")
                                       .arg(listener.port())
                                       .arg(kTimeoutMs)))
        << message.toStdString();
    EXPECT_FALSE(message.contains(QStringLiteral("handshake"))) << message.toStdString();
}
