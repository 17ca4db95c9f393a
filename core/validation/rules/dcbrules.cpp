// Data Center Bridging: traffic classes, DCB end to end and RDMA's need for it;
// 002_4fa7ab3843d54fef.txt "Bandwidth management", 003_8b87448cefe986c9.txt §4.1.6.
#include "../catalog.h"
#include "rulehelpers.h"

#include "../../util/ipaddress.h"

#include <QJsonObject>

#include <algorithm>
#include <iterator>

namespace converge::core::rules {

namespace {

using K = ElementKind;

void atMostEightClasses(const Element &nic, RuleContext &ctx, FindingSink &out)
{
    const QJsonArray classes = nic.value(key::dcbTrafficClasses).toArray();
    if (classes.size() <= 8)
        return;
    QStringList names;
    for (const QJsonValue c : classes)
        names << c.toObject().value(key::name).toString();
    out.add(QStringLiteral("%1 defines %2 DCB traffic classes (%3); DCB supports at most eight. "
                           "Merge classes that can share a priority.")
                .arg(labelOnHost(nic, ctx))
                .arg(classes.size())
                .arg(names.join(QStringLiteral(", "))));
}

// Virtual switches whose traffic a NIC carries: as their uplink or as a member of their team.
std::vector<const Element *> switchesOver(const Element &nic, RuleContext &ctx)
{
    auto out = ctx.referrers(nic.id, K::VirtualSwitch);
    for (const Element *team : ctx.referrers(nic.id, K::Team))
        for (const Element *sw : ctx.referrers(team->id, K::VirtualSwitch))
            out.push_back(sw);
    return out;
}

QString otherEnd(const Element &link, const QString &id)
{
    return str(link, key::a) == id ? str(link, key::b) : str(link, key::a);
}

const Element *cabledPort(const Element &nic, RuleContext &ctx)
{
    for (const Element *link : ctx.referrers(nic.id, K::Link)) {
        const Element *port = ctx.find(otherEnd(*link, nic.id));
        if (port && port->kind == K::SwitchPort)
            return port;
    }
    return nullptr;
}

// The subnets of the vNICs whose traffic a NIC carries.
std::vector<IpPrefix> subnetsOver(const Element &nic, RuleContext &ctx)
{
    std::vector<IpPrefix> out;
    for (const Element *sw : switchesOver(nic, ctx))
        for (const Element *v : ctx.referrers(sw->id, K::VirtualNic))
            for (const QJsonValue a : v->value(key::addresses).toArray())
                if (const auto p = IpPrefix::parse(a.toString()))
                    out.push_back(*p);
    return out;
}

bool reachable(const Element &target, const std::vector<IpPrefix> &subnets)
{
    for (const QJsonValue portal : target.value(key::portals).toArray())
        if (const auto address = IpAddress::parse(portal.toString()))
            for (const IpPrefix &p : subnets)
                if (p.contains(*address))
                    return true;
    return false;
}

// The storage targets with a portal in the subnets reached over each DCB port: one pass over
// the targets per physical switch.
void storageOnDcbPorts(const Element &sw,
                       const std::vector<std::pair<const Element *, std::vector<IpPrefix>>> &ports,
                       RuleContext &ctx, FindingSink &out)
{
    if (ports.empty())
        return;
    for (const Element *target : ctx.all(K::StorageTarget)) {
        if (flag(*target, key::dcb))
            continue;
        QStringList names, portIds;
        for (const auto &[port, subnets] : ports) {
            if (!reachable(*target, subnets))
                continue;
            names << quoted(port->name());
            portIds << port->id;
        }
        if (!portIds.isEmpty())
            out.add(QStringLiteral("%1 is reached over DCB-enabled port(s) %2 of %3 but is not DCB "
                                   "capable; every storage array on a DCB network must support it.")
                        .arg(label(*target), names.join(QStringLiteral(", ")), label(sw)),
                    QStringList{target->id} + portIds);
    }
}

// Checks what a DCB port is cabled to; returns the subnets reached when it is a host NIC.
std::vector<IpPrefix> dcbPeer(const Element &port, const Element &peer, RuleContext &ctx,
                              FindingSink &out)
{
    const Element *sw = ctx.owner(port);
    const QString portText =
        QStringLiteral("DCB-enabled port '%1' of %2").arg(port.name(), sw ? label(*sw) : QString());
    if (peer.kind == K::PhysicalNic) {
        if (!flag(peer, key::dcb))
            out.add(QStringLiteral("%1 is cabled to %2 but is not DCB capable; DCB works only when "
                                   "every host NIC on the network supports it. Use a DCB capable "
                                   "NIC or turn DCB off on the port.")
                        .arg(labelOnHost(peer, ctx), portText),
                    {port.id, peer.id});
        return subnetsOver(peer, ctx);
    }
    if (peer.kind == K::SwitchPort && !flag(peer, key::dcb)) {
        const Element *peerSwitch = ctx.owner(peer);
        out.add(QStringLiteral("%1 is linked to port '%2' of %3, which has DCB off; DCB must run "
                               "end to end. Enable DCB on port '%2'.")
                    .arg(portText, peer.name(), peerSwitch ? label(*peerSwitch) : QString()),
                {port.id, peer.id},
                setFix(QStringLiteral("Enable DCB on port '%1'").arg(peer.name()), peer.id,
                       key::dcb, true));
    }
    return {};
}

// A DCB host NIC cabled to a port with DCB off; returns the subnets the NIC carries.
std::vector<IpPrefix> dcbNicOnPlainPort(const Element &port, const Element &nic, RuleContext &ctx,
                                        FindingSink &out)
{
    if (nic.kind != K::PhysicalNic || !flag(nic, key::dcb))
        return {};
    const Element *sw = ctx.owner(port);
    out.add(QStringLiteral("%1 has DCB on but is cabled to port '%2' of %3, which has DCB off; DCB "
                           "works only end to end. Enable DCB on port '%2', or turn it off on the "
                           "NIC.")
                .arg(labelOnHost(nic, ctx), port.name(), sw ? label(*sw) : QString()),
            {nic.id, port.id},
            setFix(QStringLiteral("Enable DCB on port '%1'").arg(port.name()), port.id, key::dcb,
                   true));
    return subnetsOver(nic, ctx);
}

// DCB storage arrays reached over ports with DCB off from DCB host NICs.
void dcbStorageOverPlainPorts(
    const Element &sw, const std::vector<std::pair<const Element *, std::vector<IpPrefix>>> &ports,
    RuleContext &ctx, FindingSink &out)
{
    if (ports.empty())
        return;
    for (const Element *target : ctx.all(K::StorageTarget)) {
        if (!flag(*target, key::dcb))
            continue;
        std::vector<const Element *> over;
        for (const auto &[port, subnets] : ports)
            if (reachable(*target, subnets))
                over.push_back(port);
        if (!over.empty())
            out.add(
                QStringLiteral("%1 has DCB on and is reached from DCB host NICs over port(s) %2 "
                               "of %3, which have DCB off; DCB works only end to end. Enable "
                               "DCB on the ports.")
                    .arg(label(*target), quotedNames(over), label(sw)),
                QStringList{target->id} + idsOf(over));
    }
}

// Host NICs and storage arrays with DCB on, on the far side of ports with DCB off.
void dcbOverPlainPorts(const Element &sw, const std::vector<const Element *> &ports,
                       RuleContext &ctx, FindingSink &out)
{
    std::vector<std::pair<const Element *, std::vector<IpPrefix>>> reached;
    for (const Element *port : ports) {
        std::vector<IpPrefix> subnets;
        for (const Element *link : ctx.referrers(port->id, K::Link))
            if (const Element *peer = ctx.find(otherEnd(*link, port->id)))
                std::ranges::move(dcbNicOnPlainPort(*port, *peer, ctx, out),
                                  std::back_inserter(subnets));
        if (!subnets.empty())
            reached.emplace_back(port, std::move(subnets));
    }
    dcbStorageOverPlainPorts(sw, reached, ctx, out);
}

void dcbEndToEnd(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    std::vector<const Element *> dcbPorts;
    std::vector<const Element *> plainPorts;
    for (const Element *p : ctx.children(sw.id, K::SwitchPort))
        (flag(*p, key::dcb) ? dcbPorts : plainPorts).push_back(p);
    dcbOverPlainPorts(sw, plainPorts, ctx, out);
    if (dcbPorts.empty())
        return;
    if (!flag(sw, key::dcb))
        out.add(QStringLiteral("%1 has DCB enabled on port(s) %2 but is not DCB capable; DCB works "
                               "only when every switch on the network supports it. Use a DCB "
                               "capable switch or turn DCB off on its ports.")
                    .arg(label(sw), quotedNames(dcbPorts)),
                idsOf(dcbPorts));
    std::vector<std::pair<const Element *, std::vector<IpPrefix>>> reached;
    for (const Element *port : dcbPorts) {
        std::vector<IpPrefix> subnets;
        for (const Element *link : ctx.referrers(port->id, K::Link))
            if (const Element *peer = ctx.find(otherEnd(*link, port->id)))
                for (const IpPrefix &p : dcbPeer(*port, *peer, ctx, out))
                    subnets.push_back(p);
        if (!subnets.empty())
            reached.emplace_back(port, std::move(subnets));
    }
    storageOnDcbPorts(sw, reached, ctx, out);
}

void rdmaNeedsDcb(const Element &nic, RuleContext &ctx, FindingSink &out)
{
    if (!flag(nic, key::rdma))
        return;
    std::vector<const Element *> qosSwitches;
    for (const Element *sw : switchesOver(nic, ctx))
        if (hasSoftwareQos(*sw, ctx))
            qosSwitches.push_back(sw);
    if (qosSwitches.empty())
        return;
    const Element *port = cabledPort(nic, ctx);
    QStringList missing;
    if (!flag(nic, key::dcb))
        missing << QStringLiteral("the NIC is not DCB capable");
    if (!port)
        missing << QStringLiteral("it is not cabled to a switch port");
    else if (!flag(*port, key::dcb))
        missing << QStringLiteral("its switch port '%1' has DCB off").arg(port->name());
    if (missing.isEmpty())
        return;
    std::optional<QuickFix> fix;
    if (missing.size() == 1 && port && !flag(*port, key::dcb))
        fix = setFix(QStringLiteral("Enable DCB on port '%1'").arg(port->name()), port->id,
                     key::dcb, true);
    QStringList elements = idsOf(qosSwitches);
    if (port)
        elements << port->id;
    out.add(
        QStringLiteral("%1 is RDMA capable and carries %2, whose bandwidth is managed by "
                       "software QoS; SMB Direct (RDMA) traffic bypasses software QoS, so its "
                       "guarantee needs DCB, but %3. Enable DCB on the NIC and its switch port.")
            .arg(labelOnHost(nic, ctx),
                 qosSwitches.size() == 1
                     ? label(*qosSwitches.front())
                     : QStringLiteral("virtual switches ") + quotedNames(qosSwitches),
                 missing.join(QStringLiteral(" and "))),
        elements, fix);
}

} // namespace

void addDcbRules(std::vector<Rule> &out)
{
    out.push_back(rule("QOS-007", Severity::Error, ElementKind::PhysicalNic,
                       "DCB: at most eight traffic classes",
                       "Data Center Bridging separates traffic into at most eight classes, each "
                       "with its bandwidth guarantee.",
                       "002_4fa7ab3843d54fef.txt \"Bandwidth management\"", atMostEightClasses));
    out.push_back(rule(
        "QOS-008", Severity::Error, ElementKind::PhysicalSwitch, "DCB runs end to end",
        "DCB must be supported end to end: all host NICs, switches and storage arrays on the "
        "network must support it. (The DCB network is read from both ends: ports with DCB on and "
        "what is cabled to them and reached over them; host NICs with DCB on and the storage "
        "arrays with DCB on in the subnets of the vNICs over those NICs, whose switch ports must "
        "have DCB on.)",
        "003_8b87448cefe986c9.txt §4.1.6 l.1024-1028", dcbEndToEnd));
    out.push_back(rule(
        "QOS-009", Severity::Warning, ElementKind::PhysicalNic,
        "RDMA traffic needs DCB for a bandwidth guarantee",
        "SMB Direct on RDMA NICs bypasses software QoS; DCB manages its bandwidth in hardware. "
        "(Flagged for RDMA NICs under a virtual switch with software QoS whose link lacks DCB.)",
        "002_4fa7ab3843d54fef.txt \"Bandwidth management\" l.48", rdmaNeedsDcb));
}

} // namespace converge::core::rules
