#pragma once
// tshark as the dissectors' oracle (issue 16, "Done means"): our summary of a packet in tshark's
// field spelling, tshark's rows for a file, and the comparison (the fixtures' test, the committed
// namespace capture, the wire tests' live captures).

#include "collectors/capture/dissector.h"
#include "collectors/capture/pcapfile.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

namespace converge::capturetest {

using namespace converge::collectors;

inline const QStringList fields = {QStringLiteral("frame.protocols"),
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

inline const QString tsharkPath = QStringLiteral("/usr/bin/tshark");

// tshark's rows, one map of field -> value per packet.
inline std::vector<std::map<QString, QString>> tsharkRows(const QString &file)
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
inline QString last(const QString &values)
{
    return values.split(QLatin1Char(',')).constLast();
}

inline QString orEmpty(bool present, const QString &text)
{
    return present ? text : QString();
}

inline QString hex(qint64 value, int width)
{
    return QStringLiteral("0x%1").arg(value, width, 16, QLatin1Char('0'));
}

// Our values in tshark's spelling, for the fields both give.
inline std::map<QString, QString> ours(const PacketSummary &s, std::span<const quint8> frame)
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

// How deep a tshark field's protocol sits (a field of a layer that broke, or of one after it,
// is what tshark shows of a malformed packet as far as it got, which is its choice, not ours).
inline int depthOf(const QString &prefix)
{
    static const std::map<QString, int> depth{
        {QStringLiteral("eth"), 0},  {QStringLiteral("ieee8021ad"), 1},
        {QStringLiteral("vlan"), 1}, {QStringLiteral("arp"), 2},
        {QStringLiteral("ip"), 2},   {QStringLiteral("ipv6"), 2},
        {QStringLiteral("icmp"), 3}, {QStringLiteral("icmpv6"), 3},
        {QStringLiteral("tcp"), 3},  {QStringLiteral("udp"), 3},
        {QStringLiteral("gre"), 3},  {QStringLiteral("dhcp"), 4},
        {QStringLiteral("dns"), 4},  {QStringLiteral("vxlan"), 4},
        {QStringLiteral("iscsi"), 4}};
    const auto it = depth.find(prefix);
    return it == depth.end() ? -1 : it->second;
}

inline int malformedDepth(const PacketSummary &s)
{
    static const std::map<QString, QString> prefix{
        {QStringLiteral("Ethernet"), QStringLiteral("eth")},
        {QStringLiteral("802.1Q"), QStringLiteral("vlan")},
        {QStringLiteral("802.1ad"), QStringLiteral("ieee8021ad")},
        {QStringLiteral("ARP"), QStringLiteral("arp")},
        {QStringLiteral("IPv4"), QStringLiteral("ip")},
        {QStringLiteral("IPv6"), QStringLiteral("ipv6")},
        {QStringLiteral("ICMP"), QStringLiteral("icmp")},
        {QStringLiteral("ICMPv6"), QStringLiteral("icmpv6")},
        {QStringLiteral("TCP"), QStringLiteral("tcp")},
        {QStringLiteral("UDP"), QStringLiteral("udp")},
        {QStringLiteral("GRE"), QStringLiteral("gre")},
        {QStringLiteral("DHCP"), QStringLiteral("dhcp")},
        {QStringLiteral("DNS"), QStringLiteral("dns")},
        {QStringLiteral("VXLAN"), QStringLiteral("vxlan")},
        {QStringLiteral("iSCSI"), QStringLiteral("iscsi")}};
    if (!s.isMalformed())
        return 1000;
    const auto it = prefix.find(QLatin1String(s.malformed.layer));
    return it == prefix.end() ? 1000 : depthOf(it->second);
}

// tshark's stack where ours ends in payload: tshark may go on with a protocol we do not decode
// (http, data-text-lines) or none (a segment it keeps for reassembly); a protocol we do decode
// must be there in ours too.
inline QString comparableStack(const QString &ours, QString theirs)
{
    QStringList mine = ours.split(QLatin1Char(':'));
    if (mine.size() > 1 && mine.constLast() == QLatin1String("data"))
        mine.removeLast();
    const QStringList layers = theirs.split(QLatin1Char(':'));
    static const QStringList known{
        QStringLiteral("arp"),   QStringLiteral("ip"),     QStringLiteral("ipv6"),
        QStringLiteral("icmp"),  QStringLiteral("icmpv6"), QStringLiteral("tcp"),
        QStringLiteral("udp"),   QStringLiteral("dhcp"),   QStringLiteral("dns"),
        QStringLiteral("vxlan"), QStringLiteral("gre"),    QStringLiteral("lldp"),
        QStringLiteral("iscsi"), QStringLiteral("vlan")};
    if (layers.size() > mine.size() && !known.contains(layers[mine.size()]))
        return layers.mid(0, mine.size()).join(QLatin1Char(':'));
    return theirs;
}

// Each of our fields equals tshark's (its "ethertype" pseudo-layer aside; where tshark lists an
// outer and an inner value, the inner one, which the packet list shows). Left out: the fields of
// a malformed packet from the layer that broke on, and IP addresses when ARP is innermost (the
// summary keeps the innermost addresses, tshark's ip.src is the outer header's).
inline void expectSameAsTshark(const PacketSummary &s, const std::map<QString, QString> &mine,
                               const std::map<QString, QString> &row, const std::string &what)
{
    const bool arpInside = std::find(s.layers.begin(), s.layers.begin() + s.layerCount,
                                     Protocol::Arp) != s.layers.begin() + s.layerCount;
    const int broke = malformedDepth(s);
    for (const auto &[field, value] : mine) {
        const QString prefix = field.section(QLatin1Char('.'), 0, 0);
        if (depthOf(prefix) >= broke ||
            (arpInside && (prefix == QLatin1String("ip") || prefix == QLatin1String("ipv6"))))
            continue;
        QString theirs = row.at(field);
        QString ours = value;
        if (field == QStringLiteral("frame.protocols")) {
            theirs = theirs.split(QLatin1Char(':'))
                         .filter(QRegularExpression(QStringLiteral("^(?!ethertype$)")))
                         .join(QLatin1Char(':'));
            theirs = comparableStack(ours, theirs);
            if (ours.endsWith(QLatin1String(":data")) && !theirs.endsWith(QLatin1String(":data")))
                ours.chop(5);
        } else if (prefix != QLatin1String("eth"))
            theirs = last(theirs);
        else
            theirs = theirs.split(QLatin1Char(',')).constFirst();
        EXPECT_EQ(ours.toStdString(), theirs.toStdString()) << what << ": " << field.toStdString();
    }
}

// Every packet of the capture file at PATH, dissected by us and by tshark; returns how many.
inline int expectFileAgreesWithTshark(const QString &path)
{
    const auto rows = tsharkRows(path);
    auto file = PcapFile::open(path);
    EXPECT_TRUE(file) << (file ? std::string() : file.error().message.toStdString());
    if (!file)
        return 0;
    size_t i = 0;
    for (;; ++i) {
        auto next = file->next();
        EXPECT_TRUE(next) << (next ? std::string() : next.error().message.toStdString());
        if (!next || !*next)
            break;
        if (i >= rows.size()) {
            ADD_FAILURE() << path.toStdString() << ": tshark read fewer packets";
            break;
        }
        const PacketSummary s = dissectSummary((*next)->bytes);
        expectSameAsTshark(s, ours(s, (*next)->bytes), rows[i],
                           path.toStdString() + " packet " + std::to_string(i + 1));
    }
    EXPECT_EQ(i, rows.size()) << path.toStdString() << ": tshark read more packets";
    return int(i);
}

} // namespace converge::capturetest
