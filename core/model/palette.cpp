#include "palette.h"

#include "commands.h"
#include "newelements.h"
#include "schema.h"

#include "../util/ipaddress.h"

#include <QJsonObject>

namespace converge::core::palette {

namespace {

using K = ElementKind;

// The palette's order; each kind's new-element name and hint are in the kind table.
constexpr K paletteOrder[] = {
    K::Host,       K::PhysicalNic,    K::Team,          K::VirtualSwitch, K::VirtualMachine,
    K::VirtualNic, K::PhysicalSwitch, K::SwitchPort,    K::Vlan,          K::Subnet,
    K::VmNetwork,  K::StorageTarget,  K::MirrorSession, K::ResourcePool,  K::DhcpFailover,
};

// The first "stem N" no sibling of the same kind uses (all of the kind for top-level kinds).
QString freeName(const Design &design, K kind, const QString &parent, const QString &stem)
{
    QStringList taken;
    const auto siblings = parent.isEmpty() ? design.elements(kind) : design.children(parent, kind);
    for (const Element *e : siblings)
        taken << e->name();
    for (int n = 1;; ++n) {
        const QString name = stem + QString::number(n);
        if (!taken.contains(name))
            return name;
    }
}

int freeVlanId(const Design &design)
{
    QList<int> used;
    for (const Element *v : design.elements(K::Vlan))
        used << v->value(key::vlanId).toInt();
    for (int id = 10; id < 4095; id += 10) {
        if (!used.contains(id))
            return id;
    }
    for (int id = 2; id < 4095; ++id) {
        if (!used.contains(id))
            return id;
    }
    return 1;
}

// The first 10.N.0.0/24 that overlaps no subnet of the design.
QString freePrefix(const Design &design)
{
    std::vector<IpPrefix> used;
    for (const Element *s : design.elements(K::Subnet)) {
        if (auto p = IpPrefix::parse(s->value(key::prefix).toString()))
            used.push_back(*p);
    }
    for (int n = 1; n < 256; ++n) {
        const QString text = QStringLiteral("10.%1.0.0/24").arg(n);
        const auto parsed = IpPrefix::parse(text);
        if (!parsed)
            continue;
        const IpPrefix &candidate = *parsed;
        const bool clash =
            std::ranges::any_of(used, [&](const IpPrefix &p) { return p.overlaps(candidate); });
        if (!clash)
            return text;
    }
    return QStringLiteral("172.16.0.0/24");
}

} // namespace

QList<ElementKind> kinds()
{
    return QList<ElementKind>(std::begin(paletteOrder), std::end(paletteOrder));
}

Result<QString> ownerFor(const Design &design, ElementKind kind, const QStringList &selection)
{
    const QList<ElementKind> owners = kindSpec(kind).parentKinds;
    if (owners.isEmpty())
        return QString();
    for (const QString &id : selection) {
        for (const Element *at = design.find(id); at; at = design.find(at->parent)) {
            if (owners.contains(at->kind))
                return at->id;
        }
    }
    QStringList names;
    for (ElementKind k : owners)
        names << kindWords(k);
    return fail(Error::Code::InvalidInput,
                QStringLiteral("Select a %1 to add a %2 to.")
                    .arg(names.join(QStringLiteral(" or a ")), kindWords(kind)));
}

Result<Edit> addDefault(const Design &design, ElementKind kind, const QString &parent)
{
    QJsonObject props;
    QString name = freeName(design, kind, parent, kindTexts(kind).newName);
    switch (kind) {
    case K::Host:
        props.insert(key::platform, value::hyperv);
        break;
    case K::PhysicalNic:
        props.insert(key::interfaceName, name);
        props.insert(key::speed, 10'000'000'000.0);
        break;
    case K::VirtualSwitch:
        props.insert(key::type, value::private_); // External once uplinked
        break;
    case K::Vlan: {
        const int id = freeVlanId(design);
        props.insert(key::vlanId, id);
        name = QStringLiteral("VLAN %1").arg(id);
        break;
    }
    case K::Subnet:
        props.insert(key::prefix, freePrefix(design));
        break;
    case K::VmNetwork:
        props.insert(key::isolation, value::vlan);
        break;
    case K::Link:
    case K::Suppression:
        return fail(Error::Code::InvalidInput,
                    QStringLiteral("a %1 is not added from the palette").arg(kindWords(kind)));
    default:
        break;
    }
    props.insert(key::name, name);
    auto edit = commands::addElement(design, kind, parent, props);
    if (edit)
        edit->description = QStringLiteral("Add %1 '%2'").arg(kindWords(kind), name);
    return edit;
}

} // namespace converge::core::palette
