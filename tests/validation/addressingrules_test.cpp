// One test per addressing rule: it fires on a minimal bad design and stays silent once corrected;
// and the shipped samples break none of them.
#include "rulestestsupport.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QJsonArray>

using namespace converge::testing;
using converge::core::Finding;
using converge::core::Severity;

namespace {

// Host 'hv1' with an external switch, management-OS vNICs `mgmt` and VMs `vms` (JSON array
// members), plus top-level members `top` (each ending with a comma).
QByteArray addressDoc(const char *mgmt, const char *vms = "", const char *top = "")
{
    const QByteArray body =
        QByteArray(R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1"}],
        "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": "n1"}],
        "vnics": [)") +
        mgmt + R"(], "vms": [)" + vms + "]";
    return hostDocument(body.constData(), top);
}

const char *mgmtVnic = R"({"id": "m", "name": "Mgmt", "switch": "vs", "addresses": ["10.0.0.5/24"],
                            "gateway": "10.0.0.1"})";

} // namespace

TEST(AddressingRules, Ip001DuplicateAddressOnThePhysicalNetwork)
{
    const char *vms = R"({"id": "vm1", "name": "g1", "vnics": [
                              {"id": "a", "name": "LAN", "switch": "vs", "addresses": ["10.0.0.5/24"]}]},
                          {"id": "vm2", "name": "g2", "vnics": [
                              {"id": "b", "name": "LAN", "switch": "vs", "addresses": ["10.0.0.5/24"]}]})";
    const auto bad = findingsOf("IP-001", addressDoc(mgmtVnic, vms));
    ASSERT_EQ(bad.size(), 1u) << "three vNICs share one address: one finding";
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(bad[0].elements, ids({"a", "b", "m"}));
    EXPECT_EQ(bad[0].message,
              QStringLiteral("vNIC 'LAN' of VM 'g1' on host 'hv1' has address 10.0.0.5, also held "
                             "by vNIC 'LAN' of VM 'g2' on host 'hv1' and vNIC 'Mgmt' "
                             "on host 'hv1' on the physical network. Give each vNIC its own "
                             "address."));

    QByteArray fixed = addressDoc(mgmtVnic, vms);
    fixed.replace(R"("id": "b", "name": "LAN", "switch": "vs", "addresses": ["10.0.0.5/24"])",
                  R"("id": "b", "name": "LAN", "switch": "vs", "addresses": ["10.0.0.7/24"])");
    fixed.replace(R"("id": "a", "name": "LAN", "switch": "vs", "addresses": ["10.0.0.5/24"])",
                  R"("id": "a", "name": "LAN", "switch": "vs", "addresses": ["10.0.0.6/24"])");
    EXPECT_TRUE(findingsOf("IP-001", fixed).empty());
}

TEST(AddressingRules, Ip001LeavesCustomerAddressesToHnv002)
{
    const char *top =
        R"("vmNetworks": [{"id": "net", "name": "BLUE", "isolation": "NetworkVirtualization",
                                         "vsid": 5001}], )";
    const char *vms = R"({"id": "vm1", "name": "blue1", "vmNetwork": "net", "vnics": [
                              {"id": "a", "name": "Ethernet", "switch": "vs", "addresses": ["10.0.0.5/24"]}]})";
    EXPECT_TRUE(findingsOf("IP-001", addressDoc(mgmtVnic, vms, top)).empty())
        << "a customer address may equal a physical-network address";
}

