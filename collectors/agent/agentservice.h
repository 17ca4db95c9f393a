#pragma once

#include "collectors/agent/agentconfig.h"
#include "collectors/agent/agenthost.h"
#include "collectors/ovs/ovsapplier.h"
#include "core/protocol/frame.h"
#include "core/protocol/replies.h"
#include "core/protocol/requests.h"
#include "core/realize/planner.h"

#include <QObject>
#include <QTimer>

#include <optional>

// What converged does with a request: report state, plan, apply with commit-confirmed rollback.
//
// Commit-confirmed: apply records the state before it (the journal, written atomically before the
// host is touched), changes the host, checks the result, and waits for "confirm". Without it in
// time, or on "rollback", the previous state is restored. The journal survives a crash or kill -9:
// on start, recover() finishes a rollback that was under way, rolls back an apply that was under
// way, and resumes waiting for a confirmation whose deadline has not passed (or rolls back).
//
// Whatever recover() meets, the agent serves: a damaged journal or a rollback that fails is
// reported in hello and state (problems()), and applies are refused with that reason until it is
// resolved (a failed rollback is retried every 5 s).
namespace converge::collectors {

class AgentService : public QObject
{
    Q_OBJECT
public:
    explicit AgentService(AgentConfig config, QObject *parent = nullptr);
    ~AgentService() override;

    // Call once on start, before serving requests. An error says what stays unresolved (it is
    // also logged and reported by problems()); the service can serve all the same.
    core::Result<void> recover();
    // Validates and serves one request (never throws, never crashes on bad input): a "result"
    // with the typed reply's body, or an "error" with the refusal's code.
    core::protocol::Message handle(const core::protocol::Message &request);

    // The requests, typed. A refusal is an error whose `reason` is the protocol's error code
    // ("busy", "plan-changed", "apply-failed", "unknown-transaction", ...).
    core::protocol::HelloReply hello() const;
    // What is wrong (the journal, a rollback that failed, the host as last read), each with what
    // the admin can do; hello and state report it.
    QStringList problems() const;
    core::Result<core::protocol::StateReply> state();
    core::Result<core::protocol::PlanReply> plan(core::protocol::PlanRequest request);
    core::Result<core::protocol::ApplyReply> apply(core::protocol::ApplyRequest request);
    core::Result<core::protocol::ConfirmReply> confirm(const core::protocol::ConfirmRequest &r);
    core::Result<core::protocol::RollbackReply> rollback(const core::protocol::RollbackRequest &r);

    bool hasPendingTransaction() const { return m_pending.has_value(); }
    QString journalPath() const;
    // Reads the host now (for tests and the CLI).
    core::Result<core::realize::HostState> readState();

    // converged --apply-bundle: the apply path of a protocol request (journal, apply, check,
    // restore on failure) followed at once by its confirmation, for a host applied by hand.
    // Returns the plan's diff; errors carry the protocol error code ("apply-failed: ...").
    core::Result<QString> applyLocally(core::realize::HostState desired);

    // Crash tests: pause this long after the OVSDB transaction of an apply, before its flows.
    void setFaultPauseMs(int ms) { m_faultPauseMs = ms; }

Q_SIGNALS:
    void rolledBack(const QString &transaction, const QString &reason);

private:
    struct Pending
    {
        QString transaction;
        core::realize::HostState previous;
        core::realize::HostState desired;
        qint64 deadlineMs = 0;  // since the epoch
        QStringList unrealized; // managed bridges ovs-vswitchd did not serve before the apply
    };

    core::protocol::Message serve(qint64 id, const core::protocol::Request &request);
    core::Result<void> readyForApply();
    core::Result<core::realize::Plan> checkedPlan(const core::realize::HostState &desired,
                                                  const ovs::HostReading &current,
                                                  const QString &expectedDigest) const;
    core::Result<core::protocol::ApplyReply> change(const core::realize::Plan &plan,
                                                    Pending pending, int timeoutSec);
    core::Result<core::protocol::ApplyReply> failed(Pending pending, const QString &code,
                                                    const QString &what);
    QString unservedAfter(const core::realize::HostState &desired);
    core::Result<void> prepare(core::realize::HostState &desired) const;

    // The rollback and the recovery on start (agentrecovery.cpp).
    core::Result<void> restore(const Pending &p, const QString &why);
    void deadlinePassed();
    core::Result<void> recoverJournal();
    void retryRestore(Pending p);

    // The journal (agentjournal.cpp).
    core::Result<void> writeJournal(const QString &phase, const Pending &p);
    void removeJournal();
    core::Result<std::optional<Pending>> readJournal(QString *phase);
    static QString isoTime(qint64 msSinceEpoch);

    AgentConfig m_config;
    AgentHost m_host;
    std::optional<Pending> m_pending;
    QString m_journalProblem; // the journal cannot be read: applies wait until it is resolved
    QString m_restoreError;   // why the rollback of m_pending failed; it is retried every 5 s
    QTimer m_deadline;
    int m_faultPauseMs = 0;
};

} // namespace converge::collectors
