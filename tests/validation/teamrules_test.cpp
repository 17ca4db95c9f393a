// One test per team rule: it fires on a minimal bad design and stays silent once corrected.
#include "rulestestsupport.h"

#include <gtest/gtest.h>

using namespace converge::testing;
using converge::core::Finding;

namespace {

// Two 10 GbE NICs; `team` is the team object's JSON, `extra` more host members.
QByteArray teamDoc(const char *team, const char *extra = "",
                   const char *nic2 = "\"speed\": 10000000000", const char *top = "")
{
    const QByteArray body = QByteArray("\"nics\": [") +
                            "{\"id\": \"n1\", \"name\": \"eth1\", \"interfaceName\": \"eth1\", "
                            "\"speed\": 10000000000}," +
                            "{\"id\": \"n2\", \"name\": \"eth2\", \"interfaceName\": \"eth2\", " +
                            nic2 + "}," +
                            "{\"id\": \"n3\", \"name\": \"eth3\", \"interfaceName\": \"eth3\", "
                            "\"speed\": 10000000000}], " +
                            "\"teams\": [" + team + "]" + extra;
    return hostDocument(body.constData(), top);
}

const char *goodTeam =
    R"({"id": "t", "name": "LAN", "members": ["n1", "n2"], "mode": "SwitchIndependent",
                           "loadBalancing": "Dynamic", "queueMode": "dVMQ"})";

} // namespace

TEST(TeamRules, Team001MemberCount)
{
    const auto bad = findingsOf(
        "TEAM-001", teamDoc(R"({"id": "t", "name": "LAN", "members": [], "queueMode": "RSS"})"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("team 'LAN' on host 'hv1' has 0 members; a team has 1 to 32 member NICs."));
    EXPECT_EQ(bad[0].elements, QStringList{QStringLiteral("t")});
    EXPECT_TRUE(findingsOf("TEAM-001", teamDoc(goodTeam)).empty());
}

TEST(TeamRules, Team002SingleMember)
{
    const auto bad =
        findingsOf("TEAM-002",
                   teamDoc(R"({"id": "t", "name": "LAN", "members": ["n1"], "queueMode": "RSS"})"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, converge::core::Severity::Warning);
    EXPECT_TRUE(findingsOf("TEAM-002", teamDoc(goodTeam)).empty());
}

TEST(TeamRules, Team003MixedSpeeds)
{
    const auto bad = findingsOf("TEAM-003", teamDoc(goodTeam, "", "\"speed\": 1000000000"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].elements,
              (QStringList{QStringLiteral("t"), QStringLiteral("n1"), QStringLiteral("n2")}));
    EXPECT_TRUE(findingsOf("TEAM-003", teamDoc(goodTeam)).empty());
}

TEST(TeamRules, Team004SriovMember)
{
    const auto bad =
        findingsOf("TEAM-004", teamDoc(goodTeam, "", "\"speed\": 10000000000, \"sriov\": true"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].elements, (QStringList{QStringLiteral("t"), QStringLiteral("n2")}));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().key, QStringLiteral("sriov"));
    EXPECT_TRUE(findingsOf("TEAM-004", teamDoc(goodTeam)).empty());
}

TEST(TeamRules, Team005IscsiOnATeam)
{
    const auto byRole = findingsOf(
        "TEAM-005", teamDoc(goodTeam, "", "\"speed\": 10000000000, \"role\": \"iSCSI\""));
    ASSERT_EQ(byRole.size(), 1u);
    const char *switchWithIscsi =
        R"(, "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": "t"}],
        "vnics": [{"id": "v", "name": "SAN1", "switch": "vs", "trafficRole": "iSCSI"}])";
    const auto byVnic = findingsOf("TEAM-005", teamDoc(goodTeam, switchWithIscsi));
    ASSERT_EQ(byVnic.size(), 1u);
    EXPECT_EQ(byVnic[0].elements,
              (QStringList{QStringLiteral("t"), QStringLiteral("v"), QStringLiteral("vs")}));
    const char *switchWithLan =
        R"(, "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": "t"}],
        "vnics": [{"id": "v", "name": "Mgmt", "switch": "vs", "trafficRole": "Management"}])";
    EXPECT_TRUE(findingsOf("TEAM-005", teamDoc(goodTeam, switchWithLan)).empty());
}

