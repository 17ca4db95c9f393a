// The texts of a dissected packet, made only when a view or a script asks for them.
#include "collectors/capture/dissector.h"

#include <QStringList>

#include <algorithm>

namespace converge::collectors {

namespace {

// tshark's protocol names (frame.protocols), so a stack compares with tshark's as it is.
constexpr const char *protocolNames[] = {
    "eth",          "vlan",         "ieee8021ad",   "arp",  "ip",     "ipv6",  "ipv6.hopopts",
    "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts", "icmp", "icmpv6", "tcp",   "udp",
    "dhcp",         "dns",          "vxlan",        "gre",  "lldp",   "iscsi", "data"};
static_assert(std::size(protocolNames) == size_t(Protocol::Data) + 1);

QString icmpInfo(qint16 type)
{
    switch (type) {
    case 0:
        return QStringLiteral("Echo (ping) reply");
    case 3:
        return QStringLiteral("Destination unreachable");
    case 8:
        return QStringLiteral("Echo (ping) request");
    case 11:
        return QStringLiteral("Time-to-live exceeded");
    default:
        return QStringLiteral("ICMP type %1").arg(type);
    }
}

QString icmpv6Info(qint16 type)
{
    switch (type) {
    case 128:
        return QStringLiteral("Echo (ping) request");
    case 129:
        return QStringLiteral("Echo (ping) reply");
    case 133:
        return QStringLiteral("Router Solicitation");
    case 134:
        return QStringLiteral("Router Advertisement");
    case 135:
        return QStringLiteral("Neighbor Solicitation");
    case 136:
        return QStringLiteral("Neighbor Advertisement");
    default:
        return QStringLiteral("ICMPv6 type %1").arg(type);
    }
}

QString dhcpInfo(qint16 type)
{
    static constexpr const char *names[] = {"Discover", "Offer", "Request", "Decline",
                                            "ACK",      "NAK",   "Release", "Inform"};
    if (type >= 1 && type <= 8)
        return QStringLiteral("DHCP %1").arg(QLatin1StringView(names[type - 1]));
    return QStringLiteral("DHCP message type %1").arg(type);
}

QString iscsiInfo(qint16 opcode)
{
    switch (opcode) {
    case 0x00:
        return QStringLiteral("NOP Out");
    case 0x01:
        return QStringLiteral("SCSI Command");
    case 0x03:
        return QStringLiteral("Login Command");
    case 0x20:
        return QStringLiteral("NOP In");
    case 0x21:
        return QStringLiteral("SCSI Response");
    case 0x23:
        return QStringLiteral("Login Response");
    default:
        return QStringLiteral("iSCSI opcode 0x%1").arg(opcode, 2, 16, QLatin1Char('0'));
    }
}

QString tcpFlagsText(qint16 flags)
{
    static constexpr const char *names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
    QStringList set;
    for (int bit = 0; bit < 8; ++bit) {
        if (flags & (1 << bit))
            set << QLatin1StringView(names[bit]);
    }
    return set.join(QStringLiteral(", "));
}

QString arpInfo(const PacketSummary &s, std::span<const quint8> frame)
{
    const qint32 at = s.topOffset;
    if (qint64(at) + 28 > qint64(frame.size()) || frame[at + 4] != 6 || frame[at + 5] != 4)
        return QStringLiteral("ARP opcode %1").arg(s.arpOpcode);
    Address sender{Address::Kind::IPv4, {}}, target{Address::Kind::IPv4, {}},
        senderMac{Address::Kind::Mac, {}};
    std::copy_n(frame.data() + at + 8, 6, senderMac.bytes.data());
    std::copy_n(frame.data() + at + 14, 4, sender.bytes.data());
    std::copy_n(frame.data() + at + 24, 4, target.bytes.data());
    if (s.arpOpcode == 1)
        return QStringLiteral("Who has %1? Tell %2").arg(target.toString(), sender.toString());
    if (s.arpOpcode == 2)
        return QStringLiteral("%1 is at %2").arg(sender.toString(), senderMac.toString());
    return QStringLiteral("ARP opcode %1").arg(s.arpOpcode);
}

// The layer Info describes: the payload after a known protocol (a ping's data, a TCP
// segment's bytes) is not one, as in Wireshark, where a segment's Info still shows its flags;
// a fragment's is, as its protocol cannot be read.
Protocol infoLayer(const PacketSummary &s)
{
    int top = s.layerCount - 1;
    while (top > 0 && s.layers[size_t(top)] == Protocol::Data && !s.ipFragment)
        --top;
    return s.layers[size_t(std::max(top, 0))];
}

QString topInfo(const PacketSummary &s, std::span<const quint8> frame)
{
    const QString ports = QStringLiteral("%1 → %2").arg(s.sourcePort).arg(s.destinationPort);
    switch (infoLayer(s)) {
    case Protocol::Arp:
        return arpInfo(s, frame);
    case Protocol::Icmp:
        return icmpInfo(s.icmpType);
    case Protocol::Icmpv6:
        return icmpv6Info(s.icmpType);
    case Protocol::Tcp:
        return ports + QStringLiteral(" [%1]").arg(tcpFlagsText(s.tcpFlags));
    case Protocol::Udp:
        return ports;
    case Protocol::Dhcp:
        return dhcpInfo(s.dhcpMessageType);
    case Protocol::Dns:
        return (s.dnsFlags & 0x8000 ? QStringLiteral("Standard query response ")
                                    : QStringLiteral("Standard query ")) +
               dnsQueryName(s, frame);
    case Protocol::Iscsi:
        return iscsiInfo(s.iscsiOpcode);
    case Protocol::Lldp:
        return QStringLiteral("LLDP");
    case Protocol::Data:
        if (s.ipFragment)
            return QStringLiteral("Fragmented IP protocol");
        return s.sourcePort || s.destinationPort ? ports : QString();
    default:
        return QString();
    }
}

// RFC 5952 §4: lower-case hex, the longest run of two or more zero groups (the first of equal
// runs) as "::", as tshark and Wireshark show them.
QString ipv6Text(const std::array<quint8, 16> &bytes)
{
    std::array<quint16, 8> groups{};
    for (size_t i = 0; i < 8; ++i)
        groups[i] = quint16(bytes[2 * i] << 8 | bytes[2 * i + 1]);
    int bestStart = -1, bestLength = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && groups[size_t(j)] == 0)
            ++j;
        if (j - i > bestLength) {
            bestStart = i;
            bestLength = j - i;
        }
        i = j == i ? i + 1 : j;
    }
    QString text;
    for (int i = 0; i < 8; ++i) {
        if (i == bestStart) {
            text += QStringLiteral("::");
            i += bestLength - 1;
            continue;
        }
        if (!text.isEmpty() && !text.endsWith(QLatin1Char(':')))
            text += QLatin1Char(':');
        text += QString::number(groups[size_t(i)], 16);
    }
    return text;
}

} // namespace

