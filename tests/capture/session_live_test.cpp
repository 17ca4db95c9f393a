// The console's live capture (collectors/console/capturesession.h, runLiveCapture) over a
// scripted agent session: what it returns when the console's stop crosses the agent's end.
#include "collectors/console/capturesession.h"

#include "tests/support/captureonlysession.h"

#include <gtest/gtest.h>

#include <QBuffer>

#include <deque>

using namespace converge;
namespace protocol = core::protocol;

namespace {

// An agent whose capture 7 has already ended: its last event waits to be taken, and it knows
// the capture no more (capture-stop and capture-renew are refused as the agent refuses them).
class EndedSession : public converge::testing::CaptureOnlySession
{
public:
    std::deque<protocol::CapturePackets> events;
    int stops = 0;

    core::Result<protocol::CaptureStartReply>
    captureStart(const protocol::CaptureStartRequest &) override
    {
        protocol::CaptureStartReply r;
        r.capture = 7;
        r.interface = QStringLiteral("cvcap7");
        return r;
    }
    core::Result<protocol::CaptureStopReply>
    captureStop(const protocol::CaptureStopRequest &) override
    {
        ++stops;
        return unknown();
    }
    core::Result<void> captureRenew(const protocol::CaptureRenewRequest &) override
    {
        return unknown();
    }
    core::Result<std::optional<protocol::StreamEvent>> nextEvent(int) override
    {
        if (events.empty())
            return std::optional<protocol::StreamEvent>();
        protocol::StreamEvent e{7, ++m_seq, events.front().toJson()};
        events.pop_front();
        return std::optional(e);
    }

private:
    static std::unexpected<core::Error> unknown()
    {
        return core::fail(core::Error::Code::NotFound,
                          QStringLiteral("no live capture 7 on this connection"));
    }
    qint64 m_seq = 0;
};

} // namespace

// The admin stops (Ctrl+C, the window closed, --duration) just as the agent ended the capture
// by itself: the capture ended and says why; it is no "no live capture" error.
TEST(LiveCaptureSession, AStopThatCrossesTheAgentsEndReturnsTheEnd)
{
    EndedSession session;
    session.events.push_back({{}, 0, {3, 300, 0, 0}, QStringLiteral("interface vnet3 is gone")});
    QBuffer out;
    ASSERT_TRUE(out.open(QIODevice::WriteOnly));
    const std::atomic_bool stop = true;
    auto done = collectors::runLiveCapture(session, {}, out, stop);
    ASSERT_TRUE(done) << done.error().message.toStdString();
    EXPECT_EQ(done->end, QStringLiteral("interface vnet3 is gone"));
    EXPECT_EQ(done->stats.received, 3);
    EXPECT_EQ(session.stops, 0) << "it stopped a capture that had ended";
}

// A lease renewal that crosses the agent's end is no error either: the end is the answer.
TEST(LiveCaptureSession, ARenewalThatCrossesTheAgentsEndReturnsTheEnd)
{
    EndedSession session;
    session.events.push_back({{}, 0, {3, 300, 0, 0}, QStringLiteral("interface vnet3 is gone")});
    QBuffer out;
    ASSERT_TRUE(out.open(QIODevice::WriteOnly));
    protocol::CaptureStartRequest request;
    request.leaseSec = 0; // renews at once
    const std::atomic_bool stop = false;
    auto done = collectors::runLiveCapture(session, request, out, stop);
    ASSERT_TRUE(done) << done.error().message.toStdString();
    EXPECT_EQ(done->end, QStringLiteral("interface vnet3 is gone"));
}
