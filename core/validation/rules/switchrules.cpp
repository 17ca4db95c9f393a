// Virtual switches: 003 §4.1 (switch types), §4.1.4 (SR-IOV); 002 "SR-IOV", "Extensible virtual
// switch"; 000 §4-§5.
#include "../catalog.h"
#include "core/model/limits.h"
#include "core/realize/portmasks.h"
#include "rulehelpers.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <map>

namespace converge::core::rules {

namespace {

using K = ElementKind;

bool isType(const Element &sw, QLatin1StringView type)
{
    return str(sw, key::type) == type;
}

QString typeWord(const Element &sw)
{
    return str(sw, key::type).toLower();
}

bool ownedBy(const Element &e, ElementKind kind, RuleContext &ctx)
{
    const Element *owner = ctx.owner(e);
    return owner && owner->kind == kind;
}

std::vector<const Element *> hostVnicsOn(const Element &sw, RuleContext &ctx)
{
    std::vector<const Element *> out;
    for (const Element *v : ctx.referrers(sw.id, K::VirtualNic))
        if (ownedBy(*v, K::Host, ctx))
            out.push_back(v);
    return out;
}

// VM vNICs asking for a virtual function (IOV weight above 0). Management-OS vNICs never get
// one: the physical function serves the management OS, virtual functions serve guests
// (003 §4.1.4).
std::vector<const Element *> sriovVmVnicsOn(const Element &sw, RuleContext &ctx)
{
    std::vector<const Element *> out;
    for (const Element *v : ctx.referrers(sw.id, K::VirtualNic))
        if (number(*v, key::sriovWeight) > 0 && ownedBy(*v, K::VirtualMachine, ctx))
            out.push_back(v);
    return out;
}

// A listed extension is in use unless it is explicitly disabled.
bool extensionEnabled(const QJsonObject &extension)
{
    return extension.value(key::enabled).toBool(true);
}

bool isForwarding(const QJsonObject &extension)
{
    return extension.value(key::kind).toString() == value::forwarding;
}

void uplinkByType(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    const bool hasUplink = has(sw, key::uplink);
    if (isType(sw, value::external) && !hasUplink) {
        out.add(QStringLiteral("%1 is external but has no uplink; an external switch uses exactly "
                               "one physical NIC or team. Choose its uplink.")
                    .arg(labelOnHost(sw, ctx)));
    } else if (!isType(sw, value::external) && hasUplink) {
        const Element *uplink = ctx.find(str(sw, key::uplink));
        out.add(QStringLiteral("%1 is %2 but has %3 as uplink; internal and private switches have "
                               "no connection to the physical network. Remove the uplink or make "
                               "the switch external.")
                    .arg(labelOnHost(sw, ctx), typeWord(sw),
                         uplink ? label(*uplink) : str(sw, key::uplink)),
                {str(sw, key::uplink)},
                setFix(QStringLiteral("Make %1 external").arg(label(sw)), sw.id, key::type,
                       value::external));
    }
}

// Private switches; external ones are VSW-011's, so that one defect is reported once.
void managementOsVnics(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    if (!isType(sw, value::private_))
        return;
    const auto vnics = hostVnicsOn(sw, ctx);
    if (!vnics.empty())
        out.add(QStringLiteral("%1 is private but the management OS has vNIC(s) %2 on it; a "
                               "private switch is isolated from the management OS. Make the "
                               "switch internal or move the vNICs to another switch.")
                    .arg(labelOnHost(sw, ctx), quotedNames(vnics)),
                idsOf(vnics),
                setFix(QStringLiteral("Make %1 internal").arg(label(sw)), sw.id, key::type,
                       value::internal));
    if (flag(sw, key::allowManagementOs))
        out.add(QStringLiteral("%1 is private but allows the management OS; a private switch "
                               "is isolated from the management OS. Turn 'allow management "
                               "OS' off or make the switch internal.")
                    .arg(labelOnHost(sw, ctx)),
                {},
                setFix(QStringLiteral("Turn 'allow management OS' off on %1").arg(label(sw)), sw.id,
                       key::allowManagementOs, false));
}

void oneForwardingExtension(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    QJsonArray extensions = sw.value(key::extensions).toArray();
    QStringList active;
    for (qsizetype i = 0; i < extensions.size(); ++i) {
        QJsonObject e = extensions.at(i).toObject();
        if (!isForwarding(e) || !extensionEnabled(e))
            continue;
        active << QLatin1Char('\'') + e.value(key::name).toString() + QLatin1Char('\'');
        if (active.size() > 1) { // the fix keeps the first one enabled
            e.insert(key::enabled, false);
            extensions.replace(i, e);
        }
    }
    if (active.size() < 2)
        return;
    out.add(QStringLiteral("%1 has %2 forwarding extensions enabled (%3); a virtual switch takes "
                           "only one. Disable all but one.")
                .arg(labelOnHost(sw, ctx))
                .arg(active.size())
                .arg(active.join(QStringLiteral(", "))),
            {},
            setFix(QStringLiteral("Keep only %1 enabled").arg(active.first()), sw.id,
                   key::extensions, extensions));
}

void sriovAtCreation(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    if (!flag(sw, key::sriov) || isType(sw, value::external))
        return;
    out.add(
        QStringLiteral("%1 is %2 with SR-IOV on; SR-IOV is chosen when an external switch is "
                       "created on an SR-IOV NIC, and an existing switch cannot be converted. "
                       "Turn SR-IOV off, or create an external switch for it.")
            .arg(labelOnHost(sw, ctx), typeWord(sw)),
        {},
        setFix(QStringLiteral("Turn SR-IOV off on %1").arg(label(sw)), sw.id, key::sriov, false));
}

void sriovUplink(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    if (!flag(sw, key::sriov) || !isType(sw, value::external))
        return;
    const Element *uplink = ctx.find(str(sw, key::uplink));
    if (!uplink)
        out.add(QStringLiteral("%1 has SR-IOV on but no uplink; it needs an SR-IOV capable "
                               "physical NIC as uplink.")
                    .arg(labelOnHost(sw, ctx)));
    else if (uplink->kind == K::Team)
        out.add(QStringLiteral("%1 has SR-IOV on but its uplink is %2: SR-IOV traffic bypasses the "
                               "switch, so a team cannot carry it. Use one SR-IOV capable NIC as "
                               "uplink (guests can team vNICs on two such switches).")
                    .arg(labelOnHost(sw, ctx), label(*uplink)),
                {uplink->id});
    else if (!flag(*uplink, key::sriov))
        out.add(QStringLiteral("%1 has SR-IOV on but its uplink %2 is not SR-IOV capable; SR-IOV "
                               "needs support from the NIC, its firmware, the chipset and the "
                               "driver. Use an SR-IOV capable NIC as uplink.")
                    .arg(labelOnHost(sw, ctx), label(*uplink)),
                {uplink->id});
}

void virtualFunctionCount(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    if (!flag(sw, key::sriov))
        return;
    const Element *nic = ctx.find(str(sw, key::uplink));
    if (!nic || nic->kind != K::PhysicalNic || !flag(*nic, key::sriov) || !has(*nic, key::vfCount))
        return; // VSW-005 covers uplinks that cannot do SR-IOV at all
    const auto vnics = sriovVmVnicsOn(sw, ctx);
    const int vfs = int(number(*nic, key::vfCount));
    const int wanted = int(vnics.size());
    if (wanted <= vfs)
        return;
    out.add(QStringLiteral("%1 gives SR-IOV (IOV weight above 0) to %2 VM vNICs but its uplink %3 "
                           "has %4 virtual functions. Set IOV weight 0 on %5 of them or use a NIC "
                           "with more virtual functions.")
                .arg(labelOnHost(sw, ctx))
                .arg(wanted)
                .arg(label(*nic))
                .arg(vfs)
                .arg(wanted - vfs),
            QStringList{nic->id} + idsOf(vnics));
}

// What a vNIC sets that SR-IOV traffic would skip, in the words of the message.
QStringList bypassedSettings(const Element &vnic, const Element &sw)
{
    QStringList out;
    if (!vnic.value(key::acls).toArray().isEmpty())
        out << QStringLiteral("port ACLs");
    for (const QJsonValue v : sw.value(key::extensions).toArray()) {
        if (extensionEnabled(v.toObject())) {
            out << QStringLiteral("the switch's extensions");
            break;
        }
    }
    if (has(vnic, key::minimumBandwidthAbsolute) || number(vnic, key::minimumBandwidthWeight) > 0 ||
        has(vnic, key::maximumBandwidth))
        out << QStringLiteral("bandwidth policies");
    const QString mirroring = str(vnic, key::mirroringRole);
    if (!mirroring.isEmpty() && mirroring != value::none)
        out << QStringLiteral("port mirroring");
    return out;
}

void sriovBypassesPolicies(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    if (number(vnic, key::sriovWeight) <= 0 || !ownedBy(vnic, K::VirtualMachine, ctx))
        return;
    const Element *sw = ctx.find(str(vnic, key::switch_));
    if (!sw || !flag(*sw, key::sriov))
        return;
    const QStringList bypassed = bypassedSettings(vnic, *sw);
    if (bypassed.isEmpty())
        return;
    out.add(QStringLiteral("%1 uses SR-IOV on %2, so its traffic bypasses the switch and %3 do not "
                           "apply to it. Remove them, or turn SR-IOV off on the vNIC (IOV weight "
                           "0).")
                .arg(vnicLabel(vnic, ctx), label(*sw), bypassed.join(QStringLiteral(", "))),
            {sw->id},
            setFix(QStringLiteral("Turn SR-IOV off on %1").arg(label(vnic)), vnic.id,
                   key::sriovWeight, 0));
}

void sharedUplink(const Element &sw, const Element &uplink, RuleContext &ctx, FindingSink &out)
{
    const auto users = ctx.referrers(uplink.id, K::VirtualSwitch);
    if (users.size() < 2)
        return;
    // Pairwise: reported once, by the switch whose id sorts first.
    const auto first = std::ranges::min(users, {}, &Element::id);
    if (first->id != sw.id)
        return;
    std::vector<const Element *> others;
    for (const Element *u : users)
        if (u != &sw)
            others.push_back(u);
    out.add(QStringLiteral("%1 is the uplink of %2 and of virtual switch(es) %3; a NIC or team is "
                           "the uplink of one virtual switch only. Give each switch its own "
                           "uplink.")
                .arg(labelOnHost(uplink, ctx), label(sw), quotedNames(others)),
            QStringList{uplink.id} + idsOf(others));
}

void teamMemberAlone(const Element &sw, const Element &nic, RuleContext &ctx, FindingSink &out)
{
    const auto teams = ctx.referrers(nic.id, K::Team);
    if (teams.empty())
        return;
    std::optional<QuickFix> fix;
    if (teams.size() == 1 && ctx.referrers(teams.front()->id, K::VirtualSwitch).empty())
        fix = setFix(
            QStringLiteral("Use %1 as the uplink of %2").arg(label(*teams.front()), label(sw)),
            sw.id, key::uplink, teams.front()->id);
    out.add(QStringLiteral("%1 uses %2 alone as its uplink, but the NIC is a member of team(s) %3; "
                           "a team member is not used on its own. Use the team as the uplink or "
                           "take the NIC out of the team.")
                .arg(labelOnHost(sw, ctx), label(nic), quotedNames(teams)),
            QStringList{nic.id} + idsOf(teams), fix);
}

void oneSwitchPerUplink(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    const Element *uplink = ctx.find(str(sw, key::uplink));
    if (!uplink)
        return;
    sharedUplink(sw, *uplink, ctx, out);
    if (uplink->kind == K::PhysicalNic)
        teamMemberAlone(sw, *uplink, ctx, out);
}

void sameHost(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    const Element *host = ctx.hostOf(sw);
    if (const Element *uplink = ctx.find(str(sw, key::uplink));
        uplink && ctx.hostOf(*uplink) != host)
        out.add(QStringLiteral("%1 uses %2 as uplink; a virtual switch belongs to one host and can "
                               "only use that host's NICs and teams.")
                    .arg(labelOnHost(sw, ctx), labelOnHost(*uplink, ctx)),
                {uplink->id});
    for (const Element *v : ctx.referrers(sw.id, K::VirtualNic))
        if (ctx.hostOf(*v) != host)
            out.add(QStringLiteral("%1 is connected to %2; virtual switches are not distributed, "
                                   "so a vNIC connects to a switch of its own host.")
                        .arg(vnicLabel(*v, ctx), labelOnHost(sw, ctx)),
                    {v->id});
}

QString canonicalMac(const QString &mac)
{
    QString out = mac.toUpper();
    out.remove(QLatin1Char('-'));
    out.remove(QLatin1Char(':'));
    return out;
}

void uniqueMacs(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    std::map<QString, std::vector<const Element *>> byMac; // sorted: deterministic findings
    for (const Element *v : ctx.referrers(sw.id, K::VirtualNic))
        if (has(*v, key::mac))
            byMac[canonicalMac(str(*v, key::mac))].push_back(v);
    for (const auto &[mac, vnics] : byMac) {
        if (vnics.size() < 2)
            continue;
        QStringList labels;
        for (const Element *v : vnics)
            labels << vnicLabel(*v, ctx);
        out.add(QStringLiteral("%1 connects %2 with the same MAC address %3; each vNIC has its own "
                               "MAC address. Give them different ones.")
                    .arg(labelOnHost(sw, ctx), labels.join(QStringLiteral(" and ")),
                         str(*vnics.front(), key::mac)),
                idsOf(vnics));
    }
}

// --- VSW-012: Converge's Open vSwitch realization (docs/agent.md "Port ACLs as flows") turns a
// switch into one bridge whose flow table holds at most maxBridgeFlows flows; the agent refuses
// a bigger one. Its ACLs are what can make it that big, so they are counted.

// The flows of one vNIC's ACLs: "Both" is one ACL per direction (portsettings.cpp).
qsizetype aclFlows(const Element &vnic)
{
    qsizetype n = 0;
    for (const QJsonValue v : vnic.value(key::acls).toArray()) {
        const QJsonObject acl = v.toObject();
        const auto ports = [&](QLatin1StringView key) {
            QList<int> out;
            for (const QJsonValue p : acl.value(key).toArray())
                out << p.toInt();
            return out;
        };
        const int directions = acl.value(key::direction).toString() == value::both ? 2 : 1;
        n += directions * realize::aclFlowCount(ports(key::localPorts), ports(key::remotePorts));
    }
    return n;
}

static_assert(maxBridgeFlows == 50000, "VSW-012's rationale names the limit");

void flowTableLimit(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    const Element *host = ctx.hostOf(sw);
    if (!host || str(*host, key::platform) != value::linuxOvs)
        return;
    qsizetype total = 0, most = 0;
    const Element *largest = nullptr;
    for (const Element *v : ctx.referrers(sw.id, K::VirtualNic)) {
        const qsizetype n = aclFlows(*v);
        total += n;
        if (n > most)
            most = n, largest = v;
    }
    if (total <= maxBridgeFlows || !largest)
        return;
    out.add(QStringLiteral("The ACLs of the vNICs on %1 need %2 OpenFlow flows, more than the %3 "
                           "one Open vSwitch bridge may hold, so the agent refuses to deploy it "
                           "(%4 alone needs %5). Give ports as contiguous ranges (a range is a "
                           "few masked flows, scattered ports one flow each) or spread the vNICs "
                           "over more switches.")
                .arg(labelOnHost(sw, ctx))
                .arg(total)
                .arg(maxBridgeFlows)
                .arg(vnicLabel(*largest, ctx))
                .arg(most),
            {largest->id});
}

// The choice made when an external switch is created (003 §4.1 l.678-684); absent means its
// default, on.
void managementOsAllowed(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    if (str(sw, key::type) != value::external || !has(sw, key::allowManagementOs) ||
        flag(sw, key::allowManagementOs))
        return;
    for (const Element *v : ctx.referrers(sw.id, K::VirtualNic)) {
        const Element *owner = ctx.owner(*v);
        if (!owner || owner->kind != K::Host)
            continue;
        out.add(QStringLiteral("%1 is a management-OS vNIC on %2, which does not allow the "
                               "management OS to share its uplink. Allow management OS on the "
                               "switch, or move the vNIC.")
                    .arg(vnicLabel(*v, ctx), label(sw)),
                {v->id},
                setFix(QStringLiteral("Allow the management OS on %1").arg(label(sw)), sw.id,
                       key::allowManagementOs, true));
    }
}

// Limits of Converge's own realization, not the vendor's (VSW-012).
void addRealizationLimits(std::vector<Rule> &out)
{
    out.push_back(rule(
        "VSW-012", Severity::Error, K::VirtualSwitch,
        "A linux-ovs switch's ACLs fit one bridge's flow table",
        "Open vSwitch realizes a switch as one bridge and its port ACLs as OpenFlow flows (a port "
        "range as a few masked matches, local and remote lists as a conjunctive match); the "
        "agent refuses a bridge whose table would exceed 50,000 flows, so planning and applying "
        "stay bounded.",
        "Converge's Open vSwitch realization (docs/agent.md \"Port ACLs as flows\"); "
        "ovs-fields(7) \"Conjunctive Match Fields\"",
        flowTableLimit));
}

} // namespace

void addSwitchRules(std::vector<Rule> &out)
{
    out.push_back(rule("VSW-011", Severity::Error, K::VirtualSwitch,
                       "Management-OS vNICs need the management OS allowed on an external switch",
                       "An external switch carries management-OS vNICs only when the management "
                       "OS is allowed to share its uplink, a choice made when the switch is "
                       "created and on by default (absent: on).",
                       "003_8b87448cefe986c9.txt §4.1 l.678-684, §4.3.1", managementOsAllowed));
    out.push_back(rule(
        "VSW-001", Severity::Error, K::VirtualSwitch,
        "External switches have exactly one uplink; internal and private switches none",
        "An external virtual switch connects its vNICs to the physical network through one "
        "physical "
        "NIC (or team); internal and private switches have no connection to the physical network.",
        "003_8b87448cefe986c9.txt §4.1 (switch types), Table 5 prose", uplinkByType));
    out.push_back(rule(
        "VSW-002", Severity::Error, K::VirtualSwitch,
        "Management-OS vNICs only on switches that allow them",
        "A private switch is not connected to the management OS; an internal switch allows a vNIC "
        "connection from the management OS. (Table 5 swaps the internal and private cells; the "
        "prose is right. External switches: VSW-011.)",
        "003_8b87448cefe986c9.txt §4.1 l.678-711", managementOsVnics));
    out.push_back(rule(
        "VSW-003", Severity::Error, K::VirtualSwitch,
        "At most one forwarding extension per virtual switch",
        "There can only be one network forwarding extension in each virtual switch; only one can "
        "be enabled on a switch instance. A listed extension counts unless it is disabled.",
        "002_4fa7ab3843d54fef.txt \"Extensible virtual switch\" l.78; Microsoft docs: Reordering "
        "Hyper-V Extensible Switch Extensions",
        oneForwardingExtension));
    out.push_back(rule(
        "VSW-004", Severity::Error, K::VirtualSwitch,
        "SR-IOV is chosen when an external switch is created",
        "SR-IOV is selected when a new external virtual switch is created; a normal switch cannot "
        "be "
        "converted later, so changing it on a deployed switch re-creates the switch. (The design "
        "check covers internal and private switches; the deploy plan shows the re-creation.)",
        "002_4fa7ab3843d54fef.txt \"SR-IOV\" l.14-18", sriovAtCreation));
    out.push_back(
        rule("VSW-005", Severity::Error, K::VirtualSwitch,
             "An SR-IOV switch needs an SR-IOV capable uplink NIC",
             "SR-IOV requires support from the network adapter, firmware, system chipset and "
             "driver, and "
             "SR-IOV traffic cannot be protected by a NIC team under the switch.",
             "000_acfab75fad698c3d.txt §4-§5 l.206-213; 002_4fa7ab3843d54fef.txt \"SR-IOV\"",
             sriovUplink));
    out.push_back(rule(
        "VSW-006", Severity::Error, K::VirtualSwitch,
        "SR-IOV vNICs on a switch do not exceed the uplink's virtual functions",
        "Each VM vNIC using SR-IOV takes one virtual function of the NIC; cards offer 4, 8, 64 and "
        "up to 256 of them depending on the hardware.",
        "002_4fa7ab3843d54fef.txt \"SR-IOV\" l.14; 003_8b87448cefe986c9.txt §4.1.4 l.935",
        virtualFunctionCount));
    out.push_back(rule(
        "VSW-007", Severity::Warning, K::VirtualNic,
        "Switch policies do not apply to a vNIC that uses SR-IOV",
        "If port ACLs, extensions or policies are configured in the virtual switch, SR-IOV traffic "
        "does not get them because it bypasses the switch. (Policies read as bandwidth and "
        "port-mirroring settings; DHCP and router guard are left to SEC-001/SEC-002.)",
        "002_4fa7ab3843d54fef.txt \"SR-IOV\" l.20", sriovBypassesPolicies));
    out.push_back(rule("VSW-008", Severity::Error, K::VirtualSwitch,
                       "A NIC or team is the uplink of one switch; team members are not used alone",
                       "An external virtual switch is bound to its own physical NIC or team; a NIC "
                       "placed in a team "
                       "belongs to the team.",
                       "003_8b87448cefe986c9.txt §4.1, §4.3", oneSwitchPerUplink));
    out.push_back(rule("VSW-009", Severity::Error, K::VirtualSwitch,
                       "A virtual switch and its uplink and vNICs are on one host",
                       "Virtual switches are unique to a host and are not distributed.",
                       "003_8b87448cefe986c9.txt §4.1 l.652", sameHost));
    out.push_back(rule("VSW-010", Severity::Error, K::VirtualSwitch,
                       "vNICs on one virtual switch have distinct MAC addresses",
                       "Each vNIC connected to a virtual switch has its own unique MAC address.",
                       "003_8b87448cefe986c9.txt §4.1 l.664", uniqueMacs));
    addRealizationLimits(out);
}

} // namespace converge::core::rules
