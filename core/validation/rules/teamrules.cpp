// NIC teams and guest teams: 000 §1-§5, 002 "Teaming network cards", 003 §4.1.2-§4.1.4,
// Microsoft docs (NIC Teaming, Switch Embedded Teaming).
#include "../catalog.h"
#include "rulehelpers.h"

#include <QSet>

namespace converge::core::rules {

namespace {

using K = ElementKind;

std::vector<const Element *> members(const Element &team, RuleContext &ctx)
{
    std::vector<const Element *> out;
    for (const QString &id : ids(team, key::members))
        if (const Element *m = ctx.find(id))
            out.push_back(m);
    return out;
}

QStringList names(const std::vector<const Element *> &elements)
{
    QStringList out;
    for (const Element *e : elements)
        out << e->name();
    return out;
}

void memberCount(const Element &team, RuleContext &ctx, FindingSink &out)
{
    const auto n = ids(team, key::members).size();
    if (n < 1 || n > 32)
        out.add(QStringLiteral("%1 has %2 members; a team has 1 to 32 member NICs.")
                    .arg(labelOnHost(team, ctx))
                    .arg(n));
}

int vlanInterfaces(const Element &team)
{
    int n = 0;
    for (const QJsonValue v : team.value(key::teamInterfaces).toArray())
        if (v.toObject().value(key::vlan).toInt() > 0)
            ++n;
    return n;
}

// A team with one NIC and VLAN team interfaces, under no virtual switch, is there for VLAN-based
// traffic segregation, not failover (002 "Teaming network cards" l.66).
bool segregatesVlans(const Element &team, RuleContext &ctx)
{
    return vlanInterfaces(team) > 0 && ctx.referrers(team.id, K::VirtualSwitch).empty();
}

void singleMember(const Element &team, RuleContext &ctx, FindingSink &out)
{
    if (ids(team, key::members).size() == 1 && !segregatesVlans(team, ctx))
        out.add(QStringLiteral("%1 has a single member NIC: it gives no fault protection. Add a "
                               "second NIC to the team.")
                    .arg(labelOnHost(team, ctx)));
}

void sameSpeed(const Element &team, RuleContext &ctx, FindingSink &out)
{
    QSet<double> speeds;
    const auto nics = members(team, ctx);
    for (const Element *m : nics)
        if (m->kind == K::PhysicalNic && has(*m, key::speed))
            speeds.insert(number(*m, key::speed));
    if (speeds.size() > 1)
        out.add(QStringLiteral("%1 mixes NIC speeds (%2); team members should be the same speed.")
                    .arg(labelOnHost(team, ctx), names(nics).join(QStringLiteral(", "))),
                idsOf(nics));
}

void noSriovMembers(const Element &team, RuleContext &ctx, FindingSink &out)
{
    for (const Element *m : members(team, ctx))
        if (m->kind == K::PhysicalNic && flag(*m, key::sriov))
            out.add(
                QStringLiteral("%1 is SR-IOV enabled and a member of %2: SR-IOV traffic bypasses "
                               "the virtual switch, so the team cannot protect it. Take the NIC "
                               "out of the team or turn SR-IOV off on it.")
                    .arg(label(*m), labelOnHost(team, ctx)),
                {m->id},
                setFix(QStringLiteral("Turn SR-IOV off on %1").arg(m->name()), m->id, key::sriov,
                       false));
}

void noIscsi(const Element &team, RuleContext &ctx, FindingSink &out)
{
    for (const Element *m : members(team, ctx))
        if (str(*m, key::role) == value::iscsi)
            out.add(QStringLiteral("%1 carries iSCSI and is a member of %2: iSCSI does not support "
                                   "NIC teaming; use separate NICs with MPIO.")
                        .arg(label(*m), labelOnHost(team, ctx)),
                    {m->id});
    for (const Element *sw : ctx.referrers(team.id, K::VirtualSwitch)) {
        for (const Element *v : ctx.referrers(sw->id, K::VirtualNic))
            if (str(*v, key::trafficRole) == value::iscsi)
                out.add(QStringLiteral("%1 carries iSCSI over %2, which sits on %3: iSCSI must not "
                                       "run over a team; give it its own NICs and switches (MPIO).")
                            .arg(vnicLabel(*v, ctx), label(*sw), label(team)),
                        {v->id, sw->id});
    }
}

// The physical switch port a NIC is cabled to, if any.
const Element *cabledPort(const Element &nic, RuleContext &ctx)
{
    for (const Element *link : ctx.referrers(nic.id, K::Link)) {
        const QString other =
            str(*link, key::a) == nic.id ? str(*link, key::b) : str(*link, key::a);
        const Element *port = ctx.find(other);
        if (port && port->kind == K::SwitchPort)
            return port;
    }
    return nullptr;
}

void switchDependentCabling(const Element &team, RuleContext &ctx, FindingSink &out)
{
    const QString mode = str(team, key::mode);
    if (mode != value::static_ && mode != value::lacp)
        return;
    QSet<QString> places; // physical switch stack (or switch id when not stacked)
    QSet<double> channels;
    bool complete = true;
    std::vector<const Element *> involved;
    for (const Element *m : members(team, ctx)) {
        const Element *port = m->kind == K::PhysicalNic ? cabledPort(*m, ctx) : nullptr;
        if (!port) {
            out.add(
                QStringLiteral("%1 is in %2 mode but member %3 is not cabled to a physical switch "
                               "port; switch-dependent teams need every member cabled to the "
                               "same switch (or stack).")
                    .arg(labelOnHost(team, ctx), mode, m->name()),
                {m->id});
            complete = false;
            continue;
        }
        const Element *sw = ctx.owner(*port);
        const QString stack = sw ? str(*sw, key::stack) : QString();
        places.insert(stack.isEmpty() ? port->parent : QStringLiteral("stack:") + stack);
        channels.insert(number(*port, key::portChannel, -1));
        involved.push_back(m);
        involved.push_back(port);
        const QString channelMode = str(*port, key::channelMode);
        const bool matches = mode == value::lacp ? channelMode == value::lacpActive ||
                                                       channelMode == value::lacpPassive
                                                 : channelMode == value::static_;
        if (!has(*port, key::portChannel) || !matches)
            out.add(QStringLiteral(
                        "%1 is in %2 mode but port %3 (cabled to %4) is not in a port-channel "
                        "with %5 mode.")
                        .arg(labelOnHost(team, ctx), mode, port->name(), m->name(),
                             mode == value::lacp ? value::lacp : QStringLiteral("static")),
                    {m->id, port->id});
    }
    if (complete && places.size() > 1)
        out.add(QStringLiteral("%1 is in %2 mode but its members are cabled to different physical "
                               "switches; cable them to one switch (or stack).")
                    .arg(labelOnHost(team, ctx), mode),
                idsOf(involved));
    else if (complete && channels.size() > 1 && !channels.contains(-1))
        out.add(QStringLiteral("%1 is in %2 mode but its members' ports are in different "
                               "port-channels; put them in one.")
                    .arg(labelOnHost(team, ctx), mode),
                idsOf(involved));
}

void queueMode(const Element &team, RuleContext &ctx, FindingSink &out)
{
    // The choice is a Windows NIC setting; an Open vSwitch host has nothing to realize it with.
    const Element *host = ctx.hostOf(team);
    if (has(team, key::queueMode) || (host && str(*host, key::platform) == value::linuxOvs))
        return;
    const bool underSwitch = !ctx.referrers(team.id, K::VirtualSwitch).empty();
    const QString suggested = underSwitch ? value::dvmq : value::rss;
    out.add(
        QStringLiteral("%1 does not say whether its NIC queues serve RSS or dVMQ; a team uses one "
                       "of them (%2 for a team %3).")
            .arg(labelOnHost(team, ctx), suggested,
                 underSwitch ? QStringLiteral("under a virtual switch")
                             : QStringLiteral("used by the host")),
        {},
        setFix(QStringLiteral("Set queue mode to %1").arg(suggested), team.id, key::queueMode,
               suggested));
}

// The VLANs a vNIC carries: its access VLAN or its trunk's allowed ids.
QSet<int> vnicVlans(const Element &vnic)
{
    const QString mode = str(vnic, key::vlanMode);
    if (mode == value::access)
        return {int(number(vnic, key::accessVlan))};
    if (mode != value::trunk)
        return {};
    const QList<int> trunk = ints(vnic, key::trunkVlans);
    return QSet<int>(trunk.begin(), trunk.end());
}

// The host's VMs with a vNIC on one of `vlans`.
std::vector<const Element *> vmsOnVlans(const Element &host, const QSet<int> &vlans,
                                        RuleContext &ctx)
{
    std::vector<const Element *> out;
    for (const Element *vm : ctx.children(host.id, K::VirtualMachine))
        for (const Element *v : ctx.children(vm->id, K::VirtualNic))
            if (vnicVlans(*v).intersects(vlans)) {
                out.push_back(vm);
                break;
            }
    return out;
}

// Several VLAN team interfaces are a documented way for the host to segregate its own traffic
// (002 l.66); they are the wrong tool only when VMs on the host are meant to reach those VLANs.
void vlanInterfacesForVms(const Element &team, RuleContext &ctx, FindingSink &out)
{
    const Element *host = ctx.hostOf(team);
    if (!host || vlanInterfaces(team) < 2 || !ctx.referrers(team.id, K::VirtualSwitch).empty())
        return;
    QSet<int> vlans;
    for (const QJsonValue v : team.value(key::teamInterfaces).toArray())
        if (const int id = v.toObject().value(key::vlan).toInt(); id > 0)
            vlans.insert(id);
    const auto vms = vmsOnVlans(*host, vlans, ctx);
    if (vms.empty())
        return;
    out.add(QStringLiteral("%1 has %2 VLAN team interfaces while VM(s) %3 use those VLANs; to "
                           "reach VMs on different VLANs put a virtual switch on the team and set "
                           "the VLANs on the VMs' vNICs.")
                .arg(labelOnHost(team, ctx))
                .arg(vlanInterfaces(team))
                .arg(quotedNames(vms)),
            idsOf(vms));
}

void loadBalancingForWorkload(const Element &team, RuleContext &ctx, FindingSink &out)
{
    const Element *host = ctx.hostOf(team);
    if (!host)
        return;
    const QString workload = str(*host, key::workload);
    const QString lb = str(team, key::loadBalancing);
    if (workload == value::outboundHeavy && lb == value::hyperVPort)
        out.add(
            QStringLiteral("%1 uses Hyper-V Port load balancing but host '%2' declares heavy "
                           "outbound traffic: Address Hash spreads outbound traffic over all NICs.")
                .arg(label(team), host->name()),
            {host->id},
            setFix(QStringLiteral("Use Address Hash"), team.id, key::loadBalancing,
                   value::addressHash));
    else if (workload == value::manyVms && lb == value::addressHash)
        out.add(QStringLiteral(
                    "%1 uses Address Hash but host '%2' declares many VMs: Hyper-V Port "
                    "spreads VMs over the NICs and suits VMs that each need no more than one "
                    "NIC's speed.")
                    .arg(label(team), host->name()),
                {host->id},
                setFix(QStringLiteral("Use Hyper-V Port"), team.id, key::loadBalancing,
                       value::hyperVPort));
}

void oneInterfaceUnderSwitch(const Element &team, RuleContext &ctx, FindingSink &out)
{
    const auto switches = ctx.referrers(team.id, K::VirtualSwitch);
    const auto interfaces = team.value(key::teamInterfaces).toArray().size();
    if (!switches.empty() && (interfaces > 1 || vlanInterfaces(team) > 0))
        out.add(
            QStringLiteral("%1 is bound to %2 but exposes %3 team interface(s) with VLANs; a team "
                           "under a virtual switch exposes only the default, untagged interface. "
                           "Set VLANs on the switch's vNICs.")
                .arg(labelOnHost(team, ctx), label(*switches.front()))
                .arg(interfaces),
            {switches.front()->id});
}

void noHostVnicMembers(const Element &team, RuleContext &ctx, FindingSink &out)
{
    for (const Element *m : members(team, ctx))
        if (m->kind == K::VirtualNic)
            out.add(
                QStringLiteral("%1 lists %2 as a member: host (management-OS) vNICs cannot be team "
                               "members; team the physical NICs under the switch instead.")
                    .arg(labelOnHost(team, ctx), label(*m)),
                {m->id});
}

void switchEmbeddedTeam(const Element &team, RuleContext &ctx, FindingSink &out)
{
    if (!flag(team, key::switchEmbedded))
        return;
    QStringList problems;
    const auto nics = members(team, ctx);
    if (nics.empty() || nics.size() > 8)
        problems << QStringLiteral("has %1 members (1-8 allowed)").arg(nics.size());
    QSet<double> speeds;
    for (const Element *m : nics)
        speeds.insert(number(*m, key::speed, -1));
    if (speeds.size() > 1)
        problems << QStringLiteral("mixes NIC speeds (members must be identical)");
    if (has(team, key::mode) && str(team, key::mode) != value::switchIndependent)
        problems
            << QStringLiteral("uses %1 mode (Switch Independent only)").arg(str(team, key::mode));
    if (str(team, key::loadBalancing) == value::addressHash)
        problems << QStringLiteral("uses Address Hash (Hyper-V Port or Dynamic only)");
    if (has(team, key::standbyMember))
        problems << QStringLiteral("has a standby member (not supported)");
    if (!problems.isEmpty())
        out.add(QStringLiteral("Switch-embedded %1 %2.")
                    .arg(labelOnHost(team, ctx), problems.join(QStringLiteral("; "))));
}

// The vNICs a VM teams in the guest: its guestTeamMembers, or all its vNICs when only the older
// VM-wide guestTeam flag is on; none when it does not team.
std::vector<const Element *> guestTeamVnics(const Element &vm, RuleContext &ctx)
{
    if (has(vm, key::guestTeamMembers)) {
        std::vector<const Element *> out;
        for (const QString &id : ids(vm, key::guestTeamMembers))
            if (const Element *v = ctx.find(id))
                out.push_back(v);
        return out;
    }
    return flag(vm, key::guestTeam) ? ctx.children(vm.id, K::VirtualNic)
                                    : std::vector<const Element *>{};
}

bool teamsInGuest(const Element &vm)
{
    return has(vm, key::guestTeamMembers) || flag(vm, key::guestTeam);
}

void guestTeamVnicSettings(const Element &vm, RuleContext &ctx, FindingSink &out)
{
    for (const Element *v : guestTeamVnics(vm, ctx)) {
        if (flag(*v, key::macSpoofing) && flag(*v, key::allowTeaming))
            continue;
        out.add(QStringLiteral("VM '%1' teams its vNICs in the guest, but %2 does not allow MAC "
                               "spoofing and teaming; turn both on.")
                    .arg(vm.name(), label(*v)),
                {v->id},
                QuickFix{QStringLiteral("Allow MAC spoofing and teaming on %1").arg(v->name()),
                         {{v->id, key::macSpoofing, true}, {v->id, key::allowTeaming, true}}});
    }
}

void guestTeamDifferentSwitches(const Element &vm, RuleContext &ctx, FindingSink &out)
{
    QHash<QString, QString> seen; // switch -> first vNIC on it
    for (const Element *v : guestTeamVnics(vm, ctx)) {
        const QString sw = str(*v, key::switch_);
        if (sw.isEmpty())
            continue;
        if (seen.contains(sw))
            out.add(QStringLiteral(
                        "VM '%1' teams vNICs '%2' and '%3' on the same virtual switch; one NIC "
                        "failure takes both. Connect them to different external switches.")
                        .arg(vm.name(), ctx.find(seen.value(sw))->name(), v->name()),
                    {v->id, seen.value(sw), sw});
        else
            seen.insert(sw, v->id);
    }
}

void guestTeamShape(const Element &vm, RuleContext &ctx, FindingSink &out)
{
    if (!teamsInGuest(vm))
        return;
    const auto vnics = guestTeamVnics(vm, ctx);
    for (const Element *v : vnics)
        if (v->parent != vm.id)
            out.add(QStringLiteral("VM '%1' lists %2 as a guest-team member, but it is not one of "
                                   "the VM's vNICs.")
                        .arg(vm.name(), label(*v)),
                    {v->id});
    if (vnics.size() != 2)
        out.add(QStringLiteral("VM '%1' teams %2 vNICs in the guest; a guest team has exactly 2.")
                    .arg(vm.name())
                    .arg(vnics.size()));
    for (const Element *v : vnics) {
        const Element *sw = ctx.find(str(*v, key::switch_));
        if (!sw || str(*sw, key::type) != value::external)
            out.add(QStringLiteral(
                        "VM '%1' teams %2, which is not on an external virtual switch; guest "
                        "team members must be.")
                        .arg(vm.name(), label(*v)),
                    {v->id});
    }
}

} // namespace

// The team rule catalog, a declarative table:
// NOLINTNEXTLINE(readability-function-size)
void addTeamRules(std::vector<Rule> &out)
{
    out.push_back(rule("TEAM-001", Severity::Error, K::Team, "A team has 1 to 32 member NICs",
                       "NIC Teaming supports up to 32 NICs in a team.",
                       "000_acfab75fad698c3d.txt §1 l.101; 003_8b87448cefe986c9.txt §4.1.2 l.778; "
                       "004_7c35f0513785686e.txt \"NIC Teaming\"",
                       memberCount));
    out.push_back(
        rule("TEAM-002", Severity::Warning, K::Team, "A failover team needs at least two members",
             "A team protects against a NIC failure only when another member can take over. (A "
             "single NIC with VLAN team interfaces and no virtual switch is a documented way to "
             "segregate traffic by VLAN, not a failover team, and is not flagged.)",
             "000_acfab75fad698c3d.txt §1 l.85-95; 002_4fa7ab3843d54fef.txt l.66", singleMember));
    out.push_back(rule(
        "TEAM-003", Severity::Warning, K::Team, "Team members should be the same speed",
        "Mixing speeds in a team is not recommended: traffic hashed to the slower NIC is capped.",
        "000_acfab75fad698c3d.txt §1 l.85; 003_8b87448cefe986c9.txt §4.1.2", sameSpeed));
    out.push_back(rule(
        "TEAM-004", Severity::Error, K::Team, "SR-IOV NICs cannot be team members",
        "SR-IOV traffic bypasses the virtual switch, so a team under the switch cannot protect it.",
        "000_acfab75fad698c3d.txt §5; 002_4fa7ab3843d54fef.txt \"SR-IOV\"; "
        "003_8b87448cefe986c9.txt §4.1.4 note",
        noSriovMembers));
    out.push_back(
        rule("TEAM-005", Severity::Error, K::Team, "NICs carrying iSCSI must not be teamed",
             "iSCSI does not support NIC teaming; it uses MPIO for load balancing and failover.",
             "003_8b87448cefe986c9.txt §4.1.2 l.790-794, §4.3.2", noIscsi));
    out.push_back(
        rule("TEAM-006", Severity::Error, K::Team,
             "Switch-dependent teams: every member on one physical switch, in one port-channel",
             "Static and LACP teaming need the physical switch to treat the members' ports as one "
             "link: same switch (or stack), one port-channel with the matching mode.",
             "000_acfab75fad698c3d.txt §3; 002_4fa7ab3843d54fef.txt \"Teaming network cards\"",
             switchDependentCabling));
    out.push_back(rule("TEAM-007", Severity::Error, K::Team, "A team's queues serve RSS or dVMQ",
                       "A team's NIC queues serve either RSS (host traffic) or dVMQ (VM traffic); "
                       "the team must be set to one. (Hyper-V hosts: a linux-ovs host has no such "
                       "setting to realize.)",
                       "003_8b87448cefe986c9.txt §4.1.3 l.823-825", queueMode));
    out.push_back(
        rule("TEAM-008", Severity::Warning, K::Team,
             "Use a virtual switch, not VLAN team interfaces, for VMs",
             "Several VLAN team interfaces to reach VMs on different VLANs is the wrong tool; "
             "put a virtual switch on the team and set VLANs on the VMs' vNICs. (Flagged when VMs "
             "on the host use the team interfaces' VLANs: VLAN team interfaces for the host's own "
             "traffic are a documented use.)",
             "002_4fa7ab3843d54fef.txt \"Teaming network cards\" l.66-68", vlanInterfacesForVms));
    out.push_back(
        rule("TEAM-009", Severity::Info, K::Team, "Load balancing suits the host's workload",
             "Address Hash suits heavy outbound traffic (inbound uses one NIC); Hyper-V Port suits "
             "many VMs each needing no more than one NIC's speed.",
             "002_4fa7ab3843d54fef.txt l.62", loadBalancingForWorkload));
    out.push_back(
        rule("TEAM-010", Severity::Warning, K::Team,
             "A team under a virtual switch exposes one untagged interface",
             "A team bound to a virtual switch should only have one exposed team interface.",
             "Microsoft docs: BPA \"A team bound to a virtual switch should only have one exposed "
             "team interface\"",
             oneInterfaceUnderSwitch));
    out.push_back(rule("TEAM-011", Severity::Error, K::Team, "Host vNICs cannot be team members",
                       "Only physical NICs can be members of a host team.",
                       "Microsoft docs: NIC Teaming", noHostVnicMembers));
    out.push_back(rule(
        "SET-001", Severity::Error, K::Team,
        "Switch-embedded teams: 1-8 identical NICs, switch independent",
        "A SET team has 1-8 identical NICs, Switch Independent mode with Hyper-V Port or Dynamic "
        "load balancing, and no standby member. (Host QoS pacer policies are not modelled.)",
        "Microsoft docs: RDMA and Switch Embedded Teaming", switchEmbeddedTeam));
    out.push_back(rule("GTEAM-001", Severity::Error, K::VirtualMachine,
                       "Guest-teamed vNICs allow MAC spoofing and teaming",
                       "Each vNIC a VM teams inside the guest (its guest-team members) must allow "
                       "MAC spoofing and have AllowTeaming on; the VM's other vNICs need neither.",
                       "000_acfab75fad698c3d.txt §5 l.240-250; 002_4fa7ab3843d54fef.txt l.68",
                       guestTeamVnicSettings));
    out.push_back(rule(
        "GTEAM-002", Severity::Warning, K::VirtualMachine,
        "Guest team members on different switches",
        "The vNICs of a guest team should connect to different external virtual switches, else one "
        "NIC failure takes both.",
        "000_acfab75fad698c3d.txt §2", guestTeamDifferentSwitches));
    out.push_back(rule("GTEAM-003", Severity::Error, K::VirtualMachine,
                       "A guest team has exactly 2 vNICs on external switches",
                       "Teaming inside a VM is supported with exactly two member vNICs, both on "
                       "external switches, in Switch Independent mode with Address Hash. The VM "
                       "may have further vNICs outside the team (iSCSI paths with MPIO).",
                       "Microsoft docs: NIC Teaming (teaming in VMs)", guestTeamShape));
}

} // namespace converge::core::rules
