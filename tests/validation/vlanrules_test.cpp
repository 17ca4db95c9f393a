// One test per VLAN, PVLAN and MTU rule: it fires on a minimal bad design and stays silent once
// corrected; and the sample designs break none of them.
#include "rulestestsupport.h"

#include "core/model/commands.h"
#include "core/validation/catalog.h"
#include "core/validation/validationengine.h"

#include <QFile>
#include <QJsonArray>

#include <gtest/gtest.h>

using namespace converge::testing;
using converge::core::Finding;
using converge::core::Severity;

namespace {

// Host hv1: NIC eth1 (`nic` adds its properties) under the external switch vsLAN, VM vm1 with the
// vNICs `vnics`; eth1 is cabled to port p1 (`port`: its properties) of physical switch tor1.
QByteArray pathDoc(const char *vnics, const char *port, const char *nic = "", const char *top = "")
{
    const QByteArray body =
        QByteArray(R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1")") + nic +
        R"(}], "switches": [{"id": "vs", "name": "vsLAN", "type": "External", "uplink": "n1"}],
        "vms": [{"id": "vm", "name": "vm1", "vnics": [)" +
        vnics + "]}]";
    const QByteArray physical =
        QByteArray(
            R"("physicalSwitches": [{"id": "s1", "name": "tor1", "ports": [{"id": "p1", "name": "Te1/0/1")") +
        port + R"(}]}], "links": [{"id": "l1", "name": "c1", "a": "n1", "b": "p1"}], )" + top;
    return hostDocument(body.constData(), physical.constData());
}

const char *accessPort10 = R"(, "mode": "Access", "accessVlan": 10)";

} // namespace

TEST(VlanRules, Vlan001VnicIdsAreOneTo4094)
{
    const auto zero = findingsOf(
        "VLAN-001", pathDoc(R"({"id": "v", "name": "web", "vlanMode": "Access", "accessVlan": 0})",
                            accessPort10));
    ASSERT_EQ(zero.size(), 1u);
    EXPECT_EQ(zero[0].severity, Severity::Error);
    EXPECT_EQ(zero[0].elements, ids({"v"}));
    EXPECT_EQ(
        zero[0].message,
        QStringLiteral("vNIC 'web' of VM 'vm1' on host 'hv1' has access VLAN 0; 802.1Q VLAN ids "
                       "are 1-4094 (0 and 4095 are reserved). Use ids in that range (an untagged "
                       "vNIC needs no VLAN id)."));
    ASSERT_TRUE(zero[0].fix);
    EXPECT_EQ(zero[0].fix->changes.front().value.toString(), QStringLiteral("Untagged"));

    const auto trunk = findingsOf(
        "VLAN-001",
        pathDoc(
            R"({"id": "v", "name": "web", "vlanMode": "Trunk", "trunkVlans": [10, 4095], "nativeVlan": 10})",
            accessPort10));
    ASSERT_EQ(trunk.size(), 1u);
    EXPECT_TRUE(trunk[0].message.contains(QStringLiteral("trunk VLAN 4095")));
    ASSERT_TRUE(trunk[0].fix);
    EXPECT_EQ(trunk[0].fix->changes.front().value.toArray(), QJsonArray{10});

    const auto pvlan = findingsOf(
        "VLAN-001",
        pathDoc(
            R"({"id": "v", "name": "web", "vlanMode": "Pvlan", "pvlanPrimary": 4095, "pvlanSecondary": 0, "pvlanMode": "Isolated"})",
            accessPort10));
    ASSERT_EQ(pvlan.size(), 1u);
    EXPECT_TRUE(pvlan[0].message.contains(
        QStringLiteral("PVLAN primary VLAN 4095, PVLAN secondary VLAN 0")));

    EXPECT_TRUE(
        findingsOf(
            "VLAN-001",
            pathDoc(R"({"id": "v", "name": "web", "vlanMode": "Access", "accessVlan": 4094})",
                    accessPort10))
            .empty());
}

TEST(VlanRules, Vlan002VnicVlanAllowedOnThePort)
{
    const char *vnic20 =
        R"({"id": "v", "name": "web", "switch": "vs", "vlanMode": "Access", "accessVlan": 20})";
    const auto access = findingsOf("VLAN-002", pathDoc(vnic20, accessPort10));
    ASSERT_EQ(access.size(), 1u);
    EXPECT_EQ(access[0].severity, Severity::Error);
    EXPECT_EQ(access[0].elements, ids({"n1", "v", "p1"}));
    EXPECT_EQ(
        access[0].message,
        QStringLiteral("vNIC 'web' of VM 'vm1' on host 'hv1' sends VLAN 20 through NIC 'eth1', "
                       "which is cabled to switch port 'Te1/0/1' on physical switch 'tor1'; that "
                       "port is an access port of VLAN 10 and does not carry VLAN 20. Allow VLAN "
                       "20 on the port or change the vNIC's VLAN setting."));
    EXPECT_FALSE(access[0].fix)
        << "turning an access port into a trunk is not a one-property change";

    const char *trunk = R"(, "mode": "Trunk", "allowedVlans": [10, 30], "nativeVlan": 10)";
    const auto trunked = findingsOf("VLAN-002", pathDoc(vnic20, trunk));
    ASSERT_EQ(trunked.size(), 1u);
    ASSERT_TRUE(trunked[0].fix);
    EXPECT_EQ(trunked[0].fix->changes.front().id, QStringLiteral("p1"));
    EXPECT_EQ(trunked[0].fix->changes.front().value.toArray(), (QJsonArray{10, 20, 30}));

    // Every id of a trunk vNIC must be allowed; only the missing ones are named.
    const char *trunkVnic =
        R"({"id": "v", "name": "web", "switch": "vs", "vlanMode": "Trunk", "trunkVlans": [10, 20, 30], "nativeVlan": 10})";
    const auto partly = findingsOf(
        "VLAN-002", pathDoc(trunkVnic, R"(, "mode": "Trunk", "allowedVlans": [10, 30])"));
    ASSERT_EQ(partly.size(), 1u);
    EXPECT_TRUE(partly[0].message.contains(QStringLiteral("does not carry VLAN 20.")));

    // Corrected: allowed, the native VLAN, a trunk with no list (all VLANs), an untagged vNIC.
    EXPECT_TRUE(
        findingsOf("VLAN-002", pathDoc(vnic20, R"(, "mode": "Trunk", "allowedVlans": [10, 20])"))
            .empty());
    EXPECT_TRUE(
        findingsOf("VLAN-002",
                   pathDoc(vnic20, R"(, "mode": "Trunk", "allowedVlans": [10], "nativeVlan": 20)"))
            .empty());
    EXPECT_TRUE(findingsOf("VLAN-002", pathDoc(vnic20, R"(, "mode": "Trunk")")).empty());
    EXPECT_TRUE(
        findingsOf("VLAN-002",
                   pathDoc(R"({"id": "v", "name": "web", "switch": "vs", "vlanMode": "Untagged"})",
                           accessPort10))
            .empty());
    EXPECT_TRUE(
        findingsOf("VLAN-002",
                   pathDoc(R"({"id": "v", "name": "web", "switch": "vs", "accessVlan": 10})",
                           accessPort10))
            .empty());
}

// Live validation: the finding follows edits on either side, and its quick fix clears it.
TEST(VlanRules, Vlan002FollowsEditsOnBothSides)
{
    using namespace converge::core;
    Design design = loadDesign(pathDoc(
        R"({"id": "v", "name": "web", "switch": "vs", "vlanMode": "Access", "accessVlan": 20})",
        R"(, "mode": "Trunk", "allowedVlans": [10])"));
    const std::vector<Rule> one{*findRule(QStringLiteral("VLAN-002"))};
    ValidationEngine engine(one);
    engine.attach(design);
    ASSERT_EQ(engine.findings().size(), 1u);
    EditHistory history(design);
    const auto fix = quickFixEdit(design, *engine.findings().front().fix);
    ASSERT_TRUE(fix);
    ASSERT_TRUE(history.push(*fix));
    EXPECT_TRUE(engine.findings().empty());
    const auto move =
        commands::setProperty(design, QStringLiteral("v"), QStringLiteral("accessVlan"), 40);
    ASSERT_TRUE(move);
    ASSERT_TRUE(history.push(*move));
    EXPECT_EQ(engine.findings().size(), 1u) << "VLAN 40 is not allowed on the port";
    ASSERT_TRUE(history.undo());
    ASSERT_TRUE(history.undo());
    EXPECT_EQ(engine.findings().size(), 1u);
}

TEST(VlanRules, Vlan002FollowsEachTeamMember)
{
    const QByteArray body = R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1"},
                                         {"id": "n2", "name": "eth2", "interfaceName": "eth2"}],
        "teams": [{"id": "t", "name": "LAN", "members": ["n1", "n2"]}],
        "switches": [{"id": "vs", "name": "vsLAN", "type": "External", "uplink": "t"}],
        "vnics": [{"id": "v", "name": "Mgmt", "switch": "vs", "vlanMode": "Access", "accessVlan": 20}])";
    auto doc = [&](const char *p2) {
        const QByteArray top =
            QByteArray(R"("physicalSwitches": [{"id": "s1", "name": "tor1", "ports": [
            {"id": "p1", "name": "1", "mode": "Trunk", "allowedVlans": [10, 20]},
            {"id": "p2", "name": "2", "mode": "Trunk", "allowedVlans": )") +
            p2 + R"(}]}],
            "links": [{"id": "l1", "name": "c1", "a": "n1", "b": "p1"}, {"id": "l2", "name": "c2", "a": "p2", "b": "n2"}], )";
        return hostDocument(body.constData(), top.constData());
    };
    const auto bad = findingsOf("VLAN-002", doc("[10]"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].elements, ids({"n2", "v", "p2"}));
    EXPECT_TRUE(bad[0].message.startsWith(
        QStringLiteral("vNIC 'Mgmt' on host 'hv1' sends VLAN 20 through NIC 'eth2'")));
    EXPECT_TRUE(findingsOf("VLAN-002", doc("[10, 20]")).empty());
}

