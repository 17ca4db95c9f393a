#include "agentservice.h"

#include "collectors/agent/agentmetering.h"

#include "collectors/agent/unrealizedbridges.h"
#include "collectors/logging.h"
#include "core/realize/flows.h"
#include "core/util/logtext.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QSysInfo>
#include <QThread>

namespace converge::collectors {

namespace protocol = core::protocol;
using core::Result;

namespace {

constexpr int kProtocolVersion = 1;

// A refusal the console can act on: `code` travels as the error reply's code.
std::unexpected<core::Error> refuse(const QString &code, const QString &message)
{
    return std::unexpected(core::Error{core::Error::Code::Conflict, message, code});
}

std::unexpected<core::Error> hostUnavailable(const core::Error &e)
{
    return refuse(QStringLiteral("host-unavailable"), e.message);
}

template<typename Reply> protocol::Message answer(qint64 id, const Result<Reply> &r)
{
    if (r)
        return protocol::reply(id, r->toJson());
    const QString code = r.error().reason.isEmpty() ? QStringLiteral("internal") : r.error().reason;
    return protocol::errorReply(id, code, r.error().message);
}

template<class... F> struct Overloaded : F...
{
    using F::operator()...;
};

AgentConfig withHostName(AgentConfig config)
{
    if (config.hostName.isEmpty())
        config.hostName = QSysInfo::machineHostName();
    return config;
}

} // namespace

AgentService::AgentService(AgentConfig config, QObject *parent)
    : QObject(parent)
    , m_config(withHostName(std::move(config)))
    , m_host(m_config)
{
    m_deadline.setParent(this); // moves with the service to its thread
    m_deadline.setSingleShot(true);
    m_deadline.setTimerType(Qt::PreciseTimer); // never before the promised deadline
    connect(&m_deadline, &QTimer::timeout, this, &AgentService::deadlinePassed);
}

AgentService::~AgentService() = default;

protocol::Message AgentService::handle(const protocol::Message &request)
{
    auto r = protocol::parseRequest(request.type, request.body);
    if (!r) {
        // What a peer sent is escaped and capped: no request can write or forge a log line.
        qCWarning(lcAgent).noquote() << "rejected" << core::logText(request.type, 40) << "request"
                                     << request.id << ":" << core::logText(r.error().message);
        return protocol::errorReply(request.id, QStringLiteral("bad-request"), r.error().message);
    }
    qCInfo(lcAgent).noquote() << "request" << request.type << request.id;
    return serve(request.id, *r);
}

protocol::Message AgentService::serve(qint64 id, const protocol::Request &request)
{
    return std::visit(
        Overloaded{
            [&](const protocol::HelloRequest &) { return protocol::reply(id, hello().toJson()); },
            [&](const protocol::StateRequest &) { return answer(id, state()); },
            [&](const protocol::PlanRequest &r) { return answer(id, plan(r)); },
            [&](const protocol::ApplyRequest &r) { return answer(id, apply(r)); },
            [&](const protocol::ConfirmRequest &r) { return answer(id, confirm(r)); },
            [&](const protocol::RollbackRequest &r) { return answer(id, rollback(r)); },
            // Streams are served by the server's StreamHub, in the network thread, beside the
            // connections; a service on its own (tests) offers none and says so.
            [&](const protocol::SubscribeRequest &r) {
                return protocol::errorReply(
                    id, QStringLiteral("unknown-stream"),
                    QStringLiteral("this agent offers no stream \"%1\"").arg(r.stream));
            },
            [&](const protocol::UnsubscribeRequest &r) {
                return protocol::errorReply(
                    id, QStringLiteral("unknown-subscription"),
                    QStringLiteral("no subscription %1 on this connection").arg(r.subscription));
            },
        },
        request);
}

protocol::HelloReply AgentService::hello() const
{
    protocol::HelloReply h;
    h.agent = QStringLiteral("converged");
    h.version = QStringLiteral(CONVERGE_VERSION);
    h.protocol = kProtocolVersion;
    h.host = m_config.hostName;
    h.datapath = m_host.datapath();
    h.capabilities = {QStringLiteral("state"),
                      QStringLiteral("plan"),
                      QStringLiteral("apply"),
                      QStringLiteral("confirm"),
                      QStringLiteral("rollback"),
                      QStringLiteral("capture")}; // served by the server's CaptureService
    if (m_config.meteringIntervalMs > 0)
        h.capabilities << QStringLiteral("metering"); // the stream (docs/metering.md)
    if (m_pending)
        h.pendingTransaction = m_pending->transaction;
    h.problems = problems();
    return h;
}

QStringList AgentService::problems() const
{
    QStringList out;
    if (!m_journalProblem.isEmpty())
        out << m_journalProblem;
    if (m_pending && !m_restoreError.isEmpty())
        out << QStringLiteral("transaction %1 could not be rolled back yet (%2). The agent retries "
                              "every 5 s and refuses applies until it succeeds: fix what stops it "
                              "(ovsdb-server or ovs-vswitchd not running, a VM's interface "
                              "missing); the state it restores is \"previous\" in %3")
                   .arg(m_pending->transaction, m_restoreError, journalPath());
    return out + m_host.problems();
}

Result<core::realize::HostState> AgentService::readState()
{
    auto reading = m_host.read();
    if (!reading)
        return std::unexpected(reading.error());
    return std::move(reading->state);
}

// The datapath of the bridges this agent creates, on every desired bridge.
Result<void> AgentService::prepare(core::realize::HostState &desired) const
{
    if (!m_host.datapathKnown())
        return hostUnavailable({core::Error::Code::Io,
                                QStringLiteral("datapath = auto: ovs-vswitchd has not listed the "
                                               "datapath types it supports yet (is it running?)"),
                                {}});
    desired.host = m_config.hostName;
    for (core::realize::Bridge &b : desired.bridges)
        b.datapathType = m_host.datapath();
    return {};
}

Result<protocol::StateReply> AgentService::state()
{
    auto reading = m_host.read();
    if (!reading)
        return hostUnavailable(reading.error());
    auto counters = readMeterCounters(m_config.ovs, *reading);
    if (!counters)
        return hostUnavailable(counters.error());
    protocol::StateReply reply{std::move(reading->state), std::move(*counters), {}, {}, {}};
    if (m_pending) {
        reply.pendingTransaction = m_pending->transaction;
        reply.pendingDeadline = isoTime(m_pending->deadlineMs);
    }
    reply.problems = problems();
    return reply;
}

Result<protocol::PlanReply> AgentService::plan(protocol::PlanRequest request)
{
    auto current = m_host.read();
    if (!current)
        return hostUnavailable(current.error());
    if (auto ready = prepare(request.desired); !ready)
        return std::unexpected(ready.error());
    core::realize::Plan p = core::realize::makePlan(request.desired, current->state);
    for (const ovs::UnrealizedBridge &b : current->unrealized)
        if (b.managed && !keptUnrealized(p, {b.name}).isEmpty())
            p.notes << QStringLiteral("an apply of this plan is refused: ") + unrealizedProblem(b);
    return protocol::PlanReply{protocol::PlanReport::of(p)};
}

Result<core::realize::Plan> AgentService::checkedPlan(const core::realize::HostState &desired,
                                                      const ovs::HostReading &current,
                                                      const QString &expectedDigest) const
{
    core::realize::Plan p = core::realize::makePlan(desired, current.state);
    if (!expectedDigest.isEmpty() && expectedDigest != p.digest())
        return refuse(QStringLiteral("plan-changed"),
                      QStringLiteral("the host changed since the plan was made; nothing was "
                                     "applied. The plan now is:\n%1")
                          .arg(p.diffText()));
    if (p.isEmpty())
        return p;
    // A bridge ovs-vswitchd does not serve cannot take the flow table the plan gives it.
    if (const QStringList kept = keptUnrealized(p, current.unrealizedManaged()); !kept.isEmpty()) {
        QStringList why;
        for (const ovs::UnrealizedBridge &b : current.unrealized)
            if (kept.contains(b.name))
                why << unrealizedProblem(b);
        return refuse(QStringLiteral("host-unsupported"),
                      QStringLiteral("nothing was applied: the plan keeps bridges whose flow "
                                     "tables cannot be installed. %1")
                          .arg(why.join(QLatin1String("; "))));
    }
    // The rollback needs the state before exactly as it is: refuse a host whose current state
    // cannot be journalled and read back (hand-made settings this agent does not model).
    if (auto journalled = core::realize::HostState::fromJson(current.state.toJson()); !journalled)
        return refuse(QStringLiteral("host-unsupported"),
                      QStringLiteral("nothing was applied: the host's current state could not be "
                                     "restored exactly after a rollback (%1)")
                          .arg(journalled.error().message));
    return p;
}

// Another transaction's journal, or one that cannot be read, keeps applies out.
Result<void> AgentService::readyForApply()
{
    if (!m_journalProblem.isEmpty() && !m_pending)
        (void)recoverJournal(); // the admin may have resolved it meanwhile
    if (m_pending && !m_restoreError.isEmpty())
        return refuse(QStringLiteral("busy"),
                      QStringLiteral("transaction %1 could not be rolled back yet (%2); the agent "
                                     "retries every 5 s and refuses other applies until then")
                          .arg(m_pending->transaction, m_restoreError));
    if (m_pending)
        return refuse(QStringLiteral("busy"),
                      QStringLiteral("transaction %1 awaits confirmation until %2: confirm or "
                                     "roll it back first")
                          .arg(m_pending->transaction, isoTime(m_pending->deadlineMs)));
    if (!m_journalProblem.isEmpty())
        return refuse(QStringLiteral("journal"),
                      QStringLiteral("nothing was applied: %1").arg(m_journalProblem));
    return {};
}

Result<protocol::ApplyReply> AgentService::apply(protocol::ApplyRequest request)
{
    if (auto ready = readyForApply(); !ready)
        return std::unexpected(ready.error());
    auto current = m_host.read();
    if (!current)
        return hostUnavailable(current.error());
    if (auto ready = prepare(request.desired); !ready)
        return std::unexpected(ready.error());
    auto p = checkedPlan(request.desired, *current, request.expectedPlanDigest);
    if (!p)
        return std::unexpected(p.error());
    if (p->isEmpty())
        return protocol::ApplyReply{{}, false, {}, 0, protocol::PlanReport::of(*p)};
    const qint64 timeoutMs = qint64(request.confirmTimeoutSec) * 1000;
    Pending pending{QStringLiteral("t-%1").arg(QRandomGenerator::system()->generate64(), 16, 16,
                                               QLatin1Char('0')),
                    std::move(current->state), std::move(request.desired),
                    QDateTime::currentMSecsSinceEpoch() + timeoutMs, current->unrealizedManaged()};
    if (auto w = writeJournal(QStringLiteral("applying"), pending); !w)
        return refuse(QStringLiteral("journal"),
                      QStringLiteral("nothing was applied: %1").arg(w.error().message));
    qCInfo(lcAgent).noquote() << "applying transaction" << pending.transaction << "("
                              << p->ops.size() << "operations)";
    return change(*p, std::move(pending), request.confirmTimeoutSec);
}

// The host is changed, checked, and left awaiting confirmation; any failure restores it.
Result<protocol::ApplyReply> AgentService::change(const core::realize::Plan &plan, Pending pending,
                                                  int timeoutSec)
{
    ovs::ApplyHooks hooks;
    if (m_faultPauseMs > 0)
        hooks.afterTransaction = [ms = m_faultPauseMs] {
            qCWarning(lcAgent) << "fault injection: pausing" << ms << "ms mid-apply";
            QThread::msleep(ms);
        };
    if (auto r = ovs::applyPlan(m_config.ovs, plan, m_config.applyTimeoutMs, hooks); !r) {
        const QString what = r.error().message + unservedAfter(pending.desired);
        return failed(std::move(pending), QStringLiteral("apply-failed"), what);
    }
    auto after = readState();
    if (!after)
        return failed(std::move(pending), QStringLiteral("apply-failed"), after.error().message);
    if (const core::realize::Plan rest = core::realize::makePlan(pending.desired, *after);
        !rest.isEmpty())
        return failed(
            std::move(pending), QStringLiteral("apply-incomplete"),
            QStringLiteral("the host does not match after the apply:\n%1").arg(rest.diffText()));
    // Count the confirmation time from the moment the host is changed.
    pending.deadlineMs = QDateTime::currentMSecsSinceEpoch() + qint64(timeoutSec) * 1000;
    if (auto w = writeJournal(QStringLiteral("pending"), pending); !w)
        return failed(std::move(pending), QStringLiteral("journal"), w.error().message);
    m_pending = pending;
    m_deadline.start(timeoutSec * 1000);
    qCInfo(lcAgent).noquote() << "transaction" << pending.transaction
                              << "applied; rolls back unless confirmed by"
                              << isoTime(pending.deadlineMs);
    return protocol::ApplyReply{pending.transaction, true, isoTime(pending.deadlineMs), timeoutSec,
                                protocol::PlanReport::of(plan)};
}

// Why the apply failed, when it is a bridge ovs-vswitchd could not create: the usual cause is a
// datapath the host lacks ("br-vm is not a bridge or a socket" says little).
QString AgentService::unservedAfter(const core::realize::HostState &desired)
{
    auto reading = m_host.read();
    if (!reading)
        return {};
    QStringList bridges;
    for (const ovs::UnrealizedBridge &b : reading->unrealized)
        if (b.managed && desired.bridge(b.name))
            bridges << QStringLiteral("%1 (datapath %2)").arg(b.name, b.datapathType);
    if (bridges.isEmpty())
        return {};
    return QStringLiteral(" (ovs-vswitchd could not create %1 %2: does this host have that "
                          "datapath? datapath = auto picks one it has)")
        .arg(bridges.size() == 1 ? QStringLiteral("bridge") : QStringLiteral("bridges"),
             bridges.join(QLatin1String(", ")));
}

Result<protocol::ApplyReply> AgentService::failed(Pending pending, const QString &code,
                                                  const QString &what)
{
    if (auto r = restore(pending, what); !r) {
        retryRestore(std::move(pending));
        return refuse(code, QStringLiteral("%1; restoring the previous state failed too: %2 (the "
                                           "agent retries every 5 s and refuses other applies "
                                           "until then)")
                                .arg(what, r.error().message));
    }
    removeJournal();
    return refuse(code, QStringLiteral("%1; the previous state was restored").arg(what));
}

Result<QString> AgentService::applyLocally(core::realize::HostState desired)
{
    const auto failure = [](const core::Error &e) {
        return core::fail(core::Error::Code::Io, QStringLiteral("%1: %2").arg(e.reason, e.message));
    };
    auto applied = apply(protocol::ApplyRequest{std::move(desired), 60, {}});
    if (!applied)
        return failure(applied.error());
    if (!applied->changed)
        return applied->plan.diff; // nothing to change
    if (auto confirmed = confirm({applied->transaction}); !confirmed)
        return failure(confirmed.error());
    return applied->plan.diff;
}

Result<protocol::ConfirmReply> AgentService::confirm(const protocol::ConfirmRequest &r)
{
    if (!m_pending || m_pending->transaction != r.transaction)
        return refuse(QStringLiteral("unknown-transaction"),
                      QStringLiteral("no transaction %1 awaits confirmation (it may have been "
                                     "rolled back)")
                          .arg(r.transaction));
    if (QDateTime::currentMSecsSinceEpoch() >= m_pending->deadlineMs) {
        deadlinePassed(); // the timer has not fired yet; the deadline holds all the same
        return refuse(QStringLiteral("unknown-transaction"),
                      QStringLiteral("transaction %1 passed its deadline and was rolled back")
                          .arg(r.transaction));
    }
    m_deadline.stop();
    m_pending.reset();
    removeJournal();
    qCInfo(lcAgent).noquote() << "transaction" << r.transaction << "confirmed";
    return protocol::ConfirmReply{r.transaction};
}

Result<protocol::RollbackReply> AgentService::rollback(const protocol::RollbackRequest &r)
{
    if (!m_pending || m_pending->transaction != r.transaction)
        return refuse(QStringLiteral("unknown-transaction"),
                      QStringLiteral("no transaction %1 awaits confirmation").arg(r.transaction));
    m_deadline.stop();
    const Pending p = *m_pending;
    (void)writeJournal(QStringLiteral("rolling-back"), p);
    if (auto restored = restore(p, QStringLiteral("rollback requested")); !restored) {
        retryRestore(p);
        return refuse(QStringLiteral("rollback-failed"), restored.error().message);
    }
    m_pending.reset();
    removeJournal();
    Q_EMIT rolledBack(p.transaction, QStringLiteral("rollback requested"));
    return protocol::RollbackReply{r.transaction};
}

} // namespace converge::collectors
