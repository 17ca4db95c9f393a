// Addressing (IPAM): 004_7c35f0513785686e.txt "IP Address Management (IPAM)" l.3514,
// 003_8b87448cefe986c9.txt §4.3.1, and plain IP subnetting.
#include "../../util/ipaddress.h"
#include "../catalog.h"
#include "rulehelpers.h"

#include <algorithm>

namespace converge::core::rules {

namespace {

using K = ElementKind;

// Where a vNIC's addresses live: the routing domain of its VM's network-virtualized VM network
// (by default that VM network itself), else the physical network (key "").
struct Domain
{
    QString key;
    QString text;
    const Element *vmNetwork = nullptr; // set for a network-virtualized VM network
};

Domain routingDomain(const Element &vnic, RuleContext &ctx)
{
    const Element *vm = ctx.owner(vnic);
    const Element *net =
        vm && vm->kind == K::VirtualMachine ? ctx.find(str(*vm, key::vmNetwork)) : nullptr;
    if (!net || str(*net, key::isolation) != value::networkVirtualization)
        return {QString(), QStringLiteral("the physical network")};
    const QString named = str(*net, key::routingDomain);
    if (named.isEmpty())
        return {net->id, QStringLiteral("the routing domain of %1").arg(label(*net)), net};
    return {named, QStringLiteral("routing domain '%1'").arg(named), net};
}

std::vector<IpPrefix> prefixes(const Element &e, QLatin1StringView key)
{
    std::vector<IpPrefix> out;
    for (const QJsonValue v : e.value(key).toArray())
        if (auto p = IpPrefix::parse(v.toString()))
            out.push_back(*p);
    return out;
}

QString prefixText(const IpPrefix &p)
{
    return p.address.toString() + QLatin1Char('/') + QString::number(p.length);
}

// IPv4 host addresses exclude the all-zeros (network) and all-ones (broadcast) host parts,
// except on /31 and /32 (RFC 3021).
QString reservedHostAddress(const IpPrefix &p)
{
    if (p.address.v6 || p.length > 30)
        return {};
    bool zeros = true;
    bool ones = true;
    for (int i = p.length; i < 32; ++i) {
        if (p.address.bit(i))
            zeros = false;
        else
            ones = false;
    }
    return zeros ? QStringLiteral("network") : ones ? QStringLiteral("broadcast") : QString();
}

// What else on the physical network holds `address`: a subnet's gateway (of the physical
// network), a storage target's portal, a physical switch's management address.
void reservedElsewhere(const Element &vnic, const QString &address, RuleContext &ctx,
                       FindingSink &out)
{
    for (const Element *s : ctx.withAddress(address, K::Subnet))
        if (str(*s, key::routingDomain).isEmpty())
            out.add(QStringLiteral("%1 has address %2, the gateway of %3 (%4): the subnet's router "
                                   "holds it. Give the vNIC another address, or correct the "
                                   "subnet's gateway.")
                        .arg(vnicLabel(vnic, ctx), address, label(*s), str(*s, key::prefix)),
                    {s->id});
    for (const Element *t : ctx.withAddress(address, K::StorageTarget))
        out.add(QStringLiteral("%1 has address %2, a portal address of %3: initiators would "
                               "reach the vNIC instead of the array. Give the vNIC another "
                               "address.")
                    .arg(vnicLabel(vnic, ctx), address, label(*t)),
                {t->id});
    for (const Element *sw : ctx.withAddress(address, K::PhysicalSwitch))
        out.add(QStringLiteral("%1 has address %2, the management address of %3. Give the vNIC "
                               "another address.")
                    .arg(vnicLabel(vnic, ctx), address, label(*sw)),
                {sw->id});
}

void duplicateAddresses(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    if (!has(vnic, key::addresses))
        return;
    const Domain domain = routingDomain(vnic, ctx);
    if (!domain.key.isEmpty())
        return; // customer routing domains: HNV-002
    QStringList addresses = vnicAddresses(vnic);
    addresses.removeDuplicates();
    for (const QString &address : std::as_const(addresses)) {
        reservedElsewhere(vnic, address, ctx, out);
        const auto others = clashingHolders(vnic, address, ctx, [&](const Element &o) {
            return routingDomain(o, ctx).key.isEmpty();
        });
        if (others.empty())
            continue;
        QStringList names;
        for (const Element *o : others)
            names << vnicLabel(*o, ctx);
        out.add(QStringLiteral("%1 has address %2, also held by %3 on %4. Give each vNIC its own "
                               "address.")
                    .arg(vnicLabel(vnic, ctx), address, andList(names), domain.text),
                idsOf(others));
    }
}

void overlappingSubnets(const Element &subnet, RuleContext &ctx, FindingSink &out)
{
    const auto mine = IpPrefix::parse(str(subnet, key::prefix));
    if (!mine)
        return;
    const QString domain = str(subnet, key::routingDomain);
    for (const Element *other : ctx.all(K::Subnet)) {
        if (other->id <= subnet.id || str(*other, key::routingDomain) != domain)
            continue; // each pair once, from the subnet whose id sorts first
        const auto theirs = IpPrefix::parse(str(*other, key::prefix));
        if (!theirs || !mine->overlaps(*theirs))
            continue;
        const bool identical = mine->network() == theirs->network();
        const QString vlan = str(subnet, key::vlan);
        const QString theirVlan = str(*other, key::vlan);
        if (identical && (vlan.isEmpty() || theirVlan.isEmpty() || vlan == theirVlan))
            continue; // the same network drawn twice
        out.add(QStringLiteral("%1 (%2) %3 %4 (%5) in %6. Subnets of one routing domain must "
                               "not overlap: renumber one of them, or, if they belong to "
                               "different tenants, give each its own routing domain.")
                    .arg(label(subnet), prefixText(*mine),
                         identical ? QStringLiteral("has the same prefix, on another VLAN, as")
                                   : QStringLiteral("overlaps"),
                         label(*other), prefixText(*theirs),
                         domain.isEmpty() ? QStringLiteral("the physical network")
                                          : QStringLiteral("routing domain '%1'").arg(domain)),
                {other->id});
    }
}

// A subnet an address can belong to: a Subnet element or a VM network's customer subnet.
struct KnownSubnet
{
    IpPrefix prefix;
    QString text; // "subnet 'LAN' (10.127.4.0/22)"
    QString id;   // the Subnet or VM network element
};

std::vector<KnownSubnet> customerSubnets(const Element &vmNetwork)
{
    std::vector<KnownSubnet> out;
    for (const IpPrefix &p : prefixes(vmNetwork, key::customerSubnets))
        out.push_back(
            {p, QStringLiteral("customer subnet %1 of %2").arg(prefixText(p), label(vmNetwork)),
             vmNetwork.id});
    return out;
}

// The most specific of `known` that holds `p`'s address, or null when one of them is `p`'s own
// subnet (same network and prefix length) or none holds it.
const KnownSubnet *mismatchedSubnet(const IpPrefix &p, const std::vector<KnownSubnet> &known)
{
    const KnownSubnet *covering = nullptr;
    for (const KnownSubnet &s : known) {
        if (s.prefix.network() == p.network())
            return nullptr;
        if (s.prefix.contains(p.address) &&
            (!covering || s.prefix.length > covering->prefix.length))
            covering = &s;
    }
    return covering;
}

QuickFix setPrefixLength(const Element &vnic, int index, int length)
{
    QJsonArray addresses = vnic.value(key::addresses).toArray();
    const QString address = addresses.at(index).toString().section(QLatin1Char('/'), 0, 0);
    const QString fixed = address + QLatin1Char('/') + QString::number(length);
    addresses.replace(index, fixed);
    return setFix(QStringLiteral("Set the address to %1").arg(fixed), vnic.id, key::addresses,
                  addresses);
}

void reportMismatch(const Element &vnic, int index, const IpPrefix &p, const KnownSubnet &s,
                    RuleContext &ctx, FindingSink &out, const QStringList &elements)
{
    out.add(QStringLiteral("%1 has address %2, which lies in %3 but with a /%4 prefix; use the "
                           "subnet's prefix length /%5.")
                .arg(vnicLabel(vnic, ctx), prefixText(p), s.text)
                .arg(p.length)
                .arg(s.prefix.length),
            elements, setPrefixLength(vnic, index, s.prefix.length));
}

void checkCustomerAddress(const Element &vnic, int index, const IpPrefix &p,
                          const std::vector<KnownSubnet> &customer, RuleContext &ctx,
                          FindingSink &out)
{
    if (customer.empty())
        return;
    if (const KnownSubnet *s = mismatchedSubnet(p, customer))
        return reportMismatch(vnic, index, p, *s, ctx, out, {s->id});
    if (std::ranges::any_of(customer,
                            [&](const KnownSubnet &s) { return s.prefix.contains(p.address); }))
        return;
    QStringList listed;
    for (const KnownSubnet &s : customer)
        listed << prefixText(s.prefix);
    out.add(QStringLiteral("%1 has customer address %2, outside the customer subnets of its VM "
                           "network (%3). Use an address of one of them, or add the subnet to the "
                           "VM network.")
                .arg(vnicLabel(vnic, ctx), prefixText(p), listed.join(QStringLiteral(", "))),
            {customer.front().id});
}

void checkGateway(const Element &vnic, const std::vector<IpPrefix> &own, RuleContext &ctx,
                  FindingSink &out)
{
    const auto gateway = IpAddress::parse(str(vnic, key::gateway));
    if (!gateway || own.empty())
        return;
    if (std::ranges::any_of(own, [&](const IpPrefix &p) { return p.contains(*gateway); }))
        return;
    QStringList mine;
    for (const IpPrefix &p : own)
        mine << prefixText(p);
    out.add(QStringLiteral("%1 has default gateway %2 outside its own subnet (%3): the gateway "
                           "must be reachable on the vNIC's subnet. Correct the gateway or the "
                           "address.")
                .arg(vnicLabel(vnic, ctx), gateway->toString(), mine.join(QStringLiteral(", "))));
}

void addressInItsSubnet(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    const std::vector<IpPrefix> own = prefixes(vnic, key::addresses);
    if (own.empty())
        return;
    const Domain domain = routingDomain(vnic, ctx);
    const std::vector<KnownSubnet> customer =
        domain.vmNetwork ? customerSubnets(*domain.vmNetwork) : std::vector<KnownSubnet>{};
    const QJsonArray written = vnic.value(key::addresses).toArray();
    for (int i = 0; i < written.size(); ++i) {
        const auto p = IpPrefix::parse(written.at(i).toString());
        if (!p)
            continue;
        if (const QString reserved = reservedHostAddress(*p); !reserved.isEmpty())
            out.add(QStringLiteral("%1 has address %2, the %3 address of its subnet, which "
                                   "cannot be given to an interface. Pick another address.")
                        .arg(vnicLabel(vnic, ctx), prefixText(*p), reserved));
        checkCustomerAddress(vnic, i, *p, customer, ctx, out);
    }
    checkGateway(vnic, own, ctx, out);
}

// Subnet elements are top-level and only ctx.children("") reaches them, which walks every
// top-level element: so this reads them once per host (its management OS and VMs), not per vNIC.
void addressesMatchDrawnSubnets(const Element &host, RuleContext &ctx, FindingSink &out)
{
    const std::vector<const Element *> subnets = ctx.all(K::Subnet);
    if (subnets.empty())
        return;
    std::vector<const Element *> vnics = ctx.children(host.id, K::VirtualNic);
    for (const Element *vm : ctx.children(host.id, K::VirtualMachine))
        std::ranges::copy(ctx.children(vm->id, K::VirtualNic), std::back_inserter(vnics));
    for (const Element *vnic : vnics) {
        const QJsonArray written = vnic->value(key::addresses).toArray();
        if (written.isEmpty())
            continue;
        const Domain domain = routingDomain(*vnic, ctx);
        std::vector<KnownSubnet> known;
        for (const Element *s : subnets) {
            const auto p = IpPrefix::parse(str(*s, key::prefix));
            if (p && str(*s, key::routingDomain) == domain.key)
                known.push_back(
                    {*p, QStringLiteral("%1 (%2)").arg(label(*s), prefixText(*p)), s->id});
        }
        const std::size_t drawn = known.size();
        if (domain.vmNetwork) // customer subnets count as the address's own subnet too (IP-003)
            std::ranges::move(customerSubnets(*domain.vmNetwork), std::back_inserter(known));
        for (int i = 0; i < written.size(); ++i) {
            const auto p = IpPrefix::parse(written.at(i).toString());
            if (!p)
                continue;
            const KnownSubnet *s = mismatchedSubnet(*p, known);
            if (s && std::size_t(s - known.data()) < drawn)
                reportMismatch(*vnic, i, *p, *s, ctx, out, {vnic->id, s->id});
        }
    }
}

void oneDefaultGateway(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    const auto gateway = IpAddress::parse(str(vnic, key::gateway));
    if (!gateway)
        return;
    std::vector<const Element *> others;
    for (const Element *o : ctx.children(vnic.parent, K::VirtualNic)) {
        const auto theirs = IpAddress::parse(str(*o, key::gateway));
        if (o == &vnic || !theirs || theirs->v6 != gateway->v6)
            continue;
        if (o->id < vnic.id)
            return; // reported by the vNIC whose id sorts first
        others.push_back(o);
    }
    if (others.empty())
        return;
    std::ranges::sort(others, {}, &Element::id);
    QStringList names{QStringLiteral("'%1' (%2)").arg(vnic.name(), gateway->toString())};
    for (const Element *o : others)
        names << QStringLiteral("'%1' (%2)").arg(o->name(), str(*o, key::gateway));
    const Element *os = ctx.owner(vnic);
    const QString where =
        os && os->kind == K::VirtualMachine
            ? labelOnHost(*os, ctx)
            : QStringLiteral("The management OS of host '%1'").arg(os ? os->name() : QString());
    out.add(QStringLiteral("%1 has %2 %3 default gateways, on vNICs %4. An operating system uses "
                           "one default gateway; keep it on the vNIC that routes out (LAN) and "
                           "clear it on the others.")
                .arg(where)
                .arg(names.size())
                .arg(gateway->v6 ? QStringLiteral("IPv6") : QStringLiteral("IPv4"), andList(names)),
            idsOf(others));
}

void gatewayInSubnet(const Element &subnet, RuleContext &, FindingSink &out)
{
    const auto prefix = IpPrefix::parse(str(subnet, key::prefix));
    const auto gateway = IpAddress::parse(str(subnet, key::gateway));
    if (!prefix || !gateway)
        return;
    if (!prefix->contains(*gateway))
        out.add(QStringLiteral("%1 (%2) has gateway %3, which lies outside the subnet. Use an "
                               "address of the subnet.")
                    .arg(label(subnet), prefixText(*prefix), gateway->toString()));
    else if (const QString reserved = reservedHostAddress({*gateway, prefix->length});
             !reserved.isEmpty())
        out.add(QStringLiteral("%1 (%2) has gateway %3, the subnet's %4 address; a router needs "
                               "a host address.")
                    .arg(label(subnet), prefixText(*prefix), gateway->toString(), reserved));
}

} // namespace

void addAddressingRules(std::vector<Rule> &out)
{
    out.push_back(rule(
        "IP-001", Severity::Error, K::VirtualNic, "No duplicate IP address on the physical network",
        "IPAM detects and prevents IP address conflicts and duplicates: two interfaces of one "
        "routing domain cannot hold the same address. This rule covers the physical network "
        "(management OS and VMs not on a network-virtualized VM network): a vNIC's address "
        "clashes with another vNIC's, a subnet's gateway, a storage target's portal or a physical "
        "switch's management address. HNV-002 covers customer routing domains.",
        "004_7c35f0513785686e.txt \"IP Address Management (IPAM)\" l.3514", duplicateAddresses));
    out.push_back(
        rule("IP-002", Severity::Error, K::Subnet, "Subnets in one routing domain don't overlap",
             "IPAM detects and prevents IP address space overlaps within a routing domain: a "
             "VLAN does not separate address spaces, so the same prefix on two VLANs is a "
             "conflict too (only the same network drawn twice, on one VLAN, is not). Tenants "
             "that reuse a range need separate routing domains.",
             "004_7c35f0513785686e.txt \"IP Address Management (IPAM)\" l.3514-3516",
             overlappingSubnets));
    out.push_back(
        rule("IP-003", Severity::Error, K::VirtualNic,
             "An address lies inside its subnet; so does the gateway",
             "A vNIC's address is a host address of its subnet (not the network or broadcast "
             "address); a VM on a network-virtualized VM network uses an address of that network's "
             "customer subnets, with their prefix length; the default gateway lies on one of the "
             "vNIC's own subnets. (Drawn Subnet elements: IP-006.)",
             "IP subnetting (general); 003_8b87448cefe986c9.txt §4.3.1 Tables 8-11",
             addressInItsSubnet));
    out.push_back(
        rule("IP-004", Severity::Warning, K::VirtualNic, "One default gateway per operating system",
             "Only the LAN vNIC is configured with a default gateway; the SAN vNICs have none, so "
             "their traffic is not routed. The management OS and each VM is one operating system "
             "with one default gateway (per IP version).",
             "003_8b87448cefe986c9.txt §4.3.1 l.1607-1610", oneDefaultGateway));
    out.push_back(rule(
        "IP-005", Severity::Error, K::Subnet, "A subnet's gateway lies inside the subnet",
        "The default gateway of a subnet is a host address of that subnet; hosts cannot reach a "
        "gateway outside their own subnet.",
        "IP subnetting (general); 003_8b87448cefe986c9.txt §4.3.1 Tables 8-11", gatewayInSubnet));
    out.push_back(
        rule("IP-006", Severity::Error, K::Host,
             "An address uses the prefix of the drawn subnet it lies in",
             "Where a Subnet of the vNIC's routing domain holds an address, the vNIC is on that "
             "subnet and uses its prefix length (10.127.4.50/22 in 10.127.4.0/22, as in Table 8: "
             "255.255.252.0); a shorter or longer mask misroutes part of the subnet.",
             "IP subnetting (general); 003_8b87448cefe986c9.txt §4.3.1 Tables 8-11",
             addressesMatchDrawnSubnets));
}

} // namespace converge::core::rules
