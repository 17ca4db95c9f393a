#pragma once

#include "collectors/ovs/ovsdbclient.h"
#include "collectors/ovs/process.h"
#include "core/realize/hoststate.h"
#include "core/util/result.h"

#include <QList>
#include <QString>

// Reading a host's observed state from Open vSwitch (one OVSDB transaction, plus ovs-ofctl for
// flow counts and `ip -j addr` for the addresses of internal ports), following the storage
// conventions of core/realize/hoststate.h.
namespace converge::collectors::ovs {

using core::Result;

// The observed HostState named HOSTNAME: managed bridges (external_ids converge-managed=true)
// with their ports and mirrors; other bridges only by name (unmanagedBridges). A bridge's
// flowsDigest is its external_ids converge-flows only while its flow count still equals
// external_ids converge-flow-count. Addresses are read in the calling thread's network
// namespace. The result is normalized.
Result<core::realize::HostState> readHostState(const OvsEnv &env, OvsdbClient &client,
                                               const QString &hostName, int timeoutMs = 30000);

// One OpenFlow flow as `ovs-ofctl -O OpenFlow14 dump-flows` prints it.
struct FlowStat
{
    quint64 cookie = 0;
    int table = 0;
    int priority = 32768; // OpenFlow's default (ovs-ofctl omits it)
    quint64 packets = 0;
    quint64 bytes = 0;
    QString match;        // "ip,in_port=1,nw_src=10.0.0.0/24" without priority; empty matches all
    QString actions;      // "drop", "NORMAL", "output:2"
    QString text() const; // "priority=100,ip actions=drop" (what add-flow accepts, sans cookie)
    friend bool operator==(const FlowStat &, const FlowStat &) = default;
};

// The flows of BRIDGE (ovs-ofctl -O OpenFlow14 --no-names dump-flows BRIDGE).
Result<QList<FlowStat>> readFlowStats(const OvsEnv &env, const QString &bridge,
                                      int timeoutMs = 30000);
// Parses dump-flows output; WHERE prefixes error messages.
Result<QList<FlowStat>> parseFlowStats(const QByteArray &dumpFlowsOutput, const QString &where);
// The number of flows in BRIDGE's tables (ovs-ofctl -O OpenFlow14 dump-aggregate BRIDGE).
Result<qint64> readFlowCount(const OvsEnv &env, const QString &bridge, int timeoutMs = 30000);

} // namespace converge::collectors::ovs
