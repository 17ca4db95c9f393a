// bench-deploy: deploying a converged host design to 20 agents at once against deploying it to
// one (wall time of the whole deployment: plan, apply, reach again, confirm). Each host is a
// network namespace with its own ovsdb-server/ovs-vswitchd (userspace datapath) and converged;
// needs root. Target (issue 6): 20 hosts take less than 3 times one host.
// On one 2-core machine the N simulated hosts (N ovs-vswitchd and N agents) also share the
// console's cores, so their own work serializes; --host-delay MS makes each agent's apply take MS
// longer without using CPU (as a real host's reconfiguration does, on its own CPU), which shows
// how well the console overlaps the hosts.
//   usage: bench-deploy [HOSTS] [RUNS] [--host-delay MS]
#include "fleetlab.h"
#include "testapp.h"

#include "collectors/channel/tlsagentconnector.h"
#include "collectors/console/deployer.h"
#include "core/io/designdocument.h"
#include "core/realize/desiredstate.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTextStream>

#include <algorithm>

using namespace converge;
using namespace converge::testing;

namespace {

double median(std::vector<double> v)
{
    std::ranges::sort(v);
    return v[v.size() / 2];
}

// The fleet design's first host, repeated as hv1..hvN.
core::Result<core::Design> fleetOf(int hosts)
{
    QFile f(QStringLiteral(CONVERGE_SOURCE_DIR "/tests/fleet/data/ovs-fleet.converge.json"));
    if (!f.open(QIODevice::ReadOnly))
        return core::invalid(QStringLiteral("cannot read the fleet design"));
    QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
    const QByteArray host =
        QJsonDocument(doc.value(QLatin1String("hosts")).toArray().first().toObject()).toJson();
    QJsonArray all;
    for (int i = 1; i <= hosts; ++i) {
        QByteArray h = host;
        h.replace("\"hv1", QStringLiteral("\"hv%1").arg(i).toUtf8());
        h.replace(".11/24", QStringLiteral(".%1/24").arg(10 + i).toUtf8());
        all.append(QJsonDocument::fromJson(h).object());
    }
    doc.insert(QStringLiteral("hosts"), all);
    return core::designdocument::load(QJsonDocument(doc).toJson());
}

} // namespace

int main(int argc, char *argv[])
{
    ensureApp();
    QLoggingCategory::setFilterRules(QStringLiteral("converge.*.info=false"));
    QTextStream out(stdout);
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    QString hostDelay;
    if (const qsizetype i = args.indexOf(QStringLiteral("--host-delay")); i >= 0) {
        hostDelay = QString::number(std::clamp(args.value(i + 1).toInt(), 1, 60000));
        args.remove(i, std::min<qsizetype>(2, args.size() - i));
    }
    const int count = !args.isEmpty() ? std::clamp(args[0].toInt(), 2, 40) : 20;
    const int runs = args.size() > 1 ? std::max(1, args[1].toInt()) : 3;
    FleetLab lab;
    QString why;
    if (!lab.setUp(count,
                   {QStringLiteral("up1"), QStringLiteral("up2"), QStringLiteral("web"),
                    QStringLiteral("db")},
                   &why, hostDelay)) {
        out << "bench-deploy skipped: " << why << '\n';
        return why.contains(QStringLiteral("needs root")) ? 0 : 1;
    }
    auto agents = lab.enrollAll();
    auto design = fleetOf(count);
    if (!agents || !design) {
        out << (agents ? design.error().message : agents.error().message) << '\n';
        return 1;
    }
    std::vector<collectors::DeployTarget> targets;
    for (const core::deploy::AgentRecord &a : *agents) {
        auto desired = core::realize::desiredState(*design, a.host);
        if (!desired) {
            out << desired.error().message << '\n';
            return 1;
        }
        targets.push_back({a.host, a.address, a.fingerprint, *desired});
    }
    NetnsScope scope(lab.console().name()); // the console's sockets live in its namespace

    // One deployment, from hosts without the bridge, until every host is confirmed.
    auto deployOnce = [&](std::vector<collectors::DeployTarget> to) -> double {
        for (std::size_t i = 0; i < to.size(); ++i)
            (void)lab.hosts()[i].ovs->vsctl(
                {QStringLiteral("--if-exists"), QStringLiteral("del-br"), QStringLiteral("conv")});
        collectors::Deployer deployer(
            std::make_shared<collectors::TlsAgentConnector>(lab.identity()));
        bool confirmed = false;
        QObject::connect(&deployer, &collectors::Deployer::finished,
                         [&confirmed](bool c, const QString &) { confirmed = c; });
        QElapsedTimer t;
        t.start();
        deployer.start(std::move(to), {});
        deployer.waitForFinished(600000);
        const double ms = t.nsecsElapsed() / 1e6;
        if (!confirmed) {
            for (const auto &r : deployer.results())
                out << r.host << ": " << core::deploy::phaseName(r.phase) << " " << r.message
                    << '\n';
            return -1;
        }
        return ms;
    };

    out << "bench-deploy: the fleet design's converged host (team, 3 management vNICs, 2 guests "
           "with guards and ACLs; 11 plan operations) to "
        << count
        << " agents at once vs to one; wall time of the whole deployment (plan, apply, "
           "reach again, confirm); "
        << runs << " runs, 2 cores"
        << (hostDelay.isEmpty()
                ? QString()
                : QStringLiteral(", each apply made %1 ms longer on the host").arg(hostDelay))
        << "\n";
    std::vector<double> one, many;
    for (int r = 0; r < runs; ++r) {
        const double a = deployOnce({targets.front()});
        const double b = deployOnce(targets);
        if (a < 0 || b < 0) {
            out << "a deployment was not confirmed\n";
            return 1;
        }
        one.push_back(a);
        many.push_back(b);
    }
    out << QStringLiteral("  1 host:    median %1 ms\n").arg(median(one), 0, 'f', 0);
    out << QStringLiteral("  %1 hosts:  median %2 ms (%3x one host; target under 3x)\n")
               .arg(count)
               .arg(median(many), 0, 'f', 0)
               .arg(median(many) / median(one), 0, 'f', 2);
    return 0;
}
