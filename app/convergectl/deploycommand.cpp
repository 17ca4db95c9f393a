// convergectl's fleet commands: enroll, agents, deploy, drift, history, rollback (docs/cli.md).
// Arguments and printing only: the work is the console library's (collectors/console).
#include "cli.h"
#include "cliutil.h"
#include "fleetfile.h"
#include "progresslines.h"

#include "collectors/console/agentqueries.h"
#include "collectors/console/deployment.h"
#include "collectors/console/deploymentgate.h"
#include "collectors/console/enroller.h"
#include "collectors/console/rollbacktarget.h"
#include "core/deploy/drift.h"
#include "core/model/propertykeys.h"

#include <QCoreApplication>

namespace converge::app {

using namespace converge::core;
using namespace converge::collectors;

namespace {

const char *enrollUsage =
    "usage: convergectl enroll FILE HOST [ADDRESS] [--token TOKEN] [--wait SECONDS]\n"
    "  pairs the agent at ADDRESS (default: the host's agentAddress in the design) with the\n"
    "  design host HOST; without --token, makes a one-time token, prints the converged command\n"
    "  for the host and retries for up to --wait s (600)\n";
const char *agentsUsage = "usage: convergectl agents FILE\n  the enrolled agents of a design\n";
const char *deployUsage =
    "usage: convergectl deploy FILE [--host H ...] [--dry-run] [--confirm-timeout S]\n"
    "  plans, applies and confirms on the hosts' agents; exit 4 when not confirmed\n";
const char *driftUsage = "usage: convergectl drift FILE [--host H ...]\n"
                         "  where running hosts differ from the design; exit 1 on differences\n";
const char *historyUsage =
    "usage: convergectl history FILE\n  the deployments recorded for a design\n";
const char *rollbackUsage =
    "usage: convergectl rollback FILE --host H --to DEPLOYMENT [--dry-run] [--confirm-timeout S]\n"
    "  puts a host back to what an earlier deployment (convergectl history) left on it\n";

std::optional<int> seconds(const Arguments &a, const char *name, int fallback, int max)
{
    bool ok = true;
    const int v = a.options.value(QLatin1String(name), QString::number(fallback)).toInt(&ok);
    return ok && v >= 1 && v <= max ? std::optional<int>(v) : std::nullopt;
}

// The agent's address: ADDRESS when given, else the design host's agentAddress.
Result<QString> enrollAddress(const Arguments &a, const Design &design)
{
    const QString &file = a.positional[0], &host = a.positional[1];
    const Element *h = hostNamed(design, host);
    if (!h)
        return invalid(QStringLiteral("%1: no host named \"%2\" in the design").arg(file, host));
    const QString address = a.positional.size() == 3
                                ? a.positional[2]
                                : h->value(key::agentAddress).toString().trimmed();
    if (address.isEmpty())
        return invalid(QStringLiteral("%1: host %2 has no agentAddress in the design: give the "
                                      "agent's address (convergectl enroll FILE HOST ADDRESS)")
                           .arg(file, host));
    if (auto endpoint = protocol::parseAgentAddress(address); !endpoint)
        return std::unexpected(endpoint.error());
    return address;
}

// Without a token: makes one, says what to run on the host and waits up to `wait` s for it.
QString announceToken(Cli &cli, const QString &host, const QString &address, int wait,
                      EnrollAttempts &attempts)
{
    const QString token = newEnrollmentToken();
    attempts.wait = std::chrono::seconds(wait);
    cli.out << QStringLiteral("One-time enrollment token for %1. On that host, run as root:\n\n"
                              "    converged --enroll-token %2\n\n"
                              "Waiting up to %3 s for the agent at %4 ...\n")
                   .arg(host, token)
                   .arg(wait)
                   .arg(address);
    cli.out.flush();
    return token;
}

int enroll(const QStringList &args, Cli &cli)
{
    const Arguments a = parseArguments(args, {QStringLiteral("token"), QStringLiteral("wait")});
    if (!a.error.isEmpty() || a.positional.size() < 2 || a.positional.size() > 3)
        return misuse(cli, enrollUsage, a.error);
    const QString &file = a.positional[0], &host = a.positional[1];
    auto design = loadAny(file);
    auto address =
        design ? enrollAddress(a, *design) : Result<QString>(std::unexpected(design.error()));
    if (!address)
        return misuse(cli, "", address.error().message);
    bool ok = true;
    const int wait = a.options.value(QStringLiteral("wait"), QStringLiteral("600")).toInt(&ok);
    if (!ok || wait < 0 || wait > 86400)
        return misuse(cli, "", QStringLiteral("--wait must be seconds in 0-86400"));
    EnrollAttempts attempts;
    QString token = a.options.value(QStringLiteral("token"));
    if (token.isEmpty())
        token = announceToken(cli, host, *address, wait, attempts);
    auto record = enrollWhenReady(*cli.agents, host, *address, token, attempts);
    if (!record) {
        cli.err << QStringLiteral("enrolling %1 at %2 failed: %3\n")
                       .arg(host, *address, record.error().message);
        return ExitIoError;
    }
    auto store = openFleetStore(file, *design, StoreMode::CreateIfMissing);
    auto saved = store ? store->saveAgent(*record) : Result<void>(std::unexpected(store.error()));
    if (!saved) {
        cli.err << saved.error().message << '\n';
        return ExitIoError;
    }
    cli.out << QStringLiteral("enrolled %1 at %2, agent certificate %3\n")
                   .arg(host, *address, record->fingerprint);
    return ExitOk;
}

int agents(const QStringList &args, Cli &cli)
{
    const Arguments a = parseArguments(args, {});
    if (!a.error.isEmpty() || a.positional.size() != 1)
        return misuse(cli, agentsUsage, a.error);
    auto fleet = openDesignStore(a.positional[0]);
    auto list = fleet ? fleet->store.agents()
                      : Result<std::vector<deploy::AgentRecord>>(std::unexpected(fleet.error()));
    if (!list)
        return misuse(cli, "", list.error().message);
    const auto row = [](const QStringList &c) {
        return QStringLiteral("%1 %2 %3 %4 %5 %6\n")
            .arg(c[0], -16)
            .arg(c[1], -22)
            .arg(c[2], -24)
            .arg(c[3], -20)
            .arg(c[4], -20)
            .arg(c[5]);
    };
    cli.out << row({QStringLiteral("HOST"), QStringLiteral("ADDRESS"),
                    QStringLiteral("FINGERPRINT"), QStringLiteral("ENROLLED"),
                    QStringLiteral("LAST SEEN"), QStringLiteral("VERSION")});
    for (const deploy::AgentRecord &r : *list)
        cli.out << row(
            {r.host, r.address,
             r.fingerprint.left(23) + QLatin1Char(hostNamed(fleet->design, r.host) ? ' ' : '?'),
             r.enrolledAt.toString(Qt::ISODate),
             r.lastSeen.isNull() ? QStringLiteral("never") : r.lastSeen.toString(Qt::ISODate),
             r.version.isEmpty() ? QStringLiteral("-") : r.version});
    return ExitOk;
}

// Runs one deployment of `spec` over the fleet, prints its progress and summary.
int runDeployment(Fleet &fleet, Deployment::Spec spec, Cli &cli)
{
    spec.author = consoleUser(QStringLiteral("convergectl"));
    Deployment deployment(cli.agents, &fleet.store);
    QStringList hosts;
    for (const DeployTarget &t : spec.targets)
        hosts << t.host;
    ProgressLines lines(cli.out, hosts);
    QObject::connect(
        &deployment.deployer(), &Deployer::progress, &deployment,
        [&lines](const QString &host, deploy::HostPhase phase, int percent,
                 const QString &message) { lines.update(host, phase, percent, message); });
    QObject::connect(&deployment.deployer(), &Deployer::planned, &deployment,
                     [&lines](const QString &host, const protocol::PlanReport &plan) {
                         lines.print(QStringLiteral("plan for %1:\n%2").arg(host, plan.diff));
                     });
    bool confirmed = false;
    QObject::connect(&deployment, &Deployment::finished, &deployment,
                     [&confirmed](bool c) { confirmed = c; });
    const bool dryRun = spec.options.dryRun;
    deployment.start(std::move(spec));
    deployment.waitForFinished(24 * 3600 * 1000);
    QCoreApplication::processEvents(); // deliver the last progress lines
    for (const QString &problem : deployment.recordingProblems())
        cli.err << "convergectl: the deployment happened but was not fully recorded: " << problem
                << '\n';
    cli.out << deployment.recordedSummary() << '\n';
    if (!dryRun)
        return confirmed ? ExitOk : ExitDeployFailed;
    return std::ranges::any_of(deployment.deployer().results(),
                               [](const auto &r) { return r.phase == deploy::HostPhase::Failed; })
               ? ExitDeployFailed
               : ExitOk;
}

int deployCommand(const QStringList &args, Cli &cli)
{
    const Arguments a = parseArguments(args, {QStringLiteral("confirm-timeout")},
                                       {QStringLiteral("dry-run")}, {QStringLiteral("host")});
    if (!a.error.isEmpty() || a.positional.size() != 1)
        return misuse(cli, deployUsage, a.error);
    const auto timeout = seconds(a, "confirm-timeout", protocol::kDefaultConfirmTimeoutSec, 3600);
    if (!timeout)
        return misuse(cli, "", QStringLiteral("--confirm-timeout must be seconds in 1-3600"));
    auto fleet = fleetFor(a.positional[0], a.repeated.value(QStringLiteral("host")));
    if (!fleet)
        return misuse(cli, "", fleet.error().message);
    if (const QStringList errors = blockingFindings(fleet->design); !errors.isEmpty()) {
        cli.err << QStringLiteral("refusing to deploy %1: %2 error finding(s)\n  %3\n")
                       .arg(a.positional[0])
                       .arg(errors.size())
                       .arg(errors.join(QStringLiteral("\n  ")));
        return ExitFindings;
    }
    for (const QString &h : fleet->choice.bundleHosts)
        cli.out << QStringLiteral("%1: a Hyper-V host, skipped (export a bundle: convergectl "
                                  "bundle)\n")
                       .arg(h);
    Deployment::Spec spec{fleet->choice.targets,
                          {a.flags.contains(QStringLiteral("dry-run")), *timeout, {}},
                          fleet->design,
                          {},
                          {}};
    return runDeployment(*fleet, std::move(spec), cli);
}

int rollbackCommand(const QStringList &args, Cli &cli)
{
    const Arguments a = parseArguments(
        args, {QStringLiteral("host"), QStringLiteral("to"), QStringLiteral("confirm-timeout")},
        {QStringLiteral("dry-run")});
    if (!a.error.isEmpty() || a.positional.size() != 1 ||
        !a.options.contains(QStringLiteral("host")) || !a.options.contains(QStringLiteral("to")))
        return misuse(cli, rollbackUsage, a.error);
    const QString host = a.options.value(QStringLiteral("host"));
    bool ok = true;
    const qint64 id = a.options.value(QStringLiteral("to")).toLongLong(&ok);
    const auto timeout = seconds(a, "confirm-timeout", protocol::kDefaultConfirmTimeoutSec, 3600);
    if (!ok || id <= 0 || !timeout)
        return misuse(cli, "",
                      QStringLiteral("--to must be a deployment number (convergectl "
                                     "history) and --confirm-timeout seconds in 1-3600"));
    auto fleet = fleetFor(a.positional[0], {host});
    auto target = fleet ? rollbackTarget(fleet->store, id, host)
                        : Result<RollbackTarget>(std::unexpected(fleet.error()));
    if (!target)
        return misuse(cli, "", target.error().message);
    fleet->choice.targets.front().desired = target->desired;
    Deployment::Spec spec{fleet->choice.targets,
                          {a.flags.contains(QStringLiteral("dry-run")), *timeout, {}},
                          target->snapshot,
                          {},
                          target->label()};
    return runDeployment(*fleet, std::move(spec), cli);
}

int drift(const QStringList &args, Cli &cli)
{
    const Arguments a = parseArguments(args, {}, {}, {QStringLiteral("host")});
    if (!a.error.isEmpty() || a.positional.size() != 1)
        return misuse(cli, driftUsage, a.error);
    auto fleet = fleetFor(a.positional[0], a.repeated.value(QStringLiteral("host")));
    if (!fleet)
        return misuse(cli, "", fleet.error().message);
    int drifted = 0, unreachable = 0;
    for (const DeployTarget &t : fleet->choice.targets) {
        auto running = runningState(*cli.agents, t.endpoint(), {10000, 60000});
        if (!running) {
            cli.out << QStringLiteral("%1: unreachable: %2\n").arg(t.host, running.error().message);
            ++unreachable;
            continue;
        }
        (void)fleet->store.touchAgent(t.host, QDateTime::currentDateTimeUtc(), {});
        const auto items = deploy::driftOf(fleet->design, t.desired, *running);
        drifted += items.empty() ? 0 : 1;
        cli.out << (items.empty()
                        ? QStringLiteral("%1: matches the design\n").arg(t.host)
                        : QStringLiteral("%1: %2 difference(s)\n").arg(t.host).arg(items.size()));
        for (const deploy::DriftItem &item : items)
            cli.out << "  " << item.description() << '\n';
    }
    return unreachable ? ExitDeployFailed : drifted ? ExitFindings : ExitOk;
}

int history(const QStringList &args, Cli &cli)
{
    const Arguments a = parseArguments(args, {});
    if (!a.error.isEmpty() || a.positional.size() != 1)
        return misuse(cli, historyUsage, a.error);
    auto fleet = openDesignStore(a.positional[0]);
    auto list = fleet
                    ? fleet->store.deployments()
                    : Result<std::vector<deploy::DeploymentRecord>>(std::unexpected(fleet.error()));
    if (!list)
        return misuse(cli, "", list.error().message);
    for (const deploy::DeploymentRecord &d : *list) {
        cli.out << QStringLiteral("#%1  %2  %3  revision %4  %5\n")
                       .arg(d.id)
                       .arg(d.at.toString(Qt::ISODate), d.author, deploy::revisionText(d),
                            d.summary);
        for (const deploy::DeploymentHost &h : d.hosts)
            cli.out << QStringLiteral("    %1 %2 %3\n")
                           .arg(h.host, -16)
                           .arg(deploy::phaseName(h.result), -12)
                           .arg(h.message);
    }
    return ExitOk;
}

} // namespace

const std::vector<Command> &fleetCommands()
{
    static const std::vector<Command> commands{
        {"enroll", enrollUsage, enroll},        {"agents", agentsUsage, agents},
        {"deploy", deployUsage, deployCommand}, {"drift", driftUsage, drift},
        {"history", historyUsage, history},     {"rollback", rollbackUsage, rollbackCommand},
    };
    return commands;
}

} // namespace converge::app
