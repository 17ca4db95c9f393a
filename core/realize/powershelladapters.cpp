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
    const QString mac = str(vnic, key::mac);
    if (mac.isEmpty())
        return {};
    return QStringLiteral(" -StaticMacAddress ") +
           psQuote(QString(mac).remove(QLatin1Char('-')).remove(QLatin1Char(':')).toUpper());
}

// The minimum-bandwidth argument the switch's mode accepts (weight or absolute, never both).
QString minimumBandwidth(Writer &s, const Design &design, const Element &vnic)
{
    const bool weight = has(vnic, key::minimumBandwidthWeight);
    const bool absolute = has(vnic, key::minimumBandwidthAbsolute);
    if (!weight && !absolute)
        return {};
    const Element *sw = design.find(str(vnic, key::switch_));
    const QString mode = sw ? str(*sw, key::minimumBandwidthMode) : QString();
    if (mode == value::weight && weight)
        return QStringLiteral(" -MinimumBandwidthWeight ") + num(vnic, key::minimumBandwidthWeight);
    if (mode == value::absolute && absolute)
        return QStringLiteral(" -MinimumBandwidthAbsolute ") +
               num(vnic, key::minimumBandwidthAbsolute);
    s.warn(QStringLiteral("%1: its minimum bandwidth does not fit the switch's minimum-bandwidth "
                          "mode (%2): not set")
               .arg(what(vnic), mode.isEmpty() ? value::none : mode));
    return {};
}

void adapterSettings(Writer &s, const Design &design, const Element &vnic, const Adapter &a,
                     const MirroringRoles &roles, const QString &extra = {})
{
    QString args = minimumBandwidth(s, design, vnic) + extra;
    if (has(vnic, key::maximumBandwidth))
        args += QStringLiteral(" -MaximumBandwidth ") + num(vnic, key::maximumBandwidth);
    if (has(vnic, key::macSpoofing))
        args += QStringLiteral(" -MacAddressSpoofing ") + onOff(vnic, key::macSpoofing);
    if (has(vnic, key::dhcpGuard))
        args += QStringLiteral(" -DhcpGuard ") + onOff(vnic, key::dhcpGuard);
    if (has(vnic, key::routerGuard))
        args += QStringLiteral(" -RouterGuard ") + onOff(vnic, key::routerGuard);
    if (has(vnic, key::allowTeaming))
        args += QStringLiteral(" -AllowTeaming ") + onOff(vnic, key::allowTeaming);
    if (has(vnic, key::sriovWeight))
        args += QStringLiteral(" -IovWeight ") + num(vnic, key::sriovWeight);
    const QString role = roles.value(vnic.id, str(vnic, key::mirroringRole));
    if (role == value::source || role == value::destination || role == value::none)
        args += QStringLiteral(" -PortMirroring ") + role;
    if (!args.isEmpty())
        s.line(QStringLiteral("Set-VMNetworkAdapter ") + a.byName + args);
}

// " -Community -PrimaryVlanId 10 -SecondaryVlanId 11" (promiscuous ports take a list).
QString pvlanArguments(const Design &design, const Element &vnic)
{
    const QString pm = str(vnic, key::pvlanMode);
    const QString ids =
        QStringLiteral(" -PrimaryVlanId %1 -%2 %3")
            .arg(num(vnic, key::pvlanPrimary),
                 pm == value::promiscuous ? QStringLiteral("SecondaryVlanIdList")
                                          : QStringLiteral("SecondaryVlanId"),
                 pm == value::promiscuous ? psQuote(pvlanSecondaryList(design, vnic))
                                          : num(vnic, key::pvlanSecondary));
    const QString flag = pm == value::community     ? QStringLiteral(" -Community")
                         : pm == value::promiscuous ? QStringLiteral(" -Promiscuous")
                                                    : QStringLiteral(" -Isolated");
    return flag + ids;
}

void vlan(Writer &s, const Design &design, const Element &vnic, const Adapter &a)
{
    const QString mode = str(vnic, key::vlanMode);
    const QString cmd = QStringLiteral("Set-VMNetworkAdapterVlan ") + a.byAdapterName;
    if (mode == value::untagged) {
        s.line(cmd + QStringLiteral(" -Untagged"));
    } else if (mode == value::access && has(vnic, key::accessVlan)) {
        s.line(cmd + QStringLiteral(" -Access -VlanId ") + num(vnic, key::accessVlan));
    } else if (mode == value::trunk) {
        QStringList ids;
        for (const QJsonValue &v : vnic.value(key::trunkVlans).toArray())
            ids << QString::number(v.toInt());
        s.line(cmd + QStringLiteral(" -Trunk -AllowedVlanIdList %1 -NativeVlanId %2")
                         .arg(psQuote(ids.join(QLatin1Char(','))), has(vnic, key::nativeVlan)
                                                                       ? num(vnic, key::nativeVlan)
                                                                       : QStringLiteral("0")));
    } else if (mode == value::pvlan && has(vnic, key::pvlanPrimary) &&
               has(vnic, key::pvlanSecondary)) {
        s.line(cmd + pvlanArguments(design, vnic));
    } else if (!mode.isEmpty()) {
        s.warn(QStringLiteral("%1: VLAN mode %2 lacks its VLAN ids in the design: not set")
                   .arg(what(vnic), mode));
    }
}

