// The Info column of a packet whose payload is shown as data: the protocol that carries it
// speaks, as in Wireshark (found by convergectl dissect on the fixtures: an echo request inside
// VXLAN read "49152 → 4789", the outer UDP ports, and one in QinQ read nothing).
#include "captureframes.h"
#include "collectors/capture/dissector.h"

#include <gtest/gtest.h>

using namespace converge::collectors;
using namespace converge::capturetest;

namespace {

QString infoOf(const char *name)
{
    for (const Fixture &f : fixtures())
        if (std::string(f.name) == name) {
            const std::span frame(reinterpret_cast<const quint8 *>(f.frame.constData()),
                                  size_t(f.frame.size()));
            return dissectSummary(frame).info(frame);
        }
    return QStringLiteral("no fixture");
}

} // namespace

TEST(DissectorInfo, DataPayloadShowsTheProtocolCarryingIt)
{
    EXPECT_EQ(infoOf("qinq-icmp"), QStringLiteral("Echo (ping) request"));
    EXPECT_EQ(infoOf("vxlan-icmp"), QStringLiteral("Echo (ping) request"));
    EXPECT_EQ(infoOf("nvgre-udp"), QStringLiteral("1234 → 5678"));
    EXPECT_EQ(infoOf("ipv4-fragment"), QStringLiteral("Fragmented IP protocol"));
}

TEST(DissectorInfo, TcpSegmentWithDataShowsItsFlags)
{
    const QByteArray frame =
        ethernet(mac(2), mac(1), 0x0800,
                 ipv4(6, 0x0a000001, 0x0a000002, tcp(40000, 8080, 0x018, {}, "hello")));
    const std::span bytes(reinterpret_cast<const quint8 *>(frame.constData()),
                          size_t(frame.size()));
    const PacketSummary s = dissectSummary(bytes);
    ASSERT_EQ(s.protocols(), QStringLiteral("eth:ip:tcp:data"));
    EXPECT_EQ(s.info(bytes), QStringLiteral("40000 → 8080 [PSH, ACK]"));
}
