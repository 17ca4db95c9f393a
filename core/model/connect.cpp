#include "connect.h"

#include "commands.h"
#include "newelements.h"

#include <QJsonArray>

namespace converge::core::commands {

namespace {

using K = ElementKind;

enum class Relation { None, SwitchMember, TeamMember, Uplink, Cable };

// The two elements in the order the relation reads them: (vNIC, switch), (NIC, team),
// (NIC or team, switch), (NIC or port, port).
struct Pair
{
    const Element *a;
    const Element *b;
    Relation relation;
};

Relation relationOf(const Element &a, const Element &b)
{
    if (a.kind == K::VirtualNic && b.kind == K::VirtualSwitch)
        return Relation::SwitchMember;
    if (a.kind == K::PhysicalNic && b.kind == K::Team)
        return Relation::TeamMember;
    if ((a.kind == K::PhysicalNic || a.kind == K::Team) && b.kind == K::VirtualSwitch)
        return Relation::Uplink;
    if ((a.kind == K::PhysicalNic || a.kind == K::SwitchPort) && b.kind == K::SwitchPort)
        return Relation::Cable;
    return Relation::None;
}

Result<Pair> pairOf(const Design &design, const QString &from, const QString &to, const char *verb)
{
    const Element *x = design.find(from);
    const Element *y = design.find(to);
    if (!x || !y)
        return fail(Error::Code::NotFound,
                    QStringLiteral("no element with id '%1'").arg(x ? to : from));
    if (x == y)
        return invalid(QStringLiteral("cannot %1 %2 %3 itself")
                           .arg(QLatin1String(verb), describe(*x),
                                qstrcmp(verb, "connect") == 0 ? QStringLiteral("to")
                                                              : QStringLiteral("from")));
    // Two ports are taken in creation order, so the cable is the same in either direction.
    if (x->kind == K::SwitchPort && y->kind == K::SwitchPort && y->seq < x->seq)
        std::swap(x, y);
    if (Relation r = relationOf(*x, *y); r != Relation::None)
        return Pair{x, y, r};
    if (Relation r = relationOf(*y, *x); r != Relation::None)
        return Pair{y, x, r};
    return Pair{x, y, Relation::None};
}

// "Mgmt", "switch LAN", "team LAN", "port Te1/0/1 of tor1": how descriptions name an end.
QString phrase(const Design &design, const Element &e)
{
    switch (e.kind) {
    case K::VirtualSwitch:
        return QStringLiteral("switch ") + e.name();
    case K::Team:
        return QStringLiteral("team ") + e.name();
    case K::SwitchPort:
        if (const Element *owner = design.find(e.parent))
            return QStringLiteral("port %1 of %2").arg(e.name(), owner->name());
        return QStringLiteral("port ") + e.name();
    default:
        return e.name();
    }
}

// A vNIC, NIC or team connects only to a switch or team of its own host.
Result<void> sameHost(const Design &design, const Element &a, const Element &b)
{
    const Element *ha = hostOf(design, a);
    const Element *hb = hostOf(design, b);
    if (ha && ha == hb)
        return {};
    return invalid(QStringLiteral("%1 is on host '%2' and %3 on host '%4'; they connect only on "
                                  "the same host")
                       .arg(describe(a), ha ? ha->name() : QString(), describe(b),
                            hb ? hb->name() : QString()));
}

bool hasMember(const Element &team, const QString &id)
{
    return team.value(key::members).toArray().contains(id);
}

const Element *teamOf(const Design &design, const Element &nic)
{
    for (const Element *t : design.children(nic.parent, K::Team))
        if (hasMember(*t, nic.id))
            return t;
    return nullptr;
}

const Element *switchUsing(const Design &design, const Element &uplink)
{
    for (const Element *sw : design.children(uplink.parent, K::VirtualSwitch))
        if (sw->value(key::uplink).toString() == uplink.id)
            return sw;
    return nullptr;
}

const Element *cableOf(const Design &design, const QString &end)
{
    for (const Element *link : design.elements(K::Link))
        if (link->value(key::a).toString() == end || link->value(key::b).toString() == end)
            return link;
    return nullptr;
}

std::unexpected<Error> conflict(const QString &message)
{
    return fail(Error::Code::Conflict, message);
}

Result<Edit> described(Result<Edit> edit, const QString &description)
{
    if (edit)
        edit->description = description;
    return edit;
}

Result<Edit> connectToSwitch(const Design &design, const Element &vnic, const Element &sw)
{
    if (vnic.value(key::switch_).toString() == sw.id)
        return conflict(
            QStringLiteral("%1 is already connected to %2").arg(vnic.name(), phrase(design, sw)));
    return setProperty(design, vnic.id, key::switch_, sw.id);
}

Result<Edit> joinTeam(const Design &design, const Element &nic, const Element &team)
{
    if (hasMember(team, nic.id))
        return conflict(
            QStringLiteral("%1 is already a member of %2").arg(nic.name(), phrase(design, team)));
    if (const Element *other = teamOf(design, nic))
        return conflict(QStringLiteral("%1 is already a member of %2; a NIC is a member of one "
                                       "team only")
                            .arg(nic.name(), phrase(design, *other)));
    // A team member is not also used alone (VSW-008).
    if (const Element *sw = switchUsing(design, nic))
        return conflict(QStringLiteral("%1 is the uplink of %2; a team member is not also used "
                                       "alone, so connect the team to the switch instead")
                            .arg(nic.name(), phrase(design, *sw)));
    QJsonArray members = team.value(key::members).toArray();
    members.append(nic.id);
    return setProperty(design, team.id, key::members, members);
}

Result<Edit> setUplink(const Design &design, const Element &uplink, const Element &sw)
{
    if (sw.value(key::uplink).toString() == uplink.id)
        return conflict(QStringLiteral("%1 is already the uplink of %2")
                            .arg(phrase(design, uplink), phrase(design, sw)));
    if (const Element *other = switchUsing(design, uplink))
        return conflict(QStringLiteral("%1 is already the uplink of %2; a NIC or team is the "
                                       "uplink of one switch only (VSW-008)")
                            .arg(phrase(design, uplink), phrase(design, *other)));
    if (const Element *team = uplink.kind == K::PhysicalNic ? teamOf(design, uplink) : nullptr)
        return conflict(QStringLiteral("%1 is a member of %2; connect the team to the switch "
                                       "instead")
                            .arg(uplink.name(), phrase(design, *team)));
    auto edit = setProperty(design, sw.id, key::uplink, uplink.id);
    // Only an external switch has an uplink; an internal or private one becomes external.
    if (edit && sw.value(key::type).toString() != value::external) {
        auto type = setProperty(design, sw.id, key::type, value::external);
        if (!type)
            return type;
        edit->ops.insert(edit->ops.end(), type->ops.begin(), type->ops.end());
    }
    return edit;
}

// "HV01 eth1", "tor1 Te1/0/1": a cable end with its owner, as the samples name links.
QString endName(const Design &design, const Element &end)
{
    const Element *owner = design.find(end.parent);
    return owner ? owner->name() + QLatin1Char(' ') + end.name() : end.name();
}

Result<Edit> cable(const Design &design, const Element &a, const Element &b)
{
    for (const Element *end : {&a, &b})
        if (const Element *link = cableOf(design, end->id))
            return conflict(QStringLiteral("%1 already has a cable (link '%2'); disconnect it "
                                           "first")
                                .arg(phrase(design, *end), link->name()));
    const QJsonObject props{
        {key::name, endName(design, a) + QStringLiteral(" - ") + endName(design, b)},
        {key::a, a.id},
        {key::b, b.id}};
    return addElement(design, K::Link, {}, props);
}

// What a kind connects to, as a hint when a drag means nothing.
QString connectsTo(ElementKind kind)
{
    switch (kind) {
    case K::VirtualNic:
        return QStringLiteral("a vNIC connects to a virtual switch");
    case K::PhysicalNic:
        return QStringLiteral("a physical NIC connects to a team, a virtual switch or a switch "
                              "port");
    case K::Team:
        return QStringLiteral("a team connects to a physical NIC or a virtual switch");
    case K::VirtualSwitch:
        return QStringLiteral("a virtual switch connects to a vNIC, a physical NIC or a team");
    case K::SwitchPort:
        return QStringLiteral("a switch port connects to a physical NIC or another switch port");
    default:
        return {};
    }
}

// "cannot connect a host to a VLAN", "cannot connect a vNIC to a team; a vNIC connects to a
// virtual switch".
QString notConnectable(const char *verb, const Element &from, const Element &to)
{
    const bool connecting = qstrcmp(verb, "connect") == 0;
    QString out =
        QStringLiteral("cannot %1 a %2 %3 a %4")
            .arg(QLatin1String(verb), kindWords(from.kind),
                 connecting ? QStringLiteral("to") : QStringLiteral("from"), kindWords(to.kind));
    const QString hint =
        connectsTo(from.kind).isEmpty() ? connectsTo(to.kind) : connectsTo(from.kind);
    return hint.isEmpty() ? out : out + QStringLiteral("; ") + hint;
}

} // namespace

Result<Edit> connect(const Design &design, const QString &from, const QString &to)
{
    auto pair = pairOf(design, from, to, "connect");
    if (!pair)
        return std::unexpected(pair.error());
    const auto [a, b, relation] = *pair;
    if (relation == Relation::None)
        return invalid(notConnectable("connect", *a, *b));
    if (relation != Relation::Cable)
        if (auto ok = sameHost(design, *a, *b); !ok)
            return std::unexpected(ok.error());
    const QString description =
        QStringLiteral("Connect %1 to %2").arg(phrase(design, *a), phrase(design, *b));
    switch (relation) {
    case Relation::SwitchMember:
        return described(connectToSwitch(design, *a, *b), description);
    case Relation::TeamMember:
        return described(joinTeam(design, *a, *b), description);
    case Relation::Uplink:
        return described(setUplink(design, *a, *b), description);
    case Relation::Cable:
        return described(cable(design, *a, *b), description);
    case Relation::None:
        break;
    }
    return invalid(notConnectable("connect", *a, *b));
}

Result<Edit> disconnect(const Design &design, const QString &from, const QString &to)
{
    auto pair = pairOf(design, from, to, "disconnect");
    if (!pair)
        return std::unexpected(pair.error());
    const auto [a, b, relation] = *pair;
    const QString description =
        QStringLiteral("Disconnect %1 from %2").arg(phrase(design, *a), phrase(design, *b));
    const auto notConnected = [&] {
        return conflict(QStringLiteral("%1 is not connected to %2")
                            .arg(phrase(design, *a), phrase(design, *b)));
    };
    switch (relation) {
    case Relation::SwitchMember:
        if (a->value(key::switch_).toString() != b->id)
            return notConnected();
        return described(setProperty(design, a->id, key::switch_, QJsonValue::Undefined),
                         description);
    case Relation::TeamMember: {
        if (!hasMember(*b, a->id))
            return notConnected();
        QJsonArray members;
        for (const QJsonValue m : b->value(key::members).toArray())
            if (m.toString() != a->id)
                members.append(m);
        std::vector<Result<Edit>> parts{setProperty(design, b->id, key::members, members)};
        // The standby member is one of the members; it goes with the NIC.
        if (b->value(key::standbyMember).toString() == a->id)
            parts.push_back(setProperty(design, b->id, key::standbyMember, QJsonValue::Undefined));
        std::vector<Edit> edits;
        for (auto &part : parts) {
            if (!part)
                return part;
            edits.push_back(*part);
        }
        return combine(description, edits);
    }
    case Relation::Uplink:
        if (b->value(key::uplink).toString() != a->id)
            return notConnected();
        return described(setProperty(design, b->id, key::uplink, QJsonValue::Undefined),
                         description);
    case Relation::Cable:
        for (const Element *link : design.elements(K::Link)) {
            const QString la = link->value(key::a).toString();
            const QString lb = link->value(key::b).toString();
            if ((la == a->id && lb == b->id) || (la == b->id && lb == a->id))
                return described(removeElements(design, {link->id}), description);
        }
        return conflict(QStringLiteral("there is no cable between %1 and %2")
                            .arg(phrase(design, *a), phrase(design, *b)));
    case Relation::None:
        break;
    }
    return invalid(notConnectable("disconnect", *a, *b));
}

} // namespace converge::core::commands
