// One test per virtual switch rule: it fires on a minimal bad design and stays silent once
// corrected.
#include "rulestestsupport.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace converge::testing;
using converge::core::Severity;

namespace {

// eth1 and eth2 plain 10 GbE NICs, eth3 SR-IOV with 2 virtual functions; `rest` adds host
// members (switches, vNICs, VMs, teams), each starting with a comma.
QByteArray switchDoc(const char *rest)
{
    const QByteArray body = QByteArray(R"("nics": [
            {"id": "n1", "name": "eth1", "interfaceName": "eth1", "speed": 10000000000},
            {"id": "n2", "name": "eth2", "interfaceName": "eth2", "speed": 10000000000},
            {"id": "n3", "name": "eth3", "interfaceName": "eth3", "sriov": true, "vfCount": 2}])") +
                            rest;
    return hostDocument(body.constData());
}

} // namespace

TEST(SwitchRules, Vsw001UplinkByType)
{
    const auto missing = findingsOf(
        "VSW-001", switchDoc(R"(, "switches": [{"id": "vs", "name": "LAN", "type": "External"}])"));
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing[0].severity, Severity::Error);
    EXPECT_EQ(missing[0].message,
              QStringLiteral("virtual switch 'LAN' on host 'hv1' is external but has no uplink; an "
                             "external switch uses exactly one physical NIC or team. Choose its "
                             "uplink."));
    EXPECT_EQ(missing[0].elements, ids({"vs"}));

    const auto privateUplink = findingsOf(
        "VSW-001",
        switchDoc(
            R"(, "switches": [{"id": "vs", "name": "Lab", "type": "Private", "uplink": "n1"}])"));
    ASSERT_EQ(privateUplink.size(), 1u);
    EXPECT_EQ(privateUplink[0].elements, ids({"vs", "n1"}));
    EXPECT_TRUE(privateUplink[0].message.contains(QStringLiteral("is private but has NIC 'eth1'")));
    ASSERT_TRUE(privateUplink[0].fix);
    EXPECT_EQ(privateUplink[0].fix->changes.front().value.toString(), QStringLiteral("External"));

    EXPECT_TRUE(findingsOf("VSW-001", switchDoc(R"(, "switches": [
        {"id": "vs", "name": "LAN", "type": "External", "uplink": "n1"},
        {"id": "vp", "name": "Lab", "type": "Private"}, {"id": "vi", "name": "LM", "type": "Internal"}])"))
                    .empty());
}

