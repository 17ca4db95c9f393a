// VLANs, PVLANs and the physical side: IEEE 802.1Q; 003 §4.1 (trunk mode) and "Special Network
// Consideration for iSCSI"; 004 "Physical switch management" l.1925-1935 and "Virtual Network
// Isolation" l.4200-4240; Microsoft docs (Hyper-V Best Practices Analyzer).
#include "../catalog.h"
#include "rulehelpers.h"

#include <functional>

#include <QJsonObject>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace converge::core::rules {

namespace {

using K = ElementKind;

bool validVlan(int id)
{
    return id >= 1 && id <= 4094;
}

QString joinInts(const QList<int> &values)
{
    QStringList out;
    for (int v : values)
        out << QString::number(v);
    return out.join(QStringLiteral(", "));
}

QString vlansText(const QList<int> &values)
{
    return (values.size() == 1 ? QStringLiteral("VLAN ") : QStringLiteral("VLANs ")) +
           joinInts(values);
}

// "switch port 'Te1/0/1' on physical switch 'tor1'".
QString portLabel(const Element &port, RuleContext &ctx)
{
    const Element *sw = ctx.owner(port);
    return sw ? label(port) + QStringLiteral(" on physical switch '%1'").arg(sw->name())
              : label(port);
}

// --- Physical paths: vNIC -> virtual switch -> uplink NIC (or each team member) -> Link -> port.

// The physical switch ports a NIC is cabled to.
std::vector<const Element *> cabledPorts(const Element &nic, RuleContext &ctx)
{
    std::vector<const Element *> out;
    for (const Element *link : ctx.referrers(nic.id, K::Link)) {
        const QString other = str(*link, "a") == nic.id ? str(*link, "b") : str(*link, "a");
        if (const Element *port = ctx.find(other); port && port->kind == K::SwitchPort)
            out.push_back(port);
    }
    return out;
}

// External virtual switches whose uplink is the NIC or a team it is a member of.
std::vector<const Element *> switchesOver(const Element &nic, RuleContext &ctx)
{
    std::vector<const Element *> out = ctx.referrers(nic.id, K::VirtualSwitch);
    for (const Element *team : ctx.referrers(nic.id, K::Team))
        if (ids(*team, "members").contains(nic.id))
            for (const Element *sw : ctx.referrers(team->id, K::VirtualSwitch))
                out.push_back(sw);
    std::erase_if(out,
                  [](const Element *sw) { return str(*sw, "type") != QLatin1String("External"); });
    return out;
}

// --- What a physical port carries.

enum class PortMode { Unknown, Access, Trunk };

// The port's mode, or the one its VLAN settings imply when the mode is not set.
PortMode portMode(const Element &port)
{
    const QString mode = str(port, "mode");
    if (mode == QLatin1String("Access"))
        return PortMode::Access;
    if (mode == QLatin1String("Trunk") || has(port, "allowedVlans") || has(port, "nativeVlan"))
        return PortMode::Trunk;
    return has(port, "accessVlan") ? PortMode::Access : PortMode::Unknown;
}

// Whether tagged traffic of `vlan` passes the port; nullopt when the design does not say. A trunk
// without an allowed list carries every VLAN (the switches' default).
std::optional<bool> carries(const Element &port, int vlan)
{
    switch (portMode(port)) {
    case PortMode::Access:
        if (!has(port, "accessVlan"))
            return std::nullopt;
        return int(number(port, "accessVlan")) == vlan;
    case PortMode::Trunk:
        if (!has(port, "allowedVlans"))
            return true;
        return ints(port, "allowedVlans").contains(vlan) ||
               (has(port, "nativeVlan") && int(number(port, "nativeVlan")) == vlan);
    case PortMode::Unknown:
        break;
    }
    return std::nullopt;
}

QString portVlanText(const Element &port)
{
    if (portMode(port) == PortMode::Access)
        return QStringLiteral("an access port of VLAN %1").arg(int(number(port, "accessVlan")));
    QString text =
        QStringLiteral("a trunk port allowing %1").arg(vlansText(ints(port, "allowedVlans")));
    if (has(port, "nativeVlan"))
        text += QStringLiteral(" (native VLAN %1)").arg(int(number(port, "nativeVlan")));
    return text;
}

QList<int> uncarried(const Element &port, const QList<int> &vlans)
{
    QList<int> out;
    for (int v : vlans)
        if (carries(port, v) == false)
            out << v;
    return out;
}

// Adds `missing` to a trunk port's allowed list: the one-property fix of a VLAN mismatch.
std::optional<QuickFix> allowOnPort(const Element &port, const QList<int> &missing)
{
    if (portMode(port) != PortMode::Trunk || !has(port, "allowedVlans"))
        return std::nullopt;
    std::set<int> all(missing.begin(), missing.end());
    for (int v : ints(port, "allowedVlans"))
        all.insert(v);
    QJsonArray list;
    for (int v : all)
        list.append(v);
    return setFix(QStringLiteral("Allow %1 on port '%2'").arg(vlansText(missing), port.name()),
                  port.id, "allowedVlans", list);
}

// --- VLAN-001 and its per-kind parts: ids are 1-4094.

struct VlanField
{
    const char *key;
    const char *words;
};

QStringList invalidIds(const Element &e, std::initializer_list<VlanField> single,
                       std::initializer_list<VlanField> lists)
{
    QStringList out;
    for (const VlanField &f : single)
        if (has(e, f.key) && !validVlan(int(number(e, f.key))))
            out << QStringLiteral("%1 %2").arg(QLatin1String(f.words)).arg(int(number(e, f.key)));
    for (const VlanField &f : lists)
        for (int id : ints(e, f.key))
            if (!validVlan(id))
                out << QStringLiteral("%1 %2").arg(QLatin1String(f.words)).arg(id);
    return out;
}

// Drops the invalid ids of a list property, when that alone fixes the element.
std::optional<QuickFix> dropInvalid(const Element &e, const char *key, qsizetype problems)
{
    QJsonArray kept;
    for (int id : ints(e, key))
        if (validVlan(id))
            kept.append(id);
    const qsizetype dropped = ints(e, key).size() - kept.size();
    if (dropped == 0 || dropped != problems || kept.isEmpty())
        return std::nullopt;
    return setFix(QStringLiteral("Remove the invalid VLAN ids of '%1'").arg(e.name()), e.id, key,
                  kept);
}

const char *rangeAdvice = "802.1Q VLAN ids are 1-4094 (0 and 4095 are reserved)";

void vnicVlanIds(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    const QStringList bad = invalidIds(vnic,
                                       {{"accessVlan", "access VLAN"},
                                        {"nativeVlan", "native VLAN"},
                                        {"pvlanPrimary", "PVLAN primary VLAN"},
                                        {"pvlanSecondary", "PVLAN secondary VLAN"}},
                                       {{"trunkVlans", "trunk VLAN"}});
    if (bad.isEmpty())
        return;
    std::optional<QuickFix> fix = dropInvalid(vnic, "trunkVlans", bad.size());
    const QString mode = str(vnic, "vlanMode");
    if (bad.size() == 1 && has(vnic, "accessVlan") && int(number(vnic, "accessVlan")) == 0 &&
        (mode.isEmpty() || mode == QLatin1String("Access")))
        // Hyper-V takes access VLAN 0 to mean untagged.
        fix =
            QuickFix{QStringLiteral("Make vNIC '%1' untagged").arg(vnic.name()),
                     {{vnic.id, QStringLiteral("vlanMode"), QStringLiteral("Untagged")},
                      {vnic.id, QStringLiteral("accessVlan"), QJsonValue(QJsonValue::Undefined)}}};
    out.add(
        QStringLiteral("%1 has %2; %3. Use ids in that range (an untagged vNIC needs no VLAN "
                       "id).")
            .arg(vnicLabel(vnic, ctx), bad.join(QStringLiteral(", ")), QLatin1String(rangeAdvice)),
        {}, fix);
}

void portVlanIds(const Element &port, RuleContext &ctx, FindingSink &out)
{
    const QStringList bad =
        invalidIds(port, {{"accessVlan", "access VLAN"}, {"nativeVlan", "native VLAN"}},
                   {{"allowedVlans", "allowed VLAN"}});
    if (!bad.isEmpty())
        out.add(QStringLiteral("%1 has %2; %3. Use ids in that range.")
                    .arg(portLabel(port, ctx), bad.join(QStringLiteral(", ")),
                         QLatin1String(rangeAdvice)),
                {}, dropInvalid(port, "allowedVlans", bad.size()));
}

void vlanElementId(const Element &vlan, RuleContext &, FindingSink &out)
{
    const int id = int(number(vlan, "vlanId"));
    if (!validVlan(id))
        out.add(QStringLiteral("%1 has id %2; %3.")
                    .arg(label(vlan))
                    .arg(id)
                    .arg(QLatin1String(rangeAdvice)));
}

// --- VLAN-002: a vNIC's VLANs are allowed on the port its uplink is cabled to.

// The VLAN ids a vNIC's frames carry on the wire (none when untagged).
QList<int> taggedVlans(const Element &vnic)
{
    const QString mode = str(vnic, "vlanMode");
    QList<int> out;
    if (mode == QLatin1String("Trunk"))
        out = ints(vnic, "trunkVlans");
    else if (mode == QLatin1String("Pvlan")) {
        for (const char *key : {"pvlanPrimary", "pvlanSecondary"})
            if (has(vnic, key))
                out << int(number(vnic, key));
    } else if ((mode.isEmpty() || mode == QLatin1String("Access")) && has(vnic, "accessVlan"))
        out << int(number(vnic, "accessVlan"));
    out.removeIf([](int id) { return !validVlan(id); }); // VLAN-001 reports them
    std::ranges::sort(out);
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// One finding per port that does not carry all of `vlans`, sent by `who` (a vNIC or a team
// interface, listed after the NIC) through `nic`.
// `who` names the sender; it is built only when there is something to report (hot path).
void reportUncarried(const std::function<QString()> &who, const Element &sender,
                     const QList<int> &vlans, const Element &nic,
                     const std::vector<const Element *> &ports, RuleContext &ctx, FindingSink &out,
                     const QString &change)
{
    for (const Element *port : ports) {
        const QList<int> missing = uncarried(*port, vlans);
        if (missing.isEmpty())
            continue;
        out.add(
            QStringLiteral("%1 sends %2 through NIC '%3', which is cabled to %4; that port is %5 "
                           "and does not carry %6. Allow %6 on the port or %7.")
                .arg(who(), vlansText(vlans), nic.name(), portLabel(*port, ctx),
                     portVlanText(*port), vlansText(missing), change),
            {sender.id, port->id}, allowOnPort(*port, missing));
    }
}

// Anchored on the NIC, where the virtual and physical sides meet: every vNIC on a switch over the
// NIC, and every team interface of a team the NIC is in, against each port the NIC is cabled to.
void vlansOnPorts(const Element &nic, RuleContext &ctx, FindingSink &out)
{
    const std::vector<const Element *> ports = cabledPorts(nic, ctx);
    if (ports.empty())
        return;
    for (const Element *sw : switchesOver(nic, ctx))
        for (const Element *v : ctx.referrers(sw->id, K::VirtualNic))
            if (const QList<int> vlans = taggedVlans(*v); !vlans.isEmpty())
                reportUncarried([&] { return vnicLabel(*v, ctx); }, *v, vlans, nic, ports, ctx, out,
                                QStringLiteral("change the vNIC's VLAN setting"));
    for (const Element *team : ctx.referrers(nic.id, K::Team)) {
        if (!ids(*team, "members").contains(nic.id))
            continue;
        for (const QJsonValue v : team->value(QStringLiteral("teamInterfaces")).toArray()) {
            const QJsonObject tnic = v.toObject();
            const int vlan = tnic.value(QLatin1String("vlan")).toInt();
            if (tnic.contains(QLatin1String("vlan")) && validVlan(vlan))
                reportUncarried(
                    [&] {
                        return QStringLiteral("Team interface '%1' of %2")
                            .arg(tnic.value(QLatin1String("name")).toString(),
                                 labelOnHost(*team, ctx));
                    },
                    *team, {vlan}, nic, ports, ctx, out,
                    QStringLiteral("change the team interface's VLAN"));
        }
    }
}

// --- VLAN-008: the VLAN-001 check on team interfaces.

void teamInterfaceIds(const Element &team, RuleContext &ctx, FindingSink &out)
{
    const QJsonArray interfaces = team.value(QStringLiteral("teamInterfaces")).toArray();
    for (qsizetype i = 0; i < interfaces.size(); ++i) {
        QJsonObject tnic = interfaces.at(i).toObject();
        const int vlan = tnic.value(QLatin1String("vlan")).toInt();
        if (!tnic.contains(QLatin1String("vlan")) || validVlan(vlan))
            continue; // no VLAN: the default, untagged interface
        const QString name = tnic.value(QLatin1String("name")).toString();
        std::optional<QuickFix> fix;
        if (vlan == 0) {
            QJsonArray fixed = interfaces;
            tnic.remove(QLatin1String("vlan"));
            fixed.replace(i, tnic);
            fix = setFix(
                QStringLiteral("Make team interface '%1' the default (untagged) one").arg(name),
                team.id, "teamInterfaces", fixed);
        }
        out.add(
            QStringLiteral("Team interface '%1' of %2 has VLAN %3; %4. Use an id in that range, "
                           "or no VLAN for the default interface.")
                .arg(name, labelOnHost(team, ctx))
                .arg(vlan)
                .arg(QLatin1String(rangeAdvice)),
            {}, fix);
    }
}

// --- VLAN-003: PVLAN pairs, modes and who an isolated or community port can reach.

bool isPvlan(const Element &vnic)
{
    return str(vnic, "vlanMode") == QLatin1String("Pvlan");
}

// A promiscuous port reaches every port of its primary VLAN; a community port reaches its own
// community and the promiscuous ports; an isolated port only the promiscuous ports (004
// l.4206-4226).
bool reaches(const Element &from, const Element &to)
{
    const QString fromMode = str(from, "pvlanMode");
    const QString toMode = str(to, "pvlanMode");
    if (fromMode == QLatin1String("Promiscuous") || toMode == QLatin1String("Promiscuous"))
        return true;
    return fromMode == QLatin1String("Community") && toMode == QLatin1String("Community") &&
           number(from, "pvlanSecondary", -1) == number(to, "pvlanSecondary", -2);
}

void pvlanPair(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    if (!isPvlan(vnic))
        return;
    QStringList missing;
    if (!has(vnic, "pvlanPrimary"))
        missing << QStringLiteral("primary VLAN");
    if (!has(vnic, "pvlanSecondary"))
        missing << QStringLiteral("secondary VLAN");
    if (!has(vnic, "pvlanMode"))
        missing << QStringLiteral("PVLAN mode");
    if (!missing.isEmpty()) {
        out.add(
            QStringLiteral("%1 is in PVLAN mode but has no %2; a PVLAN port needs a primary and "
                           "secondary VLAN pair and a mode (isolated, community or promiscuous).")
                .arg(vnicLabel(vnic, ctx), missing.join(QStringLiteral(", "))));
        return;
    }
    const int primary = int(number(vnic, "pvlanPrimary"));
    if (primary == int(number(vnic, "pvlanSecondary")))
        out.add(QStringLiteral("%1 has VLAN %2 as both PVLAN primary and secondary; the secondary "
                               "VLAN must differ from the primary.")
                    .arg(vnicLabel(vnic, ctx))
                    .arg(primary));
    const QString mode = str(vnic, "pvlanMode");
    if (mode == QLatin1String("Promiscuous") || !has(vnic, "gateway"))
        return;
    for (const Element *gw : ctx.withAddress(str(vnic, "gateway"))) {
        if (gw == &vnic || !isPvlan(*gw) || int(number(*gw, "pvlanPrimary", -1)) != primary ||
            reaches(vnic, *gw))
            continue;
        out.add(QStringLiteral("%1 is a %2 PVLAN port of primary VLAN %3, but its default gateway "
                               "%4 is %5, a %6 port of the same PVLAN: %7. Make the gateway's port "
                               "promiscuous.")
                    .arg(vnicLabel(vnic, ctx), mode.toLower())
                    .arg(primary)
                    .arg(str(vnic, "gateway"), vnicLabel(*gw, ctx), str(*gw, "pvlanMode").toLower(),
                         mode == QLatin1String("Isolated")
                             ? QStringLiteral("an isolated port only reaches promiscuous ports")
                             : QStringLiteral("a community port only reaches its own community "
                                              "and promiscuous ports")),
                {gw->id});
    }
}

// --- VLAN-004: trunk mode.

void trunkNative(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    if (str(vnic, "vlanMode") != QLatin1String("Trunk"))
        return;
    const QList<int> allowed = ints(vnic, "trunkVlans");
    if (allowed.isEmpty()) {
        out.add(QStringLiteral("%1 is in trunk mode but allows no VLAN; list the VLANs it carries.")
                    .arg(vnicLabel(vnic, ctx)));
        return;
    }
    if (!has(vnic, "nativeVlan"))
        return;
    const int native = int(number(vnic, "nativeVlan"));
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
               vnic.id, "trunkVlans", fixed));
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
        if (!isPvlan(*v) || !has(*v, "pvlanPrimary"))
            continue;
        if (!has(*v, "pvlanSecondary"))
            continue;
        if (number(*v, "pvlanPrimary") != number(*v, "pvlanSecondary")) // else VLAN-003's
            asPrimary[int(number(*v, "pvlanPrimary"))].push_back(v);
        Use &use = bySecondary[int(number(*v, "pvlanSecondary"))];
        use.primaries.insert(int(number(*v, "pvlanPrimary")));
        if (has(*v, "pvlanMode") && str(*v, "pvlanMode") != QLatin1String("Promiscuous"))
            use.modes.insert(str(*v, "pvlanMode").toLower());
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

// --- MTU-001 and MTU-002: the MTU along vNIC -> NIC -> port.

void mtuPath(const Element &nic, RuleContext &ctx, FindingSink &out)
{
    if (!has(nic, "mtu"))
        return;
    const int mtu = int(number(nic, "mtu"));
    for (const Element *port : cabledPorts(nic, ctx))
        if (has(*port, "mtu") && int(number(*port, "mtu")) < mtu)
            out.add(QStringLiteral("%1 has MTU %2 but is cabled to %3 with MTU %4; larger frames "
                                   "are dropped there. Raise the port's MTU or lower the NIC's.")
                        .arg(labelOnHost(nic, ctx))
                        .arg(mtu)
                        .arg(portLabel(*port, ctx))
                        .arg(int(number(*port, "mtu"))),
                    {port->id},
                    setFix(QStringLiteral("Set the MTU of NIC '%1' to %2")
                               .arg(nic.name())
                               .arg(int(number(*port, "mtu"))),
                           nic.id, "mtu", int(number(*port, "mtu"))));
    for (const Element *sw : switchesOver(nic, ctx))
        for (const Element *v : ctx.referrers(sw->id, K::VirtualNic))
            if (has(*v, "mtu") && int(number(*v, "mtu")) > mtu)
                out.add(
                    QStringLiteral("%1 has MTU %2, above the MTU %3 of NIC '%4' under its virtual "
                                   "switch '%5'; the path must not shrink. Lower the vNIC's MTU "
                                   "or raise the NIC's.")
                        .arg(vnicLabel(*v, ctx))
                        .arg(int(number(*v, "mtu")))
                        .arg(mtu)
                        .arg(nic.name(), sw->name()),
                    {v->id},
                    setFix(QStringLiteral("Set the MTU of vNIC '%1' to %2").arg(v->name()).arg(mtu),
                           v->id, "mtu", mtu));
}

constexpr int jumbo = 9000;

void iscsiJumboFrames(const Element &nic, RuleContext &ctx, FindingSink &out)
{
    std::vector<const Element *> iscsiVnics;
    for (const Element *sw : switchesOver(nic, ctx))
        for (const Element *v : ctx.referrers(sw->id, K::VirtualNic))
            if (str(*v, "trafficRole") == QLatin1String("iSCSI"))
                iscsiVnics.push_back(v);
    if (str(nic, "role") != QLatin1String("iSCSI") && iscsiVnics.empty())
        return;
    // Unset NIC and vNIC MTUs are Windows' 1500; an unset port MTU is not known.
    std::vector<const Element *> small;
    QStringList parts;
    const auto check = [&](const Element &e, const std::function<QString()> &what,
                           bool unsetIsSmall) {
        if (has(e, "mtu") ? number(e, "mtu") >= jumbo : !unsetIsSmall)
            return;
        small.push_back(&e);
        parts << QStringLiteral("%1 (MTU %2)")
                     .arg(what())
                     .arg(has(e, "mtu") ? int(number(e, "mtu")) : 1500);
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
        fix.changes.push_back({e->id, QStringLiteral("mtu"), jumbo});
    out.add(QStringLiteral("The iSCSI path through %1 does not use jumbo frames: %2. Jumbo frames "
                           "of %3 bytes end to end reduce iSCSI overhead.")
                .arg(labelOnHost(nic, ctx), parts.join(QStringLiteral(", ")))
                .arg(jumbo),
            idsOf(small), fix);
}

} // namespace

void addVlanRules(std::vector<Rule> &out)
{
    const char *ieee = "IEEE 802.1Q (general knowledge)";
    const char *rangeWhy = "802.1Q VLAN ids are 12-bit; 0 (priority tag, no VLAN) and 4095 are "
                           "reserved, so usable ids are 1-4094.";
    out.push_back(rule("VLAN-001", Severity::Error, K::VirtualNic, "VLAN ids are 1-4094", rangeWhy,
                       ieee, vnicVlanIds));
    out.push_back(
        rule("VLAN-002", Severity::Error, K::PhysicalNic,
             "VLANs are allowed on the physical switch port the uplink is cabled to",
             "The VLAN configuration of the physical switch and the virtual switch must "
             "match: the port a NIC is cabled to must carry the VLANs of the vNICs above it "
             "(and of its team's VLAN interfaces), else that traffic is cut off.",
             "004_7c35f0513785686e.txt \"Physical switch management\" l.1925-1935; "
             "002_4fa7ab3843d54fef.txt \"Teaming network cards\" l.66",
             vlansOnPorts));
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
    // VLAN-001 on the other kinds that hold VLAN ids: a rule has one anchor kind.
    out.push_back(rule("VLAN-006", Severity::Error, K::SwitchPort,
                       "Switch port VLAN ids are 1-4094", rangeWhy, ieee, portVlanIds));
    out.push_back(rule("VLAN-007", Severity::Error, K::Vlan, "A VLAN's id is 1-4094", rangeWhy,
                       ieee, vlanElementId));
    out.push_back(rule("VLAN-008", Severity::Error, K::Team, "Team interface VLAN ids are 1-4094",
                       rangeWhy, ieee, teamInterfaceIds));
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
