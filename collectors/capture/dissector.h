#pragma once

#include <QByteArray>
#include <QString>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace converge::collectors {

// Link-layer types of the pcap and pcapng formats that the dissectors read (LINKTYPE_*).
enum class LinkType : quint16 { Ethernet = 1 };

// The protocols the dissectors know, in the order a frame nests them. names() gives
// tshark's spelling (frame.protocols), so a stack compares with tshark's directly.
enum class Protocol : quint8 {
    Ethernet,
    Vlan,
    ServiceVlan,
    Arp,
    IPv4,
    IPv6,
    IPv6HopByHop,
    IPv6Routing,
    IPv6Fragment,
    IPv6DestOptions,
    Icmp,
    Icmpv6,
    Tcp,
    Udp,
    Dhcp,
    Dns,
    Vxlan,
    Gre,
    Lldp,
    Iscsi,
    Data
};
const char *protocolName(Protocol protocol);

// An address as captured: its bytes stay raw until a view asks for the text.
struct Address
{
    enum class Kind : quint8 { None, Mac, IPv4, IPv6 };
    Kind kind = Kind::None;
    std::array<quint8, 16> bytes{};
    QString toString() const;
    bool operator==(const Address &) const = default;
};

// Where and why a packet stopped making sense: text() reads like
// "IPv4: header length 60 exceeds the 34 bytes captured, at offset 14".
struct Malformed
{
    const char *layer = nullptr; // nullptr: the packet is well formed
    const char *what = nullptr;  // the field that broke ("header length")
    qint64 value = 0;            // what the field asks for
    qint64 available = 0;        // the bytes left from where it was read (truncations)
    qint32 offset = 0;           // of the layer (or option) that broke, in the frame
    bool truncated = true;       // false: the field's value is invalid (then `what` says why)
    QString text() const;
};

// One frame's line in a packet list. Plain data with fixed-size members: dissecting a summary
// allocates nothing (issue 16's target is ten times tshark's rate); texts are made on demand.
struct PacketSummary
{
    static constexpr int maxLayers = 20;
    std::array<Protocol, maxLayers> layers{};
    quint8 layerCount = 0;
    Address source, destination;       // the innermost addresses (IP, else ARP, else Ethernet)
    Address macSource, macDestination; // the outermost Ethernet header's
    quint16 sourcePort = 0, destinationPort = 0; // TCP or UDP (innermost); 0 when none
    std::array<quint16, 2> vlanIds{}; // the outer frame's 802.1ad/802.1Q tags, outer first
    quint8 vlanCount = 0;
    qint64 vni = -1;  // VXLAN network identifier, -1 when none
    qint64 vsid = -1; // NVGRE virtual subnet id (GRE key >> 8), -1 when none
    qint64 greKey = -1;
    qint16 tcpFlags = -1;        // the low 12 bits of the TCP header's flags, -1 when no TCP
    qint16 dhcpMessageType = -1; // option 53
    qint16 icmpType = -1, icmpCode = -1; // ICMP or ICMPv6
    qint16 arpOpcode = -1;
    qint16 iscsiOpcode = -1;
    qint32 dnsFlags = -1;      // the 16 flag bits (bit 15: response), -1 when no DNS
    qint32 dnsNameOffset = -1; // the first question's name, in the frame (read by dnsQueryName)
    qint32 topOffset = 0;      // where the top layer starts (Info re-reads ARP and LLDP there)
    bool ipFragment = false;   // IPv4 MF set or offset non-zero, or an IPv6 fragment header
    quint32 length = 0;        // bytes captured
    Malformed malformed;

    Protocol topLayer() const { return layers[layerCount ? layerCount - 1 : 0]; }
    bool isMalformed() const { return malformed.layer != nullptr; }
    QString protocols() const; // "eth:vlan:arp", tshark's frame.protocols without "ethertype"
    // The Protocol column as Wireshark fills it: the top layer that is a protocol, not payload
    // ("DNS", "802.1Q", "ICMPv6"); the packet list and convergectl's lines both show it.
    QString protocolColumn() const;
    QString info(std::span<const quint8> frame) const; // like Wireshark's Info column
};

// One decoded field for the protocol tree; offset and length select its bytes in the hex view.
struct ProtocolField
{
    QString name;
    QString display;
    qint32 offset = 0;
    qint32 length = 0;
};

struct ProtocolLayer
{
    QString name;
    qint32 offset = 0;
    qint32 length = 0;
    std::vector<ProtocolField> fields;
};

using ProtocolTree = std::vector<ProtocolLayer>;

// Dissects a frame into its summary; every read is bounds-checked, so any bytes at all are safe.
PacketSummary dissectSummary(std::span<const quint8> frame, LinkType link = LinkType::Ethernet);
// The same walk, keeping every field for the protocol tree (a malformed packet's tree ends with
// a "Malformed" layer at the offset that broke).
ProtocolTree dissectTree(std::span<const quint8> frame, LinkType link = LinkType::Ethernet);
// The first DNS question's name ("www.example.org"), empty when none or unreadable.
QString dnsQueryName(const PacketSummary &summary, std::span<const quint8> frame);

} // namespace converge::collectors
