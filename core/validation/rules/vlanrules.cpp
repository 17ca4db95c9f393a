// VLAN ids and the VLANs physical ports carry: IEEE 802.1Q; 004 "Physical switch management"
// l.1925-1935; 002 "Teaming network cards". The vNICs' VLAN modes are in vlanmoderules.cpp, the MTU
// along the path in mturules.cpp.
#include "../catalog.h"
#include "rulehelpers.h"
#include "vlanpaths.h"

#include <QJsonObject>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

namespace converge::core::rules {

namespace {

using K = ElementKind;

// --- What a physical port carries.

enum class PortMode { Unknown, Access, Trunk };

// The port's mode, or the one its VLAN settings imply when the mode is not set.
PortMode portMode(const Element &port)
{
    const QString mode = str(port, key::mode);
    if (mode == value::access)
        return PortMode::Access;
    if (mode == value::trunk || has(port, key::allowedVlans) || has(port, key::nativeVlan))
        return PortMode::Trunk;
    return has(port, key::accessVlan) ? PortMode::Access : PortMode::Unknown;
}

// Whether tagged traffic of `vlan` passes the port; nullopt when the design does not say. A trunk
// without an allowed list carries every VLAN (the switches' default).
std::optional<bool> carries(const Element &port, int vlan)
{
    switch (portMode(port)) {
    case PortMode::Access:
        if (!has(port, key::accessVlan))
            return std::nullopt;
        return int(number(port, key::accessVlan)) == vlan;
    case PortMode::Trunk:
        if (!has(port, key::allowedVlans))
            return true;
        return ints(port, key::allowedVlans).contains(vlan) ||
               (has(port, key::nativeVlan) && int(number(port, key::nativeVlan)) == vlan);
    case PortMode::Unknown:
        break;
    }
    return std::nullopt;
}

QString portVlanText(const Element &port)
{
    if (portMode(port) == PortMode::Access)
        return QStringLiteral("an access port of VLAN %1").arg(int(number(port, key::accessVlan)));
    QString text =
        QStringLiteral("a trunk port allowing %1").arg(vlansText(ints(port, key::allowedVlans)));
    if (has(port, key::nativeVlan))
        text += QStringLiteral(" (native VLAN %1)").arg(int(number(port, key::nativeVlan)));
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
    if (portMode(port) != PortMode::Trunk || !has(port, key::allowedVlans))
        return std::nullopt;
    std::set<int> all(missing.begin(), missing.end());
    for (int v : ints(port, key::allowedVlans))
        all.insert(v);
    QJsonArray list;
    for (int v : all)
        list.append(v);
    return setFix(QStringLiteral("Allow %1 on port '%2'").arg(vlansText(missing), port.name()),
                  port.id, key::allowedVlans, list);
}

// --- VLAN-001 and its per-kind parts: ids are 1-4094.

struct VlanField
{
    QLatin1StringView key;
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
std::optional<QuickFix> dropInvalid(const Element &e, QLatin1StringView key, qsizetype problems)
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
                                       {{key::accessVlan, "access VLAN"},
                                        {key::nativeVlan, "native VLAN"},
                                        {key::pvlanPrimary, "PVLAN primary VLAN"},
                                        {key::pvlanSecondary, "PVLAN secondary VLAN"}},
                                       {{key::trunkVlans, "trunk VLAN"}});
    if (bad.isEmpty())
        return;
    std::optional<QuickFix> fix = dropInvalid(vnic, key::trunkVlans, bad.size());
    const QString mode = str(vnic, key::vlanMode);
    if (bad.size() == 1 && has(vnic, key::accessVlan) && int(number(vnic, key::accessVlan)) == 0 &&
        (mode.isEmpty() || mode == value::access))
        // Hyper-V takes access VLAN 0 to mean untagged.
        fix = QuickFix{QStringLiteral("Make vNIC '%1' untagged").arg(vnic.name()),
                       {{vnic.id, key::vlanMode, value::untagged},
                        {vnic.id, key::accessVlan, QJsonValue(QJsonValue::Undefined)}}};
    out.add(
        QStringLiteral("%1 has %2; %3. Use ids in that range (an untagged vNIC needs no VLAN "
                       "id).")
            .arg(vnicLabel(vnic, ctx), bad.join(QStringLiteral(", ")), QLatin1String(rangeAdvice)),
        {}, fix);
}

void portVlanIds(const Element &port, RuleContext &ctx, FindingSink &out)
{
    const QStringList bad =
        invalidIds(port, {{key::accessVlan, "access VLAN"}, {key::nativeVlan, "native VLAN"}},
                   {{key::allowedVlans, "allowed VLAN"}});
    if (!bad.isEmpty())
        out.add(QStringLiteral("%1 has %2; %3. Use ids in that range.")
                    .arg(portLabel(port, ctx), bad.join(QStringLiteral(", ")),
                         QLatin1String(rangeAdvice)),
                {}, dropInvalid(port, key::allowedVlans, bad.size()));
}

void vlanElementId(const Element &vlan, RuleContext &, FindingSink &out)
{
    const int id = int(number(vlan, key::vlanId));
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
    const QString mode = str(vnic, key::vlanMode);
    QList<int> out;
    if (mode == value::trunk)
        out = ints(vnic, key::trunkVlans);
    else if (mode == value::pvlan) {
        for (QLatin1StringView key : {key::pvlanPrimary, key::pvlanSecondary})
            if (has(vnic, key))
                out << int(number(vnic, key));
    } else if ((mode.isEmpty() || mode == value::access) && has(vnic, key::accessVlan))
        out << int(number(vnic, key::accessVlan));
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

// Whether a vNIC's frames leave untagged: untagged mode, or no mode and no access VLAN.
bool untagged(const Element &vnic)
{
    const QString mode = str(vnic, key::vlanMode);
    return mode == value::untagged || (mode.isEmpty() && !has(vnic, key::accessVlan));
}

// Untagged frames on a trunk belong to its native VLAN: a trunk without one, or whose allowed
// list leaves it out, drops them. Access ports take them into their VLAN.
void reportUntaggedOnTrunks(const Element &vnic, const Element &nic,
                            const std::vector<const Element *> &ports, RuleContext &ctx,
                            FindingSink &out)
{
    for (const Element *port : ports) {
        if (portMode(*port) != PortMode::Trunk)
            continue;
        const bool native = has(*port, key::nativeVlan);
        const int id = int(number(*port, key::nativeVlan));
        if (native &&
            (!has(*port, key::allowedVlans) || ints(*port, key::allowedVlans).contains(id)))
            continue;
        const QString why =
            native ? QStringLiteral("its native VLAN %1 is not among its allowed VLANs").arg(id)
                   : QStringLiteral("it has no native VLAN");
        out.add(QStringLiteral("%1 sends untagged frames through NIC '%2', which is cabled to %3; "
                               "that port is %4 and %5, so the frames are dropped. Give the port "
                               "a native VLAN it carries, or tag the vNIC's traffic.")
                    .arg(vnicLabel(vnic, ctx), nic.name(), portLabel(*port, ctx),
                         portVlanText(*port), why),
                {vnic.id, port->id}, native ? allowOnPort(*port, {id}) : std::nullopt);
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
            else if (untagged(*v))
                reportUntaggedOnTrunks(*v, nic, ports, ctx, out);
    for (const Element *team : ctx.referrers(nic.id, K::Team)) {
        if (!ids(*team, key::members).contains(nic.id))
            continue;
        for (const QJsonValue v : team->value(key::teamInterfaces).toArray()) {
            const QJsonObject tnic = v.toObject();
            const int vlan = tnic.value(key::vlan).toInt();
            if (tnic.contains(key::vlan) && validVlan(vlan))
                reportUncarried(
                    [&] {
                        return QStringLiteral("Team interface '%1' of %2")
                            .arg(tnic.value(key::name).toString(), labelOnHost(*team, ctx));
                    },
                    *team, {vlan}, nic, ports, ctx, out,
                    QStringLiteral("change the team interface's VLAN"));
        }
    }
}

// --- VLAN-008: the VLAN-001 check on team interfaces.

void teamInterfaceIds(const Element &team, RuleContext &ctx, FindingSink &out)
{
    const QJsonArray interfaces = team.value(key::teamInterfaces).toArray();
    for (qsizetype i = 0; i < interfaces.size(); ++i) {
        QJsonObject tnic = interfaces.at(i).toObject();
        const int vlan = tnic.value(key::vlan).toInt();
        if (!tnic.contains(key::vlan) || validVlan(vlan))
            continue; // no VLAN: the default, untagged interface
        const QString name = tnic.value(key::name).toString();
        std::optional<QuickFix> fix;
        if (vlan == 0) {
            QJsonArray fixed = interfaces;
            tnic.remove(key::vlan);
            fixed.replace(i, tnic);
            fix = setFix(
                QStringLiteral("Make team interface '%1' the default (untagged) one").arg(name),
                team.id, key::teamInterfaces, fixed);
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
             "(and of its team's VLAN interfaces), else that traffic is cut off. Untagged vNIC "
             "traffic rides a trunk's native VLAN: the trunk needs one, and must carry it.",
             "004_7c35f0513785686e.txt \"Physical switch management\" l.1925-1935; "
             "002_4fa7ab3843d54fef.txt \"Teaming network cards\" l.66",
             vlansOnPorts));
    // VLAN-001 on the other kinds that hold VLAN ids: a rule has one anchor kind.
    out.push_back(rule("VLAN-006", Severity::Error, K::SwitchPort,
                       "Switch port VLAN ids are 1-4094", rangeWhy, ieee, portVlanIds));
    out.push_back(rule("VLAN-007", Severity::Error, K::Vlan, "A VLAN's id is 1-4094", rangeWhy,
                       ieee, vlanElementId));
    out.push_back(rule("VLAN-008", Severity::Error, K::Team, "Team interface VLAN ids are 1-4094",
                       rangeWhy, ieee, teamInterfaceIds));
}

} // namespace converge::core::rules