const char *protocolName(Protocol protocol)
{
    return protocolNames[size_t(protocol)];
}

QString Address::toString() const
{
    switch (kind) {
    case Kind::Mac:
        return QString::fromLatin1(
            QByteArray(reinterpret_cast<const char *>(bytes.data()), 6).toHex(':'));
    case Kind::IPv4:
        return QStringLiteral("%1.%2.%3.%4")
            .arg(bytes[0])
            .arg(bytes[1])
            .arg(bytes[2])
            .arg(bytes[3]);
    case Kind::IPv6:
        return ipv6Text(bytes);
    case Kind::None:
        break;
    }
    return QString();
}

QString Malformed::text() const
{
    if (!layer)
        return QString();
    if (truncated)
        return QStringLiteral("%1: %2 %3 exceeds the %4 bytes captured, at offset %5")
            .arg(QLatin1StringView(layer), QLatin1StringView(what))
            .arg(value)
            .arg(available)
            .arg(offset);
    return QStringLiteral("%1: %2 %3, at offset %4")
        .arg(QLatin1StringView(layer), QLatin1StringView(what))
        .arg(value)
        .arg(offset);
}

QString PacketSummary::protocolColumn() const
{
    static const char *columns[] = {"Ethernet", "802.1Q", "802.1ad", "ARP",  "IPv4",  "IPv6",
                                    "IPv6",     "IPv6",   "IPv6",    "IPv6", "ICMP",  "ICMPv6",
                                    "TCP",      "UDP",    "DHCP",    "DNS",  "VXLAN", "GRE",
                                    "LLDP",     "iSCSI",  "Data"};
    static_assert(std::size(columns) == size_t(Protocol::Data) + 1);
    int top = layerCount - 1;
    while (top > 0 && layers[size_t(top)] == Protocol::Data)
        --top;
    return top < 0 ? QString() : QString::fromLatin1(columns[size_t(layers[size_t(top)])]);
}

QString PacketSummary::protocols() const
{
    QStringList names;
    for (int i = 0; i < layerCount; ++i)
        names << QLatin1StringView(protocolName(layers[i]));
    return names.join(QLatin1Char(':'));
}

QString PacketSummary::info(std::span<const quint8> frame) const
{
    const QString top = layerCount ? topInfo(*this, frame) : QString();
    if (!isMalformed())
        return top;
    const QString broken = QStringLiteral("[Malformed Packet: %1]").arg(malformed.text());
    return top.isEmpty() ? broken : top + QLatin1Char(' ') + broken;
}

QString dnsQueryName(const PacketSummary &summary, std::span<const quint8> frame)
{
    // The walk checked these labels' bounds; they are read again here, checked again, so a
    // summary paired with another frame cannot read past it.
    QString name;
    for (auto at = qint64(summary.dnsNameOffset); at >= 0 && at < qint64(frame.size());) {
        const quint8 len = frame[size_t(at)];
        if (len == 0 || (len & 0xc0) || at + 1 + len > qint64(frame.size()))
            break;
        if (!name.isEmpty())
            name += QLatin1Char('.');
        name += QString::fromLatin1(reinterpret_cast<const char *>(frame.data() + at + 1), len);
        at += 1 + len;
    }
    return name;
}

} // namespace converge::collectors