// Add-VMNetworkAdapterAcl: addresses only, or a meter.
void basicAcl(Writer &s, const QJsonObject &r, const Adapter &a)
{
    const auto text = [&](QLatin1StringView key) {
        return r.value(key).toString();
    };
    QString args =
        QStringLiteral(" -Direction %1 -Action %2").arg(text(key::direction), text(key::action));
    const QList<std::pair<QLatin1StringView, const char *>> fields{
        {key::localAddress, "LocalIPAddress"},
        {key::remoteAddress, "RemoteIPAddress"},
        {key::localMac, "LocalMacAddress"},
        {key::remoteMac, "RemoteMacAddress"}};
    for (const auto &[field, param] : fields)
        if (!text(field).isEmpty())
            args += QStringLiteral(" -%1 %2").arg(QLatin1String(param), psQuote(text(field)));
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
    const auto text = [&](QLatin1StringView key) {
        return r.value(key).toString();
    };
    const QString protocol = text(key::protocol);
    const QStringList directions = text(key::direction) == value::both
                                       ? QStringList{value::inbound, value::outbound}
                                       : QStringList{text(key::direction)};
    const QStringList locals = portValues(r.value(key::localPorts).toArray());
    const QStringList remotes = portValues(r.value(key::remotePorts).toArray());
    for (const QString &direction : directions)
        for (const QString &lp : locals)
            for (const QString &rp : remotes) {
                QString args =
                    QStringLiteral(" -Direction %1 -Action %2").arg(direction, text(key::action));
                if (!text(key::localAddress).isEmpty())
                    args += QStringLiteral(" -LocalIPAddress ") + psQuote(text(key::localAddress));
                if (!text(key::remoteAddress).isEmpty())
                    args +=
                        QStringLiteral(" -RemoteIPAddress ") + psQuote(text(key::remoteAddress));
                if (!lp.isEmpty())
                    args += QStringLiteral(" -LocalPort ") + psQuote(lp);
                if (!rp.isEmpty())
                    args += QStringLiteral(" -RemotePort ") + psQuote(rp);
                if (!protocol.isEmpty() && protocol != value::any)
                    args += QStringLiteral(" -Protocol ") + psQuote(protocol);
                const int w = r.value(key::weight).toInt();
                args += QStringLiteral(" -Weight %1").arg(w > 0 ? w : weight--);
                if (r.value(key::stateful).toBool())
                    args += QStringLiteral(" -Stateful $true");
                s.line(QStringLiteral("Add-VMNetworkAdapterExtendedAcl ") + a.byAdapterName + args);
            }
}

// One ACL record: the basic form (addresses only, or a meter), else the extended form with
// protocol, ports, weight and statefulness (Allow/Deny, one direction per rule).
void acl(Writer &s, const QJsonObject &r, const Adapter &a, int &weight)
{
    const QString protocol = r.value(key::protocol).toString();
    const bool extended = r.value(key::action).toString() != value::meter &&
                          ((!protocol.isEmpty() && protocol != value::any) ||
                           !r.value(key::localPorts).toArray().isEmpty() ||
                           !r.value(key::remotePorts).toArray().isEmpty() ||
                           r.value(key::stateful).toBool() || r.value(key::weight).toInt() > 0);
    if (extended)
        extendedAcls(s, r, a, weight);
    else
        basicAcl(s, r, a);
}

void acls(Writer &s, const Element &vnic, const Adapter &a)
{
    if (!has(vnic, key::acls))
        return;
    // The design owns the adapter's ACLs: clear, then add them all (so a second run is equal).
    s.line(QStringLiteral("Get-VMNetworkAdapterAcl %1 | Remove-VMNetworkAdapterAcl")
               .arg(a.byAdapterName));
    s.line(QStringLiteral("Get-VMNetworkAdapterExtendedAcl %1 | "
                          "Remove-VMNetworkAdapterExtendedAcl")
               .arg(a.byAdapterName));
    int weight = 1000; // extended ACLs without a weight keep their order, first one highest
    for (const QJsonValue &v : vnic.value(key::acls).toArray())
        acl(s, v.toObject(), a, weight);
}

QString switchName(const Design &design, const Element &vnic)
{
    const Element *sw = design.find(str(vnic, key::switch_));
    return sw ? sw->name() : QString();
}

// IP configuration of a management-OS vNIC, on its "vEthernet (NAME)" interface.
void ipConfiguration(Writer &s, const Element &vnic)
{
    const QString alias = hostAlias(vnic);
    for (const QJsonValue &v : vnic.value(key::addresses).toArray()) {
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
    if (const QString gw = str(vnic, key::gateway); !gw.isEmpty()) {
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
    for (const QJsonValue &v : vnic.value(key::dns).toArray())
        dns << v.toString();
    if (!dns.isEmpty())
        s.line(QStringLiteral("Set-DnsClientServerAddress -InterfaceAlias %1 -ServerAddresses %2")
                   .arg(psQuote(alias), psList(dns)));
}

} // namespace

QString hostAlias(const Element &vnic)
{
    const QString name = str(vnic, key::hostInterface);
    return name.isEmpty() ? QStringLiteral("vEthernet (%1)").arg(vnic.name()) : name;
}

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
    vlan(s, design, vnic, a);
    acls(s, vnic, a);
    vnicMtu(s, vnic, true);
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
    adapterSettings(s, design, vnic, a, roles, virtualSubnetArgument(design, vm));
    vlan(s, design, vnic, a);
    acls(s, vnic, a);
    vnicMtu(s, vnic, false);
}

} // namespace converge::core::realize::ps
