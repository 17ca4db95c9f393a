#include "rulehelpers.h"

#include <algorithm>

namespace converge::core::rules {

QString label(const Element &e)
{
    return elementLabel(e);
}

QString labelOnHost(const Element &e, RuleContext &ctx)
{
    const Element *host = ctx.hostOf(e);
    if (!host || host == &e)
        return label(e);
    return label(e) + QStringLiteral(" on host '%1'").arg(host->name());
}

QString vnicLabel(const Element &vnic, RuleContext &ctx)
{
    const Element *owner = ctx.owner(vnic);
    const Element *vm = owner && owner->kind == ElementKind::VirtualMachine ? owner : nullptr;
    return core::vnicLabel(vnic, vm, ctx.hostOf(vm ? *vm : vnic));
}

Rule rule(const char *id, Severity severity, ElementKind anchor, const char *title,
          const char *rationale, const char *source,
          std::function<void(const Element &, RuleContext &, FindingSink &)> check)
{
    return Rule{{QString::fromUtf8(id), severity, QString::fromUtf8(title),
                 QString::fromUtf8(rationale), QString::fromUtf8(source)},
                anchor,
                std::move(check)};
}

QuickFix setFix(const QString &title, const QString &id, QLatin1StringView key,
                const QJsonValue &value)
{
    return QuickFix{title, {{id, key, value}}};
}

QString quoted(const QString &name)
{
    return QLatin1Char('\'') + name + QLatin1Char('\'');
}

QString quotedNames(const std::vector<const Element *> &elements)
{
    QStringList out;
    for (const Element *e : elements)
        out << quoted(e->name());
    return out.join(QStringLiteral(", "));
}

QStringList idsOf(const std::vector<const Element *> &elements)
{
    QStringList out;
    for (const Element *e : elements)
        out << e->id;
    return out;
}

std::vector<const Element *> clashingHolders(const Element &vnic, const QString &address,
                                             RuleContext &ctx,
                                             const std::function<bool(const Element &)> &alike)
{
    std::vector<const Element *> others;
    for (const Element *o : ctx.withAddress(address)) {
        if (o == &vnic || !alike(*o))
            continue;
        if (o->id < vnic.id)
            return {}; // the vNIC whose id sorts first reports the clash
        others.push_back(o);
    }
    std::ranges::sort(others, {}, &Element::id);
    return others;
}

QString andList(QStringList items)
{
    const QString last = items.isEmpty() ? QString() : items.takeLast();
    return items.isEmpty() ? last
                           : items.join(QStringLiteral(", ")) + QStringLiteral(" and ") + last;
}

} // namespace converge::core::rules
