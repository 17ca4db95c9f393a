// One test per iSCSI storage rule: it fires on a minimal bad design and stays silent once
// corrected; and the sample designs break none of them.
#include "rulestestsupport.h"

#include <QFile>

#include <gtest/gtest.h>

using namespace converge::testing;
using converge::core::Finding;
using converge::core::Severity;

namespace {

// Host hv1 (`host`: more host properties) with LAN NIC eth1 under vsLAN and iSCSI NICs eth2/eth3
// under vsSAN1/vsSAN2 (`nic2Role`: eth2's role); `vnics` on the host, `vms` its VMs.
QByteArray sanDoc(const char *vnics, const char *vms = "[]", const char *host = "",
                  const char *nic2Role = "iSCSI", const char *top = "")
{
    const QByteArray body =
        QByteArray(host) +
        R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1", "role": "LAN"},
                    {"id": "n2", "name": "eth2", "interfaceName": "eth2", "role": ")" +
        nic2Role + R"("},
                    {"id": "n3", "name": "eth3", "interfaceName": "eth3", "role": "iSCSI"}],
        "switches": [{"id": "vsLAN", "name": "vsLAN", "type": "External", "uplink": "n1"},
                     {"id": "vs1", "name": "vsSAN1", "type": "External", "uplink": "n2"},
                     {"id": "vs2", "name": "vsSAN2", "type": "External", "uplink": "n3"}],
        "vnics": )" +
        vnics + R"(, "vms": )" + vms;
    return hostDocument(body.constData(), top);
}

const char *mgmtVnics =
    R"([{"id": "lan", "name": "LAN", "switch": "vsLAN", "trafficRole": "Management"},
                           {"id": "san1", "name": "SAN1", "switch": "vs1", "trafficRole": "iSCSI"},
                           {"id": "san2", "name": "SAN2", "switch": "vs2", "trafficRole": "iSCSI"}])";

const char *mpio = R"("mpio": true, )";

} // namespace

TEST(StorageRules, Iscsi001SharedSwitch)
{
    const char *shared =
        R"([{"id": "lan", "name": "LAN", "switch": "vs1", "trafficRole": "Management"},
                             {"id": "san1", "name": "SAN1", "switch": "vs1", "trafficRole": "iSCSI"}])";
    const auto bad = findingsOf("ISCSI-001", sanDoc(shared));
    ASSERT_EQ(bad.size(), 2u) << "LAN traffic rides the iSCSI NIC eth2, and the switch is shared";
    EXPECT_EQ(bad[0].elements, ids({"vs1", "n2", "lan"}));
    EXPECT_EQ(bad[1].severity, Severity::Error);
    EXPECT_EQ(bad[1].elements, ids({"vs1", "san1", "lan"}));
    EXPECT_EQ(
        bad[1].message,
        QStringLiteral("virtual switch 'vsSAN1' on host 'hv1' carries iSCSI vNICs ('SAN1') and "
                       "LAN-side vNICs ('LAN'); iSCSI traffic must be isolated from LAN traffic. "
                       "Give the iSCSI vNICs their own virtual switches and physical NICs."));
    EXPECT_TRUE(findingsOf("ISCSI-001", sanDoc(mgmtVnics, "[]", mpio)).empty());
}

TEST(StorageRules, Iscsi001IscsiOverALanNic)
{
    const auto bad = findingsOf("ISCSI-001", sanDoc(mgmtVnics, "[]", mpio, "LAN"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].elements, ids({"vs1", "n2", "san1"}));
    EXPECT_TRUE(bad[0].message.contains(QStringLiteral("over NIC 'eth2', a LAN NIC")));
    EXPECT_TRUE(findingsOf("ISCSI-001", sanDoc(mgmtVnics, "[]", mpio, "Storage")).empty());
}

