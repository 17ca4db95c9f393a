#pragma once

#include "collectors/agent/agentconfig.h"
#include "collectors/metering/cgroupsampler.h"
#include "collectors/metering/diskallocation.h"
#include "collectors/metering/hostsampler.h"
#include "collectors/ovs/ovsdbclient.h"
#include "collectors/ovs/ovsreader.h"
#include "core/protocol/replies.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <optional>

// The agent's metering (docs/metering.md): every metering_interval one round of the host (its
// processors, memory, disks, file systems and interfaces), its vNICs (their switch ports'
// counters), their meter ACLs (Internet and datacenter traffic) and its VMs (cgroups, disk
// images), published as one batch on the "metering" stream. Runs in a thread of its own, so a
// slow Open vSwitch delays no request and no request delays a sample.
namespace converge::collectors {

// The counters of every meter ACL in READING: the flows carrying each ACL's cookie.
core::Result<std::vector<core::protocol::MeterCounter>>
readMeterCounters(const ovs::OvsEnv &env, const ovs::HostReading &reading);

// What a console's "metering" subscription may ask for: {"vms": [{"id": ..., "domain": ... |
// "cgroup": ..., "disks": [...]}]} (at most kMaxVms). Says what is wrong, or nothing.
QString checkMeteringParams(const QJsonObject &params);
std::vector<metering::VmSource> vmSourcesOf(const QJsonObject &params);

class AgentMetering : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxVms = 1024;

    explicit AgentMetering(const AgentConfig &config, QObject *parent = nullptr);
    ~AgentMetering() override;

    // In the metering thread: starts sampling.
    void start();
    // The VMs to meter (a console's subscription names them): added to those already metered.
    void addVms(const std::vector<metering::VmSource> &vms);

Q_SIGNALS:
    // One round, as the "metering" stream's event data (compact JSON).
    void sampled(qint64 tMs, const QByteArray &dataJson);

private:
    void round();
    void sampleVnics(core::metering::SampleBatch &batch, qint64 nowMs);
    void sampleAcls(core::metering::SampleBatch &batch, qint64 nowMs);
    void addRate(core::metering::SampleBatch &batch, const core::metering::CounterReading &r);
    void note(const QStringList &problems);

    AgentConfig m_config;
    QTimer m_timer;
    std::optional<metering::HostSampler> m_host;
    std::optional<metering::CgroupSampler> m_cgroups;
    std::optional<metering::DiskAllocationSampler> m_disks;
    std::vector<metering::VmSource> m_vms;
    core::metering::CounterRates m_rates; // vNICs and ACLs
    ovs::OvsdbClient m_ovsdb;
    std::optional<ovs::HostReading> m_layout; // the ports' ACLs, read every kLayoutRounds
    int m_round = 0;
    QString m_ovsProblem; // why OVSDB cannot be read, said once
};

} // namespace converge::collectors