TEST(TeamRules, Team006SwitchDependentCabling)
{
    const char *lacp =
        R"({"id": "t", "name": "LAN", "members": ["n1", "n2"], "mode": "LACP", "queueMode": "RSS"})";
    auto cabled = [](const char *sw2, const char *channel2) -> QByteArray {
        return QByteArray(R"("physicalSwitches": [
            {"id": "s1", "name": "tor1", "ports": [{"id": "s1.p1", "name": "1", "portChannel": 5, "channelMode": "LacpActive"}]},
            {"id": "s2", "name": "tor2", "ports": [{"id": "s2.p1", "name": "1", "portChannel": 5, "channelMode": "LacpActive"},
                                                   {"id": "s1.p2", "name": "2", )") +
               channel2 + R"(}]}],
            "links": [{"id": "l1", "name": "c1", "a": "n1", "b": "s1.p1"}, {"id": "l2", "name": "c2", "a": "n2", "b": ")" +
               sw2 + R"("}], )";
    };
    // Members on two different switches.
    const auto split =
        findingsOf("TEAM-006", teamDoc(lacp, "", "\"speed\": 10000000000",
                                       cabled("s2.p1", "\"portChannel\": 5").constData()));
    ASSERT_EQ(split.size(), 1u);
    EXPECT_TRUE(split[0].message.contains(QStringLiteral("different physical switches")));
    // One member not cabled at all.
    const auto loose = findingsOf("TEAM-006", teamDoc(lacp));
    EXPECT_EQ(loose.size(), 2u);
    // Same switch, port not in a LACP port-channel.
    const QByteArray sameSwitch = R"("physicalSwitches": [{"id": "s1", "name": "tor1", "ports": [
            {"id": "p1", "name": "1", "portChannel": 5, "channelMode": "LacpActive"},
            {"id": "p2", "name": "2", "portChannel": 5, "channelMode": "LacpActive"}]}],
            "links": [{"id": "l1", "name": "c1", "a": "n1", "b": "p1"}, {"id": "l2", "name": "c2", "a": "n2", "b": "p2"}], )";
    EXPECT_TRUE(
        findingsOf("TEAM-006", teamDoc(lacp, "", "\"speed\": 10000000000", sameSwitch.constData()))
            .empty());
    QByteArray staticPort = sameSwitch;
    staticPort.replace(
        "\"id\": \"p2\", \"name\": \"2\", \"portChannel\": 5, \"channelMode\": \"LacpActive\"",
        "\"id\": \"p2\", \"name\": \"2\", \"portChannel\": 5, \"channelMode\": \"Static\"");
    const auto mismatch =
        findingsOf("TEAM-006", teamDoc(lacp, "", "\"speed\": 10000000000", staticPort.constData()));
    ASSERT_EQ(mismatch.size(), 1u);
    EXPECT_EQ(mismatch[0].elements,
              (QStringList{QStringLiteral("t"), QStringLiteral("n2"), QStringLiteral("p2")}));
    // Switch-independent teams need no port-channel.
    EXPECT_TRUE(findingsOf("TEAM-006", teamDoc(goodTeam)).empty());
}

TEST(TeamRules, Team007QueueMode)
{
    const auto bad =
        findingsOf("TEAM-007", teamDoc(R"({"id": "t", "name": "LAN", "members": ["n1", "n2"]})"));
    ASSERT_EQ(bad.size(), 1u);
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().value.toString(), QStringLiteral("RSS"));
    EXPECT_TRUE(findingsOf("TEAM-007", teamDoc(goodTeam)).empty());
}

TEST(TeamRules, Team008VlanInterfacesForVms)
{
    const char *tnics = R"({"id": "t", "name": "LAN", "members": ["n1", "n2"], "queueMode": "RSS",
        "teamInterfaces": [{"name": "LAN"}, {"name": "VLAN10", "vlan": 10}, {"name": "VLAN20", "vlan": 20}]})";
    // VMs on VLAN 10, on an internal switch routed by the host: what the VLAN interfaces would
    // reach. (This test used to fire on the team alone; the host's own VLAN interfaces are a
    // documented use, 002 l.66.)
    const char *vms = R"(, "switches": [{"id": "vi", "name": "Inside", "type": "Internal"}],
        "vms": [{"id": "vm", "name": "web", "vnics": [
            {"id": "vm.lan", "name": "LAN", "switch": "vi", "vlanMode": "Access", "accessVlan": 10}]}])";
    const auto bad = findingsOf("TEAM-008", teamDoc(tnics, vms));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].elements, ids({"t", "vm"}));
    EXPECT_TRUE(findingsOf("TEAM-008", teamDoc(goodTeam, vms)).empty());
    EXPECT_TRUE(findingsOf("TEAM-008", teamDoc(tnics)).empty())
        << "VLAN team interfaces for the host's own traffic";
}

// 002 l.66: "You can even set up a team with only a single NIC, but multiple team interfaces for
// VLAN-based traffic segregation."
TEST(TeamRules, SingleNicTeamWithVlanInterfacesIsADocumentedUse)
{
    const char *single = R"({"id": "t", "name": "Seg", "members": ["n1"], "queueMode": "RSS",
        "teamInterfaces": [{"name": "Mgmt", "vlan": 10}, {"name": "Backup", "vlan": 20}]})";
    EXPECT_TRUE(findingsOf("TEAM-002", teamDoc(single)).empty());
    EXPECT_TRUE(findingsOf("TEAM-008", teamDoc(single)).empty());
    const char *underSwitch =
        R"(, "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": "t"}])";
    EXPECT_EQ(findingsOf("TEAM-002", teamDoc(single, underSwitch)).size(), 1u)
        << "under a virtual switch the team is there for failover";
}

