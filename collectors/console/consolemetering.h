#pragma once

#include "collectors/console/fleet.h"
#include "collectors/console/meteringfeed.h"
#include "core/metering/alerts.h"
#include "core/store/alertstore.h"
#include "core/store/meteringsource.h"

#include <QThread>

#include <memory>
#include <mutex>

// The console's metering (docs/metering.md): one store (the project's, or the local one of a
// console with no project), the agents' streams into it, and, for the machine the console runs
// on, the same samplers the agent uses, run in-process without privilege so that a newcomer
// sees live charts with no set-up. Views get its MetricsSource; nothing here blocks the GUI.
namespace converge::collectors {

class ConsoleMetering : public QObject
{
    Q_OBJECT
public:
    // The store at PATH (a project store; made, empty, when missing).
    static core::Result<std::unique_ptr<ConsoleMetering>>
    open(const QString &path, std::shared_ptr<core::protocol::AgentConnector> agents);
    ~ConsoleMetering() override;

    core::StoreMetricsSource *source() { return m_source.get(); }
    MeteringFeed *feed() { return m_feed.get(); }

    // Samples this machine as HOST every intervalMs, in a thread of its own.
    void sampleLocalHost(const QString &host, int intervalMs = 1000);
    QString localHost() const { return m_localHost; }
    // Follows the metering stream of every Ready host's agent, asking for its VMs (by their
    // design names, as libvirt domains: docs/metering.md "How a VM is found").
    void followFleet(const core::Design &design, const std::vector<FleetHost> &hosts);

    // Where a console with no project keeps what it meters of its own machine.
    static QString localStorePath();

    // Alerts (docs/metering-alerts.md): the project's rules, evaluated on every batch and every
    // second (agent unreachable), their events kept in the store.
    std::vector<core::metering::AlertRule> alertRules() const;
    std::vector<core::metering::OpenAlert> openAlerts() const;

Q_SIGNALS:
    // Alerts raised or cleared, delivered in this object's thread.
    void alertEvents(const std::vector<core::metering::AlertEvent> &events);

private:
    ConsoleMetering() = default;
    void stopLocal();
    // A batch from an agent or this machine: stored, then evaluated (any thread).
    void received(const QString &host, core::metering::SampleBatch &&batch);
    void publish(std::vector<core::metering::AlertEvent> events);
    core::Result<void> startAlerts(const QString &path);

    std::unique_ptr<core::StoreMetricsSource> m_source;
    std::unique_ptr<MeteringFeed> m_feed;
    QThread *m_local = nullptr;
    QString m_localHost;
    std::unique_ptr<core::AlertStore> m_alertStore;
    mutable std::mutex m_alertsMutex; // the evaluator and the store's appends
    core::metering::AlertEvaluator m_alerts;
    QThread *m_alertClock = nullptr; // ticks the evaluator every second
};

// The "metering" subscription's params for HOST in DESIGN: its VMs, each by id with its name as
// the libvirt domain.
QJsonObject meteringParams(const core::Design &design, const QString &hostId);

} // namespace converge::collectors