TEST(AddressingRules, Ip002OverlappingSubnets)
{
    auto doc = [](const char *subnets) {
        return addressDoc(mgmtVnic, "",
                          (QByteArray(R"("vlans": [{"id": "v10", "name": "LAN", "vlanId": 10},
                                                   {"id": "v20", "name": "LM", "vlanId": 20}],
                                         "subnets": [)") +
                           subnets + "], ")
                              .constData());
    };
    const auto bad =
        findingsOf("IP-002", doc(R"({"id": "s1", "name": "LAN", "prefix": "10.0.0.0/16"},
                                                 {"id": "s2", "name": "LM", "prefix": "10.0.5.0/24"})"));
    ASSERT_EQ(bad.size(), 1u) << "one finding per pair";
    EXPECT_EQ(bad[0].elements, ids({"s1", "s2"}));
    EXPECT_EQ(bad[0].message,
              QStringLiteral("subnet 'LAN' (10.0.0.0/16) overlaps subnet 'LM' (10.0.5.0/24) in the "
                             "physical network. Subnets of one routing domain must not overlap: "
                             "renumber one of them, or, if they belong to different tenants, give "
                             "each its own routing domain."));
    EXPECT_EQ(findingsOf("IP-002",
                         doc(R"({"id": "s1", "name": "LAN", "prefix": "10.0.0.0/24", "vlan": "v10"},
                                          {"id": "s2", "name": "LM", "prefix": "10.0.0.0/24", "vlan": "v20"})"))
                  .size(),
              1u)
        << "the same prefix on two VLANs is two networks";
    EXPECT_TRUE(
        findingsOf("IP-002",
                   doc(R"({"id": "s1", "name": "LAN", "prefix": "10.0.0.0/24", "vlan": "v10"},
                                            {"id": "s2", "name": "LAN again", "prefix": "10.0.0.0/24", "vlan": "v10"})"))
            .empty())
        << "the same network drawn twice";
    EXPECT_TRUE(
        findingsOf("IP-002",
                   doc(R"({"id": "s1", "name": "LAN", "prefix": "10.0.0.0/24", "vlan": "v10"},
                                    {"id": "s2", "name": "LAN again", "prefix": "10.0.0.0/24"})"))
            .empty())
        << "the same network, its VLAN drawn once";
    EXPECT_TRUE(findingsOf("IP-002", doc(R"({"id": "s1", "name": "LAN", "prefix": "10.0.0.0/16"},
                                            {"id": "s2", "name": "Tenant", "prefix": "10.0.5.0/24", "routingDomain": "BLUE"})"))
                    .empty())
        << "different routing domains may overlap";
    EXPECT_TRUE(findingsOf("IP-002", doc(R"({"id": "s1", "name": "LAN", "prefix": "10.0.0.0/24"},
                                            {"id": "s2", "name": "LM", "prefix": "10.0.5.0/24"})"))
                    .empty());
}

TEST(AddressingRules, Ip003GatewayOutsideTheVnicsSubnet)
{
    const auto bad = findingsOf("IP-003", addressDoc(R"({"id": "m", "name": "Mgmt", "switch": "vs",
                                                         "addresses": ["10.0.0.5/24"], "gateway": "10.0.1.1"})"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(bad[0].elements, ids({"m"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("vNIC 'Mgmt' on host 'hv1' has default gateway "
                       "10.0.1.1 outside its own subnet (10.0.0.5/24): the gateway must be "
                       "reachable on the vNIC's subnet. Correct the gateway or the address."));
    EXPECT_TRUE(findingsOf("IP-003", addressDoc(mgmtVnic)).empty());
}

TEST(AddressingRules, Ip003NetworkOrBroadcastAddress)
{
    const auto network =
        findingsOf("IP-003", addressDoc(R"({"id": "m", "name": "Mgmt", "switch": "vs",
                                                             "addresses": ["10.127.4.0/22"]})"));
    ASSERT_EQ(network.size(), 1u);
    EXPECT_TRUE(network[0].message.contains(QStringLiteral("the network address")));
    const auto broadcast =
        findingsOf("IP-003", addressDoc(R"({"id": "m", "name": "Mgmt", "switch": "vs",
                                                               "addresses": ["10.127.7.255/22"]})"));
    ASSERT_EQ(broadcast.size(), 1u);
    EXPECT_TRUE(broadcast[0].message.contains(QStringLiteral("the broadcast address")));
    EXPECT_TRUE(findingsOf("IP-003", addressDoc(R"({"id": "m", "name": "Mgmt", "switch": "vs",
                                                    "addresses": ["10.127.4.0/21", "10.0.0.1/31"]})"))
                    .empty())
        << "10.127.4.0 is a host address of 10.127.0.0/21; /31 has no broadcast address";
}

TEST(AddressingRules, Ip003CustomerAddressInItsVmNetwork)
{
    const char *top =
        R"("vmNetworks": [{"id": "net", "name": "BLUE", "isolation": "NetworkVirtualization",
                                         "vsid": 5001, "customerSubnets": ["10.10.10.0/24"]}], )";
    auto vm = [](const char *address) {
        return QByteArray(R"({"id": "vm1", "name": "blue1", "vmNetwork": "net", "vnics": [
                    {"id": "a", "name": "Ethernet", "switch": "vs", "addresses": [")") +
               address + R"("]}]})";
    };
    const auto outside = findingsOf("IP-003", addressDoc(mgmtVnic, vm("10.20.0.5/24"), top));
    ASSERT_EQ(outside.size(), 1u);
    EXPECT_EQ(outside[0].elements, ids({"a", "net"}));
    EXPECT_EQ(outside[0].message,
              QStringLiteral("vNIC 'Ethernet' of VM 'blue1' on host 'hv1' has customer address "
                             "10.20.0.5/24, outside the customer subnets of its VM network "
                             "(10.10.10.0/24). Use an address of one of them, or add the subnet "
                             "to the VM network."));
    const auto mask = findingsOf("IP-003", addressDoc(mgmtVnic, vm("10.10.10.10/16"), top));
    ASSERT_EQ(mask.size(), 1u);
    ASSERT_TRUE(mask[0].fix);
    EXPECT_EQ(mask[0].fix->changes.front().value,
              QJsonValue(QJsonArray{QStringLiteral("10.10.10.10/24")}));
    EXPECT_TRUE(findingsOf("IP-003", addressDoc(mgmtVnic, vm("10.10.10.10/24"), top)).empty());
}

