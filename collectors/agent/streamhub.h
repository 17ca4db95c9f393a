#pragma once

#include "core/protocol/frame.h"
#include "core/protocol/requests.h"
#include "core/protocol/streambuffer.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <vector>

// The agent's streams (docs/agent.md, "Streams"): what its samplers publish is numbered and kept
// for a while (core::protocol::StreamBuffer), and every subscription gets it in order, from
// where it asked. Lives in the network thread, beside the connections it writes to. A peer that
// does not read holds nothing here: its subscription waits at its sequence number while the
// buffer moves on, and once it falls out of the buffer the events it missed are skipped (the
// console sees the gap in seq).
namespace converge::collectors {

class AgentConnection;

class StreamHub : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxSubscriptionsPerConnection = 8;
    static constexpr qsizetype kMaxBackfillPerRound = 64; // events sent to one subscription at once

    explicit StreamHub(QObject *parent = nullptr);
    ~StreamHub() override;

    // Checks a subscription's params: what is wrong, or nothing.
    using ParamsCheck = std::function<QString(const QJsonObject &params)>;
    // Offers a stream, keeping its events for maxAgeMs and at most maxBytes (compressed);
    // subscriptions with
    // params CHECK refuses are answered "bad-request".
    void addStream(const QString &name, qint64 maxAgeMs, qint64 maxBytes, ParamsCheck check = {});
    QStringList streams() const;
    // New at each start of the agent: a console resuming from another epoch gets all held events.
    QString epoch() const { return m_epoch; }

    void publish(const QString &stream, qint64 tMs, const QByteArray &dataJson);

    // The answer to a "subscribe" or "unsubscribe" request on CONNECTION (checked, a bad one
    // answered "bad-request"); nothing for any other request.
    std::optional<core::protocol::Message> serve(AgentConnection *connection,
                                                 const core::protocol::Message &request);
    core::protocol::Message subscribe(AgentConnection *connection, qint64 requestId,
                                      const core::protocol::SubscribeRequest &request);
    core::protocol::Message unsubscribe(AgentConnection *connection, qint64 requestId,
                                        const core::protocol::UnsubscribeRequest &request);

Q_SIGNALS:
    // A subscription was opened, with its params (checked).
    void subscribed(const QString &stream, const QJsonObject &params);

public:
    int subscriptionCount() const { return int(m_subscriptions.size()); }
    // An id no subscription of this agent run has or will have: live captures' events use them.
    qint64 reserveId() { return m_nextId++; }
    const core::protocol::StreamBuffer *buffer(const QString &stream) const;

private:
    struct Subscription
    {
        QPointer<AgentConnection> connection;
        QString stream;
        qint64 next = 1;   // the next seq to send
        qint64 missed = 0; // events skipped since the last log line about it
        qint64 loggedAtMs = std::numeric_limits<qint64>::min() / 2;
    };
    void deliver();
    bool deliver(qint64 id, Subscription &s);

    QString m_epoch;
    struct Stream
    {
        std::unique_ptr<core::protocol::StreamBuffer> buffer;
        ParamsCheck check;
    };
    std::map<QString, Stream> m_streams;
    std::map<qint64, Subscription> m_subscriptions; // by subscription id (unique per agent run)
    qint64 m_nextId = 1;
    QTimer m_retry; // subscriptions held back by a slow peer try again
};

} // namespace converge::collectors
