#include "streamhub.h"

#include "collectors/channel/channel.h"
#include "collectors/logging.h"
#include "core/protocol/replies.h"
#include "core/util/logtext.h"

#include <QDateTime>
#include <QRandomGenerator>

namespace converge::collectors {

namespace protocol = core::protocol;

StreamHub::StreamHub(QObject *parent)
    : QObject(parent)
    , m_epoch(QString::number(QRandomGenerator::system()->generate64(), 16))
{
    m_retry.setInterval(200);
    connect(&m_retry, &QTimer::timeout, this, [this] { deliver(); });
}

StreamHub::~StreamHub() = default;

void StreamHub::addStream(const QString &name, qint64 maxAgeMs, qint64 maxBytes, ParamsCheck check)
{
    m_streams[name] =
        Stream{std::make_unique<protocol::StreamBuffer>(maxAgeMs, maxBytes), std::move(check)};
}

QStringList StreamHub::streams() const
{
    QStringList names;
    for (const auto &entry : m_streams)
        names << entry.first;
    return names;
}

const protocol::StreamBuffer *StreamHub::buffer(const QString &stream) const
{
    const auto it = m_streams.find(stream);
    return it == m_streams.end() ? nullptr : it->second.buffer.get();
}

void StreamHub::publish(const QString &stream, qint64 tMs, const QByteArray &dataJson)
{
    const auto it = m_streams.find(stream);
    if (it == m_streams.end())
        return;
    // Kept compressed: a round repeats every series' key, so zlib keeps a tenth of it, and
    // metering_buffer's minutes fit in a few MB (docs/agent.md, "Streams").
    it->second.buffer->append(tMs, qCompress(dataJson, 1));
    deliver();
}

std::optional<protocol::Message> StreamHub::serve(AgentConnection *connection,
                                                  const protocol::Message &request)
{
    if (request.type != QLatin1String("subscribe") && request.type != QLatin1String("unsubscribe"))
        return std::nullopt;
    auto parsed = protocol::parseRequest(request.type, request.body);
    if (!parsed) {
        qCWarning(lcAgent).noquote() << "rejected" << request.type << "request" << request.id << ":"
                                     << core::logText(parsed.error().message);
        return protocol::errorReply(request.id, QStringLiteral("bad-request"),
                                    parsed.error().message);
    }
    if (const auto *s = std::get_if<protocol::SubscribeRequest>(&*parsed))
        return subscribe(connection, request.id, *s);
    return unsubscribe(connection, request.id, std::get<protocol::UnsubscribeRequest>(*parsed));
}

protocol::Message StreamHub::subscribe(AgentConnection *connection, qint64 requestId,
                                       const protocol::SubscribeRequest &request)
{
    const auto stream = m_streams.find(request.stream);
    if (stream == m_streams.end())
        return protocol::errorReply(
            requestId, QStringLiteral("unknown-stream"),
            QStringLiteral("this agent offers no stream \"%1\" (it offers: %2)")
                .arg(request.stream, streams().join(QStringLiteral(", "))));
    const auto mine = std::ranges::count_if(
        m_subscriptions, [&](const auto &entry) { return entry.second.connection == connection; });
    if (mine >= kMaxSubscriptionsPerConnection)
        return protocol::errorReply(requestId, QStringLiteral("too-many-subscriptions"),
                                    QStringLiteral("a connection may hold %1 subscriptions")
                                        .arg(kMaxSubscriptionsPerConnection));
    if (stream->second.check)
        if (const QString why = stream->second.check(request.params); !why.isEmpty())
            return protocol::errorReply(
                requestId, QStringLiteral("bad-request"),
                QStringLiteral("subscribe %1: %2").arg(request.stream, why));
    const protocol::StreamBuffer &buffer = *stream->second.buffer;
    // since = 0: new events only. A since from another run of the agent: all it holds.
    qint64 next = buffer.lastSeq() + 1;
    if (request.since > 0)
        next = request.epoch == m_epoch ? std::max(request.since + 1, buffer.firstSeq())
                                        : buffer.firstSeq();
    const qint64 id = m_nextId++;
    m_subscriptions[id] = Subscription{connection, request.stream, next};
    connect(connection, &QObject::destroyed, this, [this, id] { m_subscriptions.erase(id); });
    qCInfo(lcAgent).noquote() << "subscription" << id << "to" << request.stream << "from seq"
                              << next;
    Q_EMIT subscribed(request.stream, request.params);
    // The reply goes out first; the events after it.
    QTimer::singleShot(0, this, [this] { deliver(); });
    return protocol::reply(requestId, protocol::SubscribeReply{id, next, m_epoch}.toJson());
}

protocol::Message StreamHub::unsubscribe(AgentConnection *connection, qint64 requestId,
                                         const protocol::UnsubscribeRequest &request)
{
    const auto it = m_subscriptions.find(request.subscription);
    if (it == m_subscriptions.end() || it->second.connection != connection)
        return protocol::errorReply(
            requestId, QStringLiteral("unknown-subscription"),
            QStringLiteral("no subscription %1 on this connection").arg(request.subscription));
    m_subscriptions.erase(it);
    return protocol::reply(requestId, {});
}

void StreamHub::deliver()
{
    bool behind = false;
    for (auto it = m_subscriptions.begin(); it != m_subscriptions.end();) {
        if (!it->second.connection) {
            it = m_subscriptions.erase(it);
            continue;
        }
        behind = deliver(it->first, it->second) || behind;
        ++it;
    }
    if (behind && !m_retry.isActive())
        m_retry.start();
    else if (!behind)
        m_retry.stop();
}

// Sends what S has not had yet, as far as its peer takes it; true if S is still behind.
bool StreamHub::deliver(qint64 id, Subscription &s)
{
    const protocol::StreamBuffer &buffer = *m_streams.at(s.stream).buffer;
    if (s.next < buffer.firstSeq()) {
        s.missed += buffer.firstSeq() - s.next;
        s.next = buffer.firstSeq();
    }
    // A slow peer misses events at every publish: one line in 10 s says how many.
    if (const qint64 now = QDateTime::currentMSecsSinceEpoch();
        s.missed > 0 && now - s.loggedAtMs >= 10'000) {
        qCInfo(lcAgent).noquote() << "subscription" << id << "to" << s.stream << "missed"
                                  << s.missed << "events (its peer reads too slowly)";
        s.missed = 0;
        s.loggedAtMs = now;
    }
    for (const auto &event : buffer.after(s.next - 1, kMaxBackfillPerRound)) {
        if (!s.connection->sendEvent(id, event.seq, qUncompress(event.data)))
            return true;
        s.next = event.seq + 1;
    }
    return s.next <= buffer.lastSeq();
}

} // namespace converge::collectors
