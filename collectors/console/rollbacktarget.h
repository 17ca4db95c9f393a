#pragma once

#include "core/deploy/deploytypes.h"
#include "core/model/design.h"

namespace converge::core {
class ProjectStore;
}

// Rolling one host back to what an earlier deployment left on it: that deployment's recorded
// desired state for the host, deployed again through the same plan, apply and confirmation.
namespace converge::collectors {

struct RollbackTarget
{
    qint64 deployment = 0;
    QString host;
    core::realize::HostState desired;
    core::Design snapshot; // the design that deployment deployed
    QString label() const; // "rollback of hv2 to deployment #1"
};

// Fails when there is no such deployment, the host was not in it, or it did not leave the host
// in a known state.
core::Result<RollbackTarget> rollbackTarget(const core::ProjectStore &store, qint64 deployment,
                                            const QString &host);

} // namespace converge::collectors
