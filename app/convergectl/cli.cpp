#include "cli.h"
#include "cliutil.h"

#include "core/io/designdocument.h"
#include "core/io/schemadoc.h"
#include "core/model/schema.h"
#include "core/store/projectstore.h"
#include "core/validation/catalog.h"
#include "core/validation/report.h"
#include "core/validation/validationengine.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace converge::app {

using namespace converge::core;

namespace {

const char *overview =
    "usage: convergectl COMMAND [ARGS]   (convergectl COMMAND --help: that command's usage)\n"
    "\n"
    "commands:\n"
    "  info FILE [--format text|json]   element counts by kind\n"
    "  convert IN OUT [--force]         design document (.converge.json) <-> project store "
    "(.converge.db)\n"
    "  validate FILE [--format text|json|sarif|junit] [--severity error|warning|info]\n"
    "                                   check a design against the rule catalog\n"
    "  rules [--format text|json|markdown]  list the rule catalog\n"
    "  schema                           print the design-document schema reference (Markdown)\n"
    "  enroll FILE HOST [ADDRESS] [--token T] [--wait S]\n"
    "                                   enroll the agent of a design host (makes a one-time "
    "token)\n"
    "  agents FILE                      the enrolled agents of a design\n"
    "  deploy FILE [--host H ...] [--dry-run] [--confirm-timeout S]\n"
    "                                   plan, apply and confirm on the hosts' agents\n"
    "  drift FILE [--host H ...]        where running hosts differ from the design\n"
    "  history FILE                     the deployments recorded for a design\n"
    "  rollback FILE --host H --to N [--dry-run] [--confirm-timeout S]\n"
    "                                   put a host back to what deployment N left on it\n"
    "  bundle FILE -o OUT [--host H ...] [--force]\n"
    "                                   export a signed deployment bundle (scripts, plans)\n"
    "  bundle verify BUNDLE [--key PUB]  check a bundle's signature and files (1: rejected)\n"
    "  bundle key                       print the console's bundle-signing public key\n"
    "  meter report FILE --from T --to T [--format csv|json] [-o OUT]\n"
    "                                   the Resource Metering report over a period\n"
    "  meter series FILE [--host H]     the metering series stored for a design\n"
    "  capture FILE --host H (--vnic V | --mirror M | --interface I) [filters] [-w OUT]\n"
    "                                   capture packets through the host's agent\n"
    "  captures list|fetch|stop|delete FILE --host H [NAME]\n"
    "                                   the ring captures kept on a host\n"
    "  dissect FILE [--filter EXPR] [--format text|json]\n"
    "                                   a pcap/pcapng file's packets, or every decoded field\n"
    "  --version                        print the version\n"
    "\n"
    "exit codes: 0 ok, 1 error findings (drift: differences), 2 bad arguments or unusable input,\n"
    "3 output not written, 4 deployment not confirmed or an agent unreachable\n";

QJsonObject counts(const Design &design)
{
    QJsonObject out;
    for (ElementKind kind : allElementKinds)
        out.insert(kindName(kind), double(design.count(kind)));
    return out;
}

int info(const QStringList &args, Cli &cli)
{
    QTextStream &out = cli.out;
    QTextStream &err = cli.err;
    const Arguments a = parseArguments(args, {QStringLiteral("format")});
    const QString format = a.options.value(QStringLiteral("format"), QStringLiteral("text"));
    const QStringList files = a.positional;
    if (!a.error.isEmpty() || files.size() != 1 ||
        (format != QLatin1String("text") && format != QLatin1String("json"))) {
        err << "convergectl info: "
            << (a.error.isEmpty() ? QString() : a.error + QStringLiteral("; "))
            << "expected one FILE and an optional --format text|json\n";
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

int convert(const QStringList &arguments, Cli &cli)
{
    QTextStream &out = cli.out;
    QTextStream &err = cli.err;
    QStringList args = arguments;
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

int validate(const QStringList &args, Cli &cli)
{
    QTextStream &out = cli.out;
    QTextStream &err = cli.err;
    const Arguments a =
        parseArguments(args, {QStringLiteral("format"), QStringLiteral("severity")});
    const auto format =
        reportFormatFromName(a.options.value(QStringLiteral("format"), QStringLiteral("text")));
    const auto minimum =
        severityFromName(a.options.value(QStringLiteral("severity"), QStringLiteral("info")));
    if (!a.error.isEmpty() || a.positional.size() != 1 || !format || !minimum) {
        err << "convergectl validate: "
            << (a.error.isEmpty() ? QString() : a.error + QStringLiteral("; "))
            << "expected one FILE, --format text|json|sarif|junit and --severity "
               "error|warning|info\n";
        return ExitBadInput;
    }
    const QString &file = a.positional.first();
    QHash<QString, TextPosition> positions; // a document's lines, for SARIF regions
    auto design = fileType(file) == FileType::Document ? designdocument::loadFile(file, &positions)
                                                       : loadAny(file);
    if (!design) {
        err << "convergectl validate: " << design.error().message << '\n';
        return ExitBadInput;
    }
    ValidationEngine engine(ruleCatalog());
    engine.validate(*design, ValidationEngine::Mode::OneShot);
    ValidationReport report{file, &*design, atLeast(engine.findings(), *minimum), {}, positions};
    for (const Rule &r : ruleCatalog())
        report.rules.push_back(r.info);
    out << QString::fromUtf8(renderReport(report, *format));
    return blockingCount(engine.findings()) > 0 ? ExitFindings : ExitOk;
}

int rules(const QStringList &args, Cli &cli)
{
    QTextStream &out = cli.out;
    QTextStream &err = cli.err;
    const Arguments a = parseArguments(args, {QStringLiteral("format")});
    const QString format = a.options.value(QStringLiteral("format"), QStringLiteral("text"));
    std::vector<RuleInfo> infos;
    for (const Rule &r : ruleCatalog())
        infos.push_back(r.info);
    if (!a.error.isEmpty() || !a.positional.isEmpty()) {
        err << "convergectl rules: "
            << (a.error.isEmpty() ? QStringLiteral("takes no FILE") : a.error) << '\n';
        return ExitBadInput;
    }
    if (format == QLatin1String("markdown")) {
        out << rulesMarkdown(infos);
    } else if (format == QLatin1String("json")) {
        QJsonArray list;
        for (const RuleInfo &r : infos)
            list.append(QJsonObject{{QStringLiteral("id"), r.id},
                                    {QStringLiteral("severity"), severityName(r.severity)},
                                    {QStringLiteral("title"), r.title},
                                    {QStringLiteral("rationale"), r.rationale},
                                    {QStringLiteral("source"), r.source}});
        out << QJsonDocument(list).toJson(QJsonDocument::Indented);
    } else if (format == QLatin1String("text")) {
        for (const RuleInfo &r : infos)
            out << r.id.leftJustified(10) << ' ' << severityName(r.severity).leftJustified(8) << ' '
                << r.title << "\n           source: " << r.source << '\n';
    } else {
        err << "convergectl rules: expected --format text|json|markdown\n";
        return ExitBadInput;
    }
    return ExitOk;
}

int schema(const QStringList &args, Cli &cli)
{
    if (!args.isEmpty())
        return misuse(cli, "usage: convergectl schema\n", QStringLiteral("takes no arguments"));
    cli.out << schemaReferenceMarkdown();
    return ExitOk;
}

const Command *find(const std::vector<Command> &commands, const QString &name)
{
    for (const Command &c : commands)
        if (name == QLatin1String(c.name))
            return &c;
    return nullptr;
}

bool asksForHelp(const QStringList &args)
{
    return args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"));
}

} // namespace

const std::vector<Command> &designCommands()
{
    static const std::vector<Command> commands{
        {"info",
         "usage: convergectl info FILE [--format text|json]\n"
         "  element counts by kind of a design document or project store\n",
         info},
        {"convert",
         "usage: convergectl convert IN OUT [--force]\n"
         "  a design document (.converge.json) to a project store (.converge.db) or back;\n"
         "  --force replaces an existing OUT\n",
         convert},
        {"validate",
         "usage: convergectl validate FILE [--format text|json|sarif|junit] "
         "[--severity error|warning|info]\n"
         "  checks the design against the rule catalog; exit 1 on error findings\n",
         validate},
        {"rules",
         "usage: convergectl rules [--format text|json|markdown]\n"
         "  the rule catalog: id, severity, title, rationale and source of every rule\n",
         rules},
        {"schema",
         "usage: convergectl schema\n"
         "  the design-document schema reference (Markdown)\n",
         schema},
    };
    return commands;
}

int misuse(Cli &cli, const char *usage, const QString &problem)
{
    if (!problem.isEmpty())
        cli.err << problem << '\n';
    cli.err << usage;
    return ExitBadInput;
}

int runCli(const QStringList &args, Cli &cli)
{
    const QString name = args.value(0);
    const QStringList rest = args.mid(1);
    for (const auto *commands : {&designCommands(), &fleetCommands(), &bundleCommands(),
                                 &meterCommands(), &captureCommands(), &dissectCommands()}) {
        if (const Command *c = find(*commands, name)) {
            if (asksForHelp(rest)) {
                cli.out << c->usage;
                return ExitOk;
            }
            return c->run(rest, cli);
        }
    }
    if (name == QLatin1String("--version") || name == QLatin1String("version")) {
        cli.out << "convergectl " << CONVERGE_VERSION << '\n';
        return ExitOk;
    }
    if (name == QLatin1String("--help") || name == QLatin1String("help")) {
        cli.out << overview;
        return ExitOk;
    }
    cli.err << (name.isEmpty() ? QStringLiteral("convergectl: no command given\n")
                               : QStringLiteral("convergectl: unknown command '%1'\n").arg(name))
            << overview;
    return ExitBadInput;
}

} // namespace converge::app
