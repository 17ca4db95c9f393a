#pragma once

#include "collectors/ovs/process.h"

#include <QList>
#include <QString>
#include <QStringList>

// A bridge's OpenFlow meter table, which holds ports' maximum rates on the userspace datapath
// (core/realize/ratelimits.h), through ovs-ofctl -O OpenFlow14. Meters are written in the
// syntax of core::realize::Meter::spec() and read back in the same form, so what was installed
// and what is there compare as strings.
namespace converge::collectors::ovs {

// BRIDGE's meters (dump-meters), in spec form, in the order ovs-ofctl printed them.
Result<QStringList> readMeters(const OvsEnv &env, const QString &bridge, int timeoutMs = 30000);
// Parses dump-meters output: "meter=7 kbps burst bands=" and its "type=drop rate=10000
// burst_size=5000" lines become "meter=7,kbps,burst,band=type=drop,rate=10000,burst_size=5000".
QStringList parseMeters(const QByteArray &dumpMetersOutput);
// The ids of meter specs ("meter=7,..." -> 7), sorted.
QList<quint32> meterIds(const QStringList &specs);

// The first half of replacing BRIDGE's meter table with SPECS: adds the meters it lacks and
// changes those that differ, so that a flow table using SPECS can be installed next. Returns the
// ids of the meters SPECS no longer has, for deleteMeters once no flow uses them (deleting a
// meter deletes the flows that use it).
Result<QList<quint32>> putMeters(const OvsEnv &env, const QString &bridge, const QStringList &specs,
                                 int timeoutMs = 30000);
Result<void> deleteMeters(const OvsEnv &env, const QString &bridge, const QList<quint32> &ids,
                          int timeoutMs = 30000);

} // namespace converge::collectors::ovs
