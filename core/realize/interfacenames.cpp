#include "interfacenames.h"
#include "hoststate.h"

#include "core/model/design.h"
#include "core/model/newelements.h"

#include <QCryptographicHash>

namespace converge::core::realize {

using core::Design;
using core::Element;
using core::ElementKind;

namespace {

QString hashedName(const QString &id)
{
    return QStringLiteral("cv") +
           QString::fromLatin1(
               QCryptographicHash::hash(id.toUtf8(), QCryptographicHash::Sha1).toHex().left(10));
}

QString preferredName(const Design &design, const Element &e)
{
    const auto str = [&](QLatin1StringView key) {
        return e.value(key).toString();
    };
    switch (e.kind) {
    case ElementKind::PhysicalNic:
        return str(key::interfaceName);
    case ElementKind::VirtualNic: {
        if (!str(key::hostInterface).isEmpty())
            return str(key::hostInterface);
        const Element *owner = design.find(e.parent);
        if (owner && owner->kind == ElementKind::VirtualMachine)
            return owner->name() + QLatin1Char('-') + e.name();
        return e.name();
    }
    default:
        return e.name();
    }
}

} // namespace

InterfaceNames::InterfaceNames(const Design &design)
    : m_design(design)
{
}

Result<QString> InterfaceNames::claim(const Element &e)
{
    QString name = preferredName(m_design, e);
    if (!isValidInterfaceName(name) || m_used.contains(name))
        name = hashedName(e.id);
    if (m_used.contains(name))
        return core::invalid(QStringLiteral("%1: its host interface name \"%2\" is already taken")
                                 .arg(core::describe(e), name));
    m_used.insert(name);
    m_byId.insert(e.id, name);
    return name;
}

QString InterfaceNames::of(const QString &id) const
{
    return m_byId.value(id);
}

} // namespace converge::core::realize
