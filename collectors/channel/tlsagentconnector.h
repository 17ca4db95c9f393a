#pragma once

#include "collectors/channel/tlsidentity.h"
#include "core/protocol/agentsession.h"

#include <QMutex>

#include <optional>

// The real path from a console to its agents: core's AgentConnector over the TLS channel
// (channel.h), with the console's identity. What app/ wires into the console library.
namespace converge::collectors {

class TlsAgentConnector : public core::protocol::AgentConnector
{
public:
    // The console's identity (consoleidentity.h), read on first use: a console that cannot read
    // it says so on each call instead of failing to start.
    TlsAgentConnector();
    explicit TlsAgentConnector(TlsIdentity identity);

    core::Result<std::unique_ptr<core::protocol::AgentSession>>
    open(const core::protocol::AgentEndpoint &agent,
         const core::protocol::SessionTimeouts &timeouts) override;
    core::Result<QString> enroll(const QString &address, const QString &token,
                                 int timeoutMs) override;

private:
    core::Result<TlsIdentity> identity();

    QMutex m_mutex;
    std::optional<TlsIdentity> m_identity;
};

} // namespace converge::collectors
