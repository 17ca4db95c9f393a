#include "wirelab.h"

#include "collectors/channel/tlsagentconnector.h"
#include "collectors/console/deployer.h"
#include "core/io/designdocument.h"
#include "core/realize/desiredstate.h"

#include <QJsonArray>

namespace converge::testing {

namespace {

QStringList ipCmd(const QStringList &args)
{
    return QStringList{QStringLiteral("ip")} + args;
}

} // namespace

core::Design wireDesign(const char *file)
{
    auto d = core::designdocument::loadFile(
        QStringLiteral(CONVERGE_SOURCE_DIR "/tests/wire/data/") + QLatin1String(file));
    return d ? std::move(*d) : core::Design();
}

bool WireLab::setUp(int hosts, QString *why, int switchMtu)
{
    if (!m_fleet.setUp(hosts, {QStringLiteral("up1")}, why))
        return false;
    if (auto enrolled = m_fleet.enrollAll(); !enrolled)
        return (*why = enrolled.error().message, false);
    NetNs &sw = m_fleet.console();
    for (const QStringList &argv :
         {ipCmd({QStringLiteral("link"), QStringLiteral("add"), QStringLiteral("data0"),
                 QStringLiteral("type"), QStringLiteral("bridge")}),
          ipCmd({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("data0"),
                 QStringLiteral("up")})})
        if (auto r = sw.run(argv); !r)
            return (*why = r.error().message, false);
    for (int i = 0; i < hosts; ++i) {
        FleetLab::Host &h = m_fleet.hosts()[std::size_t(i)];
        const QString port = QStringLiteral("sw%1").arg(i + 1);
        for (const QStringList &argv :
             {ipCmd({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("up1p"),
                     QStringLiteral("name"), port}),
              ipCmd({QStringLiteral("link"), QStringLiteral("set"), port, QStringLiteral("netns"),
                     sw.name()})})
            if (auto r = h.ns->run(argv); !r)
                return (*why = r.error().message, false);
        for (const QStringList &argv :
             {ipCmd({QStringLiteral("link"), QStringLiteral("set"), port, QStringLiteral("mtu"),
                     QString::number(switchMtu)}),
              ipCmd({QStringLiteral("link"), QStringLiteral("set"), port, QStringLiteral("master"),
                     QStringLiteral("data0")}),
              ipCmd({QStringLiteral("link"), QStringLiteral("set"), port, QStringLiteral("up")})})
            if (auto r = sw.run(argv); !r)
                return (*why = r.error().message, false);
    }
    return true;
}

bool WireLab::addVm(int host, const QString &name, const QString &mac, const QString &ipv4,
                    QString *why)
{
    auto vm = std::make_unique<Vm>(*m_fleet.hosts().at(std::size_t(host)).ns, name, mac, ipv4);
    if (!vm->isValid())
        return (*why = QStringLiteral("VM %1: %2").arg(name, vm->error()), false);
    m_vms[name] = std::move(vm);
    return true;
}

bool WireLab::addVmsOf(const core::Design &design, QString *why)
{
    int index = 0;
    for (const core::Element *host : design.elements(core::ElementKind::Host)) {
        for (const core::Element *vm : design.children(host->id, core::ElementKind::VirtualMachine))
            for (const core::Element *vnic : design.children(vm->id, core::ElementKind::VirtualNic))
                if (!addVm(index, vnic->value(core::key::hostInterface).toString(),
                           vnic->value(core::key::mac).toString(),
                           vnic->value(core::key::addresses).toArray().first().toString(), why))
                    return false;
        ++index;
    }
    return true;
}

core::Result<void> WireLab::deploy(const core::Design &design)
{
    std::vector<collectors::DeployTarget> targets;
    std::size_t index = 0;
    for (const core::Element *host : design.elements(core::ElementKind::Host)) {
        auto desired = core::realize::desiredState(design, host->id);
        if (!desired)
            return std::unexpected(desired.error());
        const FleetLab::Host &h = m_fleet.hosts().at(index++);
        targets.push_back({host->name(), h.address, h.fingerprint, *desired});
    }
    NetnsScope scope(m_fleet.console().name());
    if (!scope.isValid())
        return core::invalid(scope.error());
    collectors::Deployer deployer(
        std::make_shared<collectors::TlsAgentConnector>(m_fleet.identity()));
    bool confirmed = false;
    QString summary;
    QObject::connect(&deployer, &collectors::Deployer::finished,
                     [&](bool c, const QString &s) { confirmed = c, summary = s; });
    deployer.start(std::move(targets), {});
    deployer.waitForFinished(180000);
    if (confirmed)
        return {};
    for (const collectors::DeployHostResult &r : deployer.results())
        summary += QStringLiteral("\n%1: %2").arg(r.host, r.message);
    return core::invalid(summary);
}

core::Result<QStringList> WireLab::planAgain(const core::Design &design)
{
    NetnsScope scope(m_fleet.console().name());
    if (!scope.isValid())
        return core::invalid(scope.error());
    collectors::TlsAgentConnector connector(m_fleet.identity());
    QStringList changes;
    std::size_t index = 0;
    for (const core::Element *host : design.elements(core::ElementKind::Host)) {
        auto desired = core::realize::desiredState(design, host->id);
        if (!desired)
            return std::unexpected(desired.error());
        const FleetLab::Host &h = m_fleet.hosts().at(index++);
        auto session = connector.open({host->name(), h.address, h.fingerprint}, {});
        if (!session)
            return std::unexpected(session.error());
        auto plan = (*session)->plan({*desired});
        if (!plan)
            return std::unexpected(plan.error());
        if (plan->plan.operations > 0)
            changes << host->name() + QStringLiteral(": ") + plan->plan.diff;
    }
    return changes;
}

WireLab::Ready WireLab::deployed(const core::Design &design, QString *why, int switchMtu)
{
    const auto hosts = int(design.elements(core::ElementKind::Host).size());
    if (hosts == 0)
        return (*why = QStringLiteral("the design did not load (no hosts)"), Ready::Fail);
    if (!setUp(hosts, why, switchMtu))
        return why->contains(QLatin1String("needs root")) ||
                       why->contains(QLatin1String("not installed"))
                   ? Ready::Skip
                   : Ready::Fail;
    if (!addVmsOf(design, why))
        return Ready::Fail;
    if (auto done = deploy(design); !done)
        return (*why = done.error().message, Ready::Fail);
    return Ready::Yes;
}

} // namespace converge::testing
