#pragma once

#include "collectors/agent/tlsidentity.h"
#include "core/deploy/deploytypes.h"

#include <QJsonObject>
#include <QObject>

class QThread;

#include <atomic>
#include <memory>
#include <vector>

// The console's deploy engine: plans (dry runs) and applies on many agents at once, one worker
// thread per host, then confirms only when it can reach every agent again over a NEW connection
// after the change (commit-confirmed across the fleet). If any host fails, is cancelled or cannot
// be reached again, nothing is confirmed: the applied hosts are rolled back (by request, or by
// their own deadline when unreachable). Used by convergectl and the GUI alike.
namespace converge::collectors {

struct DeployTarget
{
    QString host;        // the design host's name
    QString address;     // "10.0.0.5:7443"
    QString fingerprint; // pinned agent certificate
    core::realize::HostState desired;
};

struct DeployOptions
{
    bool dryRun = false;
    int confirmTimeoutSec = 60;
    int connectTimeoutMs = 10'000;
    int requestTimeoutMs = 180'000;
};

struct DeployHostResult
{
    QString host;
    core::deploy::HostPhase phase = core::deploy::HostPhase::Waiting;
    QString message;
    QJsonObject plan; // the agent's dry run (Plan::toJson)
    QString transaction;
    QString agentVersion;
    core::realize::HostState desired;
    qint64 appliedAtMs = 0; // when the agent reported the change applied (its deadline runs)
};

// "10.0.0.5:7443" / "[::1]:7443" -> host and port; the port defaults to 7443.
core::Result<std::pair<QString, quint16>> parseAgentAddress(const QString &address);

class Deployer : public QObject
{
    Q_OBJECT
public:
    explicit Deployer(TlsIdentity console, QObject *parent = nullptr);
    ~Deployer() override;

    // Plans on every target; with dryRun that is all, otherwise applies each host's reviewed plan
    // (the agent refuses if the host changed meanwhile), then confirms or rolls back everywhere.
    void start(std::vector<DeployTarget> targets, DeployOptions options);
    // Stops what has not started; hosts already applied are rolled back.
    void cancel();
    bool isRunning() const { return m_running; }
    const std::vector<DeployHostResult> &results() const { return m_results; }
    // Blocks (running the event loop) until finished; for the CLI and tests.
    bool waitForFinished(int timeoutMs);

Q_SIGNALS:
    void progress(const QString &host, converge::core::deploy::HostPhase phase, int percent,
                  const QString &message);
    void planned(const QString &host, const QJsonObject &plan);
    // confirmed: every changed host confirmed. summary: one line for people.
    void finished(bool confirmed, const QString &summary);

private:
    enum class Stage { Plan, Apply, Reach, Confirm, Rollback };
    void runStage(Stage stage);
    void stageDone(Stage stage);
    void workOn(Stage stage, std::size_t index); // runs in a worker thread
    void report(std::size_t index, core::deploy::HostPhase phase, int percent,
                const QString &message);
    void finish(bool confirmed, const QString &summary);

    TlsIdentity m_console;
    std::vector<DeployTarget> m_targets;
    std::vector<DeployHostResult> m_results;
    DeployOptions m_options;
    std::atomic<bool> m_cancelled = false;
    bool m_running = false;
    int m_pending = 0; // workers of the current stage still running
    QString m_rollbackReason;
    std::vector<std::uint8_t> m_reached; // per host, written by its own worker only
    std::vector<QThread *> m_threads;    // the current stage's workers not yet finished
};

} // namespace converge::collectors
