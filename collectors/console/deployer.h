#pragma once

#include "core/deploy/deploytypes.h"
#include "core/protocol/agentsession.h"

#include <QObject>

#include <atomic>
#include <memory>
#include <vector>

class QThread;

// The console's deploy engine: plans (dry runs) and applies on many agents at once, one worker
// thread per host, then confirms only when it can reach every agent again over a NEW connection
// after the change (commit-confirmed across the fleet). If any host fails, is cancelled or cannot
// be reached again, nothing is confirmed: the applied hosts are rolled back by request, and those
// the console cannot reach are left to their own deadline (LeftToDeadline), and said to be so.
// The summary is for the front end to show; the engine does not log it. Agents are reached
// through an AgentConnector (the TLS
// channel, or a fake in tests). Used by Deployment (deployment.h) for the CLI and the GUI alike.
namespace converge::collectors {

struct DeployTarget
{
    QString host;        // the design host's name
    QString address;     // "10.0.0.5:7443"
    QString fingerprint; // pinned agent certificate
    core::realize::HostState desired;
    // The digest of the plan an admin reviewed: when set, nothing is applied anywhere unless
    // this host's plan is still that one.
    QString reviewedDigest = {};

    core::protocol::AgentEndpoint endpoint() const { return {host, address, fingerprint}; }
};

struct DeployOptions
{
    bool dryRun = false;
    int confirmTimeoutSec = core::protocol::kDefaultConfirmTimeoutSec;
    core::protocol::SessionTimeouts timeouts = {};
    // After a connection dropped mid-apply: how long to try reaching the agent again to learn
    // what became of the apply (a restarted agent has rolled back an apply it had not finished).
    int reconnectWindowMs = 20000;
};

struct DeployHostResult
{
    QString host;
    core::deploy::HostPhase phase = core::deploy::HostPhase::Waiting;
    QString message;
    core::protocol::PlanReport plan; // the agent's dry run
    QString transaction;
    QString agentVersion;
    core::realize::HostState desired;
    qint64 appliedAtMs = 0; // when the agent reported the change applied (its deadline runs)
    QString deadline;       // the agent's: rolled back by itself unless confirmed by then
};

class Deployer : public QObject
{
    Q_OBJECT
public:
    explicit Deployer(std::shared_ptr<core::protocol::AgentConnector> connector,
                      QObject *parent = nullptr);
    ~Deployer() override;

    // Plans on every target; with dryRun that is all, otherwise applies each host's plan (the
    // agent refuses if the host changed meanwhile), then confirms or rolls back everywhere.
    void start(std::vector<DeployTarget> targets, DeployOptions options);
    // Stops what has not started; hosts already applied are rolled back.
    void cancel();
    bool isRunning() const { return m_running; }
    const std::vector<DeployHostResult> &results() const { return m_results; }
    // A host whose plan was not the reviewed one (nothing was applied then), or empty.
    QString planChangedOn() const { return m_planChanged; }
    // Blocks (running the event loop) until finished; for the CLI and tests.
    bool waitForFinished(int timeoutMs);

Q_SIGNALS:
    void progress(const QString &host, converge::core::deploy::HostPhase phase, int percent,
                  const QString &message);
    void planned(const QString &host, const converge::core::protocol::PlanReport &plan);
    // The plans are in and the hosts are about to be changed.
    void applying();
    // confirmed: every changed host confirmed. summary: one line for people.
    void finished(bool confirmed, const QString &summary);

private:
    enum class Stage { Plan, Apply, Reach, Confirm, Rollback };
    using Session = core::Result<std::unique_ptr<core::protocol::AgentSession>>;

    void runStage(Stage stage);
    std::vector<std::size_t> hostsFor(Stage stage);
    void startWorker(Stage stage, std::size_t index);
    void stageDone(Stage stage);
    void afterPlan();
    void afterApply();
    void afterReach();
    void afterConfirm();
    // One host's part of a stage; they run in worker threads.
    void workOn(Stage stage, std::size_t index);
    void planOn(std::size_t index, Session &session);
    void applyOn(std::size_t index, Session &session);
    QString afterDroppedApply(std::size_t index, const QString &dropped);
    void reachOn(std::size_t index, Session &session);
    void confirmOn(std::size_t index, Session &session);
    void rollBackOn(std::size_t index, Session &session);
    void report(std::size_t index, core::deploy::HostPhase phase, int percent,
                const QString &message);
    QStringList hostsIn(core::deploy::HostPhase phase) const;
    void rollBack(const QString &reason);
    QString rollbackSummary() const;
    void finish(bool confirmed, const QString &summary);

    std::shared_ptr<core::protocol::AgentConnector> m_connector;
    std::vector<DeployTarget> m_targets;
    std::vector<DeployHostResult> m_results;
    DeployOptions m_options;
    std::atomic<bool> m_cancelled = false;
    bool m_running = false;
    int m_pending = 0; // workers of the current stage still running
    QString m_rollbackReason;
    std::vector<std::size_t> m_rollingBack; // the hosts the rollback stage works on
    QString m_planChanged;
    std::vector<std::uint8_t> m_reached; // per host, written by its own worker only
    std::vector<QThread *> m_threads;    // the current stage's workers not yet finished
};

} // namespace converge::collectors

Q_DECLARE_METATYPE(converge::core::protocol::PlanReport)
