// tshark as the oracle (issue 16, "Done means"): every fixture packet's protocol stack,
// addresses, ports, VLAN ids, VNI/VSID, TCP flags, DHCP message type and DNS query name must agree
// with `tshark -T fields` on the same file.
#include "captureframes.h"
#include "collectors/capture/dissector.h"
#include "tsharkoracle.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStringList>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

using namespace converge::collectors;
using namespace converge::capturetest;

namespace {

// What each fixture is there for, as tshark reads it: agreeing on empty fields proves nothing.
const std::map<std::string, std::pair<QString, QString>> expectedFromTshark = {
    {"dns-query", {QStringLiteral("dns.qry.name"), QStringLiteral("www.example.org")}},
    {"vlan-arp", {QStringLiteral("vlan.id"), QStringLiteral("100")}},
    {"qinq-icmp", {QStringLiteral("ieee8021ad.id"), QStringLiteral("200")}},
    {"ipv6-hbh-ns", {QStringLiteral("icmpv6.type"), QStringLiteral("135")}},
    {"tcp-syn", {QStringLiteral("tcp.flags"), QStringLiteral("0x0002")}},
    {"dhcp-discover", {QStringLiteral("dhcp.option.dhcp"), QStringLiteral("1")}},
    {"vxlan-icmp", {QStringLiteral("vxlan.vni"), QStringLiteral("5001")}},
    {"nvgre-udp", {QStringLiteral("gre.key"), QStringLiteral("0x001b5805")}},
    {"lldp", {QStringLiteral("frame.protocols"), QStringLiteral("eth:ethertype:lldp")}},
    {"iscsi-nop", {QStringLiteral("iscsi.opcode"), QStringLiteral("0x00")}},
    {"truncated-ipv4", {QStringLiteral("frame.protocols"), QStringLiteral("eth:ethertype:ip")}},
    {"ipv4-fragment", {QStringLiteral("frame.protocols"), QStringLiteral("eth:ethertype:ip:data")}},
};

} // namespace

TEST(DissectorOracle, EveryFixtureAgreesWithTshark)
{
    if (!QFile::exists(tsharkPath))
        GTEST_SKIP()
            << "tshark is not installed (apt-get install tshark): no oracle to compare with";
    QTemporaryDir dir;
    const std::vector<Fixture> all = fixtures();
    std::vector<QByteArray> frames;
    for (const Fixture &f : all)
        frames.push_back(f.frame);
    const QString path = dir.filePath(QStringLiteral("fixtures.pcap"));
    ASSERT_TRUE(writeFile(path, CaptureWriter(false).pcap(frames, false)));
    const auto rows = tsharkRows(path);
    ASSERT_EQ(rows.size(), all.size());
    for (size_t i = 0; i < all.size(); ++i) {
        const auto frame = std::span(reinterpret_cast<const quint8 *>(all[i].frame.constData()),
                                     size_t(all[i].frame.size()));
        const PacketSummary summary = dissectSummary(frame);
        const auto mine = ours(summary, frame);
        const auto &[what, expected] = expectedFromTshark.at(all[i].name);
        EXPECT_EQ(rows[i].at(what), expected) << all[i].name << ": the fixture is not what it says";
        EXPECT_EQ(summary.isMalformed(), std::string(all[i].name) == "truncated-ipv4")
            << all[i].name << ": " << summary.malformed.text().toStdString();
        expectSameAsTshark(summary, mine, rows[i], all[i].name);
    }
}

TEST(DissectorOracle, NvgreShowsItsVirtualSubnetId)
{
    const std::vector<Fixture> all = fixtures();
    const auto it = std::find_if(all.begin(), all.end(), [](const Fixture &f) {
        return std::string(f.name) == "nvgre-udp";
    });
    ASSERT_NE(it, all.end());
    const auto frame = std::span(reinterpret_cast<const quint8 *>(it->frame.constData()),
                                 size_t(it->frame.size()));
    const PacketSummary s = dissectSummary(frame);
    EXPECT_EQ(s.vsid, 7000);
    EXPECT_EQ(s.source.toString(), QStringLiteral("192.168.1.1")); // the inner frame's
    EXPECT_EQ(s.destinationPort, 5678);
}

TEST(DissectorOracle, TsharkReadsTheTestsPcapNgInBothByteOrders)
{
    // The writer the reader's tests use is itself checked by tshark: same packets, same values.
    if (!QFile::exists(tsharkPath))
        GTEST_SKIP()
            << "tshark is not installed (apt-get install tshark): no oracle to compare with";
    QTemporaryDir dir;
    std::vector<QByteArray> frames;
    for (const Fixture &f : fixtures())
        frames.push_back(f.frame);
    const QString pcap = dir.filePath(QStringLiteral("a.pcap"));
    ASSERT_TRUE(writeFile(pcap, CaptureWriter(true).pcap(frames, true)));
    const auto expected = tsharkRows(pcap);
    ASSERT_EQ(expected.size(), frames.size());
    for (bool big : {false, true}) {
        const QString path = dir.filePath(QStringLiteral("b%1.pcapng").arg(big));
        ASSERT_TRUE(writeFile(path, CaptureWriter(big).pcapng(frames, true)));
        EXPECT_EQ(tsharkRows(path), expected) << (big ? "big-endian" : "little-endian");
    }
}

// Real traffic between namespaces (DNS, HTTP over TCP, ARP, pings inside VXLAN, a malformed
// frame), captured by dumpcap when the capture window's screenshot was made
// (docs/screenshots/capture-traffic.sh): every packet agrees with tshark.
TEST(DissectorOracle, NamespaceTrafficAgreesWithTshark)
{
    if (!QFile::exists(tsharkPath))
        GTEST_SKIP()
            << "tshark is not installed (apt-get install tshark): no oracle to compare with";
    const int packets = expectFileAgreesWithTshark(
        QStringLiteral(CONVERGE_SOURCE_DIR "/docs/screenshots/capture-window.pcapng"));
    EXPECT_GE(packets, 20) << "the capture is smaller than it was made";
}
