#pragma once

#include "collectors/agent/agentconfig.h"
#include "collectors/ovs/ovsdbclient.h"
#include "collectors/ovs/ovsreader.h"

#include <QStringList>

// The agent's view of its host's Open vSwitch: readings over one OVSDB connection (reconnected
// when ovsdb-server restarted), the datapath of the bridges it creates (datapath = auto is
// settled by the first reading that lists ovs-vswitchd's datapath types, datapath.h), and what
// the last reading found wrong.
namespace converge::collectors {

class AgentHost
{
public:
    explicit AgentHost(AgentConfig config);
    ~AgentHost();
    AgentHost(const AgentHost &) = delete;
    AgentHost &operator=(const AgentHost &) = delete;

    core::Result<ovs::HostReading> read();
    // "system" or "netdev"; "auto" while it is not detected yet.
    QString datapath() const { return m_datapath; }
    bool datapathKnown() const { return m_datapath != QLatin1String("auto"); }
    // What the last reading found wrong, or why it failed, each with what the admin can do.
    QStringList problems() const { return m_problems; }

private:
    core::Result<ovs::HostReading> readReconnecting();
    void settleDatapath(const QStringList &vswitchdTypes);
    void noteProblems(const ovs::HostReading &reading);

    AgentConfig m_config;
    ovs::OvsdbClient m_ovsdb;
    QString m_datapath;
    QStringList m_problems;
};

} // namespace converge::collectors