TEST(VlanRules, Vlan003PvlanPairAndReach)
{
    const auto noSecondary = findingsOf(
        "VLAN-003",
        pathDoc(
            R"({"id": "v", "name": "web", "vlanMode": "Pvlan", "pvlanPrimary": 100, "pvlanMode": "Isolated"})",
            accessPort10));
    ASSERT_EQ(noSecondary.size(), 1u);
    EXPECT_EQ(noSecondary[0].severity, Severity::Error);
    EXPECT_TRUE(noSecondary[0].message.contains(QStringLiteral("has no secondary VLAN")));

    const auto same = findingsOf(
        "VLAN-003",
        pathDoc(
            R"({"id": "v", "name": "web", "vlanMode": "Pvlan", "pvlanPrimary": 100, "pvlanSecondary": 100, "pvlanMode": "Community"})",
            accessPort10));
    ASSERT_EQ(same.size(), 1u);
    EXPECT_TRUE(same[0].message.contains(QStringLiteral("must differ from the primary")));

    // An isolated port whose gateway is another isolated port of the same PVLAN reaches nothing.
    auto withGateway = [](const char *gatewayMode) {
        const QByteArray vnics =
            QByteArray(
                R"({"id": "v", "name": "web", "vlanMode": "Pvlan", "pvlanPrimary": 100, "pvlanSecondary": 101,
            "pvlanMode": "Isolated", "addresses": ["10.0.0.5/24"], "gateway": "10.0.0.1"},
            {"id": "g", "name": "router", "vlanMode": "Pvlan", "pvlanPrimary": 100, "pvlanSecondary": 101,
             "pvlanMode": ")") +
            gatewayMode + R"(", "addresses": ["10.0.0.1/24"]})";
        return pathDoc(vnics.constData(), accessPort10);
    };
    const auto unreachable = findingsOf("VLAN-003", withGateway("Isolated"));
    ASSERT_EQ(unreachable.size(), 1u);
    EXPECT_EQ(unreachable[0].elements, ids({"v", "g"}));
    EXPECT_TRUE(unreachable[0].message.contains(
        QStringLiteral("an isolated port only reaches promiscuous ports")));
    EXPECT_TRUE(findingsOf("VLAN-003", withGateway("Promiscuous")).empty());
}

