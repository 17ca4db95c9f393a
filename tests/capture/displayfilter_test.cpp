// The display filter (issue 16, "Views"): Wireshark's spelling over the fixtures' summaries,
// and errors that say the column and what is wrong.
#include "captureframes.h"
#include "collectors/capture/displayfilter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace converge::collectors;
using namespace converge::capturetest;

namespace {

std::span<const quint8> bytesOf(const QByteArray &frame)
{
    return {reinterpret_cast<const quint8 *>(frame.constData()), size_t(frame.size())};
}

// The fixtures a filter shows, by name, in fixture order ("error: ..." when it does not compile).
std::string shown(const char *text)
{
    const auto filter = DisplayFilter::compile(QString::fromUtf8(text));
    if (!filter)
        return "error: " + filter.error().message.toStdString();
    std::string names;
    for (const Fixture &f : fixtures()) {
        if (!filter->matches(dissectSummary(bytesOf(f.frame)), bytesOf(f.frame)))
            continue;
        names += names.empty() ? "" : " ";
        names += f.name;
    }
    return names;
}

std::string errorOf(const QString &text)
{
    const auto filter = DisplayFilter::compile(text);
    return filter ? std::string("compiled") : filter.error().message.toStdString();
}

const std::string all = "dns-query vlan-arp qinq-icmp ipv6-hbh-ns tcp-syn dhcp-discover vxlan-icmp "
                        "nvgre-udp lldp iscsi-nop truncated-ipv4 ipv4-fragment";

} // namespace

TEST(DisplayFilter, EmptyFilterShowsEveryPacket)
{
    EXPECT_EQ(shown(""), all);
    EXPECT_EQ(shown("   "), all);
    EXPECT_EQ(shown("frame"), all);
}

TEST(DisplayFilter, ProtocolNames)
{
    EXPECT_EQ(shown("eth"), all);
    EXPECT_EQ(shown("vlan"), "vlan-arp qinq-icmp");
    EXPECT_EQ(shown("ieee8021ad"), "qinq-icmp");
    EXPECT_EQ(shown("arp"), "vlan-arp");
    EXPECT_EQ(shown("ip"), "dns-query qinq-icmp tcp-syn dhcp-discover vxlan-icmp nvgre-udp "
                           "iscsi-nop truncated-ipv4 ipv4-fragment");
    EXPECT_EQ(shown("ipv6"), "ipv6-hbh-ns");
    EXPECT_EQ(shown("icmp"), "qinq-icmp vxlan-icmp");
    EXPECT_EQ(shown("icmpv6"), "ipv6-hbh-ns");
    EXPECT_EQ(shown("tcp"), "tcp-syn iscsi-nop");
    EXPECT_EQ(shown("udp"), "dns-query dhcp-discover vxlan-icmp nvgre-udp");
    EXPECT_EQ(shown("dhcp"), "dhcp-discover");
    EXPECT_EQ(shown("dns"), "dns-query");
    EXPECT_EQ(shown("vxlan"), "vxlan-icmp");
    EXPECT_EQ(shown("gre"), "nvgre-udp");
    EXPECT_EQ(shown("nvgre"), "nvgre-udp");
    EXPECT_EQ(shown("lldp"), "lldp");
    EXPECT_EQ(shown("iscsi"), "iscsi-nop");
    EXPECT_EQ(shown("data"), "qinq-icmp vxlan-icmp nvgre-udp ipv4-fragment");
    EXPECT_EQ(shown("malformed"), "truncated-ipv4");
    EXPECT_EQ(shown("_ws.malformed"), "truncated-ipv4");
}

TEST(DisplayFilter, IPv4AddressesMatchEitherSideAndTheOuterHeader)
{
    EXPECT_EQ(shown("ip.addr == 10.0.0.53"),
              "dns-query qinq-icmp tcp-syn vxlan-icmp nvgre-udp iscsi-nop ipv4-fragment");
    EXPECT_EQ(shown("ip.src == 10.0.0.53"), "");
    EXPECT_EQ(shown("ip.dst == 255.255.255.255"), "dhcp-discover");
    EXPECT_EQ(shown("ip.src eq 0.0.0.0"), "dhcp-discover truncated-ipv4");
    EXPECT_EQ(shown("ip.addr == 192.168.0.0/16"), "vxlan-icmp nvgre-udp");
    EXPECT_EQ(shown("ip.src == 192.168.1.1"), "nvgre-udp");
    EXPECT_EQ(shown("ip.dst == 192.168.0.2/32"), "vxlan-icmp");
    EXPECT_EQ(shown("ip.addr == 0.0.0.0/0"), shown("ip.addr"));
    // ARP's addresses are not IP's.
    EXPECT_EQ(shown("arp and ip.addr == 10.0.0.1"), "");
}

