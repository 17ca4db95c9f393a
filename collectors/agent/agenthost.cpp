#include "agenthost.h"

#include "collectors/agent/datapath.h"
#include "collectors/agent/unrealizedbridges.h"
#include "collectors/logging.h"

namespace converge::collectors {

AgentHost::AgentHost(AgentConfig config)
    : m_config(std::move(config))
    , m_datapath(m_config.datapathType)
{
}

AgentHost::~AgentHost() = default;

core::Result<ovs::HostReading> AgentHost::read()
{
    auto reading = readReconnecting();
    if (!reading) {
        m_problems = {QStringLiteral("cannot read the host's Open vSwitch: %1. Check that "
                                     "ovsdb-server and ovs-vswitchd are running (ovs_db, "
                                     "ovs_rundir in the agent's config)")
                          .arg(reading.error().message)};
        return reading;
    }
    settleDatapath(reading->datapathTypes);
    noteProblems(*reading);
    return reading;
}

core::Result<ovs::HostReading> AgentHost::readReconnecting()
{
    const QString socket = m_config.ovs.dbSocket.isEmpty()
                               ? QStringLiteral("/run/openvswitch/db.sock")
                               : m_config.ovs.dbSocket;
    // One retry on a fresh connection: ovsdb-server may have restarted since the last request.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!m_ovsdb.isConnected()) {
            if (auto c = m_ovsdb.connectToServer(socket, 5000); !c) {
                if (attempt == 1)
                    return std::unexpected(c.error());
                continue;
            }
        }
        auto r = ovs::readHost(m_config.ovs, m_ovsdb, m_config.hostName, m_config.applyTimeoutMs);
        if (r || attempt == 1)
            return r;
        qCWarning(lcAgent) << "reading the host failed, reconnecting:" << r.error().message;
        m_ovsdb.close();
    }
    return core::fail(core::Error::Code::Io, QStringLiteral("cannot read the host state"));
}

// Once: the datapath stays what it was detected as while the agent runs (a change would
// re-create every bridge).
void AgentHost::settleDatapath(const QStringList &vswitchdTypes)
{
    if (datapathKnown() || vswitchdTypes.isEmpty())
        return; // ovs-vswitchd lists its datapath types when it starts
    const bool kernel = kernelHasOvsDatapath();
    m_datapath = chooseDatapath(QStringLiteral("auto"), vswitchdTypes, kernel);
    qCInfo(lcAgent).noquote() << "datapath = auto:" << m_datapath << "(ovs-vswitchd supports"
                              << vswitchdTypes.join(QLatin1String(", "))
                              << (kernel ? "; the kernel has the Open vSwitch datapath)"
                                         : "; the kernel has no Open vSwitch datapath)");
}

void AgentHost::noteProblems(const ovs::HostReading &reading)
{
    QStringList problems;
    if (!datapathKnown())
        problems << QStringLiteral("datapath = auto: ovs-vswitchd has not listed the datapath "
                                   "types it supports yet (is it running?); plans and applies "
                                   "wait until it has");
    for (const ovs::UnrealizedBridge &b : reading.unrealized)
        problems << unrealizedProblem(b);
    if (problems != m_problems)
        for (const QString &p : problems)
            qCWarning(lcAgent).noquote() << p;
    m_problems = problems;
}

} // namespace converge::collectors
