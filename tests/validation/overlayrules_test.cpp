// One test per network-virtualization rule: it fires on a minimal bad design and stays silent
// once corrected; and the shipped samples break none of them (the multitenant sample reuses
// the same customer addresses in two VM networks, which is allowed).
#include "rulestestsupport.h"

#include "core/model/commands.h"
#include "core/validation/catalog.h"
#include "core/validation/validationengine.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QJsonArray>

using namespace converge::testing;
using namespace converge::core;

namespace {

// Two hosts (HV-A with provider address `paA`, HV-B with `paB`; "" for none), each with one
// tenant VM on VM network `netA` / `netB`, addresses `caA` / `caB`, plus `vmNetworks`.
struct OverlayDoc
{
    QByteArray paA = "192.168.2.10/24";
    QByteArray paB = "192.168.5.10/24";
    QByteArray netA = "blue";
    QByteArray netB = "blue";
    QByteArray caA = "10.10.10.10/24";
    QByteArray caB = "10.10.10.11/24";
    QByteArray vmNetworks = R"({"id": "blue", "name": "BLUE", "isolation": "NetworkVirtualization",
                                "vsid": 5001, "routingDomain": "BLUE", "customerSubnets": ["10.10.10.0/24"]},
                               {"id": "red", "name": "RED", "isolation": "NetworkVirtualization",
                                "vsid": 6001, "routingDomain": "RED", "customerSubnets": ["10.10.10.0/24"]})";

    QByteArray host(const char *id, const char *name, const QByteArray &pa, const QByteArray &net,
                    const QByteArray &ca, const char *mgmt) const
    {
        const QByteArray h(id);
        return "{\"id\": \"" + h + "\", \"name\": \"" + name + "\", \"platform\": \"hyperv\", " +
               (pa.isEmpty() ? QByteArray() : "\"providerAddress\": \"" + pa + "\", ") +
               "\"nics\": [{\"id\": \"" + h +
               ".eth1\", \"name\": \"eth1\", \"interfaceName\": \"eth1\"}], " +
               "\"switches\": [{\"id\": \"" + h +
               ".vs\", \"name\": \"Tenant\", \"type\": \"External\", \"uplink\": \"" + h +
               ".eth1\"}], " + "\"vnics\": [{\"id\": \"" + h +
               ".mgmt\", \"name\": \"Mgmt\", \"switch\": \"" + h + ".vs\", \"addresses\": [\"" +
               mgmt + "\"]}], " + "\"vms\": [{\"id\": \"" + h + ".vm\", \"name\": \"" + name +
               "-vm\", \"vmNetwork\": \"" + net + "\", \"vnics\": [" + "{\"id\": \"" + h +
               ".vm.nic\", \"name\": \"Ethernet\", \"switch\": \"" + h +
               ".vs\", \"addresses\": [\"" + ca + "\"]}]}]}";
    }

    QByteArray json() const
    {
        return "{\"schemaVersion\": 1, \"vmNetworks\": [" + vmNetworks + "], \"hosts\": [" +
               host("a", "HV-A", paA, netA, caA, "192.168.2.11/24") + ", " +
               host("b", "HV-B", paB, netB, caB, "192.168.5.11/24") + "]}";
    }
};

QByteArray networksDoc(const char *vmNetworks)
{
    return hostDocument(R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1"}])",
                        (QByteArray("\"vmNetworks\": [") + vmNetworks + "], ").constData());
}

} // namespace

TEST(OverlayRules, Hnv001VirtualSubnetIdIs24Bits)
{
    const auto tooBig = findingsOf("HNV-001", networksDoc(R"({"id": "net", "name": "BLUE",
        "isolation": "NetworkVirtualization", "vsid": 16777216})"));
    ASSERT_EQ(tooBig.size(), 1u);
    EXPECT_EQ(tooBig[0].severity, Severity::Error);
    EXPECT_EQ(tooBig[0].message,
              QStringLiteral("VM network 'BLUE' has virtual subnet id 16777216, which does not fit "
                             "the 24-bit VSID (1-16777215). Pick a VSID in that range."));
    EXPECT_EQ(findingsOf("HNV-001", networksDoc(R"({"id": "net", "name": "BLUE",
        "isolation": "NetworkVirtualization"})"))
                  .size(),
              1u)
        << "no VSID at all";
    EXPECT_TRUE(findingsOf("HNV-001", networksDoc(R"({"id": "net", "name": "BLUE",
        "isolation": "NetworkVirtualization", "vsid": 16777215})"))
                    .empty());
    EXPECT_TRUE(
        findingsOf("HNV-001", networksDoc(R"({"id": "net", "name": "LAN", "isolation": "Vlan"})"))
            .empty());
}

