// The MTU along vNIC -> NIC -> switch port, and jumbo frames for iSCSI: 003 "Special Network
// Consideration for iSCSI".
#include "../catalog.h"
#include "rulehelpers.h"
#include "vlanpaths.h"

#include <functional>

namespace converge::core::rules {

namespace {

using K = ElementKind;

// --- MTU-001 and MTU-002: the MTU along vNIC -> NIC -> port.

void mtuPath(const Element &nic, RuleContext &ctx, FindingSink &out)
{
    if (!has(nic, key::mtu))
        return;
    const int mtu = int(number(nic, key::mtu));
    for (const Element *port : cabledPorts(nic, ctx))
        if (has(*port, key::mtu) && int(number(*port, key::mtu)) < mtu)
            out.add(QStringLiteral("%1 has MTU %2 but is cabled to %3 with MTU %4; larger frames "
                                   "are dropped there. Raise the port's MTU or lower the NIC's.")
                        .arg(labelOnHost(nic, ctx))
                        .arg(mtu)
                        .arg(portLabel(*port, ctx))
                        .arg(int(number(*port, key::mtu))),
                    {port->id},
                    setFix(QStringLiteral("Set the MTU of NIC '%1' to %2")
                               .arg(nic.name())
                               .arg(int(number(*port, key::mtu))),
                           nic.id, key::mtu, int(number(*port, key::mtu))));
    for (const Element *sw : switchesOver(nic, ctx))
        for (const Element *v : ctx.referrers(sw->id, K::VirtualNic))
            if (has(*v, key::mtu) && int(number(*v, key::mtu)) > mtu)
                out.add(
                    QStringLiteral("%1 has MTU %2, above the MTU %3 of NIC '%4' under its virtual "
                                   "switch '%5'; the path must not shrink. Lower the vNIC's MTU "
                                   "or raise the NIC's.")
                        .arg(vnicLabel(*v, ctx))
                        .arg(int(number(*v, key::mtu)))
                        .arg(mtu)
                        .arg(nic.name(), sw->name()),
                    {v->id},
                    setFix(QStringLiteral("Set the MTU of vNIC '%1' to %2").arg(v->name()).arg(mtu),
                           v->id, key::mtu, mtu));
}

constexpr int jumbo = 9000;

void iscsiJumboFrames(const Element &nic, RuleContext &ctx, FindingSink &out)
{
    std::vector<const Element *> iscsiVnics;
    for (const Element *sw : switchesOver(nic, ctx))
        for (const Element *v : ctx.referrers(sw->id, K::VirtualNic))
            if (str(*v, key::trafficRole) == value::iscsi)
                iscsiVnics.push_back(v);
    if (str(nic, key::role) != value::iscsi && iscsiVnics.empty())
        return;
    // Unset NIC and vNIC MTUs are Windows' 1500; an unset port MTU is not known.
    std::vector<const Element *> small;
    QStringList parts;
    const auto check = [&](const Element &e, const std::function<QString()> &what,
                           bool unsetIsSmall) {
        if (has(e, key::mtu) ? number(e, key::mtu) >= jumbo : !unsetIsSmall)
            return;
        small.push_back(&e);
        parts << QStringLiteral("%1 (MTU %2)")
                     .arg(what())
                     .arg(has(e, key::mtu) ? int(number(e, key::mtu)) : 1500);
    };
    check(
        nic, [&] { return QStringLiteral("NIC '%1'").arg(nic.name()); }, true);
    for (const Element *v : iscsiVnics)
        check(
            *v, [&] { return vnicLabel(*v, ctx); }, true);
    for (const Element *port : cabledPorts(nic, ctx))
        check(
            *port, [&] { return portLabel(*port, ctx); }, false);
    if (small.empty())
        return;
    QuickFix fix{QStringLiteral("Use jumbo frames (MTU %1) on the iSCSI path of NIC '%2'")
                     .arg(jumbo)
                     .arg(nic.name()),
                 {}};
    for (const Element *e : small)
        fix.changes.push_back({e->id, key::mtu, jumbo});
    out.add(QStringLiteral("The iSCSI path through %1 does not use jumbo frames: %2. Jumbo frames "
                           "of %3 bytes end to end reduce iSCSI overhead.")
                .arg(labelOnHost(nic, ctx), parts.join(QStringLiteral(", ")))
                .arg(jumbo),
            idsOf(small), fix);
}

} // namespace

void addMtuRules(std::vector<Rule> &out)
{
    out.push_back(rule("MTU-001", Severity::Warning, K::PhysicalNic,
                       "The MTU does not shrink along vNIC, NIC and switch port",
                       "A vNIC's MTU must not be above its uplink NIC's, nor the NIC's above the "
                       "physical port's: larger frames are dropped where the path shrinks.",
                       "003_8b87448cefe986c9.txt \"Special Network Consideration for iSCSI\"",
                       mtuPath));
    out.push_back(
        rule("MTU-002", Severity::Info, K::PhysicalNic, "iSCSI paths use jumbo frames (9000)",
             "iSCSI overhead is mitigated by increasing frames from 1,500 to 9,000 bytes "
             "(jumbo frames).",
             "003_8b87448cefe986c9.txt \"Special Network Consideration for iSCSI\" l.1516-1520",
             iscsiJumboFrames));
}

} // namespace converge::core::rules