TEST(AddressingRules, Ip004OneDefaultGatewayPerOperatingSystem)
{
    const char *two =
        R"({"id": "m", "name": "Mgmt", "switch": "vs", "addresses": ["10.0.0.5/24"], "gateway": "10.0.0.1"},
                         {"id": "s", "name": "SAN1", "switch": "vs", "addresses": ["10.10.6.5/16"], "gateway": "10.10.0.1"})";
    const auto bad = findingsOf("IP-004", addressDoc(two));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Warning);
    EXPECT_EQ(bad[0].elements, ids({"m", "s"}));
    EXPECT_EQ(bad[0].message,
              QStringLiteral("The management OS of host 'hv1' has 2 IPv4 default gateways, on "
                             "vNICs 'Mgmt' (10.0.0.1) and 'SAN1' (10.10.0.1). An operating system "
                             "uses one default gateway; keep it on the vNIC that routes out (LAN) "
                             "and clear it on the others."));
    const char *vm = R"({"id": "vm1", "name": "g1", "vnics": [
        {"id": "a", "name": "LAN", "switch": "vs", "addresses": ["10.0.0.6/24"], "gateway": "10.0.0.1"},
        {"id": "b", "name": "LAN6", "switch": "vs", "addresses": ["fd00::6/64"], "gateway": "fd00::1"}]})";
    EXPECT_TRUE(findingsOf("IP-004", addressDoc(mgmtVnic, vm)).empty())
        << "one gateway per IP version, and the VM is another operating system";
}

TEST(AddressingRules, Ip005SubnetGatewayInsideTheSubnet)
{
    auto doc = [](const char *gateway) {
        return addressDoc(
            mgmtVnic, "",
            (QByteArray(
                 R"("subnets": [{"id": "s1", "name": "LAN", "prefix": "10.127.4.0/22", "gateway": ")") +
             gateway + R"("}], )")
                .constData());
    };
    const auto outside = findingsOf("IP-005", doc("10.127.8.1"));
    ASSERT_EQ(outside.size(), 1u);
    EXPECT_EQ(outside[0].message,
              QStringLiteral("subnet 'LAN' (10.127.4.0/22) has gateway 10.127.8.1, which lies "
                             "outside the subnet. Use an address of the subnet."));
    EXPECT_EQ(findingsOf("IP-005", doc("10.127.7.255")).size(), 1u) << "the broadcast address";
    EXPECT_TRUE(findingsOf("IP-005", doc("10.127.4.1")).empty());
}

