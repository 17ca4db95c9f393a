#pragma once

#include "core/metering/sample.h"
#include "core/protocol/agentsession.h"

#include <QJsonObject>
#include <QObject>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

class QThread;

// The console's side of the agents' "metering" stream (docs/metering.md, "Streaming"): one
// thread per agent holds a session, subscribes, and hands every batch to the sink; when the
// connection drops it reconnects with a growing pause and resumes from the last sequence number
// it had, so the agent back-fills what its buffer still holds. The GUI thread only ever gets
// status signals.
namespace converge::collectors {

struct FeedStatus
{
    enum class State { Connecting, Following, Retrying, Stopped };
    State state = State::Connecting;
    QString why;        // the last error, for Retrying
    qint64 events = 0;  // received
    qint64 samples = 0; // in them
    qint64 missed = 0;  // events the agent no longer held when asked (gaps in seq)
    qint64 lastEventMs = 0;
    QString epoch; // the agent run the sequence numbers belong to
    qint64 lastSeq = 0;
};

struct FeedTiming
{
    int pollMs = 250;        // how long one wait for an event lasts (how fast stop() acts)
    int firstRetryMs = 1000; // the pause after the first failure, doubled up to maxRetryMs
    int maxRetryMs = 30'000;
};

class MeteringFeed : public QObject
{
    Q_OBJECT
public:
    // Called from the feed threads, one batch at a time per agent (the store queues it).
    using Sink = std::function<void(const QString &host, core::metering::SampleBatch &&batch)>;

    MeteringFeed(std::shared_ptr<core::protocol::AgentConnector> connector, Sink sink,
                 QObject *parent = nullptr, FeedTiming timing = {});
    ~MeteringFeed() override; // stops every feed and waits for its thread

    // Follows AGENT (by its host name; a second call for the host replaces the first). PARAMS
    // go with the subscription (the VMs to meter, docs/metering.md).
    void follow(const core::protocol::AgentEndpoint &agent, const QJsonObject &params = {});
    void stop(const QString &host);
    void stopAll();
    FeedStatus status(const QString &host) const;
    QStringList hosts() const;

Q_SIGNALS:
    void statusChanged(const QString &host); // queued from the feed threads

private:
    struct Feed;
    struct Outcome
    {
        bool delivered = false;
        QString why;
    };
    void run(Feed &feed);
    Outcome followSession(Feed &feed, core::protocol::AgentSession &session);
    void update(Feed &feed, const std::function<void(FeedStatus &)> &change);

    std::shared_ptr<core::protocol::AgentConnector> m_connector;
    Sink m_sink;
    FeedTiming m_timing;
    mutable std::mutex m_mutex; // guards m_feeds and every feed's status
    std::map<QString, std::unique_ptr<Feed>> m_feeds;
};

} // namespace converge::collectors
