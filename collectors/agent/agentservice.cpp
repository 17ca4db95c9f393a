#include "agentservice.h"

#include "collectors/agent/tlsidentity.h"
#include "collectors/ovs/ovsreader.h"
#include "core/protocol/requests.h"
#include "core/realize/flows.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSysInfo>
#include <QThread>
#include <QTimeZone>

Q_LOGGING_CATEGORY(lcAgent, "converge.agent", QtInfoMsg)

namespace converge::collectors {

namespace {

constexpr int kProtocolVersion = 1;

QString isoTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(Qt::ISODateWithMs);
}

core::protocol::Message hostError(qint64 id, const core::Error &e)
{
    return core::protocol::errorReply(id, QStringLiteral("host-unavailable"), e.message);
}

} // namespace

AgentService::AgentService(AgentConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
    if (m_config.hostName.isEmpty())
        m_config.hostName = QSysInfo::machineHostName();
    m_deadline.setSingleShot(true);
    m_deadline.setTimerType(Qt::PreciseTimer); // never before the promised deadline
    connect(&m_deadline, &QTimer::timeout, this, &AgentService::deadlinePassed);
}

AgentService::~AgentService() = default;

QString AgentService::journalPath() const
{
    return QDir(m_config.stateDir).filePath(QStringLiteral("journal.json"));
}

ovs::OvsdbClient &AgentService::ovsdb()
{
    return m_ovsdb;
}

core::Result<core::realize::HostState> AgentService::readState()
{
    const QString socket = m_config.ovs.dbSocket.isEmpty()
                               ? QStringLiteral("/run/openvswitch/db.sock")
                               : m_config.ovs.dbSocket;
    // One retry on a fresh connection: ovsdb-server may have restarted since the last request.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!m_ovsdb.isConnected()) {
            if (auto c = m_ovsdb.connectToServer(socket, 5000); !c) {
                if (attempt == 1)
                    return std::unexpected(c.error());
                continue;
            }
        }
        auto s =
            ovs::readHostState(m_config.ovs, m_ovsdb, m_config.hostName, m_config.applyTimeoutMs);
        if (s || attempt == 1)
            return s;
        qCWarning(lcAgent) << "reading the host failed, reconnecting:" << s.error().message;
        m_ovsdb.close();
    }
    return core::fail(core::Error::Code::Io, QStringLiteral("cannot read the host state"));
}

void AgentService::prepare(core::realize::HostState &desired) const
{
    desired.host = m_config.hostName;
    for (core::realize::Bridge &b : desired.bridges)
        b.datapathType = m_config.datapathType;
}

core::Result<void> AgentService::writeJournal(const QString &phase, const Pending &p)
{
    const QJsonObject o{{QStringLiteral("phase"), phase},
                        {QStringLiteral("transaction"), p.transaction},
                        {QStringLiteral("deadline"), isoTime(p.deadlineMs)},
                        {QStringLiteral("deadlineMs"), static_cast<double>(p.deadlineMs)},
                        {QStringLiteral("previous"), p.previous.toJson()},
                        {QStringLiteral("desired"), p.desired.toJson()}};
    return writeFileAtomically(journalPath(), QJsonDocument(o).toJson(), true);
}

void AgentService::removeJournal()
{
    QFile::remove(journalPath());
}

