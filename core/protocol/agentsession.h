#pragma once

#include "core/protocol/capture.h"
#include "core/protocol/replies.h"
#include "core/protocol/requests.h"

#include <memory>
#include <optional>
#include <utility>

// The console's one typed path to an agent. Everything a console does with agents (deploy,
// drift, fleet checks, enrollment; later metering and capture streams) goes through these two
// interfaces; the console library (collectors/console) uses them, the TLS channel
// (collectors/channel) implements them, and tests give a fake. No socket appears here.
namespace converge::core::protocol {

// An enrolled agent: where it listens and the certificate it must present.
struct AgentEndpoint
{
    QString host;        // the design host's name, for messages
    QString address;     // "10.0.0.5:7443", "[2001:db8::5]:7443"
    QString fingerprint; // the pinned agent certificate
};

struct SessionTimeouts
{
    int connectMs = 10'000;
    int requestMs = 180'000;
};

// One authenticated connection to one agent. Calls block until the reply comes (run them in a
// worker thread) and return it checked. Errors: Io when the agent cannot be reached or does not
// answer, Conflict when it refused (Error::reason holds its code: "plan-changed", "busy",
// "unknown-transaction", ...), InvalidInput when its reply is malformed.
class AgentSession
{
public:
    virtual ~AgentSession() = default;

    virtual Result<HelloReply> hello(const HelloRequest &request) = 0;
    virtual Result<StateReply> state() = 0;
    virtual Result<PlanReply> plan(const PlanRequest &request) = 0;
    virtual Result<ApplyReply> apply(const ApplyRequest &request) = 0;
    virtual Result<ConfirmReply> confirm(const ConfirmRequest &request) = 0;
    virtual Result<RollbackReply> rollback(const RollbackRequest &request) = 0;

    // Streams on this connection: events of every subscription arrive in order and wait in a
    // bounded queue until nextEvent() takes them (nullopt when none came within timeoutMs).
    virtual Result<SubscribeReply> subscribe(const SubscribeRequest &request) = 0;
    virtual Result<void> unsubscribe(const UnsubscribeRequest &request) = 0;
    virtual Result<std::optional<StreamEvent>> nextEvent(int timeoutMs) = 0;

    // Captures (capture.h). A live capture's packets arrive through nextEvent(), as events of
    // the capture's id whose data is CapturePackets. An agent (or a fake) that serves none
    // refuses them: these defaults say so.
    virtual Result<CaptureStartReply> captureStart(const CaptureStartRequest &request);
    virtual Result<CaptureStopReply> captureStop(const CaptureStopRequest &request);
    virtual Result<void> captureRenew(const CaptureRenewRequest &request);
    virtual Result<CaptureListReply> captureList();
    virtual Result<CaptureFetchReply> captureFetch(const CaptureFetchRequest &request);
    virtual Result<void> captureDelete(const CaptureDeleteRequest &request);
};

// Opens sessions. Called from worker threads, so implementations are thread-safe.
class AgentConnector
{
public:
    virtual ~AgentConnector() = default;

    virtual Result<std::unique_ptr<AgentSession>> open(const AgentEndpoint &agent,
                                                       const SessionTimeouts &timeouts) = 0;
    // Enrollment: proves the one-time `token` to the agent at `address` (nothing pinned yet) and
    // checks the agent's proof; returns the agent's certificate fingerprint to pin from now on.
    virtual Result<QString> enroll(const QString &address, const QString &token, int timeoutMs) = 0;
};

// "10.0.0.5:7443" / "[::1]:7443" / "agent.example" -> host and port (default 7443).
Result<std::pair<QString, quint16>> parseAgentAddress(const QString &address);

// The protocol's hello from this console ("version": this build's).
HelloRequest consoleHello();

} // namespace converge::core::protocol
