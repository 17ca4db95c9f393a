#include "channel.h"

#include "collectors/logging.h"
#include "core/util/logtext.h"

#include "enrollment.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QJsonDocument>
#include <QMetaEnum>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpServer>
#include <QTimer>

#include <algorithm>
#include <chrono>

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace converge::collectors {

using core::Error;
using core::fail;
using core::Result;
using core::protocol::Message;

namespace {

// QTcpServer hands over raw descriptors so every socket gets our TLS setup before its first byte.
class DescriptorServer : public QTcpServer
{
public:
    DescriptorServer(std::function<void(qintptr)> onIncoming, QObject *parent)
        : QTcpServer(parent)
        , m_onIncoming(std::move(onIncoming))
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override { m_onIncoming(descriptor); }

private:
    std::function<void(qintptr)> m_onIncoming;
};

// Both sides: TLS 1.3 only, our own certificate, and no CA at all: trust comes from pinning.
QSslConfiguration channelConfiguration(const TlsIdentity &own, QSslSocket::PeerVerifyMode mode)
{
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setProtocol(QSsl::TlsV1_3OrLater);
    conf.setCaCertificates({});
    conf.setPeerVerifyMode(mode);
    if (!own.isNull()) {
        conf.setLocalCertificate(own.certificate);
        conf.setPrivateKey(own.key);
    }
    return conf;
}

// The verification errors a pinned self-signed certificate always raises: it has no CA and its
// name is not the host's. Anything else (expired, bad signature, wrong purpose) stays fatal.
bool isPinnedSelfSignedNoise(const QSslError &error)
{
    switch (error.error()) {
    case QSslError::SelfSignedCertificate:
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
    case QSslError::CertificateUntrusted:
    case QSslError::HostNameMismatch:
        return true;
    default:
        return false;
    }
}

QString describeErrors(const QList<QSslError> &errors)
{
    QStringList texts;
    for (const QSslError &e : errors)
        texts << e.errorString();
    return texts.join(QStringLiteral("; "));
}

// Runs a local event loop until done() holds, the socket drops or the deadline passes.
bool spinUntil(QSslSocket *socket, const QDeadlineTimer &deadline,
               const std::function<bool()> &done)
{
    while (!done()) {
        if (socket->state() == QAbstractSocket::UnconnectedState)
            return done();
        if (deadline.hasExpired())
            return false;
        QEventLoop loop;
        QTimer timer;
        timer.setSingleShot(true);
        QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
        QObject::connect(socket, &QIODevice::readyRead, &loop, &QEventLoop::quit);
        QObject::connect(socket, &QSslSocket::encrypted, &loop, &QEventLoop::quit);
        QObject::connect(socket, &QAbstractSocket::disconnected, &loop, &QEventLoop::quit);
        QObject::connect(socket, &QAbstractSocket::errorOccurred, &loop, &QEventLoop::quit);
        timer.start(std::chrono::milliseconds(std::max<qint64>(1, deadline.remainingTime())));
        loop.exec();
    }
    return true;
}

// How far a connection that did not come about got: a connection request nobody answered (a
// dropped SYN) is not a peer that accepted and never spoke TLS.
QString whyNotConnected(const QSslSocket &socket, int timeoutMs)
{
    switch (socket.state()) {
    case QAbstractSocket::UnconnectedState:
        return socket.errorString();
    case QAbstractSocket::HostLookupState:
        return QStringLiteral("the name was not resolved within %1 ms").arg(timeoutMs);
    case QAbstractSocket::ConnectingState:
        return QStringLiteral("no TCP connection within %1 ms: nothing answered (the host is "
                              "down or unreachable, or a firewall drops the connection)")
            .arg(timeoutMs);
    default:
        return QStringLiteral("connected, but no TLS 1.3 handshake within %1 ms (is it a "
                              "Converge agent, and not overloaded?)")
            .arg(timeoutMs);
    }
}

} // namespace

// --- PeerLog, AgentConnection ----------------------------------------------------------------

namespace {

qint64 monotonicMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// A reply this size may stay queued while the next request is read: small replies then never
// wait for the peer's acknowledgement, and a peer that does not read stalls within one reply.
constexpr qint64 kOutputSlackBytes = qint64(64) * 1024;
// A closing connection whose peer does not take its last bytes is aborted after this.
constexpr qint64 kClosingGraceMs = 5'000;
// What stream events may wait in a connection's output before the stream holds back (its
// buffer keeps them; the peer catches up when it reads).
constexpr qint64 kStreamSlackBytes = qint64(256) * 1024;

} // namespace

void PeerLog::note(const QString &what)
{
    const qint64 now = monotonicMs();
    if (m_windowStart < 0 || now - m_windowStart > 10'000) {
        summarize(now);
        m_windowStart = now;
        m_lines = 0;
    }
    if (++m_lines <= 20)
        qCInfo(lcChannel).noquote() << what;
    else
        ++m_suppressed[what.section(QLatin1Char(':'), 0, 0)];
}

void PeerLog::summarize(qint64 nowMs)
{
    if (m_suppressed.isEmpty() || nowMs - m_windowStart <= 10'000)
        return;
    QStringList counts;
    for (auto it = m_suppressed.cbegin(); it != m_suppressed.cend(); ++it)
        counts << QStringLiteral("%1 x \"%2\"").arg(it.value()).arg(it.key());
    counts.sort();
    qCInfo(lcChannel).noquote() << "not logged one by one in the last 10 s:"
                                << counts.join(QStringLiteral(", "));
    m_suppressed.clear();
}

AgentConnection::AgentConnection(QSslSocket *socket, PeerAccess access, const ChannelLimits &limits,
                                 InputBudget *budget, PeerLog *log, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_access(access)
    , m_peerFingerprint(fingerprint(socket->peerCertificate()))
    , m_limits(limits)
    , m_budget(budget)
    , m_log(log)
    , m_decoder(access == PeerAccess::EnrollOnly ? limits.maxEnrollFrameBytes
                                                 : core::protocol::kMaxFrameBytes)
    , m_admittedAt(monotonicMs())
    , m_lastActivity(m_admittedAt)
    , m_lastWrite(m_admittedAt)
{
    socket->setParent(this);
    connect(socket, &QIODevice::readyRead, this, &AgentConnection::readFrames);
    // The peer took reply bytes: its write deadline starts again, and once the reply is out
    // the next request may be read.
    const auto wrote = [this] {
        m_lastWrite = monotonicMs();
        if (pendingOutput() <= kOutputSlackBytes)
            readFrames();
    };
    connect(socket, &QSslSocket::encryptedBytesWritten, this, wrote);
    connect(socket, &QIODevice::bytesWritten, this, wrote);
    connect(socket, &QAbstractSocket::disconnected, this, [this] {
        Q_EMIT closed(this);
        deleteLater();
    });
    // Bytes may have arrived with the handshake; read them once the listener has wired us up.
    QTimer::singleShot(0, this, &AgentConnection::readFrames);
}

AgentConnection::~AgentConnection()
{
    m_budget->release(m_reserved);
}

QSslCertificate AgentConnection::peerCertificate() const
{
    return m_socket->peerCertificate();
}

bool AgentConnection::isOpen() const
{
    return !m_closing && m_socket->state() == QAbstractSocket::ConnectedState;
}

qint64 AgentConnection::pendingOutput() const
{
    return m_socket->bytesToWrite() + m_socket->encryptedBytesToWrite();
}

void AgentConnection::send(const Message &message)
{
    if (message.id != 0 && message.id == m_inFlight && message.type != QLatin1String("event")) {
        m_inFlight = 0;
        m_lastActivity = monotonicMs();
        if (m_decoder.buffered() > 0)
            m_frameStartedAt = m_lastActivity; // the next frame's clock starts now
        QTimer::singleShot(0, this, &AgentConnection::readFrames);
    }
    if (!isOpen())
        return;
    QByteArray frame = core::protocol::encodeFrame(message);
    if (frame.size() - 4 > core::protocol::kMaxFrameBytes) {
        qCWarning(lcChannel) << "reply to" << message.id << "is" << frame.size() << "bytes";
        frame = core::protocol::encodeFrame(
            core::protocol::errorReply(message.id, QStringLiteral("reply-too-large"),
                                       QStringLiteral("the reply exceeds the %1-byte frame cap")
                                           .arg(core::protocol::kMaxFrameBytes)));
    }
    if (pendingOutput() == 0)
        m_lastWrite = monotonicMs();
    m_socket->write(frame);
}

bool AgentConnection::sendEvent(qint64 subscription, qint64 seq, const QByteArray &dataJson)
{
    if (!canSendEvent())
        return false;
    return sendEvent(subscription, seq, QJsonDocument::fromJson(dataJson).object());
}

bool AgentConnection::canSendEvent() const
{
    return isOpen() && pendingOutput() <= kStreamSlackBytes;
}

bool AgentConnection::sendEvent(qint64 subscription, qint64 seq, const QJsonObject &data)
{
    if (!canSendEvent())
        return false;
    // An event is activity: a console that follows a stream is not idle.
    m_lastActivity = monotonicMs();
    send({QStringLiteral("event"),
          subscription,
          {{QStringLiteral("seq"), double(seq)}, {QStringLiteral("data"), data}}});
    return true;
}

void AgentConnection::close()
{
    if (m_closing)
        return;
    m_closing = true;
    m_closingSince = monotonicMs();
    m_socket->disconnectFromHost(); // writes what is queued first
}

void AgentConnection::resumeReading()
{
    if (m_waitingForBudget)
        readFrames();
}

// Moves what the socket holds into the decoder, as far as the budgets allow: false if nothing
// could be moved (nothing there, or the budget is short: resumeReading() tries again). A frame
// larger than the free allowance is read only once the shared budget grants all of it, so that
// partial frames never hold the budget between them without one of them completing.
bool AgentConnection::takeInput(qint64 nowMs)
{
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return false;
    const qint64 free = isEnrollOnly() ? m_limits.maxEnrollFrameBytes + 4 : m_limits.freeInputBytes;
    const qint64 needed = m_decoder.currentFrameBytes() - free;
    if (!isEnrollOnly() && needed > m_reserved) {
        const qint64 granted = m_budget->reserve(needed - m_reserved);
        if (granted < needed - m_reserved) {
            m_budget->release(granted); // all or nothing
            m_waitingForBudget = true;
            return false;
        }
        m_reserved = needed;
    }
    m_waitingForBudget = false;
    const qint64 room = free + m_reserved - m_decoder.buffered();
    if (room <= 0)
        return false;
    if (m_decoder.buffered() == 0)
        m_frameStartedAt = nowMs;
    m_decoder.feed(m_socket->read(std::min(available, room)));
    return true;
}

// Gives back the shared budget once the frame it was granted for is complete.
void AgentConnection::settleBudget()
{
    const qint64 free = isEnrollOnly() ? m_limits.maxEnrollFrameBytes + 4 : m_limits.freeInputBytes;
    const qint64 needed = std::max<qint64>(0, m_decoder.currentFrameBytes() - free);
    if (m_reserved > needed) {
        m_budget->release(m_reserved - needed);
        m_reserved = needed;
    }
    if (m_decoder.buffered() == 0)
        m_frameStartedAt = -1;
}

void AgentConnection::readFrames()
{
    const QPointer<AgentConnection> alive(this);
    while (alive && !m_closing && m_inFlight == 0 && pendingOutput() <= kOutputSlackBytes) {
        const qint64 now = monotonicMs();
        auto next = m_decoder.next();
        if (!next) {
            if (!takeInput(now))
                return;
            continue;
        }
        settleBudget();
        if (!*next) {
            m_log->note(QStringLiteral("bad frame from %1: %2")
                            .arg(m_peerFingerprint, core::logText(next->error().message)));
            send(core::protocol::errorReply(0, QStringLiteral("bad-frame"), next->error().message));
            close();
            return;
        }
        m_inFlight = (*next)->id;
        m_lastActivity = now;
        if (m_decoder.buffered() > 0)
            m_frameStartedAt = now;
        Q_EMIT messageReceived(this, **next); // a reply sent from here clears m_inFlight
    }
}

// Why the connection must end now, or nothing.
QString AgentConnection::expired(qint64 nowMs) const
{
    const ChannelLimits &l = m_limits;
    if (isEnrollOnly() && nowMs - m_admittedAt > l.enrollTimeoutMs)
        return QStringLiteral("an enroll-only connection lasts at most %1 ms")
            .arg(l.enrollTimeoutMs);
    if (pendingOutput() > 0 && nowMs - m_lastWrite > l.writeTimeoutMs)
        return QStringLiteral("the peer took none of its reply for %1 ms").arg(l.writeTimeoutMs);
    if (m_inFlight != 0)
        return {}; // the agent is at work: the peer waits for it
    if (m_frameStartedAt >= 0 && nowMs - m_frameStartedAt > l.frameTimeoutMs)
        return QStringLiteral("a frame begun %1 ms ago is still incomplete")
            .arg(nowMs - m_frameStartedAt);
    if (m_decoder.buffered() == 0 && m_socket->bytesAvailable() == 0 && pendingOutput() == 0 &&
        nowMs - m_lastActivity > l.idleTimeoutMs)
        return QStringLiteral("idle for %1 ms").arg(nowMs - m_lastActivity);
    return {};
}

QString AgentConnection::enforceDeadlines(qint64 nowMs)
{
    if (m_closing) {
        if (nowMs - m_closingSince <= kClosingGraceMs)
            return {};
        m_socket->abort();
        return QStringLiteral("the peer did not take the last bytes within %1 ms")
            .arg(kClosingGraceMs);
    }
    const QString why = expired(nowMs);
    if (why.isEmpty())
        return {};
    if (why.startsWith(QLatin1String("the peer took none"))) {
        m_socket->abort(); // it does not read: nothing more can reach it
        return why;
    }
    send(core::protocol::errorReply(0, QStringLiteral("timeout"), why));
    close();
    return why;
}

// --- AgentListener ---------------------------------------------------------------------------

AgentListener::AgentListener(TlsIdentity identity, PeerPolicy policy, QObject *parent,
                             const ChannelLimits &limits)
    : QObject(parent)
    , m_identity(std::move(identity))
    , m_policy(std::move(policy))
    , m_limits(limits)
    , m_budget(limits)
    , m_input(limits.sharedInputBytes)
    , m_server(new DescriptorServer([this](qintptr d) { startHandshake(d); }, this))
    , m_sweep(new QTimer(this))
{
    connect(m_server, &QTcpServer::acceptError, this, &AgentListener::acceptFailed);
    m_sweep->setInterval(250);
    connect(m_sweep, &QTimer::timeout, this, &AgentListener::sweep);
    m_sweep->start();
}

AgentListener::AgentListener(TlsIdentity identity, Enrollment *enrollment, QObject *parent,
                             const ChannelLimits &limits)
    : AgentListener(
          std::move(identity),
          [enrollment](const QSslCertificate &peer) { return enrollment->policyFor(peer); }, parent,
          limits)
{
    setEnrollment(enrollment);
}

AgentListener::~AgentListener() = default;

void AgentListener::setEnrollment(Enrollment *enrollment)
{
    m_enrollment = enrollment;
}

bool AgentListener::listen(const QHostAddress &address, quint16 port)
{
    fitDescriptors();
    m_server->setListenBacklogSize(m_limits.listenBacklog);
    return m_server->listen(address, port);
}

// Raises the soft descriptor limit to the hard one, and serves no more connections than the
// descriptors allow with kReservedDescriptors kept free for the agent's own work.
void AgentListener::fitDescriptors()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    const qint64 open = QDir(QStringLiteral("/proc/self/fd")).count();
    const qint64 usable =
        qint64(std::min<rlim_t>(limit.rlim_cur, 1 << 20)) - open - kReservedDescriptors;
    if (usable < m_limits.maxConnections) {
        m_budget.setMaxConnections(int(std::max<qint64>(1, usable)));
        qCWarning(lcChannel) << "the descriptor limit" << qint64(limit.rlim_cur) << "allows only"
                             << m_budget.maxConnections() << "connections, not"
                             << m_limits.maxConnections << "(raise LimitNOFILE)";
    }
}

// accept() failed (out of descriptors or memory): back off instead of retrying at once.
void AgentListener::acceptFailed()
{
    m_log.note(QStringLiteral("accept failed (%1); pausing accepts for 200 ms")
                   .arg(m_server->errorString()));
    m_server->pauseAccepting();
    QTimer::singleShot(200, this, [this] { m_server->resumeAccepting(); });
}

void AgentListener::sweep()
{
    const qint64 now = monotonicMs();
    for (ConnectionBudget::Id id : m_budget.olderThan(now, m_limits.handshakeTimeoutMs)) {
        const auto it = m_unauthenticated.find(id);
        if (it != m_unauthenticated.end() && it->second && !it->second->isEncrypted()) {
            m_log.note(QStringLiteral("handshake with %1 failed: no TLS 1.3 handshake within %2 ms")
                           .arg(it->second->peerAddress().toString())
                           .arg(m_limits.handshakeTimeoutMs));
            dropUnauthenticated(id);
        }
    }
    for (AgentConnection *c : findChildren<AgentConnection *>(Qt::FindDirectChildrenOnly)) {
        if (const QString why = c->enforceDeadlines(now); !why.isEmpty())
            m_log.note(
                QStringLiteral("closed the connection of %1: %2").arg(c->peerFingerprint(), why));
        else
            c->resumeReading();
    }
    m_log.summarize(now);
}

void AgentListener::dropUnauthenticated(ConnectionBudget::Id id)
{
    m_budget.left(id);
    const auto it = m_unauthenticated.find(id);
    if (it == m_unauthenticated.end())
        return;
    const QPointer<QSslSocket> socket = it->second;
    m_unauthenticated.erase(it);
    if (socket) {
        socket->abort();
        socket->deleteLater();
    }
}

quint16 AgentListener::port() const
{
    return m_server->serverPort();
}

QString AgentListener::errorString() const
{
    return m_server->errorString();
}

QString AgentListener::fingerprint() const
{
    return collectors::fingerprint(m_identity.certificate);
}

namespace {

// Why a peer's handshake failed, never empty: Qt's text, else the TLS errors, else the socket
// error's name (a plain-text or HTTP peer often leaves errorString() empty).
QString handshakeFailure(const QSslSocket &socket)
{
    QStringList why;
    if (const QString text = socket.errorString().trimmed();
        !text.isEmpty() && text != QLatin1String("Unknown error"))
        why << text;
    for (const QSslError &e : socket.sslHandshakeErrors())
        why << e.errorString();
    if (why.isEmpty())
        why << QStringLiteral("socket error %1 (%2)")
                   .arg(int(socket.error()))
                   .arg(
                       QLatin1String(QMetaEnum::fromType<QAbstractSocket::SocketError>().valueToKey(
                           socket.error())));
    return core::logText(why.join(QStringLiteral("; ")));
}

// The peer's address of an accepted descriptor, "" if it cannot be read.
QString peerOf(qintptr descriptor)
{
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    if (::getpeername(int(descriptor), reinterpret_cast<sockaddr *>(&address), &size) != 0)
        return {};
    QHostAddress host(reinterpret_cast<const sockaddr *>(&address));
    if (const auto v4 = host.toIPv4Address();
        host.protocol() == QAbstractSocket::IPv6Protocol &&
        host.isEqual(QHostAddress(v4), QHostAddress::ConvertV4MappedToIPv4))
        host = QHostAddress(v4);
    return host.toString();
}

} // namespace

// QueryPeer, not VerifyPeer: the console's certificate is self-signed, so no chain check could
// pass, and before enrollment there is nothing to check it against. QueryPeer still makes the
// client prove it holds the certificate's key (TLS CertificateVerify); the policy then compares
// the certificate with the pinned one, exactly, after the handshake.
void AgentListener::startHandshake(qintptr descriptor)
{
    const QString source = peerOf(descriptor);
    if (const QString why = m_budget.paceNew(source, monotonicMs()); !why.isEmpty()) {
        m_log.note(QStringLiteral("refused a connection: %1").arg(why));
        ::close(int(descriptor));
        return;
    }
    auto *socket = new QSslSocket(this);
    const auto id = ConnectionBudget::Id(socket);
    const ConnectionBudget::Decision d = m_budget.arrive(id, source, monotonicMs());
    if (!d.accept) {
        m_log.note(QStringLiteral("refused a connection: %1").arg(d.why));
        ::close(int(descriptor));
        delete socket;
        return;
    }
    if (d.evict) {
        m_log.note(QStringLiteral("dropped an unauthenticated connection: %1").arg(d.why));
        dropUnauthenticated(*d.evict);
    }
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcChannel) << "cannot take over an accepted socket:" << socket->errorString();
        m_budget.left(id);
        delete socket;
        return;
    }
    m_unauthenticated.emplace(id, socket);
    connect(socket, &QObject::destroyed, this, [this, id] {
        m_budget.left(id);
        m_unauthenticated.erase(id);
    });
    socket->setReadBufferSize(m_limits.freeInputBytes);
    socket->setSslConfiguration(channelConfiguration(m_identity, QSslSocket::QueryPeer));
    connect(socket, &QSslSocket::encrypted, this, [this, socket] { admit(socket); });
    connect(socket, &QAbstractSocket::disconnected, this, [socket] { socket->deleteLater(); });
    connect(socket, &QAbstractSocket::errorOccurred, this, [this, socket] {
        m_log.note(QStringLiteral("handshake with %1 failed: %2")
                       .arg(socket->peerAddress().toString(), handshakeFailure(*socket)));
        socket->abort();
        socket->deleteLater();
    });
    socket->startServerEncryption();
}

