#pragma once
// An agent session that serves captures only (tests of the console's capture side): every
// other request is refused as not scripted. Tests derive and script the capture calls.

#include "core/protocol/agentsession.h"

namespace converge::testing {

class CaptureOnlySession : public core::protocol::AgentSession
{
public:
    using Refused = std::unexpected<core::Error>;
    core::Result<core::protocol::HelloReply> hello(const core::protocol::HelloRequest &) override
    {
        return notScripted();
    }
    core::Result<core::protocol::StateReply> state() override { return notScripted(); }
    core::Result<core::protocol::PlanReply> plan(const core::protocol::PlanRequest &) override
    {
        return notScripted();
    }
    core::Result<core::protocol::ApplyReply> apply(const core::protocol::ApplyRequest &) override
    {
        return notScripted();
    }
    core::Result<core::protocol::ConfirmReply>
    confirm(const core::protocol::ConfirmRequest &) override
    {
        return notScripted();
    }
    core::Result<core::protocol::RollbackReply>
    rollback(const core::protocol::RollbackRequest &) override
    {
        return notScripted();
    }
    core::Result<core::protocol::SubscribeReply>
    subscribe(const core::protocol::SubscribeRequest &) override
    {
        return notScripted();
    }
    core::Result<void> unsubscribe(const core::protocol::UnsubscribeRequest &) override
    {
        return notScripted();
    }

protected:
    static Refused notScripted()
    {
        return core::fail(core::Error::Code::Conflict, QStringLiteral("not scripted"));
    }
};

} // namespace converge::testing
