// converged: the agent daemon on each Linux host (docs/agent.md). Wiring only: the agent is in
// collectors/agent (AgentServer, bundle apply), enrollment in collectors/channel.
#include "collectors/agent/agentconfig.h"
#include "collectors/agent/agentserver.h"
#include "collectors/agent/bundleapply.h"
#include "collectors/channel/enrollment.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTextStream>
#include <QTimer>

#include <csignal>
#include <malloc.h>
#include <sys/signalfd.h>
#include <unistd.h>

using namespace converge;

namespace {

struct Options
{
    QCommandLineOption config{QStringLiteral("config"), QStringLiteral("Configuration file."),
                              QStringLiteral("FILE"),
                              QStringLiteral("/etc/converge/converged.conf")};
    QCommandLineOption issueToken{
        QStringLiteral("issue-token"),
        QStringLiteral("Write a new one-time enrollment token to the state directory, print it "
                       "and exit.")};
    QCommandLineOption fingerprint{
        QStringLiteral("fingerprint"),
        QStringLiteral("Print the agent's certificate fingerprint (creating its key on first "
                       "use) and exit.")};
    QCommandLineOption applyBundle{
        QStringLiteral("apply-bundle"),
        QStringLiteral("Verify a deployment bundle signed by the configured bundle_signer, apply "
                       "this host's plan from it (rolled back on failure), confirm it and exit."),
        QStringLiteral("BUNDLE")};
    QCommandLineOption host{
        QStringLiteral("host"),
        QStringLiteral("With --apply-bundle: the host's name in the bundle (default: host_name)."),
        QStringLiteral("NAME")};
    QCommandLineOption enrollToken{
        QStringLiteral("enroll-token"),
        QStringLiteral("Accept the one-time enrollment token the console made (convergectl "
                       "enroll), write it to the state directory and exit."),
        QStringLiteral("TOKEN")};
};

int fail(const QString &message)
{
    QTextStream(stderr) << "converged: " << message << '\n';
    return 2;
}

void parse(QCommandLineParser &parser, const Options &o, const QCoreApplication &app)
{
    parser.setApplicationDescription(
        QStringLiteral("Converge host agent: realizes this host's part of a design on Open "
                       "vSwitch, with commit-confirmed rollback."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(
        {o.config, o.issueToken, o.fingerprint, o.applyBundle, o.host, o.enrollToken});
    parser.process(app);
}

int applyBundleFile(const collectors::AgentConfig &config, const QString &path, const QString &host)
{
    auto applied = collectors::applyBundle(config, path, host);
    if (!applied)
        return fail(applied.error().message);
    QTextStream(stdout) << "bundle " << path << ": design \"" << applied->design << "\", created "
                        << applied->created.toString(Qt::ISODate) << ", sequence "
                        << applied->sequence << ", expires "
                        << applied->expires.toString(Qt::ISODate) << ", signed by "
                        << applied->signerFingerprint << '\n'
                        << applied->diff << "host " << applied->host << ": applied and confirmed\n";
    return 0;
}

// --fingerprint, --enroll-token, --issue-token: -1 when none was given.
int oneShot(const QCommandLineParser &parser, const Options &o,
            const collectors::AgentConfig &config, const QString &fingerprint)
{
    QTextStream out(stdout);
    if (parser.isSet(o.fingerprint)) {
        out << fingerprint << '\n';
        return 0;
    }
    if (parser.isSet(o.enrollToken)) {
        if (auto ok =
                collectors::Enrollment::acceptToken(config.stateDir, parser.value(o.enrollToken));
            !ok)
            return fail(ok.error().message);
        out << "token accepted; the console can enroll this agent now (" << fingerprint << ")\n";
        return 0;
    }
    if (parser.isSet(o.issueToken)) {
        auto token = collectors::Enrollment::issueToken(config.stateDir);
        if (!token)
            return fail(token.error().message);
        out << *token << '\n';
        return 0;
    }
    return -1;
}

// SIGTERM and SIGINT end the event loop cleanly (signalfd: no work in a signal handler).
sigset_t blockTerminationSignals()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    return signals;
}

int serve(const collectors::AgentConfig &config, const collectors::TlsIdentity &identity,
          sigset_t signals)
{
    auto server = collectors::AgentServer::create(config, identity);
    if (!server)
        return fail(server.error().message);
    if (const int pause = qEnvironmentVariableIntValue("CONVERGED_FAULT_PAUSE_MS"); pause > 0)
        (*server)->service().setFaultPauseMs(pause);
    if (auto listening = (*server)->listen(); !listening)
        return fail(listening.error().message);
    const int sfd = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
    QSocketNotifier notifier(sfd, QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, qApp, [sfd] {
        signalfd_siginfo info{};
        if (read(sfd, &info, sizeof info) == sizeof info)
            qInfo("converged: signal %u, shutting down", info.ssi_signo);
        QCoreApplication::quit();
    });
    // A flood churns thousands of TLS sessions a second through the heap; what they freed goes
    // back to the system every second instead of staying in the process (docs/agent.md, "Limits").
    QTimer trim;
    QObject::connect(&trim, &QTimer::timeout, [] { malloc_trim(0); });
    trim.start(1000);
    QTextStream(stdout) << (*server)->statusLine() << Qt::endl;
    const int code = QCoreApplication::exec();
    close(sfd);
    return code;
}

} // namespace

int main(int argc, char *argv[])
{
    // Buffers of a large frame or reply are mapped and unmapped as a whole, so the memory a peer
    // made the agent hold is given back when the frame is done (glibc would otherwise raise the
    // threshold after the first such buffer and keep the next ones in the heap).
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    const sigset_t signals = blockTerminationSignals();
    qSetMessagePattern(QStringLiteral("%{if-category}%{category}: %{endif}%{message}"));
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("converged"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONVERGE_VERSION));
    QCommandLineParser parser;
    const Options o;
    parse(parser, o, app);
    if (!parser.positionalArguments().isEmpty())
        return fail(QStringLiteral("unexpected argument \"%1\"; see --help")
                        .arg(parser.positionalArguments().first()));
    auto config = collectors::loadAgentConfig(parser.value(o.config));
    if (!config)
        return fail(config.error().message);
    if (auto dir = collectors::prepareStateDirectory(*config); !dir)
        return fail(dir.error().message);
    if (parser.isSet(o.applyBundle))
        return applyBundleFile(*config, parser.value(o.applyBundle), parser.value(o.host));
    auto identity = collectors::agentIdentity(*config);
    if (!identity)
        return fail(identity.error().message);
    if (const int code =
            oneShot(parser, o, *config, collectors::fingerprint(identity->certificate));
        code >= 0)
        return code;
    return serve(*config, *identity, signals);
}