void AgentListener::admit(QSslSocket *socket)
{
    socket->disconnect(this); // from here on the socket belongs to its connection or dies
    const auto id = ConnectionBudget::Id(socket);
    connect(socket, &QObject::destroyed, this, [this, id] {
        m_budget.left(id);
        m_unauthenticated.erase(id);
    });
    const QSslCertificate peer = socket->peerCertificate();
    const PeerAccess access = peer.isNull() ? PeerAccess::Reject : m_policy(peer);
    if (access == PeerAccess::Reject) {
        m_log.note(QStringLiteral("refused %1 %2")
                       .arg(socket->peerAddress().toString(),
                            peer.isNull() ? QStringLiteral("(no certificate)")
                                          : collectors::fingerprint(peer)));
        socket->abort(); // no close_notify wait: not a byte of application data either way
        socket->deleteLater();
        Q_EMIT peerRejected(collectors::fingerprint(peer));
        return;
    }
    // An enroll-only connection stays unauthenticated: it may be evicted like a handshake.
    if (access == PeerAccess::Authenticated) {
        m_budget.authenticated(id);
        m_unauthenticated.erase(id);
    }
    auto *connection = new AgentConnection(socket, access, m_limits, &m_input, &m_log, this);
    connect(connection, &AgentConnection::messageReceived, this, &AgentListener::route);
    Q_EMIT connectionAccepted(connection);
}

