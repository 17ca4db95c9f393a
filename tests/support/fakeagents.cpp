#include "fakeagents.h"

#include "core/realize/planner.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QThread>

#include <utility>

namespace converge::testing {

namespace protocol = core::protocol;
using core::Result;

namespace {

std::unexpected<core::Error> refuse(const FakeAgent &a, const QString &code, const QString &what)
{
    return std::unexpected(core::Error{
        core::Error::Code::Conflict,
        QStringLiteral("agent at %1 refused the request: %2: %3").arg(a.address, code, what),
        code});
}

// What AgentClient says when the connection drops with the apply in flight.
std::unexpected<core::Error> dropped(const FakeAgent &a)
{
    return std::unexpected(core::Error{
        core::Error::Code::Io,
        QStringLiteral("the connection to agent at %1 dropped while \"apply\" was in flight")
            .arg(a.address),
        QStringLiteral("connection-dropped")});
}

std::unexpected<core::Error> unreachable(const QString &address)
{
    return core::fail(core::Error::Code::Io,
                      QStringLiteral("agent at %1: Connection refused").arg(address));
}

// What converged does first with a desired state: its own host name and datapath.
core::realize::HostState prepared(core::realize::HostState desired, const FakeAgent &a)
{
    desired.host = a.host;
    for (core::realize::Bridge &b : desired.bridges)
        b.datapathType = QStringLiteral("netdev");
    return desired;
}

// The agent's deadline passing: back to the state before, as converged's timer does.
void expire(FakeAgent &a)
{
    if (a.pending && QDateTime::currentMSecsSinceEpoch() >= a.pending->deadlineMs) {
        a.running = a.pending->previous;
        a.pending.reset();
        ++a.rollbacks;
    }
}

} // namespace

class FakeSession : public protocol::AgentSession
{
public:
    FakeSession(FakeAgentConnector *connector, QString address)
        : m_connector(connector)
        , m_address(std::move(address))
    {
    }

    Result<protocol::HelloReply> hello(const protocol::HelloRequest &) override
    {
        return serve<protocol::HelloReply>(QStringLiteral("hello"), [](FakeAgent &a) {
            return protocol::HelloReply{QStringLiteral("converged"),
                                        a.version,
                                        1,
                                        a.host,
                                        QStringLiteral("netdev"),
                                        {QStringLiteral("state"), QStringLiteral("plan"),
                                         QStringLiteral("apply"), QStringLiteral("confirm"),
                                         QStringLiteral("rollback")},
                                        a.pending ? a.pending->transaction : QString(),
                                        {}};
        });
    }
    Result<protocol::StateReply> state() override
    {
        return serve<protocol::StateReply>(QStringLiteral("state"), [](FakeAgent &a) {
            return protocol::StateReply{a.running, {}, {}, {}, {}};
        });
    }
    Result<protocol::PlanReply> plan(const protocol::PlanRequest &r) override
    {
        return serve<protocol::PlanReply>(QStringLiteral("plan"), [&r](FakeAgent &a) {
            return protocol::PlanReply{protocol::PlanReport::of(
                core::realize::makePlan(prepared(r.desired, a), a.running))};
        });
    }
    Result<protocol::ApplyReply> apply(const protocol::ApplyRequest &r) override;
    Result<protocol::ConfirmReply> confirm(const protocol::ConfirmRequest &r) override;
    Result<protocol::RollbackReply> rollback(const protocol::RollbackRequest &r) override;
    Result<protocol::SubscribeReply> subscribe(const protocol::SubscribeRequest &r) override
    {
        return serve<protocol::SubscribeReply>(
            QStringLiteral("subscribe"), [&r](FakeAgent &a) -> Result<protocol::SubscribeReply> {
                return refuse(a, QStringLiteral("unknown-stream"),
                              QStringLiteral("this agent offers no stream \"%1\"").arg(r.stream));
            });
    }
    Result<void> unsubscribe(const protocol::UnsubscribeRequest &) override
    {
        return core::fail(core::Error::Code::Conflict, QStringLiteral("no subscription"));
    }
    Result<protocol::CaptureStartReply> captureStart(const protocol::CaptureStartRequest &) override
    {
        return serve<protocol::CaptureStartReply>(QStringLiteral("capture-start"),
                                                  [this](FakeAgent &a) {
                                                      m_captureEnd = a.captureEnd;
                                                      protocol::CaptureStartReply r;
                                                      r.capture = 1;
                                                      r.interface = QStringLiteral("eth0");
                                                      return r;
                                                  });
    }
    Result<protocol::CaptureStopReply> captureStop(const protocol::CaptureStopRequest &) override
    {
        return serve<protocol::CaptureStopReply>(
            QStringLiteral("capture-stop"),
            [this](FakeAgent &) -> Result<protocol::CaptureStopReply> {
                if (m_captureEnded)
                    return core::fail(core::Error::Code::NotFound,
                                      QStringLiteral("no live capture 1 on this connection"));
                m_captureEnd = QStringLiteral("stopped");
                return protocol::CaptureStopReply{};
            });
    }
    Result<void> captureRenew(const protocol::CaptureRenewRequest &) override { return {}; }
    Result<protocol::CaptureListReply> captureList() override
    {
        return serve<protocol::CaptureListReply>(QStringLiteral("capture-list"), [](FakeAgent &a) {
            return protocol::CaptureListReply{a.rings};
        });
    }
    Result<protocol::CaptureFetchReply>
    captureFetch(const protocol::CaptureFetchRequest &r) override
    {
        return serve<protocol::CaptureFetchReply>(
            QStringLiteral("capture-fetch"),
            [&r](FakeAgent &a) -> Result<protocol::CaptureFetchReply> {
                const auto file = a.ringFiles.constFind(r.name + QLatin1Char('/') + r.file);
                if (file == a.ringFiles.cend())
                    return refuse(a, QStringLiteral("not-found"),
                                  QStringLiteral("capture %1 has no file %2").arg(r.name, r.file));
                protocol::CaptureFetchReply reply;
                reply.fileSize = file->size();
                reply.data = file->mid(r.offset, r.length);
                reply.complete = true;
                return reply;
            });
    }
    Result<std::optional<protocol::StreamEvent>> nextEvent(int) override
    {
        if (m_captureEnd.isEmpty() || m_captureEnded)
            return std::optional<protocol::StreamEvent>();
        m_captureEnded = true;
        protocol::CapturePackets last;
        last.end = m_captureEnd;
        return std::optional(protocol::StreamEvent{1, 1, last.toJson()});
    }

private:
    QString m_captureEnd; // the live capture's last event, to come
    bool m_captureEnded = false;

