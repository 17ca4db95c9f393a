#pragma once

#include "collectors/ovs/process.h"
#include "core/util/result.h"

#include <QList>
#include <QString>

// A bridge's OpenFlow flows as ovs-ofctl reports them: their counters (meter ACLs) and their
// number (recognizing the flow table the agent installed).
namespace converge::collectors::ovs {

using core::Result;

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
