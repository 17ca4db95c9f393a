// convergectl's fleet commands: enroll, agents, deploy, drift, history (docs/cli.md). The work
// is done by collectors/console (Deployer, enrollment) and the project store; this file parses
// arguments, prints progress and records results.
#include "cli.h"
#include "cliutil.h"

#include "collectors/agent/channel.h"
#include "collectors/agent/enrollment.h"
#include "collectors/console/consoleidentity.h"
#include "collectors/console/deployer.h"
#include "collectors/console/enroll.h"
#include "core/deploy/drift.h"
#include "core/io/designdocument.h"
#include "core/model/design.h"
#include "core/realize/desiredstate.h"
#include "core/store/projectstore.h"
#include "core/validation/catalog.h"
#include "core/validation/validationengine.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QThread>

#include <sys/ioctl.h>
#include <unistd.h>

namespace converge::app {

using namespace converge::core;
using collectors::DeployTarget;
using core::deploy::HostPhase;

namespace {

constexpr int kDefaultConfirmTimeoutSec = 60;

// Opens FILE's project store; with `create`, makes it (holding `design`) when missing.
Result<ProjectStore> openStore(const QString &file, const Design &design, bool create)
{
    const QString path = ProjectStore::storePathFor(file);
    if (QFileInfo::exists(path))
        return ProjectStore::open(path);
    if (!create)
        return fail(Error::Code::NotFound,
                    QStringLiteral("%1 has no enrolled agents yet (no project store %2): run "
                                   "convergectl enroll %1 HOST ADDRESS")
                        .arg(file, path));
    return ProjectStore::create(path, design);
}

QString author()
{
    return qEnvironmentVariable("USER", QStringLiteral("convergectl"));
}

const Element *hostNamed(const Design &design, const QString &name)
{
    for (const Element *h : design.elements(ElementKind::Host))
        if (h->name() == name)
            return h;
    return nullptr;
}

int enroll(const QStringList &args, QTextStream &out, QTextStream &err)
{
    const Arguments a = parseArguments(args, {QStringLiteral("token"), QStringLiteral("wait")});
    if (!a.error.isEmpty() || a.positional.size() != 3) {
        err << "usage: convergectl enroll FILE HOST ADDRESS [--token TOKEN] [--wait SECONDS]\n"
            << (a.error.isEmpty() ? QString() : a.error + QLatin1Char('\n'));
        return ExitBadInput;
    }
    const QString &file = a.positional[0], &hostName = a.positional[1], &address = a.positional[2];
    auto design = loadAny(file);
    if (!design) {
        err << design.error().message << '\n';
        return ExitBadInput;
    }
    const Element *host = hostNamed(*design, hostName);
    if (!host) {
        err << QStringLiteral("%1: no host named \"%2\" in the design\n").arg(file, hostName);
        return ExitBadInput;
    }
    auto endpoint = collectors::parseAgentAddress(address);
    if (!endpoint) {
        err << endpoint.error().message << '\n';
        return ExitBadInput;
    }
    bool waitOk = true;
    const int waitSec =
        a.options.value(QStringLiteral("wait"), QStringLiteral("600")).toInt(&waitOk);
    if (!waitOk || waitSec < 0 || waitSec > 86400) {
        err << "--wait must be seconds in 0-86400\n";
        return ExitBadInput;
    }
    auto identity = collectors::consoleIdentity();
    if (!identity) {
        err << identity.error().message << '\n';
        return ExitIoError;
    }
    QString token = a.options.value(QStringLiteral("token"));
    const bool generated = token.isEmpty();
    if (generated) {
        token = collectors::newEnrollmentToken();
        out << QStringLiteral("One-time enrollment token for %1. On that host, run as root:\n\n"
                              "    converged --enroll-token %2\n\n"
                              "Waiting up to %3 s for the agent at %4 ...\n")
                   .arg(hostName, token)
                   .arg(waitSec)
                   .arg(address);
        out.flush();
    }
    QDeadlineTimer deadline(std::chrono::seconds(generated ? waitSec : 0));
    Result<core::deploy::AgentRecord> record = invalid(QStringLiteral("not tried"));
    for (;;) {
        record = collectors::enrollAgent(hostName, address, *identity, token, 10000);
        if (record || deadline.hasExpired())
            break;
        QThread::msleep(2000);
    }
    if (!record) {
        err << QStringLiteral("enrolling %1 at %2 failed: %3\n")
                   .arg(hostName, address, record.error().message);
        return ExitIoError;
    }
    auto store = openStore(file, *design, true);
    if (!store) {
        err << store.error().message << '\n';
        return ExitIoError;
    }
    if (auto saved = store->saveAgent(*record); !saved) {
        err << saved.error().message << '\n';
        return ExitIoError;
    }
    out << QStringLiteral("enrolled %1 at %2, agent certificate %3\n")
               .arg(hostName, address, record->fingerprint);
    return ExitOk;
}

// The one FILE argument's design and its existing project store; on failure, the exit code
// after saying why.
struct Opened
{
    Design design;
    std::optional<ProjectStore> store;
    int exit = ExitOk;
};

Opened openDesignAndStore(const QStringList &args, const char *usage, QTextStream &err)
{
    Opened o;
    const Arguments a = parseArguments(args, {});
    if (!a.error.isEmpty() || a.positional.size() != 1) {
        err << usage;
        o.exit = ExitBadInput;
        return o;
    }
    auto design = loadAny(a.positional[0]);
    if (!design) {
        err << design.error().message << '\n';
        o.exit = ExitBadInput;
        return o;
    }
    o.design = std::move(*design);
    auto store = openStore(a.positional[0], o.design, false);
    if (!store) {
        err << store.error().message << '\n';
        o.exit = ExitBadInput;
        return o;
    }
    o.store.emplace(std::move(*store));
    return o;
}

int agents(const QStringList &args, QTextStream &out, QTextStream &err)
{
    Opened o = openDesignAndStore(args, "usage: convergectl agents FILE\n", err);
    if (o.exit != ExitOk)
        return o.exit;
    const Design &design = o.design;
    ProjectStore *store = &*o.store;
    auto list = store->agents();
    if (!list) {
        err << list.error().message << '\n';
        return ExitIoError;
    }
    out << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
               .arg(QStringLiteral("HOST"), -16)
               .arg(QStringLiteral("ADDRESS"), -22)
               .arg(QStringLiteral("FINGERPRINT"), -24)
               .arg(QStringLiteral("ENROLLED"), -20)
               .arg(QStringLiteral("LAST SEEN"), -20)
               .arg(QStringLiteral("VERSION"));
    for (const core::deploy::AgentRecord &r : *list)
        out << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                   .arg(r.host, -16)
                   .arg(r.address, -22)
                   .arg(r.fingerprint.left(23) + QLatin1Char(hostNamed(design, r.host) ? ' ' : '?'),
                        -24)
                   .arg(r.enrolledAt.toString(Qt::ISODate), -20)
                   .arg(r.lastSeen.isNull() ? QStringLiteral("never")
                                            : r.lastSeen.toString(Qt::ISODate),
                        -20)
                   .arg(r.version.isEmpty() ? QStringLiteral("-") : r.version);
    return ExitOk;
}

// Everything deploy and drift need: the design, its store, and one target per agent host.
struct Fleet
{
    Design design;
    std::optional<ProjectStore> store;
    std::vector<DeployTarget> targets;
    QStringList skipped; // hyperv hosts: bundles, not agents
};

Result<Fleet> fleetFor(const QString &file, const QStringList &hostFilter)
{
    Fleet f;
    auto design = loadAny(file);
    if (!design)
        return std::unexpected(design.error());
    f.design = std::move(*design);
    auto store = openStore(file, f.design, false);
    if (!store)
        return std::unexpected(store.error());
    f.store.emplace(std::move(*store));
    for (const QString &name : hostFilter)
        if (!hostNamed(f.design, name))
            return invalid(
                QStringLiteral("--host %1: no host of that name in the design").arg(name));
    for (const Element *host : f.design.elements(ElementKind::Host)) {
        if (!hostFilter.isEmpty() && !hostFilter.contains(host->name()))
            continue;
        if (host->value(QLatin1String("platform")).toString() != QLatin1String("linux-ovs")) {
            f.skipped << host->name();
            continue;
        }
        auto agent = f.store->agent(host->name());
        if (!agent)
            return std::unexpected(agent.error());
        if (!*agent)
            return invalid(QStringLiteral("host %1 has no enrolled agent: run convergectl enroll "
                                          "%2 %1 ADDRESS")
                               .arg(host->name(), file));
        auto desired = core::realize::desiredState(f.design, host->id);
        if (!desired)
            return std::unexpected(desired.error());
        f.targets.push_back({host->name(), (*agent)->address, (*agent)->fingerprint, *desired});
    }
    if (f.targets.empty())
        return invalid(QStringLiteral("no linux-ovs host to reach in %1%2")
                           .arg(file, f.skipped.isEmpty()
                                          ? QString()
                                          : QStringLiteral(" (Hyper-V hosts get bundles: "
                                                           "convergectl bundle)")));
    return f;
}

// One line per host; on a terminal the block is redrawn in place.
class ProgressLines
{
public:
    ProgressLines(QTextStream &out, const std::vector<DeployTarget> &targets)
        : m_out(out)
        , m_tty(isatty(STDOUT_FILENO) == 1)
    {
        for (const DeployTarget &t : targets) {
            m_hosts << t.host;
            m_lines << QStringLiteral("%1 waiting").arg(t.host, -16);
        }
        if (m_tty)
            draw(false);
    }
    void update(const QString &host, HostPhase phase, int percent, const QString &message)
    {
        const qsizetype i = m_hosts.indexOf(host);
        if (i < 0)
            return;
        const int filled = percent / 5;
        m_lines[i] = QStringLiteral("%1 [%2%3] %4 %5")
                         .arg(host, -16)
                         .arg(QString(filled, QLatin1Char('#')))
                         .arg(QString(20 - filled, QLatin1Char('.')))
                         .arg(core::deploy::phaseName(phase), -11)
                         .arg(message);
        if (m_tty) {
            draw(true);
        } else {
            m_out << m_lines[i] << '\n';
            m_out.flush();
        }
    }
    void print(const QString &text) // above the block
    {
        if (m_tty)
            m_out << QStringLiteral("\x1b[%1A\x1b[J").arg(m_lines.size());
        m_out << text;
        if (m_tty)
            draw(false);
        m_out.flush();
    }

private:
    void draw(bool redraw)
    {
        if (redraw)
            m_out << QStringLiteral("\x1b[%1A").arg(m_lines.size());
        // A line wider than the terminal would wrap and break the redraw: cut it.
        winsize size{};
        const int columns = ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
        for (const QString &l : m_lines)
            m_out << "\x1b[2K" << (columns > 1 ? l.left(columns - 1) : l) << '\n';
        m_out.flush();
    }
    QTextStream &m_out;
    bool m_tty;
    QStringList m_hosts, m_lines;
};

// Runs a deployment of fleet.targets, prints its progress and records it (with `snapshot` as
// the deployed design) unless it is a dry run. `what` prefixes the summary ("rollback of hv2").
int runDeployment(Fleet &fleet, const Design &snapshot, const collectors::DeployOptions &options,
                  const QString &what, QTextStream &out, QTextStream &err)
{
    auto identity = collectors::consoleIdentity();
    if (!identity) {
        err << identity.error().message << '\n';
        return ExitIoError;
    }
    qint64 deploymentId = 0;
    if (!options.dryRun) {
        auto history = fleet.store->history();
        core::deploy::DeploymentRecord record;
        record.at = QDateTime::currentDateTimeUtc();
        record.author = author();
        record.designRevision = history ? qint64(history->size()) : 0;
        auto begun = fleet.store->beginDeployment(record, snapshot);
        if (!begun) {
            err << begun.error().message << '\n';
            return ExitIoError;
        }
        deploymentId = *begun;
    }

    collectors::Deployer deployer(*identity);
    ProgressLines lines(out, fleet.targets);
    QObject::connect(
        &deployer, &collectors::Deployer::progress, &deployer,
        [&lines](const QString &host, HostPhase phase, int percent, const QString &message) {
            lines.update(host, phase, percent, message);
        });
    QObject::connect(&deployer, &collectors::Deployer::planned, &deployer,
                     [&lines](const QString &host, const QJsonObject &plan) {
                         lines.print(QStringLiteral("plan for %1:\n%2")
                                         .arg(host, plan.value(QLatin1String("diff")).toString()));
                     });
    bool confirmed = false;
    QString summary;
    QObject::connect(&deployer, &collectors::Deployer::finished, &deployer,
                     [&](bool c, const QString &s) {
                         confirmed = c;
                         summary = s;
                     });
    deployer.start(fleet.targets, options);
    deployer.waitForFinished(24 * 3600 * 1000);
    QCoreApplication::processEvents(); // deliver the last progress lines

    QStringList notRecorded;
    for (const collectors::DeployHostResult &r : deployer.results()) {
        if (!r.agentVersion.isEmpty())
            (void)fleet.store->touchAgent(r.host, QDateTime::currentDateTimeUtc(), r.agentVersion);
        if (deploymentId)
            if (auto saved = fleet.store->saveDeploymentHost(
                    deploymentId, {r.host, r.plan, r.desired, r.transaction, r.phase, r.message});
                !saved)
                notRecorded << saved.error().message;
    }
    if (!what.isEmpty())
        summary = what + QStringLiteral(": ") + summary;
    if (deploymentId)
        if (auto done = fleet.store->finishDeployment(deploymentId, summary, confirmed); !done)
            notRecorded << done.error().message;
    for (const QString &problem : notRecorded)
        err << "convergectl: the deployment happened but was not fully recorded: " << problem
            << '\n';
    out << summary << '\n';
    if (options.dryRun) {
        for (const collectors::DeployHostResult &r : deployer.results())
            if (r.phase == HostPhase::Failed)
                return ExitDeployFailed;
        return ExitOk;
    }
    return confirmed ? ExitOk : ExitDeployFailed;
}

int deployCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    const Arguments a = parseArguments(args, {QStringLiteral("confirm-timeout")},
                                       {QStringLiteral("dry-run")}, {QStringLiteral("host")});
    if (!a.error.isEmpty() || a.positional.size() != 1) {
        err << "usage: convergectl deploy FILE [--host H ...] [--dry-run] [--confirm-timeout S]\n"
            << (a.error.isEmpty() ? QString() : a.error + QLatin1Char('\n'));
        return ExitBadInput;
    }
    bool ok = true;
    const int confirmTimeout =
        a.options
            .value(QStringLiteral("confirm-timeout"), QString::number(kDefaultConfirmTimeoutSec))
            .toInt(&ok);
    if (!ok || confirmTimeout < 1 || confirmTimeout > 3600) {
        err << "--confirm-timeout must be seconds in 1-3600\n";
        return ExitBadInput;
    }
    const bool dryRun = a.flags.contains(QStringLiteral("dry-run"));
    auto fleet = fleetFor(a.positional[0], a.repeated.value(QStringLiteral("host")));
    if (!fleet) {
        err << fleet.error().message << '\n';
        return ExitBadInput;
    }
    // A design with error findings is never deployed.
    ValidationEngine engine(ruleCatalog());
    engine.validate(fleet->design, ValidationEngine::Mode::OneShot);
    QStringList errors;
    for (const Finding &f : engine.findings())
        if (f.severity == Severity::Error && !f.isSuppressed())
            errors << QStringLiteral("  %1  %2").arg(f.ruleId, f.message);
    if (!errors.isEmpty()) {
        err << QStringLiteral("refusing to deploy %1: %2 error finding(s)\n%3\n")
                   .arg(a.positional[0])
                   .arg(errors.size())
                   .arg(errors.join(u'\n'));
        return ExitFindings;
    }
    for (const QString &h : fleet->skipped)
        out << QStringLiteral("%1: a Hyper-V host, skipped (export a bundle: convergectl bundle)\n")
                   .arg(h);

