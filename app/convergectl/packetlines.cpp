#include "packetlines.h"

namespace converge::app {

QString packetLine(qint64 number, double relativeSeconds, const collectors::PacketSummary &s,
                   std::span<const quint8> frame)
{
    QString line = QStringLiteral("%1 %2 %3 → %4 %5 %6 %7")
                       .arg(number, 5)
                       .arg(relativeSeconds, 11, 'f', 6)
                       .arg(s.source.toString(), 17)
                       .arg(s.destination.toString(), -17)
                       .arg(s.protocolColumn(), -6)
                       .arg(s.length, 5)
                       .arg(s.info(frame));
    while (line.endsWith(u' ')) // no Info
        line.chop(1);
    return line;
}

} // namespace converge::app
