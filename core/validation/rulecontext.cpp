#include "rulecontext.h"

#include "../util/ipaddress.h"

#include <QJsonArray>

#include <algorithm>

namespace converge::core {

QString RuleContext::childrenKey(const QString &parent, ElementKind kind)
{
    return QLatin1Char('c') + QString::number(int(kind)) + QLatin1Char('/') + parent;
}

QString RuleContext::kindKey(ElementKind kind)
{
    return QLatin1Char('k') + QString::number(int(kind));
}

const Element *RuleContext::find(const QString &id)
{
    if (id.isEmpty())
        return nullptr;
    recordElement(id);
    return m_design.find(id);
}

const Element *RuleContext::hostOf(const Element &e)
{
    const Element *at = &e;
    while (at && at->kind != ElementKind::Host)
        at = owner(*at);
    return at;
}

std::vector<const Element *> RuleContext::children(const QString &parent, ElementKind kind)
{
    if (m_deps)
        m_deps->insert(childrenKey(parent, kind));
    auto out = m_design.children(parent, kind);
    for (const Element *e : out)
        recordElement(e->id);
    return out;
}

std::vector<const Element *> RuleContext::all(ElementKind kind)
{
    if (m_deps)
        m_deps->insert(kindKey(kind));
    auto out = m_design.elements(kind);
    for (const Element *e : out)
        recordElement(e->id);
    return out;
}

std::vector<const Element *> RuleContext::resolve(const RuleIndexes::Members &members,
                                                  ElementKind kind)
{
    std::vector<const Element *> out;
    for (const Element *e : members) {
        if (e->kind == kind) {
            recordElement(e->id);
            out.push_back(e);
        }
    }
    // Hash order is arbitrary; checks must not depend on it.
    std::ranges::sort(out, {}, &Element::seq);
    return out;
}

std::vector<const Element *> RuleContext::referrers(const QString &id, ElementKind kind)
{
    if (m_deps)
        m_deps->insert(referrersKey(id));
    auto it = m_indexes.referrers.constFind(id);
    return it == m_indexes.referrers.constEnd() ? std::vector<const Element *>{}
                                                : resolve(*it, kind);
}

std::vector<const Element *> RuleContext::withAddress(const QString &address, ElementKind kind)
{
    if (m_deps)
        m_deps->insert(addressKey(address));
    auto it = m_indexes.byAddress.constFind(address);
    return it == m_indexes.byAddress.constEnd() ? std::vector<const Element *>{}
                                                : resolve(*it, kind);
}

QStringList vnicAddresses(const Element &vnic)
{
    QStringList out;
    for (const QJsonValue v : vnic.value(key::addresses).toArray()) {
        const QString text = v.toString();
        // Loaded documents hold valid prefixes, and inet_pton accepts IPv4 only in canonical
        // dotted form: the text before '/' is the canonical address. IPv6 needs normalizing.
        if (!text.contains(QLatin1Char(':')))
            out << text.left(text.indexOf(QLatin1Char('/')));
        else if (auto prefix = IpPrefix::parse(text))
            out << prefix->address.toString();
    }
    return out;
}

namespace {

QStringList canonical(const QJsonValue &value)
{
    QStringList out;
    const QJsonArray items = value.isArray() ? value.toArray() : QJsonArray{value};
    for (const QJsonValue v : items)
        if (const auto address = IpAddress::parse(v.toString()))
            out << address->toString();
    return out;
}

} // namespace

QStringList heldAddresses(const Element &e)
{
    switch (e.kind) {
    case ElementKind::VirtualNic:
        return vnicAddresses(e);
    case ElementKind::Subnet:
        return canonical(e.value(key::gateway));
    case ElementKind::StorageTarget:
        return canonical(e.value(key::portals));
    case ElementKind::PhysicalSwitch:
        return canonical(e.value(key::managementAddress));
    default:
        return {};
    }
}

} // namespace converge::core