TEST(AddressingRules, Ip006AddressUsesTheDrawnSubnetsPrefix)
{
    auto doc = [](const char *address) {
        return addressDoc(
            (QByteArray(R"({"id": "m", "name": "Mgmt", "switch": "vs", "addresses": [")") +
             address + R"("], "gateway": "10.127.4.1"})")
                .constData(),
            "",
            R"("subnets": [{"id": "s1", "name": "LAN", "prefix": "10.127.4.0/22", "gateway": "10.127.4.1"},
                                         {"id": "s2", "name": "Tenant", "prefix": "10.127.0.0/16", "routingDomain": "BLUE"}], )");
    };
    const auto bad = findingsOf("IP-006", doc("10.127.4.50/24"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(bad[0].elements, ids({"h1", "m", "s1"}));
    EXPECT_EQ(bad[0].message,
              QStringLiteral("vNIC 'Mgmt' on host 'hv1' has address 10.127.4.50/24, "
                             "which lies in subnet 'LAN' (10.127.4.0/22) but with a /24 prefix; "
                             "use the subnet's prefix length /22."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().value,
              QJsonValue(QJsonArray{QStringLiteral("10.127.4.50/22")}));
    EXPECT_TRUE(findingsOf("IP-006", doc("10.127.4.50/22")).empty()) << "Table 8's address";
    EXPECT_TRUE(findingsOf("IP-006", doc("10.200.0.5/24")).empty()) << "no drawn subnet holds it";
}

// The samples are drawn from the sources and meant clean (docs/samples.md).
TEST(AddressingRules, SamplesBreakNoAddressingRule)
{
    for (const char *file : cleanSamples) {
        const auto design = loadSample(file);
        for (const char *rule : {"IP-001", "IP-002", "IP-003", "IP-004", "IP-005", "IP-006"})
            EXPECT_TRUE(findingsOf(rule, design).empty()) << file << " breaks " << rule;
    }
}

// 004 IPAM "conflicts and duplicates": a vNIC's address clashes not only with another vNIC's but
// with what the design gives to routers, arrays and switches.
TEST(AddressingRules, Ip001AddressTakenByAGatewayPortalOrSwitch)
{
    const char *top =
        R"("subnets": [{"id": "s", "name": "LAN", "prefix": "10.0.0.0/24", "gateway": "10.0.0.1"},
                   {"id": "t", "name": "Tenant", "prefix": "10.0.0.0/24", "gateway": "10.0.0.1", "routingDomain": "BLUE"}],
        "storageTargets": [{"id": "st", "name": "Array", "portals": ["10.0.0.20", "10.0.0.21"]}],
        "physicalSwitches": [{"id": "tor", "name": "ToR", "managementAddress": "10.0.0.2"}], )";
    auto doc = [&](const char *address) {
        const QByteArray vm = QByteArray(R"({"id": "vm1", "name": "g1", "vnics": [
            {"id": "a", "name": "LAN", "switch": "vs", "addresses": [")") +
                              address + R"("]}]})";
        return addressDoc(mgmtVnic, vm.constData(), top);
    };
    const auto gateway = findingsOf("IP-001", doc("10.0.0.1/24"));
    ASSERT_EQ(gateway.size(), 1u) << "the tenant subnet's gateway is in another routing domain";
    EXPECT_EQ(gateway[0].severity, Severity::Error);
    EXPECT_EQ(gateway[0].elements, ids({"a", "s"}));
    EXPECT_EQ(gateway[0].message,
              QStringLiteral("vNIC 'LAN' of VM 'g1' on host 'hv1' has address 10.0.0.1, the "
                             "gateway of subnet 'LAN' (10.0.0.0/24): the subnet's router holds it. "
                             "Give the vNIC another address, or correct the subnet's gateway."));

    const auto portal = findingsOf("IP-001", doc("10.0.0.21/24"));
    ASSERT_EQ(portal.size(), 1u);
    EXPECT_EQ(portal[0].elements, ids({"a", "st"}));
    EXPECT_TRUE(portal[0].message.contains(QStringLiteral("a portal address of storage target")));

    const auto management = findingsOf("IP-001", doc("10.0.0.2/24"));
    ASSERT_EQ(management.size(), 1u);
    EXPECT_EQ(management[0].elements, ids({"a", "tor"}));
    EXPECT_TRUE(management[0].message.contains(QStringLiteral("the management address of")));

    EXPECT_TRUE(findingsOf("IP-001", doc("10.0.0.30/24")).empty());
}
