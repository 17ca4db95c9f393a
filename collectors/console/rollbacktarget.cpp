#include "rollbacktarget.h"

#include "core/store/projectstore.h"

namespace converge::collectors {

QString RollbackTarget::label() const
{
    return QStringLiteral("rollback of %1 to deployment #%2").arg(host).arg(deployment);
}

core::Result<RollbackTarget> rollbackTarget(const core::ProjectStore &store, qint64 deployment,
                                            const QString &host)
{
    auto record = store.deployment(deployment);
    if (!record)
        return std::unexpected(record.error());
    const std::optional<core::deploy::DeploymentRecord> &found = *record;
    if (!found)
        return core::invalid(QStringLiteral("there is no deployment #%1").arg(deployment));
    const core::deploy::DeploymentHost *row = nullptr;
    for (const core::deploy::DeploymentHost &h : found->hosts)
        if (h.host == host)
            row = &h;
    if (!row || !core::deploy::leftInPlace(row->result))
        return core::invalid(QStringLiteral("deployment #%1 did not leave %2 in a known state "
                                            "(%3): pick one where it was confirmed or unchanged")
                                 .arg(deployment)
                                 .arg(host, row ? core::deploy::phaseName(row->result)
                                                : QStringLiteral("not in it")));
    auto snapshot = store.deployedDesign(deployment);
    if (!snapshot)
        return std::unexpected(snapshot.error());
    return RollbackTarget{deployment, host, row->desired, std::move(*snapshot)};
}

} // namespace converge::collectors