TEST(OverlayRules, Hnv002CustomerAddressesUniqueInARoutingDomain)
{
    OverlayDoc doc;
    doc.caB = doc.caA;
    const auto bad = findingsOf("HNV-002", doc.json());
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(bad[0].elements, ids({"a.vm.nic", "b.vm.nic"}));
    EXPECT_EQ(bad[0].message,
              QStringLiteral("vNIC 'Ethernet' of VM 'HV-A-vm' on host 'HV-A' has customer address "
                             "10.10.10.10, also held by vNIC 'Ethernet' of VM 'HV-B-vm' on host "
                             "'HV-B' in routing domain 'BLUE'. Customer addresses may repeat "
                             "across VM networks but not within one routing domain; give each VM "
                             "its own address."));
    doc.netB = "red";
    EXPECT_TRUE(findingsOf("HNV-002", doc.json()).empty()) << "BLUE and RED may overlap";
    doc.vmNetworks.replace("\"routingDomain\": \"RED\"", "\"routingDomain\": \"BLUE\"");
    EXPECT_EQ(findingsOf("HNV-002", doc.json()).size(), 1u)
        << "two VM networks of one routing domain share its address space";
}

TEST(OverlayRules, Hnv003ProviderAddresses)
{
    OverlayDoc missing;
    missing.paA = "";
    const auto none = findingsOf("HNV-003", missing.json());
    ASSERT_EQ(none.size(), 1u);
    EXPECT_EQ(none[0].elements, ids({"a", "blue"}));
    EXPECT_EQ(none[0].message,
              QStringLiteral("Host 'HV-A' runs VMs on network-virtualized VM network 'BLUE' but "
                             "has no provider address (PA): their traffic leaves the host "
                             "encapsulated with the host's PA. Set the host's provider address on "
                             "the physical network."));

    OverlayDoc same;
    same.paB = same.paA;
    const auto shared = findingsOf("HNV-003", same.json());
    ASSERT_EQ(shared.size(), 1u) << "reported once, by the first host";
    EXPECT_EQ(shared[0].elements, ids({"a", "b"}));
    EXPECT_EQ(shared[0].message,
              QStringLiteral("Hosts 'HV-A' and 'HV-B' have the same provider address 192.168.2.10; "
                             "the PA routes encapsulated packets to the right host, so each host "
                             "needs its own."));

    OverlayDoc clash;
    clash.paB = "192.168.5.11/24"; // HV-B's management address
    const auto withVnic = findingsOf("HNV-003", clash.json());
    ASSERT_EQ(withVnic.size(), 1u);
    EXPECT_EQ(withVnic[0].elements, ids({"b", "b.mgmt"}));

    EXPECT_TRUE(findingsOf("HNV-003", OverlayDoc().json()).empty());
    OverlayDoc physical;
    physical.paA = physical.paB = "";
    physical.netA = physical.netB = "lan";
    physical.vmNetworks += R"(, {"id": "lan", "name": "LAN", "isolation": "Vlan"})";
    EXPECT_TRUE(findingsOf("HNV-003", physical.json()).empty())
        << "hosts without network-virtualized VMs need no PA";
}

