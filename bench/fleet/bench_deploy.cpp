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

struct Options
{
    int count = 20;
    int runs = 3;
    QString hostDelay; // ms added to each agent's apply, empty for none
};

Options parseOptions(int argc, char *argv[])
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    Options o;
    if (const qsizetype i = args.indexOf(QStringLiteral("--host-delay")); i >= 0) {
        o.hostDelay = QString::number(std::clamp(args.value(i + 1).toInt(), 1, 60000));
        args.remove(i, std::min<qsizetype>(2, args.size() - i));
    }
    o.count = !args.isEmpty() ? std::clamp(args[0].toInt(), 2, 40) : 20;
    o.runs = args.size() > 1 ? std::max(1, args[1].toInt()) : 3;
    return o;
}

// Every enrolled agent with its host's desired state.
core::Result<std::vector<collectors::DeployTarget>> targetsOf(FleetLab &lab, int count)
{
    auto agents = lab.enrollAll();
    if (!agents)
        return std::unexpected(agents.error());
    auto design = fleetOf(count);
    if (!design)
        return std::unexpected(design.error());
    std::vector<collectors::DeployTarget> targets;
    for (const core::deploy::AgentRecord &a : *agents) {
        auto desired = core::realize::desiredState(*design, a.host);
        if (!desired)
            return std::unexpected(desired.error());
        targets.push_back({a.host, a.address, a.fingerprint, *desired});
    }
    return targets;
}

// One deployment, from hosts without the bridge, until every host is confirmed: its wall time in
// ms, or -1 (after saying why) when it was not confirmed.
double deployOnce(FleetLab &lab, std::vector<collectors::DeployTarget> to, QTextStream &out)
{
    for (std::size_t i = 0; i < to.size(); ++i)
        (void)lab.hosts()[i].ovs->vsctl(
            {QStringLiteral("--if-exists"), QStringLiteral("del-br"), QStringLiteral("conv")});
    collectors::Deployer deployer(std::make_shared<collectors::TlsAgentConnector>(lab.identity()));
    bool confirmed = false;
    QObject::connect(&deployer, &collectors::Deployer::finished,
                     [&confirmed](bool c, const QString &) { confirmed = c; });
    QElapsedTimer t;
    t.start();
    deployer.start(std::move(to), {});
    deployer.waitForFinished(600000);
    const double ms = double(t.nsecsElapsed()) / 1e6;
    if (confirmed)
        return ms;
    for (const auto &r : deployer.results())
        out << r.host << ": " << core::deploy::phaseName(r.phase) << " " << r.message << '\n';
    return -1;
}

void printHeader(QTextStream &out, const Options &o)
{
    out << "bench-deploy: the fleet design's converged host (team, 3 management vNICs, 2 guests "
           "with guards and ACLs; 11 plan operations) to "
        << o.count
        << " agents at once vs to one; wall time of the whole deployment (plan, apply, "
           "reach again, confirm); "
        << o.runs << " runs, 2 cores"
        << (o.hostDelay.isEmpty()
                ? QString()
                : QStringLiteral(", each apply made %1 ms longer on the host").arg(o.hostDelay))
        << "\n";
}

// Alternates one host and all hosts, `runs` times; prints the medians. False if one failed.
bool measure(FleetLab &lab, const std::vector<collectors::DeployTarget> &targets, const Options &o,
             QTextStream &out)
{
    std::vector<double> one, many;
    for (int r = 0; r < o.runs; ++r) {
        const double a = deployOnce(lab, {targets.front()}, out);
        const double b = deployOnce(lab, targets, out);
        if (a < 0 || b < 0) {
            out << "a deployment was not confirmed\n";
            return false;
        }
        one.push_back(a);
        many.push_back(b);
    }
    out << QStringLiteral("  1 host:    median %1 ms\n").arg(median(one), 0, 'f', 0);
    out << QStringLiteral("  %1 hosts:  median %2 ms (%3x one host; target under 3x)\n")
               .arg(o.count)
               .arg(median(many), 0, 'f', 0)
               .arg(median(many) / median(one), 0, 'f', 2);
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    ensureApp();
    QLoggingCategory::setFilterRules(QStringLiteral("converge.*.info=false"));
    QTextStream out(stdout);
    const Options o = parseOptions(argc, argv);
    FleetLab lab;
    QString why;
    if (!lab.setUp(o.count,
                   {QStringLiteral("up1"), QStringLiteral("up2"), QStringLiteral("web"),
                    QStringLiteral("db")},
                   &why, o.hostDelay)) {
        out << "bench-deploy skipped: " << why << '\n';
        return why.contains(QStringLiteral("needs root")) ? 0 : 1;
    }
    auto targets = targetsOf(lab, o.count);
    if (!targets) {
        out << targets.error().message << '\n';
        return 1;
    }
    NetnsScope scope(lab.console().name()); // the console's sockets live in its namespace
    printHeader(out, o);
    return measure(lab, *targets, o, out) ? 0 : 1;
}
