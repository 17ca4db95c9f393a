// A vNIC's VLAN modes: PVLAN pairs and consistency, trunk mode; 003 §4.1 (trunk mode); 004
// "Virtual Network Isolation" l.4200-4240; Microsoft docs (Hyper-V Best Practices Analyzer).
#include "../catalog.h"
#include "rulehelpers.h"
#include "vlanpaths.h"

#include <map>
#include <set>

namespace converge::core::rules {

namespace {

using K = ElementKind;

// --- VLAN-003: PVLAN pairs, modes and who an isolated or community port can reach.

bool isPvlan(const Element &vnic)
{
    return str(vnic, key::vlanMode) == value::pvlan;
}

// A promiscuous port reaches every port of its primary VLAN; a community port reaches its own
// community and the promiscuous ports; an isolated port only the promiscuous ports (004
// l.4206-4226).
bool reaches(const Element &from, const Element &to)
{
    const QString fromMode = str(from, key::pvlanMode);
    const QString toMode = str(to, key::pvlanMode);
    if (fromMode == value::promiscuous || toMode == value::promiscuous)
        return true;
    return fromMode == value::community && toMode == value::community &&
           number(from, key::pvlanSecondary, -1) == number(to, key::pvlanSecondary, -2);
}

void pvlanPair(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    if (!isPvlan(vnic))
        return;
    QStringList missing;
    if (!has(vnic, key::pvlanPrimary))
        missing << QStringLiteral("primary VLAN");
    if (!has(vnic, key::pvlanSecondary))
        missing << QStringLiteral("secondary VLAN");
    if (!has(vnic, key::pvlanMode))
        missing << QStringLiteral("PVLAN mode");
    if (!missing.isEmpty()) {
        out.add(
            QStringLiteral("%1 is in PVLAN mode but has no %2; a PVLAN port needs a primary and "
                           "secondary VLAN pair and a mode (isolated, community or promiscuous).")
                .arg(vnicLabel(vnic, ctx), missing.join(QStringLiteral(", "))));
        return;
    }
    const int primary = int(number(vnic, key::pvlanPrimary));
    if (primary == int(number(vnic, key::pvlanSecondary)))
        out.add(QStringLiteral("%1 has VLAN %2 as both PVLAN primary and secondary; the secondary "
                               "VLAN must differ from the primary.")
                    .arg(vnicLabel(vnic, ctx))
                    .arg(primary));
    const QString mode = str(vnic, key::pvlanMode);
    if (mode == value::promiscuous || !has(vnic, key::gateway))
        return;
    for (const Element *gw : ctx.withAddress(str(vnic, key::gateway))) {
        if (gw == &vnic || !isPvlan(*gw) || int(number(*gw, key::pvlanPrimary, -1)) != primary ||
            reaches(vnic, *gw))
            continue;
        out.add(QStringLiteral("%1 is a %2 PVLAN port of primary VLAN %3, but its default gateway "
                               "%4 is %5, a %6 port of the same PVLAN: %7. Make the gateway's port "
                               "promiscuous.")
                    .arg(vnicLabel(vnic, ctx), mode.toLower())
                    .arg(primary)
                    .arg(str(vnic, key::gateway), vnicLabel(*gw, ctx),
                         str(*gw, key::pvlanMode).toLower(),
                         mode == value::isolated
                             ? QStringLiteral("an isolated port only reaches promiscuous ports")
                             : QStringLiteral("a community port only reaches its own community "
                                              "and promiscuous ports")),
                {gw->id});
    }
}

// --- VLAN-004: trunk mode.

void trunkNative(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    if (str(vnic, key::vlanMode) != value::trunk)
        return;
    const QList<int> allowed = ints(vnic, key::trunkVlans);
    if (allowed.isEmpty()) {
        out.add(QStringLiteral("%1 is in trunk mode but allows no VLAN; list the VLANs it carries.")
                    .arg(vnicLabel(vnic, ctx)));
        return;
    }
    if (!has(vnic, key::nativeVlan))
        return;
    const int native = int(number(vnic, key::nativeVlan));
    if (allowed.contains(native))
        return;
    QJsonArray fixed;
    for (int v : allowed)
        fixed.append(v);
    fixed.append(native);
    out.add(
        QStringLiteral("%1 is in trunk mode with native VLAN %2, which is not among its allowed "
                       "%3; add it to the allowed VLANs or pick one of them as native.")
            .arg(vnicLabel(vnic, ctx))
            .arg(native)
            .arg(vlansText(allowed)),
        {},
        setFix(QStringLiteral("Allow native VLAN %1 on vNIC '%2'").arg(native).arg(vnic.name()),
               vnic.id, key::trunkVlans, fixed));
}

// --- VLAN-005: one primary and one mode per secondary VLAN on a switch.

void pvlanConsistency(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    struct Use
    {
        std::set<int> primaries;
        std::set<QString> modes; // isolated or community; a promiscuous port serves several
        std::vector<const Element *> vnics;
    };
    std::map<int, Use> bySecondary;
    std::map<int, std::vector<const Element *>> asPrimary;
    for (const Element *v : ctx.referrers(sw.id, K::VirtualNic)) {
        if (!isPvlan(*v) || !has(*v, key::pvlanPrimary))
            continue;
        if (!has(*v, key::pvlanSecondary))
            continue;
        if (number(*v, key::pvlanPrimary) != number(*v, key::pvlanSecondary)) // else VLAN-003's
            asPrimary[int(number(*v, key::pvlanPrimary))].push_back(v);
        Use &use = bySecondary[int(number(*v, key::pvlanSecondary))];
        use.primaries.insert(int(number(*v, key::pvlanPrimary)));
        if (has(*v, key::pvlanMode) && str(*v, key::pvlanMode) != value::promiscuous)
            use.modes.insert(str(*v, key::pvlanMode).toLower());
        use.vnics.push_back(v);
    }
    for (const auto &[secondary, use] : bySecondary) {
        QStringList problems;
        if (use.primaries.size() > 1)
            problems << QStringLiteral("it is paired with primary VLANs %1")
                            .arg(joinInts(QList<int>(use.primaries.begin(), use.primaries.end())));
        if (use.modes.size() > 1)
            problems << QStringLiteral("it is used in modes %1")
                            .arg(QStringList(use.modes.begin(), use.modes.end())
                                     .join(QStringLiteral(" and ")));
        std::vector<const Element *> involved = use.vnics;
        if (auto p = asPrimary.find(secondary); p != asPrimary.end()) {
            problems << QStringLiteral("it is also a primary VLAN");
            involved.insert(involved.end(), p->second.begin(), p->second.end());
        }
        if (problems.isEmpty())
            continue;
        QStringList names;
        for (const Element *v : involved)
            names << v->name();
        out.add(QStringLiteral(
                    "%1 has inconsistent PVLAN settings for secondary VLAN %2: %3 (vNICs %4). "
                    "A secondary VLAN belongs to one primary VLAN and one mode; make the "
                    "vNICs' PVLAN settings agree.")
                    .arg(labelOnHost(sw, ctx))
                    .arg(secondary)
                    .arg(problems.join(QStringLiteral("; ")), names.join(QStringLiteral(", "))),
                idsOf(involved));
    }
}

// --- VLAN-009: a PVLAN port on a linux-ovs host has the MAC address its realization needs.

// Open vSwitch keeps a secondary VLAN and its primary apart like any two VLANs; the agent's
// flows deliver between them by destination MAC (flows.h, pvlanForwarding). Without the vNIC's
// MAC only broadcasts would cross, so isolation would hold but unicast to or from it would not.
void pvlanMac(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    if (!isPvlan(vnic) || has(vnic, key::mac))
        return;
    const Element *host = ctx.hostOf(vnic);
    if (!host || str(*host, key::platform) != value::linuxOvs)
        return;
    out.add(QStringLiteral("%1 is a PVLAN port on linux-ovs host '%2' but has no MAC address; "
                           "Open vSwitch delivers between a PVLAN's secondary VLANs and its "
                           "primary by MAC, so set the vNIC's MAC.")
                .arg(vnicLabel(vnic, ctx), host->name()));
}

} // namespace

void addVlanModeRules(std::vector<Rule> &out)
{
    out.push_back(
        rule("VLAN-003", Severity::Error, K::VirtualNic,
             "A PVLAN port has a primary and a different secondary VLAN and a mode",
             "A PVLAN is a primary and secondary VLAN pair in promiscuous, community or "
             "isolated mode; isolated ports only reach promiscuous ports, community ports "
             "their community and promiscuous ports.",
             "004_7c35f0513785686e.txt \"Virtual Network Isolation\" l.4200-4240", pvlanPair));
    out.push_back(rule("VLAN-004", Severity::Error, K::VirtualNic,
                       "Trunk mode: the native VLAN is one of the allowed VLANs",
                       "Trunk mode lets a vNIC carry several VLANs: the allowed list, of which the "
                       "native VLAN is one.",
                       "003_8b87448cefe986c9.txt §4.1 (trunk mode)", trunkNative));
    out.push_back(
        rule("VLAN-005", Severity::Error, K::VirtualSwitch,
             "PVLAN settings on one virtual switch are consistent",
             "PVLAN configuration on a virtual switch must be consistent: a secondary VLAN "
             "belongs to one primary VLAN and one mode.",
             "Microsoft docs: BPA \"PVLAN configuration on a virtual switch must be "
             "consistent\"",
             pvlanConsistency));
    out.push_back(rule("VLAN-009", Severity::Error, K::VirtualNic,
                       "A PVLAN port on a linux-ovs host has a MAC address",
                       "Isolated and community ports carry their secondary VLAN on the wire, as "
                       "the PVLAN standard does; Open vSwitch crosses between the secondary "
                       "VLANs and the primary by destination MAC, so every PVLAN port it "
                       "realizes needs its MAC address, or unicast to it is lost.",
                       "004_7c35f0513785686e.txt \"Virtual Network Isolation\" l.4200-4240 "
                       "(PVLAN modes); Converge's Open vSwitch realization (docs/agent.md)",
                       pvlanMac));
}

} // namespace converge::core::rules
