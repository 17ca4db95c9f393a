// Network virtualization (HNV / NVGRE overlays): 004_7c35f0513785686e.txt "Hyper-V Network
// Virtualization" l.932-1141, 002_4fa7ab3843d54fef.txt "VMM and network virtualization",
// Microsoft docs: Hyper-V Network Virtualization technical details.
#include "../../util/ipaddress.h"
#include "../catalog.h"
#include "rulehelpers.h"

#include <algorithm>

namespace converge::core::rules {

namespace {

using K = ElementKind;

constexpr double largestVsid = 16777215; // 24 bits

bool virtualized(const Element &vmNetwork)
{
    return str(vmNetwork, key::isolation) == value::networkVirtualization;
}

// A network-virtualized VM network's routing domain: its routingDomain, by default itself.
QString domainOf(const Element &vmNetwork)
{
    const QString named = str(vmNetwork, key::routingDomain);
    return named.isEmpty() ? vmNetwork.id : named;
}

QString domainText(const Element &vmNetwork)
{
    const QString named = str(vmNetwork, key::routingDomain);
    return named.isEmpty() ? QStringLiteral("the routing domain of %1").arg(label(vmNetwork))
                           : QStringLiteral("routing domain '%1'").arg(named);
}

// The network-virtualized VM network a vNIC's VM is on, if any (else: the physical network).
const Element *customerNetwork(const Element &vnic, RuleContext &ctx)
{
    const Element *vm = ctx.owner(vnic);
    if (!vm || vm->kind != K::VirtualMachine)
        return nullptr;
    const Element *net = ctx.find(str(*vm, key::vmNetwork));
    return net && virtualized(*net) ? net : nullptr;
}

std::vector<IpPrefix> customerPrefixes(const Element &vmNetwork)
{
    std::vector<IpPrefix> out;
    for (const QJsonValue v : vmNetwork.value(key::customerSubnets).toArray())
        if (auto p = IpPrefix::parse(v.toString()))
            out.push_back(*p);
    return out;
}

QString prefixText(const IpPrefix &p)
{
    return p.address.toString() + QLatin1Char('/') + QString::number(p.length);
}

void virtualSubnetId(const Element &net, RuleContext &, FindingSink &out)
{
    const double vsid = number(net, key::vsid);
    if (vsid > largestVsid)
        out.add(QStringLiteral("%1 has virtual subnet id %2, which does not fit the 24-bit VSID "
                               "(1-16777215). Pick a VSID in that range.")
                    .arg(label(net))
                    .arg(qint64(vsid)));
    else if (virtualized(net) && vsid == 0)
        out.add(QStringLiteral("%1 uses network virtualization but has no virtual subnet id: set "
                               "a VSID (1-16777215) so its traffic can be told apart from other "
                               "virtual networks'.")
                    .arg(label(net)));
}

void duplicateCustomerAddresses(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    if (!has(vnic, key::addresses))
        return;
    const Element *net = customerNetwork(vnic, ctx);
    if (!net)
        return; // the physical network: IP-001
    const QString domain = domainOf(*net);
    QStringList addresses = vnicAddresses(vnic);
    addresses.removeDuplicates();
    for (const QString &address : std::as_const(addresses)) {
        const auto others = clashingHolders(vnic, address, ctx, [&](const Element &o) {
            const Element *theirs = customerNetwork(o, ctx);
            return theirs && domainOf(*theirs) == domain;
        });
        if (others.empty())
            continue;
        QStringList names;
        for (const Element *o : others)
            names << vnicLabel(*o, ctx);
        out.add(QStringLiteral("%1 has customer address %2, also held by %3 in %4. Customer "
                               "addresses may repeat across VM networks but not within one "
                               "routing domain; give each VM its own address.")
                    .arg(vnicLabel(vnic, ctx), address, andList(names), domainText(*net)),
                idsOf(others));
    }
}

void needsProviderAddress(const Element &host, RuleContext &ctx, FindingSink &out)
{
    std::vector<const Element *> nets;
    for (const Element *vm : ctx.children(host.id, K::VirtualMachine)) {
        const Element *net = ctx.find(str(*vm, key::vmNetwork));
        if (net && virtualized(*net) && std::ranges::find(nets, net) == nets.end())
            nets.push_back(net);
    }
    if (nets.empty())
        return;
    std::ranges::sort(nets, {}, &Element::id);
    QStringList names;
    for (const Element *n : nets)
        names << label(*n);
    out.add(QStringLiteral("Host '%1' runs VMs on network-virtualized %2 but has no provider "
                           "address (PA): their traffic leaves the host encapsulated with the "
                           "host's PA. Set the host's provider address on the physical network.")
                .arg(host.name(), andList(names)),
            idsOf(nets));
}

bool onPhysicalNetwork(const Element &vnic, RuleContext &ctx)
{
    return !customerNetwork(vnic, ctx);
}

void providerAddress(const Element &host, RuleContext &ctx, FindingSink &out)
{
    const auto pa = IpPrefix::parse(str(host, key::providerAddress));
    if (!pa)
        return needsProviderAddress(host, ctx, out);
    const QString address = pa->address.toString();
    for (const Element *v : ctx.withAddress(address))
        if (onPhysicalNetwork(*v, ctx))
            out.add(QStringLiteral("Host '%1' has provider address %2, which %3 also uses on the "
                                   "physical network. Give the PA an address of its own.")
                        .arg(host.name(), address, vnicLabel(*v, ctx)),
                    {v->id});
    // Hosts are top-level; this runs only for hosts with a PA (network-virtualization designs).
    std::vector<const Element *> others;
    for (const Element *h : ctx.all(K::Host)) {
        const auto theirs = IpPrefix::parse(str(*h, key::providerAddress));
        if (h == &host || !theirs || theirs->address != pa->address)
            continue;
        if (h->id < host.id)
            return; // reported by the host whose id sorts first
        others.push_back(h);
    }
    if (others.empty())
        return;
    std::ranges::sort(others, {}, &Element::id);
    QStringList names{QStringLiteral("'%1'").arg(host.name())};
    for (const Element *h : others)
        names << QStringLiteral("'%1'").arg(h->name());
    out.add(QStringLiteral("Hosts %1 have the same provider address %2; the PA routes "
                           "encapsulated packets to the right host, so each host needs its own.")
                .arg(andList(names), address),
            idsOf(others));
}

void oneIsolationType(const Element &net, RuleContext &, FindingSink &out)
{
    if (virtualized(net))
        return;
    QStringList stray;
    for (QLatin1StringView key :
         {key::vsid, key::encapsulation, key::customerSubnets, key::routingDomain})
        if (has(net, key))
            stray << key;
    if (!stray.isEmpty())
        out.add(QStringLiteral("%1 is isolated by '%2' but has network-virtualization settings "
                               "(%3): a VM network uses one isolation type. Remove them, or set "
                               "its isolation to NetworkVirtualization.")
                    .arg(label(net), str(net, key::isolation), stray.join(QStringLiteral(", "))));
}

QStringList overlapsBetween(const std::vector<IpPrefix> &a, const std::vector<IpPrefix> &b)
{
    QStringList out;
    for (const IpPrefix &x : a)
        for (const IpPrefix &y : b)
            if (x.overlaps(y))
                out << prefixText(x) + QStringLiteral(" and ") + prefixText(y);
    return out;
}

void customerSubnetsOverlap(const Element &net, RuleContext &ctx, FindingSink &out)
{
    if (!virtualized(net))
        return;
    const std::vector<IpPrefix> mine = customerPrefixes(net);
    for (std::size_t i = 0; i < mine.size(); ++i)
        for (std::size_t j = i + 1; j < mine.size(); ++j)
            if (mine[i].overlaps(mine[j]))
                out.add(QStringLiteral("%1 has overlapping customer subnets %2 and %3; virtual "
                                       "subnets of one VM network must not overlap.")
                            .arg(label(net), prefixText(mine[i]), prefixText(mine[j])));
    if (mine.empty())
        return;
    for (const Element *other : ctx.all(K::VmNetwork)) {
        if (other->id <= net.id || !virtualized(*other) || domainOf(*other) != domainOf(net))
            continue; // each pair once, from the VM network whose id sorts first
        const QStringList pairs = overlapsBetween(mine, customerPrefixes(*other));
        if (!pairs.isEmpty())
            out.add(QStringLiteral("%1 and %2 share %3 but their customer subnets overlap (%4); "
                                   "virtual subnets of one routing domain must not overlap. "
                                   "Change one prefix or put the networks in different routing "
                                   "domains.")
                        .arg(label(net), label(*other), domainText(net),
                             pairs.join(QStringLiteral(", "))),
                    {other->id});
    }
}

void uniqueVsid(const Element &net, RuleContext &ctx, FindingSink &out)
{
    const double vsid = number(net, key::vsid);
    if (!virtualized(net) || vsid == 0)
        return;
    std::vector<const Element *> others;
    for (const Element *other : ctx.all(K::VmNetwork)) {
        if (other == &net || !virtualized(*other) || number(*other, key::vsid) != vsid)
            continue;
        if (other->id < net.id)
            return; // reported by the VM network whose id sorts first
        others.push_back(other);
    }
    if (others.empty())
        return;
    std::ranges::sort(others, {}, &Element::id);
    QStringList names{QStringLiteral("'%1'").arg(net.name())};
    for (const Element *o : others)
        names << QStringLiteral("'%1'").arg(o->name());
    out.add(QStringLiteral("VM networks %1 use the same virtual subnet id %2: NVGRE tells virtual "
                           "subnets apart only by their VSID, so they would not be isolated. Give "
                           "each its own VSID.")
                .arg(andList(names))
                .arg(qint64(vsid)),
            idsOf(others));
}

// --- HNV-007 and HNV-008: what Converge's Open vSwitch realization of overlays needs on a
// linux-ovs host (docs/agent.md "Overlays"): frames are delivered by destination MAC, the
// tunnels of a host start at one bridge whose uplink carries them, and the uplink has room for
// the encapsulation headers.

bool onLinuxOvs(const Element &e, RuleContext &ctx)
{
    const Element *host = ctx.hostOf(e);
    return host && str(*host, key::platform) == value::linuxOvs;
}

// The host's vNICs on network-virtualized VM networks, by id.
std::vector<const Element *> overlayVnicsOf(const Element &host, RuleContext &ctx)
{
    std::vector<const Element *> out;
    for (const Element *vm : ctx.children(host.id, K::VirtualMachine))
        for (const Element *v : ctx.children(vm->id, K::VirtualNic))
            if (customerNetwork(*v, ctx))
                out.push_back(v);
    std::ranges::sort(out, {}, &Element::id);
    return out;
}

void ovsOverlayPort(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    const Element *net = customerNetwork(vnic, ctx);
    if (!net || !onLinuxOvs(vnic, ctx))
        return;
    if (!has(vnic, key::mac))
        out.add(QStringLiteral("%1 is on network-virtualized %2 but has no MAC address; Open "
                               "vSwitch delivers overlay frames by destination MAC, so only "
                               "broadcasts would reach it. Set the vNIC's MAC.")
                    .arg(vnicLabel(vnic, ctx), label(*net)));
    const Element *sw = ctx.find(str(vnic, key::switch_));
    if (sw && !has(*sw, key::uplink))
        out.add(QStringLiteral("%1 is on network-virtualized %2, but its virtual switch '%3' has "
                               "no uplink: its tunnels to other hosts leave over the uplink of "
                               "that switch. Give the switch an uplink.")
                    .arg(vnicLabel(vnic, ctx), label(*net), sw->name()),
                {sw->id});
    const Element *host = ctx.hostOf(vnic);
    const std::vector<const Element *> all = overlayVnicsOf(*host, ctx);
    const Element *first = all.empty() ? nullptr : all.front();
    if (first && first != &vnic && str(*first, key::switch_) != str(vnic, key::switch_)) {
        const Element *firstSwitch = ctx.find(str(*first, key::switch_));
        out.add(QStringLiteral("%1 is on virtual switch '%2', but %3 on the same host is on '%4'; "
                               "a linux-ovs host's tunnels start at one switch, so all its vNICs "
                               "on network-virtualized VM networks must be on one switch.")
                    .arg(vnicLabel(vnic, ctx), sw ? sw->name() : str(vnic, key::switch_),
                         vnicLabel(*first, ctx),
                         firstSwitch ? firstSwitch->name() : str(*first, key::switch_)),
                {first->id});
    }
}

constexpr int defaultMtu = 1500;
constexpr int vxlanOverhead = 50; // outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8
constexpr int nvgreOverhead = 42; // outer Ethernet 14 + IPv4 20 + GRE with key 8

// The MTU of a switch's uplink: the NIC's, or the smallest of a team's members.
int uplinkMtu(const Element &sw, RuleContext &ctx)
{
    const Element *uplink = ctx.find(str(sw, key::uplink));
    if (!uplink)
        return 0;
    if (uplink->kind != K::Team)
        return int(number(*uplink, key::mtu, defaultMtu));
    int mtu = 0;
    for (const QString &id : ids(*uplink, key::members))
        if (const Element *nic = ctx.find(id))
            mtu = mtu == 0 ? int(number(*nic, key::mtu, defaultMtu))
                           : std::min(mtu, int(number(*nic, key::mtu, defaultMtu)));
    return mtu;
}

void ovsOverlayMtu(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    if (!onLinuxOvs(sw, ctx))
        return;
    int needed = 0;
    const Element *widest = nullptr;
    for (const Element *v : ctx.referrers(sw.id, K::VirtualNic)) {
        const Element *net = customerNetwork(*v, ctx);
        if (!net)
            continue;
        const int overhead =
            str(*net, key::encapsulation) == value::vxlan ? vxlanOverhead : nvgreOverhead;
        const int frame = int(number(*v, key::mtu, defaultMtu)) + overhead;
        if (frame > needed || (frame == needed && widest && v->id < widest->id))
            needed = frame, widest = v;
    }
    const int mtu = uplinkMtu(sw, ctx);
    if (!widest || mtu == 0 || mtu >= needed)
        return;
    out.add(QStringLiteral("Virtual switch '%1' carries tunnels, but its uplink has MTU %2: %3's "
                           "frames need %4 once encapsulated, so full-size packets are dropped "
                           "(TCP stalls while ping works). Raise the uplink's MTU (and the "
                           "physical switch ports') to %4, or lower the vNICs' MTU to %5.")
                .arg(sw.name())
                .arg(mtu)
                .arg(vnicLabel(*widest, ctx))
                .arg(needed)
                .arg(mtu - (needed - int(number(*widest, key::mtu, defaultMtu)))),
            {widest->id});
}

} // namespace

void addOverlayRules(std::vector<Rule> &out)
{
    out.push_back(
        rule("HNV-001", Severity::Error, K::VmNetwork, "A virtual subnet id is a 24-bit number",
             "NVGRE identifies a virtual subnet with a 24-bit Tenant Network Identifier (VSID); a "
             "network-virtualized VM network needs one (0 means none).",
             "004_7c35f0513785686e.txt \"Hyper-V Network Virtualization Packet Flow\" l.1030",
             virtualSubnetId));
    out.push_back(rule(
        "HNV-002", Severity::Error, K::VirtualNic,
        "Customer addresses don't repeat within one routing domain",
        "Network virtualization lets virtual networks overlap the same addresses, each isolated "
        "from the others; within one VM network (routing domain) a customer address is unique.",
        "004_7c35f0513785686e.txt \"Hyper-V Network Virtualization\" l.964; "
        "002_4fa7ab3843d54fef.txt \"VMM and network virtualization\"",
        duplicateCustomerAddresses));
    out.push_back(rule(
        "HNV-003", Severity::Error, K::Host,
        "Hosts of virtualized VMs have a unique provider address",
        "The PA is the address the host has on the physical network; it routes the encapsulated "
        "packets to the physical host the destination VM is on, so a host running "
        "network-virtualized VMs needs one and no other host or interface may use it.",
        "004_7c35f0513785686e.txt \"Hyper-V Network Virtualization\" l.946-954", providerAddress));
    out.push_back(rule(
        "HNV-004", Severity::Error, K::VmNetwork, "A VM network uses one isolation type",
        "Each VM network is set up with one of four isolation types: no isolation, VLAN, network "
        "virtualization or external. VSID, encapsulation, customer subnets and routing domain "
        "belong to network virtualization only.",
        "002_4fa7ab3843d54fef.txt \"VMM and network virtualization\" l.107", oneIsolationType));
    out.push_back(
        rule("HNV-005", Severity::Error, K::VmNetwork,
             "Customer subnets of one routing domain don't overlap",
             "A VM network forms an isolation boundary in which the VMs can communicate, so the "
             "virtual subnets in the same VM network (routing domain) must not use overlapping IP "
             "address prefixes.",
             "Microsoft docs: Hyper-V Network Virtualization technical details (VM network); "
             "002_4fa7ab3843d54fef.txt \"VMM and network virtualization\" l.107",
             customerSubnetsOverlap));
    out.push_back(rule(
        "HNV-006", Severity::Error, K::VmNetwork, "Each virtual subnet has its own VSID",
        "NVGRE isolates individual virtual subnets by the VSID (TNI) it puts in the GRE header; "
        "two VM networks with the same VSID share one virtual subnet.",
        "004_7c35f0513785686e.txt \"Hyper-V Network Virtualization Packet Flow\" l.1046-1049, "
        "l.1141",
        uniqueVsid));
    out.push_back(rule(
        "HNV-007", Severity::Error, K::VirtualNic,
        "Overlay vNICs on a linux-ovs host have a MAC and one switch with an uplink",
        "Open vSwitch realizes network virtualization with tunnels keyed by the VSID between the "
        "hosts' provider addresses: frames are delivered by destination MAC (HNV's lookup "
        "records), and a host's tunnels start at one bridge and leave over its uplink.",
        "004_7c35f0513785686e.txt \"Hyper-V Network Virtualization Packet Flow\" l.1030-1049 "
        "(lookup by CA and MAC, VSID in the header); Converge's Open vSwitch realization "
        "(docs/agent.md \"Overlays\")",
        ovsOverlayPort));
    out.push_back(rule(
        "HNV-008", Severity::Warning, K::VirtualSwitch,
        "A linux-ovs switch carrying tunnels has room for their headers",
        "Encapsulation adds 50 bytes (VXLAN) or 42 bytes (NVGRE) to every frame; tunnels do not "
        "fragment, so the uplink needs an MTU that much larger than the vNICs'.",
        "004_7c35f0513785686e.txt \"Hyper-V Network Virtualization Packet Flow\" l.1030 (the "
        "GRE header); Converge's Open vSwitch realization (docs/agent.md \"Overlays\")",
        ovsOverlayMtu));
}

} // namespace converge::core::rules