core::Result<void> AgentService::recover()
{
    QFile f(journalPath());
    if (!f.exists())
        return {};
    if (!f.open(QIODevice::ReadOnly))
        return core::fail(
            core::Error::Code::Io,
            QStringLiteral("cannot read the journal %1: %2").arg(f.fileName(), f.errorString()));
    QJsonParseError pe;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll(), &pe).object();
    f.close();
    auto previous =
        core::realize::HostState::fromJson(o.value(QLatin1String("previous")).toObject());
    auto desired = core::realize::HostState::fromJson(o.value(QLatin1String("desired")).toObject());
    const QString phase = o.value(QLatin1String("phase")).toString();
    if (pe.error != QJsonParseError::NoError || !previous || !desired ||
        !QStringList{QStringLiteral("applying"), QStringLiteral("pending"),
                     QStringLiteral("rolling-back")}
             .contains(phase))
        return core::invalid(
            QStringLiteral("the journal %1 is damaged (%2); the host was left as it is. Compare "
                           "it with the journal's \"previous\" state, then remove the file")
                .arg(f.fileName(), pe.error != QJsonParseError::NoError ? pe.errorString()
                                   : !previous                          ? previous.error().message
                                   : !desired                           ? desired.error().message
                                              : QStringLiteral("unknown phase")));
    Pending p{o.value(QLatin1String("transaction")).toString(), std::move(*previous),
              std::move(*desired),
              static_cast<qint64>(o.value(QLatin1String("deadlineMs")).toDouble())};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (phase == QLatin1String("pending") && p.deadlineMs > now) {
        qCInfo(lcAgent).noquote() << "transaction" << p.transaction << "awaits confirmation until"
                                  << isoTime(p.deadlineMs);
        m_deadline.start(static_cast<int>(std::min<qint64>(p.deadlineMs - now, 3600'000)));
        m_pending = std::move(p);
        return {};
    }
    const QString why = phase == QLatin1String("applying")
                            ? QStringLiteral("the agent stopped during the apply")
                        : phase == QLatin1String("rolling-back")
                            ? QStringLiteral("the agent stopped during a rollback")
                            : QStringLiteral("the confirmation deadline passed while the agent "
                                             "was stopped");
    qCWarning(lcAgent).noquote() << "transaction" << p.transaction << "is rolled back:" << why;
    if (auto w = writeJournal(QStringLiteral("rolling-back"), p); !w)
        return w;
    if (auto r = restore(p.previous, why); !r)
        return r;
    removeJournal();
    Q_EMIT rolledBack(p.transaction, why);
    return {};
}

core::Result<void> AgentService::restore(const core::realize::HostState &previous,
                                         const QString &why)
{
    auto current = readState();
    if (!current)
        return std::unexpected(current.error());
    core::realize::HostState target = previous;
    target.notes.clear();
    const core::realize::Plan back = core::realize::makePlan(target, *current);
    qCInfo(lcAgent).noquote() << "restoring the previous state (" << why << "):" << back.ops.size()
                              << "operations";
    if (auto r = ovs::applyPlan(m_config.ovs, back, m_config.applyTimeoutMs); !r)
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("rollback failed: %1").arg(r.error().message));
    auto after = readState();
    if (!after)
        return std::unexpected(after.error());
    // Checked like an apply: nothing left to do. Not by comparing with `previous` as read: a flow
    // table the agent did not recognize then (flowsDigest empty, e.g. after ovs-vswitchd
    // restarted) is restored as the bridges' policy says, and then it is recognized.
    const core::realize::Plan rest = core::realize::makePlan(target, *after);
    if (!rest.isEmpty())
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("rollback left the host different from before: %1")
                              .arg(rest.diffText().trimmed()));
    return {};
}

void AgentService::deadlinePassed()
{
    if (!m_pending)
        return;
    const Pending p = *m_pending;
    const QString why = QStringLiteral("no confirmation by %1").arg(isoTime(p.deadlineMs));
    qCWarning(lcAgent).noquote() << "transaction" << p.transaction << "rolls back:" << why;
    (void)writeJournal(QStringLiteral("rolling-back"), p);
    if (auto r = restore(p.previous, why); !r) {
        qCCritical(lcAgent).noquote() << r.error().message << "- retrying in 5 s";
        m_deadline.start(5000);
        return;
    }
    m_pending.reset();
    removeJournal();
    Q_EMIT rolledBack(p.transaction, why);
}