// 003 §4.1.3's RSS / dVMQ choice is a Windows NIC setting; Open vSwitch hosts have none.
TEST(TeamRules, Team007NotOnLinuxOvsHosts)
{
    QByteArray doc = teamDoc(R"({"id": "t", "name": "LAN", "members": ["n1", "n2"]})");
    ASSERT_EQ(findingsOf("TEAM-007", doc).size(), 1u);
    doc.replace("\"platform\": \"hyperv\"", "\"platform\": \"linux-ovs\"");
    EXPECT_TRUE(findingsOf("TEAM-007", doc).empty());
}

TEST(TeamRules, Team009LoadBalancingForWorkload)
{
    QByteArray doc = teamDoc(
        R"({"id": "t", "name": "LAN", "members": ["n1", "n2"], "loadBalancing": "HyperVPort", "queueMode": "dVMQ"})");
    doc.replace("\"platform\": \"hyperv\", ",
                "\"platform\": \"hyperv\", \"workload\": \"OutboundHeavy\", ");
    const auto bad = findingsOf("TEAM-009", doc);
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, converge::core::Severity::Info);
    doc.replace("\"HyperVPort\"", "\"AddressHash\"");
    EXPECT_TRUE(findingsOf("TEAM-009", doc).empty());
}

TEST(TeamRules, Team010OneInterfaceUnderASwitch)
{
    const char *sw =
        R"(, "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": "t"}])";
    const char *tagged = R"({"id": "t", "name": "LAN", "members": ["n1", "n2"], "queueMode": "dVMQ",
        "teamInterfaces": [{"name": "LAN"}, {"name": "VLAN10", "vlan": 10}]})";
    EXPECT_EQ(findingsOf("TEAM-010", teamDoc(tagged, sw)).size(), 1u);
    EXPECT_TRUE(findingsOf("TEAM-010", teamDoc(goodTeam, sw)).empty());
}

TEST(TeamRules, Team011HostVnicAsMember)
{
    const char *vnic =
        R"(, "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": "n3"}],
        "vnics": [{"id": "v", "name": "Mgmt", "switch": "vs"}])";
    const auto bad = findingsOf(
        "TEAM-011",
        teamDoc(R"({"id": "t", "name": "LAN", "members": ["n1", "v"], "queueMode": "RSS"})", vnic));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].elements, (QStringList{QStringLiteral("t"), QStringLiteral("v")}));
    EXPECT_TRUE(findingsOf("TEAM-011", teamDoc(goodTeam, vnic)).empty());
}

TEST(TeamRules, Set001SwitchEmbeddedTeam)
{
    const auto bad = findingsOf(
        "SET-001",
        teamDoc(R"({"id": "t", "name": "SET", "members": ["n1", "n2"], "switchEmbedded": true,
        "mode": "LACP", "loadBalancing": "AddressHash", "standbyMember": "n2", "queueMode": "dVMQ"})"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_TRUE(bad[0].message.contains(QStringLiteral("LACP mode")));
    EXPECT_TRUE(bad[0].message.contains(QStringLiteral("standby member")));
    EXPECT_TRUE(
        findingsOf(
            "SET-001",
            teamDoc(R"({"id": "t", "name": "SET", "members": ["n1", "n2"], "switchEmbedded": true,
        "mode": "SwitchIndependent", "loadBalancing": "HyperVPort", "queueMode": "dVMQ"})"))
            .empty());
}