// Open vSwitch crosses between a PVLAN's secondary VLANs and its primary by MAC: a PVLAN vNIC on a
// linux-ovs host without one cannot be realized faithfully; on Hyper-V the switch does it.
TEST(VlanRules, Vlan009PvlanPortOnLinuxOvsHasAMac)
{
    const char *isolated =
        R"({"id": "v", "name": "web", "vlanMode": "Pvlan", "pvlanPrimary": 100, "pvlanSecondary": 101,
            "pvlanMode": "Isolated"})";
    QByteArray onOvs = pathDoc(isolated, accessPort10);
    onOvs.replace("\"platform\": \"hyperv\"", "\"platform\": \"linux-ovs\"");
    const auto missing = findingsOf("VLAN-009", onOvs);
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing[0].severity, Severity::Error);
    EXPECT_EQ(missing[0].elements, ids({"v"}));
    EXPECT_TRUE(missing[0].message.contains(QStringLiteral("has no MAC address")));
    QByteArray withMac = onOvs;
    withMac.replace("\"pvlanMode\": \"Isolated\"",
                    "\"pvlanMode\": \"Isolated\", \"mac\": \"02:00:00:00:00:01\"");
    EXPECT_TRUE(findingsOf("VLAN-009", withMac).empty());
    EXPECT_TRUE(findingsOf("VLAN-009", pathDoc(isolated, accessPort10)).empty()) << "Hyper-V";
}