    collectors::DeployOptions options;
    options.dryRun = dryRun;
    options.confirmTimeoutSec = confirmTimeout;
    return runDeployment(*fleet, fleet->design, options, {}, out, err);
}

// Puts one host back to the state an earlier deployment left it in (what that deployment
// recorded for the host), with the same plan, apply and confirmation as a deploy.
int rollbackCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    const Arguments a = parseArguments(
        args, {QStringLiteral("host"), QStringLiteral("to"), QStringLiteral("confirm-timeout")},
        {QStringLiteral("dry-run")});
    if (!a.error.isEmpty() || a.positional.size() != 1 ||
        !a.options.contains(QStringLiteral("host")) || !a.options.contains(QStringLiteral("to"))) {
        err << "usage: convergectl rollback FILE --host H --to DEPLOYMENT [--dry-run] "
               "[--confirm-timeout S]\n"
            << (a.error.isEmpty() ? QString() : a.error + QLatin1Char('\n'));
        return ExitBadInput;
    }
    const QString host = a.options.value(QStringLiteral("host"));
    bool ok = true;
    const qint64 id = a.options.value(QStringLiteral("to")).toLongLong(&ok);
    const int confirmTimeout =
        a.options
            .value(QStringLiteral("confirm-timeout"), QString::number(kDefaultConfirmTimeoutSec))
            .toInt(&ok);
    if (!ok || id <= 0 || confirmTimeout < 1 || confirmTimeout > 3600) {
        err << "--to must be a deployment number (convergectl history) and --confirm-timeout "
               "seconds in 1-3600\n";
        return ExitBadInput;
    }
    auto fleet = fleetFor(a.positional[0], {host});
    if (!fleet) {
        err << fleet.error().message << '\n';
        return ExitBadInput;
    }
    auto record = fleet->store->deployment(id);
    if (!record || !*record) {
        err << (record ? QStringLiteral("there is no deployment #%1 (convergectl history)").arg(id)
                       : record.error().message)
            << '\n';
        return ExitBadInput;
    }
    const core::deploy::DeploymentHost *row = nullptr;
    for (const core::deploy::DeploymentHost &h : (*record)->hosts)
        if (h.host == host)
            row = &h;
    if (!row || (row->result != HostPhase::Confirmed && row->result != HostPhase::Unchanged)) {
        err << QStringLiteral("deployment #%1 did not leave %2 in a known state (%3): pick one "
                              "where it was confirmed or unchanged")
                   .arg(id)
                   .arg(host,
                        row ? core::deploy::phaseName(row->result) : QStringLiteral("not in it"))
            << '\n';
        return ExitBadInput;
    }
    auto snapshot = fleet->store->deployedDesign(id);
    if (!snapshot) {
        err << snapshot.error().message << '\n';
        return ExitIoError;
    }
    fleet->targets.front().desired = row->desired;
    collectors::DeployOptions options;
    options.dryRun = a.flags.contains(QStringLiteral("dry-run"));
    options.confirmTimeoutSec = confirmTimeout;
    return runDeployment(*fleet, *snapshot, options,
                         QStringLiteral("rollback of %1 to deployment #%2").arg(host).arg(id), out,
                         err);
}