core::protocol::Message AgentService::handle(const core::protocol::Message &request)
{
    auto r = core::protocol::parseRequest(request.type, request.body);
    if (!r) {
        qCWarning(lcAgent).noquote()
            << "rejected" << request.type << "request" << request.id << ":" << r.error().message;
        return core::protocol::errorReply(request.id, QStringLiteral("bad-request"),
                                          r.error().message);
    }
    qCInfo(lcAgent).noquote() << "request" << request.type << request.id;
    switch (r->type) {
    case core::protocol::RequestType::Hello:
        return hello(request.id);
    case core::protocol::RequestType::State:
        return state(request.id);
    case core::protocol::RequestType::Plan:
        return planRequest(request.id, std::move(r->desired));
    case core::protocol::RequestType::Apply:
        return apply(request.id, std::move(r->desired), r->confirmTimeoutSec,
                     r->expectedPlanDigest);
    case core::protocol::RequestType::Confirm:
        return confirm(request.id, r->transaction);
    case core::protocol::RequestType::Rollback:
        return rollbackRequest(request.id, r->transaction);
    }
    return core::protocol::errorReply(request.id, QStringLiteral("internal"),
                                      QStringLiteral("unreachable"));
}

core::protocol::Message AgentService::hello(qint64 id)
{
    QJsonObject body{
        {QStringLiteral("agent"), QStringLiteral("converged")},
        {QStringLiteral("version"), QStringLiteral(CONVERGE_VERSION)},
        {QStringLiteral("protocol"), kProtocolVersion},
        {QStringLiteral("host"), m_config.hostName},
        {QStringLiteral("datapath"), m_config.datapathType},
        {QStringLiteral("capabilities"),
         QJsonArray{QStringLiteral("state"), QStringLiteral("plan"), QStringLiteral("apply"),
                    QStringLiteral("confirm"), QStringLiteral("rollback")}}};
    if (m_pending)
        body.insert(QStringLiteral("pendingTransaction"), m_pending->transaction);
    return core::protocol::reply(id, body);
}

core::protocol::Message AgentService::state(qint64 id)
{
    auto s = readState();
    if (!s)
        return hostError(id, s.error());
    // Meter ACLs: the counters of the flows carrying each ACL's cookie.
    QJsonArray counters;
    for (const core::realize::Bridge &b : s->bridges) {
        bool hasMeter = false;
        for (const core::realize::Port &p : b.ports)
            for (const core::realize::Acl &a : p.acls)
                hasMeter = hasMeter || a.action == QLatin1String("meter");
        if (!hasMeter)
            continue;
        auto flows = ovs::readFlowStats(m_config.ovs, b.name);
        if (!flows)
            return hostError(id, flows.error());
        for (const core::realize::Port &p : b.ports)
            for (int i = 0; i < p.acls.size(); ++i) {
                if (p.acls[i].action != QLatin1String("meter"))
                    continue;
                const quint64 cookie = core::realize::aclCookie(p.name, i);
                quint64 packets = 0, bytes = 0;
                for (const ovs::FlowStat &f : *flows)
                    if (f.cookie == cookie) {
                        packets += f.packets;
                        bytes += f.bytes;
                    }
                counters.append(
                    QJsonObject{{QStringLiteral("bridge"), b.name},
                                {QStringLiteral("port"), p.name},
                                {QStringLiteral("acl"), i},
                                {QStringLiteral("packets"), static_cast<double>(packets)},
                                {QStringLiteral("bytes"), static_cast<double>(bytes)}});
            }
    }
    QJsonObject body{{QStringLiteral("state"), s->toJson()}, {QStringLiteral("meters"), counters}};
    if (m_pending)
        body.insert(QStringLiteral("pending"),
                    QJsonObject{{QStringLiteral("transaction"), m_pending->transaction},
                                {QStringLiteral("deadline"), isoTime(m_pending->deadlineMs)}});
    return core::protocol::reply(id, body);
}

core::protocol::Message AgentService::planRequest(qint64 id, core::realize::HostState desired)
{
    prepare(desired);
    auto current = readState();
    if (!current)
        return hostError(id, current.error());
    const core::realize::Plan p = core::realize::makePlan(desired, *current);
    return core::protocol::reply(id, {{QStringLiteral("plan"), p.toJson()}});
}

