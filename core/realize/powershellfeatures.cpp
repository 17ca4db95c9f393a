// The parts of a hyperv host's script beyond teams, switches and adapters: jumbo frames (MTU),
// team queue modes, switch extensions, the PVLAN secondary list of promiscuous ports and network
// virtualization (lookup records, customer routes, virtual subnet ids). Cmdlets and parameters
// are Microsoft's (Hyper-V, NetAdapter and NetWNV modules; docs/cli.md, "Bundles").
#include "powershellsections.h"
#include "scripts.h"

#include "core/model/design.h"
#include "core/model/newelements.h"

#include <QJsonArray>
#include <QUuid>

#include <algorithm>

namespace converge::core::realize::ps {

using core::ElementKind;

namespace {

// *JumboPacket counts the Ethernet header: MTU 9000 is 9014, 1500 is 1514.
constexpr int kEthernetHeaderBytes = 14;

// Set only when it differs: a new value restarts the adapter, which a second run must not do.
void jumboPacket(Writer &s, const QString &adapter, const Element &e)
{
    const QString value = QString::number(e.value(key::mtu).toInt() + kEthernetHeaderBytes);
    s.open(QStringLiteral("if ((Get-NetAdapterAdvancedProperty -Name %1 -RegistryKeyword "
                          "'*JumboPacket').RegistryValue -notcontains %2)")
               .arg(psQuote(adapter), psQuote(value)));
    s.line(QStringLiteral("Set-NetAdapterAdvancedProperty -Name %1 -RegistryKeyword "
                          "'*JumboPacket' -RegistryValue %2")
               .arg(psQuote(adapter), value));
    s.close();
}

// The vNICs on SWITCH (management OS and VMs of HOST) in PVLAN mode with PRIMARY.
std::vector<const Element *> pvlanPeers(const Design &design, const Element &host,
                                        const QString &sw, int primary)
{
    std::vector<const Element *> vnics = design.children(host.id, ElementKind::VirtualNic);
    for (const Element *vm : design.children(host.id, ElementKind::VirtualMachine))
        for (const Element *v : design.children(vm->id, ElementKind::VirtualNic))
            vnics.push_back(v);
    std::erase_if(vnics, [&](const Element *v) {
        return str(*v, key::switch_) != sw || str(*v, key::vlanMode) != value::pvlan ||
               v->value(key::pvlanPrimary).toInt() != primary || !has(*v, key::pvlanSecondary);
    });
    return vnics;
}

// The VM networks with network virtualization that VMs of HOST belong to, in design order.
std::vector<const Element *> virtualizedNetworks(const Design &design, const Element &host)
{
    std::vector<const Element *> out;
    for (const Element *vm : design.children(host.id, ElementKind::VirtualMachine)) {
        const Element *net = design.find(str(*vm, key::vmNetwork));
        if (net && str(*net, key::isolation) == value::networkVirtualization &&
            std::find(out.begin(), out.end(), net) == out.end())
            out.push_back(net);
    }
    return out;
}

// NetWNV's routing domain id is a GUID; the design names the domain, so the GUID is derived
// from the name (UUID v5), the same on every host and every run. No name: the VM network's id.
QString routingDomainGuid(const Element &net)
{
    static const QUuid ns(QStringLiteral("{6f1c7c52-3a34-4d0e-9c55-2b3f3b0c1e14}"));
    const QString name = str(net, key::routingDomain);
    return QUuid::createUuidV5(ns, name.isEmpty() ? net.id : name).toString(QUuid::WithBraces);
}

// The provider address of the host of VM, without its prefix length; empty if none.
QString providerAddressOf(const Design &design, const Element &vm)
{
    const Element *host = core::hostOf(design, vm);
    return host ? str(*host, key::providerAddress).section(QLatin1Char('/'), 0, 0) : QString();
}

// One lookup record per address of every vNIC of every VM in NET (on any host): each host needs
// the CA -> PA mapping of the whole VM network.
void lookupRecords(Writer &s, const Design &design, const Element &net)
{
    const QString vsid = num(net, key::vsid);
    for (const Element *vm : design.elements(ElementKind::VirtualMachine)) {
        if (str(*vm, key::vmNetwork) != net.id)
            continue;
        const QString pa = providerAddressOf(design, *vm);
        for (const Element *vnic : design.children(vm->id, ElementKind::VirtualNic)) {
            const QString mac = str(*vnic, key::mac).remove(QLatin1Char('-')).remove(u':');
            if (pa.isEmpty() || mac.isEmpty()) {
                s.warn(QStringLiteral("%1: its host has no provider address or it has no MAC in "
                                      "the design: no lookup record")
                           .arg(what(*vnic)));
                continue;
            }
            for (const QJsonValue &a : vnic->value(key::addresses).toArray()) {
                const QString ca = psQuote(a.toString().section(QLatin1Char('/'), 0, 0));
                s.open(QStringLiteral("if (-not (Get-NetVirtualizationLookupRecord "
                                      "-CustomerAddress %1 -VirtualSubnetID %2 -ErrorAction "
                                      "SilentlyContinue))")
                           .arg(ca, vsid));
                s.line(
                    QStringLiteral("New-NetVirtualizationLookupRecord -CustomerAddress %1 "
                                   "-VirtualSubnetID %2 -MACAddress %3 -ProviderAddress %4 "
                                   "-Rule TranslationMethodEncap -VMName %5 | Out-Null")
                        .arg(ca, vsid, psQuote(mac.toUpper()), psQuote(pa), psQuote(vm->name())));
                s.close();
            }
        }
    }
}

// The VM network's customer subnets as on-link routes of its routing domain.
void customerRoutes(Writer &s, const Element &net)
{
    const QString domain = psQuote(routingDomainGuid(net));
    for (const QJsonValue &v : net.value(key::customerSubnets).toArray()) {
        const QString prefix = psQuote(v.toString());
        const QString onLink = v.toString().contains(QLatin1Char(':'))
                                   ? QStringLiteral("'::'")
                                   : QStringLiteral("'0.0.0.0'");
        s.open(QStringLiteral("if (-not (Get-NetVirtualizationCustomerRoute -RoutingDomainID %1 "
                              "-VirtualSubnetID %2 -DestinationPrefix %3 -ErrorAction "
                              "SilentlyContinue))")
                   .arg(domain, num(net, key::vsid), prefix));
        s.line(QStringLiteral("New-NetVirtualizationCustomerRoute -RoutingDomainID %1 "
                              "-VirtualSubnetID %2 -DestinationPrefix %3 -NextHop %4 -Metric 255 "
                              "| Out-Null")
                   .arg(domain, num(net, key::vsid), prefix, onLink));
        s.close();
    }
}

} // namespace

void adapterMtus(Writer &s, const Design &design, const Element &host)
{
    for (const Element *nic : design.children(host.id, ElementKind::PhysicalNic)) {
        if (!has(*nic, key::mtu))
            continue;
        s.comment(QStringLiteral("%1: MTU %2%3")
                      .arg(what(*nic), num(*nic, key::mtu),
                           nic->value(key::mtu).toInt() > 1500 ? QStringLiteral(" (jumbo frames)")
                                                               : QString()));
        jumboPacket(s, adapterName(*nic), *nic);
        s.blank();
    }
}

void vnicMtu(Writer &s, const Element &vnic, bool managementOs)
{
    if (!has(vnic, key::mtu))
        return;
    if (managementOs)
        jumboPacket(s, hostAlias(vnic), vnic);
    else
        s.comment(QStringLiteral("MTU %1: set inside the guest (the host does not set a VM "
                                 "adapter's MTU)")
                      .arg(num(vnic, key::mtu)));
}

void teamQueues(Writer &s, const Design &design, const Element &team)
{
    const QString mode = str(team, key::queueMode);
    const QStringList members = memberAdapters(design, team);
    if ((mode != value::rss && mode != value::dvmq) || members.isEmpty())
        return;
    s.comment(QStringLiteral("%1: member queues serve %2").arg(what(team), mode));
    // Only the adapters whose setting differs: a change restarts the adapter.
    const auto pipe = [&](const char *get, const char *filter, const char *set) -> QString {
        return QLatin1String(get) + QStringLiteral(" -Name ") + psList(members) +
               QStringLiteral(" | Where-Object { ") + QLatin1String(filter) +
               QStringLiteral(" } | ") + QLatin1String(set);
    };
    if (mode == value::dvmq) {
        s.line(pipe("Get-NetAdapterVmq", "-not $_.Enabled", "Enable-NetAdapterVmq"));
    } else {
        s.line(pipe("Get-NetAdapterVmq", "$_.Enabled", "Disable-NetAdapterVmq"));
        s.line(pipe("Get-NetAdapterRss", "-not $_.Enabled", "Enable-NetAdapterRss"));
    }
    s.blank();
}

void switchExtensions(Writer &s, const Element &sw)
{
    const QString name = psQuote(sw.name());
    for (const QJsonValue &v : sw.value(key::extensions).toArray()) {
        const QJsonObject ext = v.toObject();
        const QString ename = ext.value(key::name).toString();
        const bool enabled = ext.value(key::enabled).toBool(true);
        s.comment(QStringLiteral("%1: %2 extension '%3', %4")
                      .arg(what(sw), ext.value(key::kind).toString(), ename,
                           enabled ? QStringLiteral("enabled") : QStringLiteral("disabled")));
        s.open(QStringLiteral("if (Get-VMSwitchExtension -VMSwitchName %1 -Name %2 -ErrorAction "
                              "SilentlyContinue)")
                   .arg(name, psQuote(ename)));
        s.line(QStringLiteral("%1 -VMSwitchName %2 -Name %3 | Out-Null")
                   .arg(enabled ? QStringLiteral("Enable-VMSwitchExtension")
                                : QStringLiteral("Disable-VMSwitchExtension"),
                        name, psQuote(ename)));
        s.otherwise();
        s.warn(QStringLiteral("extension '%1' is not installed on switch '%2': install it, then "
                              "run this script again")
                   .arg(ename, sw.name()));
        s.close();
    }
}

QString pvlanSecondaryList(const Design &design, const Element &vnic)
{
    const Element *host = core::hostOf(design, vnic);
    QList<int> ids{vnic.value(key::pvlanSecondary).toInt()};
    if (host)
        for (const Element *peer : pvlanPeers(design, *host, str(vnic, key::switch_),
                                              vnic.value(key::pvlanPrimary).toInt()))
            if (str(*peer, key::pvlanMode) != value::promiscuous)
                ids << peer->value(key::pvlanSecondary).toInt();
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    QStringList text;
    for (int id : ids)
        text << QString::number(id);
    return text.join(QLatin1Char(','));
}

QString virtualSubnetArgument(const Design &design, const Element &vm)
{
    const Element *net = design.find(str(vm, key::vmNetwork));
    if (!net || str(*net, key::isolation) != value::networkVirtualization || !has(*net, key::vsid))
        return {};
    return QStringLiteral(" -VirtualSubnetId ") + num(*net, key::vsid);
}

void networkVirtualization(Writer &s, const Design &design, const Element &host)
{
    for (const Element *net : virtualizedNetworks(design, host)) {
        s.comment(QStringLiteral("%1: network virtualization, VSID %2, routing domain %3")
                      .arg(what(*net), num(*net, key::vsid), routingDomainGuid(*net)));
        if (!has(*net, key::vsid) || str(*net, key::encapsulation) == value::vxlan) {
            s.warn(QStringLiteral("%1: Hyper-V network virtualization needs a virtual subnet id "
                                  "and NVGRE (not VXLAN): not realized")
                       .arg(what(*net)));
            s.blank();
            continue;
        }
        lookupRecords(s, design, *net);
        customerRoutes(s, *net);
        s.blank();
    }
}

} // namespace converge::core::realize::ps