TEST(StorageRules, Iscsi002TwoPathsWithMpio)
{
    // Two paths in the management OS, no MPIO.
    const auto noMpio = findingsOf("ISCSI-002", sanDoc(mgmtVnics));
    ASSERT_EQ(noMpio.size(), 1u);
    EXPECT_EQ(noMpio[0].severity, Severity::Warning);
    EXPECT_EQ(noMpio[0].elements, ids({"h1", "san1", "san2"}));
    EXPECT_EQ(
        noMpio[0].message,
        QStringLiteral("the management OS of host 'hv1' uses 2 iSCSI paths but has no MPIO; "
                       "multipath I/O is needed for storage load balancing and failover across "
                       "them. Install MPIO."));
    ASSERT_TRUE(noMpio[0].fix);
    EXPECT_EQ(noMpio[0].fix->changes.front().key, QStringLiteral("mpio"));

    // A guest with one path only, and a guest with two paths and no MPIO.
    const char *vms =
        R"([{"id": "vm1", "name": "vm1", "mpio": true, "vnics": [{"id": "g1", "name": "SAN1", "switch": "vs1", "trafficRole": "iSCSI"}]},
                          {"id": "vm2", "name": "vm2", "vnics": [{"id": "g2a", "name": "SAN1", "switch": "vs1", "trafficRole": "iSCSI"},
                                                                 {"id": "g2b", "name": "SAN2", "switch": "vs2", "trafficRole": "iSCSI"}]}])";
    const auto guests = findingsOf("ISCSI-002", sanDoc(mgmtVnics, vms, mpio));
    ASSERT_EQ(guests.size(), 2u);
    EXPECT_EQ(guests[0].elements, ids({"h1", "vm1", "g1"}));
    EXPECT_TRUE(guests[0].message.contains(QStringLiteral("over one path only")));
    EXPECT_EQ(guests[1].elements, ids({"h1", "vm2", "g2a", "g2b"}));

    // A host with a single iSCSI NIC.
    const char *one =
        R"([{"id": "san1", "name": "SAN1", "switch": "vs1", "trafficRole": "iSCSI"}])";
    const auto single = findingsOf(
        "ISCSI-002",
        sanDoc(one, "[]", mpio, "LAN").replace("\"role\": \"iSCSI\"", "\"role\": \"Unused\""));
    ASSERT_EQ(single.size(), 1u);
    EXPECT_TRUE(single[0].message.startsWith(
        QStringLiteral("Host 'hv1' carries iSCSI over 1 physical NIC(s)")));

    EXPECT_TRUE(
        findingsOf("ISCSI-002",
                   sanDoc(mgmtVnics, R"([{"id": "vm1", "name": "vm1", "mpio": true, "vnics": [
        {"id": "g1", "name": "SAN1", "switch": "vs1", "trafficRole": "iSCSI"},
        {"id": "g2", "name": "SAN2", "switch": "vs2", "trafficRole": "iSCSI"}]}])",
                          mpio))
            .empty());
}

TEST(StorageRules, Iscsi003NoGatewayOnSanVnics)
{
    const char *gw =
        R"([{"id": "san1", "name": "SAN1", "switch": "vs1", "trafficRole": "iSCSI", "addresses": ["10.10.6.210/16"], "gateway": "10.10.0.1"}])";
    const auto bad = findingsOf("ISCSI-003", sanDoc(gw));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Warning);
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("vNIC 'SAN1' on host 'hv1' carries iSCSI and has default gateway "
                       "10.10.0.1; SAN vNICs have no default gateway, only the LAN vNIC routes "
                       "out. Remove the gateway."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_TRUE(bad[0].fix->changes.front().value.isUndefined());
    EXPECT_TRUE(findingsOf("ISCSI-003", sanDoc(mgmtVnics)).empty());
}

TEST(StorageRules, Iscsi004Chap)
{
    auto doc = [](const char *chap) {
        const QByteArray top =
            QByteArray(
                R"("storageTargets": [{"id": "st", "name": "array", "portals": ["10.10.6.10"], "chap": )") +
            chap + "}], ";
        return sanDoc(mgmtVnics, "[]", mpio, "iSCSI", top.constData());
    };
    const auto bad = findingsOf("ISCSI-004", doc("false"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Info);
    EXPECT_EQ(bad[0].message,
              QStringLiteral("storage target 'array' does not require CHAP; use CHAP so "
                             "the array verifies the identity of the iSCSI hosts."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_TRUE(findingsOf("ISCSI-004", doc("true")).empty());
}

TEST(StorageRules, Iscsi005PortalOnTheSanSubnet)
{
    auto doc = [](const char *portal) {
        const QByteArray top =
            QByteArray(
                R"("storageTargets": [{"id": "st", "name": "array", "chap": true, "portals": [")") +
            portal + "\"]}], ";
        return sanDoc(
            R"([{"id": "san1", "name": "SAN1", "switch": "vs1", "trafficRole": "iSCSI", "addresses": ["10.10.6.210/16"]}])",
            "[]", mpio, "iSCSI", top.constData());
    };
    const auto bad = findingsOf("ISCSI-005", doc("10.20.0.10"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Warning);
    EXPECT_EQ(bad[0].elements, ids({"h1", "san1", "st"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("vNIC 'SAN1' on host 'hv1' carries iSCSI without a default gateway, so it "
                       "reaches only 10.10.0.0/16, but no portal of the storage targets "
                       "(10.20.0.10) is there. Address the vNIC in the portals' subnet."));
    EXPECT_TRUE(findingsOf("ISCSI-005", doc("10.10.6.10")).empty());
}

TEST(StorageRules, SamplesBreakNoStorageRule)
{
    for (const char *file : cleanSamples) {
        const auto design = loadSample(file);
        for (const char *id : {"ISCSI-001", "ISCSI-002", "ISCSI-003", "ISCSI-004", "ISCSI-005"})
            for (const Finding &f : findingsOf(id, design))
                ADD_FAILURE() << file << ": " << testing::PrintToString(f);
    }
}
