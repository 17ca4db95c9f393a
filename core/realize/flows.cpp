#include "flows.h"
#include "flowsyntax.h"
#include "portmasks.h"
#include "ratelimits.h"

#include <QCryptographicHash>
#include <QHash>

#include <algorithm>

namespace converge::core::realize {

using namespace flowsyntax;

namespace {

// A prefix of length 0 matches every address; Open vSwitch drops it from the match.
bool matchesAll(const QString &prefix)
{
    return prefix.endsWith(QLatin1String("/0"));
}

bool isV6(const Acl &a)
{
    return a.localPrefix.contains(QLatin1Char(':')) || a.remotePrefix.contains(QLatin1Char(':'));
}

QString l3Match(const Acl &a)
{
    const bool v6 = isV6(a);
    if (a.protocol == QLatin1String("tcp"))
        return v6 ? QStringLiteral("tcp6") : QStringLiteral("tcp");
    if (a.protocol == QLatin1String("udp"))
        return v6 ? QStringLiteral("udp6") : QStringLiteral("udp");
    if (a.protocol == QLatin1String("icmp"))
        return v6 ? QStringLiteral("icmp6") : QStringLiteral("icmp");
    if (!a.localPrefix.isEmpty() || !a.remotePrefix.isEmpty())
        return v6 ? QStringLiteral("ipv6") : QStringLiteral("ip");
    return {};
}

// The match fields every flow of one ACL has, seen from the switch: "out" frames enter from the
// port, "in" frames are addressed to the port's MAC.
QStringList aclBase(const Port &port, const Acl &a)
{
    const bool out = a.direction == QLatin1String("out");
    const bool v6 = isV6(a);
    QStringList base;
    const QString l3 = l3Match(a);
    if (!l3.isEmpty())
        base << l3;
    if (out)
        base << inPort(port.name);
    else
        base << QStringLiteral("dl_dst=") + (a.localMac.isEmpty() ? port.mac : a.localMac);
    if (out && !a.localMac.isEmpty())
        base << QStringLiteral("dl_src=") + a.localMac;
    if (!a.remoteMac.isEmpty())
        base << (out ? QStringLiteral("dl_dst=") : QStringLiteral("dl_src=")) + a.remoteMac;
    const QString src = v6 ? QStringLiteral("ipv6_src=") : QStringLiteral("nw_src=");
    const QString dst = v6 ? QStringLiteral("ipv6_dst=") : QStringLiteral("nw_dst=");
    if (!a.localPrefix.isEmpty() && !matchesAll(a.localPrefix))
        base << (out ? src : dst) + a.localPrefix;
    if (!a.remotePrefix.isEmpty() && !matchesAll(a.remotePrefix))
        base << (out ? dst : src) + a.remotePrefix;
    return base;
}

// One side's ports as masked matches of FIELD ("tp_dst="); no ports is one empty match (any).
QStringList portMatches(const QList<int> &ports, const QString &field)
{
    if (ports.isEmpty())
        return {QString()};
    QStringList out;
    for (const PortMask &m : portMasks(ports))
        out << field + maskText(m);
    return out;
}

// An ACL's matches: its base and one local and one remote port match each.
struct AclMatches
{
    QString base;
    QStringList local;  // tp_src for "out", tp_dst for "in"
    QStringList remote; // the other one
};

AclMatches aclMatches(const Port &port, const Acl &a)
{
    const bool out = a.direction == QLatin1String("out");
    const QString src = QStringLiteral("tp_src="), dst = QStringLiteral("tp_dst=");
    return {aclBase(port, a).join(QLatin1Char(',')), portMatches(a.localPorts, out ? src : dst),
            portMatches(a.remotePorts, out ? dst : src)};
}

QString joined(const QString &a, const QString &b)
{
    return a.isEmpty() || b.isEmpty() ? a + b : a + QLatin1Char(',') + b;
}

int aclPriority(const Acl &a)
{
    if (a.weight > 0)
        return 2000 + std::min(a.weight, 60000);
    const auto length = [](const QString &prefix) {
        return prefix.isEmpty() ? 0 : prefix.section(QLatin1Char('/'), 1).toInt();
    };
    // More specific ACLs win; at equal specificity deny wins over allow (Hyper-V's order).
    const int specific = length(a.localPrefix) + length(a.remotePrefix) +
                         (a.protocol.isEmpty() ? 0 : 1) + (a.localPorts.isEmpty() ? 0 : 1) +
                         (a.remotePorts.isEmpty() ? 0 : 1);
    return 100 + 2 * specific + (a.action == QLatin1String("deny") ? 1 : 0);
}

// Table 0 (admission: the port's meter, if it has one, and the MAC spoofing guard) and the
// guards of table 1.
void guardFlows(const Port &p, const Meter *meter, QStringList &flows)
{
    const QString in = inPort(p.name);
    // The meter comes first, so it sees every frame the vNIC sends (ratelimits.h).
    const QString admit = meter ? QStringLiteral("meter:%1,resubmit(,1)").arg(meter->id)
                                : QStringLiteral("resubmit(,1)");
    if (!p.macSpoofing && !p.mac.isEmpty()) {
        flows << flow(0, 200, in + QStringLiteral(",dl_src=") + p.mac, admit);
        flows << flow(0, 190, in, QStringLiteral("drop"));
    } else if (meter) {
        flows << flow(0, 100, in, admit);
    }
    if (p.dhcpGuard) {
        flows << flow(1, 200, QStringLiteral("udp,") + in + QStringLiteral(",tp_src=67"),
                      QStringLiteral("drop"));
        flows << flow(1, 200, QStringLiteral("udp6,") + in + QStringLiteral(",tp_src=547"),
                      QStringLiteral("drop"));
    }
    if (p.routerGuard) {
        flows << flow(1, 200, QStringLiteral("icmp6,") + in + QStringLiteral(",icmp_type=134"),
                      QStringLiteral("drop"));
        flows << flow(1, 200, QStringLiteral("icmp6,") + in + QStringLiteral(",icmp_type=137"),
                      QStringLiteral("drop"));
    }
}

// Where and how one ACL's flows decide.
struct AclTarget
{
    int table;
    int priority;
    QString actions;
    quint64 cookie;
};

AclTarget aclTarget(const Port &p, const Acl &a, int index)
{
    const quint64 cookie = aclCookie(p.name, index);
    if (a.action == QLatin1String("meter"))
        return {2, 100 + aclPriority(a), QStringLiteral("resubmit(,3)"), cookie};
    return {3, aclPriority(a),
            a.action == QLatin1String("allow") ? QStringLiteral("resubmit(,4)")
                                               : QStringLiteral("drop"),
            cookie};
}

// Both sides with several matches: a conjunctive match (ovs-fields(7) "Conjunctive Match
// Fields"), so the flows are local + remote + 1, never their product. The conj_id flow carries
// the action and the cookie: only it counts packets (the clause flows' counters never move), so
// a meter ACL's counters are its own. Same table and priority for all of them, as OVS requires.
void conjunctiveFlows(const AclMatches &m, const AclTarget &t, int conjId, QStringList &flows)
{
    flows << flow(t.table, t.priority, QStringLiteral("conj_id=%1").arg(conjId), t.actions,
                  t.cookie);
    const auto clauses = [&](const QStringList &side, int k) {
        for (const QString &port : side)
            flows << flow(t.table, t.priority, joined(m.base, port),
                          QStringLiteral("conjunction(%1,%2/2)").arg(conjId).arg(k));
    };
    clauses(m.local, 1);
    clauses(m.remote, 2);
}

// Meter ACLs count in table 2 and continue; allow and deny ACLs decide in table 3. CONJ_ID is
// the bridge's next free conjunction id.
void aclFlows(const Port &p, int &conjId, QStringList &flows)
{
    for (int i = 0; i < p.acls.size(); ++i) {
        const AclTarget t = aclTarget(p, p.acls[i], i);
        const AclMatches m = aclMatches(p, p.acls[i]);
        if (m.local.size() > 1 && m.remote.size() > 1) {
            conjunctiveFlows(m, t, conjId++, flows);
            continue;
        }
        for (const QString &local : m.local)
            for (const QString &remote : m.remote)
                flows << flow(t.table, t.priority, joined(joined(m.base, local), remote), t.actions,
                              t.cookie);
    }
}

bool isClause(const QString &flow)
{
    return flow.contains(QLatin1String(",actions=conjunction("));
}

// Open vSwitch keeps one flow per table, priority and match, so a second one (two equal ACLs,
// two ports with one MAC) would replace the first and the bridge would hold fewer flows than
// its recorded count: the first one stays, the others are left out. Two conjunctive clauses
// with one match become one flow with both conjunction actions (ovs-fields(7)); a flow with
// real actions takes the place of a clause with its match, since at one priority it matches
// first anyway.
std::vector<PurposedFlow> withoutDuplicates(std::vector<PurposedFlow> flows)
{
    QHash<QString, size_t> seen;
    std::vector<PurposedFlow> out;
    out.reserve(flows.size());
    for (PurposedFlow &f : flows) {
        QString key = f.flow.startsWith(QLatin1String("cookie="))
                          ? f.flow.section(QLatin1Char(','), 1)
                          : f.flow;
        key.truncate(key.lastIndexOf(QLatin1String(",actions=")));
        const auto it = seen.constFind(key);
        if (it == seen.cend()) {
            seen.insert(key, out.size());
            out.push_back(std::move(f));
            continue;
        }
        PurposedFlow &kept = out[*it];
        if (isClause(kept.flow) && isClause(f.flow))
            kept.flow += QLatin1Char(',') + f.flow.mid(f.flow.lastIndexOf(u"conjunction("));
        else if (isClause(kept.flow))
            kept = std::move(f);
    }
    return out;
}

void add(std::vector<PurposedFlow> &to, FlowPurpose purpose, const QStringList &flows)
{
    for (const QString &f : flows)
        to.push_back({purpose, f});
}

} // namespace

quint64 aclCookie(const QString &port, int index)
{
    const QByteArray h =
        QCryptographicHash::hash(port.toUtf8(), QCryptographicHash::Sha256).left(4);
    quint64 v = 0;
    for (char c : h)
        v = (v << 8) | static_cast<quint8>(c);
    return (quint64{0xc0} << 56) | (v << 16) | static_cast<quint64>(index & 0xffff);
}

qsizetype aclFlowCount(const Port &port)
{
    qsizetype n = 0;
    for (const Acl &a : port.acls)
        n += aclFlowCount(a.localPorts, a.remotePorts);
    return n;
}

std::vector<PurposedFlow> purposedFlows(const Bridge &bridge)
{
    const std::vector<Meter> meters = bridgeMeters(bridge);
    const auto meterOf = [&](const QString &port) -> const Meter * {
        const auto m = std::ranges::find(meters, port, &Meter::port);
        return m == meters.end() ? nullptr : &*m;
    };
    std::vector<PurposedFlow> flows;
    int conjId = 1; // unique in the bridge (ovs-fields(7))
    for (const Port &p : bridge.ports) {
        QStringList guards, acls;
        guardFlows(p, meterOf(p.name), guards);
        aclFlows(p, conjId, acls);
        // A port's meter flow admits what its guards would: a rate limit unless it also checks
        // the source MAC.
        for (const QString &f : std::as_const(guards))
            add(flows,
                f.contains(QLatin1String("meter:")) && !f.contains(QLatin1String("dl_src="))
                    ? FlowPurpose::RateLimit
                    : FlowPurpose::Guard,
                {f});
        add(flows, FlowPurpose::Acl, acls);
    }
    add(flows, FlowPurpose::Overlay, overlayForwarding(bridge));
    add(flows, FlowPurpose::Pvlan, pvlanForwarding(bridge));
    add(flows, FlowPurpose::Default,
        {flow(0, 0, {}, QStringLiteral("resubmit(,1)")),
         flow(1, 0, {}, QStringLiteral("resubmit(,2)")),
         flow(2, 0, {}, QStringLiteral("resubmit(,3)")),
         flow(3, 0, {}, QStringLiteral("resubmit(,4)")), flow(4, 0, {}, QStringLiteral("NORMAL"))});
    return withoutDuplicates(std::move(flows));
}

QStringList bridgeFlows(const Bridge &bridge)
{
    QStringList flows;
    for (const PurposedFlow &f : purposedFlows(bridge))
        flows << f.flow;
    return flows;
}

QString flowsDigest(const QStringList &flows, const QStringList &meters)
{
    // Meter specs start with "meter=", flows never do; without meters the digest is the one
    // recorded before meters existed.
    const QStringList lines = flows + meters;
    return QString::fromLatin1(
        QCryptographicHash::hash(lines.join(QLatin1Char('\n')).toUtf8(), QCryptographicHash::Sha256)
            .toHex());
}

QString tableDigest(const Bridge &bridge)
{
    return flowsDigest(bridgeFlows(bridge), meterSpecs(bridgeMeters(bridge)));
}

} // namespace converge::core::realize