TEST(DisplayFilter, NotEqualMeansNeitherSide)
{
    EXPECT_EQ(shown("ip.addr != 10.0.0.1"), "dhcp-discover truncated-ipv4");
    EXPECT_EQ(shown("!(ip.addr == 10.0.0.1)"), "vlan-arp ipv6-hbh-ns dhcp-discover lldp "
                                               "truncated-ipv4");
    EXPECT_EQ(shown("tcp.port != 80"), "iscsi-nop");
    EXPECT_EQ(shown("ip.addr ne 192.168.0.0/16 and udp"), "dns-query dhcp-discover");
}

TEST(DisplayFilter, IPv6AndEthernetAddresses)
{
    EXPECT_EQ(shown("ipv6.addr == fe80::1"), "ipv6-hbh-ns");
    EXPECT_EQ(shown("ipv6.dst == ff02::/16"), "ipv6-hbh-ns");
    EXPECT_EQ(shown("ipv6.src == ff02::2"), "");
    EXPECT_EQ(shown("eth.src == 02:00:00:00:00:42"), "dhcp-discover");
    EXPECT_EQ(shown("eth.dst == ff-ff-ff-ff-ff-ff"), "vlan-arp dhcp-discover");
    EXPECT_EQ(shown("eth.addr == 0200.0000.0002"),
              "dns-query qinq-icmp tcp-syn vxlan-icmp nvgre-udp iscsi-nop truncated-ipv4 "
              "ipv4-fragment");
}

TEST(DisplayFilter, PortsMatchEitherSideAndVxlanOuterUdp)
{
    EXPECT_EQ(shown("udp.port == 53"), "dns-query");
    EXPECT_EQ(shown("udp.dstport == 67 || udp.srcport == 1234"), "dhcp-discover nvgre-udp");
    EXPECT_EQ(shown("udp.port == 4789"), "vxlan-icmp");
    EXPECT_EQ(shown("tcp.port == 80"), "tcp-syn");
    EXPECT_EQ(shown("tcp.srcport >= 40000"), "tcp-syn iscsi-nop");
    EXPECT_EQ(shown("tcp.dstport < 100"), "tcp-syn");
    EXPECT_EQ(shown("tcp.port le 80"), "tcp-syn");
    EXPECT_EQ(shown("tcp.port == 0xcbc"), "iscsi-nop"); // 3260
    EXPECT_EQ(shown("udp.port == 80"), "");
}

TEST(DisplayFilter, TunnelAndTagIds)
{
    EXPECT_EQ(shown("vlan.id == 100"), "vlan-arp");
    EXPECT_EQ(shown("vlan.id == 300"), "qinq-icmp");
    EXPECT_EQ(shown("vlan.id == 200"), "");
    EXPECT_EQ(shown("ieee8021ad.id == 200"), "qinq-icmp");
    EXPECT_EQ(shown("vlan.id > 99"), "vlan-arp qinq-icmp");
    EXPECT_EQ(shown("vxlan.vni == 5001"), "vxlan-icmp");
    EXPECT_EQ(shown("nvgre.vsid == 7000"), "nvgre-udp");
    EXPECT_EQ(shown("gre.key == 1792005"), "nvgre-udp"); // 7000 << 8 | 5
    EXPECT_EQ(shown("vxlan.vni"), "vxlan-icmp");
}

TEST(DisplayFilter, TcpFlags)
{
    EXPECT_EQ(shown("tcp.flags.syn == 1"), "tcp-syn");
    EXPECT_EQ(shown("tcp.flags.syn == 0"), "iscsi-nop");
    EXPECT_EQ(shown("tcp.flags.ack == true and tcp.flags.psh == 1"), "iscsi-nop");
    EXPECT_EQ(shown("tcp.flags.fin == 1 or tcp.flags.rst == 1"), "");
    EXPECT_EQ(shown("tcp.flags == 0x18"), "iscsi-nop");
    EXPECT_EQ(shown("tcp.flags == 2"), "tcp-syn");
}

