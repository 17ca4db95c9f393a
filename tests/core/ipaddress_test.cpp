#include "core/util/ipaddress.h"

#include <gtest/gtest.h>

using namespace converge::core;

TEST(IpAddress, ParsesV4AndV6)
{
    EXPECT_TRUE(IpAddress::parse(QStringLiteral("10.127.4.50")));
    EXPECT_TRUE(IpAddress::parse(QStringLiteral("2001:db8::1")));
    EXPECT_FALSE(IpAddress::parse(QStringLiteral("10.127.4.256")));
    EXPECT_FALSE(IpAddress::parse(QStringLiteral("10.127.4")));
    EXPECT_FALSE(IpAddress::parse(QStringLiteral("")));
    EXPECT_EQ(IpAddress::parse(QStringLiteral("2001:0db8::0001"))->toString(),
              QStringLiteral("2001:db8::1"));
}

TEST(IpPrefix, ContainsAndOverlaps)
{
    // 003 Table 8: 10.127.4.50 / 255.255.252.0 is 10.127.4.0/22.
    const auto lan = IpPrefix::parse(QStringLiteral("10.127.4.50/22"));
    ASSERT_TRUE(lan);
    EXPECT_EQ(lan->network().address.toString(), QStringLiteral("10.127.4.0"));
    EXPECT_TRUE(lan->contains(*IpAddress::parse(QStringLiteral("10.127.7.255"))));
    EXPECT_FALSE(lan->contains(*IpAddress::parse(QStringLiteral("10.127.8.1"))));
    EXPECT_TRUE(lan->overlaps(*IpPrefix::parse(QStringLiteral("10.127.0.0/16"))));
    EXPECT_FALSE(lan->overlaps(*IpPrefix::parse(QStringLiteral("10.10.0.0/16"))));
    EXPECT_FALSE(lan->contains(*IpAddress::parse(QStringLiteral("::1"))));
    EXPECT_FALSE(IpPrefix::parse(QStringLiteral("10.0.0.0/-1")));
    EXPECT_FALSE(IpPrefix::parse(QStringLiteral("10.0.0.0/")));
    EXPECT_FALSE(IpPrefix::parse(QStringLiteral("10.0.0.0/+8")));
    EXPECT_TRUE(IpPrefix::parse(QStringLiteral("fd00::/8")));
}