namespace {

QByteArray guestTeamDoc(const char *vnic1, const char *vnic2, const char *vnic3 = "")
{
    const QByteArray body =
        QByteArray(R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1"},
                                                  {"id": "n2", "name": "eth2", "interfaceName": "eth2"}],
        "switches": [{"id": "vs1", "name": "A", "type": "External", "uplink": "n1"},
                     {"id": "vs2", "name": "B", "type": "External", "uplink": "n2"},
                     {"id": "vs3", "name": "C", "type": "Private"}],
        "vms": [{"id": "vm", "name": "vm1", "guestTeam": true, "vnics": [)") +
        vnic1 + "," + vnic2 + vnic3 + "]}]";
    return hostDocument(body.constData());
}

const char *teamed1 =
    R"({"id": "a", "name": "A", "switch": "vs1", "macSpoofing": true, "allowTeaming": true})";
const char *teamed2 =
    R"({"id": "b", "name": "B", "switch": "vs2", "macSpoofing": true, "allowTeaming": true})";

} // namespace

TEST(TeamRules, Gteam001MacSpoofingAndAllowTeaming)
{
    const auto bad = findingsOf(
        "GTEAM-001", guestTeamDoc(teamed1, R"({"id": "b", "name": "B", "switch": "vs2"})"));
    ASSERT_EQ(bad.size(), 1u);
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.size(), 2u);
    EXPECT_TRUE(findingsOf("GTEAM-001", guestTeamDoc(teamed1, teamed2)).empty());
}

TEST(TeamRules, Gteam002DifferentSwitches)
{
    const auto bad = findingsOf(
        "GTEAM-002",
        guestTeamDoc(
            teamed1,
            R"({"id": "b", "name": "B", "switch": "vs1", "macSpoofing": true, "allowTeaming": true})"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_TRUE(findingsOf("GTEAM-002", guestTeamDoc(teamed1, teamed2)).empty());
}

TEST(TeamRules, Gteam003TwoVnicsOnExternalSwitches)
{
    const auto three =
        findingsOf("GTEAM-003", guestTeamDoc(teamed1, teamed2,
                                             R"(, {"id": "c", "name": "C", "switch": "vs3"})"));
    EXPECT_EQ(three.size(), 2u) << "three vNICs, and one of them on a private switch";
    EXPECT_TRUE(findingsOf("GTEAM-003", guestTeamDoc(teamed1, teamed2)).empty());
}

namespace {

// The Dell guest layout (003 §4.3): the VM teams two LAN vNICs in the guest and reaches iSCSI over
// two more vNICs with MPIO; every vNIC on its own external switch. `team` is the VM's
// guest-team member (or flag) JSON.
QByteArray dellGuestDoc(const char *team)
{
    const QByteArray body =
        QByteArray(R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1"},
                 {"id": "n2", "name": "eth2", "interfaceName": "eth2"},
                 {"id": "n3", "name": "eth3", "interfaceName": "eth3", "role": "iSCSI"},
                 {"id": "n4", "name": "eth4", "interfaceName": "eth4", "role": "iSCSI"}],
        "switches": [{"id": "vs1", "name": "LAN1", "type": "External", "uplink": "n1"},
                     {"id": "vs2", "name": "LAN2", "type": "External", "uplink": "n2"},
                     {"id": "vs3", "name": "SAN1", "type": "External", "uplink": "n3"},
                     {"id": "vs4", "name": "SAN2", "type": "External", "uplink": "n4"}],
        "vms": [{"id": "vm", "name": "sql1", "mpio": true, )") +
        team + R"(, "vnics": [
            {"id": "lan1", "name": "LAN1", "switch": "vs1", "macSpoofing": true, "allowTeaming": true},
            {"id": "lan2", "name": "LAN2", "switch": "vs2", "macSpoofing": true, "allowTeaming": true},
            {"id": "san1", "name": "SAN1", "switch": "vs3", "trafficRole": "iSCSI"},
            {"id": "san2", "name": "SAN2", "switch": "vs4", "trafficRole": "iSCSI"}]}])";
    return hostDocument(body.constData());
}

} // namespace

TEST(TeamRules, GuestTeamOfTwoLanVnicsBesideIscsiVnics)
{
    const QByteArray members = dellGuestDoc(R"("guestTeamMembers": ["lan1", "lan2"])");
    for (const char *rule : {"GTEAM-001", "GTEAM-002", "GTEAM-003"})
        EXPECT_TRUE(findingsOf(rule, members).empty()) << rule;

    // The older VM-wide flag keeps its meaning (all the VM's vNICs), so old documents load.
    const QByteArray flag = dellGuestDoc(R"("guestTeam": true)");
    EXPECT_EQ(findingsOf("GTEAM-001", flag).size(), 2u) << "the iSCSI vNICs, as members";
    EXPECT_EQ(findingsOf("GTEAM-003", flag).size(), 1u) << "four members";

    // A member that is not the VM's own vNIC, or a member that breaks the rules, is still caught.
    QByteArray bad = dellGuestDoc(R"("guestTeamMembers": ["lan1", "san1"])");
    const auto settings = findingsOf("GTEAM-001", bad);
    ASSERT_EQ(settings.size(), 1u);
    EXPECT_EQ(settings[0].elements, ids({"vm", "san1"}));
}

TEST(TeamRules, Gteam002MessageNamesEachVnicOnce)
{
    const auto bad = findingsOf(
        "GTEAM-002",
        guestTeamDoc(
            teamed1,
            R"({"id": "b", "name": "B", "switch": "vs1", "macSpoofing": true, "allowTeaming": true})"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].message,
              QStringLiteral("VM 'vm1' teams vNICs 'A' and 'B' on the same virtual switch; one NIC "
                             "failure takes both. Connect them to different external switches."));
}
