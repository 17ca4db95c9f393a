#pragma once

#include "collectors/console/deployer.h"
#include "core/model/design.h"

#include <QObject>

namespace converge::core {
class ProjectStore;
}

// One deployment as a front end runs it: the Deployer over the chosen hosts, recorded in the
// design's project store (who, when, the design, and per host the plan, the desired state and
// the result). The record begins when the hosts are about to change, so a dry run, a failed plan
// or a plan that changed since its review leave no record, and a console that dies mid-way
// leaves an unfinished one. The agents' versions and last contact are noted in the fleet.
namespace converge::collectors {

class Deployment : public QObject
{
    Q_OBJECT
public:
    struct Spec
    {
        std::vector<DeployTarget> targets;
        DeployOptions options;
        core::Design snapshot; // the design being deployed, kept with the record
        QString author;
        QString label; // prefixes the recorded summary ("rollback of hv2 to deployment #1")
    };

    // `store` (may be null: nothing is recorded) must outlive the deployment.
    Deployment(std::shared_ptr<core::protocol::AgentConnector> connector, core::ProjectStore *store,
               QObject *parent = nullptr);

    void start(Spec spec);
    void cancel() { m_deployer.cancel(); }
    bool isRunning() const { return m_deployer.isRunning(); }
    bool waitForFinished(int timeoutMs) { return m_deployer.waitForFinished(timeoutMs); }
    // The engine: its progress() and planned() signals, results() and planChangedOn().
    Deployer &deployer() { return m_deployer; }
    const Deployer &deployer() const { return m_deployer; }

    qint64 recordId() const { return m_recordId; } // 0: not recorded
    // The summary as recorded: the label, then the deployer's summary.
    QString recordedSummary() const;
    // What could not be written to the store (the deployment itself still happened).
    QStringList recordingProblems() const { return m_problems; }

Q_SIGNALS:
    void finished(bool confirmed, const QString &summary);

private:
    void beginRecord();
    void finishRecord(bool confirmed, const QString &summary);
    void noteAgents();

    Deployer m_deployer;
    core::ProjectStore *m_store;
    Spec m_spec;
    qint64 m_recordId = 0;
    QString m_summary;
    QStringList m_problems;
};

} // namespace converge::collectors