TEST(SwitchRules, Vsw002ManagementOsVnics)
{
    const auto privateSwitch = findingsOf("VSW-002", switchDoc(R"(,
        "switches": [{"id": "vs", "name": "Lab", "type": "Private", "allowManagementOs": true}],
        "vnics": [{"id": "m", "name": "Mgmt", "switch": "vs"}])"));
    ASSERT_EQ(privateSwitch.size(), 2u);
    EXPECT_EQ(privateSwitch[0].elements, ids({"vs"}));
    EXPECT_TRUE(privateSwitch[0].message.contains(QStringLiteral("allows the management OS")));
    EXPECT_EQ(privateSwitch[1].severity, Severity::Error);
    EXPECT_EQ(privateSwitch[1].elements, ids({"vs", "m"}));
    EXPECT_EQ(privateSwitch[1].message,
              QStringLiteral("virtual switch 'Lab' on host 'hv1' is private but the management OS "
                             "has vNIC(s) 'Mgmt' on it; a private switch is isolated from the "
                             "management OS. Make the switch internal or move the vNICs to another "
                             "switch."));
    ASSERT_TRUE(privateSwitch[1].fix);
    EXPECT_EQ(privateSwitch[1].fix->changes.front().value.toString(), QStringLiteral("Internal"));

    // An external switch that does not share its uplink is VSW-011's (vsw011_test.cpp), so the
    // defect is reported once.
    EXPECT_TRUE(findingsOf("VSW-002", switchDoc(R"(,
        "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": "n1", "allowManagementOs": false}],
        "vnics": [{"id": "m", "name": "Mgmt", "switch": "vs"}])"))
                    .empty());

    // Internal switch with a management-OS vNIC; private switch with a VM vNIC only.
    EXPECT_TRUE(findingsOf("VSW-002", switchDoc(R"(,
        "switches": [{"id": "vi", "name": "LM", "type": "Internal"}, {"id": "vp", "name": "Lab", "type": "Private"},
                     {"id": "vs", "name": "LAN", "type": "External", "uplink": "n1", "allowManagementOs": true}],
        "vnics": [{"id": "m", "name": "Mgmt", "switch": "vi"}, {"id": "m2", "name": "LAN", "switch": "vs"}],
        "vms": [{"id": "vm", "name": "fw", "vnics": [{"id": "v", "name": "inside", "switch": "vp"}]}])"))
                    .empty());
}

TEST(SwitchRules, Vsw003OneForwardingExtension)
{
    const auto bad = findingsOf("VSW-003", switchDoc(R"(, "switches": [{"id": "vs", "name": "LAN",
        "type": "External", "uplink": "n1", "extensions": [
            {"name": "Nexus 1000V", "kind": "Forwarding"}, {"name": "sFlow", "kind": "Capture"},
            {"name": "PF1000", "kind": "Forwarding", "enabled": true}]}])"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(bad[0].message,
              QStringLiteral("virtual switch 'LAN' on host 'hv1' has 2 forwarding extensions "
                             "enabled ('Nexus 1000V', 'PF1000'); a virtual switch takes only one. "
                             "Disable all but one."));
    ASSERT_TRUE(bad[0].fix);
    const QJsonArray fixed = bad[0].fix->changes.front().value.toArray();
    ASSERT_EQ(fixed.size(), 3);
    EXPECT_TRUE(fixed[0].toObject().value(QStringLiteral("enabled")).toBool(true));
    EXPECT_FALSE(fixed[2].toObject().value(QStringLiteral("enabled")).toBool(true));

    EXPECT_TRUE(findingsOf("VSW-003", switchDoc(R"(, "switches": [{"id": "vs", "name": "LAN",
        "type": "External", "uplink": "n1", "extensions": [
            {"name": "Nexus 1000V", "kind": "Forwarding"}, {"name": "sFlow", "kind": "Capture"},
            {"name": "PF1000", "kind": "Forwarding", "enabled": false}]}])"))
                    .empty());
}