void AgentListener::route(AgentConnection *connection, const Message &message)
{
    if (m_enrollment && message.type == QLatin1String("enroll")) {
        connection->send(m_enrollment->handleRequest(connection->peerCertificate(), message));
        // An enroll-only connection is good for one enrollment, whatever its outcome: the
        // console reconnects pinned, and nothing else may hold the connection open.
        if (connection->isEnrollOnly())
            connection->close();
        return;
    }
    if (connection->isEnrollOnly()) {
        connection->send(core::protocol::errorReply(
            message.id, QStringLiteral("not-enrolled"),
            QStringLiteral("this console is not enrolled with the agent: only \"enroll\" is "
                           "accepted, \"%1\" is not")
                .arg(message.type)));
        connection->close();
        return;
    }
    Q_EMIT messageReceived(connection, message);
}

// --- AgentClient -----------------------------------------------------------------------------

AgentClient::AgentClient() = default;

AgentClient::~AgentClient()
{
    disconnectFromAgent();
}

QString AgentClient::where() const
{
    return QStringLiteral("agent at %1:%2").arg(m_host).arg(m_port);
}

bool AgentClient::isConnected() const
{
    return m_socket && m_socket->isEncrypted() &&
           m_socket->state() == QAbstractSocket::ConnectedState;
}

