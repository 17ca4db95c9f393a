// iSCSI storage networks: 003 §4.1.2, §4.2.4 "Special Network Consideration for iSCSI"
// (Security), §4.3.1 (basic configuration, Table 8), §4.3.2.
#include "../catalog.h"
#include "rulehelpers.h"

#include "../../util/ipaddress.h"

#include <set>

namespace converge::core::rules {

namespace {

using K = ElementKind;

bool isIscsi(const Element &e, QLatin1StringView roleKey)
{
    return str(e, roleKey) == value::iscsi;
}

// Traffic of the LAN side: what iSCSI must be kept apart from.
bool isLanSide(const QString &role)
{
    static const QStringList lan{value::lan, value::management, value::liveMigration,
                                 value::cluster, value::tenant};
    return lan.contains(role);
}

// "'SAN1', 'SAN2'", the first few names of a long list.
QString nameList(const std::vector<const Element *> &elements)
{
    constexpr std::size_t shown = 5;
    QStringList names;
    for (std::size_t i = 0; i < elements.size() && i < shown; ++i)
        names << QLatin1Char('\'') + elements[i]->name() + QLatin1Char('\'');
    if (elements.size() > shown)
        names << QStringLiteral("and %1 more").arg(elements.size() - shown);
    return names.join(QStringLiteral(", "));
}

// The physical NICs under an external switch: its uplink NIC or the uplink team's members.
std::vector<const Element *> uplinkNics(const Element &sw, RuleContext &ctx)
{
    if (str(sw, key::type) != value::external)
        return {};
    const Element *uplink = ctx.find(str(sw, key::uplink));
    if (!uplink)
        return {};
    if (uplink->kind == K::PhysicalNic)
        return {uplink};
    std::vector<const Element *> out;
    for (const QString &id : ids(*uplink, key::members))
        if (const Element *m = ctx.find(id); m && m->kind == K::PhysicalNic)
            out.push_back(m);
    return out;
}

// --- ISCSI-001: iSCSI has its own virtual switches and physical NICs.

void iscsiIsolation(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    std::vector<const Element *> storage;
    std::vector<const Element *> lan;
    for (const Element *v : ctx.referrers(sw.id, K::VirtualNic)) {
        if (isIscsi(*v, key::trafficRole))
            storage.push_back(v);
        else if (isLanSide(str(*v, key::trafficRole)))
            lan.push_back(v);
    }
    if (!storage.empty() && !lan.empty()) {
        QStringList involved = idsOf(storage) + idsOf(lan);
        out.add(QStringLiteral("%1 carries iSCSI vNICs (%2) and LAN-side vNICs (%3); iSCSI traffic "
                               "must be isolated from LAN traffic. Give the iSCSI vNICs their own "
                               "virtual switches and physical NICs.")
                    .arg(labelOnHost(sw, ctx), nameList(storage), nameList(lan)),
                involved);
    }
    for (const Element *nic : uplinkNics(sw, ctx)) {
        const QString role = str(*nic, key::role);
        if (!storage.empty() && isLanSide(role))
            out.add(
                QStringLiteral("%1 carries iSCSI vNICs (%2) over NIC '%3', a %4 NIC; iSCSI uses "
                               "its own physical NICs. Put the iSCSI vNICs on a switch over a "
                               "dedicated iSCSI NIC.")
                    .arg(labelOnHost(sw, ctx), nameList(storage), nic->name(), role),
                QStringList{nic->id} + idsOf(storage));
        if (!lan.empty() && role == value::iscsi)
            out.add(QStringLiteral("%1 carries LAN-side vNICs (%2) over iSCSI NIC '%3'; keep LAN "
                                   "traffic off the iSCSI NICs.")
                        .arg(labelOnHost(sw, ctx), nameList(lan), nic->name()),
                    QStringList{nic->id} + idsOf(lan));
    }
}

// --- ISCSI-002: two or more paths, each its own NIC and switch; MPIO where several are used.

struct OsPaths
{
    const Element *mpioHolder;          // the host (management OS) or the VM
    std::vector<const Element *> vnics; // its iSCSI vNICs
    std::set<QString> paths;            // iSCSI switches, and NICs used directly
};

// "the management OS of host 'hv1'", "VM 'vm1' on host 'hv1'".
QString osLabel(const Element &holder, RuleContext &ctx)
{
    if (holder.kind == K::Host)
        return QStringLiteral("the management OS of host '%1'").arg(holder.name());
    const Element *host = ctx.hostOf(holder);
    return QStringLiteral("VM '%1' on host '%2'")
        .arg(holder.name(), host ? host->name() : QString());
}

void checkOsPaths(const OsPaths &os, bool hostHasTwoNics, const QStringList &lead, RuleContext &ctx,
                  FindingSink &out)
{
    if (os.paths.empty())
        return;
    const QStringList involved = lead + idsOf(os.vnics);
    if (os.paths.size() == 1) {
        if (hostHasTwoNics) // else the host finding says it: a second path needs a second NIC
            out.add(QStringLiteral("%1 reaches iSCSI storage over one path only; iSCSI needs two "
                                   "or more paths, each over its own NIC and virtual switch, with "
                                   "MPIO. Add a vNIC on a second iSCSI switch.")
                        .arg(osLabel(*os.mpioHolder, ctx)),
                    involved);
        return;
    }
    if (!flag(*os.mpioHolder, key::mpio))
        out.add(
            QStringLiteral("%1 uses %2 iSCSI paths but has no MPIO; multipath I/O is needed for "
                           "storage load balancing and failover across them. Install MPIO.")
                .arg(osLabel(*os.mpioHolder, ctx))
                .arg(os.paths.size()),
            involved,
            setFix(QStringLiteral("Install MPIO in %1").arg(osLabel(*os.mpioHolder, ctx)),
                   os.mpioHolder->id, key::mpio, true));
}

void collectIscsiVnics(OsPaths &os, const std::vector<const Element *> &vnics)
{
    for (const Element *v : vnics)
        if (isIscsi(*v, key::trafficRole)) {
            os.vnics.push_back(v);
            if (has(*v, key::switch_))
                os.paths.insert(str(*v, key::switch_));
        }
}

void iscsiPaths(const Element &host, RuleContext &ctx, FindingSink &out)
{
    std::set<QString> iscsiNics;
    OsPaths mgmt{&host, {}, {}};
    for (const Element *nic : ctx.children(host.id, K::PhysicalNic)) {
        if (!isIscsi(*nic, key::role))
            continue;
        iscsiNics.insert(nic->id);
        if (ctx.referrers(nic->id, K::VirtualSwitch).empty() &&
            ctx.referrers(nic->id, K::Team).empty())
            mgmt.paths.insert(nic->id); // used by the management OS directly
    }
    collectIscsiVnics(mgmt, ctx.children(host.id, K::VirtualNic));
    std::vector<OsPaths> guests;
    for (const Element *vm : ctx.children(host.id, K::VirtualMachine)) {
        OsPaths os{vm, {}, {}};
        collectIscsiVnics(os, ctx.children(vm->id, K::VirtualNic));
        guests.push_back(std::move(os));
    }
    std::set<QString> iscsiSwitches = mgmt.paths;
    for (const OsPaths &os : guests)
        iscsiSwitches.insert(os.paths.begin(), os.paths.end());
    for (const QString &id : iscsiSwitches)
        if (const Element *sw = ctx.find(id); sw && sw->kind == K::VirtualSwitch)
            for (const Element *nic : uplinkNics(*sw, ctx))
                iscsiNics.insert(nic->id);
    const bool usesIscsi =
        !iscsiNics.empty() || !mgmt.vnics.empty() ||
        std::ranges::any_of(guests, [](const OsPaths &os) { return !os.vnics.empty(); });
    const bool twoNics = iscsiNics.size() >= 2;
    if (usesIscsi && !twoNics)
        out.add(
            QStringLiteral("Host '%1' carries iSCSI over %2 physical NIC(s); iSCSI needs two or "
                           "more dedicated NICs, each with its own virtual switch, used with "
                           "MPIO.")
                .arg(host.name())
                .arg(iscsiNics.size()),
            QStringList(iscsiNics.begin(), iscsiNics.end()));
    checkOsPaths(mgmt, twoNics, {}, ctx, out);
    for (const OsPaths &os : guests)
        checkOsPaths(os, twoNics, {os.mpioHolder->id}, ctx, out);
}

// --- ISCSI-003, ISCSI-005: SAN vNICs are not routed, so the portals are on their subnet.

void noGateway(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    if (!isIscsi(vnic, key::trafficRole) || !has(vnic, key::gateway))
        return;
    out.add(QStringLiteral("%1 carries iSCSI and has default gateway %2; SAN vNICs have no default "
                           "gateway, only the LAN vNIC routes out. Remove the gateway.")
                .arg(vnicLabel(vnic, ctx), str(vnic, key::gateway)),
            {},
            setFix(QStringLiteral("Remove the gateway of vNIC '%1'").arg(vnic.name()), vnic.id,
                   key::gateway, QJsonValue(QJsonValue::Undefined)));
}

struct Portal
{
    IpAddress address;
    const Element *target;
};

std::vector<Portal> portals(RuleContext &ctx)
{
    std::vector<Portal> out;
    for (const Element *t : ctx.all(K::StorageTarget))
        for (const QString &p : ids(*t, key::portals))
            if (auto a = IpAddress::parse(p))
                out.push_back({*a, t});
    return out;
}

void portalOnSubnet(const Element &vnic, const std::vector<Portal> &all, RuleContext &ctx,
                    FindingSink &out)
{
    if (!isIscsi(vnic, key::trafficRole) || has(vnic, key::gateway))
        return;
    QStringList networks;
    for (const QJsonValue v : vnic.value(key::addresses).toArray()) {
        const auto p = IpPrefix::parse(v.toString());
        if (!p)
            continue;
        for (const Portal &portal : all)
            if (p->contains(portal.address))
                return;
        const IpPrefix net = p->network();
        networks << net.address.toString() + QLatin1Char('/') + QString::number(net.length);
    }
    if (networks.isEmpty())
        return;
    QStringList targets;
    QStringList addresses;
    for (const Portal &portal : all) {
        if (!targets.contains(portal.target->id))
            targets << portal.target->id;
        addresses << portal.address.toString();
    }
    out.add(QStringLiteral("%1 carries iSCSI without a default gateway, so it reaches only %2, but "
                           "no portal of the storage targets (%3) is there. Address the vNIC in "
                           "the portals' subnet.")
                .arg(vnicLabel(vnic, ctx), networks.join(QStringLiteral(", ")),
                     addresses.join(QStringLiteral(", "))),
            QStringList{vnic.id} + targets);
}

// Anchored on the host: the targets are read once per host, the vNICs as ISCSI-002 reads them.
void portalsOnSubnets(const Element &host, RuleContext &ctx, FindingSink &out)
{
    const std::vector<Portal> all = portals(ctx);
    if (all.empty())
        return;
    for (const Element *v : ctx.children(host.id, K::VirtualNic))
        portalOnSubnet(*v, all, ctx, out);
    for (const Element *vm : ctx.children(host.id, K::VirtualMachine))
        for (const Element *v : ctx.children(vm->id, K::VirtualNic))
            portalOnSubnet(*v, all, ctx, out);
}

// --- ISCSI-004: CHAP.

void chap(const Element &target, RuleContext &, FindingSink &out)
{
    if (flag(target, key::chap))
        return;
    out.add(QStringLiteral("%1 does not require CHAP; use CHAP so the array verifies the identity "
                           "of the iSCSI hosts.")
                .arg(label(target)),
            {},
            setFix(QStringLiteral("Require CHAP on '%1'").arg(target.name()), target.id, key::chap,
                   true));
}

} // namespace

void addStorageRules(std::vector<Rule> &out)
{
    out.push_back(
        rule("ISCSI-001", Severity::Error, K::VirtualSwitch,
             "iSCSI is isolated from LAN traffic: its own NICs and virtual switches",
             "A security best practice for iSCSI SANs is to separate iSCSI data traffic "
             "from the normal LAN traffic with separate NICs on the host (and, in Hyper-V, "
             "their own virtual switches).",
             "003_8b87448cefe986c9.txt §4.2.4 \"Security\", §4.3.1", iscsiIsolation));
    out.push_back(
        rule("ISCSI-002", Severity::Warning, K::Host,
             "iSCSI uses two or more paths, each its own NIC and switch, with MPIO",
             "iSCSI traffic needs two or more dedicated NICs, each with its own virtual "
             "switch; an OS that uses more than one path needs MPIO for load balancing and "
             "failover.",
             "003_8b87448cefe986c9.txt §4.1.2, §4.3.1 l.1584", iscsiPaths));
    out.push_back(rule("ISCSI-003", Severity::Warning, K::VirtualNic,
                       "iSCSI vNICs have no default gateway",
                       "Only the LAN vNIC is configured with a default gateway; the SAN vNICs have "
                       "none, so their traffic is not routed outside the SAN.",
                       "003_8b87448cefe986c9.txt §4.3.1 Table 8 l.1607", noGateway));
    out.push_back(rule("ISCSI-004", Severity::Info, K::StorageTarget,
                       "Use CHAP between iSCSI hosts and arrays",
                       "CHAP verifies the identity of iSCSI hosts: host and storage system share a "
                       "secret.",
                       "003_8b87448cefe986c9.txt \"Security\"", chap));
    out.push_back(
        rule("ISCSI-005", Severity::Warning, K::Host,
             "An iSCSI vNIC without a gateway has a storage portal on its subnet",
             "SAN vNICs have no default gateway, so their traffic is not routable outside "
             "their own network: the storage portals must be on it.",
             "003_8b87448cefe986c9.txt §4.3.1 Table 8 l.1607-1610", portalsOnSubnets));
}

} // namespace converge::core::rules
