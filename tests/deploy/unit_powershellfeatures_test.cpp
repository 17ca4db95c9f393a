// The PowerShell script realizes jumbo frames, PVLAN modes, port ACLs, switch extensions, team
// queue modes and network virtualization (issue 14), each under a comment naming the element,
// from tests/deploy/data/every-feature.converge.json.
#include "core/io/designdocument.h"
#include "core/model/design.h"
#include "core/realize/scripts.h"

#include <gtest/gtest.h>

#include <QRegularExpression>
#include <QStringList>

using namespace converge;

namespace {

QString scriptOf(const char *hostId)
{
    auto design = core::designdocument::loadFile(
        QStringLiteral(CONVERGE_SOURCE_DIR "/tests/deploy/data/every-feature.converge.json"));
    EXPECT_TRUE(design) << (design ? "" : design.error().message.toStdString());
    if (!design)
        return {};
    auto script = core::realize::powerShellScript(*design, QLatin1String(hostId));
    EXPECT_TRUE(script) << (script ? "" : script.error().message.toStdString());
    return script ? *script : QString();
}

// LINE is in SCRIPT, after a section comment that contains SECTION (and before the next one).
void expectInSection(const QString &script, const QString &section, const QString &line)
{
    const qsizetype head = script.indexOf(QStringLiteral("# ") + section);
    ASSERT_GE(head, 0) << "no section " << section.toStdString() << "\n" << script.toStdString();
    static const QRegularExpression nextComment(QStringLiteral("\\n *# "));
    const qsizetype next = script.indexOf(nextComment, head + 2);
    const QString body = script.mid(head, next < 0 ? -1 : next - head);
    EXPECT_TRUE(body.contains(line))
        << "section " << section.toStdString() << " lacks\n  " << line.toStdString() << "\n"
        << body.toStdString();
}

} // namespace

TEST(PowerShellFeatures, JumboFramesOnTheIscsiPathNicsAndHostVnics)
{
    const QString s = scriptOf("a");
    expectInSection(
        s, QStringLiteral("PhysicalNic 'iscsi1' (a.iscsi1): MTU 9000 (jumbo frames)"),
        QStringLiteral("Set-NetAdapterAdvancedProperty -Name 'iSCSI 1' -RegistryKeyword "
                       "'*JumboPacket' -RegistryValue 9014"));
    expectInSection(s, QStringLiteral("VirtualNic 'SAN2' (a.san2)"),
                    QStringLiteral("Set-NetAdapterAdvancedProperty -Name 'vEthernet (SAN2)' "
                                   "-RegistryKeyword '*JumboPacket' -RegistryValue 9014"));
    EXPECT_TRUE(s.contains(QStringLiteral("RegistryValue -notcontains '9014'")))
        << "set only when it differs: a change restarts the adapter";
    EXPECT_TRUE(s.contains(QStringLiteral("-Community -PrimaryVlanId 100 -SecondaryVlanId 102\n"
                                          "    # MTU 9000: set inside the guest")))
        << "a VM vNIC's MTU is noted in its section as the guest's to set";
    EXPECT_FALSE(s.contains(QStringLiteral("-Name 'SET 1' -RegistryKeyword")))
        << "a NIC without an MTU in the design is left alone";
}

TEST(PowerShellFeatures, PvlanModesAndThePromiscuousPortsSecondaryList)
{
    const QString s = scriptOf("a");
    expectInSection(s, QStringLiteral("VirtualNic 'LAN' (a.db.nic)"),
                    QStringLiteral("Set-VMNetworkAdapterVlan -VMName 'db' -VMNetworkAdapterName "
                                   "'LAN' -Isolated -PrimaryVlanId 100 -SecondaryVlanId 101"));
    expectInSection(s, QStringLiteral("VirtualNic 'LAN' (a.web.nic)"),
                    QStringLiteral("-Community -PrimaryVlanId 100 -SecondaryVlanId 102"));
    expectInSection(
        s, QStringLiteral("VirtualNic 'LAN' (a.gw.nic)"),
        QStringLiteral("-Promiscuous -PrimaryVlanId 100 -SecondaryVlanIdList '101,102'"));
}

TEST(PowerShellFeatures, PortAclsBasicMeterAndExtended)
{
    const QString s = scriptOf("a");
    const QString mgmt = QStringLiteral("VirtualNic 'Mgmt' (a.mgmt)");
    expectInSection(s, mgmt,
                    QStringLiteral("Add-VMNetworkAdapterAcl -ManagementOS -VMNetworkAdapterName "
                                   "'Mgmt' -Direction Both -Action Meter -RemoteIPAddress "
                                   "'0.0.0.0/0'"));
    expectInSection(s, mgmt,
                    QStringLiteral("-Direction Inbound -Action Allow -RemoteIPAddress "
                                   "'10.20.0.0/24' -LocalPort '5985' -Protocol 'TCP' -Weight 999 "
                                   "-Stateful $true"));
    expectInSection(s, QStringLiteral("VirtualNic 'LAN' (a.gw.nic)"),
                    QStringLiteral("Add-VMNetworkAdapterExtendedAcl -VMName 'gateway' "
                                   "-VMNetworkAdapterName 'LAN' -Direction Outbound -Action Allow "
                                   "-RemotePort '53' -Protocol 'UDP' -Weight 10"));
}

