#pragma once
// Frames built byte by byte for the dissector tests and bench-dissect, and pcap/pcapng writers
// in either byte order: the fixtures are made here, then read by tshark and by the dissectors.

#include <QByteArray>
#include <QFile>
#include <QString>

#include <initializer_list>
#include <vector>

namespace converge::capturetest {

class Bytes
{
public:
    Bytes &u8(unsigned v) { return m_data.append(char(v & 0xff)), *this; }
    Bytes &u16(unsigned v) { return u8(v >> 8).u8(v); }
    Bytes &u32(quint32 v) { return u16(v >> 16).u16(v & 0xffff); }
    Bytes &raw(std::initializer_list<unsigned> bytes)
    {
        for (unsigned b : bytes)
            u8(b);
        return *this;
    }
    Bytes &raw(const QByteArray &bytes) { return m_data.append(bytes), *this; }
    Bytes &zeros(int n) { return m_data.append(QByteArray(n, '\0')), *this; }
    QByteArray data() const { return m_data; }

private:
    QByteArray m_data;
};

inline QByteArray ethernet(const QByteArray &dst, const QByteArray &src, quint16 type,
                           const QByteArray &payload)
{
    return Bytes().raw(dst).raw(src).u16(type).raw(payload).data();
}

inline QByteArray mac(unsigned last)
{
    return Bytes().raw({0x02, 0x00, 0x00, 0x00, 0x00}).u8(last).data();
}

inline quint16 checksum(const QByteArray &header)
{
    quint32 sum = 0;
    for (int i = 0; i + 1 < header.size(); i += 2)
        sum += quint32(quint8(header[i])) << 8 | quint8(header[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return quint16(~sum);
}

// An IPv4 header (no options) and payload; fragment is the flags/offset word as sent.
inline QByteArray ipv4(quint8 protocol, quint32 src, quint32 dst, const QByteArray &payload,
                       quint16 fragment = 0)
{
    QByteArray h = Bytes()
                       .u8(0x45)
                       .u8(0)
                       .u16(quint16(20 + payload.size()))
                       .u16(0x1234)
                       .u16(fragment)
                       .u8(64)
                       .u8(protocol)
                       .u16(0)
                       .u32(src)
                       .u32(dst)
                       .data();
    const quint16 sum = checksum(h);
    h[10] = char(sum >> 8);
    h[11] = char(sum & 0xff);
    return h + payload;
}

inline QByteArray udp(quint16 sport, quint16 dport, const QByteArray &payload)
{
    return Bytes()
        .u16(sport)
        .u16(dport)
        .u16(quint16(8 + payload.size()))
        .u16(0)
        .raw(payload)
        .data();
}

inline QByteArray tcp(quint16 sport, quint16 dport, quint16 flags, const QByteArray &options,
                      const QByteArray &payload)
{
    const unsigned words = unsigned(20 + options.size()) / 4;
    return Bytes()
        .u16(sport)
        .u16(dport)
        .u32(1000)
        .u32(flags & 0x10 ? 2000 : 0)
        .u16(quint16(words << 12 | flags))
        .u16(64240)
        .u16(0)
        .u16(0)
        .raw(options)
        .raw(payload)
        .data();
}

inline QByteArray icmpEcho(quint8 type, quint16 id, quint16 seq)
{
    QByteArray m = Bytes().u8(type).u8(0).u16(0).u16(id).u16(seq).raw("abcdefgh").data();
    const quint16 sum = checksum(m);
    m[2] = char(sum >> 8);
    m[3] = char(sum & 0xff);
    return m;
}

inline QByteArray ipv6Address(unsigned last, unsigned first = 0xfe80)
{
    return Bytes().u16(first).zeros(13).u8(last).data();
}

inline QByteArray ipv6(quint8 next, const QByteArray &src, const QByteArray &dst,
                       const QByteArray &payload)
{
    return Bytes()
        .u32(0x60000000)
        .u16(quint16(payload.size()))
        .u8(next)
        .u8(255)
        .raw(src)
        .raw(dst)
        .raw(payload)
        .data();
}

inline QByteArray dnsQuery(const QList<QByteArray> &labels)
{
    Bytes b;
    b.u16(0xbeef).u16(0x0100).u16(1).u16(0).u16(0).u16(0);
    for (const QByteArray &label : labels)
        b.u8(unsigned(label.size())).raw(label);
    return b.u8(0).u16(1).u16(1).data();
}

inline QByteArray dhcpDiscover()
{
    Bytes b;
    b.u8(1).u8(1).u8(6).u8(0).u32(0x3903f326).u16(0).u16(0x8000);
    b.zeros(16).raw(mac(0x42)).zeros(10).zeros(64 + 128);
    b.u32(0x63825363).raw({53, 1, 1, 55, 3, 1, 3, 6, 255});
    return b.data();
}

inline QByteArray lldp()
{
    Bytes b;
    b.u16(1 << 9 | 7).u8(4).raw(mac(0x10)); // chassis id: MAC
    b.u16(2 << 9 | 5).u8(5).raw("eth0");    // port id: interface name
    b.u16(3 << 9 | 2).u16(120);             // time to live
    b.u16(0);                               // end
    return b.data();
}

// An iSCSI basic header segment (RFC 7143 §11.2): NOP-Out, immediate, no data segment.
inline QByteArray iscsiNopOut()
{
    return Bytes()
        .u8(0x40)
        .u8(0x80)
        .zeros(2)
        .u8(0)
        .zeros(3)
        .zeros(8)
        .u32(0x11)
        .u32(0xffffffff)
        .u32(1)
        .u32(1)
        .zeros(16)
        .data();
}

struct Fixture
{
    const char *name;
    QByteArray frame;
};

// The frames of issue 16's oracle test, one of each kind the dissectors decode.
inline std::vector<Fixture> fixtures()
{
    const QByteArray a = mac(1), b = mac(2);
    const quint32 ip1 = 0x0a000001, ip2 = 0x0a000035;
    std::vector<Fixture> f;
    f.push_back({"dns-query", ethernet(b, a, 0x0800,
                                       ipv4(17, ip1, ip2,
                                            udp(53000, 53, dnsQuery({"www", "example", "org"}))))});
    f.push_back({"vlan-arp", ethernet(QByteArray(6, char(0xff)), a, 0x8100,
                                      Bytes()
                                          .u16(100)
                                          .u16(0x0806)
                                          .u16(1)
                                          .u16(0x0800)
                                          .u8(6)
                                          .u8(4)
                                          .u16(1)
                                          .raw(a)
                                          .u32(ip1)
                                          .zeros(6)
                                          .u32(ip2)
                                          .data())});
    f.push_back({"qinq-icmp", ethernet(b, a, 0x88a8,
                                       Bytes()
                                           .u16(200)
                                           .u16(0x8100)
                                           .u16(300)
                                           .u16(0x0800)
                                           .raw(ipv4(1, ip1, ip2, icmpEcho(8, 7, 1)))
                                           .data())});
    const QByteArray hopByHop = Bytes().raw({58, 0, 1, 4, 0, 0, 0, 0}).data();
    const QByteArray ns = Bytes().u8(135).u8(0).u16(0).u32(0).raw(ipv6Address(2)).data();
    f.push_back(
        {"ipv6-hbh-ns", ethernet(mac(0x33), a, 0x86dd,
                                 ipv6(0, ipv6Address(1), ipv6Address(2, 0xff02), hopByHop + ns))});
    const QByteArray options =
        Bytes().u8(2).u8(4).u16(1460).raw({4, 2, 8, 10}).u32(1).u32(0).raw({1, 3, 3, 7}).data();
    f.push_back(
        {"tcp-syn", ethernet(b, a, 0x0800, ipv4(6, ip1, ip2, tcp(40000, 80, 0x002, options, {})))});
    f.push_back({"dhcp-discover", ethernet(QByteArray(6, char(0xff)), mac(0x42), 0x0800,
                                           ipv4(17, 0, 0xffffffff, udp(68, 67, dhcpDiscover())))});
    const QByteArray inner =
        ethernet(mac(0x21), mac(0x22), 0x0800, ipv4(1, 0xc0a80001, 0xc0a80002, icmpEcho(8, 9, 3)));
    f.push_back({"vxlan-icmp",
                 ethernet(b, a, 0x0800,
                          ipv4(17, ip1, ip2,
                               udp(49152, 4789,
                                   Bytes().u32(0x08000000).u32(5001 << 8).raw(inner).data())))});
    const QByteArray innerUdp = ethernet(mac(0x31), mac(0x32), 0x0800,
                                         ipv4(17, 0xc0a80101, 0xc0a80102, udp(1234, 5678, "hi")));
    f.push_back(
        {"nvgre-udp",
         ethernet(b, a, 0x0800,
                  ipv4(47, ip1, ip2,
                       Bytes().u16(0x2000).u16(0x6558).u32(7000u << 8 | 5).raw(innerUdp).data()))});
    f.push_back(
        {"lldp", ethernet(Bytes().raw({0x01, 0x80, 0xc2, 0, 0, 0x0e}).data(), a, 0x88cc, lldp())});
    f.push_back(
        {"iscsi-nop",
         ethernet(b, a, 0x0800, ipv4(6, ip1, ip2, tcp(50000, 3260, 0x018, {}, iscsiNopOut())))});
    // An IPv4 header that says 60 bytes with only 34 captured after Ethernet.
    f.push_back({"truncated-ipv4",
                 ethernet(b, a, 0x0800, Bytes().u8(0x4f).u8(0).u16(84).zeros(30).data())});
    f.push_back(
        {"ipv4-fragment", ethernet(b, a, 0x0800, ipv4(17, ip1, ip2, QByteArray(24, 'x'), 185))});
    return f;
}

// pcap (micro- or nanosecond stamps) and pcapng (SHB, IDB, EPB; SPB for every third packet when
// asked) in either byte order.
class CaptureWriter
{
public:
    explicit CaptureWriter(bool bigEndian)
        : m_big(bigEndian)
    {
    }
    QByteArray pcap(const std::vector<QByteArray> &frames, bool nanoseconds) const
    {
        QByteArray out = u32(nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4) + u16(2) + u16(4) + u32(0) +
                         u32(0) + u32(262144) + u32(1);
        quint32 second = 1700000000;
        for (const QByteArray &f : frames)
            out += u32(second++) + u32(nanoseconds ? 123456789 : 123456) + u32(quint32(f.size())) +
                   u32(quint32(f.size())) + f;
        return out;
    }
    QByteArray pcapng(const std::vector<QByteArray> &frames, bool simpleBlocks = false) const
    {
        QByteArray out = block(0x0a0d0d0a, u32(0x1a2b3c4d) + u16(1) + u16(0) + u32(0xffffffff) +
                                               u32(0xffffffff));
        out += block(1, u16(1) + u16(0) + u32(262144) + u16(9) + u16(1) + QByteArray(1, char(9)) +
                            QByteArray(3, '\0') + u32(0));
        out += block(0x0badcafe, QByteArray(8, 'u')); // an unknown block: skipped
        quint64 stamp = 1700000000000000000ULL;
        for (size_t i = 0; i < frames.size(); ++i, stamp += 1000)
            out += simpleBlocks && i % 3 == 2 ? simple(frames[i]) : enhanced(frames[i], stamp);
        return out;
    }
    QByteArray enhanced(const QByteArray &f, quint64 stamp) const
    {
        return block(6, u32(0) + u32(quint32(stamp >> 32)) + u32(quint32(stamp)) +
                            u32(quint32(f.size())) + u32(quint32(f.size())) + padded(f));
    }
    QByteArray simple(const QByteArray &f) const
    {
        return block(3, u32(quint32(f.size())) + padded(f));
    }
    QByteArray block(quint32 type, const QByteArray &body) const
    {
        const auto length = quint32(12 + body.size());
        return u32(type) + u32(length) + body + u32(length);
    }
    QByteArray u16(quint16 v) const
    {
        return m_big ? Bytes().u16(v).data() : Bytes().u8(v).u8(v >> 8).data();
    }
    QByteArray u32(quint32 v) const
    {
        return m_big ? u16(quint16(v >> 16)) + u16(quint16(v))
                     : u16(quint16(v)) + u16(quint16(v >> 16));
    }
    static QByteArray padded(const QByteArray &f)
    {
        return f + QByteArray((4 - f.size() % 4) % 4, '\0');
    }

private:
    bool m_big;
};

inline bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace converge::capturetest
