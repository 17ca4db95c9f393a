#include "printers.h"

#include "core/model/labels.h"

#include <gtest/gtest.h>

using namespace converge::core;

namespace {

using K = ElementKind;

Element element(const char *id, K kind, const char *parent, const char *name)
{
    return Element{QString::fromLatin1(id), kind, QString::fromLatin1(parent), 0,
                   QJsonObject{{QStringLiteral("name"), QString::fromLatin1(name)}}};
}

} // namespace

TEST(Labels, BandwidthIsWrittenWithSiUnitSymbols)
{
    EXPECT_EQ(formatBandwidth(10e9), QStringLiteral("10 Gb/s"));
    EXPECT_EQ(formatBandwidth(2.5e9), QStringLiteral("2.5 Gb/s"));
    EXPECT_EQ(formatBandwidth(300e6), QStringLiteral("300 Mb/s"));
    EXPECT_EQ(formatBandwidth(1234567), QStringLiteral("1.235 Mb/s"));
    EXPECT_EQ(formatBandwidth(1500), QStringLiteral("1.5 kb/s"));
    EXPECT_EQ(formatBandwidth(500), QStringLiteral("500 b/s"));
    EXPECT_EQ(formatBandwidth(1e12), QStringLiteral("1 Tb/s"));
}

TEST(Labels, VlanListsAreSortedWithRunsAsRanges)
{
    EXPECT_EQ(formatVlanList({30, 10, 11, 12}), QStringLiteral("10-12, 30"));
    EXPECT_EQ(formatVlanList({5}), QStringLiteral("5"));
    EXPECT_EQ(formatVlanList({20, 21, 21, 40}), QStringLiteral("20-21, 40"));
    EXPECT_EQ(formatVlanList({}), QString());
}

TEST(Labels, AVnicIsNamedWithItsVmAndHost)
{
    const Element host = element("h", K::Host, "", "hv1");
    const Element vm = element("h.g1", K::VirtualMachine, "h", "g1");
    const Element lan = element("h.g1.lan", K::VirtualNic, "h.g1", "LAN");
    const Element mgmt = element("h.mgmt", K::VirtualNic, "h", "Mgmt");
    EXPECT_EQ(vnicLabel(lan, &vm, &host), QStringLiteral("vNIC 'LAN' of VM 'g1' on host 'hv1'"));
    EXPECT_EQ(vnicLabel(mgmt, nullptr, &host), QStringLiteral("vNIC 'Mgmt' on host 'hv1'"));
    EXPECT_EQ(vnicLabel(lan, &vm, nullptr), QStringLiteral("vNIC 'LAN' of VM 'g1'"));
    EXPECT_EQ(elementLabel(element("h.eth1", K::PhysicalNic, "h", "eth1")),
              QStringLiteral("NIC 'eth1'"));
}