int drift(const QStringList &args, QTextStream &out, QTextStream &err)
{
    const Arguments a = parseArguments(args, {}, {}, {QStringLiteral("host")});
    if (!a.error.isEmpty() || a.positional.size() != 1) {
        err << "usage: convergectl drift FILE [--host H ...]\n"
            << (a.error.isEmpty() ? QString() : a.error + QLatin1Char('\n'));
        return ExitBadInput;
    }
    auto fleet = fleetFor(a.positional[0], a.repeated.value(QStringLiteral("host")));
    if (!fleet) {
        err << fleet.error().message << '\n';
        return ExitBadInput;
    }
    auto identity = collectors::consoleIdentity();
    if (!identity) {
        err << identity.error().message << '\n';
        return ExitIoError;
    }
    int drifted = 0, unreachable = 0;
    for (const DeployTarget &t : fleet->targets) {
        auto endpoint = collectors::parseAgentAddress(t.address);
        collectors::AgentClient client;
        Result<void> connected = endpoint ? client.connectTo(endpoint->first, endpoint->second,
                                                             *identity, t.fingerprint, 10000)
                                          : Result<void>(std::unexpected(endpoint.error()));
        auto state = connected
                         ? client.request(QStringLiteral("state"), {}, 60000)
                         : Result<core::protocol::Message>(std::unexpected(connected.error()));
        if (!state) {
            out << QStringLiteral("%1: unreachable: %2\n").arg(t.host, state.error().message);
            ++unreachable;
            continue;
        }
        (void)fleet->store->touchAgent(t.host, QDateTime::currentDateTimeUtc(), {});
        auto running = core::realize::HostState::fromJson(
            state->body.value(QLatin1String("state")).toObject());
        if (!running) {
            out << QStringLiteral("%1: the agent sent a state this console cannot read: %2\n")
                       .arg(t.host, running.error().message);
            ++unreachable;
            continue;
        }
        const auto items = core::deploy::driftOf(fleet->design, t.desired, *running);
        if (items.empty()) {
            out << QStringLiteral("%1: matches the design\n").arg(t.host);
            continue;
        }
        ++drifted;
        out << QStringLiteral("%1: %2 difference(s)\n").arg(t.host).arg(items.size());
        for (const core::deploy::DriftItem &item : items)
            out << "  " << item.description() << '\n';
    }
    if (unreachable)
        return ExitDeployFailed;
    return drifted ? ExitFindings : ExitOk;
}

