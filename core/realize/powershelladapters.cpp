// The network adapters of a hyperv host's script: management-OS vNICs and VM adapters with
// their settings, VLANs, ACLs and (management OS) IP configuration.
#include "powershellsections.h"
#include "scripts.h"

#include "core/model/design.h"

#include <QJsonArray>

namespace converge::core::realize::ps {

namespace {

// How the cmdlets name one adapter: `-ManagementOS -Name 'x'` or `-VMName 'vm' -Name 'x'`
// (Set-VMNetworkAdapter), and with -VMNetworkAdapterName (VLAN and ACL cmdlets).
struct Adapter
{
    QString byName;
    QString byAdapterName;
};

// " -StaticMacAddress '00155D010101'" for a vNIC with a MAC: given when the adapter is added
// (Hyper-V refuses to change the MAC of a running VM's adapter).
QString staticMac(const Element &vnic)
{
    const QString mac = str(vnic, "mac");
    if (mac.isEmpty())
        return {};
    return QStringLiteral(" -StaticMacAddress ") +
           psQuote(QString(mac).remove(QLatin1Char('-')).remove(QLatin1Char(':')).toUpper());
}

// The minimum-bandwidth argument the switch's mode accepts (weight or absolute, never both).
QString minimumBandwidth(Writer &s, const Design &design, const Element &vnic)
{
    const bool weight = has(vnic, "minimumBandwidthWeight");
    const bool absolute = has(vnic, "minimumBandwidthAbsolute");
    if (!weight && !absolute)
        return {};
    const Element *sw = design.find(str(vnic, "switch"));
    const QString mode = sw ? str(*sw, "minimumBandwidthMode") : QString();
    if (mode == QLatin1String("Weight") && weight)
        return QStringLiteral(" -MinimumBandwidthWeight ") + num(vnic, "minimumBandwidthWeight");
    if (mode == QLatin1String("Absolute") && absolute)
        return QStringLiteral(" -MinimumBandwidthAbsolute ") +
               num(vnic, "minimumBandwidthAbsolute");
    s.warn(QStringLiteral("%1: its minimum bandwidth does not fit the switch's minimum-bandwidth "
                          "mode (%2): not set")
               .arg(what(vnic), mode.isEmpty() ? QStringLiteral("None") : mode));
    return {};
}

void adapterSettings(Writer &s, const Design &design, const Element &vnic, const Adapter &a,
                     const MirroringRoles &roles)
{
    QString args = minimumBandwidth(s, design, vnic);
    if (has(vnic, "maximumBandwidth"))
        args += QStringLiteral(" -MaximumBandwidth ") + num(vnic, "maximumBandwidth");
    if (has(vnic, "macSpoofing"))
        args += QStringLiteral(" -MacAddressSpoofing ") + onOff(vnic, "macSpoofing");
    if (has(vnic, "dhcpGuard"))
        args += QStringLiteral(" -DhcpGuard ") + onOff(vnic, "dhcpGuard");
    if (has(vnic, "routerGuard"))
        args += QStringLiteral(" -RouterGuard ") + onOff(vnic, "routerGuard");
    if (has(vnic, "allowTeaming"))
        args += QStringLiteral(" -AllowTeaming ") + onOff(vnic, "allowTeaming");
    if (has(vnic, "sriovWeight"))
        args += QStringLiteral(" -IovWeight ") + num(vnic, "sriovWeight");
    const QString role = roles.value(vnic.id, str(vnic, "mirroringRole"));
    if (role == QLatin1String("Source") || role == QLatin1String("Destination") ||
        role == QLatin1String("None"))
        args += QStringLiteral(" -PortMirroring ") + role;
    if (!args.isEmpty())
        s.line(QStringLiteral("Set-VMNetworkAdapter ") + a.byName + args);
}

// " -Community -PrimaryVlanId 10 -SecondaryVlanId 11" (promiscuous ports take a list).
QString pvlanArguments(const Element &vnic)
{
    const QString pm = str(vnic, "pvlanMode");
    const QString ids =
        QStringLiteral(" -PrimaryVlanId %1 -%2 %3")
            .arg(num(vnic, "pvlanPrimary"),
                 pm == QLatin1String("Promiscuous") ? QStringLiteral("SecondaryVlanIdList")
                                                    : QStringLiteral("SecondaryVlanId"),
                 pm == QLatin1String("Promiscuous") ? psQuote(num(vnic, "pvlanSecondary"))
                                                    : num(vnic, "pvlanSecondary"));
    const QString flag = pm == QLatin1String("Community")     ? QStringLiteral(" -Community")
                         : pm == QLatin1String("Promiscuous") ? QStringLiteral(" -Promiscuous")
                                                              : QStringLiteral(" -Isolated");
    return flag + ids;
}

void vlan(Writer &s, const Element &vnic, const Adapter &a)
{
    const QString mode = str(vnic, "vlanMode");
    const QString cmd = QStringLiteral("Set-VMNetworkAdapterVlan ") + a.byAdapterName;
    if (mode == QLatin1String("Untagged")) {
        s.line(cmd + QStringLiteral(" -Untagged"));
    } else if (mode == QLatin1String("Access") && has(vnic, "accessVlan")) {
        s.line(cmd + QStringLiteral(" -Access -VlanId ") + num(vnic, "accessVlan"));
    } else if (mode == QLatin1String("Trunk")) {
        QStringList ids;
        for (const QJsonValue &v : vnic.value(QLatin1String("trunkVlans")).toArray())
            ids << QString::number(v.toInt());
        s.line(cmd + QStringLiteral(" -Trunk -AllowedVlanIdList %1 -NativeVlanId %2")
                         .arg(psQuote(ids.join(QLatin1Char(','))), has(vnic, "nativeVlan")
                                                                       ? num(vnic, "nativeVlan")
                                                                       : QStringLiteral("0")));
    } else if (mode == QLatin1String("Pvlan") && has(vnic, "pvlanPrimary") &&
               has(vnic, "pvlanSecondary")) {
        s.line(cmd + pvlanArguments(vnic));
    } else if (!mode.isEmpty()) {
        s.warn(QStringLiteral("%1: VLAN mode %2 lacks its VLAN ids in the design: not set")
                   .arg(what(vnic), mode));
    }
}

// Add-VMNetworkAdapterAcl: addresses only, or a meter.
void basicAcl(Writer &s, const QJsonObject &r, const Adapter &a)
{
    const auto text = [&](const char *key) {
        return r.value(QLatin1String(key)).toString();
    };
    QString args =
        QStringLiteral(" -Direction %1 -Action %2").arg(text("direction"), text("action"));
    const QList<std::pair<const char *, const char *>> fields{{"localAddress", "LocalIPAddress"},
                                                              {"remoteAddress", "RemoteIPAddress"},
                                                              {"localMac", "LocalMacAddress"},
                                                              {"remoteMac", "RemoteMacAddress"}};
    for (const auto &[key, param] : fields)
        if (!text(key).isEmpty())
            args += QStringLiteral(" -%1 %2").arg(QLatin1String(param), psQuote(text(key)));
    if (args.count(QLatin1Char('\'')) == 0)
        args += QStringLiteral(" -RemoteIPAddress 'ANY'");
    s.line(QStringLiteral("Add-VMNetworkAdapterAcl ") + a.byAdapterName + args);
}

// The record's ports as the extended form's -LocalPort/-RemotePort values: one empty value
// (no argument) when it has none.
QStringList portValues(const QJsonArray &ports)
{
    QStringList out;
    for (const QJsonValue &p : ports)
        out << QString::number(p.toInt());
    return out.isEmpty() ? QStringList{QString()} : out;
}

// Add-VMNetworkAdapterExtendedAcl: one rule per direction and port pair. Rules without a
// weight get `weight`, counting down.
void extendedAcls(Writer &s, const QJsonObject &r, const Adapter &a, int &weight)
{
    const auto text = [&](const char *key) {
        return r.value(QLatin1String(key)).toString();
    };
    const QString protocol = text("protocol");
    const QStringList directions =
        text("direction") == QLatin1String("Both")
            ? QStringList{QStringLiteral("Inbound"), QStringLiteral("Outbound")}
            : QStringList{text("direction")};
    const QStringList locals = portValues(r.value(QLatin1String("localPorts")).toArray());
    const QStringList remotes = portValues(r.value(QLatin1String("remotePorts")).toArray());
    for (const QString &direction : directions)
        for (const QString &lp : locals)
            for (const QString &rp : remotes) {
                QString args =
                    QStringLiteral(" -Direction %1 -Action %2").arg(direction, text("action"));
                if (!text("localAddress").isEmpty())
                    args += QStringLiteral(" -LocalIPAddress ") + psQuote(text("localAddress"));
                if (!text("remoteAddress").isEmpty())
                    args += QStringLiteral(" -RemoteIPAddress ") + psQuote(text("remoteAddress"));
                if (!lp.isEmpty())
                    args += QStringLiteral(" -LocalPort ") + psQuote(lp);
                if (!rp.isEmpty())
                    args += QStringLiteral(" -RemotePort ") + psQuote(rp);
                if (!protocol.isEmpty() && protocol != QLatin1String("Any"))
                    args += QStringLiteral(" -Protocol ") + psQuote(protocol);
                const int w = r.value(QLatin1String("weight")).toInt();
                args += QStringLiteral(" -Weight %1").arg(w > 0 ? w : weight--);
                if (r.value(QLatin1String("stateful")).toBool())
                    args += QStringLiteral(" -Stateful $true");
                s.line(QStringLiteral("Add-VMNetworkAdapterExtendedAcl ") + a.byAdapterName + args);
            }
}

// One ACL record: the basic form (addresses only, or a meter), else the extended form with
// protocol, ports, weight and statefulness (Allow/Deny, one direction per rule).
void acl(Writer &s, const QJsonObject &r, const Adapter &a, int &weight)
{
    const QString protocol = r.value(QLatin1String("protocol")).toString();
    const bool extended = r.value(QLatin1String("action")).toString() != QLatin1String("Meter") &&
                          ((!protocol.isEmpty() && protocol != QLatin1String("Any")) ||
                           !r.value(QLatin1String("localPorts")).toArray().isEmpty() ||
                           !r.value(QLatin1String("remotePorts")).toArray().isEmpty() ||
                           r.value(QLatin1String("stateful")).toBool() ||
                           r.value(QLatin1String("weight")).toInt() > 0);
    if (extended)
        extendedAcls(s, r, a, weight);
    else
        basicAcl(s, r, a);
}

void acls(Writer &s, const Element &vnic, const Adapter &a)
{
    if (!has(vnic, "acls"))
        return;
    // The design owns the adapter's ACLs: clear, then add them all (so a second run is equal).
    s.line(QStringLiteral("Get-VMNetworkAdapterAcl %1 | Remove-VMNetworkAdapterAcl")
               .arg(a.byAdapterName));
    s.line(QStringLiteral("Get-VMNetworkAdapterExtendedAcl %1 | "
                          "Remove-VMNetworkAdapterExtendedAcl")
               .arg(a.byAdapterName));
    int weight = 1000; // extended ACLs without a weight keep their order, first one highest
    for (const QJsonValue &v : vnic.value(QLatin1String("acls")).toArray())
        acl(s, v.toObject(), a, weight);
}

QString switchName(const Design &design, const Element &vnic)
{
    const Element *sw = design.find(str(vnic, "switch"));
    return sw ? sw->name() : QString();
}

// IP configuration of a management-OS vNIC, on its "vEthernet (NAME)" interface.
void ipConfiguration(Writer &s, const Element &vnic)
{
    const QString alias = str(vnic, "hostInterface").isEmpty()
                              ? QStringLiteral("vEthernet (%1)").arg(vnic.name())
                              : str(vnic, "hostInterface");
    for (const QJsonValue &v : vnic.value(QLatin1String("addresses")).toArray()) {
        const QString address = v.toString().section(QLatin1Char('/'), 0, 0);
        const QString length = v.toString().section(QLatin1Char('/'), 1, 1);
        s.open(QStringLiteral("if (-not (Get-NetIPAddress -InterfaceAlias %1 -IPAddress %2 "
                              "-ErrorAction SilentlyContinue))")
                   .arg(psQuote(alias), psQuote(address)));
        s.line(QStringLiteral("New-NetIPAddress -InterfaceAlias %1 -IPAddress %2 -PrefixLength %3 "
                              "| Out-Null")
                   .arg(psQuote(alias), psQuote(address), QString::number(length.toInt())));
        s.close();
    }
    if (const QString gw = str(vnic, "gateway"); !gw.isEmpty()) {
        const QString any =
            gw.contains(QLatin1Char(':')) ? QStringLiteral("::/0") : QStringLiteral("0.0.0.0/0");
        s.open(QStringLiteral("if (-not (Get-NetRoute -InterfaceAlias %1 -DestinationPrefix %2 "
                              "-NextHop %3 -ErrorAction SilentlyContinue))")
                   .arg(psQuote(alias), psQuote(any), psQuote(gw)));
        s.line(QStringLiteral("New-NetRoute -InterfaceAlias %1 -DestinationPrefix %2 -NextHop %3 "
                              "| Out-Null")
                   .arg(psQuote(alias), psQuote(any), psQuote(gw)));
        s.close();
    }
    QStringList dns;
    for (const QJsonValue &v : vnic.value(QLatin1String("dns")).toArray())
        dns << v.toString();
    if (!dns.isEmpty())
        s.line(QStringLiteral("Set-DnsClientServerAddress -InterfaceAlias %1 -ServerAddresses %2")
                   .arg(psQuote(alias), psList(dns)));
}

} // namespace

void managementVnic(Writer &s, const Design &design, const Element &vnic,
                    const MirroringRoles &roles)
{
    const QString sw = switchName(design, vnic);
    s.comment(QStringLiteral("%1: management-OS vNIC on switch '%2'").arg(what(vnic), sw));
    if (sw.isEmpty()) {
        s.warn(QStringLiteral("%1 has no switch in the design: not created").arg(what(vnic)));
        return;
    }
    const QString name = psQuote(vnic.name());
    s.open(QStringLiteral("if (-not (Get-VMNetworkAdapter -ManagementOS -Name %1 -ErrorAction "
                          "SilentlyContinue))")
               .arg(name));
    s.line(QStringLiteral("Add-VMNetworkAdapter -ManagementOS -SwitchName %1 -Name %2%3")
               .arg(psQuote(sw), name, staticMac(vnic)));
    s.close();
    const Adapter a{QStringLiteral("-ManagementOS -Name ") + name,
                    QStringLiteral("-ManagementOS -VMNetworkAdapterName ") + name};
    adapterSettings(s, design, vnic, a, roles);
    vlan(s, vnic, a);
    acls(s, vnic, a);
    ipConfiguration(s, vnic);
}

void vmVnic(Writer &s, const Design &design, const Element &vm, const Element &vnic,
            const MirroringRoles &roles)
{
    const QString sw = switchName(design, vnic);
    s.comment(QStringLiteral("%1 on switch '%2'").arg(what(vnic), sw));
    const QString vmName = psQuote(vm.name());
    const QString name = psQuote(vnic.name());
    s.open(QStringLiteral("if (-not (Get-VMNetworkAdapter -VMName %1 -Name %2 -ErrorAction "
                          "SilentlyContinue))")
               .arg(vmName, name));
    s.line(QStringLiteral("Add-VMNetworkAdapter -VMName %1 -Name %2%3%4")
               .arg(vmName, name,
                    sw.isEmpty() ? QString() : QStringLiteral(" -SwitchName ") + psQuote(sw),
                    staticMac(vnic)));
    if (!sw.isEmpty()) {
        s.otherwise();
        s.line(QStringLiteral("Connect-VMNetworkAdapter -VMName %1 -Name %2 -SwitchName %3")
                   .arg(vmName, name, psQuote(sw)));
    }
    s.close();
    const Adapter a{QStringLiteral("-VMName %1 -Name %2").arg(vmName, name),
                    QStringLiteral("-VMName %1 -VMNetworkAdapterName %2").arg(vmName, name)};
    adapterSettings(s, design, vnic, a, roles);
    vlan(s, vnic, a);
    acls(s, vnic, a);
}

} // namespace converge::core::realize::ps
