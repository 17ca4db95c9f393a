#pragma once

#include "collectors/capture/dissector.h"

namespace converge::collectors {

// The one walk behind dissectSummary and dissectTree: each protocol reads its header through
// need(), which marks the packet malformed instead of reading past the captured bytes, and
// field() builds a tree entry only when a tree is asked for (the summary path allocates nothing).
class DissectorWalker
{
public:
    DissectorWalker(std::span<const quint8> frame, PacketSummary &summary, ProtocolTree *tree)
        : m_frame(frame)
        , m_s(summary)
        , m_tree(tree)
    {
    }
    void ethernet(qint32 off, qint32 end);

private:
    bool need(qint32 start, qint32 count, qint32 end, const char *layer, const char *what);
    bool invalid(const char *layer, const char *what, qint64 value, qint32 off);
    bool push(Protocol protocol, qint32 off, qint32 len);
    template<typename Text> void field(const char *name, qint32 off, qint32 len, Text &&text);
    void fieldNumber(const char *name, qint32 off, qint32 len, qint64 value);
    quint8 u8(qint32 off) const { return m_frame[size_t(off)]; }
    quint16 u16(qint32 off) const { return quint16(u8(off) << 8 | u8(off + 1)); }
    quint32 u32(qint32 off) const { return quint32(u16(off)) << 16 | u16(off + 2); }
    Address address(Address::Kind kind, qint32 off) const;
    void data(qint32 off, qint32 end);

    void vlanTags(qint32 &off, qint32 end, quint16 &type);
    void etherType(quint16 type, qint32 off, qint32 end);
    void arp(qint32 off, qint32 end);
    void lldp(qint32 off, qint32 end);
    void lldpTlv(quint32 type, qint32 off, qint32 len);
    void ipv4(qint32 off, qint32 end);
    void ipv4Fields(qint32 off, qint32 headerLength);
    void ipv6(qint32 off, qint32 end);
    bool ipv6Extension(quint8 &next, qint32 &off, qint32 end);
    void transport(quint8 protocol, qint32 off, qint32 end);
    void icmp(qint32 off, qint32 end);
    void icmpv6(qint32 off, qint32 end);
    void tcp(qint32 off, qint32 end);
    void tcpPayload(qint32 off, qint32 end);
    void udp(qint32 off, qint32 end);
    void udpPayload(qint32 off, qint32 end);
    void dhcp(qint32 off, qint32 end);
    void dns(qint32 off, qint32 end);
    bool dnsName(qint32 off, qint32 end, qint32 &after);
    void vxlan(qint32 off, qint32 end);
    void gre(qint32 off, qint32 end);
    void iscsi(qint32 off, qint32 end);

    std::span<const quint8> m_frame;
    PacketSummary &m_s;
    ProtocolTree *m_tree;
    int m_depth = 0; // 0: the outer frame; VXLAN and NVGRE add one for the frame they carry
};

} // namespace converge::collectors
