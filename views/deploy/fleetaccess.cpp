#include "fleetaccess.h"

#include "core/model/design.h"

#include <QFileInfo>

namespace converge::views {

QString FleetHost::statusText() const
{
    switch (status) {
    case Status::Ready:
        return QObject::tr("enrolled");
    case Status::NotEnrolled:
        return QObject::tr("not enrolled: Deploy > Fleet\u2026");
    case Status::HyperV:
        return QObject::tr("Hyper-V: export a bundle");
    case Status::OtherPlatform:
        return QObject::tr("platform %1: no agent").arg(platform);
    }
    return {};
}

core::Result<core::ProjectStore> openFleetStore(const QString &designFile,
                                                const core::Design &design, bool create)
{
    if (designFile.isEmpty() || designFile.startsWith(QLatin1Char(':')))
        return core::invalid(QObject::tr("Save the design to a file first: its fleet and "
                                         "deployments are kept next to it."));
    const QString path = core::ProjectStore::storePathFor(designFile);
    if (QFileInfo::exists(path))
        return core::ProjectStore::open(path);
    if (!create)
        return core::fail(core::Error::Code::NotFound,
                          QObject::tr("No agent is enrolled for this design yet: "
                                      "Deploy > Fleet\u2026 enrolls them."));
    return core::ProjectStore::create(path, design);
}

std::vector<FleetHost> fleetHosts(const core::Design &design, const core::ProjectStore *store)
{
    std::vector<FleetHost> out;
    for (const core::Element *e : design.elements(core::ElementKind::Host)) {
        FleetHost h;
        h.id = e->id;
        h.name = e->name();
        h.platform = e->value(QLatin1String("platform")).toString();
        if (h.platform == QLatin1String("hyperv")) {
            h.status = FleetHost::Status::HyperV;
        } else if (h.platform != QLatin1String("linux-ovs")) {
            h.status = FleetHost::Status::OtherPlatform;
        } else if (store) {
            if (auto agent = store->agent(h.name); agent && *agent) {
                h.agent = **agent;
                h.status = FleetHost::Status::Ready;
            }
        }
        out.push_back(std::move(h));
    }
    return out;
}

QStringList blockingFindings(const std::vector<core::Finding> &findings)
{
    QStringList out;
    for (const core::Finding &f : findings) {
        if (f.severity == core::Severity::Error && !f.isSuppressed())
            out << QStringLiteral("%1  %2").arg(f.ruleId, f.message);
    }
    return out;
}

QString deployAuthor()
{
    return qEnvironmentVariable("USER", QStringLiteral("converge"));
}

} // namespace converge::views
