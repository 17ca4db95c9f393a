// converged: the agent daemon on each Linux host (docs/agent.md). Wiring only: the service is in
// collectors/agent.
#include "collectors/agent/agentconfig.h"
#include "collectors/agent/agentservice.h"
#include "collectors/agent/channel.h"
#include "collectors/agent/enrollment.h"
#include "collectors/agent/tlsidentity.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
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
    parser.addOptions({configOption, tokenOption, fingerprintOption});
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
    QObject::connect(
        &listener, &collectors::AgentListener::messageReceived, &service,
        [&service](collectors::AgentConnection *connection, const protocol::Message &message) {
            QPointer<collectors::AgentConnection> guard(connection);
            const protocol::Message answer = service.handle(message);
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