TEST(DisplayFilter, MessageTypesAndLengths)
{
    EXPECT_EQ(shown("icmp.type == 8"), "qinq-icmp vxlan-icmp");
    EXPECT_EQ(shown("icmpv6.type == 135"), "ipv6-hbh-ns");
    EXPECT_EQ(shown("icmp.type == 135"), "");
    EXPECT_EQ(shown("arp.opcode == 1"), "vlan-arp");
    EXPECT_EQ(shown("dhcp.option.dhcp == 1"), "dhcp-discover");
    EXPECT_EQ(shown("iscsi.opcode == 0"), "iscsi-nop");
    EXPECT_EQ(shown("dns.flags.response == 0"), "dns-query");
    EXPECT_EQ(shown("frame.len < 60"), "vlan-arp qinq-icmp lldp truncated-ipv4 ipv4-fragment");
    EXPECT_EQ(shown("frame.len > 1000"), "");
}

TEST(DisplayFilter, DnsQueryName)
{
    EXPECT_EQ(shown("dns.qry.name == \"www.example.org\""), "dns-query");
    EXPECT_EQ(shown("dns.qry.name == \"www.example.com\""), "");
    EXPECT_EQ(shown("dns.qry.name contains \"example\""), "dns-query");
    EXPECT_EQ(shown("dns.qry.name contains \"Example\""), "");
    EXPECT_EQ(shown("dns.qry.name != \"www.example.org\""), "");
    EXPECT_EQ(shown("dns.qry.name"), "dns-query");
    // Without the frame the name cannot be read: the field is absent, never a crash.
    const auto filter = DisplayFilter::compile(QStringLiteral("dns.qry.name contains \"w\""));
    ASSERT_TRUE(filter);
    const QByteArray frame = fixtures().front().frame;
    EXPECT_FALSE(filter->matches(dissectSummary(bytesOf(frame)), {}));
}

TEST(DisplayFilter, AndBindsTighterThanOrAndNotTighterThanBoth)
{
    EXPECT_EQ(shown("arp or udp and dns"), "dns-query vlan-arp");
    EXPECT_EQ(shown("(arp or udp) and dns"), "dns-query");
    EXPECT_EQ(shown("not arp and vlan"), "qinq-icmp");
    EXPECT_EQ(shown("not (arp and vlan)"), shown("!arp"));
    EXPECT_EQ(shown("!!arp"), "vlan-arp");
    EXPECT_EQ(shown("tcp && tcp.port == 80 || lldp"), "tcp-syn lldp");
    EXPECT_EQ(shown("udp AND NOT dns and not vxlan and not nvgre"), "dhcp-discover");
}