void AgentClient::disconnectFromAgent()
{
    if (!m_socket)
        return;
    m_socket->abort();
    m_socket.reset();
    m_agentFingerprint.clear();
}

// The pin is checked twice: in sslErrors, to decide whether the self-signed noise may be ignored
// (only once the certificate is the pinned one), and after the handshake, which is authoritative
// even if no verification error was raised at all.
Result<void> AgentClient::connectTo(const QString &host, quint16 port, const TlsIdentity &own,
                                    const QString &pinnedAgentFingerprint, int timeoutMs)
{
    disconnectFromAgent();
    m_host = host;
    m_port = port;
    m_decoder = {};
    m_socket = std::make_unique<QSslSocket>();
    QSslSocket *socket = m_socket.get();
    socket->setSslConfiguration(channelConfiguration(own, QSslSocket::VerifyPeer));
    QString refusal;
    const auto onErrors = QObject::connect(
        socket, &QSslSocket::sslErrors, socket, [&](const QList<QSslError> &errors) {
            const QString presented = collectors::fingerprint(socket->peerCertificate());
            qCDebug(lcChannel) << "agent certificate" << presented << "raised"
                               << describeErrors(errors);
            if (!pinnedAgentFingerprint.isEmpty() && presented != pinnedAgentFingerprint)
                refusal = QStringLiteral("presented certificate %1, but %2 is pinned")
                              .arg(presented, pinnedAgentFingerprint);
            else if (!std::ranges::all_of(errors, isPinnedSelfSignedNoise))
                refusal = QStringLiteral("certificate rejected: %1").arg(describeErrors(errors));
            else
                socket->ignoreSslErrors();
        });
    socket->connectToHostEncrypted(host, port);
    spinUntil(socket, QDeadlineTimer(timeoutMs), [socket] { return socket->isEncrypted(); });
    QObject::disconnect(onErrors);
    const QString presented = collectors::fingerprint(socket->peerCertificate());
    if (socket->isEncrypted() && !pinnedAgentFingerprint.isEmpty() &&
        presented != pinnedAgentFingerprint)
        refusal = QStringLiteral("presented certificate %1, but %2 is pinned")
                      .arg(presented, pinnedAgentFingerprint);
    if (!socket->isEncrypted() || !refusal.isEmpty()) {
        const QString reason = !refusal.isEmpty() ? refusal : whyNotConnected(*socket, timeoutMs);
        disconnectFromAgent();
        return fail(Error::Code::Io, QStringLiteral("%1: %2").arg(where(), reason));
    }
    m_agentFingerprint = presented;
    m_handshakeMs = QDeadlineTimer::current().deadline();
    m_answered = false;
    return {};
}

