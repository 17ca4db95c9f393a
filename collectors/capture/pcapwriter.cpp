#include "collectors/capture/pcapwriter.h"

#include <QtEndian>

namespace converge::collectors {

namespace {

QByteArray u16(quint16 v)
{
    QByteArray b(2, '\0');
    qToLittleEndian(v, b.data());
    return b;
}

QByteArray u32(quint32 v)
{
    QByteArray b(4, '\0');
    qToLittleEndian(v, b.data());
    return b;
}

QByteArray block(quint32 type, const QByteArray &body)
{
    const auto length = quint32(12 + body.size());
    return u32(type) + u32(length) + body + u32(length);
}

QByteArray padded(std::span<const quint8> bytes)
{
    QByteArray b(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
    return b + QByteArray((4 - b.size() % 4) % 4, '\0');
}

} // namespace

PcapWriter::PcapWriter(QIODevice *device, PcapFile::Format format)
    : m_device(device)
    , m_format(format)
{
}

core::Result<void> PcapWriter::put(const QByteArray &bytes)
{
    if (m_device->write(bytes) != bytes.size())
        return core::fail(core::Error::Code::Io, QStringLiteral("cannot write after %1 packets: %2")
                                                     .arg(m_count)
                                                     .arg(m_device->errorString()));
    return {};
}

// pcap: magic, version 2.4, zone, sigfigs, snap length, link type. pcapng: a section header
// of unknown length and one interface whose if_tsresol (option 9) is 9: nanoseconds.
core::Result<void> PcapWriter::start(quint16 linkType)
{
    m_linkType = linkType;
    if (m_format == PcapFile::Format::Pcap)
        return put(u32(0xa1b2c3d4) + u16(2) + u16(4) + u32(0) + u32(0) +
                   u32(PcapFile::maxPacketLength) + u32(linkType));
    const QByteArray section =
        block(0x0a0d0d0a, u32(0x1a2b3c4d) + u16(1) + u16(0) + u32(0xffffffff) + u32(0xffffffff));
    const QByteArray resolution = u16(9) + u16(1) + QByteArray(1, char(9)) + QByteArray(3, '\0');
    return put(section + block(1, u16(linkType) + u16(0) + u32(PcapFile::maxPacketLength) +
                                      resolution + u32(0)));
}

core::Result<void> PcapWriter::write(const PcapPacket &packet)
{
    if (!m_linkType) {
        if (auto header = start(packet.linkType); !header)
            return header;
    } else if (*m_linkType != packet.linkType) {
        return core::invalid(QStringLiteral("packet %1 has link type %2, the file's is %3")
                                 .arg(m_count + 1)
                                 .arg(packet.linkType)
                                 .arg(*m_linkType));
    }
    const auto captured = quint32(packet.bytes.size());
    const quint64 ns = quint64(std::max<qint64>(packet.timestampNs, 0));
    QByteArray record;
    if (m_format == PcapFile::Format::Pcap) {
        record =
            u32(quint32(ns / 1000000000U)) + u32(quint32(ns % 1000000000U / 1000U)) +
            u32(captured) + u32(packet.originalLength) +
            QByteArray(reinterpret_cast<const char *>(packet.bytes.data()), qsizetype(captured));
    } else {
        record = block(6, u32(0) + u32(quint32(ns >> 32)) + u32(quint32(ns)) + u32(captured) +
                              u32(packet.originalLength) + padded(packet.bytes));
    }
    ++m_count;
    return put(record);
}

core::Result<void> PcapWriter::finish()
{
    if (!m_linkType) {
        if (auto header = start(quint16(LinkType::Ethernet)); !header)
            return header;
    }
    return {};
}

} // namespace converge::collectors
