#include "agentqueries.h"

namespace converge::collectors {

namespace protocol = core::protocol;

core::Result<QString> agentVersion(protocol::AgentConnector &connector,
                                   const protocol::AgentEndpoint &agent, int timeoutMs)
{
    auto session = connector.open(agent, {timeoutMs, timeoutMs});
    if (!session)
        return std::unexpected(session.error());
    auto hello = (*session)->hello(protocol::consoleHello());
    if (!hello)
        return std::unexpected(hello.error());
    return hello->version;
}

core::Result<core::realize::HostState> runningState(protocol::AgentConnector &connector,
                                                    const protocol::AgentEndpoint &agent,
                                                    const protocol::SessionTimeouts &timeouts)
{
    auto session = connector.open(agent, timeouts);
    if (!session)
        return std::unexpected(session.error());
    auto state = (*session)->state();
    if (!state)
        return std::unexpected(state.error());
    return std::move(state->state);
}

} // namespace converge::collectors
