// converged: the agent daemon on each Linux host (docs/agent.md). Wiring only: the service is in
// collectors/agent.
#include "collectors/agent/agentconfig.h"
#include "collectors/agent/agentservice.h"
#include "collectors/agent/channel.h"
#include "collectors/agent/enrollment.h"
#include "collectors/agent/tlsidentity.h"
#include "collectors/console/bundlesigner.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <sys/signalfd.h>
#include <unistd.h>

using namespace converge;

namespace {

int fail(const QString &message)
{
    QTextStream(stderr) << "converged: " << message << '\n';
    return 2;
}

QByteArray readAll(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return {};
    }
    return f.readAll();
}

// --apply-bundle: a bundle signed by the configured key, this host's desired state out of it,
// applied through the service's own apply path and confirmed at once (docs/agent.md, "Bundles").
int applyBundle(const collectors::AgentConfig &config, const QString &path, QString host)
{
    if (config.bundleSigner.isEmpty())
        return fail(QStringLiteral("--apply-bundle needs bundle_signer (the console's public "
                                   "bundle key) in the configuration"));
    QString error;
    const QByteArray signer = readAll(config.bundleSigner, &error);
    const QByteArray tar = error.isEmpty() ? readAll(path, &error) : QByteArray();
    if (!error.isEmpty())
        return fail(error);
    auto bundle = collectors::verifyBundle(tar, signer);
    if (!bundle)
        return fail(QStringLiteral("%1 refused: %2").arg(path, bundle.error().message));
    if (host.isEmpty())
        host = config.hostName.isEmpty() ? QSysInfo::machineHostName() : config.hostName;
    const core::deploy::BundleFile *plan =
        bundle->file(QStringLiteral("hosts/%1/plan.json").arg(host));
    if (!plan)
        return fail(QStringLiteral("%1 has no plan for host \"%2\" (it holds %3); use --host")
                        .arg(path, host, bundle->manifest.hosts.join(QLatin1String(", "))));
    const QJsonObject json = QJsonDocument::fromJson(plan->data).object();
    if (json.value(QLatin1String("platform")).toString() != QLatin1String("linux-ovs"))
        return fail(QStringLiteral("host %1 is not a linux-ovs host in %2").arg(host, path));
    auto desired =
        core::realize::HostState::fromJson(json.value(QLatin1String("desired")).toObject());
    if (!desired)
        return fail(
            QStringLiteral("hosts/%1/plan.json: desired.%2").arg(host, desired.error().message));
    collectors::AgentConfig local = config;
    local.hostName = host;
    collectors::AgentService service(local);
    if (auto r = service.recover(); !r)
        return fail(r.error().message);
    QTextStream out(stdout);
    out << "bundle " << path << ": design \"" << bundle->manifest.design << "\", created "
        << bundle->manifest.created.toString(Qt::ISODate) << ", signed by "
        << bundle->signerFingerprint << Qt::endl;
    auto applied = service.applyLocally(std::move(*desired));
    if (!applied)
        return fail(QStringLiteral("host %1: %2").arg(host, applied.error().message));
    out << *applied << "host " << host << ": applied and confirmed" << Qt::endl;
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    // SIGTERM and SIGINT end the event loop cleanly (signalfd: no work in a signal handler).
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigprocmask(SIG_BLOCK, &signals, nullptr);

    qSetMessagePattern(QStringLiteral("%{if-category}%{category}: %{endif}%{message}"));
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("converged"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONVERGE_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Converge host agent: realizes this host's part of a design on Open "
                       "vSwitch, with commit-confirmed rollback."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOption(
        QStringLiteral("config"), QStringLiteral("Configuration file."), QStringLiteral("FILE"),
        QStringLiteral("/etc/converge/converged.conf"));
    const QCommandLineOption tokenOption(
        QStringLiteral("issue-token"),
        QStringLiteral("Write a new one-time enrollment token to the state directory, print it "
                       "and exit."));
    const QCommandLineOption fingerprintOption(
        QStringLiteral("fingerprint"),
        QStringLiteral("Print the agent's certificate fingerprint (creating its key on first "
                       "use) and exit."));
    const QCommandLineOption applyBundleOption(
        QStringLiteral("apply-bundle"),
        QStringLiteral("Verify a deployment bundle signed by the configured bundle_signer, apply "
                       "this host's plan from it (rolled back on failure), confirm it and exit."),
        QStringLiteral("BUNDLE"));
    const QCommandLineOption hostOption(
        QStringLiteral("host"),
        QStringLiteral("With --apply-bundle: the host's name in the bundle (default: host_name)."),
        QStringLiteral("NAME"));
    const QCommandLineOption acceptTokenOption(
        QStringLiteral("enroll-token"),
        QStringLiteral("Accept the one-time enrollment token the console made (convergectl "
                       "enroll), write it to the state directory and exit."),
        QStringLiteral("TOKEN"));
    parser.addOptions({configOption, tokenOption, fingerprintOption, applyBundleOption, hostOption,
                       acceptTokenOption});
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        return fail(QStringLiteral("unexpected argument \"%1\"; see --help")
                        .arg(parser.positionalArguments().first()));

    auto config = collectors::loadAgentConfig(parser.value(configOption));
    if (!config)
        return fail(config.error().message);
    if (!QDir().mkpath(config->stateDir))
        return fail(QStringLiteral("cannot create the state directory %1").arg(config->stateDir));
    QFile::setPermissions(config->stateDir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    if (parser.isSet(applyBundleOption))
        return applyBundle(*config, parser.value(applyBundleOption), parser.value(hostOption));

    auto identity = collectors::loadOrCreateIdentity(
        config->stateDir, QStringLiteral("agent"),
        QStringLiteral("converged ") +
            (config->hostName.isEmpty() ? QSysInfo::machineHostName() : config->hostName));
    if (!identity)
        return fail(identity.error().message);
    const QString agentFingerprint = collectors::fingerprint(identity->certificate);
    if (parser.isSet(fingerprintOption)) {
        QTextStream(stdout) << agentFingerprint << '\n';
        return 0;
    }
    if (parser.isSet(acceptTokenOption)) {
        if (auto ok = collectors::Enrollment::acceptToken(config->stateDir,
                                                          parser.value(acceptTokenOption));
            !ok)
            return fail(ok.error().message);
        QTextStream(stdout) << "token accepted; the console can enroll this agent now ("
                            << agentFingerprint << ")\n";
        return 0;
    }
    if (parser.isSet(tokenOption)) {
        auto token = collectors::Enrollment::issueToken(config->stateDir);
        if (!token)
            return fail(token.error().message);
        QTextStream(stdout) << *token << '\n';
        return 0;
    }

    QSslCertificate configuredConsole;
    if (!config->consoleCertificate.isEmpty()) {
        const auto certs = QSslCertificate::fromPath(config->consoleCertificate);
        if (certs.size() != 1)
            return fail(QStringLiteral("console_certificate %1 does not hold exactly one PEM "
                                       "certificate")
                            .arg(config->consoleCertificate));
        configuredConsole = certs.first();
    }

    collectors::Enrollment enrollment(config->stateDir, agentFingerprint);
    collectors::AgentService service(*config);
    const int faultPause = qEnvironmentVariableIntValue("CONVERGED_FAULT_PAUSE_MS");
    if (faultPause > 0)
        service.setFaultPauseMs(faultPause);
    if (auto r = service.recover(); !r)
        return fail(r.error().message);

    collectors::AgentListener listener(*identity, [&](const QSslCertificate &peer) {
        if (!peer.isNull() && !configuredConsole.isNull() && peer == configuredConsole)
            return collectors::PeerAccess::Authenticated;
        return enrollment.policyFor(peer);
    });
    listener.setEnrollment(&enrollment);
    QObject::connect(&listener, &collectors::AgentListener::messageReceived, &service,
                     [&service](collectors::AgentConnection *connection,
                                const core::protocol::Message &message) {
                         QPointer<collectors::AgentConnection> guard(connection);
                         const core::protocol::Message answer = service.handle(message);
                         if (guard)
                             guard->send(answer);
                     });
    if (!listener.listen(config->listenAddress, config->listenPort))
        return fail(QStringLiteral("cannot listen on %1:%2: %3")
                        .arg(config->listenAddress.toString())
                        .arg(config->listenPort)
                        .arg(listener.errorString()));

    const int sfd = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
    QSocketNotifier notifier(sfd, QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [sfd] {
        signalfd_siginfo info{};
        if (read(sfd, &info, sizeof info) == sizeof info)
            qInfo("converged: signal %u, shutting down", info.ssi_signo);
        QCoreApplication::quit();
    });

    QTextStream(stdout) << "converged " << CONVERGE_VERSION << " listening on "
                        << config->listenAddress.toString() << ':' << listener.port()
                        << ", fingerprint " << agentFingerprint << ", "
                        << (enrollment.isEnrolled() || !configuredConsole.isNull() ? "enrolled"
                            : enrollment.hasPendingToken() ? "waiting for enrollment"
                                                           : "not enrolled (run --issue-token)")
                        << Qt::endl;
    const int code = QCoreApplication::exec();
    close(sfd);
    return code;
}
