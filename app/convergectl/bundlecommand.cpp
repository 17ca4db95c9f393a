// convergectl bundle: export a signed deployment bundle, verify one, print the signing key
// (docs/cli.md, "bundle"). The work is in core/deploy (files, scripts, manifest) and
// collectors/console/bundlesigner (Ed25519, the archive).
#include "cli.h"
#include "cliutil.h"

#include "collectors/console/bundlesigner.h"
#include "core/deploy/bundle.h"
#include "core/validation/catalog.h"
#include "core/validation/validationengine.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace converge::app {

using namespace converge::core;

namespace {

const char *bundleUsage = "usage: convergectl bundle FILE -o OUT.tar [--host H ...] [--force]\n"
                          "       convergectl bundle verify BUNDLE.tar [--key SIGNER.pub]\n"
                          "       convergectl bundle key\n";

// Error-severity findings that are not accepted, one line each; empty when there are none.
QStringList blockingFindings(const Design &design)
{
    ValidationEngine engine(ruleCatalog());
    engine.validate(design, ValidationEngine::Mode::OneShot);
    QStringList errors;
    for (const Finding &f : engine.findings())
        if (f.severity == Severity::Error && !f.isSuppressed())
            errors << QStringLiteral("  %1  %2").arg(f.ruleId, f.message);
    return errors;
}

Result<void> writeOutput(const QString &path, const QByteArray &bytes, bool force)
{
    if (!force && QFileInfo::exists(path))
        return fail(Error::Code::Conflict,
                    QStringLiteral("%1: exists already (use --force to replace it)").arg(path));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return fail(Error::Code::Io,
                    QStringLiteral("%1: cannot write (%2)").arg(path, file.errorString()));
    return {};
}

int exportBundle(QStringList args, QTextStream &out, QTextStream &err)
{
    for (QString &a : args)
        if (a == QLatin1String("-o"))
            a = QStringLiteral("--output");
    const Arguments a = parseArguments(args, {QStringLiteral("output")}, {QStringLiteral("force")},
                                       {QStringLiteral("host")});
    const QString output = a.options.value(QStringLiteral("output"));
    if (!a.error.isEmpty() || a.positional.size() != 1 || output.isEmpty()) {
        err << "convergectl bundle: "
            << (a.error.isEmpty() ? QString() : a.error + QStringLiteral("; "))
            << "expected one FILE and -o OUT\n"
            << bundleUsage;
        return ExitBadInput;
    }
    auto design = loadAny(a.positional.first());
    if (!design) {
        err << "convergectl bundle: " << design.error().message << '\n';
        return ExitBadInput;
    }
    if (const QStringList errors = blockingFindings(*design); !errors.isEmpty()) {
        err << QStringLiteral(
                   "convergectl bundle: refusing to bundle %1: %2 error finding(s)\n%3\n")
                   .arg(a.positional.first())
                   .arg(errors.size())
                   .arg(errors.join(u'\n'));
        return ExitFindings;
    }
    auto files = core::deploy::makeBundleFiles(*design, a.repeated.value(QStringLiteral("host")));
    if (!files) {
        err << "convergectl bundle: " << files.error().message << '\n';
        return ExitBadInput;
    }
    auto key = collectors::loadOrCreateBundleSigningKey();
    if (!key) {
        err << "convergectl bundle: " << key.error().message << '\n';
        return ExitIoError;
    }
    auto tar = collectors::writeBundle(*files, *key);
    if (!tar) {
        err << "convergectl bundle: " << tar.error().message << '\n';
        return ExitBadInput;
    }
    if (auto w = writeOutput(output, *tar, a.flags.contains(QStringLiteral("force"))); !w) {
        err << "convergectl bundle: " << w.error().message << '\n';
        return ExitIoError;
    }
    out << QStringLiteral("wrote %1: %2 files, signed by %3\n")
               .arg(output)
               .arg(files->size() + 2)
               .arg(collectors::publicKeyFingerprint(key->publicPem));
    for (const core::deploy::BundleFile &f : *files)
        out << "  " << f.path << '\n';
    return ExitOk;
}

int verify(const QStringList &args, QTextStream &out, QTextStream &err)
{
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

int printKey(const QStringList &args, QTextStream &out, QTextStream &err)
{
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

} // namespace

int bundleCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    if (args.value(0) == QLatin1String("verify"))
        return verify(args.mid(1), out, err);
    if (args.value(0) == QLatin1String("key"))
        return printKey(args.mid(1), out, err);
    return exportBundle(args, out, err);
}

} // namespace converge::app
