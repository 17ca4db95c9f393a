// Monitoring: port mirroring and metering ACLs. 002 "Metering and monitoring" l.32; 003 §4.1
// "Diagnostics"; 004 "Resource Metering"; Microsoft docs (Hyper-V Best Practices Analyzer).
#include "../catalog.h"
#include "rulehelpers.h"

#include "../../util/ipaddress.h"

#include <QJsonObject>

namespace converge::core::rules {

namespace {

using K = ElementKind;

// --- MON-001: a session has sources and a destination, all on one virtual switch.

// The switch the session runs on: its own, else the destination's, else the first source's.
QString sessionSwitch(const Element &session, RuleContext &ctx)
{
    if (has(session, key::switch_))
        return str(session, key::switch_);
    QStringList members{str(session, key::destination)};
    members += ids(session, key::sources);
    for (const QString &id : members)
        if (const Element *v = ctx.find(id); v && has(*v, key::switch_))
            return str(*v, key::switch_);
    return {};
}

void checkMember(const Element &session, const Element &vnic, bool isSource, const QString &swId,
                 RuleContext &ctx, FindingSink &out)
{
    const QString what = isSource ? QStringLiteral("a source") : QStringLiteral("the destination");
    const QString vnicSwitch = str(vnic, key::switch_);
    if (vnicSwitch != swId) {
        const Element *sw = ctx.find(swId);
        const Element *own = ctx.find(vnicSwitch);
        // Switches of different hosts may share a name: each is named with its host.
        out.add(QStringLiteral("%1 is %2 of %3 but is on %4, not on %5 where the session runs; "
                               "port mirroring copies traffic within one virtual switch. Connect "
                               "it to that switch or take it out of the session.")
                    .arg(vnicLabel(vnic, ctx), what, label(session),
                         own ? labelOnHost(*own, ctx) : QStringLiteral("no virtual switch"),
                         sw ? labelOnHost(*sw, ctx) : swId),
                {vnic.id});
    }
    const QLatin1String wanted = isSource ? value::source : value::destination;
    const QString role = str(vnic, key::mirroringRole);
    if (role == (isSource ? value::destination : value::source))
        out.add(
            QStringLiteral("%1 is %2 of %3 but its mirroring role is %4; set it to %5.")
                .arg(vnicLabel(vnic, ctx), what, label(session), role, wanted),
            {vnic.id},
            setFix(QStringLiteral("Set the mirroring role of '%1' to %2").arg(vnic.name(), wanted),
                   vnic.id, key::mirroringRole, QString(wanted)));
}

void mirrorSession(const Element &session, RuleContext &ctx, FindingSink &out)
{
    const QStringList sources = ids(session, key::sources);
    const QString destId = str(session, key::destination);
    if (sources.isEmpty())
        out.add(
            QStringLiteral("%1 has no source vNIC; add the vNICs whose traffic is to be copied.")
                .arg(label(session)));
    if (destId.isEmpty())
        out.add(QStringLiteral("%1 has no destination (monitor) vNIC; add the vNIC that receives "
                               "the copies.")
                    .arg(label(session)));
    if (sources.contains(destId))
        out.add(QStringLiteral("%1 has vNIC '%2' as both a source and the destination; the monitor "
                               "port must be another vNIC.")
                    .arg(label(session), ctx.find(destId) ? ctx.find(destId)->name() : destId),
                {destId});
    const QString swId = sessionSwitch(session, ctx);
    for (const QString &id : sources)
        if (const Element *v = ctx.find(id))
            checkMember(session, *v, true, swId, ctx, out);
    if (const Element *dest = ctx.find(destId); dest && !sources.contains(destId))
        checkMember(session, *dest, false, swId, ctx, out);
}

// --- MON-002: metering ACLs that separate Internet from datacenter traffic.

enum class MeterScope { None, Everything, Prefix };

MeterScope meterScope(const QJsonObject &acl)
{
    if (acl.value(key::action).toString() != value::meter)
        return MeterScope::None;
    const auto remote = IpPrefix::parse(acl.value(key::remoteAddress).toString());
    if (remote)
        return remote->length == 0 ? MeterScope::Everything : MeterScope::Prefix;
    const bool byMac = acl.contains(key::remoteMac) || acl.contains(key::localMac);
    return byMac ? MeterScope::None : MeterScope::Everything;
}

QuickFix addMeterAcl(const Element &vnic, const QString &remote, const QString &why)
{
    QJsonArray acls = vnic.value(key::acls).toArray();
    acls.append(QJsonObject{
        {key::direction, value::both}, {key::action, value::meter}, {key::remoteAddress, remote}});
    return setFix(QStringLiteral("Meter %1 (%2) on vNIC '%3'").arg(remote, why, vnic.name()),
                  vnic.id, key::acls, acls);
}

void meteringSplit(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    bool everything = false;
    bool prefix = false;
    bool v6 = false;
    for (const QJsonValue v : vnic.value(key::acls).toArray()) {
        const MeterScope scope = meterScope(v.toObject());
        everything = everything || scope == MeterScope::Everything;
        prefix = prefix || scope == MeterScope::Prefix;
        if (scope == MeterScope::Prefix)
            v6 = v6 || v.toObject().value(key::remoteAddress).toString().contains(QLatin1Char(':'));
    }
    if (everything && !prefix) {
        std::optional<QuickFix> fix;
        for (const QJsonValue a : vnic.value(key::addresses).toArray())
            if (auto p = IpPrefix::parse(a.toString()); p && !fix) {
                const IpPrefix net = p->network();
                fix = addMeterAcl(
                    vnic, net.address.toString() + QLatin1Char('/') + QString::number(net.length),
                    QStringLiteral("datacenter traffic"));
            }
        out.add(
            QStringLiteral("%1 meters every remote address with one ACL, so Internet and "
                           "datacenter traffic are counted together. To separate them, add "
                           "Meter ACLs for the internal prefixes beside the one for the default "
                           "gateway's side.")
                .arg(vnicLabel(vnic, ctx)),
            {}, fix);
    } else if (prefix && !everything) {
        const QString all = v6 ? QStringLiteral("::/0") : QStringLiteral("0.0.0.0/0");
        out.add(QStringLiteral("%1 meters only internal prefixes; add a Meter ACL for %2 (the "
                               "default gateway's side) so Internet traffic is metered separately.")
                    .arg(vnicLabel(vnic, ctx), all),
                {}, addMeterAcl(vnic, all, QStringLiteral("Internet traffic")));
    }
}

// --- MON-003: a switch with mirroring sources has a destination, and vice versa.

// A vNIC's mirroring role: its own, else the one a mirror session gives it.
QString mirroringRole(const Element &vnic, RuleContext &ctx)
{
    const QString role = str(vnic, key::mirroringRole);
    if (role == value::source || role == value::destination)
        return role;
    for (const Element *s : ctx.referrers(vnic.id, K::MirrorSession)) {
        if (ids(*s, key::sources).contains(vnic.id))
            return value::source;
        if (str(*s, key::destination) == vnic.id)
            return value::destination;
    }
    return {};
}

// Anchored on the vNICs that have a mirroring role, so other vNICs cost nothing.
void mirroringPairs(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    const QString role = str(vnic, key::mirroringRole);
    if (role != value::source && role != value::destination)
        return;
    const Element *sw = ctx.find(str(vnic, key::switch_));
    if (!sw || sw->kind != K::VirtualSwitch)
        return;
    const QString wanted =
        role == value::source ? QString(value::destination) : QString(value::source);
    for (const Element *other : ctx.referrers(sw->id, K::VirtualNic))
        if (other != &vnic && mirroringRole(*other, ctx) == wanted)
            return;
    if (role == value::source)
        out.add(QStringLiteral("%1 is a mirroring source on %2, which has no destination vNIC, so "
                               "the copies go nowhere; set the monitoring vNIC's mirroring role "
                               "to Destination.")
                    .arg(vnicLabel(vnic, ctx), label(*sw)),
                {sw->id});
    else
        out.add(QStringLiteral("%1 is a mirroring destination on %2, which has no source vNIC, "
                               "so nothing is copied to it; set the mirroring role of the vNICs "
                               "to watch to Source.")
                    .arg(vnicLabel(vnic, ctx), label(*sw)),
                {sw->id});
}

} // namespace

void addMonitoringRules(std::vector<Rule> &out)
{
    out.push_back(
        rule("MON-001", Severity::Error, K::MirrorSession,
             "A mirroring session has sources and a destination on one switch",
             "Port mirroring copies the traffic of one or more vNICs to a monitoring port "
             "on the same virtual switch, where a network monitor captures it.",
             "002_4fa7ab3843d54fef.txt l.32; 003_8b87448cefe986c9.txt §4.1 \"Diagnostics\"",
             mirrorSession));
    out.push_back(
        rule("MON-002", Severity::Info, K::VirtualNic,
             "Metering ACLs separate Internet from datacenter traffic",
             "A port ACL with the Meter action can separate Internet (default gateway) "
             "traffic from datacenter internal traffic for metering.",
             "002_4fa7ab3843d54fef.txt l.32; 004_7c35f0513785686e.txt \"Resource Metering\"",
             meteringSplit));
    out.push_back(
        rule("MON-003", Severity::Warning, K::VirtualNic,
             "Mirroring sources and destinations come in pairs on a switch",
             "A virtual switch with port-mirroring sources needs at least one destination "
             "vNIC, and a destination needs sources.",
             "Microsoft docs: BPA port mirroring source/destination rules", mirroringPairs));
}

} // namespace converge::core::rules