// Reads what has arrived: the reply to request `id` (or an error ending the connection), if
// there; stream events are queued on the way.
std::optional<Result<Message>> AgentClient::readFrames(qint64 id)
{
    m_decoder.feed(m_socket->readAll());
    while (auto next = m_decoder.next()) {
        if (!*next)
            return fail(
                Error::Code::Io,
                QStringLiteral("%1: unreadable reply: %2").arg(where(), next->error().message));
        Message &message = **next;
        if (message.type == QLatin1String("event")) {
            if (m_events.size() >= kMaxQueuedEvents) {
                m_events.pop_front();
                ++m_droppedEvents;
            }
            m_events.push_back(std::move(message));
            continue;
        }
        const bool connectionError = message.type == QLatin1String("error") && message.id == 0;
        if (message.id != id && !connectionError) {
            qCDebug(lcChannel) << "dropping a message for request" << message.id;
            continue;
        }
        m_answered = true;
        if (message.type == QLatin1String("error")) {
            const auto e = core::protocol::ErrorReply::fromJson(message.body);
            return std::unexpected(Error{
                Error::Code::Conflict,
                QStringLiteral("%1 refused the request: %2: %3").arg(where(), e.code, e.message),
                e.code});
        }
        return std::move(message);
    }
    return std::nullopt;
}

