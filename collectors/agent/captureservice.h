#pragma once

#include "collectors/agent/agentconfig.h"
#include "core/protocol/capture.h"
#include "core/protocol/frame.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <map>
#include <memory>
#include <optional>

// The agent's captures (issue 16; docs/capture.md, "Remote capture"). Lives in the network
// thread beside the connections; each capture runs in a thread of its own: it makes the
// temporary mirror if one is asked for, opens the capture engine, reads until stopped, and
// removes what it made.
//
// A live capture belongs to the connection that started it: its packets go there as events
// (pcapng packet blocks) at most every kPumpMs, and it ends when the connection closes, when
// capture-stop comes, or when its lease passes without capture-renew (a console that vanished
// without closing). A console that reads slowly never makes the agent grow: at most
// kLivePendingBytes wait per capture, and what comes beyond is dropped and counted
// (agentDropped), which the console shows.
//
// A ring capture writes pcapng files under STATE_DIR/captures/NAME and runs whatever happens to
// the console, until capture-stop or its duration; its state is kept in NAME/capture.json, so an
// agent that restarts lists it ("interrupted" when it was running), and removes any temporary
// mirror a killed agent left behind.
namespace converge::collectors {

class AgentConnection;

class CaptureService : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kLivePendingBytes = qint64(4) * 1024 * 1024;
    static constexpr int kPumpMs = 50;
    static constexpr int kMaxCaptures = 8; // running at once on this host

    // NEXTID gives the ids of live captures: the same counter as the stream subscriptions', so
    // the events on one connection never share an id.
    CaptureService(AgentConfig config, std::function<qint64()> nextId, QObject *parent = nullptr);
    ~CaptureService() override; // stops every capture and waits for it to clean up

    // On start: removes the temporary mirrors of an earlier run and marks the ring captures it
    // left running as interrupted.
    void recover();
    // Serves a capture request (isCaptureRequest(type)); the answer may come later, once the
    // capture has opened its interface.
    void serve(AgentConnection *connection, const core::protocol::Message &request);
    QString directory() const; // STATE_DIR/captures
    int running() const { return int(m_captures.size()); }

    struct Capture; // one running capture (captureservice.cpp)

private:
    void start(AgentConnection *connection, qint64 requestId,
               core::protocol::CaptureStartRequest request);
    void started(qint64 id, const core::Result<core::protocol::CaptureStartReply> &result);
    void ended(qint64 id, const QString &why);
    void stop(AgentConnection *connection, qint64 requestId,
              const core::protocol::CaptureStopRequest &request);
    void pump();
    bool sendPending(Capture &capture, const QString &end = {});
    core::protocol::CaptureStats statsOf(const Capture &capture) const;
    Capture *find(AgentConnection *connection, qint64 id, const QString &name);
    core::Result<core::protocol::CaptureListReply> list() const;
    core::Result<core::protocol::CaptureFetchReply>
    fetch(const core::protocol::CaptureFetchRequest &request) const;
    core::Result<void> remove(const core::protocol::CaptureDeleteRequest &request);
    void writeInfo(const Capture &capture) const;
    QString infoPath(const QString &name) const; // NAME/capture.json
    std::optional<core::protocol::CaptureInfo> readInfo(const QString &name) const;

    AgentConfig m_config;
    std::function<qint64()> m_nextId;
    std::map<qint64, std::unique_ptr<Capture>> m_captures;
    QTimer m_pump;
};

} // namespace converge::collectors
