#include "entities.h"

#include "core/model/newelements.h"

namespace converge::core::metering {

std::optional<MeteredEntity> meteredEntity(const Design &design, const Element &element)
{
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
    case ElementKind::PhysicalNic:
        if (element.name().isEmpty())
            return std::nullopt;
        return MeteredEntity{on, QStringLiteral("if/") + element.name(),
                             QStringLiteral("%1 on %2").arg(element.name(), on)};
    default:
        return std::nullopt;
    }
}

} // namespace converge::core::metering