std::unexpected<Error> AgentClient::unreadableReply(const QString &type, const Error &e) const
{
    return fail(Error::Code::InvalidInput,
                QStringLiteral("%1: unreadable reply to \"%2\": %3").arg(where(), type, e.message));
}

Result<std::optional<Message>> AgentClient::nextEvent(int timeoutMs)
{
    if (m_events.empty() && isConnected()) {
        std::optional<Result<Message>> failed;
        spinUntil(m_socket.get(), QDeadlineTimer(timeoutMs), [&] {
            failed = readFrames(0); // id 0: only an error that ends the connection answers
            return failed.has_value() || !m_events.empty();
        });
        if (failed && !*failed)
            return std::unexpected(failed->error());
    }
    if (!m_events.empty()) {
        Message event = std::move(m_events.front());
        m_events.pop_front();
        return std::optional<Message>(std::move(event));
    }
    if (!isConnected())
        return fail(Error::Code::Io, QStringLiteral("%1: the connection is closed").arg(where()));
    return std::optional<Message>();
}

// An agent closes the connection of a console it has not pinned as soon as the handshake is
// done, before it reads a request; any other close before the reply dropped a request in flight
// (the agent was stopped or killed, or the network failed), and an apply may have begun.
std::unexpected<Error> AgentClient::closedWithoutAnswer(const QString &type) const
{
    const qint64 sinceHandshake = QDeadlineTimer::current().deadline() - m_handshakeMs;
    if (!m_answered && sinceHandshake < kClosedAtHandshakeMs)
        return fail(Error::Code::Io,
                    QStringLiteral("%1 closed the connection right after the handshake, before "
                                   "answering \"%2\": is this console enrolled with it? (an "
                                   "agent closes the connection of a console it has not pinned)")
                        .arg(where(), type));
    QString message = QStringLiteral("the connection to %1 dropped while \"%2\" was in flight "
                                     "(the agent stopped or restarted, or the network failed)")
                          .arg(where(), type);
    if (type == QLatin1String("apply"))
        message += QStringLiteral(": whether the apply began is not known from this connection. "
                                  "The agent journals each transaction: when it starts again it "
                                  "rolls back one it had not finished, and one left unconfirmed "
                                  "rolls back at its deadline");
    return std::unexpected(Error{Error::Code::Io, message, QStringLiteral("connection-dropped")});
}

Result<Message> AgentClient::request(const QString &type, const QJsonObject &body, int timeoutMs)
{
    if (!isConnected())
        return fail(Error::Code::Io, QStringLiteral("%1: not connected").arg(where()));
    const qint64 id = m_nextId++;
    const QByteArray frame = core::protocol::encodeFrame({type, id, body});
    if (frame.size() - 4 > core::protocol::kMaxFrameBytes)
        return core::invalid(QStringLiteral("request \"%1\": %2 bytes exceed the %3-byte frame cap")
                                 .arg(type)
                                 .arg(frame.size() - 4)
                                 .arg(core::protocol::kMaxFrameBytes));
    m_socket->write(frame);
    std::optional<Result<Message>> result;
    spinUntil(m_socket.get(), QDeadlineTimer(timeoutMs), [&] {
        result = readFrames(id);
        return result.has_value();
    });
    if (result)
        return *result;
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        return closedWithoutAnswer(type);
    return fail(
        Error::Code::Io,
        QStringLiteral("%1: no answer to \"%2\" within %3 ms").arg(where(), type).arg(timeoutMs));
}

} // namespace converge::collectors
