#include "core/model/commands.h"
#include "core/model/palette.h"

#include <gtest/gtest.h>

namespace converge::core {
namespace {

using K = ElementKind;

Element added(Design &d, K kind, const QString &parent = {})
{
    auto edit = palette::addDefault(d, kind, parent);
    EXPECT_TRUE(edit.has_value()) << (edit ? "" : edit.error().message.toStdString());
    EXPECT_TRUE(d.apply(*edit));
    return edit->ops.front().element;
}

TEST(Palette, NewElementsGetFreeNamesAndWhatTheyNeedToBeValid)
{
    Design d;
    const Element host = added(d, K::Host);
    EXPECT_EQ(host.name(), QStringLiteral("Host 1"));
    EXPECT_EQ(added(d, K::Host).name(), QStringLiteral("Host 2"));
    EXPECT_EQ(added(d, K::PhysicalNic, host.id).value(QStringLiteral("interfaceName")).toString(),
              QStringLiteral("eth1"));
    EXPECT_EQ(added(d, K::PhysicalNic, host.id).name(), QStringLiteral("eth2"));
    EXPECT_EQ(added(d, K::Vlan).value(QStringLiteral("vlanId")).toInt(), 10);
    EXPECT_EQ(added(d, K::Vlan).value(QStringLiteral("vlanId")).toInt(), 20);
    auto subnet = commands::addElement(d, K::Subnet, {},
                                       {{QStringLiteral("name"), QStringLiteral("taken")},
                                        {QStringLiteral("prefix"), QStringLiteral("10.1.0.0/16")}});
    ASSERT_TRUE(subnet && d.apply(*subnet));
    EXPECT_EQ(added(d, K::Subnet).value(QStringLiteral("prefix")).toString(),
              QStringLiteral("10.2.0.0/24"))
        << "10.1.0.0/24 overlaps the 10.1.0.0/16 already there";
}

TEST(Palette, TheOwnerComesFromTheSelectionOrTheErrorSaysWhatToSelect)
{
    Design d;
    const Element host = added(d, K::Host);
    const Element vm = added(d, K::VirtualMachine, host.id);
    const Element nic = added(d, K::PhysicalNic, host.id);
    EXPECT_EQ(*palette::ownerFor(d, K::VirtualNic, {vm.id}), vm.id);
    EXPECT_EQ(*palette::ownerFor(d, K::Team, {nic.id}), host.id) << "the NIC's host";
    EXPECT_EQ(*palette::ownerFor(d, K::Host, {nic.id}), QString()) << "hosts are top level";
    auto none = palette::ownerFor(d, K::SwitchPort, {nic.id});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message,
              QStringLiteral("Select a physical switch to add a switch port to."));
    EXPECT_FALSE(palette::addDefault(d, K::Link, {})) << "cables are made by connecting";
}

} // namespace
} // namespace converge::core