core::protocol::Message AgentService::apply(qint64 id, core::realize::HostState desired,
                                            int timeoutSec, const QString &expectedDigest)
{
    if (m_pending)
        return core::protocol::errorReply(
            id, QStringLiteral("busy"),
            QStringLiteral("transaction %1 awaits confirmation until %2: confirm or roll it back "
                           "first")
                .arg(m_pending->transaction, isoTime(m_pending->deadlineMs)));
    prepare(desired);
    auto current = readState();
    if (!current)
        return hostError(id, current.error());
    const core::realize::Plan p = core::realize::makePlan(desired, *current);
    if (!expectedDigest.isEmpty() && expectedDigest != p.digest())
        return core::protocol::errorReply(
            id, QStringLiteral("plan-changed"),
            QStringLiteral("the host changed since the plan was made; nothing was applied. The "
                           "plan now is:\n%1")
                .arg(p.diffText()));
    if (p.isEmpty())
        return core::protocol::reply(id, {{QStringLiteral("transaction"), QString()},
                                          {QStringLiteral("changed"), false},
                                          {QStringLiteral("plan"), p.toJson()}});
    // The rollback needs the state before exactly as it is: refuse a host whose current state
    // cannot be journalled and read back (hand-made settings this agent does not model).
    if (auto journalled = core::realize::HostState::fromJson(current->toJson()); !journalled)
        return core::protocol::errorReply(
            id, QStringLiteral("host-unsupported"),
            QStringLiteral("nothing was applied: the host's current state could not be restored "
                           "exactly after a rollback (%1)")
                .arg(journalled.error().message));

    Pending pending{QStringLiteral("t-%1").arg(QRandomGenerator::system()->generate64(), 16, 16,
                                               QLatin1Char('0')),
                    *current, desired,
                    QDateTime::currentMSecsSinceEpoch() + qint64(timeoutSec) * 1000};
    if (auto w = writeJournal(QStringLiteral("applying"), pending); !w)
        return core::protocol::errorReply(
            id, QStringLiteral("journal"),
            QStringLiteral("nothing was applied: %1").arg(w.error().message));
    qCInfo(lcAgent).noquote() << "applying transaction" << pending.transaction << "("
                              << p.ops.size() << "operations)";
    ovs::ApplyHooks hooks;
    if (m_faultPauseMs > 0)
        hooks.afterTransaction = [ms = m_faultPauseMs] {
            qCWarning(lcAgent) << "fault injection: pausing" << ms << "ms mid-apply";
            QThread::msleep(ms);
        };
    auto failed = [&](const QString &code, const QString &what) {
        auto r = restore(pending.previous, what);
        if (!r) {
            qCCritical(lcAgent).noquote() << r.error().message;
            (void)writeJournal(QStringLiteral("rolling-back"), pending);
            // Keep the transaction: no other apply may overwrite its journal, and the
            // rollback is retried until it succeeds.
            pending.deadlineMs = QDateTime::currentMSecsSinceEpoch();
            m_pending = pending;
            m_deadline.start(5000);
            return core::protocol::errorReply(
                id, code,
                QStringLiteral("%1; restoring the previous state failed too: %2 (the agent "
                               "retries every 5 s and refuses other applies until then)")
                    .arg(what, r.error().message));
        }
        removeJournal();
        return core::protocol::errorReply(
            id, code, QStringLiteral("%1; the previous state was restored").arg(what));
    };
    if (auto r = ovs::applyPlan(m_config.ovs, p, m_config.applyTimeoutMs, hooks); !r)
        return failed(QStringLiteral("apply-failed"), r.error().message);
    auto after = readState();
    if (!after)
        return failed(QStringLiteral("apply-failed"), after.error().message);
    const core::realize::Plan rest = core::realize::makePlan(desired, *after);
    if (!rest.isEmpty())
        return failed(
            QStringLiteral("apply-incomplete"),
            QStringLiteral("the host does not match after the apply:\n%1").arg(rest.diffText()));
    // Count the confirmation time from the moment the host is changed.
    pending.deadlineMs = QDateTime::currentMSecsSinceEpoch() + qint64(timeoutSec) * 1000;
    if (auto w = writeJournal(QStringLiteral("pending"), pending); !w)
        return failed(QStringLiteral("journal"), w.error().message);
    m_pending = pending;
    m_deadline.start(timeoutSec * 1000);
    qCInfo(lcAgent).noquote() << "transaction" << pending.transaction
                              << "applied; rolls back unless confirmed by"
                              << isoTime(pending.deadlineMs);
    return core::protocol::reply(id, {{QStringLiteral("transaction"), pending.transaction},
                                      {QStringLiteral("changed"), true},
                                      {QStringLiteral("deadline"), isoTime(pending.deadlineMs)},
                                      {QStringLiteral("confirmTimeoutSec"), timeoutSec},
                                      {QStringLiteral("plan"), p.toJson()}});
}