TEST(VlanRules, Vlan004TrunkNativeIsAllowed)
{
    const auto bad = findingsOf(
        "VLAN-004",
        pathDoc(
            R"({"id": "v", "name": "web", "vlanMode": "Trunk", "trunkVlans": [10, 20], "nativeVlan": 5})",
            accessPort10));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("vNIC 'web' of VM 'vm1' on host 'hv1' is in trunk mode with native VLAN 5, "
                       "which is not among its allowed VLANs 10, 20; add it to the allowed VLANs "
                       "or pick one of them as native."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().value.toArray(), (QJsonArray{10, 20, 5}));
    EXPECT_EQ(
        findingsOf("VLAN-004",
                   pathDoc(R"({"id": "v", "name": "web", "vlanMode": "Trunk", "trunkVlans": []})",
                           accessPort10))
            .size(),
        1u);
    EXPECT_TRUE(
        findingsOf(
            "VLAN-004",
            pathDoc(
                R"({"id": "v", "name": "web", "vlanMode": "Trunk", "trunkVlans": [5, 10, 20], "nativeVlan": 5})",
                accessPort10))
            .empty());
}

TEST(VlanRules, Vlan005PvlanConsistentOnASwitch)
{
    auto doc = [](const char *secondPrimary, const char *secondMode) {
        const QByteArray vnics =
            QByteArray(
                R"({"id": "a", "name": "web1", "switch": "vs", "vlanMode": "Pvlan", "pvlanPrimary": 100, "pvlanSecondary": 101, "pvlanMode": "Isolated"},
            {"id": "b", "name": "web2", "switch": "vs", "vlanMode": "Pvlan", "pvlanPrimary": )") +
            secondPrimary + R"(, "pvlanSecondary": 101, "pvlanMode": ")" + secondMode + R"("},
            {"id": "c", "name": "router", "switch": "vs", "vlanMode": "Pvlan", "pvlanPrimary": 100, "pvlanSecondary": 101, "pvlanMode": "Promiscuous"})";
        return pathDoc(vnics.constData(), accessPort10);
    };
    const auto primaries = findingsOf("VLAN-005", doc("200", "Isolated"));
    ASSERT_EQ(primaries.size(), 1u);
    EXPECT_EQ(primaries[0].severity, Severity::Error);
    EXPECT_EQ(primaries[0].elements, ids({"vs", "a", "b", "c"}));
    EXPECT_EQ(
        primaries[0].message,
        QStringLiteral("virtual switch 'vsLAN' on host 'hv1' has inconsistent PVLAN settings for "
                       "secondary VLAN 101: it is paired with primary VLANs 100, 200 (vNICs web1, "
                       "web2, router). A secondary VLAN belongs to one primary VLAN and one mode; "
                       "make the vNICs' PVLAN settings agree."));
    const auto modes = findingsOf("VLAN-005", doc("100", "Community"));
    ASSERT_EQ(modes.size(), 1u);
    EXPECT_TRUE(
        modes[0].message.contains(QStringLiteral("it is used in modes community and isolated")));
    // VLAN 101 is x's secondary and y's primary.
    const auto both = findingsOf(
        "VLAN-005",
        pathDoc(
            R"({"id": "x", "name": "x", "switch": "vs", "vlanMode": "Pvlan", "pvlanPrimary": 100, "pvlanSecondary": 101, "pvlanMode": "Isolated"},
                   {"id": "y", "name": "y", "switch": "vs", "vlanMode": "Pvlan", "pvlanPrimary": 101, "pvlanSecondary": 102, "pvlanMode": "Isolated"})",
            accessPort10));
    ASSERT_EQ(both.size(), 1u);
    EXPECT_EQ(both[0].elements, ids({"vs", "x", "y"}));
    EXPECT_TRUE(
        both[0].message.contains(QStringLiteral("secondary VLAN 101: it is also a primary VLAN")));
    EXPECT_TRUE(findingsOf("VLAN-005", doc("100", "Isolated")).empty());
}

