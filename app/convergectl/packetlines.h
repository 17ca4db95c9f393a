#pragma once

#include "collectors/capture/dissector.h"

#include <QString>

#include <span>

namespace converge::app {

// One packet as a line, as `tshark -r` prints it: No., seconds since the first packet, source
// -> destination, protocol, length, info (convergectl dissect and capture).
QString packetLine(qint64 number, double relativeSeconds, const collectors::PacketSummary &s,
                   std::span<const quint8> frame);

} // namespace converge::app
