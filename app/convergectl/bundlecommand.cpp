// convergectl bundle: export a signed deployment bundle, verify one, print the signing key
// (docs/cli.md, "bundle"). The work is the console library's (collectors/console/bundleexport,
// the deployment gate) and collectors/crypto's (Ed25519).
#include "cli.h"
#include "cliutil.h"

#include "collectors/console/bundleexport.h"
#include "collectors/console/deploymentgate.h"
#include "collectors/crypto/bundlesigner.h"

#include <QFile>

namespace converge::app {

using namespace converge::core;

namespace {

const char *bundleUsage = "usage: convergectl bundle FILE -o OUT.tar [--host H ...] [--force]\n"
                          "                         [--sequence N] [--expires-in 7d|36h|90m]\n"
                          "       convergectl bundle verify BUNDLE.tar [--key SIGNER.pub]\n"
                          "       convergectl bundle key\n";

// --sequence N (default: the time of creation in milliseconds since the epoch, so a later bundle
// has a larger number) and --expires-in DURATION (default 7d).
Result<deploy::BundleOptions> bundleOptions(const Arguments &a)
{
    deploy::BundleOptions options;
    if (const QString seq = a.options.value(QStringLiteral("sequence")); !seq.isEmpty()) {
        bool ok = false;
        options.sequence = seq.toLongLong(&ok);
        if (!ok || *options.sequence < 1)
            return core::invalid(
                QStringLiteral("--sequence %1: expected a whole number of 1 or more").arg(seq));
    }
    if (const QString exp = a.options.value(QStringLiteral("expires-in")); !exp.isEmpty()) {
        auto secs = deploy::parseValidity(exp);
        if (!secs)
            return std::unexpected(secs.error());
        options.validSecs = *secs;
    }
    return options;
}

int exportBundle(QStringList args, Cli &cli)
{
    for (QString &a : args)
        if (a == QLatin1String("-o"))
            a = QStringLiteral("--output");
    const Arguments a = parseArguments(
        args, {QStringLiteral("output"), QStringLiteral("sequence"), QStringLiteral("expires-in")},
        {QStringLiteral("force")}, {QStringLiteral("host")});
    const QString output = a.options.value(QStringLiteral("output"));
    if (!a.error.isEmpty() || a.positional.size() != 1 || output.isEmpty()) {
        cli.err << "convergectl bundle: "
                << (a.error.isEmpty() ? QString() : a.error + QStringLiteral("; "))
                << "expected one FILE and -o OUT\n"
                << bundleUsage;
        return ExitBadInput;
    }
    auto design = loadAny(a.positional.first());
    if (!design) {
        cli.err << "convergectl bundle: " << design.error().message << '\n';
        return ExitBadInput;
    }
    if (const QStringList errors = collectors::blockingFindings(*design); !errors.isEmpty()) {
        cli.err << QStringLiteral("convergectl bundle: refusing to bundle %1: %2 error "
                                  "finding(s)\n  %3\n")
                       .arg(a.positional.first())
                       .arg(errors.size())
                       .arg(errors.join(QStringLiteral("\n  ")));
        return ExitFindings;
    }
    auto options = bundleOptions(a);
    if (!options) {
        cli.err << "convergectl bundle: " << options.error().message << '\n';
        return ExitBadInput;
    }
    auto bundle =
        collectors::signedBundle(*design, a.repeated.value(QStringLiteral("host")), *options);
    if (!bundle) {
        cli.err << "convergectl bundle: " << bundle.error().message << '\n';
        return bundle.error().code == Error::Code::Io ? ExitIoError : ExitBadInput;
    }
    if (auto w = collectors::saveBundle(output, bundle->archive,
                                        a.flags.contains(QStringLiteral("force")));
        !w) {
        cli.err << "convergectl bundle: " << w.error().message << '\n';
        return ExitIoError;
    }
    auto manifest = deploy::checkManifest(bundle->files);
    cli.out << QStringLiteral("wrote %1: %2 files, signed by %3\n")
                   .arg(output)
                   .arg(bundle->files.size() + 2)
                   .arg(bundle->signerFingerprint);
    if (manifest)
        cli.out << QStringLiteral("sequence %1, expires %2\n")
                       .arg(manifest->sequence)
                       .arg(manifest->expires.toString(Qt::ISODate));
    for (const core::deploy::BundleFile &f : bundle->files)
        cli.out << "  " << f.path << '\n';
    return ExitOk;
}

int verify(const QStringList &args, Cli &cli)
{
    QTextStream &out = cli.out;
    QTextStream &err = cli.err;
    const Arguments a = parseArguments(args, {QStringLiteral("key")});
    if (!a.error.isEmpty() || a.positional.size() != 1) {
        err << "convergectl bundle verify: "
            << (a.error.isEmpty() ? QString() : a.error + QStringLiteral("; "))
            << "expected one BUNDLE and an optional --key SIGNER.pub\n";
        return ExitBadInput;
    }
    std::optional<QByteArray> keyPem; // without --key: the bundle's own signer.pub
    if (const QString keyPath = a.options.value(QStringLiteral("key")); !keyPath.isEmpty()) {
        QFile f(keyPath);
        if (!f.open(QIODevice::ReadOnly)) {
            err << "convergectl bundle verify: cannot read " << keyPath << ": " << f.errorString()
                << '\n';
            return ExitBadInput;
        }
        keyPem = f.readAll();
    }
    QFile f(a.positional.first());
    if (!f.open(QIODevice::ReadOnly)) {
        err << "convergectl bundle verify: cannot read " << f.fileName() << ": " << f.errorString()
            << '\n';
        return ExitBadInput;
    }
    auto bundle = collectors::verifyBundle(f.readAll(), keyPem);
    if (!bundle) {
        err << "convergectl bundle verify: " << f.fileName()
            << ": REJECTED: " << bundle.error().message << '\n';
        return ExitFindings;
    }
    const deploy::Manifest &m = bundle->manifest;
    out << QStringLiteral("%1: OK, design \"%2\", created %3, hosts %4, %5 files\n")
               .arg(f.fileName(), m.design, m.created.toString(Qt::ISODate),
                    m.hosts.join(QLatin1String(", ")))
               .arg(bundle->files.size())
        << QStringLiteral("sequence %1, expires %2%3\n")
               .arg(m.sequence ? QString::number(m.sequence) : QStringLiteral("none"),
                    m.expires.isValid() ? m.expires.toString(Qt::ISODate) : QStringLiteral("never"),
                    !m.expires.isValid() || m.sequence == 0
                        ? QStringLiteral(" (made before sequence numbers: converged refuses it)")
                    : m.expires <= QDateTime::currentDateTimeUtc() ? QStringLiteral(" (EXPIRED)")
                                                                   : QString())
        << QStringLiteral("signed by %1%2\n")
               .arg(bundle->signerFingerprint,
                    !keyPem ? QStringLiteral(" (the bundle's own signer.pub: compare "
                                             "this fingerprint, or pass --key)")
                            : QStringLiteral(" (the expected key)"));
    return ExitOk;
}

int printKey(const QStringList &args, Cli &cli)
{
    QTextStream &out = cli.out;
    QTextStream &err = cli.err;
    if (!args.isEmpty()) {
        err << "convergectl bundle key: takes no arguments\n";
        return ExitBadInput;
    }
    auto key = collectors::loadOrCreateBundleSigningKey();
    if (!key) {
        err << "convergectl bundle key: " << key.error().message << '\n';
        return ExitIoError;
    }
    out << QString::fromLatin1(key->publicPem);
    err << "fingerprint " << collectors::publicKeyFingerprint(key->publicPem) << '\n';
    return ExitOk;
}

int bundle(const QStringList &args, Cli &cli)
{
    if (args.value(0) == QLatin1String("verify"))
        return verify(args.mid(1), cli);
    if (args.value(0) == QLatin1String("key"))
        return printKey(args.mid(1), cli);
    return exportBundle(args, cli);
}

} // namespace

const std::vector<Command> &bundleCommands()
{
    static const std::vector<Command> commands{{"bundle", bundleUsage, bundle}};
    return commands;
}

} // namespace converge::app
