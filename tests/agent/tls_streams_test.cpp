// The agent's streams (docs/agent.md, "Streams"; issue 15): over real TLS on loopback, a console
// subscribes and gets every event in order after the reply; one that reconnects back-fills from
// the sequence number it had (or from the start of the buffer when the agent restarted); a peer
// that does not read holds the agent's output to a bound and, once it reads again, sees the gap.
#include "collectors/agent/streamhub.h"
#include "collectors/channel/channel.h"
#include "collectors/channel/tlsagentconnector.h"
#include "collectors/channel/tlsidentity.h"
#include "collectors/console/consolemetering.h"
#include "collectors/console/meteringfeed.h"
#include "core/protocol/replies.h"
#include "core/protocol/requests.h"
#include "core/protocol/streambuffer.h"
#include "core/store/alertstore.h"
#include "core/store/projectstore.h"

#include "testapp.h"
#include "tlstesting.h"

#include <gtest/gtest.h>

#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTemporaryDir>

#include <memory>
#include <mutex>

using converge::testing::ensureApp;
using converge::testing::makeIdentity;
using converge::testing::waitUntil;

namespace {

using namespace converge;
using namespace converge::collectors;
using core::protocol::Message;
using core::protocol::StreamBuffer;

const QString kHost = QStringLiteral("127.0.0.1");

// An event's data with PAD random letters: the agent keeps events compressed, and these do not
// compress much, so PAD is about what each costs it.
QByteArray data(int n, qsizetype pad = 0)
{
    QByteArray random(pad, Qt::Uninitialized);
    for (char &c : random)
        c = char('a' + QRandomGenerator::global()->bounded(26));
    return QJsonDocument(QJsonObject{{QStringLiteral("n"), n},
                                     {QStringLiteral("pad"), QString::fromLatin1(random)}})
        .toJson(QJsonDocument::Compact);
}

TEST(StreamBufferTest, KeepsTheLatestEventsWithinItsAgeAndBytes)
{
    StreamBuffer b(10'000, 1000);
    EXPECT_EQ(b.firstSeq(), 1);
    EXPECT_EQ(b.lastSeq(), 0);
    for (int i = 1; i <= 5; ++i)
        EXPECT_EQ(b.append(i * 1000, data(i)), i);
    ASSERT_EQ(b.after(2, 10).size(), 3U);
    EXPECT_EQ(b.after(2, 10).front().seq, 3);
    EXPECT_EQ(b.after(0, 2).size(), 2U);
    EXPECT_TRUE(b.after(5, 10).empty());
    EXPECT_TRUE(b.after(99, 10).empty()); // a seq from another run of the agent
    b.append(12'500, data(6));            // events 1 and 2 are now older than 10 s
    EXPECT_EQ(b.firstSeq(), 3);
    b.append(13'000, data(7, 2000)); // larger than the whole budget: kept alone
    EXPECT_EQ(b.firstSeq(), 7);
    EXPECT_EQ(b.size(), 1);
    b.append(13'500, data(8));
    EXPECT_EQ(b.firstSeq(), 8);
    EXPECT_LE(b.bytes(), 1000);
}

class StreamHubTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ensureApp();
        m_agent = makeIdentity(QStringLiteral("agent"));
        m_console = makeIdentity(QStringLiteral("console"));
        m_hub.addStream(QStringLiteral("metering"), 600'000, 1024 * 1024);
        const QString console = fingerprint(m_console.certificate);
        m_listener = std::make_unique<AgentListener>(
            m_agent,
            [console](const QSslCertificate &peer) {
                return fingerprint(peer) == console ? PeerAccess::Authenticated
                                                    : PeerAccess::Reject;
            },
            nullptr);
        QObject::connect(m_listener.get(), &AgentListener::messageReceived, m_listener.get(),
                         [this](AgentConnection *c, const Message &m) {
                             if (auto answer = m_hub.serve(c, m))
                                 c->send(*answer);
                             else
                                 c->send(core::protocol::reply(m.id, m.body));
                         });
        ASSERT_TRUE(m_listener->listen(QHostAddress::LocalHost, 0));
    }

    void connect(AgentClient &client)
    {
        auto c = client.connectTo(kHost, m_listener->port(), m_console,
                                  fingerprint(m_agent.certificate), 5000);
        ASSERT_TRUE(c) << c.error().message.toStdString();
    }

    core::Result<core::protocol::SubscribeReply> subscribe(AgentClient &client, qint64 since = 0,
                                                           const QString &epoch = {})
    {
        core::protocol::SubscribeRequest r{QStringLiteral("metering"), since, {}, epoch};
        return client.call<core::protocol::SubscribeReply>(r, 5000);
    }

    // The n of the events that arrive within ms, with their seq.
    static std::vector<std::pair<qint64, int>> events(AgentClient &client, int ms = 300)
    {
        std::vector<std::pair<qint64, int>> got;
        for (;;) {
            auto e = client.nextEvent(ms);
            if (!e || !*e)
                return got;
            got.emplace_back(qint64((**e).body.value(QLatin1String("seq")).toDouble()),
                             (**e)
                                 .body.value(QLatin1String("data"))
                                 .toObject()
                                 .value(QLatin1String("n"))
                                 .toInt());
        }
    }

    void publish(int from, int to, qsizetype pad = 0)
    {
        for (int i = from; i <= to; ++i)
            m_hub.publish(QStringLiteral("metering"), i, data(i, pad));
    }

    TlsIdentity m_agent;
    TlsIdentity m_console;
    StreamHub m_hub;
    std::unique_ptr<AgentListener> m_listener;
};

TEST_F(StreamHubTest, ASubscriberGetsEveryNewEventInOrderAfterTheReply)
{
    publish(1, 3); // before the subscription: not sent to a new subscriber
    AgentClient client;
    ASSERT_NO_FATAL_FAILURE(connect(client));
    auto reply = subscribe(client);
    ASSERT_TRUE(reply) << reply.error().message.toStdString();
    EXPECT_EQ(reply->firstSeq, 4);
    EXPECT_EQ(reply->epoch, m_hub.epoch());
    publish(4, 8);
    const auto got = events(client);
    ASSERT_EQ(got.size(), 5U);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(got[size_t(i)], std::make_pair(qint64(4 + i), 4 + i));
}

TEST_F(StreamHubTest, AConsoleThatReconnectsBackFillsWhatItMissed)
{
    AgentClient first;
    ASSERT_NO_FATAL_FAILURE(connect(first));
    ASSERT_TRUE(subscribe(first));
    publish(1, 5);
    ASSERT_EQ(events(first).size(), 5U);
    first.disconnectFromAgent();
    ASSERT_TRUE(waitUntil([&] { return m_hub.subscriptionCount() == 0; }, 3000));
    publish(6, 9); // while the console was away

    AgentClient again;
    ASSERT_NO_FATAL_FAILURE(connect(again));
    auto resumed = subscribe(again, 5, m_hub.epoch());
    ASSERT_TRUE(resumed);
    EXPECT_EQ(resumed->firstSeq, 6);
    auto got = events(again);
    ASSERT_EQ(got.size(), 4U);
    EXPECT_EQ(got.front().first, 6);
    EXPECT_EQ(got.back().first, 9);

    // Numbers from another run of the agent: everything it holds.
    AgentClient afterRestart;
    ASSERT_NO_FATAL_FAILURE(connect(afterRestart));
    auto fresh = subscribe(afterRestart, 5, QStringLiteral("0123abcd"));
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->firstSeq, 1);
    EXPECT_EQ(events(afterRestart).size(), 9U);
}

TEST_F(StreamHubTest, UnknownStreamsAndSubscriptionsAreRefusedByName)
{
    AgentClient client;
    ASSERT_NO_FATAL_FAILURE(connect(client));
    auto unknown = client.call<core::protocol::SubscribeReply>(
        core::protocol::SubscribeRequest{QStringLiteral("bogus"), 0, {}}, 5000);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().reason, QStringLiteral("unknown-stream"));
    EXPECT_TRUE(unknown.error().message.contains(QLatin1String("it offers: metering")))
        << unknown.error().message.toStdString();
    auto foreign = client.request(QStringLiteral("unsubscribe"),
                                  {{QStringLiteral("subscription"), 999}}, 5000);
    ASSERT_FALSE(foreign);
    EXPECT_EQ(foreign.error().reason, QStringLiteral("unknown-subscription"));
    auto bad = client.request(
        QStringLiteral("subscribe"),
        {{QStringLiteral("stream"), QStringLiteral("metering")}, {QStringLiteral("since"), -4}},
        5000);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().reason, QStringLiteral("bad-request"));
    EXPECT_TRUE(client.isConnected());
}

// A subscriber that stops reading: the agent's output for it stays bounded (the buffer keeps
// the events, the connection does not), and when it reads again it gets the newest events with
// the gap its seq numbers show.
TEST_F(StreamHubTest, APeerThatDoesNotReadHoldsTheAgentToABound)
{
    QSslSocket peer;
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setProtocol(QSsl::TlsV1_3OrLater);
    conf.setPeerVerifyMode(QSslSocket::VerifyNone);
    conf.setLocalCertificate(m_console.certificate);
    conf.setPrivateKey(m_console.key);
    peer.setSslConfiguration(conf);
    peer.setReadBufferSize(4096);
    peer.connectToHostEncrypted(kHost, m_listener->port());
    ASSERT_TRUE(waitUntil([&] { return peer.isEncrypted(); }, 5000));
    peer.write(
        core::protocol::encodeFrame({QStringLiteral("subscribe"),
                                     1,
                                     {{QStringLiteral("stream"), QStringLiteral("metering")}}}));
    ASSERT_TRUE(waitUntil([&] { return m_hub.subscriptionCount() == 1; }, 5000));
    qint64 mostPending = 0;
    for (int round = 0; round < 50; ++round) {
        publish(round * 20 + 1, round * 20 + 20, 10'000); // 10 MB in all
        waitUntil([] { return false; }, 10);
        for (auto *c : m_listener->findChildren<AgentConnection *>())
            for (auto *s : c->findChildren<QSslSocket *>())
                mostPending = std::max(mostPending, s->bytesToWrite() + s->encryptedBytesToWrite());
    }
    EXPECT_LT(mostPending, 400 * 1024) << "the agent queued what its peer did not read";
    EXPECT_EQ(m_hub.subscriptionCount(), 1);

    peer.setReadBufferSize(0);
    core::protocol::FrameDecoder decoder;
    std::vector<qint64> seqs;
    waitUntil(
        [&] {
            decoder.feed(peer.readAll());
            while (auto m = decoder.next())
                if (*m && (*m)->type == QLatin1String("event"))
                    seqs.push_back(qint64((*m)->body.value(QLatin1String("seq")).toDouble()));
            return !seqs.empty() && seqs.back() == 1000;
        },
        10'000);
    ASSERT_FALSE(seqs.empty());
    EXPECT_EQ(seqs.back(), 1000);
    EXPECT_TRUE(std::ranges::is_sorted(seqs));
    EXPECT_LT(seqs.size(), 1000U) << "a 1-MiB buffer cannot have kept 10 MB of events";
}

// The console's feed: batches reach the sink in order; when the connection drops the feed
// reconnects by itself and the agent back-fills what was published meanwhile, nothing twice.
TEST_F(StreamHubTest, TheConsolesFeedResumesAfterADropAndBackFillsWhatItMissed)
{
    std::mutex mutex;
    std::vector<qint64> times;
    const auto batch = [](int i) {
        core::metering::SampleBatch b;
        b.series.push_back(
            {{QStringLiteral("h1"), QStringLiteral("cpu"), QStringLiteral("cpu_busy_percent")},
             {{qint64(i) * 1000, 12.5, 1000}}});
        return QJsonDocument(b.toJson()).toJson(QJsonDocument::Compact);
    };
    MeteringFeed feed(
        std::make_shared<TlsAgentConnector>(m_console),
        [&](const QString &host, core::metering::SampleBatch &&b) {
            EXPECT_EQ(host, QStringLiteral("h1"));
            const std::lock_guard lock(mutex);
            for (const auto &series : b.series)
                for (const auto &sample : series.samples)
                    times.push_back(sample.tMs);
        },
        nullptr, FeedTiming{100, 200, 1000});
    const auto received = [&] {
        const std::lock_guard lock(mutex);
        return times.size();
    };
    feed.follow({QStringLiteral("h1"), QStringLiteral("127.0.0.1:%1").arg(m_listener->port()),
                 fingerprint(m_agent.certificate)});
    ASSERT_TRUE(waitUntil([&] { return m_hub.subscriptionCount() == 1; }, 5000));
    for (int i = 1; i <= 5; ++i)
        m_hub.publish(QStringLiteral("metering"), i, batch(i));
    ASSERT_TRUE(waitUntil([&] { return received() == 5; }, 5000));

    for (auto *c : m_listener->findChildren<AgentConnection *>())
        for (auto *socket : c->findChildren<QSslSocket *>())
            socket->abort();
    ASSERT_TRUE(waitUntil([&] { return m_hub.subscriptionCount() == 0; }, 5000));
    for (int i = 6; i <= 8; ++i)
        m_hub.publish(QStringLiteral("metering"), i, batch(i));
    ASSERT_TRUE(waitUntil([&] { return received() == 8; }, 10'000))
        << "the feed did not come back: " << feed.status(QStringLiteral("h1")).why.toStdString();
    waitUntil([] { return false; }, 300); // nothing more (no duplicate) arrives
    const std::lock_guard lock(mutex);
    EXPECT_EQ(times, (std::vector<qint64>{1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000}));
    const FeedStatus status = feed.status(QStringLiteral("h1"));
    EXPECT_EQ(status.state, FeedStatus::State::Following);
    EXPECT_EQ(status.missed, 0);
    EXPECT_EQ(status.lastSeq, 8);
}

} // namespace

namespace {

// The console's metering end to end without an agent: this machine sampled in-process into a
// real project store, and the project's alert rules evaluated on it: a rule that holds at once
// is raised, shown (the signal) and kept in the store; the charts' source has the series.
TEST(ConsoleMeteringTest, ThisMachineIsStoredAndItsAlertsRaisedAndKept)
{
    ensureApp();
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("p.converge.db"));
    {
        ASSERT_TRUE(core::ProjectStore::create(path, core::Design{}));
        auto alerts = core::AlertStore::open(path);
        ASSERT_TRUE(alerts);
        auto rule = core::metering::AlertRule::fromJson(
            QJsonDocument::fromJson(R"({"id": "has-memory", "name": "Has memory",
                "host": "*", "entity": "", "metric": "memory_total_bytes",
                "condition": "above", "threshold": 1, "forMs": 0,
                "clearThreshold": 0, "clearForMs": 0})")
                .object());
        ASSERT_TRUE(rule) << rule.error().message.toStdString();
        ASSERT_TRUE((*alerts)->saveRules({*rule}));
    }
    auto metering = ConsoleMetering::open(
        path, std::make_shared<TlsAgentConnector>(makeIdentity(QStringLiteral("console"))));
    ASSERT_TRUE(metering) << metering.error().message.toStdString();
    std::vector<core::metering::AlertEvent> seen;
    QObject::connect(metering->get(), &ConsoleMetering::alertEvents,
                     [&](const std::vector<core::metering::AlertEvent> &events) {
                         seen.insert(seen.end(), events.begin(), events.end());
                     });
    (*metering)->sampleLocalHost(QStringLiteral("console-host"), 200);
    ASSERT_TRUE(waitUntil([&] { return !seen.empty(); }, 5000)) << "no alert raised";
    EXPECT_EQ(seen.front().type, core::metering::AlertEvent::Type::Raised);
    EXPECT_EQ(seen.front().ruleId, QStringLiteral("has-memory"));
    EXPECT_EQ(seen.front().key.host, QStringLiteral("console-host"));
    EXPECT_EQ((*metering)->openAlerts().size(), 1U);
    EXPECT_FALSE((*metering)->source()->series(QStringLiteral("console-host")).empty());
    metering->reset();
    auto kept = core::AlertStore::open(path);
    ASSERT_TRUE(kept);
    auto open = (*kept)->openAlerts();
    ASSERT_TRUE(open);
    ASSERT_EQ(open->size(), 1U);
    EXPECT_EQ(open->front().ruleId, QStringLiteral("has-memory"));
}

} // namespace
