#include "fleetstatus.h"

#include <QObject>

namespace converge::views {

QString statusText(const collectors::FleetHost &host)
{
    switch (host.status) {
    case collectors::FleetHost::Status::Ready:
        return QObject::tr("enrolled");
    case collectors::FleetHost::Status::NotEnrolled:
        return QObject::tr("not enrolled: Deploy > Fleet\u2026");
    case collectors::FleetHost::Status::HyperV:
        return QObject::tr("Hyper-V: export a bundle");
    case collectors::FleetHost::Status::OtherPlatform:
        return QObject::tr("platform %1: no agent").arg(host.platform);
    }
    return {};
}

QString storeProblem(const core::Error &error)
{
    if (error.code == core::Error::Code::NotFound)
        return QObject::tr("No agent is enrolled for this design yet: Deploy > Fleet\u2026 "
                           "enrolls them.");
    return error.message;
}

} // namespace converge::views
