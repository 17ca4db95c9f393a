// The rollback and the recovery on start: restoring the journal's state before a transaction,
// retried until it succeeds, and never a reason for the agent not to serve (agentservice.h).
#include "agentservice.h"

#include "collectors/agent/unrealizedbridges.h"
#include "collectors/logging.h"

#include <QDateTime>

namespace converge::collectors {

// The journal's "previous" state is the target. Bridges the failed apply created are removed
// (the host is read even where ovs-vswitchd could not realize them); bridges ovs-vswitchd did
// not serve before get their OVSDB rows back, as they were, without flows.
core::Result<void> AgentService::restore(const Pending &p, const QString &why)
{
    const auto failure = [this](const QString &message) {
        m_restoreError = message;
        return core::fail(core::Error::Code::Io, message);
    };
    auto current = m_host.read();
    if (!current)
        return failure(QStringLiteral("rollback failed: %1").arg(current.error().message));
    core::realize::HostState target = p.previous;
    target.notes.clear();
    const core::realize::Plan back = restorePlan(core::realize::makePlan(target, current->state),
                                                 p.unrealized, current->unrealizedManaged());
    qCInfo(lcAgent).noquote() << "restoring the previous state (" << why << "):" << back.ops.size()
                              << "operations";
    if (auto r = ovs::applyPlan(m_config.ovs, back, m_config.applyTimeoutMs); !r)
        return failure(QStringLiteral("rollback failed: %1").arg(r.error().message));
    auto after = m_host.read();
    if (!after)
        return failure(QStringLiteral("rollback failed: %1").arg(after.error().message));
    // Checked like an apply: nothing left to do. Not by comparing with `previous` as read: a flow
    // table the agent did not recognize then (flowsDigest empty, e.g. after ovs-vswitchd
    // restarted) is restored as the bridges' policy says, and then it is recognized.
    const core::realize::Plan rest = restoreRemainder(core::realize::makePlan(target, after->state),
                                                      p.unrealized, after->unrealizedManaged());
    if (!rest.isEmpty())
        return failure(QStringLiteral("rollback left the host different from before: %1")
                           .arg(rest.diffText().trimmed()));
    m_restoreError.clear();
    return {};
}

// A rollback that failed: the transaction stays, so no other apply may replace its journal, and
// the rollback is tried again in 5 s.
void AgentService::retryRestore(Pending p)
{
    qCCritical(lcAgent).noquote() << m_restoreError << "- retrying in 5 s";
    (void)writeJournal(QStringLiteral("rolling-back"), p);
    p.deadlineMs = QDateTime::currentMSecsSinceEpoch();
    m_pending = std::move(p);
    m_deadline.start(5000);
}

void AgentService::deadlinePassed()
{
    if (!m_pending)
        return;
    const Pending p = *m_pending;
    const QString why = m_restoreError.isEmpty()
                            ? QStringLiteral("no confirmation by %1").arg(isoTime(p.deadlineMs))
                            : QStringLiteral("retrying the rollback");
    qCWarning(lcAgent).noquote() << "transaction" << p.transaction << "rolls back:" << why;
    (void)writeJournal(QStringLiteral("rolling-back"), p);
    if (auto r = restore(p, why); !r)
        return retryRestore(p);
    m_pending.reset();
    removeJournal();
    Q_EMIT rolledBack(p.transaction, why);
}

core::Result<void> AgentService::recover()
{
    auto r = recoverJournal();
    if (!r)
        qCCritical(lcAgent).noquote()
            << r.error().message << "- the agent serves, and refuses applies until it is resolved";
    // Learn the datapath and what is wrong on the host before the first request.
    if (auto reading = m_host.read(); !reading)
        qCWarning(lcAgent).noquote() << "cannot read the host yet:" << reading.error().message;
    return r;
}

core::Result<void> AgentService::recoverJournal()
{
    QString phase;
    auto journal = readJournal(&phase);
    m_journalProblem = journal ? QString() : journal.error().message;
    if (!journal)
        return std::unexpected(journal.error());
    std::optional<Pending> pending = std::move(*journal);
    if (!pending)
        return {};
    Pending p = std::move(*pending);
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
    (void)writeJournal(QStringLiteral("rolling-back"), p);
    if (auto r = restore(p, why); !r) {
        const QString transaction = p.transaction;
        retryRestore(std::move(p));
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("transaction %1 could not be rolled back: %2")
                              .arg(transaction, r.error().message));
    }
    removeJournal();
    Q_EMIT rolledBack(p.transaction, why);
    return {};
}

} // namespace converge::collectors
