#pragma once

#include "core/protocol/agentsession.h"

#include <QHash>
#include <QMutex>

#include <map>
#include <memory>
#include <optional>

// In-memory agents for the console's tests: each behaves like converged on one host, through
// core's AgentConnector, without root, sockets or Open vSwitch. Plans are made by the real
// planner against the host's running state; an apply changes that state and waits for a
// confirmation until its deadline, else rolls back; rollback, busy, plan-changed and
// unknown-transaction refusals are the agent's own. Faults on demand: unreachable, slow, an
// apply or a rollback refused, unreachable again after an apply. Thread-safe (the console's workers
// call it from many threads at once).
namespace converge::testing {

struct FakeAgent
{
    QString host; // the host name the agent reports
    QString address;
    QString fingerprint;
    QString version = QStringLiteral("0.1.0-fake");
    core::realize::HostState running; // what the host runs now

    bool reachable = true;
    bool unreachableAfterApply = false; // the change cut the console off
    int delayMs = 0;                    // every request takes this long
    QString refuseApply;                // an error code apply answers with ("apply-failed")
    QString refuseRollback;             // ...and rollback ("rollback-failed"; it stays changed)
    QString enrollToken;                // a pending one-time token
    // The connection drops while an apply is in flight: the agent restarted and rolled back the
    // apply it had not finished (RolledBack), or it finished it and only the reply was lost
    // (Applied). Once: the next apply is served as usual.
    enum class DropApply { No, RolledBack, Applied };
    DropApply dropApply = DropApply::No;

    struct Pending
    {
        QString transaction;
        core::realize::HostState previous;
        qint64 deadlineMs = 0;
    };
    std::optional<Pending> pending;
    // A live capture (capture-start) runs until capture-stop, or, when this is set, the agent ends
    // it at once with this reason (its only event).
    QString captureEnd;
    std::vector<core::protocol::CaptureInfo> rings; // capture-list
    QHash<QString, QByteArray> ringFiles;           // "NAME/FILE" -> bytes (absent: not-found)
    QStringList requests;                           // "hello", "plan", ... in the order served
    int applies = 0;
    int rollbacks = 0;
};

class FakeAgentConnector : public core::protocol::AgentConnector
{
public:
    // A new agent at `address` (fingerprint derived from it), running an empty host.
    FakeAgent &add(const QString &host, const QString &address);
    // Runs `change` on the agent at `address` under its lock (for faults set mid-test).
    void with(const QString &address, const std::function<void(FakeAgent &)> &change);
    FakeAgent snapshot(const QString &address) const;
    // The host at `address` as if `desired` had been applied and confirmed.
    void install(const QString &address, const core::realize::HostState &desired);

    core::Result<std::unique_ptr<core::protocol::AgentSession>>
    open(const core::protocol::AgentEndpoint &agent,
         const core::protocol::SessionTimeouts &timeouts) override;
    core::Result<QString> enroll(const QString &address, const QString &token,
                                 int timeoutMs) override;

    int opened() const; // sessions opened so far

private:
    friend class FakeSession;
    mutable QMutex m_mutex;
    std::map<QString, std::unique_ptr<FakeAgent>> m_agents;
    int m_opened = 0;
};

} // namespace converge::testing
