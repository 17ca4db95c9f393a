// tshark as the oracle (issue 16, "Done means"): every fixture packet's protocol stack,
// addresses, ports, VLAN ids, VNI/VSID, TCP flags, DHCP message type and DNS query name must agree
// with `tshark -T fields` on the same file.
#include "captureframes.h"
#include "collectors/capture/dissector.h"

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

const QStringList fields = {QStringLiteral("frame.protocols"),
                            QStringLiteral("eth.src"),
                            QStringLiteral("eth.dst"),
                            QStringLiteral("ieee8021ad.id"),
                            QStringLiteral("vlan.id"),
                            QStringLiteral("ip.src"),
                            QStringLiteral("ip.dst"),
                            QStringLiteral("ipv6.src"),
                            QStringLiteral("ipv6.dst"),
                            QStringLiteral("tcp.srcport"),
                            QStringLiteral("tcp.dstport"),
                            QStringLiteral("udp.srcport"),
                            QStringLiteral("udp.dstport"),
                            QStringLiteral("tcp.flags"),
                            QStringLiteral("vxlan.vni"),
                            QStringLiteral("gre.key"),
                            QStringLiteral("dhcp.option.dhcp"),
                            QStringLiteral("dns.qry.name"),
                            QStringLiteral("dns.flags.response"),
                            QStringLiteral("icmp.type"),
                            QStringLiteral("icmpv6.type"),
                            QStringLiteral("iscsi.opcode"),
                            QStringLiteral("arp.opcode")};

const QString tsharkPath = QStringLiteral("/usr/bin/tshark");

// tshark's rows, one map of field -> value per packet.
std::vector<std::map<QString, QString>> tsharkRows(const QString &file)
{
    QStringList args{QStringLiteral("-r"), file,
                     QStringLiteral("-T"), QStringLiteral("fields"),
                     QStringLiteral("-E"), QStringLiteral("separator=/t")};
    for (const QString &f : fields)
        args << QStringLiteral("-e") << f;
    QProcess tshark;
    tshark.start(tsharkPath, args);
    EXPECT_TRUE(tshark.waitForFinished(60000));
    EXPECT_EQ(tshark.exitCode(), 0) << tshark.readAllStandardError().toStdString();
    std::vector<std::map<QString, QString>> rows;
    for (const QString &line : QString::fromUtf8(tshark.readAllStandardOutput())
                                   .split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList values = line.split(QLatin1Char('\t'));
        std::map<QString, QString> row;
        for (qsizetype i = 0; i < fields.size(); ++i)
            row[fields[i]] = values.value(i);
        rows.push_back(row);
    }
    return rows;
}

// tshark lists every occurrence ("outer,inner"); the packet list shows the innermost.
QString last(const QString &values)
{
    return values.split(QLatin1Char(',')).constLast();
}

QString orEmpty(bool present, const QString &text)
{
    return present ? text : QString();
}

QString hex(qint64 value, int width)
{
    return QStringLiteral("0x%1").arg(value, width, 16, QLatin1Char('0'));
}

// Our values in tshark's spelling, for the fields both give.
std::map<QString, QString> ours(const PacketSummary &s, std::span<const quint8> frame)
{
    const bool v4 = s.source.kind == Address::Kind::IPv4;
    const bool v6 = s.source.kind == Address::Kind::IPv6;
    const bool hasTcp = s.tcpFlags >= 0;
    const bool hasUdp = !hasTcp && (s.sourcePort || s.destinationPort);
    std::map<QString, QString> r;
    r[QStringLiteral("frame.protocols")] = s.protocols();
    r[QStringLiteral("eth.src")] = s.macSource.toString();
    r[QStringLiteral("eth.dst")] = s.macDestination.toString();
    const bool service = s.layerCount > 1 && s.layers[1] == Protocol::ServiceVlan;
    r[QStringLiteral("ieee8021ad.id")] = orEmpty(service, QString::number(s.vlanIds[0]));
    r[QStringLiteral("vlan.id")] =
        orEmpty(s.vlanCount > (service ? 1 : 0), QString::number(s.vlanIds[service ? 1 : 0]));
    r[QStringLiteral("ip.src")] = orEmpty(v4, s.source.toString());
    r[QStringLiteral("ip.dst")] = orEmpty(v4, s.destination.toString());
    r[QStringLiteral("ipv6.src")] = orEmpty(v6, s.source.toString());
    r[QStringLiteral("ipv6.dst")] = orEmpty(v6, s.destination.toString());
    r[QStringLiteral("tcp.srcport")] = orEmpty(hasTcp, QString::number(s.sourcePort));
    r[QStringLiteral("tcp.dstport")] = orEmpty(hasTcp, QString::number(s.destinationPort));
    r[QStringLiteral("udp.srcport")] = orEmpty(hasUdp, QString::number(s.sourcePort));
    r[QStringLiteral("udp.dstport")] = orEmpty(hasUdp, QString::number(s.destinationPort));
    r[QStringLiteral("tcp.flags")] = orEmpty(hasTcp, hex(s.tcpFlags, 4));
    r[QStringLiteral("vxlan.vni")] = orEmpty(s.vni >= 0, QString::number(s.vni));
    r[QStringLiteral("gre.key")] = orEmpty(s.greKey >= 0, hex(s.greKey, 8));
    r[QStringLiteral("dhcp.option.dhcp")] =
        orEmpty(s.dhcpMessageType >= 0, QString::number(s.dhcpMessageType));
    r[QStringLiteral("dns.qry.name")] = dnsQueryName(s, frame);
    r[QStringLiteral("dns.flags.response")] =
        orEmpty(s.dnsFlags >= 0, QString::number(s.dnsFlags >> 15 & 1));
    const auto has = [&s](Protocol p) {
        return std::find(s.layers.begin(), s.layers.begin() + s.layerCount, p) !=
               s.layers.begin() + s.layerCount;
    };
    r[QStringLiteral("icmp.type")] = orEmpty(has(Protocol::Icmp), QString::number(s.icmpType));
    r[QStringLiteral("icmpv6.type")] = orEmpty(has(Protocol::Icmpv6), QString::number(s.icmpType));
    r[QStringLiteral("iscsi.opcode")] = orEmpty(s.iscsiOpcode >= 0, hex(s.iscsiOpcode, 2));
    r[QStringLiteral("arp.opcode")] = orEmpty(s.arpOpcode >= 0, QString::number(s.arpOpcode));
    return r;
}

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
        for (const auto &[field, value] : mine) {
            QString theirs = rows[i].at(field);
            if (field == QStringLiteral("frame.protocols"))
                theirs = theirs.split(QLatin1Char(':'))
                             .filter(QRegularExpression(QStringLiteral("^(?!ethertype$)")))
                             .join(QLatin1Char(':'));
            else if (!field.startsWith(QStringLiteral("eth.")))
                theirs = last(theirs);
            else
                theirs = theirs.split(QLatin1Char(',')).constFirst();
            EXPECT_EQ(value.toStdString(), theirs.toStdString())
                << all[i].name << ": " << field.toStdString();
        }
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
