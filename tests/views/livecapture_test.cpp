// A live capture in the capture window (views/capture/livecapture.h) over a scripted agent
// session: the packets the agent streams show in the window as they come, with its counters;
// closing the window stops the capture on the agent and removes the temporary file; a capture the
// agent ends leaves the window with what it got and says why; the capture options dialog refuses
// what it cannot read.
#include "capturetestsupport.h"
#include "viewstestsupport.h"

#include "views/capture/captureoptionsdialog.h"
#include "views/capture/capturewindow.h"
#include "views/capture/livecapture.h"
#include "views/capture/packetlistmodel.h"

#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>
#include <QThread>

#include "tests/support/captureonlysession.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>

using namespace converge;
namespace protocol = core::protocol;
using views::capture::LiveCapture;

namespace {

// What the scripted agent did, seen from the test's thread.
struct AgentLog
{
    std::mutex mutex;
    bool started = false;
    bool stopped = false;
    std::deque<protocol::CapturePackets> events; // sent one per nextEvent() call
    QString endWith = QStringLiteral("stopped");
};

class ScriptedSession : public converge::testing::CaptureOnlySession
{
public:
    explicit ScriptedSession(std::shared_ptr<AgentLog> log)
        : m_log(std::move(log))
    {
    }

    core::Result<protocol::CaptureStartReply>
    captureStart(const protocol::CaptureStartRequest &) override
    {
        std::lock_guard lock(m_log->mutex);
        m_log->started = true;
        protocol::CaptureStartReply r;
        r.capture = 7;
        r.interface = QStringLiteral("cvcap7");
        r.header = capturetest::CaptureWriter(false).pcapng({});
        return r;
    }
    core::Result<protocol::CaptureStopReply>
    captureStop(const protocol::CaptureStopRequest &r) override
    {
        std::lock_guard lock(m_log->mutex);
        m_log->stopped = r.capture == 7;
        m_log->events.push_back({{}, 0, {}, m_log->endWith});
        return protocol::CaptureStopReply{};
    }
    core::Result<void> captureRenew(const protocol::CaptureRenewRequest &) override { return {}; }
    core::Result<std::optional<protocol::StreamEvent>> nextEvent(int timeoutMs) override
    {
        {
            std::lock_guard lock(m_log->mutex);
            if (!m_log->events.empty()) {
                protocol::StreamEvent e{7, ++m_seq, m_log->events.front().toJson()};
                m_log->events.pop_front();
                return std::optional(e);
            }
        }
        QThread::msleep(std::min(timeoutMs, 20));
        return std::optional<protocol::StreamEvent>();
    }

private:
    std::shared_ptr<AgentLog> m_log;
    qint64 m_seq = 0;
};

class ScriptedConnector : public protocol::AgentConnector
{
public:
    explicit ScriptedConnector(std::shared_ptr<AgentLog> log)
        : m_log(std::move(log))
    {
    }
    core::Result<std::unique_ptr<protocol::AgentSession>>
    open(const protocol::AgentEndpoint &, const protocol::SessionTimeouts &) override
    {
        return std::unique_ptr<protocol::AgentSession>(new ScriptedSession(m_log));
    }
    core::Result<QString> enroll(const QString &, const QString &, int) override
    {
        return core::fail(core::Error::Code::Conflict, QStringLiteral("not scripted"));
    }

private:
    std::shared_ptr<AgentLog> m_log;
};

// N fixture packets as one event's blocks, with the agent's counters.
protocol::CapturePackets packets(int n, int first, qint64 agentDropped)
{
    const capturetest::CaptureWriter w(false);
    const auto frames = views::test::fixtureFrames();
    protocol::CapturePackets p;
    for (int i = first; i < first + n; ++i)
        p.blocks += w.enhanced(frames[size_t(i) % frames.size()],
                               1700000000000000000ULL + quint64(i) * 1000);
    p.packets = n;
    p.stats = {first + n, 0, 0, agentDropped};
    return p;
}

LiveCapture *startLive(const std::shared_ptr<AgentLog> &log)
{
    QString error;
    protocol::CaptureStartRequest request;
    request.target.port = QStringLiteral("vnet3");
    LiveCapture *live =
        LiveCapture::start(std::make_shared<ScriptedConnector>(log),
                           {QStringLiteral("h1"), QStringLiteral("127.0.0.1:7443"), {}}, request,
                           QStringLiteral("h1 / web/eth0"), nullptr, &error);
    EXPECT_TRUE(live) << error.toStdString();
    return live;
}

} // namespace

