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
QString portTypeName(Port::Type t);

QList<QStringList> bridgeAdd(const Bridge &b);
// The PVLAN domains as external_ids:converge-pvlans holds them (compact JSON; empty for none).
QString pvlansText(const std::vector<PvlanDomain> &pvlans);
// Every managed column of a port and its interfaces, so a set is also a repair.
QList<QStringList> portColumns(const Port &p);
QList<QStringList> addPortCommands(const QString &bridge, const Port &p);
// `ip` commands from the `current` addresses to the desired port's; the link is set up too
// when anything changes or the port `isNew`.
QList<QStringList> addressCommands(const Port &desired, const QStringList &current, bool isNew);
// Mirrors are created and removed through named references ("@cvm<serial>"), unique per plan.
QList<QStringList> mirrorAdd(const Mirror &m, int serial);
QList<QStringList> mirrorRemove(const Mirror &m, int serial);

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
