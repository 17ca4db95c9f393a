// The Hyper-V side of a bundle: one PowerShell script per `hyperv` host, using the documented
// cmdlets of the Hyper-V and NetLbfo modules (ARCHITECTURE.md, "Realization on hosts").
#include "scripts.h"

#include "core/model/design.h"
#include "core/model/newelements.h"

#include <QHash>
#include <QJsonArray>

namespace converge::core::realize {

namespace {

using core::Design;
using core::Element;
using core::ElementKind;

class Ps
{
public:
    void line(const QString &text) { m_out += m_indent + text + QLatin1Char('\n'); }
    void blank() { m_out += QLatin1Char('\n'); }
    void comment(const QString &text) { line(QStringLiteral("# ") + commentText(text)); }
    void warn(const QString &text) { line(QStringLiteral("Write-Warning ") + psQuote(text)); }
    void open(const QString &text)
    {
        line(text + QStringLiteral(" {"));
        m_indent += QStringLiteral("    ");
    }
    void close()
    {
        m_indent.chop(4);
        line(QStringLiteral("}"));
    }
    void otherwise()
    {
        m_indent.chop(4);
        line(QStringLiteral("} else {"));
        m_indent += QStringLiteral("    ");
    }
    QString text() const { return m_out; }

private:
    QString m_out;
    QString m_indent;
};

QString str(const Element &e, const char *key)
{
    return e.value(QLatin1String(key)).toString();
}

bool has(const Element &e, const char *key)
{
    return e.props.contains(QLatin1String(key));
}

QString num(const Element &e, const char *key)
{
    return QString::number(static_cast<qint64>(e.value(QLatin1String(key)).toDouble()));
}

QString onOff(const Element &e, const char *key)
{
    return e.value(QLatin1String(key)).toBool() ? QStringLiteral("On") : QStringLiteral("Off");
}

QString psList(const QStringList &values)
{
    QStringList quoted;
    for (const QString &v : values)
        quoted << psQuote(v);
    return quoted.join(QLatin1String(", "));
}

QString what(const Element &e)
{
    return QStringLiteral("%1 '%2' (%3)").arg(core::kindName(e.kind), e.name(), e.id);
}

// The Windows name of a physical NIC: its interface name (NetAdapter name), else its name.
QString adapterName(const Element &nic)
{
    const QString name = str(nic, "interfaceName");
    return name.isEmpty() ? nic.name() : name;
}

QStringList memberAdapters(const Design &design, const Element &team)
{
    QStringList out;
    for (const QJsonValue &m : team.value(QLatin1String("members")).toArray())
        if (const Element *nic = design.find(m.toString());
            nic && nic->kind == ElementKind::PhysicalNic)
            out << adapterName(*nic);
    return out;
}

// Design team modes and algorithms -> New-NetLbfoTeam's enumerations.
QString teamingMode(const Element &team)
{
    const QString mode = str(team, "mode");
    if (mode == QLatin1String("LACP"))
        return QStringLiteral("Lacp");
    return mode == QLatin1String("Static") ? QStringLiteral("Static")
                                           : QStringLiteral("SwitchIndependent");
}

QString loadBalancing(const Element &team)
{
    const QString lb = str(team, "loadBalancing");
    if (lb == QLatin1String("AddressHash"))
        return QStringLiteral("TransportPorts"); // the address-hash default (4-tuple)
    return lb == QLatin1String("HyperVPort") ? QStringLiteral("HyperVPort")
                                             : QStringLiteral("Dynamic");
}

void lbfoTeam(Ps &s, const Design &design, const Element &team)
{
    const QStringList members = memberAdapters(design, team);
    s.comment(QStringLiteral("%1: members %2, %3, %4")
                  .arg(what(team), members.join(QLatin1String(", ")), teamingMode(team),
                       loadBalancing(team)));
    if (members.isEmpty()) {
        s.warn(QStringLiteral("%1 has no member NICs in the design: not created").arg(what(team)));
        return;
    }
    s.open(QStringLiteral("if (-not (Get-NetLbfoTeam -Name %1 -ErrorAction SilentlyContinue))")
               .arg(psQuote(team.name())));
    s.line(QStringLiteral("New-NetLbfoTeam -Name %1 -TeamMembers %2 -TeamingMode %3 "
                          "-LoadBalancingAlgorithm %4 -Confirm:$false")
               .arg(psQuote(team.name()), psList(members), teamingMode(team), loadBalancing(team)));
    s.close();
    const Element *standby = design.find(str(team, "standbyMember"));
    if (standby && teamingMode(team) == QLatin1String("SwitchIndependent"))
        s.line(QStringLiteral("Set-NetLbfoTeamMember -Name %1 -Team %2 -AdministrativeMode "
                              "Standby -Confirm:$false")
                   .arg(psQuote(adapterName(*standby)), psQuote(team.name())));
    else if (standby)
        s.warn(QStringLiteral("%1: a standby member needs switch-independent teaming: not set")
                   .arg(what(team)));
    // Team interfaces beyond the default one (which carries the team's name): VLAN tNICs.
    for (const QJsonValue &v : team.value(QLatin1String("teamInterfaces")).toArray()) {
        const QJsonObject tnic = v.toObject();
        const QString name = tnic.value(QLatin1String("name")).toString();
        if (name == team.name() || !tnic.contains(QLatin1String("vlan")))
            continue;
        s.open(QStringLiteral("if (-not (Get-NetLbfoTeamNic -Team %1 -Name %2 -ErrorAction "
                              "SilentlyContinue))")
                   .arg(psQuote(team.name()), psQuote(name)));
        s.line(QStringLiteral("Add-NetLbfoTeamNic -Team %1 -Name %2 -VlanID %3 -Confirm:$false")
                   .arg(psQuote(team.name()), psQuote(name))
                   .arg(tnic.value(QLatin1String("vlan")).toInt()));
        s.close();
    }
}

bool hasManagementVnic(const Design &design, const Element &host, const Element &sw)
{
    for (const Element *v : design.children(host.id, ElementKind::VirtualNic))
        if (str(*v, "switch") == sw.id)
            return true;
    return false;
}

// New-VMSwitch's arguments after -Name, or empty (with a warning) if the design lacks them.
QString switchArguments(Ps &s, const Design &design, const Element &host, const Element &sw)
{
    QString args;
    const QString type = str(sw, "type");
    const Element *uplink = design.find(str(sw, "uplink"));
    if (type == QLatin1String("External")) {
        if (!uplink) {
            s.warn(QStringLiteral("%1 is external but has no uplink in the design: not created")
                       .arg(what(sw)));
            return {};
        }
        const bool set = uplink->kind == ElementKind::Team &&
                         uplink->value(QLatin1String("switchEmbedded")).toBool();
        if (set)
            args = QStringLiteral(" -NetAdapterName %1 -EnableEmbeddedTeaming $true")
                       .arg(psList(memberAdapters(design, *uplink)));
        else
            args = QStringLiteral(" -NetAdapterName %1")
                       .arg(psQuote(uplink->kind == ElementKind::Team ? uplink->name()
                                                                      : adapterName(*uplink)));
        // The design's management-OS vNICs are added by name below; Hyper-V's automatic one
        // (named after the switch) only when the design shares the uplink without naming any.
        const bool automatic = sw.value(QLatin1String("allowManagementOs")).toBool() &&
                               !hasManagementVnic(design, host, sw);
        args += automatic ? QStringLiteral(" -AllowManagementOS $true")
                          : QStringLiteral(" -AllowManagementOS $false");
    } else {
        args = type == QLatin1String("Internal") ? QStringLiteral(" -SwitchType Internal")
                                                 : QStringLiteral(" -SwitchType Private");
    }
    const QString mode = str(sw, "minimumBandwidthMode");
    if (mode == QLatin1String("Weight") || mode == QLatin1String("Absolute") ||
        mode == QLatin1String("None"))
        args += QStringLiteral(" -MinimumBandwidthMode ") + mode;
    if (sw.value(QLatin1String("sriov")).toBool() && type == QLatin1String("External"))
        args += QStringLiteral(" -EnableIov $true");
    return args;
}

void virtualSwitch(Ps &s, const Design &design, const Element &host, const Element &sw)
{
    s.comment(QStringLiteral("%1: %2 switch").arg(what(sw), str(sw, "type")));
    const QString args = switchArguments(s, design, host, sw);
    if (args.isEmpty())
        return;
    s.open(QStringLiteral("if (-not (Get-VMSwitch -Name %1 -ErrorAction SilentlyContinue))")
               .arg(psQuote(sw.name())));
    s.line(QStringLiteral("New-VMSwitch -Name %1%2").arg(psQuote(sw.name()), args));
    s.close();
    const Element *uplink = design.find(str(sw, "uplink"));
    if (uplink && uplink->kind == ElementKind::Team &&
        uplink->value(QLatin1String("switchEmbedded")).toBool() &&
        str(sw, "type") == QLatin1String("External"))
        s.line(QStringLiteral("Set-VMSwitchTeam -Name %1 -LoadBalancingAlgorithm %2")
                   .arg(psQuote(sw.name()),
                        str(*uplink, "loadBalancing") == QLatin1String("HyperVPort")
                            ? QStringLiteral("HyperVPort")
                            : QStringLiteral("Dynamic")));
    if (str(sw, "minimumBandwidthMode") == QLatin1String("Weight") && has(sw, "defaultFlowWeight"))
        s.line(QStringLiteral("Set-VMSwitch -Name %1 -DefaultFlowMinimumBandwidthWeight %2")
                   .arg(psQuote(sw.name()), num(sw, "defaultFlowWeight")));
}

// The mirroring role of each vNIC: mirror sessions first, then the vNIC's own mirroringRole.
QHash<QString, QString> mirroringRoles(const Design &design)
{
    QHash<QString, QString> roles;
    for (const Element *ms : design.elements(ElementKind::MirrorSession)) {
        for (const QJsonValue &src : ms->value(QLatin1String("sources")).toArray())
            roles.insert(src.toString(), QStringLiteral("Source"));
        if (const QString dst = str(*ms, "destination"); !dst.isEmpty())
            roles.insert(dst, QStringLiteral("Destination"));
    }
    return roles;
}

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
QString minimumBandwidth(Ps &s, const Design &design, const Element &vnic)
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

void adapterSettings(Ps &s, const Design &design, const Element &vnic, const Adapter &a,
                     const QHash<QString, QString> &roles)
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

void vlan(Ps &s, const Element &vnic, const Adapter &a)
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
        s.line(cmd + flag + ids);
    } else if (!mode.isEmpty()) {
        s.warn(QStringLiteral("%1: VLAN mode %2 lacks its VLAN ids in the design: not set")
                   .arg(what(vnic), mode));
    }
}

