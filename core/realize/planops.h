#pragma once

#include "planner.h"

#include <QStringList>

// The pieces of plan operations (planner.cpp): their ovs-vsctl and ip commands, and the change
// lines of mirrors (bridges', ports' and flow tables' are planlines.h's).
namespace converge::core::realize::planops {

Operation operation(Operation::Kind kind, const QString &bridge, const QString &target,
                    bool destructive);

// An OVSDB string atom for ovs-vsctl: always JSON-quoted, so no character is special.
QString atom(const QString &s);

QList<QStringList> bridgeAdd(const Bridge &b);
// The external_ids a bridge has only when it has what they hold (PVLAN domains, overlays,
// provider address), as key and value: set when the value is not empty, absent otherwise, so a
// restored bridge has exactly the keys it had.
std::vector<std::pair<QString, QString>> optionalBridgeIds(const Bridge &b);
// The PVLAN domains as external_ids:converge-pvlans holds them (compact JSON; empty for none).
QString pvlansText(const std::vector<PvlanDomain> &pvlans);
// The overlays as external_ids:converge-overlays holds them (compact JSON; empty for none).
QString overlaysText(const std::vector<Overlay> &overlays);
// Every managed column of a port and its interfaces, so a set is also a repair. The bridge's
// datapath decides how the port's maximum rate is enforced (ratelimits.h).
QList<QStringList> portColumns(const Bridge &b, const Port &p);
QList<QStringList> addPortCommands(const Bridge &b, const Port &p);
// `ip` commands from the `current` addresses to the desired port's; the link is set up too
// when anything changes or the port `isNew`.
QList<QStringList> addressCommands(const Port &desired, const QStringList &current, bool isNew);
// The same for any device (a bridge's own interface).
QList<QStringList> addressCommands(const QString &device, const QStringList &desired,
                                   const QStringList &current, bool isNew);
// Mirrors are created through named references ("@cvm<serial>"), unique per plan, and removed
// by their row's UUID (Mirror::uuid, read from the host), never by name.
QList<QStringList> mirrorAdd(const Mirror &m, int serial);
QList<QStringList> mirrorRemove(const Mirror &m);

bool sameExceptAddresses(Port a, Port b);

// A value in a change line; empty, negative or zero values are "none".
QString show(const QList<int> &v);
QString show(const QStringList &v);
QString show(const QString &v);
QString show(int v);
QString show(qint64 v);
QString show(bool v);

template<typename T> void diff(QStringList &out, const char *field, const T &from, const T &to)
{
    if (from != to)
        out << QStringLiteral("%1: %2 -> %3").arg(QLatin1String(field), show(from), show(to));
}

} // namespace converge::core::realize::planops
