#include "targets.h"

#include "core/model/design.h"
#include "core/realize/desiredstate.h"

namespace converge::collectors {

core::Result<TargetChoice> chooseTargets(const core::Design &design,
                                         const std::vector<FleetHost> &hosts,
                                         const QStringList &only)
{
    for (const QString &name : only)
        if (!hostNamed(design, name))
            return core::invalid(QStringLiteral("no host named \"%1\" in the design").arg(name));
    TargetChoice choice;
    for (const FleetHost &h : hosts) {
        if (!only.isEmpty() && !only.contains(h.name))
            continue;
        if (h.status == FleetHost::Status::NotEnrolled) {
            choice.notEnrolled << h.name;
        } else if (h.status != FleetHost::Status::Ready) {
            choice.bundleHosts << h.name;
        } else {
            auto desired = core::realize::desiredState(design, h.id);
            if (!desired)
                return core::invalid(QStringLiteral("%1: %2").arg(h.name, desired.error().message));
            choice.targets.push_back(
                {h.name, h.agent->address, h.agent->fingerprint, std::move(*desired)});
        }
    }
    return choice;
}

} // namespace converge::collectors