int history(const QStringList &args, QTextStream &out, QTextStream &err)
{
    Opened o = openDesignAndStore(args, "usage: convergectl history FILE\n", err);
    if (o.exit != ExitOk)
        return o.exit;
    ProjectStore *store = &*o.store;
    auto list = store->deployments();
    if (!list) {
        err << list.error().message << '\n';
        return ExitIoError;
    }
    for (const core::deploy::DeploymentRecord &d : *list) {
        out << QStringLiteral("#%1  %2  %3  revision %4  %5\n")
                   .arg(d.id)
                   .arg(d.at.toString(Qt::ISODate), d.author)
                   .arg(d.designRevision)
                   .arg(d.summary);
        for (const core::deploy::DeploymentHost &h : d.hosts)
            out << QStringLiteral("    %1 %2 %3\n")
                       .arg(h.host, -16)
                       .arg(core::deploy::phaseName(h.result), -12)
                       .arg(h.message);
    }
    return ExitOk;
}

} // namespace

int fleetCommand(const QString &command, const QStringList &args, QTextStream &out,
                 QTextStream &err)
{
    if (command == QLatin1String("enroll"))
        return enroll(args, out, err);
    if (command == QLatin1String("agents"))
        return agents(args, out, err);
    if (command == QLatin1String("deploy"))
        return deployCommand(args, out, err);
    if (command == QLatin1String("drift"))
        return drift(args, out, err);
    if (command == QLatin1String("history"))
        return history(args, out, err);
    if (command == QLatin1String("rollback"))
        return rollbackCommand(args, out, err);
    return -1;
}

} // namespace converge::app
