#include "collectors/capture/pcapfile.h"

#include <algorithm>
#include <cstdlib>

namespace converge::collectors {

namespace {

constexpr quint32 pcapMicro = 0xa1b2c3d4, pcapNano = 0xa1b23c4d;
constexpr quint32 blockSection = 0x0a0d0d0a, blockInterface = 1, blockSimple = 3, blockEnhanced = 6,
                  byteOrderMagic = 0x1a2b3c4d;
constexpr qint64 pcapHeader = 24, pcapRecordHeader = 16;

quint32 swap32(quint32 v)
{
    return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

// A stamp in units of if_tsresol to nanoseconds: 10^-n (bit 7 clear) or 2^-n (bit 7 set).
qint64 toNanoseconds(quint64 stamp, quint8 resolution)
{
    const int n = resolution & 0x7f;
    if (resolution & 0x80) {
        const auto ns = (static_cast<unsigned __int128>(stamp) * 1000000000U) >> std::min(n, 127);
        return qint64(ns);
    }
    quint64 scale = 1;
    for (int i = 0; i < std::abs(9 - n) && i < 19; ++i)
        scale *= 10;
    return n <= 9 ? qint64(stamp * scale) : qint64(stamp / scale);
}

} // namespace

core::Result<PcapFile> PcapFile::open(const QString &path)
{
    PcapFile file;
    file.m_name = path;
    file.m_file = std::make_unique<QFile>(path);
    if (!file.m_file->open(QIODevice::ReadOnly))
        return core::fail(
            core::Error::Code::Io,
            QStringLiteral("%1: cannot open: %2").arg(path, file.m_file->errorString()));
    file.m_size = file.m_file->size();
    if (file.m_size < 12)
        return start(std::move(file)); // too short: said before mapping
    file.m_data = file.m_file->map(0, file.m_size);
    if (!file.m_data)
        return core::fail(
            core::Error::Code::Io,
            QStringLiteral("%1: cannot map: %2").arg(path, file.m_file->errorString()));
    return start(std::move(file));
}

core::Result<PcapFile> PcapFile::fromBytes(QByteArray bytes, const QString &name)
{
    PcapFile file;
    file.m_name = name;
    file.m_bytes = std::move(bytes);
    file.m_data = reinterpret_cast<const quint8 *>(file.m_bytes.constData());
    file.m_size = file.m_bytes.size();
    return start(std::move(file));
}

core::Result<PcapFile> PcapFile::start(PcapFile file)
{
    if (file.m_size < 12)
        return core::invalid(QStringLiteral("%1: %2 bytes are too short for pcap or pcapng")
                                 .arg(file.m_name)
                                 .arg(file.m_size));
    if (file.u32(0, false) == blockSection) {
        file.m_format = Format::PcapNg;
        return file;
    }
    if (auto header = file.readPcapHeader(); !header)
        return std::unexpected(header.error());
    return file;
}

quint16 PcapFile::u16(qint64 off, bool big) const
{
    const quint8 *p = m_data + off;
    return big ? quint16(p[0] << 8 | p[1]) : quint16(p[1] << 8 | p[0]);
}

quint32 PcapFile::u32(qint64 off, bool big) const
{
    const quint8 *p = m_data + off;
    const quint32 little = quint32(p[3]) << 24 | quint32(p[2]) << 16 | quint32(p[1]) << 8 | p[0];
    return big ? swap32(little) : little;
}

core::Error PcapFile::error(qint64 offset, const QString &what) const
{
    return {core::Error::Code::InvalidInput,
            QStringLiteral("%1: %2, at offset %3").arg(m_name, what).arg(offset)};
}

core::Result<void> PcapFile::readPcapHeader()
{
    if (m_size < pcapHeader)
        return std::unexpected(error(0, QStringLiteral("the pcap header needs 24 bytes")));
    const quint32 magic = u32(0, false);
    m_bigEndian = magic == swap32(pcapMicro) || magic == swap32(pcapNano);
    const quint32 native = m_bigEndian ? swap32(magic) : magic;
    if (native != pcapMicro && native != pcapNano)
        return std::unexpected(error(0, QStringLiteral("0x%1 is neither a pcap nor a pcapng magic")
                                            .arg(magic, 8, 16, QLatin1Char('0'))));
    m_nanoseconds = native == pcapNano;
    m_linkType = quint16(u32(20, m_bigEndian) & 0xffff);
    m_position = pcapHeader;
    return {};
}

core::Result<std::optional<PcapPacket>> PcapFile::next()
{
    if (m_growing && cutOff(m_position))
        return std::nullopt;
    return m_format == Format::Pcap ? nextPcap() : nextPcapNg();
}

// Whether the record or block at offset runs past the end of the file (lengths that are
// wrong in other ways are left to the readers' errors).
bool PcapFile::cutOff(qint64 offset) const
{
    if (offset >= m_size)
        return false;
    if (m_format == Format::Pcap)
        return offset + pcapRecordHeader > m_size ||
               offset + pcapRecordHeader + u32(offset + 8, m_bigEndian) > m_size;
    if (offset + 12 > m_size)
        return true;
    // A section header's byte order is only known from its own magic.
    const bool section = u32(offset, false) == blockSection;
    const quint32 magic = u32(offset + 8, false);
    const bool big = section ? magic == swap32(byteOrderMagic)
                             : !m_sections.empty() && m_sections.back().bigEndian;
    return offset + qint64(u32(offset + 4, big)) > m_size;
}

core::Result<void> PcapFile::refresh()
{
    if (!m_file)
        return {}; // fromBytes(): bytes in memory do not grow
    const qint64 size = m_file->size();
    if (size == m_size)
        return {};
    if (size < m_size)
        return std::unexpected(
            error(size, QStringLiteral("the file shrank from %1 bytes").arg(m_size)));
    m_file->unmap(const_cast<uchar *>(m_data)); // NOLINT: QFile::unmap takes what map() gave
    m_data = m_file->map(0, size);
    if (!m_data) {
        m_size = 0;
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("%1: cannot map again: %2")
                              .arg(m_file->fileName(), m_file->errorString()));
    }
    m_size = size;
    return {};
}

core::Result<std::vector<qint64>> PcapFile::index()
{
    m_position = m_format == Format::Pcap ? pcapHeader : 0;
    m_sections.clear();
    std::vector<qint64> offsets;
    for (;;) {
        auto packet = next();
        if (!packet)
            return std::unexpected(packet.error());
        const std::optional<PcapPacket> &found = *packet;
        if (!found)
            return offsets;
        offsets.push_back(found->offset);
    }
}

core::Result<PcapPacket> PcapFile::readAt(qint64 offset)
{
    if (offset < 0 || offset >= m_size)
        return std::unexpected(error(offset, QStringLiteral("no packet starts past the end")));
    if (m_format == Format::Pcap)
        return pcapRecord(offset);
    if (offset + 12 > m_size)
        return std::unexpected(error(offset, QStringLiteral("a block header is cut off")));
    const bool big = sectionAt(offset).bigEndian;
    return packetBlock(u32(offset, big), offset, u32(offset + 4, big));
}

core::Result<std::optional<PcapPacket>> PcapFile::nextPcap()
{
    if (m_position >= m_size)
        return std::nullopt;
    auto packet = pcapRecord(m_position);
    if (!packet)
        return std::unexpected(packet.error());
    m_position += pcapRecordHeader + qint64(packet->bytes.size());
    return *packet;
}

core::Result<PcapPacket> PcapFile::pcapRecord(qint64 offset) const
{
    if (offset + pcapRecordHeader > m_size)
        return std::unexpected(error(offset, QStringLiteral("the record header needs 16 bytes, "
                                                            "%1 are left")
                                                 .arg(m_size - offset)));
    const quint32 captured = u32(offset + 8, m_bigEndian);
    if (captured > maxPacketLength)
        return std::unexpected(error(
            offset,
            QStringLiteral("captured length %1 exceeds %2").arg(captured).arg(maxPacketLength)));
    if (offset + pcapRecordHeader + captured > m_size)
        return std::unexpected(error(offset, QStringLiteral("captured length %1 exceeds the %2 "
                                                            "bytes left in the file")
                                                 .arg(captured)
                                                 .arg(m_size - offset - pcapRecordHeader)));
    PcapPacket packet;
    packet.offset = offset;
    const qint64 seconds = u32(offset, m_bigEndian), fraction = u32(offset + 4, m_bigEndian);
    packet.timestampNs = seconds * 1000000000 + (m_nanoseconds ? fraction : fraction * 1000);
    packet.originalLength = u32(offset + 12, m_bigEndian);
    packet.linkType = m_linkType;
    packet.bytes = {m_data + offset + pcapRecordHeader, captured};
    return packet;
}

core::Result<std::optional<PcapPacket>> PcapFile::nextPcapNg()
{
    while (m_position < m_size) {
        qint64 after = 0;
        auto packet = pcapNgBlock(m_position, after);
        if (!packet)
            return std::unexpected(packet.error());
        m_position = after;
        if (*packet)
            return packet;
    }
    return std::nullopt;
}

// A block: type, total length, body, total length again (both lengths must agree).
core::Result<std::optional<PcapPacket>> PcapFile::pcapNgBlock(qint64 offset, qint64 &after)
{
    if (offset + 12 > m_size)
        return std::unexpected(error(offset, QStringLiteral("a block header needs 12 bytes, %1 "
                                                            "are left")
                                                 .arg(m_size - offset)));
    if (u32(offset, false) == blockSection) {
        if (auto section = sectionHeader(offset, 0); !section)
            return std::unexpected(section.error());
    }
    if (m_sections.empty())
        return std::unexpected(error(offset, QStringLiteral("the file does not start with a "
                                                            "section header block")));
    const bool big = m_sections.back().bigEndian;
    const quint32 type = u32(offset, big);
    const qint64 length = u32(offset + 4, big);
    if (length < 12 || length % 4 != 0 || offset + length > m_size)
        return std::unexpected(error(offset, QStringLiteral("block length %1 is not a multiple "
                                                            "of 4 between 12 and the %2 bytes "
                                                            "left")
                                                 .arg(length)
                                                 .arg(m_size - offset)));
    if (u32(offset + length - 4, big) != length)
        return std::unexpected(error(offset, QStringLiteral("the block's trailing length %1 "
                                                            "differs from its length %2")
                                                 .arg(u32(offset + length - 4, big))
                                                 .arg(length)));
    after = offset + length;
    if (type == blockInterface) {
        if (auto idb = interfaceBlock(offset, length); !idb)
            return std::unexpected(idb.error());
    }
    if (type != blockEnhanced && type != blockSimple)
        return std::optional<PcapPacket>();
    auto packet = packetBlock(type, offset, length);
    if (!packet)
        return std::unexpected(packet.error());
    return std::optional<PcapPacket>(*packet);
}

// The section header's byte-order magic decides how every later block of the section reads.
core::Result<void> PcapFile::sectionHeader(qint64 offset, qint64 /*length*/)
{
    if (offset + 28 > m_size)
        return std::unexpected(error(offset, QStringLiteral("a section header block needs 28 "
                                                            "bytes, %1 are left")
                                                 .arg(m_size - offset)));
    const quint32 magic = u32(offset + 8, false);
    if (magic != byteOrderMagic && magic != swap32(byteOrderMagic))
        return std::unexpected(error(offset + 8, QStringLiteral("byte-order magic 0x%1 is not "
                                                                "0x1a2b3c4d")
                                                     .arg(magic, 8, 16, QLatin1Char('0'))));
    if (!m_sections.empty() && m_sections.back().offset == offset)
        return {};
    m_sections.push_back({offset, magic != byteOrderMagic, {}});
    return {};
}

core::Result<void> PcapFile::interfaceBlock(qint64 offset, qint64 length)
{
    const bool big = m_sections.back().bigEndian;
    if (length < 20)
        return std::unexpected(error(offset, QStringLiteral("interface description block length "
                                                            "%1 is below 20")
                                                 .arg(length)));
    Interface interface {
        u16(offset + 8, big), 6
    };
    // Options: code, length, value padded to 4; if_tsresol (9) sets the stamps' unit.
    for (qint64 at = offset + 16; at + 4 <= offset + length - 4;) {
        const quint16 code = u16(at, big), size = u16(at + 2, big);
        if (code == 0)
            break;
        if (at + 4 + size > offset + length - 4)
            return std::unexpected(error(at, QStringLiteral("option length %1 runs past its "
                                                            "block")
                                                 .arg(size)));
        if (code == 9 && size >= 1)
            interface.resolution = m_data[at + 4];
        at += 4 + ((size + 3) & ~3);
    }
    m_sections.back().interfaces.push_back(interface);
    return {};
}

const PcapFile::Section &PcapFile::sectionAt(qint64 offset) const
{
    static const Section none;
    auto it = std::upper_bound(m_sections.begin(), m_sections.end(), offset,
                               [](qint64 at, const Section &s) { return at < s.offset; });
    return it == m_sections.begin() ? none : *std::prev(it);
}

core::Result<PcapPacket> PcapFile::packetBlock(quint32 type, qint64 offset, qint64 length) const
{
    const Section &section = sectionAt(offset);
    const bool big = section.bigEndian, enhanced = type == blockEnhanced;
    const qint64 header = enhanced ? 28 : 12;
    if ((type != blockEnhanced && type != blockSimple) || length < header + 4 ||
        offset + length > m_size)
        return std::unexpected(error(offset, QStringLiteral("no packet block of a valid length "
                                                            "starts here")));
    const quint32 id = enhanced ? u32(offset + 8, big) : 0;
    if (id >= section.interfaces.size())
        return std::unexpected(error(offset, QStringLiteral("interface %1 is not described "
                                                            "before its packets")
                                                 .arg(id)));
    PcapPacket packet;
    packet.offset = offset;
    packet.originalLength = u32(offset + (enhanced ? 24 : 8), big);
    const qint64 room = length - header - 4;
    const qint64 captured =
        enhanced ? qint64(u32(offset + 20, big)) : std::min<qint64>(packet.originalLength, room);
    if (captured > room || captured > maxPacketLength)
        return std::unexpected(error(offset, QStringLiteral("captured length %1 exceeds the "
                                                            "block's %2 bytes of packet data")
                                                 .arg(captured)
                                                 .arg(room)));
    const Interface &interface = section.interfaces[id];
    packet.linkType = interface.linkType;
    if (enhanced) {
        const quint64 stamp = quint64(u32(offset + 12, big)) << 32 | u32(offset + 16, big);
        packet.timestampNs = toNanoseconds(stamp, interface.resolution);
    }
    packet.bytes = {m_data + offset + header, size_t(captured)};
    return packet;
}

} // namespace converge::collectors
