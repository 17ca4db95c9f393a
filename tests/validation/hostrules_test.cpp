// One test per host, licensing, security and DHCP rule: it fires on a minimal bad design and
// stays silent once corrected; and the shipped samples break none of the error rules.
#include "rulestestsupport.h"

#include <gtest/gtest.h>

#include <QFile>

using namespace converge::testing;
using converge::core::Finding;
using converge::core::Severity;

namespace {

// n VMs named g1..gn, each with one vNIC (`vnicProps` added to it).
QByteArray vms(int n, const char *vmProps = "", const char *vnicProps = "")
{
    QByteArray out;
    for (int i = 1; i <= n; ++i)
        out += QByteArray(i > 1 ? ", " : "") + "{\"id\": \"vm" + QByteArray::number(i) +
               "\", \"name\": \"g" + QByteArray::number(i) + "\"" + vmProps +
               ", \"vnics\": [{\"id\": \"vm" + QByteArray::number(i) +
               ".lan\", \"name\": \"LAN\", \"switch\": \"vs\"" + vnicProps + "}]}";
    return out;
}

// Host 'hv1' (`hostProps` first) with two 10 GbE NICs, a switch on eth1 and `vmsJson`.
QByteArray hostDoc(const char *hostProps, const QByteArray &vmsJson, const char *extra = "",
                   const char *top = "")
{
    const QByteArray body =
        QByteArray(hostProps) +
        R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1", "speed": 10000000000},
                                        {"id": "n2", "name": "eth2", "interfaceName": "eth2", "speed": 10000000000}],
                               "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": "n1"}],
                               "vms": [)" +
        vmsJson + "]" + extra;
    return hostDocument(body.constData(), top);
}

} // namespace

TEST(HostRules, Host001HardwareVirtualization)
{
    const auto off =
        findingsOf("HOST-001", hostDoc(R"("hardwareVirtualization": false, )", vms(1)));
    ASSERT_EQ(off.size(), 1u);
    EXPECT_EQ(off[0].severity, Severity::Error);
    EXPECT_EQ(
        off[0].message,
        QStringLiteral("Hyper-V host 'hv1' has hardware virtualization off: Hyper-V requires a "
                       "CPU with Intel VT-x or AMD-V, enabled in the firmware. Enable it and "
                       "mark it on the host."));
    ASSERT_TRUE(off[0].fix);
    EXPECT_EQ(off[0].fix->changes.front().key, QStringLiteral("hardwareVirtualization"));
    EXPECT_EQ(findingsOf("HOST-001", hostDoc("", vms(1))).size(), 1u) << "not declared";
    EXPECT_TRUE(
        findingsOf("HOST-001", hostDoc(R"("hardwareVirtualization": true, )", vms(1))).empty());
    QByteArray ovs = hostDoc("", vms(1));
    ovs.replace("\"platform\": \"hyperv\"", "\"platform\": \"linux-ovs\"");
    EXPECT_TRUE(findingsOf("HOST-001", ovs).empty()) << "the rule is about Hyper-V hosts";
}

TEST(HostRules, Host002StandardEditionRunsAtMostTwoVms)
{
    const auto bad = findingsOf("HOST-002", hostDoc(R"("edition": "Standard", )", vms(3)));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].elements, ids({"h1", "vm1", "vm2", "vm3"}));
    EXPECT_EQ(bad[0].message,
              QStringLiteral("Host 'hv1' runs 3 VMs on Windows Server Standard, which licenses at "
                             "most two virtual instances per host. Use the Datacenter edition or "
                             "move VMs to another host."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().value.toString(), QStringLiteral("Datacenter"));
    EXPECT_TRUE(findingsOf("HOST-002", hostDoc(R"("edition": "Standard", )", vms(2))).empty());
    EXPECT_TRUE(findingsOf("HOST-002", hostDoc(R"("edition": "Datacenter", )", vms(3))).empty());
}

TEST(HostRules, Host003MoreThanOneAdapter)
{
    QByteArray one = hostDoc("", vms(1));
    one.replace(R"(,
                                        {"id": "n2", "name": "eth2", "interfaceName": "eth2", "speed": 10000000000})",
                "");
    const auto bad = findingsOf("HOST-003", one);
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].elements, ids({"h1", "n1"}));
    EXPECT_EQ(bad[0].message,
              QStringLiteral("Host 'hv1' runs 1 VM(s) but has 1 physical network adapter(s): "
                             "management and VM traffic share it and one failure cuts both. Add a "
                             "second network adapter."));
    EXPECT_TRUE(findingsOf("HOST-003", hostDoc("", vms(1))).empty());
    one.replace(vms(1), "");
    EXPECT_TRUE(findingsOf("HOST-003", one).empty()) << "a host without VMs";
}

