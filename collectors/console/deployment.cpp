#include "deployment.h"

#include "core/store/projectstore.h"

#include <QDateTime>

namespace converge::collectors {

Deployment::Deployment(std::shared_ptr<core::protocol::AgentConnector> connector,
                       core::ProjectStore *store, QObject *parent)
    : QObject(parent)
    , m_deployer(std::move(connector))
    , m_store(store)
{
    connect(&m_deployer, &Deployer::applying, this, &Deployment::beginRecord);
    connect(&m_deployer, &Deployer::finished, this, [this](bool confirmed, const QString &s) {
        m_summary = s;
        noteAgents();
        finishRecord(confirmed, recordedSummary());
        Q_EMIT finished(confirmed, s);
    });
}

void Deployment::start(Spec spec)
{
    if (isRunning())
        return;
    m_spec = std::move(spec);
    m_recordId = 0;
    m_summary.clear();
    m_problems.clear();
    m_deployer.start(m_spec.targets, m_spec.options);
}

QString Deployment::recordedSummary() const
{
    return m_spec.label.isEmpty() ? m_summary : m_spec.label + QStringLiteral(": ") + m_summary;
}

void Deployment::beginRecord()
{
    if (!m_store || m_spec.options.dryRun)
        return;
    core::deploy::DeploymentRecord record;
    record.at = QDateTime::currentDateTimeUtc();
    record.author = m_spec.author;
    // The store numbers and hashes the snapshot: a document's store never grows a history.
    auto begun = m_store->beginDeployment(record, m_spec.snapshot);
    if (begun)
        m_recordId = *begun;
    else
        m_problems << begun.error().message;
}

void Deployment::finishRecord(bool confirmed, const QString &summary)
{
    if (!m_store || !m_recordId)
        return;
    for (const DeployHostResult &r : m_deployer.results())
        if (auto saved = m_store->saveDeploymentHost(
                m_recordId, {r.host, r.plan.json, r.desired, r.transaction, r.phase, r.message, 0});
            !saved)
            m_problems << saved.error().message;
    if (auto done = m_store->finishDeployment(m_recordId, summary, confirmed); !done)
        m_problems << done.error().message;
}

void Deployment::noteAgents()
{
    if (!m_store)
        return;
    for (const DeployHostResult &r : m_deployer.results())
        if (!r.agentVersion.isEmpty())
            (void)m_store->touchAgent(r.host, QDateTime::currentDateTimeUtc(), r.agentVersion);
}

} // namespace converge::collectors