TEST(SwitchRules, Vsw004SriovOnlyOnANewExternalSwitch)
{
    const auto bad = findingsOf(
        "VSW-004",
        switchDoc(
            R"(, "switches": [{"id": "vs", "name": "LM", "type": "Internal", "sriov": true}])"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_TRUE(bad[0].message.contains(QStringLiteral("is internal with SR-IOV on")));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().key, QStringLiteral("sriov"));
    EXPECT_TRUE(findingsOf("VSW-004", switchDoc(R"(, "switches": [
        {"id": "vs", "name": "SAN", "type": "External", "uplink": "n3", "sriov": true},
        {"id": "vi", "name": "LM", "type": "Internal"}])"))
                    .empty());
}

TEST(SwitchRules, Vsw005SriovUplink)
{
    const auto plainNic = findingsOf(
        "VSW-005",
        switchDoc(
            R"(, "switches": [{"id": "vs", "name": "SAN", "type": "External", "uplink": "n1", "sriov": true}])"));
    ASSERT_EQ(plainNic.size(), 1u);
    EXPECT_EQ(plainNic[0].severity, Severity::Error);
    EXPECT_EQ(plainNic[0].elements, ids({"vs", "n1"}));
    EXPECT_TRUE(plainNic[0].message.contains(
        QStringLiteral("its uplink NIC 'eth1' is not SR-IOV capable")));

    const auto team = findingsOf("VSW-005", switchDoc(R"(,
        "teams": [{"id": "t", "name": "SAN", "members": ["n1", "n2"]}],
        "switches": [{"id": "vs", "name": "SAN", "type": "External", "uplink": "t", "sriov": true}])"));
    ASSERT_EQ(team.size(), 1u);
    EXPECT_EQ(team[0].elements, ids({"vs", "t"}));

    EXPECT_TRUE(findingsOf("VSW-005", switchDoc(R"(, "switches": [
        {"id": "vs", "name": "SAN", "type": "External", "uplink": "n3", "sriov": true},
        {"id": "vl", "name": "LAN", "type": "External", "uplink": "n1"}])"))
                    .empty());
}

namespace {

QByteArray sriovVms(const char *weight3)
{
    const QByteArray rest = QByteArray(R"(,
        "switches": [{"id": "vs", "name": "SAN", "type": "External", "uplink": "n3", "sriov": true}],
        "vnics": [{"id": "m", "name": "SAN", "switch": "vs", "sriovWeight": 100}],
        "vms": [{"id": "vm1", "name": "g1", "vnics": [{"id": "v1", "name": "SAN", "switch": "vs", "sriovWeight": 100}]},
                {"id": "vm2", "name": "g2", "vnics": [{"id": "v2", "name": "SAN", "switch": "vs", "sriovWeight": 50}]},
                {"id": "vm3", "name": "g3", "vnics": [{"id": "v3", "name": "SAN", "switch": "vs", )") +
                            weight3 + "}]}]";
    return switchDoc(rest.constData());
}

} // namespace

TEST(SwitchRules, Vsw006VirtualFunctionCount)
{
    const auto bad = findingsOf("VSW-006", sriovVms(R"("sriovWeight": 10)"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("virtual switch 'SAN' on host 'hv1' gives SR-IOV (IOV weight above 0) "
                       "to 3 VM vNICs but its uplink NIC 'eth3' has 2 virtual functions. Set "
                       "IOV weight 0 on 1 of them or use a NIC with more virtual functions."));
    EXPECT_EQ(bad[0].elements, ids({"vs", "n3", "v1", "v2", "v3"}));
    // The management OS's vNIC uses the physical function, not a virtual function.
    EXPECT_TRUE(findingsOf("VSW-006", sriovVms(R"("sriovWeight": 0)")).empty());
}

TEST(SwitchRules, Vsw007SriovBypassesPolicies)
{
    const char *acl =
        R"("sriovWeight": 10, "acls": [{"direction": "Both", "action": "Deny", "remoteAddress": "10.0.0.0/8"}])";
    const auto bad = findingsOf("VSW-007", sriovVms(acl));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Warning);
    EXPECT_EQ(bad[0].elements, ids({"v3", "vs"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral(
            "vNIC 'SAN' of VM 'g3' on host 'hv1' uses SR-IOV on virtual switch "
            "'SAN', so its traffic bypasses the switch and port ACLs do not apply to it. Remove "
            "them, or turn SR-IOV off on the vNIC (IOV weight 0)."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().key, QStringLiteral("sriovWeight"));
    EXPECT_EQ(bad[0].fix->changes.front().value.toInt(-1), 0);
    const auto capped =
        findingsOf("VSW-007", sriovVms(R"("sriovWeight": 10, "maximumBandwidth": 1000000000)"));
    ASSERT_EQ(capped.size(), 1u);
    EXPECT_TRUE(capped[0].message.contains(QStringLiteral("bandwidth policies")));
    // Without SR-IOV the ACL applies normally.
    EXPECT_TRUE(
        findingsOf("VSW-007", sriovVms(R"("acls": [{"direction": "Both", "action": "Deny"}])"))
            .empty());
    EXPECT_TRUE(findingsOf("VSW-007", sriovVms(R"("sriovWeight": 10, "dhcpGuard": true)")).empty());
}

TEST(SwitchRules, Vsw008OneSwitchPerUplink)
{
    const auto shared = findingsOf("VSW-008", switchDoc(R"(, "switches": [
        {"id": "vsB", "name": "B", "type": "External", "uplink": "n1"},
        {"id": "vsA", "name": "A", "type": "External", "uplink": "n1"}])"));
    ASSERT_EQ(shared.size(), 1u) << "reported once, by the switch whose id sorts first";
    EXPECT_EQ(shared[0].severity, Severity::Error);
    EXPECT_EQ(shared[0].elements, ids({"vsA", "n1", "vsB"}));
    EXPECT_EQ(shared[0].message,
              QStringLiteral("NIC 'eth1' on host 'hv1' is the uplink of virtual switch 'A' and of "
                             "virtual switch(es) 'B'; a NIC or team is the uplink of one virtual "
                             "switch only. Give each switch its own uplink."));

    const auto memberAlone = findingsOf("VSW-008", switchDoc(R"(,
        "teams": [{"id": "t", "name": "LAN", "members": ["n1", "n2"]}],
        "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": "n2"}])"));
    ASSERT_EQ(memberAlone.size(), 1u);
    EXPECT_EQ(memberAlone[0].elements, ids({"vs", "n2", "t"}));
    ASSERT_TRUE(memberAlone[0].fix);
    EXPECT_EQ(memberAlone[0].fix->changes.front().value.toString(), QStringLiteral("t"));

    EXPECT_TRUE(findingsOf("VSW-008", switchDoc(R"(,
        "teams": [{"id": "t", "name": "LAN", "members": ["n1", "n2"]}],
        "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": "t"},
                     {"id": "vs2", "name": "SAN", "type": "External", "uplink": "n3"}])"))
                    .empty());
}

TEST(SwitchRules, Vsw009OneHost)
{
    const auto doc = [](const char *uplink, const char *vnicSwitch) {
        return QByteArray(R"({"schemaVersion": 1, "hosts": [
            {"id": "h1", "name": "hv1", "platform": "hyperv",
             "nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1"}],
             "switches": [{"id": "vs1", "name": "LAN", "type": "External", "uplink": ")") +
               uplink + R"("}]},
            {"id": "h2", "name": "hv2", "platform": "hyperv",
             "nics": [{"id": "n2", "name": "eth1", "interfaceName": "eth1"}],
             "switches": [{"id": "vs2", "name": "LAN", "type": "External", "uplink": "n2"}],
             "vms": [{"id": "vm", "name": "g1", "vnics": [{"id": "v", "name": "LAN", "switch": ")" +
               vnicSwitch + R"("}]}]}]})";
    };
    const auto bad = findingsOf("VSW-009", doc("n2", "vs1"));
    ASSERT_EQ(bad.size(), 2u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(bad[0].elements, ids({"vs1", "n2"}));
    EXPECT_EQ(bad[1].elements, ids({"vs1", "v"}));
    EXPECT_EQ(bad[1].message,
              QStringLiteral("vNIC 'LAN' of VM 'g1' on host 'hv2' is connected to virtual switch "
                             "'LAN' on host "
                             "'hv1'; virtual switches are not distributed, so a vNIC connects to a "
                             "switch of its own host."));
    EXPECT_TRUE(findingsOf("VSW-009", doc("n1", "vs2")).empty());
}

TEST(SwitchRules, Vsw010UniqueMacs)
{
    const auto doc = [](const char *mac2) {
        return switchDoc((QByteArray(R"(,
            "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": "n1"}],
            "vnics": [{"id": "m", "name": "Mgmt", "switch": "vs", "mac": "00-15-5D-01-00-01"}],
            "vms": [{"id": "vm", "name": "g1", "vnics": [{"id": "v", "name": "LAN", "switch": "vs", "mac": ")") +
                          mac2 + R"("}]}])")
                             .constData());
    };
    const auto bad = findingsOf("VSW-010", doc("00:15:5d:01:00:01"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(bad[0].elements, ids({"vs", "v", "m"}))
        << "document order: VMs load before host vNICs";
    EXPECT_EQ(bad[0].message,
              QStringLiteral("virtual switch 'LAN' on host 'hv1' connects vNIC 'LAN' of VM 'g1' on "
                             "host 'hv1' and vNIC 'Mgmt' on host 'hv1' with the same MAC address "
                             "00:15:5d:01:00:01; each vNIC has its own MAC address. Give them "
                             "different ones."));
    EXPECT_TRUE(findingsOf("VSW-010", doc("00-15-5D-01-01-01")).empty());
}

// Open vSwitch realizes a switch as one bridge, whose flow table the agent caps at 50,000 flows
// (core/model/limits.h): a linux-ovs switch whose vNICs' ACLs need more is refused before it is
// deployed. Contiguous ranges cost a few masked flows; scattered ports one each.
TEST(SwitchRules, Vsw012AclsFitOneBridgesFlowTable)
{
    const auto doc = [](int vnics, const char *platform, bool scattered) {
        QJsonArray odd; // 4,096 ports, no two adjacent: 4,096 flows per direction
        for (int p = 1; p < 8192; p += 2)
            odd.append(scattered ? p : p / 2 + 1);
        const auto acl = [&](const char *direction) {
            return QJsonArray{QJsonObject{{QStringLiteral("direction"), QLatin1String(direction)},
                                          {QStringLiteral("action"), QStringLiteral("Allow")},
                                          {QStringLiteral("protocol"), QStringLiteral("TCP")},
                                          {QStringLiteral("localPorts"), odd}}};
        };
        QJsonArray list{QJsonObject{{QStringLiteral("id"), QStringLiteral("big")},
                                    {QStringLiteral("name"), QStringLiteral("Big")},
                                    {QStringLiteral("switch"), QStringLiteral("vs")},
                                    {QStringLiteral("acls"), acl("Both")}}};
        for (int i = 1; i < vnics; ++i)
            list.append(QJsonObject{{QStringLiteral("id"), QStringLiteral("v%1").arg(i)},
                                    {QStringLiteral("name"), QStringLiteral("V%1").arg(i)},
                                    {QStringLiteral("switch"), QStringLiteral("vs")},
                                    {QStringLiteral("acls"), acl("Inbound")}});
        QByteArray d = switchDoc((R"(, "switches": [{"id": "vs", "name": "LAN", "type": "Private"}],
                "vms": [{"id": "vm", "name": "g1", "vnics": )" +
                                  QJsonDocument(list).toJson(QJsonDocument::Compact) + "}]")
                                     .constData());
        return d.replace("\"platform\": \"hyperv\"",
                         QByteArray("\"platform\": \"") + platform + '"');
    };
    // Big (both directions: 8,192 flows) and eleven with 4,096 each: 53,248.
    const auto over = findingsOf("VSW-012", doc(12, "linux-ovs", true));
    ASSERT_EQ(over.size(), 1u);
    EXPECT_EQ(over[0].severity, Severity::Error);
    EXPECT_EQ(over[0].elements, ids({"vs", "big"}));
    EXPECT_EQ(over[0].message,
              QStringLiteral("The ACLs of the vNICs on virtual switch 'LAN' on host 'hv1' need "
                             "53248 OpenFlow flows, more than the 50000 one Open vSwitch bridge "
                             "may hold, so the agent refuses to deploy it (vNIC 'Big' of VM 'g1' "
                             "on host 'hv1' alone needs 8192). Give ports as contiguous ranges (a "
                             "range is a few masked flows, scattered ports one flow each) or "
                             "spread the vNICs over more switches."));
    EXPECT_TRUE(findingsOf("VSW-012", doc(11, "linux-ovs", true)).empty()) << "49,152 flows";
    EXPECT_TRUE(findingsOf("VSW-012", doc(12, "linux-ovs", false)).empty()) << "ranges";
    EXPECT_TRUE(findingsOf("VSW-012", doc(12, "hyperv", true)).empty()) << "not Open vSwitch";
}
