#pragma once

#include "collectors/capture/pcapfile.h"

#include <QIODevice>

namespace converge::collectors {

// Writes packets as pcap (microsecond stamps, the format every reader takes) or pcapng (one
// section, one interface with nanosecond stamps, enhanced packet blocks), little-endian.
// Packets are read by PcapFile, so their lengths are already within maxPacketLength.
class PcapWriter
{
public:
    PcapWriter(QIODevice *device, PcapFile::Format format);
    // The first packet sets the file's link type; a later one with another type is an error
    // (classic pcap has one; Converge writes one interface).
    core::Result<void> write(const PcapPacket &packet);
    core::Result<void> finish(); // writes the header of an empty file, checks the device

private:
    core::Result<void> start(quint16 linkType);
    core::Result<void> put(const QByteArray &bytes);

    QIODevice *m_device;
    PcapFile::Format m_format;
    std::optional<quint16> m_linkType;
    qint64 m_count = 0;
};

} // namespace converge::collectors
