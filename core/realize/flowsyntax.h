#pragma once

#include <QString>

// ovs-ofctl flow syntax shared by the flow tables' builders (flows.cpp, pvlanflows.cpp,
// overlayflows.cpp).
namespace converge::core::realize::flowsyntax {

// A port named in a match or an output. Quoted, ovs-ofctl looks the name up as a port name;
// bare, a name of digits ("2") would be taken as an OpenFlow port number and one like "LOCAL"
// as a reserved port.
inline QString quoted(const QString &port)
{
    return QLatin1Char('"') + port + QLatin1Char('"');
}
inline QString inPort(const QString &port)
{
    return QStringLiteral("in_port=") + quoted(port);
}
inline QString output(const QString &port)
{
    return QStringLiteral("output:") + quoted(port);
}

// Broadcast and multicast destinations (the group bit).
inline QString multicast()
{
    return QStringLiteral("dl_dst=01:00:00:00:00:00/01:00:00:00:00:00");
}

inline QString flow(int table, int priority, const QString &match, const QString &actions,
                    quint64 cookie = 0)
{
    QString f;
    if (cookie)
        f += QStringLiteral("cookie=0x%1,").arg(cookie, 0, 16);
    f += QStringLiteral("table=%1,priority=%2").arg(table).arg(priority);
    if (!match.isEmpty())
        f += QLatin1Char(',') + match;
    return f + QStringLiteral(",actions=") + actions;
}

} // namespace converge::core::realize::flowsyntax
