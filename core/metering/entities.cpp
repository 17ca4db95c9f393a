#include "entities.h"

#include "core/model/newelements.h"
#include "core/model/propertykeys.h"

namespace converge::core::metering {

namespace {

MeteredEntity pool(const Design &design, const Element &element)
{
    MeteredEntity group{{},
                        QStringLiteral("pool/") + element.id,
                        QStringLiteral("%1 (resource pool)").arg(element.name())};
    for (const Element *vm : design.elements(ElementKind::VirtualMachine))
        if (vm->props.value(key::resourcePool).toString() == element.id)
            if (const Element *host = hostOf(design, *vm); host && !host->name().isEmpty())
                group.members.emplace_back(host->name(), QStringLiteral("vm/") + vm->id);
    return group;
}

} // namespace

std::optional<MeteredEntity> meteredEntity(const Design &design, const Element &element)
{
    if (element.kind == ElementKind::ResourcePool)
        return pool(design, element);
    const Element *host = hostOf(design, element);
    if (!host || host->name().isEmpty())
        return std::nullopt;
    const QString on = host->name();
    switch (element.kind) {
    case ElementKind::Host:
        return MeteredEntity{on, {}, on};
    case ElementKind::VirtualMachine:
        return MeteredEntity{on, QStringLiteral("vm/") + element.id,
                             QStringLiteral("%1 (VM on %2)").arg(element.name(), on)};
    case ElementKind::VirtualNic:
        return MeteredEntity{on, QStringLiteral("vnic/") + element.id,
                             QStringLiteral("%1 (vNIC on %2)").arg(element.name(), on)};
    case ElementKind::PhysicalNic: {
        // The host samples interfaces by their name in the OS.
        const QString os = element.value(key::interfaceName).toString();
        const QString name = os.isEmpty() ? element.name() : os;
        if (name.isEmpty())
            return std::nullopt;
        return MeteredEntity{on, QStringLiteral("if/") + name,
                             QStringLiteral("%1 on %2").arg(name, on)};
    }
    default:
        return std::nullopt;
    }
}

} // namespace converge::core::metering
