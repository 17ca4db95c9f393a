#include "deploytypes.h"

#include <algorithm>
#include <iterator>

namespace converge::core::deploy {

QString phaseName(HostPhase phase)
{
    switch (phase) {
    case HostPhase::Waiting:
        return QStringLiteral("waiting");
    case HostPhase::Connecting:
        return QStringLiteral("connecting");
    case HostPhase::Planning:
        return QStringLiteral("planning");
    case HostPhase::Planned:
        return QStringLiteral("planned");
    case HostPhase::Applying:
        return QStringLiteral("applying");
    case HostPhase::Applied:
        return QStringLiteral("applied, awaiting confirmation");
    case HostPhase::Confirming:
        return QStringLiteral("confirming");
    case HostPhase::Confirmed:
        return QStringLiteral("confirmed");
    case HostPhase::Unchanged:
        return QStringLiteral("unchanged");
    case HostPhase::RolledBack:
        return QStringLiteral("rolled back");
    case HostPhase::Failed:
        return QStringLiteral("failed");
    case HostPhase::Cancelled:
        return QStringLiteral("cancelled");
    case HostPhase::LeftToDeadline:
        return QStringLiteral("left to its deadline");
    }
    return {};
}

std::optional<HostPhase> phaseFromName(const QString &name)
{
    // The enumerators are 0..n-1 and phaseName gives "" past the last one.
    for (int i = 0;; ++i) {
        const QString candidate = phaseName(HostPhase(i));
        if (candidate.isEmpty())
            return std::nullopt;
        if (candidate == name)
            return HostPhase(i);
    }
}

bool leftInPlace(HostPhase result)
{
    return std::ranges::find(phasesLeftInPlace, result) != std::end(phasesLeftInPlace);
}

bool isFinal(HostPhase phase)
{
    switch (phase) {
    case HostPhase::Planned:
    case HostPhase::Confirmed:
    case HostPhase::Unchanged:
    case HostPhase::RolledBack:
    case HostPhase::Failed:
    case HostPhase::Cancelled:
    case HostPhase::LeftToDeadline:
        return true;
    default:
        return false;
    }
}

QString revisionText(const DeploymentRecord &record)
{
    const QString number = QString::number(record.designRevision);
    return record.designHash.isEmpty() ? number
                                       : QStringLiteral("%1 (%2)").arg(number, record.designHash);
}

} // namespace converge::core::deploy
