#include "cli.h"

#include "core/io/designdocument.h"
#include "core/io/schemadoc.h"
#include "core/model/schema.h"
#include "core/store/projectstore.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace converge::app {

using namespace converge::core;

namespace {

const char *usage =
    "usage: convergectl COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  info FILE [--format text|json]   element counts by kind\n"
    "  convert IN OUT [--force]         design document (.converge.json) <-> project store "
    "(.converge.db)\n"
    "  validate FILE                    check a design (structure and references)\n"
    "  schema                           print the design-document schema reference (Markdown)\n"
    "  --version                        print the version\n"
    "\n"
    "exit codes: 0 ok, 1 error findings, 2 bad arguments or unusable input, 3 output not written\n";

enum class FileType { Document, Store, Unknown };

FileType fileType(const QString &path)
{
    if (path.endsWith(QLatin1String(".json")))
        return FileType::Document;
    if (path.endsWith(QLatin1String(".db")))
        return FileType::Store;
    return FileType::Unknown;
}

Result<Design> loadAny(const QString &path)
{
    switch (fileType(path)) {
    case FileType::Document:
        return designdocument::loadFile(path);
    case FileType::Store: {
        auto store = ProjectStore::open(path);
        if (!store)
            return std::unexpected(store.error());
        return store->loadDesign();
    }
    case FileType::Unknown:
        break;
    }
    return invalid(QStringLiteral("%1: unknown file type (expected *%2 or *%3)")
                       .arg(path, QLatin1String(designdocument::fileSuffix),
                            QLatin1String(ProjectStore::fileSuffix)));
}

QJsonObject counts(const Design &design)
{
    QJsonObject out;
    for (ElementKind kind : allElementKinds)
        out.insert(kindName(kind), double(design.count(kind)));
    return out;
}

int info(const QStringList &args, QTextStream &out, QTextStream &err)
{
    const qsizetype formatAt = args.indexOf(QStringLiteral("--format"));
    const QString format = formatAt >= 0 ? args.value(formatAt + 1) : QStringLiteral("text");
    QStringList files = args;
    if (formatAt >= 0)
        files.remove(formatAt, std::min<qsizetype>(2, args.size() - formatAt));
    if (files.size() != 1 || (format != QLatin1String("text") && format != QLatin1String("json"))) {
        err << "convergectl info: expected one FILE and an optional --format text|json\n";
        return ExitBadInput;
    }
    auto design = loadAny(files.first());
    if (!design) {
        err << "convergectl info: " << design.error().message << '\n';
        return ExitBadInput;
    }
    const QJsonObject byKind = counts(*design);
    if (format == QLatin1String("json")) {
        QJsonObject o = design->info();
        o.insert(QStringLiteral("file"), files.first());
        o.insert(QStringLiteral("elements"), double(design->size()));
        o.insert(QStringLiteral("counts"), byKind);
        out << QJsonDocument(o).toJson(QJsonDocument::Indented);
        return ExitOk;
    }
    out << "Design:   " << design->info().value(QStringLiteral("name")).toString() << '\n'
        << "File:     " << files.first() << '\n';
    if (const QString source = design->info().value(QStringLiteral("source")).toString();
        !source.isEmpty())
        out << "Source:   " << source << '\n';
    out << "Elements: " << design->size() << '\n';
    for (ElementKind kind : allElementKinds)
        out << "  " << kindName(kind).leftJustified(16) << ' '
            << QString::number(byKind.value(kindName(kind)).toInt()).rightJustified(7) << '\n';
    return ExitOk;
}

Result<void> writeAny(const Design &design, const QString &path, bool force)
{
    if (force && fileType(path) == FileType::Store && QFileInfo::exists(path)) {
        for (const char *suffix : {"", "-wal", "-shm"})
            QFile::remove(path + QLatin1String(suffix));
    }
    switch (fileType(path)) {
    case FileType::Document:
        if (!force && QFileInfo::exists(path))
            return fail(Error::Code::Conflict,
                        QStringLiteral("%1: exists already (use --force to replace it)").arg(path));
        return designdocument::saveFile(design, path);
    case FileType::Store:
        if (auto store = ProjectStore::create(path, design); !store)
            return std::unexpected(store.error());
        return {};
    case FileType::Unknown:
        break;
    }
    return invalid(
        QStringLiteral("%1: unknown file type (expected *.converge.json or *.converge.db)")
            .arg(path));
}

int convert(QStringList args, QTextStream &out, QTextStream &err)
{
    const bool force = args.removeAll(QStringLiteral("--force")) > 0;
    if (args.size() != 2) {
        err << "convergectl convert: expected IN and OUT files\n";
        return ExitBadInput;
    }
    auto design = loadAny(args[0]);
    if (!design) {
        err << "convergectl convert: " << design.error().message << '\n';
        return ExitBadInput;
    }
    if (auto ok = writeAny(*design, args[1], force); !ok) {
        err << "convergectl convert: " << ok.error().message << '\n';
        return ok.error().code == Error::Code::InvalidInput ? ExitBadInput : ExitIoError;
    }
    out << "wrote " << args[1] << " (" << design->size() << " elements)\n";
    return ExitOk;
}

int validate(const QStringList &args, QTextStream &out, QTextStream &err)
{
    if (args.size() != 1) {
        err << "convergectl validate: expected one FILE\n";
        return ExitBadInput;
    }
    // Loading checks the structure: every property's type and range, required properties and
    // every reference. The documented rule catalog (RULES.md) plugs in here (issue 3).
    auto design = loadAny(args.first());
    if (!design) {
        err << "convergectl validate: " << design.error().message << '\n';
        return ExitBadInput;
    }
    out << args.first() << ": structure valid (" << design->size()
        << " elements, every reference resolved); design rules: not yet checked by this build\n";
    return ExitOk;
}

} // namespace

int runCli(const QStringList &args, QTextStream &out, QTextStream &err)
{
    const QString command = args.value(0);
    const QStringList rest = args.mid(1);
    if (command == QLatin1String("info"))
        return info(rest, out, err);
    if (command == QLatin1String("convert"))
        return convert(rest, out, err);
    if (command == QLatin1String("validate"))
        return validate(rest, out, err);
    if (command == QLatin1String("schema") && rest.isEmpty()) {
        out << schemaReferenceMarkdown();
        return ExitOk;
    }
    if (command == QLatin1String("--version") || command == QLatin1String("version")) {
        out << "convergectl " << CONVERGE_VERSION << '\n';
        return ExitOk;
    }
    if (command == QLatin1String("--help") || command == QLatin1String("help")) {
        out << usage;
        return ExitOk;
    }
    err << (command.isEmpty() ? QStringLiteral("convergectl: no command given\n")
                              : QStringLiteral("convergectl: unknown command '%1'\n").arg(command))
        << usage;
    return ExitBadInput;
}

} // namespace converge::app