TEST(DisplayFilter, ErrorsSayTheColumnAndWhat)
{
    EXPECT_EQ(errorOf(QStringLiteral("ip.addr == 10.0.0.1 or ip.sorce == 10.0.0.1")),
              "column 24: unknown field 'ip.sorce'");
    EXPECT_EQ(errorOf(QStringLiteral("ip.addr = 10.0.0.1")),
              "column 9: unexpected character '=' (equality is '==')");
    // Found by fuzz_displayfilter: a character outside the BMP was cut in half in the message.
    EXPECT_EQ(errorOf(QStringLiteral("tcp or \U0001F600")),
              "column 8: unexpected character '\U0001F600'");
    EXPECT_EQ(errorOf(QStringLiteral("tcp\x01")), "column 4: unexpected character U+0001");
    EXPECT_EQ(errorOf(QStringLiteral("tcp ") + QChar(0xd800)),
              "column 5: unexpected character U+D800");
    EXPECT_EQ(errorOf(QStringLiteral("ip.addr == 10.0.0.300")),
              "column 12: '10.0.0.300' is not an IPv4 address");
    EXPECT_EQ(errorOf(QStringLiteral("ip.addr == 10.0.0.0/33")),
              "column 20: '/33' is not a prefix length from 0 to 32");
    EXPECT_EQ(errorOf(QStringLiteral("ip.addr < 10.0.0.1")),
              "column 11: an address takes == or != only");
    EXPECT_EQ(errorOf(QStringLiteral("tcp.port == http")), "column 13: 'http' is not a number");
    EXPECT_EQ(errorOf(QStringLiteral("tcp.port ==")),
              "column 12: the filter ends where a value was expected");
    EXPECT_EQ(errorOf(QStringLiteral("tcp.flags.syn == 2")),
              "column 18: tcp.flags.syn is 1 or 0 (true or false), not '2'");
    EXPECT_EQ(errorOf(QStringLiteral("(tcp or udp")),
              "column 12: expected ')' to close the '(' at column 1, not the end");
    EXPECT_EQ(errorOf(QStringLiteral("tcp)")), "column 4: ')' without a matching '('");
    EXPECT_EQ(errorOf(QStringLiteral("tcp udp")),
              "column 5: expected 'and', 'or' or the end, not 'udp'");
    EXPECT_EQ(errorOf(QStringLiteral("tcp and")),
              "column 8: expected a field, a protocol or '(', not the end");
    EXPECT_EQ(errorOf(QStringLiteral("tcp == 1")),
              "column 5: 'tcp' is a protocol: it has no value to compare");
    EXPECT_EQ(errorOf(QStringLiteral("dns.qry.name == www")),
              "column 17: dns.qry.name takes a quoted string, as \"example.org\", not 'www'");
    EXPECT_EQ(errorOf(QStringLiteral("dns.qry.name contains \"x")),
              "column 23: the string is not closed with '\"'");
    EXPECT_EQ(errorOf(QStringLiteral("tcp.port contains 80")),
              "column 10: 'contains' applies to dns.qry.name only");
    EXPECT_EQ(errorOf(QStringLiteral("ip.addr == \"10.0.0.1\"")),
              "column 12: ip.addr takes an address, not '\"10.0.0.1\"'");
    EXPECT_EQ(errorOf(QStringLiteral("eth.addr == 02:00:00:00:00")),
              "column 13: '02:00:00:00:00' is not a MAC address");
    EXPECT_EQ(errorOf(QStringLiteral("eth.addr == 02:00:00:00:00:01/8")),
              "column 30: a MAC address takes no prefix length");
}

TEST(DisplayFilter, LengthAndNestingAreBounded)
{
    QString deep = QString(DisplayFilter::maxNesting, u'(') + QStringLiteral("tcp") +
                   QString(DisplayFilter::maxNesting, u')');
    EXPECT_EQ(errorOf(deep), "compiled");
    EXPECT_EQ(errorOf(u'(' + deep + u')'), "column 65: nested deeper than 64");
    EXPECT_EQ(errorOf(QString(65, u'!') + QStringLiteral("tcp")),
              "column 65: nested deeper than 64");
    QString longChain = QStringLiteral("tcp");
    while (longChain.size() + 7 <= DisplayFilter::maxLength)
        longChain += QStringLiteral(" or tcp");
    EXPECT_EQ(errorOf(longChain), "compiled");
    EXPECT_EQ(errorOf(longChain + QString(DisplayFilter::maxLength, u' ')),
              "column 4097: the filter is longer than 4096 characters");
}

// A DNS response has the flags' top bit set: it is a response, and still DNS (the flags were
// once kept in a signed 16-bit field, where a response read as "no DNS"; found by comparing
// real namespace traffic with tshark).
TEST(DisplayFilter, ADnsResponseIsAResponse)
{
    QByteArray response = fixtures().front().frame; // dns-query: Ethernet, IPv4, UDP, DNS
    ASSERT_EQ(dissectSummary(bytesOf(response)).topLayer(), Protocol::Dns);
    response[14 + 20 + 8 + 2] = char(0x81); // QR = 1, RD = 1
    const PacketSummary s = dissectSummary(bytesOf(response));
    EXPECT_EQ(s.dnsFlags, 0x8100);
    for (const char *text : {"dns.flags.response == 1", "dns", "udp.port == 53"}) {
        const auto filter = DisplayFilter::compile(QString::fromUtf8(text));
        ASSERT_TRUE(filter) << text;
        EXPECT_TRUE(filter->matches(s, bytesOf(response))) << text;
    }
    EXPECT_TRUE(s.info(bytesOf(response)).startsWith(QStringLiteral("Standard query response")))
        << s.info(bytesOf(response)).toStdString();
}