TEST(OverlayRules, Hnv004OneIsolationType)
{
    const auto bad =
        findingsOf("HNV-004", networksDoc(R"({"id": "net", "name": "LAN", "isolation": "Vlan",
        "vsid": 5001, "encapsulation": "NVGRE"})"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("VM network 'LAN' is isolated by 'Vlan' but has network-virtualization "
                       "settings (vsid, encapsulation): a VM network uses one isolation "
                       "type. Remove them, or set its isolation to NetworkVirtualization."));
    EXPECT_TRUE(
        findingsOf("HNV-004", networksDoc(R"({"id": "net", "name": "LAN", "isolation": "Vlan"})"))
            .empty());
    EXPECT_TRUE(
        findingsOf(
            "HNV-004",
            networksDoc(R"({"id": "net", "name": "BLUE", "isolation": "NetworkVirtualization",
        "vsid": 5001, "encapsulation": "NVGRE"})"))
            .empty());
}

TEST(OverlayRules, Hnv005CustomerSubnetsOfARoutingDomainDontOverlap)
{
    const auto bad = findingsOf("HNV-005", networksDoc(R"(
        {"id": "net1", "name": "BLUE-Web", "isolation": "NetworkVirtualization", "vsid": 5001,
         "routingDomain": "BLUE", "customerSubnets": ["10.10.0.0/16"]},
        {"id": "net2", "name": "BLUE-Db", "isolation": "NetworkVirtualization", "vsid": 5002,
         "routingDomain": "BLUE", "customerSubnets": ["10.10.20.0/24"]})"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].elements, ids({"net1", "net2"}));
    EXPECT_EQ(bad[0].message,
              QStringLiteral("VM network 'BLUE-Web' and VM network 'BLUE-Db' share routing domain "
                             "'BLUE' but their customer subnets overlap (10.10.0.0/16 and "
                             "10.10.20.0/24); virtual subnets of one routing domain must not "
                             "overlap. Change one prefix or put the networks in different routing "
                             "domains."));
    const auto own = findingsOf("HNV-005", networksDoc(R"({"id": "net1", "name": "BLUE",
        "isolation": "NetworkVirtualization", "vsid": 5001, "customerSubnets": ["10.10.0.0/16", "10.10.10.0/24"]})"));
    EXPECT_EQ(own.size(), 1u);
    EXPECT_TRUE(findingsOf("HNV-005", networksDoc(R"(
        {"id": "net1", "name": "BLUE", "isolation": "NetworkVirtualization", "vsid": 5001,
         "routingDomain": "BLUE", "customerSubnets": ["10.10.10.0/24"]},
        {"id": "net2", "name": "RED", "isolation": "NetworkVirtualization", "vsid": 6001,
         "routingDomain": "RED", "customerSubnets": ["10.10.10.0/24"]})"))
                    .empty());
}

TEST(OverlayRules, Hnv006EachVirtualSubnetHasItsOwnVsid)
{
    const auto bad = findingsOf("HNV-006", networksDoc(R"(
        {"id": "net1", "name": "BLUE", "isolation": "NetworkVirtualization", "vsid": 5001},
        {"id": "net2", "name": "RED", "isolation": "NetworkVirtualization", "vsid": 5001},
        {"id": "net3", "name": "GREEN", "isolation": "NetworkVirtualization", "vsid": 5001})"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].elements, ids({"net1", "net2", "net3"}));
    EXPECT_EQ(bad[0].message,
              QStringLiteral("VM networks 'BLUE', 'RED' and 'GREEN' use the same virtual subnet id "
                             "5001: NVGRE tells virtual subnets apart only by their VSID, so they "
                             "would not be isolated. Give each its own VSID."));
    EXPECT_TRUE(findingsOf("HNV-006", networksDoc(R"(
        {"id": "net1", "name": "BLUE", "isolation": "NetworkVirtualization", "vsid": 5001},
        {"id": "net2", "name": "RED", "isolation": "NetworkVirtualization", "vsid": 6001})"))
                    .empty());
}

TEST(OverlayRules, SamplesBreakNoOverlayRule)
{
    for (const char *file : cleanSamples) {
        const auto design = loadSample(file);
        for (const char *rule : {"HNV-001", "HNV-002", "HNV-003", "HNV-004", "HNV-005", "HNV-006",
                                 "HNV-007", "HNV-008"})
            EXPECT_TRUE(findingsOf(rule, design).empty()) << file << " breaks " << rule;
    }
}

// The addressing and overlay checks read other elements (VM networks, other vNICs with the same
// address, other hosts' PAs, subnets): after each edit of what they read, re-validating only
// the affected anchors gives what a full run gives.
TEST(OverlayRules, IncrementalEqualsFullOnTheMultitenantSample)
{
    QFile f(QStringLiteral(":/samples/multitenant-overlay.converge.json"));
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    Design design = loadDesign(f.readAll());
    ValidationEngine engine(ruleCatalog());
    engine.attach(design);
    const QJsonArray blue{QStringLiteral("10.10.10.11/24")};
    const std::vector<std::tuple<const char *, const char *, QJsonValue>> edits{
        {"h1.blue1.nic", "addresses", blue},                  // HNV-002: duplicate CA in BLUE
        {"net.red", "routingDomain", QStringLiteral("BLUE")}, // RED joins BLUE's domain
        {"h2.red2", "vmNetwork", QStringLiteral("net.blue")}, // a VM changes network
        {"net.blue", "isolation", QStringLiteral("Vlan")},    // BLUE's VMs go physical
        {"h2", "providerAddress", QStringLiteral("192.168.2.10/24")}, // HNV-003: same PA as h1
        {"h1.mgmt", "addresses", QJsonArray{QStringLiteral("192.168.2.10/24")}}, // PA clash
        {"s.pa-a", "prefix", QStringLiteral("192.168.0.0/16")}, // IP-002 overlap, IP-006 mask
        {"net.red", "vsid", 5001},                              // HNV-006
        {"h1", "providerAddress", QJsonValue::Undefined},       // HNV-003: PA missing
    };
    for (const auto &[id, key, value] : edits) {
        auto edit = commands::setProperty(design, QLatin1String(id), QLatin1String(key), value);
        ASSERT_TRUE(edit && design.apply(*edit)) << id << "." << key;
        EXPECT_EQ(engine.findings(), allFindings(design)) << "after setting " << id << "." << key;
    }
    EXPECT_FALSE(engine.findings().empty());
}

namespace {

// Two linux-ovs hosts with VM networks Blue (VXLAN) and Red (NVGRE) over tunnels, as the wire
// test deploys them (uplinks with MTU 1600).
Design ovsOverlayDesign()
{
    QFile f(QStringLiteral(CONVERGE_SOURCE_DIR "/tests/wire/data/two-hosts-overlay.converge.json"));
    return f.open(QIODevice::ReadOnly) ? loadDesign(f.readAll()) : Design();
}

void set(Design &design, const char *id, const char *key, const QJsonValue &value)
{
    auto edit = commands::setProperty(design, QLatin1String(id), QLatin1String(key), value);
    ASSERT_TRUE(edit && design.apply(*edit)) << id << "." << key;
}

} // namespace

TEST(OverlayRules, Hnv007OverlayVnicsOnLinuxOvsHaveAMacAndOneSwitchWithAnUplink)
{
    Design design = ovsOverlayDesign();
    ASSERT_FALSE(design.elements(ElementKind::Host).empty());
    EXPECT_TRUE(findingsOf("HNV-007", design).empty());

    set(design, "hv1.blue1.nic", "mac", QJsonValue::Undefined);
    auto found = findingsOf("HNV-007", design);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].elements, ids({"hv1.blue1.nic"}));
    EXPECT_TRUE(found[0].message.contains(QLatin1String("has no MAC address")))
        << found[0].message.toStdString();

    design = ovsOverlayDesign();
    set(design, "hv2.lab", "uplink", QJsonValue::Undefined);
    found = findingsOf("HNV-007", design);
    ASSERT_EQ(found.size(), 2u) << "blue2 and red2";
    EXPECT_TRUE(found[0].message.contains(QLatin1String("'lab' has no uplink")))
        << found[0].message.toStdString();

    // A second switch on hv1 for red1: the host's overlay vNICs are split.
    design = ovsOverlayDesign();
    auto added = commands::addElement(design, ElementKind::VirtualSwitch, QStringLiteral("hv1"),
                                      {{QStringLiteral("name"), QStringLiteral("other")},
                                       {QStringLiteral("type"), QStringLiteral("Internal")}},
                                      QStringLiteral("hv1.other"));
    ASSERT_TRUE(added && design.apply(*added));
    set(design, "hv1.red1.nic", "switch", QStringLiteral("hv1.other"));
    found = findingsOf("HNV-007", design);
    ASSERT_EQ(found.size(), 2u) << "split, and 'other' has no uplink";
    const auto split = std::ranges::find_if(found, [](const Finding &f) {
        return f.message.contains(QLatin1String("must be on one switch"));
    });
    ASSERT_NE(split, found.end());
    EXPECT_EQ(split->elements, ids({"hv1.red1.nic", "hv1.blue1.nic"}));
    EXPECT_TRUE(split->message.contains(QLatin1String("on virtual switch 'other', but")))
        << split->message.toStdString();

    // Hyper-V hosts realize overlays themselves: none of this applies.
    design = ovsOverlayDesign();
    set(design, "hv1.blue1.nic", "mac", QJsonValue::Undefined);
    set(design, "hv1", "platform", QStringLiteral("hyperv"));
    EXPECT_TRUE(findingsOf("HNV-007", design).empty());
}

TEST(OverlayRules, Hnv008AnUplinkCarryingTunnelsHasRoomForTheirHeaders)
{
    Design design = ovsOverlayDesign();
    EXPECT_TRUE(findingsOf("HNV-008", design).empty()) << "MTU 1600 has room for both";
    set(design, "hv1.up1", "mtu", 1500);
    auto found = findingsOf("HNV-008", design);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].elements, ids({"hv1.lab", "hv1.blue1.nic"})) << "Blue is VXLAN: 1550";
    EXPECT_TRUE(found[0].message.contains(QLatin1String("need 1550 once encapsulated")))
        << found[0].message.toStdString();
    EXPECT_TRUE(found[0].message.contains(QLatin1String("lower the vNICs' MTU to 1450")))
        << found[0].message.toStdString();
    set(design, "hv1.up1", "mtu", 1550);
    EXPECT_TRUE(findingsOf("HNV-008", design).empty());
    // Without the VXLAN network only NVGRE's 42 bytes are needed.
    set(design, "hv1.up1", "mtu", 1542);
    set(design, "hv1.blue1", "vmNetwork", QJsonValue::Undefined);
    EXPECT_TRUE(findingsOf("HNV-008", design).empty());
    set(design, "hv1.up1", "mtu", 1541);
    EXPECT_EQ(findingsOf("HNV-008", design).size(), 1u);
}

