#pragma once

#include "collectors/channel/connectionbudget.h"
#include "collectors/channel/tlsidentity.h"
#include "core/protocol/frame.h"
#include "core/protocol/replies.h"
#include "core/protocol/requests.h"
#include "core/util/result.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QString>

#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>

QT_BEGIN_NAMESPACE
class QSslSocket;
class QTcpServer;
class QTimer;
QT_END_NAMESPACE

// The console <-> agent channel: TLS 1.3 only, both sides present self-signed certificates and
// each side trusts exactly the certificate fingerprint it pinned at enrollment (enrollment.h).
namespace converge::collectors {

class Enrollment;

// What an agent lets a peer do, decided from the certificate it presented (null if none).
enum class PeerAccess { Reject, EnrollOnly, Authenticated };
using PeerPolicy = std::function<PeerAccess(const QSslCertificate &peer)>;

// What the agent logs about peers: at most 20 lines in 10 s; beyond that, lines are counted by
// their first words and summarized once the window has passed. A flood thus writes counts, not a
// line per connection.
class PeerLog
{
public:
    void note(const QString &what);
    void summarize(qint64 nowMs);

private:
    QHash<QString, int> m_suppressed;
    int m_lines = 0;
    qint64 m_windowStart = -1;
};

// One accepted, TLS-established connection on the agent side. Owned by its AgentListener and
// deleted soon after the peer goes away: observe it with QPointer.
//
// It serves one request at a time: the next frame is read only once the reply to the last one
// has been handed to the kernel, so a peer that sends without reading stalls itself (and is
// disconnected after writeTimeoutMs) instead of growing the agent's buffers. Its input is
// bounded by freeInputBytes plus what the listener's shared InputBudget grants.
class AgentConnection : public QObject
{
    Q_OBJECT
public:
    AgentConnection(QSslSocket *socket, PeerAccess access, const ChannelLimits &limits,
                    InputBudget *budget, PeerLog *log, QObject *parent);
    ~AgentConnection() override;

    void send(const core::protocol::Message &message);
    // Sends a stream's event unless the peer is behind (more than kStreamSlackBytes still to
    // write): false then, and the stream tries again later (it never queues more here).
    bool sendEvent(qint64 subscription, qint64 seq, const QByteArray &dataJson);
    bool sendEvent(qint64 subscription, qint64 seq, const QJsonObject &data);
    bool canSendEvent() const; // the peer is not behind
    // Closes once everything sent so far has been written (or writeTimeoutMs has passed).
    void close();
    // Ends the connection if it broke one of its time limits; says why, or nothing.
    QString enforceDeadlines(qint64 nowMs);
    // Reads on if it was waiting for the shared input budget.
    void resumeReading();

    QString peerFingerprint() const { return m_peerFingerprint; }
    QSslCertificate peerCertificate() const;
    bool isEnrollOnly() const { return m_access == PeerAccess::EnrollOnly; }
    bool isOpen() const;

Q_SIGNALS:
    void messageReceived(converge::collectors::AgentConnection *connection,
                         const converge::core::protocol::Message &message);
    void closed(converge::collectors::AgentConnection *connection);

private:
    void readFrames();
    bool takeInput(qint64 nowMs);
    void settleBudget();
    qint64 pendingOutput() const;
    QString expired(qint64 nowMs) const;

    QSslSocket *m_socket;
    PeerAccess m_access;
    QString m_peerFingerprint;
    ChannelLimits m_limits;
    InputBudget *m_budget;
    PeerLog *m_log;
    core::protocol::FrameDecoder m_decoder;
    qint64 m_reserved = 0;     // bytes of m_budget this connection holds
    qint64 m_inFlight = 0;     // the id of the request being served, 0 if none
    qint64 m_admittedAt = 0;   // monotonic ms
    qint64 m_lastActivity = 0; // the last request taken or reply sent
    qint64 m_frameStartedAt = -1;
    qint64 m_lastWrite = 0; // when the peer last took reply bytes (or a reply was queued)
    qint64 m_closingSince = -1;
    bool m_waitingForBudget = false;
    bool m_closing = false;
};

// The agent's listening side. A peer that presents no certificate, or one the policy rejects, is
// disconnected right after the handshake without a byte of application data.
//
// Every connection counts against its ChannelLimits (ConnectionBudget): a connection over a cap
// is closed at once (or makes an older unauthenticated one give way), and a sweep every 250 ms
// ends connections past their deadlines. Refusals and timeouts under a flood are logged as a
// count every 10 s, not a line each.
class AgentListener : public QObject
{
    Q_OBJECT
public:
    // Descriptors kept free for the agent's own work (ovs-vsctl, ovs-ofctl, the journal).
    static constexpr int kReservedDescriptors = 64;

    AgentListener(TlsIdentity identity, PeerPolicy policy, QObject *parent = nullptr,
                  const ChannelLimits &limits = {});
    // Peers are admitted by enrollment->policyFor(); "enroll" requests are answered by it.
    AgentListener(TlsIdentity identity, Enrollment *enrollment, QObject *parent = nullptr,
                  const ChannelLimits &limits = {});
    ~AgentListener() override;