TEST(LiveCaptureWindow, PacketsShowAsTheAgentSendsThemAndClosingStopsTheCapture)
{
    auto log = std::make_shared<AgentLog>();
    log->events = {packets(5, 0, 0), packets(7, 5, 3)};
    LiveCapture *live = startLive(log);
    ASSERT_TRUE(live);
    QPointer<LiveCapture> alive(live);
    auto *window = live->window();
    ASSERT_TRUE(window);
    window->show();
    EXPECT_TRUE(window->windowTitle().startsWith(QStringLiteral("Capturing h1 / web/eth0")));
    QTRY_COMPARE_WITH_TIMEOUT(window->packetModel()->rowCount(), 12, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(
        window->liveCountersText().contains(QStringLiteral("Dropped by the agent: 3")), 5000);
    const QString file = live->file();
    EXPECT_TRUE(QFile::exists(file));
    window->close(); // deletes the window: the capture stops
    QTRY_VERIFY_WITH_TIMEOUT(alive.isNull(), 5000);
    std::lock_guard lock(log->mutex);
    EXPECT_TRUE(log->stopped) << "closing the window did not stop the capture on the agent";
    EXPECT_FALSE(QFile::exists(file)) << "the temporary capture file stayed";
}

TEST(LiveCaptureWindow, ACaptureTheAgentEndsKeepsItsPacketsAndSaysWhy)
{
    auto log = std::make_shared<AgentLog>();
    auto last = packets(3, 0, 0);
    last.end = QStringLiteral("interface vnet3 disappeared during the capture");
    log->events = {last};
    LiveCapture *live = startLive(log);
    ASSERT_TRUE(live);
    QSignalSpy finished(live, &LiveCapture::finished);
    auto *window = live->window();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
    EXPECT_EQ(finished.first().first().toString(), last.end);
    QTRY_COMPARE_WITH_TIMEOUT(window->packetModel()->rowCount(), 3, 5000);
    EXPECT_TRUE(window->statusBar()->currentMessage().contains(last.end));
    EXPECT_EQ(window->windowTitle(), QStringLiteral("h1 / web/eth0"));
    window->close();
}

// The main window closing with a capture running (its window and the capture are its children)
// stops the capture and leaves no temporary file behind: a capture file can be gigabytes.
TEST(LiveCaptureWindow, ClosingTheParentWhileItRunsRemovesTheTemporaryFile)
{
    auto log = std::make_shared<AgentLog>();
    log->events = {packets(5, 0, 0)};
    auto *parent = new QWidget;
    QString error;
    protocol::CaptureStartRequest request;
    request.target.port = QStringLiteral("vnet3");
    LiveCapture *live =
        LiveCapture::start(std::make_shared<ScriptedConnector>(log),
                           {QStringLiteral("h1"), QStringLiteral("127.0.0.1:7443"), {}}, request,
                           QStringLiteral("h1 / web/eth0"), parent, &error);
    ASSERT_TRUE(live) << error.toStdString();
    QTRY_COMPARE_WITH_TIMEOUT(live->window()->packetModel()->rowCount(), 5, 5000);
    ASSERT_TRUE(live->isRunning());
    const QString file = live->file();
    delete parent;
    std::lock_guard lock(log->mutex);
    EXPECT_TRUE(log->stopped) << "the capture did not stop on the agent";
    EXPECT_FALSE(QFile::exists(file)) << "the temporary capture file stayed";
}

TEST(CaptureOptions, WhatCannotBeReadKeepsStartOffAndSaysWhy)
{
    views::capture::CaptureOptionsDialog dialog(QStringLiteral("vNIC 'eth0'"),
                                                {QStringLiteral("web"), QStringLiteral("db")});
    auto *start = dialog.findChild<QPushButton *>();
    QPushButton *ok = nullptr;
    for (auto *b : dialog.findChildren<QPushButton *>())
        if (b->text().contains(QStringLiteral("Capture")))
            ok = b;
    ASSERT_TRUE(ok && start);
    EXPECT_TRUE(ok->isEnabled());
    dialog.addressesEdit()->setText(QStringLiteral("10.0.0.5, 10.9.0.0/16, 10.0.0.300"));
    EXPECT_FALSE(ok->isEnabled());
    EXPECT_TRUE(dialog.problem().contains(QStringLiteral("10.0.0.300")));
    dialog.addressesEdit()->setText(QStringLiteral("10.0.0.5 2001:db8::1"));
    dialog.portsEdit()->setText(QStringLiteral("53, 70000"));
    EXPECT_FALSE(ok->isEnabled());
    EXPECT_TRUE(dialog.problem().contains(QStringLiteral("70000")));
    dialog.portsEdit()->setText(QStringLiteral("53 443"));
    dialog.protocolBox()->setCurrentIndex(dialog.protocolBox()->findData(QStringLiteral("udp")));
    dialog.fromVmBox()->setCurrentIndex(dialog.fromVmBox()->findData(QStringLiteral("db")));
    dialog.bpfEdit()->setText(QStringLiteral(" not port 22 "));
    EXPECT_TRUE(ok->isEnabled());
    const collectors::CaptureChoice c = dialog.choice();
    EXPECT_EQ(c.addresses,
              (QStringList{QStringLiteral("10.0.0.5"), QStringLiteral("2001:db8::1")}));
    EXPECT_EQ(c.ports, (QList<quint16>{53, 443}));
    EXPECT_EQ(c.protocol, QStringLiteral("udp"));
    EXPECT_EQ(c.fromVm, QStringLiteral("db"));
    EXPECT_EQ(c.bpf, QStringLiteral("not port 22"));
    EXPECT_TRUE(c.viaMirror);
}
