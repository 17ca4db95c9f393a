#include "collectors/capture/dissectorwalker.h"

#include <algorithm>
#include <cstring>

namespace converge::collectors {

namespace {

constexpr quint16 etherIPv4 = 0x0800, etherArp = 0x0806, etherVlan = 0x8100, etherQinQ = 0x88a8,
                  etherIPv6 = 0x86dd, etherLldp = 0x88cc, etherTransparent = 0x6558;

} // namespace

bool DissectorWalker::need(qint32 start, qint32 count, qint32 end, const char *layer,
                           const char *what)
{
    if (qint64(start) + count <= end)
        return true;
    m_s.malformed = {layer, what, count, std::max<qint64>(0, qint64(end) - start), start, true};
    return false;
}

bool DissectorWalker::invalid(const char *layer, const char *what, qint64 value, qint32 off)
{
    m_s.malformed = {layer, what, value, 0, off, false};
    return false;
}

bool DissectorWalker::push(Protocol protocol, qint32 off, qint32 len)
{
    if (m_s.layerCount >= PacketSummary::maxLayers)
        return invalid(protocolName(protocol), "layers nested deeper than", m_s.layerCount, off);
    m_s.layers[m_s.layerCount++] = protocol;
    m_s.topOffset = off;
    if (m_tree)
        m_tree->push_back({QString::fromLatin1(protocolName(protocol)), off, len, {}});
    return true;
}

template<typename Text>
void DissectorWalker::field(const char *name, qint32 off, qint32 len, Text &&text)
{
    if (m_tree && !m_tree->empty())
        m_tree->back().fields.push_back({QString::fromLatin1(name), text(), off, len});
}

void DissectorWalker::fieldNumber(const char *name, qint32 off, qint32 len, qint64 value)
{
    field(name, off, len, [value] { return QString::number(value); });
}

Address DissectorWalker::address(Address::Kind kind, qint32 off) const
{
    Address a;
    a.kind = kind;
    const size_t n = kind == Address::Kind::Mac ? 6 : kind == Address::Kind::IPv4 ? 4 : 16;
    std::memcpy(a.bytes.data(), m_frame.data() + off, n);
    return a;
}

void DissectorWalker::data(qint32 off, qint32 end)
{
    if (end > off && push(Protocol::Data, off, end - off))
        fieldNumber("length", off, end - off, end - off);
}

void DissectorWalker::ethernet(qint32 off, qint32 end)
{
    if (!need(off, 14, end, "Ethernet", "header length") || !push(Protocol::Ethernet, off, 14))
        return;
    const Address dst = address(Address::Kind::Mac, off),
                  src = address(Address::Kind::Mac, off + 6);
    if (m_depth == 0) {
        m_s.macDestination = dst;
        m_s.macSource = src;
    }
    m_s.destination = dst;
    m_s.source = src;
    field("destination", off, 6, [&] { return dst.toString(); });
    field("source", off + 6, 6, [&] { return src.toString(); });
    quint16 type = u16(off + 12);
    off += 14;
    vlanTags(off, end, type);
    if (!m_s.isMalformed())
        etherType(type, off, end);
}

void DissectorWalker::vlanTags(qint32 &off, qint32 end, quint16 &type)
{
    while (type == etherVlan || type == etherQinQ) {
        const bool service = type == etherQinQ;
        if (!need(off, 4, end, service ? "802.1ad" : "802.1Q", "tag length") ||
            !push(service ? Protocol::ServiceVlan : Protocol::Vlan, off, 4))
            return;
        const quint16 id = u16(off) & 0x0fff;
        if (m_depth == 0 && m_s.vlanCount < m_s.vlanIds.size())
            m_s.vlanIds[m_s.vlanCount++] = id;
        fieldNumber("priority", off, 1, u8(off) >> 5);
        fieldNumber("id", off, 2, id);
        type = u16(off + 2);
        off += 4;
    }
}

void DissectorWalker::etherType(quint16 type, qint32 off, qint32 end)
{
    switch (type) {
    case etherIPv4:
        return ipv4(off, end);
    case etherIPv6:
        return ipv6(off, end);
    case etherArp:
        return arp(off, end);
    case etherLldp:
        return lldp(off, end);
    default:
        return data(off, end);
    }
}

void DissectorWalker::arp(qint32 off, qint32 end)
{
    if (!need(off, 8, end, "ARP", "header length"))
        return;
    const qint32 hlen = u8(off + 4), plen = u8(off + 5);
    const qint32 len = 8 + 2 * (hlen + plen);
    if (!need(off, len, end, "ARP", "length") || !push(Protocol::Arp, off, len))
        return;
    m_s.arpOpcode = qint16(u16(off + 6));
    fieldNumber("opcode", off + 6, 2, m_s.arpOpcode);
    if (hlen == 6 && plen == 4) {
        const Address sender = address(Address::Kind::IPv4, off + 14);
        const Address target = address(Address::Kind::IPv4, off + 24);
        field("sender IP address", off + 14, 4, [&] { return sender.toString(); });
        field("target IP address", off + 24, 4, [&] { return target.toString(); });
    }
}

void DissectorWalker::lldp(qint32 off, qint32 end)
{
    if (!push(Protocol::Lldp, off, end - off))
        return;
    while (need(off, 2, end, "LLDP", "TLV header length")) {
        const quint32 type = u16(off) >> 9;
        const qint32 len = u16(off) & 0x1ff;
        if (!need(off, 2 + len, end, "LLDP", "TLV length"))
            return;
        if (type == 0)
            return;
        lldpTlv(type, off, len);
        off += 2 + len;
    }
}

void DissectorWalker::lldpTlv(quint32 type, qint32 off, qint32 len)
{
    if ((type == 1 || type == 2) && len < 2) {
        invalid("LLDP",
                type == 1 ? "chassis id TLV shorter than 2 bytes:"
                          : "port id TLV shorter than 2 bytes:",
                len, off);
        return;
    }
    if (type == 1 || type == 2) {
        const char *name = type == 1 ? "chassis id" : "port id";
        fieldNumber(type == 1 ? "chassis id subtype" : "port id subtype", off + 2, 1, u8(off + 2));
        field(name, off + 3, len - 1, [&] {
            return QString::fromLatin1(
                QByteArray(reinterpret_cast<const char *>(m_frame.data() + off + 3), len - 1)
                    .toHex(':'));
        });
    } else if (type == 3 && len >= 2) {
        fieldNumber("time to live", off + 2, 2, u16(off + 2));
    }
}

void DissectorWalker::ipv4(qint32 off, qint32 end)
{
    if (!need(off, 20, end, "IPv4", "header length"))
        return;
    if (u8(off) >> 4 != 4)
        return void(invalid("IPv4", "version is not 4:", u8(off) >> 4, off));
    // The fixed 20 bytes are there: the layer and its addresses show even when the lengths
    // it gives are broken, as in tshark.
    const qint32 headerLength = (u8(off) & 0x0f) * 4, total = u16(off + 2);
    if (!push(Protocol::IPv4, off, std::min(total, end - off)))
        return;
    m_s.source = address(Address::Kind::IPv4, off + 12);
    m_s.destination = address(Address::Kind::IPv4, off + 16);
    ipv4Fields(off, headerLength);
    if (headerLength < 20)
        return void(invalid("IPv4", "header length is below 20:", headerLength, off));
    if (!need(off, headerLength, end, "IPv4", "header length"))
        return;
    if (total < headerLength)
        return void(invalid("IPv4", "total length is below the header length:", total, off));
    if (!need(off, total, end, "IPv4", "total length"))
        return;
    // Wireshark does not dissect a fragment's payload either: without reassembly the first
    // fragment's transport header is there but its length and checksum are not.
    const quint16 fragment = u16(off + 6);
    if ((fragment & 0x2000) || (fragment & 0x1fff)) {
        m_s.ipFragment = true;
        return data(off + headerLength, off + total);
    }
    transport(u8(off + 9), off + headerLength, off + total);
}

void DissectorWalker::ipv4Fields(qint32 off, qint32 headerLength)
{
    const quint16 fragment = u16(off + 6);
    fieldNumber("header length", off, 1, headerLength);
    fieldNumber("total length", off + 2, 2, u16(off + 2));
    fieldNumber("identification", off + 4, 2, u16(off + 4));
    field("flags", off + 6, 1, [fragment] {
        return QStringLiteral("DF %1, MF %2").arg(fragment >> 14 & 1).arg(fragment >> 13 & 1);
    });
    fieldNumber("fragment offset", off + 6, 2, qint64(fragment & 0x1fff) * 8);
    fieldNumber("time to live", off + 8, 1, u8(off + 8));
    fieldNumber("protocol", off + 9, 1, u8(off + 9));
    field("source", off + 12, 4, [this] { return m_s.source.toString(); });
    field("destination", off + 16, 4, [this] { return m_s.destination.toString(); });
}

void DissectorWalker::ipv6(qint32 off, qint32 end)
{
    if (!need(off, 40, end, "IPv6", "header length"))
        return;
    if (u8(off) >> 4 != 6)
        return void(invalid("IPv6", "version is not 6:", u8(off) >> 4, off));
    const qint32 total = 40 + u16(off + 4);
    if (!need(off, total, end, "IPv6", "payload length") || !push(Protocol::IPv6, off, total))
        return;
    m_s.source = address(Address::Kind::IPv6, off + 8);
    m_s.destination = address(Address::Kind::IPv6, off + 24);
    fieldNumber("payload length", off + 4, 2, total - 40);
    fieldNumber("next header", off + 6, 1, u8(off + 6));
    fieldNumber("hop limit", off + 7, 1, u8(off + 7));
    field("source", off + 8, 16, [this] { return m_s.source.toString(); });
    field("destination", off + 24, 16, [this] { return m_s.destination.toString(); });
    quint8 next = u8(off + 6);
    end = off + total;
    off += 40;
    while (next == 0 || next == 43 || next == 44 || next == 60) {
        if (!ipv6Extension(next, off, end))
            return;
    }
    if (m_s.ipFragment)
        return data(off, end);
    transport(next, off, end);
}

// One extension header (RFC 8200 §4): hop-by-hop, routing and destination options give their
// length in 8-octet units past the first 8; a fragment header is always 8.
bool DissectorWalker::ipv6Extension(quint8 &next, qint32 &off, qint32 end)
{
    static constexpr const char *names[] = {"IPv6 hop-by-hop", "IPv6 routing", "IPv6 fragment",
                                            "IPv6 destination options"};
    const int which = next == 0 ? 0 : next == 43 ? 1 : next == 44 ? 2 : 3;
    if (!need(off, 8, end, names[which], "header length"))
        return false;
    const qint32 len = which == 2 ? 8 : (u8(off + 1) + 1) * 8;
    if (!need(off, len, end, names[which], "header length"))
        return false;
    if (!push(Protocol(int(Protocol::IPv6HopByHop) + which), off, len))
        return false;
    fieldNumber("next header", off, 1, u8(off));
    fieldNumber("length", off + 1, 1, len);
    if (which == 2) {
        const quint16 fragment = u16(off + 2);
        fieldNumber("fragment offset", off + 2, 2, qint64(fragment >> 3) * 8);
        m_s.ipFragment = m_s.ipFragment || (fragment & 0xfff9) != 0;
    }
    next = u8(off);
    off += len;
    return true;
}

void DissectorWalker::transport(quint8 protocol, qint32 off, qint32 end)
{
    switch (protocol) {
    case 1:
        return icmp(off, end);
    case 6:
        return tcp(off, end);
    case 17:
        return udp(off, end);
    case 47:
        return gre(off, end);
    case 58:
        return icmpv6(off, end);
    default:
        return data(off, end);
    }
}

void DissectorWalker::icmp(qint32 off, qint32 end)
{
    if (!need(off, 8, end, "ICMP", "header length") || !push(Protocol::Icmp, off, end - off))
        return;
    m_s.icmpType = u8(off);
    m_s.icmpCode = u8(off + 1);
    fieldNumber("type", off, 1, m_s.icmpType);
    fieldNumber("code", off + 1, 1, m_s.icmpCode);
    if (m_s.icmpType == 0 || m_s.icmpType == 8) {
        fieldNumber("identifier", off + 4, 2, u16(off + 4));
        fieldNumber("sequence number", off + 6, 2, u16(off + 6));
        data(off + 8, end); // the echo's payload, as tshark shows it
    }
}

void DissectorWalker::icmpv6(qint32 off, qint32 end)
{
    if (!need(off, 4, end, "ICMPv6", "header length"))
        return;
    const quint8 type = u8(off);
    // Echo: identifier and sequence; RA: hop limit .. retransmit timer; NS/NA: the target.
    const qint32 len = type == 128 || type == 129   ? 8
                       : type == 134                ? 16
                       : type == 135 || type == 136 ? 24
                                                    : 4;
    if (!need(off, len, end, "ICMPv6", "message length") || !push(Protocol::Icmpv6, off, end - off))
        return;
    m_s.icmpType = type;
    m_s.icmpCode = u8(off + 1);
    fieldNumber("type", off, 1, type);
    fieldNumber("code", off + 1, 1, m_s.icmpCode);
    if (type == 134) {
        fieldNumber("cur hop limit", off + 4, 1, u8(off + 4));
        fieldNumber("router lifetime", off + 6, 2, u16(off + 6));
    } else if (type == 135 || type == 136) {
        const Address target = address(Address::Kind::IPv6, off + 8);
        field("target address", off + 8, 16, [&] { return target.toString(); });
    }
}

void DissectorWalker::tcp(qint32 off, qint32 end)
{
    if (!need(off, 20, end, "TCP", "header length"))
        return;
    const qint32 headerLength = (u8(off + 12) >> 4) * 4;
    if (headerLength < 20)
        return void(invalid("TCP", "header length is below 20:", headerLength, off));
    if (!need(off, headerLength, end, "TCP", "header length") ||
        !push(Protocol::Tcp, off, headerLength))
        return;
    m_s.sourcePort = u16(off);
    m_s.destinationPort = u16(off + 2);
    m_s.tcpFlags = qint16(u16(off + 12) & 0x0fff);
    fieldNumber("source port", off, 2, m_s.sourcePort);
    fieldNumber("destination port", off + 2, 2, m_s.destinationPort);
    fieldNumber("sequence number", off + 4, 4, u32(off + 4));
    fieldNumber("acknowledgment number", off + 8, 4, u32(off + 8));
    fieldNumber("header length", off + 12, 1, headerLength);
    field("flags", off + 12, 2,
          [this] { return QStringLiteral("0x%1").arg(m_s.tcpFlags, 3, 16, QLatin1Char('0')); });
    fieldNumber("window", off + 14, 2, u16(off + 14));
    fieldNumber("options length", off + 20, headerLength - 20, headerLength - 20);
    tcpPayload(off + headerLength, end);
}

void DissectorWalker::tcpPayload(qint32 off, qint32 end)
{
    if (m_s.sourcePort == 3260 || m_s.destinationPort == 3260)
        return end > off ? iscsi(off, end) : void();
    data(off, end);
}

void DissectorWalker::udp(qint32 off, qint32 end)
{
    if (!need(off, 8, end, "UDP", "header length"))
        return;
    const qint32 length = u16(off + 4);
    if (length < 8)
        return void(invalid("UDP", "length is below 8:", length, off));
    if (!need(off, length, end, "UDP", "length") || !push(Protocol::Udp, off, length))
        return;
    m_s.sourcePort = u16(off);
    m_s.destinationPort = u16(off + 2);
    fieldNumber("source port", off, 2, m_s.sourcePort);
    fieldNumber("destination port", off + 2, 2, m_s.destinationPort);
    fieldNumber("length", off + 4, 2, length);
    udpPayload(off + 8, off + length);
}

void DissectorWalker::udpPayload(qint32 off, qint32 end)
{
    const auto is = [this](quint16 port) {
        return m_s.sourcePort == port || m_s.destinationPort == port;
    };
    if (end <= off)
        return;
    if (is(4789))
        return vxlan(off, end);
    if (is(67) || is(68))
        return dhcp(off, end);
    if (is(53))
        return dns(off, end);
    data(off, end);
}

// RFC 2131 §3: a fixed 236-byte header, the magic cookie, then options up to End (255).
void DissectorWalker::dhcp(qint32 off, qint32 end)
{
    if (!need(off, 240, end, "DHCP", "header length"))
        return;
    if (u32(off + 236) != 0x63825363)
        return void(invalid("DHCP", "magic cookie is not 0x63825363:", u32(off + 236), off + 236));
    if (!push(Protocol::Dhcp, off, end - off))
        return;
    fieldNumber("opcode", off, 1, u8(off));
    fieldNumber("transaction id", off + 4, 4, u32(off + 4));
    for (qint32 at = off + 240; at < end;) {
        const quint8 code = u8(at);
        if (code == 255)
            return;
        if (code == 0) {
            ++at;
            continue;
        }
        if (!need(at, 2, end, "DHCP", "option header length") ||
            !need(at, 2 + u8(at + 1), end, "DHCP", "option length"))
            return;
        if (code == 53 && u8(at + 1) >= 1) {
            m_s.dhcpMessageType = u8(at + 2);
            fieldNumber("message type", at + 2, 1, m_s.dhcpMessageType);
        }
        at += 2 + u8(at + 1);
    }
}

void DissectorWalker::dns(qint32 off, qint32 end)
{
    if (!need(off, 12, end, "DNS", "header length") || !push(Protocol::Dns, off, end - off))
        return;
    m_s.dnsFlags = qint32(u16(off + 2));
    fieldNumber("transaction id", off, 2, u16(off));
    field("flags", off + 2, 2, [this] {
        return QStringLiteral("0x%1").arg(quint16(m_s.dnsFlags), 4, 16, QLatin1Char('0'));
    });
    fieldNumber("questions", off + 4, 2, u16(off + 4));
    if (u16(off + 4) == 0)
        return;
    qint32 after = 0;
    if (!dnsName(off + 12, end, after) || !need(after, 4, end, "DNS", "question length"))
        return;
    m_s.dnsNameOffset = off + 12;
    field("query name", off + 12, after - off - 12, [&] { return dnsQueryName(m_s, m_frame); });
    fieldNumber("query type", after, 2, u16(after));
}

// A question's name (RFC 1035 §4.1.2): labels up to a zero, or a compression pointer.
bool DissectorWalker::dnsName(qint32 off, qint32 end, qint32 &after)
{
    for (qint32 at = off; need(at, 1, end, "DNS", "name length");) {
        const quint8 len = u8(at);
        if ((len & 0xc0) == 0xc0) {
            after = at + 2;
            return need(at, 2, end, "DNS", "name pointer length");
        }
        if (len & 0xc0)
            return invalid("DNS", "name label length is not below 64:", len, at);
        if (len == 0) {
            after = at + 1;
            return true;
        }
        if (!need(at, 1 + len, end, "DNS", "name label length"))
            return false;
        at += 1 + len;
    }
    return false;
}

// RFC 7348 §5: flags, 24 reserved bits, the VNI and 8 reserved bits, then an Ethernet frame.
void DissectorWalker::vxlan(qint32 off, qint32 end)
{
    if (!need(off, 8, end, "VXLAN", "header length") || !push(Protocol::Vxlan, off, 8))
        return;
    m_s.vni = u32(off + 4) >> 8;
    fieldNumber("flags", off, 1, u8(off));
    fieldNumber("VNI", off + 4, 3, m_s.vni);
    ++m_depth;
    ethernet(off + 8, end);
}

// RFC 2784/2890: checksum, key and sequence present bits; NVGRE (RFC 7637) carries its VSID in
// the key's upper 24 bits and an Ethernet frame (transparent Ethernet bridging, 0x6558).
void DissectorWalker::gre(qint32 off, qint32 end)
{
    if (!need(off, 4, end, "GRE", "header length"))
        return;
    const quint16 flags = u16(off), type = u16(off + 2);
    const bool checksum = flags & 0x8000, key = flags & 0x2000, sequence = flags & 0x1000;
    const qint32 len = 4 + (checksum ? 4 : 0) + (key ? 4 : 0) + (sequence ? 4 : 0);
    if (!need(off, len, end, "GRE", "header length") || !push(Protocol::Gre, off, len))
        return;
    fieldNumber("protocol type", off + 2, 2, type);
    if (key) {
        const qint32 at = off + 4 + (checksum ? 4 : 0);
        m_s.greKey = u32(at);
        fieldNumber("key", at, 4, m_s.greKey);
        if (type == etherTransparent) {
            m_s.vsid = m_s.greKey >> 8;
            fieldNumber("VSID", at, 3, m_s.vsid);
        }
    }
    if (type == etherTransparent) {
        ++m_depth;
        return ethernet(off + len, end);
    }
    etherType(type, off + len, end);
}

// RFC 7143 §11.2: the 48-byte basic header segment; its first byte's low six bits are the opcode.
void DissectorWalker::iscsi(qint32 off, qint32 end)
{
    if (!need(off, 48, end, "iSCSI", "basic header segment length") ||
        !push(Protocol::Iscsi, off, 48))
        return;
    m_s.iscsiOpcode = qint16(u8(off) & 0x3f);
    fieldNumber("opcode", off, 1, m_s.iscsiOpcode);
    fieldNumber("data segment length", off + 5, 3, u32(off + 4) & 0xffffff);
}

} // namespace converge::collectors
