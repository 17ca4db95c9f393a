#include "vlanpaths.h"

#include "rulehelpers.h"

namespace converge::core::rules {

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

QString portLabel(const Element &port, RuleContext &ctx)
{
    const Element *sw = ctx.owner(port);
    return sw ? label(port) + QStringLiteral(" on physical switch '%1'").arg(sw->name())
              : label(port);
}

std::vector<const Element *> cabledPorts(const Element &nic, RuleContext &ctx)
{
    std::vector<const Element *> out;
    for (const Element *link : ctx.referrers(nic.id, K::Link)) {
        const QString other =
            str(*link, key::a) == nic.id ? str(*link, key::b) : str(*link, key::a);
        if (const Element *port = ctx.find(other); port && port->kind == K::SwitchPort)
            out.push_back(port);
    }
    return out;
}

std::vector<const Element *> switchesOver(const Element &nic, RuleContext &ctx)
{
    std::vector<const Element *> out = ctx.referrers(nic.id, K::VirtualSwitch);
    for (const Element *team : ctx.referrers(nic.id, K::Team))
        if (ids(*team, key::members).contains(nic.id))
            for (const Element *sw : ctx.referrers(team->id, K::VirtualSwitch))
                out.push_back(sw);
    std::erase_if(out, [](const Element *sw) { return str(*sw, key::type) != value::external; });
    return out;
}

} // namespace converge::core::rules
