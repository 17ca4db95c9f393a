#pragma once

#include "core/protocol/agentsession.h"

// What the console asks an agent outside a deployment: is it there (Fleet > Check), and what
// does its host run (drift). Blocking: run them off the GUI thread.
namespace converge::collectors {

// A hello over a pinned connection: the agent's version.
core::Result<QString> agentVersion(core::protocol::AgentConnector &connector,
                                   const core::protocol::AgentEndpoint &agent, int timeoutMs);

// The agent's running state (what drift compares with the design).
core::Result<core::realize::HostState>
runningState(core::protocol::AgentConnector &connector, const core::protocol::AgentEndpoint &agent,
             const core::protocol::SessionTimeouts &timeouts);

} // namespace converge::collectors
