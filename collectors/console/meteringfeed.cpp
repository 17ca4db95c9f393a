#include "meteringfeed.h"

#include "collectors/logging.h"

#include <QDateTime>
#include <QThread>

namespace converge::collectors {

namespace protocol = core::protocol;
namespace metering = core::metering;

struct MeteringFeed::Feed
{
    protocol::AgentEndpoint agent;
    QJsonObject params;
    std::atomic<bool> stopping{false};
    FeedStatus status;
    QThread *thread = nullptr;
};

MeteringFeed::MeteringFeed(std::shared_ptr<protocol::AgentConnector> connector, Sink sink,
                           QObject *parent, FeedTiming timing)
    : QObject(parent)
    , m_connector(std::move(connector))
    , m_sink(std::move(sink))
    , m_timing(timing)
{
}

MeteringFeed::~MeteringFeed()
{
    stopAll();
}

void MeteringFeed::follow(const protocol::AgentEndpoint &agent, const QJsonObject &params)
{
    stop(agent.host);
    auto feed = std::make_unique<Feed>();
    feed->agent = agent;
    feed->params = params;
    Feed *f = feed.get();
    f->thread = QThread::create([this, f] { run(*f); });
    f->thread->setObjectName(QStringLiteral("metering ") + agent.host);
    {
        const std::lock_guard lock(m_mutex);
        m_feeds[agent.host] = std::move(feed);
    }
    f->thread->start();
}

void MeteringFeed::stop(const QString &host)
{
    std::unique_ptr<Feed> feed;
    {
        const std::lock_guard lock(m_mutex);
        const auto it = m_feeds.find(host);
        if (it == m_feeds.end())
            return;
        feed = std::move(it->second);
        m_feeds.erase(it);
    }
    feed->stopping = true;
    feed->thread->wait();
    delete feed->thread;
}

void MeteringFeed::stopAll()
{
    for (const QString &host : hosts())
        stop(host);
}

QStringList MeteringFeed::hosts() const
{
    const std::lock_guard lock(m_mutex);
    QStringList names;
    for (const auto &entry : m_feeds)
        names << entry.first;
    return names;
}

FeedStatus MeteringFeed::status(const QString &host) const
{
    const std::lock_guard lock(m_mutex);
    const auto it = m_feeds.find(host);
    if (it == m_feeds.end()) {
        FeedStatus stopped;
        stopped.state = FeedStatus::State::Stopped;
        return stopped;
    }
    return it->second->status;
}

void MeteringFeed::update(Feed &feed, const std::function<void(FeedStatus &)> &change)
{
    {
        const std::lock_guard lock(m_mutex);
        change(feed.status);
    }
    QMetaObject::invokeMethod(
        this, [this, host = feed.agent.host] { Q_EMIT statusChanged(host); }, Qt::QueuedConnection);
}

// Connects, follows until the connection breaks, pauses (longer after each failure, from the
// first pause again after a session that delivered), and again, until stopped.
void MeteringFeed::run(Feed &feed)
{
    int pauseMs = m_timing.firstRetryMs;
    while (!feed.stopping) {
        update(feed, [](FeedStatus &s) { s.state = FeedStatus::State::Connecting; });
        auto session = m_connector->open(feed.agent, {});
        const Outcome outcome =
            session ? followSession(feed, **session) : Outcome{false, session.error().message};
        if (feed.stopping)
            break;
        if (outcome.delivered)
            pauseMs = m_timing.firstRetryMs;
        update(feed, [&](FeedStatus &s) {
            s.state = FeedStatus::State::Retrying;
            s.why = outcome.why;
        });
        qCInfo(lcConsole).noquote() << QStringLiteral("metering of %1: %2; again in %3 ms")
                                           .arg(feed.agent.host, outcome.why)
                                           .arg(pauseMs);
        for (int waited = 0; waited < pauseMs && !feed.stopping; waited += 100)
            QThread::msleep(100);
        pauseMs = std::min(pauseMs * 2, m_timing.maxRetryMs);
    }
    update(feed, [](FeedStatus &s) { s.state = FeedStatus::State::Stopped; });
}

// Subscribes from where the feed was and hands on every batch until the session fails or the
// feed is stopped.
MeteringFeed::Outcome MeteringFeed::followSession(Feed &feed, protocol::AgentSession &session)
{
    FeedStatus from = status(feed.agent.host);
    auto subscribed = session.subscribe(protocol::SubscribeRequest{
        QStringLiteral("metering"), from.lastSeq, feed.params, from.epoch});
    if (!subscribed)
        return {false, subscribed.error().message};
    const qint64 subscription = subscribed->subscription;
    qint64 lastSeq = subscribed->epoch == from.epoch ? from.lastSeq : 0;
    update(feed, [&](FeedStatus &s) {
        s.state = FeedStatus::State::Following;
        s.why.clear();
        s.epoch = subscribed->epoch;
    });
    bool delivered = false;
    while (!feed.stopping) {
        auto event = session.nextEvent(m_timing.pollMs);
        if (!event)
            return {delivered, event.error().message};
        const std::optional<protocol::StreamEvent> &e = *event;
        if (!e.has_value() || e->subscription != subscription)
            continue;
        auto batch = metering::SampleBatch::fromJson(e->data);
        if (!batch)
            return {delivered, QStringLiteral("the agent sent an unreadable metering event %1: %2")
                                   .arg(e->seq)
                                   .arg(batch.error().message)};
        const qint64 seq = e->seq;
        const qint64 gap = lastSeq > 0 && seq > lastSeq + 1 ? seq - lastSeq - 1 : 0;
        lastSeq = seq;
        const qsizetype samples = batch->sampleCount();
        m_sink(feed.agent.host, std::move(*batch));
        delivered = true;
        update(feed, [&](FeedStatus &s) {
            ++s.events;
            s.samples += samples;
            s.missed += gap;
            s.lastSeq = seq;
            s.lastEventMs = QDateTime::currentMSecsSinceEpoch();
        });
    }
    return {delivered, QStringLiteral("stopped")};
}

} // namespace converge::collectors
