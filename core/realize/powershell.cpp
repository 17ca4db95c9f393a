// The Hyper-V side of a bundle: one PowerShell script per `hyperv` host, using the documented
// cmdlets of the Hyper-V and NetLbfo modules (docs/agent.md, "What it changes on a host"). Teams
// and switches are written by powershellswitches.cpp, network adapters by powershelladapters.cpp.
#include "powershellsections.h"
#include "scripts.h"

#include "core/model/design.h"
#include "core/model/newelements.h"

#include <QJsonArray>

namespace converge::core::realize::ps {

using core::ElementKind;

void Writer::comment(const QString &text)
{
    line(QStringLiteral("# ") + commentText(text));
}

void Writer::warn(const QString &text)
{
    line(QStringLiteral("Write-Warning ") + psQuote(text));
}

void Writer::open(const QString &text)
{
    line(text + QStringLiteral(" {"));
    m_indent += QStringLiteral("    ");
}

void Writer::close()
{
    m_indent.chop(4);
    line(QStringLiteral("}"));
}

void Writer::otherwise()
{
    m_indent.chop(4);
    line(QStringLiteral("} else {"));
    m_indent += QStringLiteral("    ");
}

QString str(const Element &e, QLatin1StringView key)
{
    return e.value(key).toString();
}

bool has(const Element &e, QLatin1StringView key)
{
    return e.props.contains(key);
}

QString num(const Element &e, QLatin1StringView key)
{
    return QString::number(static_cast<qint64>(e.value(key).toDouble()));
}

QString onOff(const Element &e, QLatin1StringView key)
{
    return e.value(key).toBool() ? QStringLiteral("On") : QStringLiteral("Off");
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

QString adapterName(const Element &nic)
{
    const QString name = str(nic, key::interfaceName);
    return name.isEmpty() ? nic.name() : name;
}

QStringList memberAdapters(const Design &design, const Element &team)
{
    QStringList out;
    for (const QJsonValue &m : team.value(key::members).toArray())
        if (const Element *nic = design.find(m.toString());
            nic && nic->kind == ElementKind::PhysicalNic)
            out << adapterName(*nic);
    return out;
}

namespace {

// The mirroring role of each vNIC: mirror sessions first, then the vNIC's own mirroringRole.
MirroringRoles mirroringRoles(const Design &design)
{
    MirroringRoles roles;
    for (const Element *ms : design.elements(ElementKind::MirrorSession)) {
        for (const QJsonValue &src : ms->value(key::sources).toArray())
            roles.insert(src.toString(), value::source);
        if (const QString dst = str(*ms, key::destination); !dst.isEmpty())
            roles.insert(dst, value::destination);
    }
    return roles;
}

void resourcePools(Writer &s, const Design &design, const Element &host)
{
    QStringList pools;
    for (const Element *vm : design.children(host.id, ElementKind::VirtualMachine))
        if (const Element *pool = design.find(str(*vm, key::resourcePool));
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

void virtualMachine(Writer &s, const Design &design, const Element &vm, const MirroringRoles &roles)
{
    s.comment(what(vm));
    const QString vmName = psQuote(vm.name());
    s.open(QStringLiteral("if (Get-VM -Name %1 -ErrorAction SilentlyContinue)").arg(vmName));
    for (const Element *vnic : design.children(vm.id, ElementKind::VirtualNic))
        vmVnic(s, design, vm, *vnic, roles);
    if (const Element *pool = design.find(str(vm, key::resourcePool))) {
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

void header(Writer &s, const Design &design, const Element &host, bool teams)
{
    const QString designName = design.info().value(key::name).toString();
    s.comment(QStringLiteral("Converge deployment bundle: hyperv host '%1' of design \"%2\".")
                  .arg(host.name(), designName));
    s.comment(
        QStringLiteral("Generated by Converge (convergectl bundle); do not edit, regenerate."));
    s.line(QStringLiteral("#"));
    s.comment(QStringLiteral("Brings the host's networking to the design: NIC MTUs (jumbo "
                             "frames), NIC teams and their"));
    s.comment(QStringLiteral("queue modes, virtual switches and their extensions, management-OS "
                             "vNICs with their"));
    s.comment(QStringLiteral("addresses, VM network adapters (bandwidth, guards, mirroring, "
                             "VLANs and PVLANs, ACLs,"));
    s.comment(QStringLiteral("virtual subnet ids), resource pools and metering, and network "
                             "virtualization (lookup"));
    s.comment(QStringLiteral("records, customer routes). Each section names the design element "
                             "it realizes."));
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

// The sections in the order they depend on each other: NIC MTUs, teams, switches, vNICs, pools,
// VMs, then the network virtualization policy of the VMs' networks.
QString script(const Design &design, const Element &host)
{
    Writer s;
    std::vector<const Element *> lbfo;
    for (const Element *team : design.children(host.id, ElementKind::Team))
        if (!team->value(key::switchEmbedded).toBool())
            lbfo.push_back(team);
    header(s, design, host, !lbfo.empty());
    adapterMtus(s, design, host);
    for (const Element *team : lbfo) {
        lbfoTeam(s, design, *team);
        s.blank();
    }
    for (const Element *team : design.children(host.id, ElementKind::Team))
        teamQueues(s, design, *team);
    for (const Element *sw : design.children(host.id, ElementKind::VirtualSwitch)) {
        virtualSwitch(s, design, host, *sw);
        s.blank();
    }
    const MirroringRoles roles = mirroringRoles(design);
    for (const Element *vnic : design.children(host.id, ElementKind::VirtualNic)) {
        managementVnic(s, design, *vnic, roles);
        s.blank();
    }
    resourcePools(s, design, host);
    for (const Element *vm : design.children(host.id, ElementKind::VirtualMachine)) {
        virtualMachine(s, design, *vm, roles);
        s.blank();
    }
    networkVirtualization(s, design, host);
    s.line(QStringLiteral("Write-Host ") +
           psQuote(QStringLiteral("apply.ps1: host %1 configured").arg(host.name())));
    return s.text();
}

} // namespace

} // namespace converge::core::realize::ps

namespace converge::core::realize {

Result<QString> powerShellScript(const core::Design &design, const QString &hostId)
{
    const core::Element *host = design.find(hostId);
    if (!host || host->kind != core::ElementKind::Host)
        return core::fail(core::Error::Code::NotFound,
                          QStringLiteral("no host with id \"%1\" in the design").arg(hostId));
    if (ps::str(*host, key::platform) != value::hyperv)
        return core::invalid(QStringLiteral("%1 is not a hyperv host: it gets a shell script and "
                                            "its agent's plan, not PowerShell")
                                 .arg(core::describe(*host)));
    return ps::script(design, *host);
}

} // namespace converge::core::realize