TEST(PowerShellFeatures, SwitchExtensionsEnabledDisabledAndMissing)
{
    const QString s = scriptOf("a");
    expectInSection(s,
                    QStringLiteral("VirtualSwitch 'vsLAN' (a.vsLAN): Capture extension "
                                   "'Microsoft NDIS Capture', enabled"),
                    QStringLiteral("Enable-VMSwitchExtension -VMSwitchName 'vsLAN' -Name "
                                   "'Microsoft NDIS Capture'"));
    expectInSection(s, QStringLiteral("VirtualSwitch 'vsLAN' (a.vsLAN): Filter extension"),
                    QStringLiteral("Disable-VMSwitchExtension -VMSwitchName 'vsLAN' -Name "
                                   "'Microsoft Windows Filtering Platform'"));
    expectInSection(s,
                    QStringLiteral("VirtualSwitch 'vsLAN' (a.vsLAN): Forwarding extension "
                                   "'Cisco Nexus 1000V', enabled"),
                    QStringLiteral("Write-Warning 'extension ''Cisco Nexus 1000V'' is not "
                                   "installed on switch ''vsLAN''"));
}

TEST(PowerShellFeatures, TeamQueueModesOnTheMembers)
{
    const QString s = scriptOf("a");
    expectInSection(s, QStringLiteral("Team 'LAN' (a.team): member queues serve dVMQ"),
                    QStringLiteral("Get-NetAdapterVmq -Name 'LAN 1', 'LAN 2' | Where-Object { "
                                   "-not $_.Enabled } | Enable-NetAdapterVmq"));
    const QString set = QStringLiteral("Team 'SET' (a.set): member queues serve RSS");
    expectInSection(s, set,
                    QStringLiteral("Get-NetAdapterVmq -Name 'SET 1', 'SET 2' | Where-Object { "
                                   "$_.Enabled } | Disable-NetAdapterVmq"));
    expectInSection(s, set,
                    QStringLiteral("Get-NetAdapterRss -Name 'SET 1', 'SET 2' | Where-Object { -not "
                                   "$_.Enabled } | Enable-NetAdapterRss"));
}

TEST(PowerShellFeatures, NetworkVirtualizationOnEveryHostOfTheVmNetwork)
{
    for (const char *host : {"a", "b"}) {
        SCOPED_TRACE(host);
        const QString s = scriptOf(host);
        const QString net = QStringLiteral("VmNetwork 'BLUE' (net.blue): network virtualization, "
                                           "VSID 5001, routing domain {");
        // Both hosts map both VMs' customer addresses to their hosts' provider addresses.
        expectInSection(s, net,
                        QStringLiteral("New-NetVirtualizationLookupRecord -CustomerAddress "
                                       "'10.10.10.10' -VirtualSubnetID 5001 -MACAddress "
                                       "'00155D010101' -ProviderAddress '192.168.2.10' -Rule "
                                       "TranslationMethodEncap -VMName 'Blue1'"));
        expectInSection(s, net,
                        QStringLiteral("-CustomerAddress 'fd00:10::11' -VirtualSubnetID 5001 "
                                       "-MACAddress '00155D020101' -ProviderAddress "
                                       "'192.168.5.10'"));
        expectInSection(s, net,
                        QStringLiteral("-VirtualSubnetID 5001 -DestinationPrefix '10.10.10.0/24' "
                                       "-NextHop '0.0.0.0' -Metric 255"));
        expectInSection(s, net, QStringLiteral("-DestinationPrefix 'fd00:10::/64' -NextHop '::'"));
    }
    // The routing domain's GUID is the same on both hosts (derived from its name).
    const QString a = scriptOf("a"), b = scriptOf("b");
    const qsizetype at = a.indexOf(QStringLiteral("-RoutingDomainID '{"));
    ASSERT_GE(at, 0);
    EXPECT_TRUE(b.contains(a.mid(at, 60))) << a.mid(at, 60).toStdString();
    expectInSection(a, QStringLiteral("VirtualNic 'Ethernet' (a.blue.nic)"),
                    QStringLiteral("Set-VMNetworkAdapter -VMName 'Blue1' -Name 'Ethernet' "
                                   "-VirtualSubnetId 5001"));
    EXPECT_FALSE(
        scriptOf("a").contains(QStringLiteral("-VMName 'db' -Name 'LAN' -VirtualSubnetId")))
        << "a VM outside the VM network gets no virtual subnet id";
}