    // One request: the agent's delay, then `answer` under the connector's lock.
    template<typename Reply, typename F> Result<Reply> serve(const QString &type, F &&answer)
    {
        int delay = 0;
        {
            QMutexLocker lock(&m_connector->m_mutex);
            FakeAgent *a = agent();
            if (!a || !a->reachable)
                return unreachable(m_address);
            delay = a->delayMs;
        }
        if (delay > 0)
            QThread::msleep(delay);
        QMutexLocker lock(&m_connector->m_mutex);
        FakeAgent *a = agent();
        if (!a || !a->reachable)
            return unreachable(m_address);
        expire(*a);
        a->requests << type;
        return Result<Reply>(answer(*a));
    }
    FakeAgent *agent()
    {
        const auto it = m_connector->m_agents.find(m_address);
        return it == m_connector->m_agents.end() ? nullptr : it->second.get();
    }

    FakeAgentConnector *m_connector;
    QString m_address;
};

Result<protocol::ApplyReply> FakeSession::apply(const protocol::ApplyRequest &r)
{
    return serve<protocol::ApplyReply>(
        QStringLiteral("apply"), [&r](FakeAgent &a) -> Result<protocol::ApplyReply> {
            if (a.pending)
                return refuse(a, QStringLiteral("busy"),
                              QStringLiteral("transaction %1 awaits confirmation")
                                  .arg(a.pending->transaction));
            const auto drop = std::exchange(a.dropApply, FakeAgent::DropApply::No);
            if (drop == FakeAgent::DropApply::RolledBack)
                return dropped(a);
            const auto desired = prepared(r.desired, a);
            const core::realize::Plan p = core::realize::makePlan(desired, a.running);
            if (!r.expectedPlanDigest.isEmpty() && r.expectedPlanDigest != p.digest())
                return refuse(a, QStringLiteral("plan-changed"),
                              QStringLiteral("the host changed since the plan was made"));
            if (p.isEmpty())
                return protocol::ApplyReply{{}, false, {}, 0, protocol::PlanReport::of(p)};
            if (!a.refuseApply.isEmpty())
                return refuse(a, a.refuseApply,
                              QStringLiteral("the fake host failed; the previous state was "
                                             "restored"));
            const qint64 deadline =
                QDateTime::currentMSecsSinceEpoch() + qint64(r.confirmTimeoutSec) * 1000;
            a.pending = FakeAgent::Pending{QStringLiteral("t-fake-%1").arg(++a.applies), a.running,
                                           deadline};
            a.running = core::realize::afterApply(desired);
            if (a.unreachableAfterApply)
                a.reachable = false;
            if (drop == FakeAgent::DropApply::Applied)
                return dropped(a);
            return protocol::ApplyReply{
                a.pending->transaction, true,
                QDateTime::fromMSecsSinceEpoch(deadline, Qt::UTC).toString(Qt::ISODate),
                r.confirmTimeoutSec, protocol::PlanReport::of(p)};
        });
}

Result<protocol::ConfirmReply> FakeSession::confirm(const protocol::ConfirmRequest &r)
{
    return serve<protocol::ConfirmReply>(
        QStringLiteral("confirm"), [&r](FakeAgent &a) -> Result<protocol::ConfirmReply> {
            if (!a.pending || a.pending->transaction != r.transaction)
                return refuse(
                    a, QStringLiteral("unknown-transaction"),
                    QStringLiteral("no transaction %1 awaits confirmation").arg(r.transaction));
            a.pending.reset();
            return protocol::ConfirmReply{r.transaction};
        });
}

Result<protocol::RollbackReply> FakeSession::rollback(const protocol::RollbackRequest &r)
{
    return serve<protocol::RollbackReply>(
        QStringLiteral("rollback"), [&r](FakeAgent &a) -> Result<protocol::RollbackReply> {
            if (!a.pending || a.pending->transaction != r.transaction)
                return refuse(
                    a, QStringLiteral("unknown-transaction"),
                    QStringLiteral("no transaction %1 awaits confirmation").arg(r.transaction));
            if (!a.refuseRollback.isEmpty())
                return refuse(a, a.refuseRollback,
                              QStringLiteral("the fake host could not be rolled back; retrying"));
            a.running = a.pending->previous;
            a.pending.reset();
            ++a.rollbacks;
            return protocol::RollbackReply{r.transaction};
        });
}

FakeAgent &FakeAgentConnector::add(const QString &host, const QString &address)
{
    QMutexLocker lock(&m_mutex);
    auto agent = std::make_unique<FakeAgent>();
    agent->host = host;
    agent->address = address;
    const QByteArray hash =
        QCryptographicHash::hash(address.toUtf8(), QCryptographicHash::Sha256).toHex();
    QStringList pairs;
    for (int i = 0; i < 32; ++i)
        pairs << QString::fromLatin1(hash.mid(2 * i, 2));
    agent->fingerprint = pairs.join(QLatin1Char(':'));
    agent->running.host = host;
    FakeAgent &added = *agent;
    m_agents[address] = std::move(agent);
    return added;
}

void FakeAgentConnector::with(const QString &address,
                              const std::function<void(FakeAgent &)> &change)
{
    QMutexLocker lock(&m_mutex);
    change(*m_agents.at(address));
}

FakeAgent FakeAgentConnector::snapshot(const QString &address) const
{
    QMutexLocker lock(&m_mutex);
    return *m_agents.at(address);
}

void FakeAgentConnector::install(const QString &address, const core::realize::HostState &desired)
{
    QMutexLocker lock(&m_mutex);
    FakeAgent &a = *m_agents.at(address);
    a.running = core::realize::afterApply(prepared(desired, a));
}

int FakeAgentConnector::opened() const
{
    QMutexLocker lock(&m_mutex);
    return m_opened;
}

Result<std::unique_ptr<protocol::AgentSession>>
FakeAgentConnector::open(const protocol::AgentEndpoint &agent, const protocol::SessionTimeouts &)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_agents.find(agent.address);
    if (it == m_agents.end() || !it->second->reachable)
        return unreachable(agent.address);
    if (agent.fingerprint != it->second->fingerprint)
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("agent at %1: presented certificate %2, but %3 is pinned")
                              .arg(agent.address, it->second->fingerprint, agent.fingerprint));
    ++m_opened;
    return std::unique_ptr<protocol::AgentSession>(
        std::make_unique<FakeSession>(this, agent.address));
}

Result<QString> FakeAgentConnector::enroll(const QString &address, const QString &token, int)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_agents.find(address);
    if (it == m_agents.end() || !it->second->reachable)
        return unreachable(address);
    FakeAgent &a = *it->second;
    if (a.enrollToken.isEmpty() || a.enrollToken != token)
        return refuse(a, QStringLiteral("enroll-denied"),
                      QStringLiteral("wrong enrollment proof: the token does not match this "
                                     "agent's"));
    a.enrollToken.clear();
    return a.fingerprint;
}

} // namespace converge::testing