    // Answer "enroll" requests here instead of passing them on (the enrollment must outlive this).
    void setEnrollment(Enrollment *enrollment);
    // Also raises the descriptor limit to its hard maximum and serves fewer connections than
    // configured when the descriptors do not allow them (with kReservedDescriptors kept free).
    bool listen(const QHostAddress &address, quint16 port);
    quint16 port() const;
    QString errorString() const;
    QString fingerprint() const;
    const ConnectionBudget &budget() const { return m_budget; }
    const InputBudget &inputBudget() const { return m_input; }

Q_SIGNALS:
    // A request from an authenticated peer; reply with
    // connection->send(core::protocol::reply(...)). "enroll" (when an Enrollment is set) and
    // requests on enroll-only connections never get here.
    void messageReceived(converge::collectors::AgentConnection *connection,
                         const converge::core::protocol::Message &message);
    void connectionAccepted(converge::collectors::AgentConnection *connection);
    // fingerprint is empty when the peer presented no certificate.
    void peerRejected(const QString &fingerprint);

private:
    void startHandshake(qintptr descriptor);
    void admit(QSslSocket *socket);
    void route(AgentConnection *connection, const core::protocol::Message &message);
    void sweep();
    void dropUnauthenticated(ConnectionBudget::Id id);
    void fitDescriptors();
    void acceptFailed();

    TlsIdentity m_identity;
    PeerPolicy m_policy;
    Enrollment *m_enrollment = nullptr;
    ChannelLimits m_limits;
    ConnectionBudget m_budget;
    InputBudget m_input;
    // Unauthenticated sockets by budget id: in their handshake, or owned by an enroll-only
    // connection.
    std::unordered_map<ConnectionBudget::Id, QPointer<QSslSocket>> m_unauthenticated;
    QTcpServer *m_server;
    QTimer *m_sweep;
    PeerLog m_log;
};

// The console's side: a synchronous client (under TlsAgentSession, the CLI and tests). It waits
// in a local event loop (so it needs a QCoreApplication, and an agent in the same thread keeps
// running meanwhile).
class AgentClient
{
public:
    // Events not yet taken by nextEvent(); older ones are dropped beyond this (a stream's
    // sequence numbers then show the gap).
    static constexpr qsizetype kMaxQueuedEvents = 4096;

    AgentClient();
    ~AgentClient();
    AgentClient(const AgentClient &) = delete;
    AgentClient &operator=(const AgentClient &) = delete;

    // Completes a TLS 1.3 handshake presenting `own` and insists the agent's certificate has the
    // fingerprint `pinnedAgentFingerprint`. An empty pin accepts any agent: for enrollment only,
    // whose proof then authenticates the agent (enrollment.h).
    core::Result<void> connectTo(const QString &host, quint16 port, const TlsIdentity &own,
                                 const QString &pinnedAgentFingerprint, int timeoutMs);
    // A typed request (core/protocol/requests.h) and its checked reply (replies.h).
    template<typename Reply, typename Request>
    core::Result<Reply> call(const Request &request, int timeoutMs)
    {
        const QString type = core::protocol::requestTypeName(Request::kType);
        auto message = this->request(type, request.toJson(), timeoutMs);
        if (!message)
            return std::unexpected(message.error());
        auto reply = Reply::fromJson(message->body);
        if (!reply)
            return unreadableReply(type, reply.error());
        return reply;
    }
    // Sends a request by name and waits for the reply with its id: for the typed call() and for
    // tests that send what no console would. An "error" reply becomes an error (code Conflict,
    // reason the agent's code) whose message holds the agent's code and message. A connection
    // that closes before the reply is an Io error: with reason "connection-dropped" when the
    // request was in flight, without one when it closed right after the handshake with nothing
    // answered yet (what an agent does to a console it has not pinned).
    static constexpr int kClosedAtHandshakeMs = 500;
    core::Result<core::protocol::Message> request(const QString &type, const QJsonObject &body,
                                                  int timeoutMs);
    // The next stream event (frame type "event"), waiting up to timeoutMs; nullopt if none came.
    core::Result<std::optional<core::protocol::Message>> nextEvent(int timeoutMs);
    qint64 droppedEvents() const { return m_droppedEvents; }
    QString agentFingerprint() const { return m_agentFingerprint; }
    bool isConnected() const;
    void disconnectFromAgent();
    QString where() const; // "agent at 10.0.0.5:7443"

private:
    std::optional<core::Result<core::protocol::Message>> readFrames(qint64 id);
    std::unexpected<core::Error> unreadableReply(const QString &type, const core::Error &e) const;
    std::unexpected<core::Error> closedWithoutAnswer(const QString &type) const;

    std::unique_ptr<QSslSocket> m_socket;
    core::protocol::FrameDecoder m_decoder;
    std::deque<core::protocol::Message> m_events;
    qint64 m_droppedEvents = 0;
    qint64 m_nextId = 1;
    QString m_agentFingerprint;
    QString m_host;
    quint16 m_port = 0;
    qint64 m_handshakeMs = 0; // when the handshake completed (QDeadlineTimer's monotonic clock)
    bool m_answered = false;  // a reply came on this connection
};

} // namespace converge::collectors
