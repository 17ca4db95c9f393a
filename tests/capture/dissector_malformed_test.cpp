// A malformed packet shows where it broke, never a crash (issue 16, "Dissectors"): every
// prefix of every fixture is dissected, summary and tree.
#include "captureframes.h"
#include "collectors/capture/dissector.h"

#include <gtest/gtest.h>

#include <memory>

using namespace converge::collectors;
using namespace converge::capturetest;

namespace {

// A copy of the prefix alone on the heap, so that a read past it is a sanitizer error.
std::unique_ptr<quint8[]> copyOf(const QByteArray &frame, qsizetype length)
{
    auto bytes = std::make_unique<quint8[]>(size_t(std::max<qsizetype>(length, 1)));
    std::copy_n(frame.constData(), length, bytes.get());
    return bytes;
}

} // namespace

TEST(DissectorMalformed, EveryTruncationIsMalformedAtAnOffsetInsideThePacket)
{
    for (const Fixture &f : fixtures()) {
        const bool wholeIsValid = std::string(f.name) != "truncated-ipv4";
        for (qsizetype length = 0; length < f.frame.size(); ++length) {
            const auto bytes = copyOf(f.frame, length);
            const std::span<const quint8> prefix(bytes.get(), size_t(length));
            const PacketSummary s = dissectSummary(prefix);
            const ProtocolTree tree = dissectTree(prefix);
            if (!wholeIsValid && !s.isMalformed())
                continue;
            ASSERT_TRUE(s.isMalformed()) << f.name << " cut to " << length << " bytes";
            EXPECT_GE(s.malformed.offset, 0) << f.name;
            EXPECT_LE(s.malformed.offset, length) << f.name << " cut to " << length;
            ASSERT_FALSE(tree.empty());
            EXPECT_EQ(tree.back().name, QStringLiteral("Malformed Packet"));
            EXPECT_TRUE(s.info(prefix).contains(QStringLiteral("[Malformed Packet: ")));
        }
    }
}

TEST(DissectorMalformed, TruncatedIPv4HeaderSaysWhatAndWhere)
{
    for (const Fixture &f : fixtures()) {
        if (std::string(f.name) != "truncated-ipv4")
            continue;
        const std::span frame(reinterpret_cast<const quint8 *>(f.frame.constData()),
                              size_t(f.frame.size()));
        const PacketSummary s = dissectSummary(frame);
        EXPECT_EQ(
            s.malformed.text(),
            QStringLiteral("IPv4: header length 60 exceeds the 34 bytes captured, at offset 14"));
        EXPECT_EQ(s.protocols(), QStringLiteral("eth:ip"));
    }
}

TEST(DissectorMalformed, InvalidValuesAreNamed)
{
    // An IPv4 header length of 16 (IHL 4) and a TCP data offset of 12 bytes.
    const QByteArray badIhl = ethernet(mac(2), mac(1), 0x0800, Bytes().u8(0x44).zeros(19).data());
    const std::span a(reinterpret_cast<const quint8 *>(badIhl.constData()), size_t(badIhl.size()));
    EXPECT_EQ(dissectSummary(a).malformed.text(),
              QStringLiteral("IPv4: header length is below 20: 16, at offset 14"));
    QByteArray badTcp = ethernet(mac(2), mac(1), 0x0800, ipv4(6, 1, 2, tcp(1, 2, 0x002, {}, {})));
    badTcp[14 + 20 + 12] = char(0x30);
    const std::span b(reinterpret_cast<const quint8 *>(badTcp.constData()), size_t(badTcp.size()));
    EXPECT_EQ(dissectSummary(b).malformed.text(),
              QStringLiteral("TCP: header length is below 20: 12, at offset 34"));
}

TEST(DissectorMalformed, NestedEncapsulationStopsAtTheLayerLimit)
{
    // VXLAN in VXLAN in ...: each level adds Ethernet, IPv4, UDP and VXLAN.
    QByteArray frame = ethernet(mac(2), mac(1), 0x0800, ipv4(1, 1, 2, icmpEcho(8, 1, 1)));
    for (int i = 0; i < 8; ++i)
        frame = ethernet(
            mac(2), mac(1), 0x0800,
            ipv4(17, 1, 2, udp(1, 4789, Bytes().u32(0x08000000).u32(1 << 8).raw(frame).data())));
    const std::span s(reinterpret_cast<const quint8 *>(frame.constData()), size_t(frame.size()));
    const PacketSummary summary = dissectSummary(s);
    EXPECT_TRUE(summary.isMalformed());
    EXPECT_EQ(summary.layerCount, PacketSummary::maxLayers);
}

TEST(DissectorTree, FieldsSelectTheirBytes)
{
    const std::vector<Fixture> all = fixtures();
    const QByteArray &dns = all.front().frame; // dns-query
    const std::span frame(reinterpret_cast<const quint8 *>(dns.constData()), size_t(dns.size()));
    const ProtocolTree tree = dissectTree(frame);
    QStringList names;
    for (const ProtocolLayer &layer : tree) {
        names << layer.name;
        for (const ProtocolField &field : layer.fields) {
            EXPECT_GE(field.offset, layer.offset) << field.name.toStdString();
            EXPECT_LE(field.offset + field.length, dns.size()) << field.name.toStdString();
        }
    }
    EXPECT_EQ(names.join(QLatin1Char(':')), QStringLiteral("eth:ip:udp:dns"));
    const auto &dnsFields = tree.back().fields;
    const auto it = std::find_if(dnsFields.begin(), dnsFields.end(), [](const ProtocolField &f) {
        return f.name == QStringLiteral("query name");
    });
    ASSERT_NE(it, dnsFields.end());
    const ProtocolField &query = *it;
    EXPECT_EQ(query.display, QStringLiteral("www.example.org"));
    EXPECT_EQ(query.offset, 14 + 20 + 8 + 12);
    EXPECT_EQ(query.length, 17);
    EXPECT_EQ(dissectSummary(frame).info(frame), QStringLiteral("Standard query www.example.org"));
}

TEST(DissectorMalformed, OtherLinkTypesAreNamedNotGuessed)
{
    const QByteArray frame(64, '\x45');
    const std::span bytes(reinterpret_cast<const quint8 *>(frame.constData()),
                          size_t(frame.size()));
    const PacketSummary s = dissectSummary(bytes, LinkType(101)); // LINKTYPE_RAW
    EXPECT_EQ(s.malformed.text(),
              QStringLiteral("Frame: link type is not Ethernet (1): 101, at offset 0"));
    EXPECT_EQ(s.layerCount, 0);
}