// HNV-007 and HNV-008 read other vNICs, switches, NICs and VM networks: re-validating only the
// affected anchors after each edit gives what a full run gives.
TEST(OverlayRules, IncrementalEqualsFullOnLinuxOvsOverlays)
{
    Design design = ovsOverlayDesign();
    ValidationEngine engine(ruleCatalog());
    engine.attach(design);
    const std::vector<std::tuple<const char *, const char *, QJsonValue>> edits{
        {"hv1.up1", "mtu", 1500},                               // HNV-008 on hv1.lab
        {"net.blue", "encapsulation", QStringLiteral("NVGRE")}, // 1542 needed: still short
        {"hv1.red1.nic", "mtu", 1400},                          // the widest vNIC changes
        {"hv2.blue2.nic", "mac", QJsonValue::Undefined},        // HNV-007: no MAC
        {"hv2.lab", "uplink", QJsonValue::Undefined},           // HNV-007: no uplink
        {"hv1.phy1", "vmNetwork", QStringLiteral("net.red")},   // phy1 joins Red
        {"net.red", "isolation", QStringLiteral("None")},       // Red goes physical
        {"hv1", "platform", QStringLiteral("hyperv")},          // not Open vSwitch any more
    };
    for (const auto &[id, key, value] : edits) {
        set(design, id, key, value);
        EXPECT_EQ(engine.findings(), allFindings(design)) << "after setting " << id << "." << key;
    }
}
