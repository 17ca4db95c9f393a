#include "tlsagentconnector.h"

#include "collectors/channel/channel.h"
#include "collectors/channel/consoleidentity.h"
#include "collectors/channel/enrollment.h"

namespace converge::collectors {

namespace protocol = core::protocol;
using core::Result;

namespace {

// One connection, typed: every call is one request and its checked reply.
class TlsAgentSession : public protocol::AgentSession
{
public:
    explicit TlsAgentSession(int requestMs)
        : m_requestMs(requestMs)
    {
    }
    AgentClient &client() { return m_client; }

    Result<protocol::HelloReply> hello(const protocol::HelloRequest &r) override
    {
        return m_client.call<protocol::HelloReply>(r, m_requestMs);
    }
    Result<protocol::StateReply> state() override
    {
        return m_client.call<protocol::StateReply>(protocol::StateRequest{}, m_requestMs);
    }
    Result<protocol::PlanReply> plan(const protocol::PlanRequest &r) override
    {
        return m_client.call<protocol::PlanReply>(r, m_requestMs);
    }
    Result<protocol::ApplyReply> apply(const protocol::ApplyRequest &r) override
    {
        return m_client.call<protocol::ApplyReply>(r, m_requestMs);
    }
    Result<protocol::ConfirmReply> confirm(const protocol::ConfirmRequest &r) override
    {
        return m_client.call<protocol::ConfirmReply>(r, m_requestMs);
    }
    Result<protocol::RollbackReply> rollback(const protocol::RollbackRequest &r) override
    {
        return m_client.call<protocol::RollbackReply>(r, m_requestMs);
    }
    Result<protocol::SubscribeReply> subscribe(const protocol::SubscribeRequest &r) override
    {
        return m_client.call<protocol::SubscribeReply>(r, m_requestMs);
    }
    Result<void> unsubscribe(const protocol::UnsubscribeRequest &r) override { return bare(r); }
    Result<std::optional<protocol::StreamEvent>> nextEvent(int timeoutMs) override;

    Result<protocol::CaptureStartReply>
    captureStart(const protocol::CaptureStartRequest &r) override
    {
        return m_client.call<protocol::CaptureStartReply>(r, m_requestMs);
    }
    Result<protocol::CaptureStopReply> captureStop(const protocol::CaptureStopRequest &r) override
    {
        return m_client.call<protocol::CaptureStopReply>(r, m_requestMs);
    }
    Result<void> captureRenew(const protocol::CaptureRenewRequest &r) override { return bare(r); }
    Result<protocol::CaptureListReply> captureList() override
    {
        return m_client.call<protocol::CaptureListReply>(protocol::CaptureListRequest{},
                                                         m_requestMs);
    }
    Result<protocol::CaptureFetchReply>
    captureFetch(const protocol::CaptureFetchRequest &r) override
    {
        return m_client.call<protocol::CaptureFetchReply>(r, m_requestMs);
    }
    Result<void> captureDelete(const protocol::CaptureDeleteRequest &r) override { return bare(r); }

private:
    // A request whose reply carries nothing but its success.
    template<typename Request> Result<void> bare(const Request &r)
    {
        auto m = m_client.request(protocol::requestTypeName(r.kType), r.toJson(), m_requestMs);
        if (!m)
            return std::unexpected(m.error());
        return {};
    }

    AgentClient m_client;
    int m_requestMs;
};

Result<std::optional<protocol::StreamEvent>> TlsAgentSession::nextEvent(int timeoutMs)
{
    auto message = m_client.nextEvent(timeoutMs);
    if (!message)
        return std::unexpected(message.error());
    const std::optional<core::protocol::Message> &frame = *message;
    if (!frame)
        return std::optional<protocol::StreamEvent>();
    auto event = protocol::StreamEvent::fromJson(frame->id, frame->body);
    if (!event)
        return core::invalid(QStringLiteral("%1: unreadable event of subscription %2: %3")
                                 .arg(m_client.where())
                                 .arg(frame->id)
                                 .arg(event.error().message));
    return std::optional<protocol::StreamEvent>(std::move(*event));
}

} // namespace

TlsAgentConnector::TlsAgentConnector() = default;

TlsAgentConnector::TlsAgentConnector(TlsIdentity identity)
    : m_identity(std::move(identity))
{
}

Result<TlsIdentity> TlsAgentConnector::identity()
{
    QMutexLocker lock(&m_mutex);
    if (!m_identity) {
        auto loaded = consoleIdentity();
        if (!loaded)
            return std::unexpected(loaded.error());
        m_identity = std::move(*loaded);
    }
    return *m_identity;
}

Result<std::unique_ptr<protocol::AgentSession>>
TlsAgentConnector::open(const protocol::AgentEndpoint &agent,
                        const protocol::SessionTimeouts &timeouts)
{
    auto own = identity();
    if (!own)
        return std::unexpected(own.error());
    auto endpoint = protocol::parseAgentAddress(agent.address);
    if (!endpoint)
        return std::unexpected(endpoint.error());
    auto session = std::make_unique<TlsAgentSession>(timeouts.requestMs);
    if (auto c = session->client().connectTo(endpoint->first, endpoint->second, *own,
                                             agent.fingerprint, timeouts.connectMs);
        !c)
        return std::unexpected(c.error());
    return std::unique_ptr<protocol::AgentSession>(std::move(session));
}

Result<QString> TlsAgentConnector::enroll(const QString &address, const QString &token,
                                          int timeoutMs)
{
    auto own = identity();
    if (!own)
        return std::unexpected(own.error());
    auto endpoint = protocol::parseAgentAddress(address);
    if (!endpoint)
        return std::unexpected(endpoint.error());
    return enrollWithToken(endpoint->first, endpoint->second, *own, token, timeoutMs);
}

} // namespace converge::collectors
