// What the console says when an agent's connection closes before the reply (issue 13: after a
// kill -9 mid-apply the CLI asked "is this console enrolled with it?"). Over real TLS on
// loopback: an agent that hangs up on a request in flight, and one that drops a console it has
// not pinned right after the handshake.
#include "collectors/channel/channel.h"
#include "collectors/channel/enrollment.h"
#include "collectors/channel/tlsidentity.h"

#include "testapp.h"

#include <gtest/gtest.h>

#include <QTemporaryDir>
#include <QTimer>

namespace {

using namespace converge;
using namespace converge::collectors;
using core::protocol::Message;

constexpr int kTimeoutMs = 5000;
const QString kHost = QStringLiteral("127.0.0.1");

TlsIdentity identity(const QString &name)
{
    auto made = generateIdentity(name);
    EXPECT_TRUE(made.has_value()) << made.error().message.toStdString();
    return made.value_or(TlsIdentity{});
}

// An enrolled agent that answers "hello" and closes the connection, without answering, a
// second after any other request arrives (as a kill -9 mid-request looks to the console).
class DroppedConnection : public ::testing::Test
{
protected:
    void SetUp() override
    {
        converge::testing::ensureApp();
        m_agent = identity(QStringLiteral("agent"));
        m_console = identity(QStringLiteral("console"));
        m_enrollment = std::make_unique<Enrollment>(m_dir.path(), fingerprint(m_agent.certificate));
        m_listener = std::make_unique<AgentListener>(m_agent, m_enrollment.get());
        QObject::connect(m_listener.get(), &AgentListener::messageReceived, m_listener.get(),
                         [](AgentConnection *connection, const Message &m) {
                             if (m.type == QLatin1String("hello"))
                                 return connection->send(core::protocol::reply(m.id, {}));
                             QTimer::singleShot(1000, connection,
                                                [connection] { connection->close(); });
                         });
        ASSERT_TRUE(m_listener->listen(QHostAddress::LocalHost, 0))
            << m_listener->errorString().toStdString();
        auto token = Enrollment::issueToken(m_dir.path());
        ASSERT_TRUE(token.has_value());
        auto pin = enrollWithToken(kHost, m_listener->port(), m_console, *token, kTimeoutMs);
        ASSERT_TRUE(pin.has_value()) << pin.error().message.toStdString();
        m_pin = *pin;
    }

    QTemporaryDir m_dir;
    TlsIdentity m_agent;
    TlsIdentity m_console;
    std::unique_ptr<Enrollment> m_enrollment;
    std::unique_ptr<AgentListener> m_listener;
    QString m_pin;
};

TEST_F(DroppedConnection, AnApplyInFlightIsSaidToHaveDroppedNotToNeedEnrollment)
{
    AgentClient client;
    ASSERT_TRUE(client.connectTo(kHost, m_listener->port(), m_console, m_pin, kTimeoutMs));
    auto answer = client.request(QStringLiteral("apply"), {}, kTimeoutMs);
    ASSERT_FALSE(answer.has_value());
    const std::string message = answer.error().message.toStdString();
    EXPECT_EQ(answer.error().reason.toStdString(), "connection-dropped") << message;
    EXPECT_NE(message.find("dropped while \"apply\" was in flight (the agent stopped or "
                           "restarted, or the network failed)"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("The agent journals each transaction: when it starts again it rolls "
                           "back one it had not finished, and one left unconfirmed rolls back at "
                           "its deadline"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find("enrolled"), std::string::npos) << message;
}

// Once the agent has answered on a connection, a close is never taken for an enrollment refusal,
// however soon it comes.
TEST_F(DroppedConnection, AfterAnAnswerACloseIsADrop)
{
    AgentClient client;
    ASSERT_TRUE(client.connectTo(kHost, m_listener->port(), m_console, m_pin, kTimeoutMs));
    ASSERT_TRUE(client.request(QStringLiteral("hello"), {}, kTimeoutMs));
    auto answer = client.request(QStringLiteral("state"), {}, kTimeoutMs);
    ASSERT_FALSE(answer.has_value());
    const std::string message = answer.error().message.toStdString();
    EXPECT_NE(message.find("dropped while \"state\" was in flight"), std::string::npos) << message;
    EXPECT_EQ(message.find("apply"), std::string::npos) << "only an apply is journalled";
    EXPECT_EQ(message.find("enrolled"), std::string::npos) << message;
}

// A console the agent has not pinned is dropped right after the handshake: that, and only that,
// asks about enrollment.
TEST_F(DroppedConnection, AConsoleDroppedRightAfterTheHandshakeIsAskedAboutEnrollment)
{
    const TlsIdentity other = identity(QStringLiteral("other"));
    AgentClient client;
    ASSERT_TRUE(client.connectTo(kHost, m_listener->port(), other, m_pin, kTimeoutMs));
    auto answer = client.request(QStringLiteral("apply"), {}, kTimeoutMs);
    ASSERT_FALSE(answer.has_value());
    const std::string message = answer.error().message.toStdString();
    EXPECT_NE(message.find("closed the connection right after the handshake, before answering "
                           "\"apply\": is this console enrolled with it?"),
              std::string::npos)
        << message;
    EXPECT_TRUE(answer.error().reason.isEmpty()) << message;
}

} // namespace
