#include "fleetfile.h"

#include "cliutil.h"

namespace converge::app {

using namespace converge::core;
using namespace converge::collectors;

Result<Fleet> openDesignStore(const QString &file)
{
    auto design = loadAny(file);
    if (!design)
        return std::unexpected(design.error());
    auto store = openFleetStore(file, *design, StoreMode::Existing);
    if (!store)
        return invalid(
            store.error().code == Error::Code::NotFound
                ? store.error().message +
                      QStringLiteral(": run convergectl enroll %1 HOST ADDRESS").arg(file)
                : store.error().message);
    return Fleet{std::move(*design), std::move(*store)};
}

Result<Fleet> fleetFor(const QString &file, const QStringList &only)
{
    auto f = openDesignStore(file);
    if (!f)
        return f;
    for (const QString &name : only)
        if (!hostNamed(f->design, name))
            return invalid(
                QStringLiteral("--host %1: no host of that name in the design").arg(name));
    auto choice = chooseTargets(f->design, fleetHosts(f->design, &f->store), only);
    if (!choice)
        return std::unexpected(choice.error());
    f->choice = std::move(*choice);
    if (!f->choice.notEnrolled.isEmpty())
        return invalid(QStringLiteral("host %1 has no enrolled agent: run convergectl enroll %2 "
                                      "%1 ADDRESS")
                           .arg(f->choice.notEnrolled.first(), file));
    if (f->choice.targets.empty())
        return invalid(QStringLiteral("no linux-ovs host to reach in %1%2")
                           .arg(file, f->choice.bundleHosts.isEmpty()
                                          ? QString()
                                          : QStringLiteral(" (Hyper-V hosts get bundles: "
                                                           "convergectl bundle)")));
    return f;
}

Result<HostSession> openHostSession(const QString &file, const QString &host,
                                    core::protocol::AgentConnector &agents)
{
    if (host.isEmpty())
        return invalid(QStringLiteral("--host is required"));
    auto fleet = fleetFor(file, {host});
    if (!fleet)
        return std::unexpected(fleet.error());
    DeployTarget target = fleet->choice.targets.front();
    auto session = agents.open(target.endpoint(), {});
    if (!session)
        return std::unexpected(session.error());
    return HostSession{std::move(*fleet), std::move(target), std::move(*session)};
}

} // namespace converge::app
