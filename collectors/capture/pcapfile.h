#pragma once

#include "collectors/capture/dissector.h"
#include "core/util/result.h"

#include <QFile>

#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace converge::collectors {

// One packet as the file holds it; bytes point into the mapped file and live as long as it.
struct PcapPacket
{
    qint64 offset = 0;      // of its pcap record or pcapng block: readAt() takes it back
    qint64 timestampNs = 0; // since the epoch
    quint32 originalLength = 0;
    quint16 linkType = 0; // LINKTYPE_* (1: Ethernet)
    std::span<const quint8> bytes;
};

// Reads pcap (both byte orders, micro- and nanosecond stamps) and pcapng (SHB, IDB, EPB, SPB;
// other blocks skipped; both byte orders, several sections). Every length is checked against
// the file and the format; an error names the file offset. The file is mapped, so a packet
// list can keep only each packet's offset and read it again with readAt().
class PcapFile
{
public:
    enum class Format { Pcap, PcapNg };
    static constexpr quint32 maxPacketLength = 262144; // Wireshark's and tcpdump's cap

    static core::Result<PcapFile> open(const QString &path);
    // The same reader over bytes in memory (the fuzz target's way in); `name` stands for the
    // file in errors.
    static core::Result<PcapFile> fromBytes(QByteArray bytes,
                                            const QString &name = QStringLiteral("memory"));
    Format format() const { return m_format; }
    // The packet after the previous one (the first at first); nullopt at the end of the file.
    core::Result<std::optional<PcapPacket>> next();
    // The offsets of every packet, read from the start (next() continues where it was).
    core::Result<std::vector<qint64>> index();
    // The packet whose record starts at offset (as next() or index() gave it).
    core::Result<PcapPacket> readAt(qint64 offset);

    // Following a file that another process appends to (as dumpcap writes for Wireshark):
    // while set, a record or block cut off by the end of the file is "not yet" (next() gives
    // nullopt and reads it again after refresh()) instead of an error.
    void setGrowing(bool growing) { m_growing = growing; }
    // Maps the file again when it grew; the bytes of packets read before are invalid after.
    core::Result<void> refresh();
    qint64 size() const { return m_size; }
    // The offset after the last record or block next() read: the file's complete prefix.
    qint64 position() const { return m_position; }

private:
    struct Interface
    {
        quint16 linkType = 0;
        quint8 resolution = 6; // if_tsresol (RFC draft pcapng §4.2): 10^-n, or 2^-n with bit 7
    };
    struct Section
    {
        qint64 offset = 0;
        bool bigEndian = false;
        std::vector<Interface> interfaces;
    };

    static core::Result<PcapFile> start(PcapFile file);
    core::Result<void> readPcapHeader();
    core::Result<std::optional<PcapPacket>> nextPcap();
    core::Result<std::optional<PcapPacket>> nextPcapNg();
    core::Result<PcapPacket> pcapRecord(qint64 offset) const;
    core::Result<std::optional<PcapPacket>> pcapNgBlock(qint64 offset, qint64 &after);
    core::Result<void> sectionHeader(qint64 offset, qint64 length);
    core::Result<void> interfaceBlock(qint64 offset, qint64 length);
    core::Result<PcapPacket> packetBlock(quint32 type, qint64 offset, qint64 length) const;
    quint16 u16(qint64 off, bool big) const;
    quint32 u32(qint64 off, bool big) const;
    const Section &sectionAt(qint64 offset) const;
    bool cutOff(qint64 offset) const;
    core::Error error(qint64 offset, const QString &what) const;

    std::unique_ptr<QFile> m_file;
    QByteArray m_bytes; // fromBytes(): what m_data points into
    QString m_name;     // the file's, for errors
    const quint8 *m_data = nullptr;
    qint64 m_size = 0;
    qint64 m_position = 0;
    Format m_format = Format::Pcap;
    bool m_bigEndian = false; // pcap only; pcapng's is per section
    bool m_nanoseconds = false;
    quint16 m_linkType = 0;
    std::vector<Section> m_sections;
    bool m_growing = false;
};

} // namespace converge::collectors