TEST(HostRules, Sec001NoDhcpGuardOnADhcpServer)
{
    const auto bad = findingsOf("SEC-001", hostDoc("", vms(1, R"(, "approvedDhcpServer": true)",
                                                           R"(, "dhcpGuard": true)")));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(bad[0].elements, ids({"vm1.lan", "vm1"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("VM 'g1' is an approved DHCP server, but DHCP guard is on for its vNIC "
                       "'LAN': the guard drops the VM's DHCP offers. Turn DHCP guard off on "
                       "this vNIC."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().value, QJsonValue(false));
    const char *failover =
        R"("dhcpFailovers": [{"id": "fo", "name": "Site", "servers": ["vm1", "vm2"]}], )";
    const auto partners =
        findingsOf("SEC-001", hostDoc("", vms(2, "", R"(, "dhcpGuard": true)"), "", failover));
    EXPECT_EQ(partners.size(), 2u) << "DHCP failover partners are DHCP servers";
    EXPECT_TRUE(findingsOf("SEC-001", hostDoc("", vms(1, R"(, "approvedDhcpServer": true)",
                                                      R"(, "dhcpGuard": false)")))
                    .empty());
    EXPECT_TRUE(findingsOf("SEC-001", hostDoc("", vms(1, "", R"(, "dhcpGuard": true)"))).empty());
}

TEST(HostRules, Sec002RouterGuardOnTenantVnics)
{
    const auto bad = findingsOf("SEC-002", hostDoc("", vms(1, "", R"(, "trafficRole": "Tenant")")));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Warning);
    EXPECT_EQ(bad[0].message,
              QStringLiteral("Tenant vNIC 'LAN' of VM 'g1' on host 'hv1' has router guard off: the "
                             "VM could send router advertisements and redirects to other tenants' "
                             "machines. Turn router guard on."));
    ASSERT_TRUE(bad[0].fix);
    const char *net =
        R"("vmNetworks": [{"id": "net", "name": "BLUE", "isolation": "NetworkVirtualization", "vsid": 5001}], )";
    EXPECT_EQ(findingsOf("SEC-002", hostDoc("", vms(1, R"(, "vmNetwork": "net")"), "", net)).size(),
              1u)
        << "a VM on an isolated VM network is a tenant";
    EXPECT_TRUE(
        findingsOf("SEC-002",
                   hostDoc("", vms(1, "", R"(, "trafficRole": "Tenant", "routerGuard": true)")))
            .empty());
    EXPECT_TRUE(
        findingsOf("SEC-002", hostDoc("", vms(1, "", R"(, "trafficRole": "iSCSI")"))).empty());
}

TEST(HostRules, Sec003DhcpGuardOnOtherVms)
{
    const auto bad = findingsOf("SEC-003", hostDoc("", vms(1)));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Warning);
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("vNIC 'LAN' of VM 'g1' on host 'hv1' has DHCP guard off, and the VM is "
                       "not a DHCP server: a rogue DHCP server in it could hand out addresses. "
                       "Turn DHCP guard on."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().value, QJsonValue(true));
    EXPECT_TRUE(findingsOf("SEC-003", hostDoc("", vms(1, "", R"(, "dhcpGuard": true)"))).empty());
    EXPECT_TRUE(
        findingsOf("SEC-003", hostDoc("", vms(1, R"(, "approvedDhcpServer": true)"))).empty());
}

TEST(HostRules, Dhcp001FailoverHasTwoServers)
{
    auto doc = [](const char *servers) {
        const QByteArray top =
            QByteArray(
                R"("dhcpFailovers": [{"id": "fo", "name": "Site", "mode": "HotStandby", "servers": )") +
            servers + "}], ";
        return hostDoc("", vms(3, R"(, "approvedDhcpServer": true)"), "", top.constData());
    };
    const auto bad = findingsOf("DHCP-001", doc(R"(["vm1", "vm2", "vm3"])"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].elements, ids({"fo", "vm1", "vm2", "vm3"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("DHCP failover 'Site' has 3 server(s); a DHCP failover relationship is "
                       "between exactly two DHCPv4 servers (hot standby or load sharing)."));
    EXPECT_EQ(findingsOf("DHCP-001", doc(R"(["vm1"])")).size(), 1u);
    EXPECT_TRUE(findingsOf("DHCP-001", doc(R"(["vm1", "vm2"])")).empty());
}

TEST(HostRules, Lm001LiveMigrationOnAGigabitNetwork)
{
    const char *clustered = R"("cluster": "C1", )";
    const auto none = findingsOf("LM-001", hostDoc(clustered, vms(1)));
    ASSERT_EQ(none.size(), 1u);
    EXPECT_EQ(
        none[0].message,
        QStringLiteral("Host 'hv1' is in cluster 'C1' but has no live-migration network: add "
                       "a management-OS vNIC with traffic role LiveMigration on a switch whose "
                       "uplink runs at 1 Gb/s or more."));
    const char *lm =
        R"(, "vnics": [{"id": "lm", "name": "LiveMigration", "switch": "vs", "trafficRole": "LiveMigration"}])";
    QByteArray slow = hostDoc(clustered, vms(1), lm);
    slow.replace(R"("id": "n1", "name": "eth1", "interfaceName": "eth1", "speed": 10000000000)",
                 R"("id": "n1", "name": "eth1", "interfaceName": "eth1", "speed": 100000000)");
    const auto bad = findingsOf("LM-001", slow);
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(bad[0].elements, ids({"h1", "lm"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("Host 'hv1' is in cluster 'C1' but none of its live-migration networks "
                       "reaches 1 Gb/s: vNIC 'LiveMigration' (100 Mb/s). Put live migration "
                       "on an uplink of 1 Gb/s or more (or declare the NIC speeds)."));
    EXPECT_TRUE(findingsOf("LM-001", hostDoc(clustered, vms(1), lm)).empty());

    // A team of ten 100 Mbps NICs (one of them standby) carries 900 Mbps; all ten, 1 Gbps.
    QByteArray nics;
    for (int i = 1; i <= 10; ++i)
        nics += QByteArray(i > 1 ? ", " : "") + "{\"id\": \"t" + QByteArray::number(i) +
                "\", \"name\": \"t" + QByteArray::number(i) + "\", \"interfaceName\": \"t" +
                QByteArray::number(i) + "\", \"speed\": 100000000}";
    QByteArray teamed = hostDoc(clustered, vms(1), lm);
    teamed.replace(R"("uplink": "n1")", R"("uplink": "team")");
    teamed.replace(R"("nics": [)", "\"nics\": [" + nics + ", ");
    teamed.replace(
        R"("vms": [)",
        R"("teams": [{"id": "team", "name": "LM", "members": ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10"], "standbyMember": "t10"}], "vms": [)");
    EXPECT_EQ(findingsOf("LM-001", teamed).size(), 1u);
    teamed.replace(R"(, "standbyMember": "t10")", "");
    EXPECT_TRUE(findingsOf("LM-001", teamed).empty());
    EXPECT_TRUE(findingsOf("LM-001", hostDoc("", vms(1))).empty()) << "not clustered";
}

TEST(HostRules, SamplesBreakNoHostRule)
{
    for (const char *file : cleanSamples) {
        const auto design = loadSample(file);
        for (const char *rule : {"HOST-001", "HOST-002", "HOST-003", "SEC-001", "SEC-002",
                                 "SEC-003", "DHCP-001", "LM-001"})
            EXPECT_TRUE(findingsOf(rule, design).empty()) << file << " breaks " << rule;
    }
}

// A DHCP server VM serves DHCP on its LAN vNIC; its iSCSI vNIC carries no DHCP clients, so DHCP
// guard on that one is right (SEC-001 used to demand it off on every vNIC of the VM).
TEST(HostRules, Sec001OnlyTheVnicThatServesDhcp)
{
    const QByteArray server =
        R"({"id": "vm1", "name": "dhcp1", "approvedDhcpServer": true, "vnics": [
        {"id": "vm1.lan", "name": "LAN", "switch": "vs", "dhcpGuard": false},
        {"id": "vm1.san", "name": "SAN", "switch": "vs", "trafficRole": "iSCSI", "dhcpGuard": true}]})";
    EXPECT_TRUE(findingsOf("SEC-001", hostDoc("", server)).empty());
    EXPECT_TRUE(findingsOf("SEC-003", hostDoc("", server)).empty());

    QByteArray guardOnLan = server;
    guardOnLan.replace(R"("switch": "vs", "dhcpGuard": false)",
                       R"("switch": "vs", "dhcpGuard": true)");
    const auto bad = findingsOf("SEC-001", hostDoc("", guardOnLan));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].elements, ids({"vm1.lan", "vm1"}));

    QByteArray sanUnguarded = server;
    sanUnguarded.replace(R"("trafficRole": "iSCSI", "dhcpGuard": true)",
                         R"("trafficRole": "iSCSI", "dhcpGuard": false)");
    const auto warn = findingsOf("SEC-003", hostDoc("", sanUnguarded));
    ASSERT_EQ(warn.size(), 1u) << "the server's iSCSI vNIC should have DHCP guard on";
    EXPECT_EQ(warn[0].elements, ids({"vm1.san", "vm1"}));
}
