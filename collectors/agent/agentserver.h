#pragma once

#include "collectors/agent/agentconfig.h"
#include "collectors/agent/agentmetering.h"
#include "collectors/agent/agentservice.h"
#include "collectors/agent/captureservice.h"
#include "collectors/agent/streamhub.h"
#include "collectors/channel/tlsidentity.h"

#include <QObject>
#include <QThread>

#include <memory>

namespace converge::collectors {

class AgentConnection;
class AgentListener;
class Enrollment;

// The running agent: its TLS listener (peers admitted by enrollment or a configured console
// certificate), the enrollment it answers, and the service every other request goes to.
// converged's main creates one and runs the event loop.
//
// Three threads (and one per running capture, captureservice.h): the network (TLS, framing, limits,
// enrollment, streams) runs in the thread that made the server; the service (reading Open vSwitch,
// planning, applying) in its own, one request at a time; metering (sampling every
// metering_interval) in a third. However long a plan or apply takes, handshakes, timeouts, the
// connection budget and samples go on.
class AgentServer : public QObject
{
    Q_OBJECT
public:
    // Reads the configured console certificate (if any) and recovers an interrupted
    // transaction from the journal before anything is served; a recovery that fails does not
    // keep the agent from serving (AgentService::recover).
    static core::Result<std::unique_ptr<AgentServer>> create(const AgentConfig &config,
                                                             const TlsIdentity &identity);
    ~AgentServer() override;

    core::Result<void> listen();
    // What the "metering" stream keeps at most (compressed), whatever metering_buffer says: 10
    // minutes of a host with 50 vNICs at 1 s take about 2.6 MB (bench-agent-metering).
    static constexpr qint64 kMeteringBufferBytes = qint64(16) * 1024 * 1024;

    // "converged 0.1.0 listening on 0.0.0.0:7443, fingerprint ..., enrolled"
    QString statusLine() const;
    // Lives in the service thread: call it before listen(), or through that thread.
    AgentService &service() { return *m_service; }

private:
    AgentServer(const AgentConfig &config, const TlsIdentity &identity);
    void serve(AgentConnection *connection, const core::protocol::Message &request);
    void startMetering();

    AgentConfig m_config;
    QString m_fingerprint;
    QSslCertificate m_configuredConsole;
    std::unique_ptr<Enrollment> m_enrollment;
    std::unique_ptr<AgentService> m_service;
    QThread m_serviceThread;
    std::unique_ptr<AgentMetering> m_metering; // null when metering_interval is 0
    QThread m_meteringThread;
    StreamHub m_streams;
    std::unique_ptr<CaptureService> m_captures;
    std::unique_ptr<AgentListener> m_listener;
};

// The state directory, created with mode 0700.
core::Result<void> prepareStateDirectory(const AgentConfig &config);
// The agent's identity in the state directory (agent.key, agent.crt), made on first use.
core::Result<TlsIdentity> agentIdentity(const AgentConfig &config);

} // namespace converge::collectors
