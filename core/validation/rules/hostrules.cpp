// Hosts, licensing, security features and DHCP failover: 003_8b87448cefe986c9.txt §2-§3,
// 002_4fa7ab3843d54fef.txt l.86, 004_7c35f0513785686e.txt "DHCP Failover", and the Hyper-V
// Best Practices Analyzer rules (Microsoft docs).
#include "../catalog.h"
#include "rulehelpers.h"

#include <algorithm>

namespace converge::core::rules {

namespace {

using K = ElementKind;

constexpr double oneGbps = 1e9;

// The VM a vNIC belongs to, or null for a management-OS vNIC.
const Element *vmOf(const Element &vnic, RuleContext &ctx)
{
    const Element *owner = ctx.owner(vnic);
    return owner && owner->kind == K::VirtualMachine ? owner : nullptr;
}

void hardwareVirtualization(const Element &host, RuleContext &, FindingSink &out)
{
    if (str(host, key::platform) != value::hyperv || flag(host, key::hardwareVirtualization))
        return;
    const QString state = has(host, key::hardwareVirtualization)
                              ? QStringLiteral("has hardware virtualization off")
                              : QStringLiteral("does not declare hardware virtualization");
    out.add(QStringLiteral("Hyper-V host '%1' %2: Hyper-V requires a CPU with Intel VT-x or "
                           "AMD-V, enabled in the firmware. Enable it and mark it on the host.")
                .arg(host.name(), state),
            {},
            setFix(QStringLiteral("Mark hardware virtualization as enabled on %1").arg(host.name()),
                   host.id, key::hardwareVirtualization, true));
}

void standardEditionVms(const Element &host, RuleContext &ctx, FindingSink &out)
{
    if (str(host, key::edition) != value::standard)
        return;
    const auto vms = ctx.children(host.id, K::VirtualMachine);
    if (vms.size() > 2)
        out.add(QStringLiteral("Host '%1' runs %2 VMs on Windows Server Standard, which licenses "
                               "at most two virtual instances per host. Use the Datacenter "
                               "edition or move VMs to another host.")
                    .arg(host.name())
                    .arg(vms.size()),
                idsOf(vms),
                setFix(QStringLiteral("Set %1 to the Datacenter edition").arg(host.name()), host.id,
                       key::edition, value::datacenter));
}

void moreThanOneAdapter(const Element &host, RuleContext &ctx, FindingSink &out)
{
    const auto vms = ctx.children(host.id, K::VirtualMachine);
    if (vms.empty())
        return;
    const auto nics = ctx.children(host.id, K::PhysicalNic);
    if (nics.size() < 2)
        out.add(QStringLiteral("Host '%1' runs %2 VM(s) but has %3 physical network adapter(s): "
                               "management and VM traffic share it and one failure cuts both. "
                               "Add a second network adapter.")
                    .arg(host.name())
                    .arg(vms.size())
                    .arg(nics.size()),
                idsOf(nics));
}

// Why a VM serves DHCP ("is an approved DHCP server"), or empty when it does not.
QString dhcpServerReason(const Element &vm, RuleContext &ctx)
{
    if (flag(vm, key::approvedDhcpServer))
        return QStringLiteral("is an approved DHCP server");
    const auto failovers = ctx.referrers(vm.id, K::DhcpFailover);
    if (!failovers.empty())
        return QStringLiteral("is a DHCP server of %1").arg(label(*failovers.front()));
    return {};
}

// Whether a DHCP server VM's vNIC is one it serves DHCP on: iSCSI, live-migration and cluster
// networks carry no DHCP clients (003 §4.3.1: static addresses on the SAN).
bool servesDhcp(const Element &vnic)
{
    const QString role = str(vnic, key::trafficRole);
    return role != value::iscsi && role != value::liveMigration && role != value::cluster;
}

void dhcpServerGuard(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    const Element *vm = flag(vnic, key::dhcpGuard) && servesDhcp(vnic) ? vmOf(vnic, ctx) : nullptr;
    if (!vm)
        return;
    const QString reason = dhcpServerReason(*vm, ctx);
    if (reason.isEmpty())
        return;
    out.add(QStringLiteral("VM '%1' %2, but DHCP guard is on for its %3: the guard drops the "
                           "VM's DHCP offers. Turn DHCP guard off on this vNIC.")
                .arg(vm->name(), reason, label(vnic)),
            {vm->id},
            setFix(QStringLiteral("Turn DHCP guard off on %1").arg(vnic.name()), vnic.id,
                   key::dhcpGuard, false));
}

void dhcpGuardOnOtherVms(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    const Element *vm = flag(vnic, key::dhcpGuard) ? nullptr : vmOf(vnic, ctx);
    if (!vm)
        return;
    const bool server = !dhcpServerReason(*vm, ctx).isEmpty();
    if (server && servesDhcp(vnic))
        return;
    out.add(QStringLiteral("%1 has DHCP guard off, and %2: a rogue DHCP server in it could hand "
                           "out addresses. Turn DHCP guard on.")
                .arg(vnicLabel(vnic, ctx),
                     server ? QStringLiteral("the VM serves no DHCP on its %1 network")
                                  .arg(str(vnic, key::trafficRole))
                            : QStringLiteral("the VM is not a DHCP server")),
            {vm->id},
            setFix(QStringLiteral("Turn on DHCP guard for %1").arg(label(vnic)), vnic.id,
                   key::dhcpGuard, true));
}

// A tenant vNIC: one that says it carries tenant traffic, or one of a VM on an isolated
// (tenant) VM network.
bool isTenant(const Element &vnic, const Element &vm, RuleContext &ctx)
{
    if (str(vnic, key::trafficRole) == value::tenant)
        return true;
    const Element *net = ctx.find(str(vm, key::vmNetwork));
    return net && str(*net, key::isolation) != value::none;
}

void routerGuard(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    const Element *vm = flag(vnic, key::routerGuard) ? nullptr : vmOf(vnic, ctx);
    if (!vm || !isTenant(vnic, *vm, ctx))
        return;
    out.add(QStringLiteral("Tenant %1 has router guard off: the VM could send router "
                           "advertisements and redirects to other tenants' machines. Turn router "
                           "guard on.")
                .arg(vnicLabel(vnic, ctx)),
            {vm->id},
            setFix(QStringLiteral("Turn on router guard for %1").arg(label(vnic)), vnic.id,
                   key::routerGuard, true));
}

void twoFailoverServers(const Element &failover, RuleContext &ctx, FindingSink &out)
{
    std::vector<const Element *> servers;
    for (const QString &id : ids(failover, key::servers))
        if (const Element *vm = ctx.find(id))
            servers.push_back(vm);
    if (servers.size() != 2)
        out.add(QStringLiteral("%1 has %2 server(s); a DHCP failover relationship is between "
                               "exactly two DHCPv4 servers (hot standby or load sharing).")
                    .arg(label(failover))
                    .arg(servers.size()),
                idsOf(servers));
}

// Bits per second a team carries: its members' speeds, without the standby member.
double teamSpeed(const Element &team, RuleContext &ctx)
{
    double sum = 0;
    const QString standby = str(team, key::standbyMember);
    for (const QString &id : ids(team, key::members)) {
        const Element *m = id == standby ? nullptr : ctx.find(id);
        if (m && m->kind == K::PhysicalNic)
            sum += number(*m, key::speed);
    }
    return sum;
}

double uplinkSpeed(const Element *vswitch, RuleContext &ctx)
{
    const Element *uplink = vswitch ? ctx.find(str(*vswitch, key::uplink)) : nullptr;
    if (!uplink)
        return 0;
    return uplink->kind == K::Team ? teamSpeed(*uplink, ctx) : number(*uplink, key::speed);
}

QString speedText(double bps)
{
    if (bps <= 0)
        return QStringLiteral("speed unknown");
    return formatBandwidth(bps);
}

struct LiveMigrationNetwork
{
    const Element *element;
    double speed;
};

std::vector<LiveMigrationNetwork> liveMigrationNetworks(const Element &host, RuleContext &ctx)
{
    std::vector<LiveMigrationNetwork> out;
    for (const Element *v : ctx.children(host.id, K::VirtualNic))
        if (str(*v, key::trafficRole) == value::liveMigration)
            out.push_back({v, uplinkSpeed(ctx.find(str(*v, key::switch_)), ctx)});
    for (const Element *nic : ctx.children(host.id, K::PhysicalNic)) {
        if (str(*nic, key::role) != value::liveMigration)
            continue;
        const auto teams = ctx.referrers(nic->id, K::Team);
        out.push_back(
            {nic, teams.empty() ? number(*nic, key::speed) : teamSpeed(*teams.front(), ctx)});
    }
    return out;
}

void liveMigrationSpeed(const Element &host, RuleContext &ctx, FindingSink &out)
{
    const QString cluster = str(host, key::cluster);
    if (cluster.isEmpty())
        return;
    const auto networks = liveMigrationNetworks(host, ctx);
    if (std::ranges::any_of(networks, [](const auto &n) { return n.speed >= oneGbps; }))
        return;
    if (networks.empty()) {
        out.add(QStringLiteral("Host '%1' is in cluster '%2' but has no live-migration network: "
                               "add a management-OS vNIC with traffic role LiveMigration on a "
                               "switch whose uplink runs at 1 Gb/s or more.")
                    .arg(host.name(), cluster));
        return;
    }
    QStringList slow;
    std::vector<const Element *> involved;
    for (const auto &n : networks) {
        slow << QStringLiteral("%1 (%2)").arg(label(*n.element), speedText(n.speed));
        involved.push_back(n.element);
    }
    out.add(QStringLiteral("Host '%1' is in cluster '%2' but none of its live-migration networks "
                           "reaches 1 Gb/s: %3. Put live migration on an uplink of 1 Gb/s or "
                           "more (or declare the NIC speeds).")
                .arg(host.name(), cluster, slow.join(QStringLiteral(", "))),
            idsOf(involved));
}

} // namespace

void addHostRules(std::vector<Rule> &out)
{
    out.push_back(
        rule("HOST-001", Severity::Error, K::Host, "Hyper-V hosts need hardware virtualization",
             "Windows Server 2012 Hyper-V requires host processors with hardware virtualization "
             "(Intel VT-x or AMD-V).",
             "003_8b87448cefe986c9.txt §3 l.151-153", hardwareVirtualization));
    out.push_back(rule(
        "HOST-002", Severity::Error, K::Host, "Windows Server Standard: at most two VMs per host",
        "With a Standard license the host can have up to two virtualized instances; Datacenter "
        "gives unlimited virtualized instances.",
        "003_8b87448cefe986c9.txt §2 Table 1 l.83-99", standardEditionVms));
    out.push_back(rule(
        "HOST-003", Severity::Error, K::Host,
        "A host running VMs has more than one network adapter",
        "More than one network adapter should be available, so management traffic and VM traffic "
        "do not depend on a single adapter.",
        "Microsoft docs: BPA \"More than one network adapter should be available\"",
        moreThanOneAdapter));
    out.push_back(rule(
        "SEC-001", Severity::Error, K::VirtualNic, "No DHCP guard on a DHCP server's vNICs",
        "DHCP guard halts DHCP traffic coming from a VM unless the VM is approved as a DHCP "
        "server, so a DHCP server VM (approved, or a DHCP failover partner) must not have it on "
        "the vNICs it serves DHCP on: every vNIC except iSCSI, live-migration and cluster ones, "
        "which carry no DHCP clients. The companion recommendation, DHCP guard on every other VM "
        "vNIC, is SEC-003.",
        "002_4fa7ab3843d54fef.txt l.86; 003_8b87448cefe986c9.txt §4.1 l.600-602", dhcpServerGuard));
    out.push_back(
        rule("SEC-002", Severity::Warning, K::VirtualNic, "Tenant VM vNICs have router guard on",
             "Router guard stops VMs from acting on router advertisements; hosting environments "
             "should turn it on for tenant VMs (tenant traffic role, or a VM on an isolated VM "
             "network).",
             "002_4fa7ab3843d54fef.txt l.86", routerGuard));
    out.push_back(
        rule("SEC-003", Severity::Warning, K::VirtualNic,
             "VMs that are not DHCP servers have DHCP guard on",
             "The warning half of SEC-001 (whose catalog severity is error): DHCP guard halts DHCP "
             "traffic from VMs that are not approved DHCP servers, so every other VM vNIC should "
             "have it on: those of other VMs, and a DHCP server's iSCSI, live-migration and "
             "cluster vNICs.",
             "002_4fa7ab3843d54fef.txt l.86; 003_8b87448cefe986c9.txt §4.1 l.600-602",
             dhcpGuardOnOtherVms));
    out.push_back(rule(
        "DHCP-001", Severity::Error, K::DhcpFailover, "A DHCP failover has exactly two servers",
        "DHCP Server Failover provides support for two DHCPv4 servers, as failover partners in "
        "hot standby or load-sharing mode.",
        "004_7c35f0513785686e.txt \"DHCP Failover\" l.2461", twoFailoverServers));
    out.push_back(
        rule("LM-001", Severity::Error, K::Host, "Live migration has a network of at least 1 Gbps",
             "At least one network used for live migration on a clustered host should have a link "
             "speed of at least 1 Gbps (a team's speed is the sum of its active members).",
             "Microsoft docs: BPA \"At least one network for live migration traffic should have a "
             "link speed of at least 1 Gbps\"",
             liveMigrationSpeed));
}

} // namespace converge::core::rules