core::Result<QString> AgentService::applyLocally(core::realize::HostState desired)
{
    constexpr qint64 kLocal = 1; // a request id for the log; no connection is involved
    const core::protocol::Message applied = apply(kLocal, std::move(desired), 60, {});
    const auto failed = [](const core::protocol::Message &m) {
        return core::fail(
            core::Error::Code::Io,
            QStringLiteral("%1: %2").arg(m.body.value(QLatin1String("code")).toString(),
                                         m.body.value(QLatin1String("message")).toString()));
    };
    if (applied.type == QLatin1String("error"))
        return failed(applied);
    const QString diff = applied.body.value(QLatin1String("plan"))
                             .toObject()
                             .value(QLatin1String("diff"))
                             .toString();
    const QString transaction = applied.body.value(QLatin1String("transaction")).toString();
    if (transaction.isEmpty())
        return diff; // nothing to change
    const core::protocol::Message confirmed = confirm(kLocal, transaction);
    if (confirmed.type == QLatin1String("error"))
        return failed(confirmed);
    return diff;
}

core::protocol::Message AgentService::confirm(qint64 id, const QString &transaction)
{
    if (!m_pending || m_pending->transaction != transaction)
        return core::protocol::errorReply(
            id, QStringLiteral("unknown-transaction"),
            QStringLiteral("no transaction %1 awaits confirmation (it may have been rolled back)")
                .arg(transaction));
    if (QDateTime::currentMSecsSinceEpoch() >= m_pending->deadlineMs) {
        deadlinePassed(); // the timer has not fired yet; the deadline holds all the same
        return core::protocol::errorReply(
            id, QStringLiteral("unknown-transaction"),
            QStringLiteral("transaction %1 passed its deadline and was rolled back")
                .arg(transaction));
    }
    m_deadline.stop();
    m_pending.reset();
    removeJournal();
    qCInfo(lcAgent).noquote() << "transaction" << transaction << "confirmed";
    return core::protocol::reply(
        id, {{QStringLiteral("transaction"), transaction}, {QStringLiteral("confirmed"), true}});
}

core::protocol::Message AgentService::rollbackRequest(qint64 id, const QString &transaction)
{
    if (!m_pending || m_pending->transaction != transaction)
        return core::protocol::errorReply(
            id, QStringLiteral("unknown-transaction"),
            QStringLiteral("no transaction %1 awaits confirmation").arg(transaction));
    m_deadline.stop();
    const Pending p = *m_pending;
    (void)writeJournal(QStringLiteral("rolling-back"), p);
    if (auto r = restore(p.previous, QStringLiteral("rollback requested")); !r) {
        m_deadline.start(5000);
        return core::protocol::errorReply(id, QStringLiteral("rollback-failed"), r.error().message);
    }
    m_pending.reset();
    removeJournal();
    Q_EMIT rolledBack(p.transaction, QStringLiteral("rollback requested"));
    return core::protocol::reply(
        id, {{QStringLiteral("transaction"), transaction}, {QStringLiteral("rolledBack"), true}});
}

} // namespace converge::collectors
