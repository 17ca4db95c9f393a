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
                          "       convergectl bundle verify BUNDLE.tar [--key SIGNER.pub]\n"
                          "       convergectl bundle key\n";

int exportBundle(QStringList args, Cli &cli)
{
    for (QString &a : args)
        if (a == QLatin1String("-o"))
            a = QStringLiteral("--output");
    const Arguments a = parseArguments(args, {QStringLiteral("output")}, {QStringLiteral("force")},
                                       {QStringLiteral("host")});
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
    auto bundle = collectors::signedBundle(*design, a.repeated.value(QStringLiteral("host")));
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
    cli.out << QStringLiteral("wrote %1: %2 files, signed by %3\n")
                   .arg(output)
                   .arg(bundle->files.size() + 2)
                   .arg(bundle->signerFingerprint);
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
    out << QStringLiteral("%1: OK, design \"%2\", created %3, hosts %4, %5 files\n")
               .arg(f.fileName(), bundle->manifest.design,
                    bundle->manifest.created.toString(Qt::ISODate),
                    bundle->manifest.hosts.join(QLatin1String(", ")))
               .arg(bundle->files.size())
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
