#include "fleet.h"

#include "core/model/design.h"

#include <QFileInfo>

namespace converge::collectors {

core::protocol::AgentEndpoint FleetHost::endpoint() const
{
    return agent ? core::protocol::AgentEndpoint{name, agent->address, agent->fingerprint}
                 : core::protocol::AgentEndpoint{name, {}, {}};
}

core::Result<core::ProjectStore> openFleetStore(const QString &designFile,
                                                const core::Design &design, StoreMode mode)
{
    if (designFile.isEmpty() || designFile.startsWith(QLatin1Char(':')))
        return core::invalid(QStringLiteral("Save the design to a file first: its fleet and "
                                            "deployments are kept next to it."));
    const QString path = core::ProjectStore::storePathFor(designFile);
    if (QFileInfo::exists(path))
        return core::ProjectStore::open(path);
    if (mode == StoreMode::Existing)
        return core::fail(core::Error::Code::NotFound,
                          QStringLiteral("%1 has no enrolled agents yet (no project store %2)")
                              .arg(designFile, path));
    return core::ProjectStore::create(path, design);
}

namespace {

// The agent enrolled for `host`; none when there is none or the store cannot say.
std::optional<core::deploy::AgentRecord> enrolledAgent(const core::ProjectStore &store,
                                                       const QString &host)
{
    auto agent = store.agent(host);
    return agent ? *agent : std::nullopt;
}

} // namespace

std::vector<FleetHost> fleetHosts(const core::Design &design, const core::ProjectStore *store)
{
    std::vector<FleetHost> out;
    for (const core::Element *e : design.elements(core::ElementKind::Host)) {
        FleetHost h{e->id, e->name(), e->value(core::key::platform).toString(),
                    FleetHost::Status::NotEnrolled, std::nullopt};
        if (h.platform == core::value::hyperv) {
            h.status = FleetHost::Status::HyperV;
        } else if (h.platform != core::value::linuxOvs) {
            h.status = FleetHost::Status::OtherPlatform;
        } else if (store) {
            h.agent = enrolledAgent(*store, h.name);
            h.status = h.agent ? FleetHost::Status::Ready : FleetHost::Status::NotEnrolled;
        }
        out.push_back(std::move(h));
    }
    return out;
}

const core::Element *hostNamed(const core::Design &design, const QString &name)
{
    for (const core::Element *h : design.elements(core::ElementKind::Host))
        if (h->name() == name)
            return h;
    return nullptr;
}

QString consoleUser(const QString &fallback)
{
    return qEnvironmentVariable("USER", fallback);
}

} // namespace converge::collectors