// One ACL record: Add-VMNetworkAdapterAcl (addresses only, or a meter), else the extended form
// with protocol, ports, weight and statefulness (Allow/Deny, one direction per rule).
void acl(Ps &s, const QJsonObject &r, const Adapter &a, int &weight)
{
    const auto text = [&](const char *key) {
        return r.value(QLatin1String(key)).toString();
    };
    const QString action = text("action");
    const QString protocol = text("protocol");
    const QJsonArray lports = r.value(QLatin1String("localPorts")).toArray();
    const QJsonArray rports = r.value(QLatin1String("remotePorts")).toArray();
    const bool extended =
        action != QLatin1String("Meter") &&
        ((!protocol.isEmpty() && protocol != QLatin1String("Any")) || !lports.isEmpty() ||
         !rports.isEmpty() || r.value(QLatin1String("stateful")).toBool() ||
         r.value(QLatin1String("weight")).toInt() > 0);
    if (!extended) {
        QString args = QStringLiteral(" -Direction %1 -Action %2").arg(text("direction"), action);
        const QList<std::pair<const char *, const char *>> fields{
            {"localAddress", "LocalIPAddress"},
            {"remoteAddress", "RemoteIPAddress"},
            {"localMac", "LocalMacAddress"},
            {"remoteMac", "RemoteMacAddress"}};
        for (const auto &[key, param] : fields)
            if (!text(key).isEmpty())
                args += QStringLiteral(" -%1 %2").arg(QLatin1String(param), psQuote(text(key)));
        if (args.count(QLatin1Char('\'')) == 0)
            args += QStringLiteral(" -RemoteIPAddress 'ANY'");
        s.line(QStringLiteral("Add-VMNetworkAdapterAcl ") + a.byAdapterName + args);
        return;
    }
    const QStringList directions =
        text("direction") == QLatin1String("Both")
            ? QStringList{QStringLiteral("Inbound"), QStringLiteral("Outbound")}
            : QStringList{text("direction")};
    QStringList locals{QString()}, remotes{QString()};
    if (!lports.isEmpty())
        locals.clear();
    for (const QJsonValue &p : lports)
        locals << QString::number(p.toInt());
    if (!rports.isEmpty())
        remotes.clear();
    for (const QJsonValue &p : rports)
        remotes << QString::number(p.toInt());
    for (const QString &direction : directions)
        for (const QString &lp : locals)
            for (const QString &rp : remotes) {
                QString args = QStringLiteral(" -Direction %1 -Action %2").arg(direction, action);
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

void acls(Ps &s, const Element &vnic, const Adapter &a)
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
void ipConfiguration(Ps &s, const Element &vnic)
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

void managementVnic(Ps &s, const Design &design, const Element &vnic,
                    const QHash<QString, QString> &roles)
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

void vmVnic(Ps &s, const Design &design, const Element &vm, const Element &vnic,
            const QHash<QString, QString> &roles)
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

void resourcePools(Ps &s, const Design &design, const Element &host)
{
    QStringList pools;
    for (const Element *vm : design.children(host.id, ElementKind::VirtualMachine))
        if (const Element *pool = design.find(str(*vm, "resourcePool"));
            pool && !pools.contains(pool->id))
            pools << pool->id;
    for (const QString &id : pools) {
        const Element &pool = *design.find(id);
        s.comment(QStringLiteral("%1: processor and memory pool for metering").arg(what(pool)));
        s.open(QStringLiteral("if (-not (Get-VMResourcePool -Name %1 -ResourcePoolType Processor "
                              "-ErrorAction SilentlyContinue))")
                   .arg(psQuote(pool.name())));
        s.line(QStringLiteral("New-VMResourcePool -Name %1 -ResourcePoolType Processor, Memory | "
                              "Out-Null")
                   .arg(psQuote(pool.name())));
        s.close();
        s.line(QStringLiteral("Enable-VMResourceMetering -ResourcePoolName %1 -ResourcePoolType "
                              "Processor, Memory")
                   .arg(psQuote(pool.name())));
        s.blank();
    }
}

void virtualMachine(Ps &s, const Design &design, const Element &vm,
                    const QHash<QString, QString> &roles)
{
    s.comment(what(vm));
    const QString vmName = psQuote(vm.name());
    s.open(QStringLiteral("if (Get-VM -Name %1 -ErrorAction SilentlyContinue)").arg(vmName));
    for (const Element *vnic : design.children(vm.id, ElementKind::VirtualNic))
        vmVnic(s, design, vm, *vnic, roles);
    if (const Element *pool = design.find(str(vm, "resourcePool"))) {
        s.comment(QStringLiteral("member of %1").arg(what(*pool)));
        s.line(QStringLiteral("Set-VMProcessor -VMName %1 -ResourcePoolName %2")
                   .arg(vmName, psQuote(pool->name())));
        s.line(QStringLiteral("Set-VMMemory -VMName %1 -ResourcePoolName %2")
                   .arg(vmName, psQuote(pool->name())));
    }
    s.line(QStringLiteral("Enable-VMResourceMetering -VMName %1").arg(vmName));
    s.otherwise();
    s.warn(QStringLiteral("VM '%1' does not exist on this host: its network adapters were not "
                          "configured; create it, then run this script again")
               .arg(vm.name()));
    s.close();
}

void header(Ps &s, const Design &design, const Element &host, bool teams)
{
    const QString designName = design.info().value(QLatin1String("name")).toString();
    s.comment(QStringLiteral("Converge deployment bundle: hyperv host '%1' of design \"%2\".")
                  .arg(host.name(), designName));
    s.comment(
        QStringLiteral("Generated by Converge (convergectl bundle); do not edit, regenerate."));
    s.line(QStringLiteral("#"));
    s.comment(QStringLiteral("Brings the host's networking to the design: NIC teams, virtual "
                             "switches, management-OS"));
    s.comment(QStringLiteral("vNICs with their addresses, VM network adapters (bandwidth, "
                             "guards, mirroring, VLANs,"));
    s.comment(QStringLiteral("ACLs), resource pools and metering. Each section names the design "
                             "element it realizes."));
    s.comment(QStringLiteral("Teams, switches and adapters are created only where missing; "
                             "settings are (re)applied,"));
    s.comment(QStringLiteral("so the script can run again. Switch types and uplinks of existing "
                             "switches are left alone."));
    s.line(QStringLiteral("#"));
    s.comment(QStringLiteral("Run in an elevated PowerShell (Run as Administrator) on %1:")
                  .arg(host.name()));
    s.comment(QStringLiteral("  powershell -ExecutionPolicy Bypass -File apply.ps1"));
    s.line(QStringLiteral("#Requires -RunAsAdministrator"));
    s.line(teams ? QStringLiteral("#Requires -Modules Hyper-V, NetLbfo")
                 : QStringLiteral("#Requires -Modules Hyper-V"));
    s.blank();
    s.line(QStringLiteral("$ErrorActionPreference = 'Stop'"));
    s.line(QStringLiteral("Set-StrictMode -Version 3"));
    s.blank();
}

} // namespace

Result<QString> powerShellScript(const Design &design, const QString &hostId)
{
    const Element *host = design.find(hostId);
    if (!host || host->kind != ElementKind::Host)
        return core::fail(core::Error::Code::NotFound,
                          QStringLiteral("no host with id \"%1\" in the design").arg(hostId));
    if (str(*host, "platform") != QLatin1String("hyperv"))
        return core::invalid(QStringLiteral("%1 is not a hyperv host: it gets a shell script and "
                                            "its agent's plan, not PowerShell")
                                 .arg(core::describe(*host)));
    Ps s;
    std::vector<const Element *> lbfo;
    for (const Element *team : design.children(host->id, ElementKind::Team))
        if (!team->value(QLatin1String("switchEmbedded")).toBool())
            lbfo.push_back(team);
    header(s, design, *host, !lbfo.empty());
    for (const Element *team : lbfo) {
        lbfoTeam(s, design, *team);
        s.blank();
    }
    for (const Element *sw : design.children(host->id, ElementKind::VirtualSwitch)) {
        virtualSwitch(s, design, *host, *sw);
        s.blank();
    }
    const QHash<QString, QString> roles = mirroringRoles(design);
    for (const Element *vnic : design.children(host->id, ElementKind::VirtualNic)) {
        managementVnic(s, design, *vnic, roles);
        s.blank();
    }
    resourcePools(s, design, *host);
    for (const Element *vm : design.children(host->id, ElementKind::VirtualMachine)) {
        virtualMachine(s, design, *vm, roles);
        s.blank();
    }
    s.line(QStringLiteral("Write-Host ") +
           psQuote(QStringLiteral("apply.ps1: host %1 configured").arg(host->name())));
    return s.text();
}

} // namespace converge::core::realize