TEST(VlanRules, Vlan006PortIds)
{
    const auto bad =
        findingsOf("VLAN-006", pathDoc(R"({"id": "v", "name": "web"})",
                                       R"(, "mode": "Trunk", "allowedVlans": [0, 10])"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].message,
              QStringLiteral(
                  "switch port 'Te1/0/1' on physical switch 'tor1' has allowed VLAN 0; "
                  "802.1Q VLAN ids are 1-4094 (0 and 4095 are reserved). Use ids in that range."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().value.toArray(), QJsonArray{10});
    EXPECT_EQ(findingsOf("VLAN-006", pathDoc(R"({"id": "v", "name": "web"})",
                                             R"(, "mode": "Access", "accessVlan": 4095)"))
                  .size(),
              1u);
    EXPECT_TRUE(
        findingsOf("VLAN-006", pathDoc(R"({"id": "v", "name": "web"})", accessPort10)).empty());
}

TEST(VlanRules, Vlan007VlanElementId)
{
    auto doc = [](const char *id) {
        const QByteArray top =
            QByteArray(R"("vlans": [{"id": "vl", "name": "Servers", "vlanId": )") + id + "}], ";
        return hostDocument("\"edition\": \"Datacenter\"", top.constData());
    };
    const auto bad = findingsOf("VLAN-007", doc("4095"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral(
            "VLAN 'Servers' has id 4095; 802.1Q VLAN ids are 1-4094 (0 and 4095 are reserved)."));
    EXPECT_TRUE(findingsOf("VLAN-007", doc("1")).empty());
}

TEST(VlanRules, Vlan008TeamInterfaces)
{
    auto doc = [](const char *interfaces) {
        const QByteArray body =
            QByteArray(R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1"}],
            "teams": [{"id": "t", "name": "HostTeam", "members": ["n1"], "teamInterfaces": )") +
            interfaces + "}]";
        return hostDocument(body.constData(),
                            R"("physicalSwitches": [{"id": "s1", "name": "tor1", "ports": [
            {"id": "p1", "name": "1", "mode": "Trunk", "allowedVlans": [10, 20]}]}],
            "links": [{"id": "l1", "name": "c1", "a": "n1", "b": "p1"}], )");
    };
    const auto zero =
        findingsOf("VLAN-008", doc(R"([{"name": "HostTeam"}, {"name": "Zero", "vlan": 0}])"));
    ASSERT_EQ(zero.size(), 1u);
    EXPECT_TRUE(zero[0].message.startsWith(
        QStringLiteral("Team interface 'Zero' of team 'HostTeam' on host 'hv1' has VLAN 0")));
    ASSERT_TRUE(zero[0].fix);
    EXPECT_EQ(zero[0]
                  .fix->changes.front()
                  .value.toArray()
                  .at(1)
                  .toObject()
                  .value(QStringLiteral("vlan"))
                  .type(),
              QJsonValue::Undefined);
    EXPECT_TRUE(
        findingsOf("VLAN-008", doc(R"([{"name": "HostTeam"}, {"name": "V4094", "vlan": 4094}])"))
            .empty());

    // VLAN-002 checks the team interfaces' VLANs on the members' ports like a vNIC's.
    const auto uncarried =
        findingsOf("VLAN-002", doc(R"([{"name": "HostTeam"}, {"name": "V30", "vlan": 30}])"));
    ASSERT_EQ(uncarried.size(), 1u);
    EXPECT_EQ(uncarried[0].elements, ids({"n1", "t", "p1"}));
    EXPECT_TRUE(uncarried[0].message.startsWith(QStringLiteral(
        "Team interface 'V30' of team 'HostTeam' on host 'hv1' sends VLAN 30 through NIC 'eth1'")));
    EXPECT_TRUE(
        findingsOf("VLAN-002", doc(R"([{"name": "HostTeam"}, {"name": "V20", "vlan": 20}])"))
            .empty());
}

TEST(VlanRules, Mtu001PathDoesNotShrink)
{
    const auto vnicAbove =
        findingsOf("MTU-001", pathDoc(R"({"id": "v", "name": "web", "switch": "vs", "mtu": 9000})",
                                      R"(, "mtu": 9000)", R"(, "mtu": 1500)"));
    ASSERT_EQ(vnicAbove.size(), 1u);
    EXPECT_EQ(vnicAbove[0].severity, Severity::Warning);
    EXPECT_EQ(vnicAbove[0].elements, ids({"n1", "v"}));
    EXPECT_EQ(
        vnicAbove[0].message,
        QStringLiteral("vNIC 'web' of VM 'vm1' on host 'hv1' has MTU 9000, above the MTU 1500 of "
                       "NIC 'eth1' under its virtual switch 'vsLAN'; the path must not shrink. "
                       "Lower the vNIC's MTU or raise the NIC's."));
    ASSERT_TRUE(vnicAbove[0].fix);
    EXPECT_EQ(vnicAbove[0].fix->changes.front().value.toInt(), 1500);

    const auto nicAbove =
        findingsOf("MTU-001", pathDoc(R"({"id": "v", "name": "web", "switch": "vs", "mtu": 1500})",
                                      R"(, "mtu": 1500)", R"(, "mtu": 9000)"));
    ASSERT_EQ(nicAbove.size(), 1u);
    EXPECT_EQ(nicAbove[0].elements, ids({"n1", "p1"}));

    EXPECT_TRUE(
        findingsOf("MTU-001", pathDoc(R"({"id": "v", "name": "web", "switch": "vs", "mtu": 1500})",
                                      R"(, "mtu": 9000)", R"(, "mtu": 9000)"))
            .empty());
    EXPECT_TRUE(
        findingsOf("MTU-001",
                   pathDoc(R"({"id": "v", "name": "web", "switch": "vs", "mtu": 9000})", "", ""))
            .empty())
        << "unset MTUs are not compared";
}

TEST(VlanRules, Mtu002IscsiJumboFrames)
{
    const char *san =
        R"({"id": "v", "name": "SAN1", "switch": "vs", "trafficRole": "iSCSI", "mtu": 9000})";
    const auto bad =
        findingsOf("MTU-002", pathDoc(san, R"(, "mtu": 1500)", R"(, "role": "iSCSI")"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Info);
    EXPECT_EQ(bad[0].elements, ids({"n1", "p1"}));
    EXPECT_EQ(bad[0].message,
              QStringLiteral(
                  "The iSCSI path through NIC 'eth1' on host 'hv1' does not use jumbo frames: "
                  "NIC 'eth1' (MTU 1500), switch port 'Te1/0/1' on physical switch 'tor1' (MTU "
                  "1500). Jumbo frames of 9000 bytes end to end reduce iSCSI overhead."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.size(), 2u);

    EXPECT_TRUE(
        findingsOf("MTU-002", pathDoc(san, R"(, "mtu": 9000)", R"(, "role": "iSCSI", "mtu": 9000)"))
            .empty());
    EXPECT_TRUE(
        findingsOf("MTU-002",
                   pathDoc(R"({"id": "v", "name": "LAN", "switch": "vs", "trafficRole": "LAN"})",
                           R"(, "mtu": 1500)", R"(, "role": "LAN")"))
            .empty());
}

// The samples are drawn from the sources and meant clean (docs/samples.md).
TEST(VlanRules, SamplesBreakNoVlanOrMtuRule)
{
    for (const char *file : cleanSamples) {
        const auto design = loadSample(file);
        for (const char *id : {"VLAN-001", "VLAN-002", "VLAN-003", "VLAN-004", "VLAN-005",
                               "VLAN-006", "VLAN-007", "VLAN-008", "MTU-001", "MTU-002"})
            for (const Finding &f : findingsOf(id, design))
                ADD_FAILURE() << file << ": " << testing::PrintToString(f);
    }
}

// Untagged frames ride a trunk's native VLAN: a trunk without one, or whose allowed list leaves
// it out, drops them (VLAN-002 used to skip untagged vNICs).
TEST(VlanRules, Vlan002UntaggedVnicOverATrunk)
{
    const char *untagged = R"({"id": "v", "name": "web", "switch": "vs", "vlanMode": "Untagged"})";
    const auto none =
        findingsOf("VLAN-002", pathDoc(untagged, R"(, "mode": "Trunk", "allowedVlans": [10, 20])"));
    ASSERT_EQ(none.size(), 1u);
    EXPECT_EQ(none[0].severity, Severity::Error);
    EXPECT_EQ(none[0].elements, ids({"n1", "v", "p1"}));
    EXPECT_EQ(none[0].message,
              QStringLiteral("vNIC 'web' of VM 'vm1' on host 'hv1' sends untagged frames through "
                             "NIC 'eth1', which is cabled to switch port 'Te1/0/1' on physical "
                             "switch 'tor1'; that port is a trunk port allowing VLANs 10, 20 and "
                             "it has no native VLAN, so the frames are dropped. Give the port a "
                             "native VLAN it carries, or tag the vNIC's traffic."));
    EXPECT_FALSE(none[0].fix);

    const char *noMode = R"({"id": "v", "name": "web", "switch": "vs"})";
    const auto uncarried = findingsOf(
        "VLAN-002",
        pathDoc(noMode, R"(, "mode": "Trunk", "allowedVlans": [10, 20], "nativeVlan": 30)"));
    ASSERT_EQ(uncarried.size(), 1u) << "no VLAN mode and no access VLAN: untagged";
    EXPECT_TRUE(uncarried[0].message.contains(
        QStringLiteral("its native VLAN 30 is not among its allowed VLANs")));
    ASSERT_TRUE(uncarried[0].fix);
    EXPECT_EQ(uncarried[0].fix->changes.front().value.toArray(), (QJsonArray{10, 20, 30}));

    EXPECT_TRUE(
        findingsOf(
            "VLAN-002",
            pathDoc(untagged, R"(, "mode": "Trunk", "allowedVlans": [10, 20], "nativeVlan": 10)"))
            .empty());
    EXPECT_TRUE(
        findingsOf("VLAN-002", pathDoc(untagged, R"(, "mode": "Trunk", "nativeVlan": 30)")).empty())
        << "a trunk without a list carries every VLAN";
    EXPECT_TRUE(findingsOf("VLAN-002", pathDoc(untagged, accessPort10)).empty());
}
