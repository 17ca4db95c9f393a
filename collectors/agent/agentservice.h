#pragma once

#include "collectors/agent/agentconfig.h"
#include "collectors/ovs/ovsapplier.h"
#include "collectors/ovs/ovsdbclient.h"
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
namespace converge::collectors {

class AgentService : public QObject
{
    Q_OBJECT
public:
    explicit AgentService(AgentConfig config, QObject *parent = nullptr);
    ~AgentService() override;

    // Call once on start, before serving requests.
    core::Result<void> recover();
    // Validates and serves one request (never throws, never crashes on bad input): a "result"
    // with the typed reply's body, or an "error" with the refusal's code.
    core::protocol::Message handle(const core::protocol::Message &request);

    // The requests, typed. A refusal is an error whose `reason` is the protocol's error code
    // ("busy", "plan-changed", "apply-failed", "unknown-transaction", ...).
    core::protocol::HelloReply hello() const;
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
        qint64 deadlineMs = 0; // since the epoch
    };

    core::protocol::Message serve(qint64 id, const core::protocol::Request &request);
    core::Result<core::realize::Plan> checkedPlan(const core::realize::HostState &desired,
                                                  const core::realize::HostState &current,
                                                  const QString &expectedDigest) const;
    core::Result<core::protocol::ApplyReply> change(const core::realize::Plan &plan,
                                                    Pending pending, int timeoutSec);
    core::Result<core::protocol::ApplyReply> failed(Pending pending, const QString &code,
                                                    const QString &what);
    core::Result<std::vector<core::protocol::MeterCounter>>
    meterCounters(const core::realize::HostState &state);

    // The journal and the rollback (agentjournal.cpp).
    core::Result<void> restore(const core::realize::HostState &previous, const QString &why);
    void deadlinePassed();
    core::Result<void> writeJournal(const QString &phase, const Pending &p);
    void removeJournal();
    core::Result<std::optional<Pending>> readJournal(QString *phase);
    void prepare(core::realize::HostState &desired) const;
    static QString isoTime(qint64 msSinceEpoch);

    AgentConfig m_config;
    ovs::OvsdbClient m_ovsdb;
    std::optional<Pending> m_pending;
    QTimer m_deadline;
    int m_faultPauseMs = 0;
};

} // namespace converge::collectors
