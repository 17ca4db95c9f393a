// convergectl meter: the Resource Metering report and the stored series of a project, read from
// its store (issue 15, item 4), for scripts and charge-back runs with no GUI.
#include "cli.h"
#include "cliutil.h"

#include "core/metering/report.h"
#include "core/store/meteringsource.h"
#include "core/store/projectstore.h"
#include "core/util/atomicfile.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>

namespace converge::app {

using namespace converge::core;

namespace {

const char *meterUsage =
    "usage: convergectl meter report FILE --from T --to T [--format csv|json] [-o OUT]\n"
    "       convergectl meter series FILE [--host H]\n"
    "  report: the Resource Metering report (per VM, vNIC, resource pool and in total) over\n"
    "          [from, to), as CSV (default) or JSON, to stdout or written to OUT\n"
    "  series: the metering series stored, one host|entity|metric a line\n"
    "  FILE is a design (.converge.json, its store next to it) or a project store (.converge.db);\n"
    "  T is ISO 8601 with Z or an offset (2026-12-01T00:00:00Z, 2026-12-01T01:00:00+01:00),\n"
    "  \"now\", or relative to now: -90s, -30m, -24h, -7d\n";

// "-24h": now minus 24 hours. Units s, m, h, d; at most ten years back.
std::optional<qint64> relativeTime(const QString &text, qint64 nowMs)
{
    static const QRegularExpression pattern(QStringLiteral("^-(\\d{1,6})([smhd])$"));
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const qint64 unitMs = QHash<QChar, qint64>{
        {QLatin1Char('s'), 1000},
        {QLatin1Char('m'), 60'000},
        {QLatin1Char('h'), 3'600'000},
        {QLatin1Char('d'),
         86'400'000}}.value(match.captured(2).at(0));
    const qint64 back = match.captured(1).toLongLong() * unitMs;
    if (back > qint64(3653) * 86'400'000)
        return std::nullopt;
    return nowMs - back;
}

// A time zone is required: a bare local time would make a report depend on where it was run.
Result<qint64> parseTime(const QString &option, const QString &text, qint64 nowMs)
{
    if (text == QLatin1String("now"))
        return nowMs;
    if (const auto relative = relativeTime(text, nowMs))
        return *relative;
    static const QRegularExpression zoned(QStringLiteral("(Z|[+-]\\d\\d:?\\d\\d)$"));
    const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!zoned.match(text).hasMatch() || !t.isValid())
        return invalid(QStringLiteral("--%1 \"%2\": expected ISO 8601 with Z or an offset "
                                      "(2026-12-01T00:00:00Z), \"now\" or -N s|m|h|d (-24h)")
                           .arg(option, text.left(60)));
    return t.toMSecsSinceEpoch();
}

struct MeterInput
{
    Design design;
    std::unique_ptr<StoreMetricsSource> source;
};

// The design and the store that keeps its series: a design document's store is next to it, and
// must exist (opening would otherwise make an empty one and report nothing).
Result<MeterInput> openInput(const QString &file, bool needDesign)
{
    if (fileType(file) == FileType::Unknown)
        return invalid(QStringLiteral("%1: unknown file type (expected *.converge.json or "
                                      "*.converge.db)")
                           .arg(file));
    const QString storePath = ProjectStore::storePathFor(file);
    if (!QFileInfo::exists(storePath))
        return fail(
            Error::Code::NotFound,
            storePath == file
                ? QStringLiteral("%1: no such project store").arg(file)
                : QStringLiteral("%1: no metering store (expected %2)").arg(file, storePath));
    MeterInput input;
    if (needDesign) {
        auto design = loadAny(file);
        if (!design)
            return std::unexpected(design.error());
        input.design = std::move(*design);
    }
    auto store = MeteringStore::open(storePath);
    if (!store)
        return std::unexpected(store.error());
    input.source = std::make_unique<StoreMetricsSource>(std::move(*store));
    return input;
}

int failWith(Cli &cli, const Error &error)
{
    cli.err << "convergectl meter: " << error.message << '\n';
    return error.code == Error::Code::Io ? ExitIoError : ExitBadInput;
}

// Both times against one now, so "-24h" to "now" is exactly a day.
Result<std::pair<qint64, qint64>> readPeriod(const Arguments &a)
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    for (const char *name : {"from", "to"})
        if (!a.options.contains(QLatin1String(name)))
            return invalid(QStringLiteral("--%1 is required").arg(QLatin1String(name)));
    auto from = parseTime(QStringLiteral("from"), a.options.value(QStringLiteral("from")), nowMs);
    if (!from)
        return std::unexpected(from.error());
    auto to = parseTime(QStringLiteral("to"), a.options.value(QStringLiteral("to")), nowMs);
    if (!to)
        return std::unexpected(to.error());
    if (*from >= *to)
        return invalid(QStringLiteral("--from %1 is not before --to %2")
                           .arg(a.options.value(QStringLiteral("from")),
                                a.options.value(QStringLiteral("to"))));
    return std::pair{*from, *to};
}

int writeReport(const metering::MeteringReport &report, const QString &format,
                const QString &output, Cli &cli)
{
    const QByteArray bytes = format == QLatin1String("json")
                                 ? QJsonDocument(report.toJson()).toJson(QJsonDocument::Indented)
                                 : report.toCsv();
    if (output.isEmpty()) {
        cli.out << QString::fromUtf8(bytes);
        return ExitOk;
    }
    if (auto written = writeFileAtomically(output, bytes, false); !written) {
        cli.err << "convergectl meter: " << written.error().message << '\n';
        return ExitIoError;
    }
    cli.err << "wrote " << output << " (" << report.rows.size() << " rows)\n";
    return ExitOk;
}

int report(const QStringList &args, Cli &cli)
{
    const Arguments a = parseArguments(args, {QStringLiteral("from"), QStringLiteral("to"),
                                              QStringLiteral("format"), QStringLiteral("output")});
    const QString format = a.options.value(QStringLiteral("format"), QStringLiteral("csv"));
    if (!a.error.isEmpty() || a.positional.size() != 1)
        return misuse(cli, meterUsage,
                      QStringLiteral("convergectl meter report: ") +
                          (a.error.isEmpty() ? QStringLiteral("expected one FILE") : a.error));
    if (format != QLatin1String("csv") && format != QLatin1String("json"))
        return misuse(cli, meterUsage,
                      QStringLiteral("convergectl meter report: --format \"%1\": expected csv or "
                                     "json")
                          .arg(format.left(40)));
    auto period = readPeriod(a);
    if (!period)
        return failWith(cli, period.error());
    auto input = openInput(a.positional.first(), true);
    if (!input)
        return failWith(cli, input.error());
    auto built =
        metering::buildMeteringReport(input->design, *input->source, period->first, period->second);
    if (!built)
        return failWith(cli, built.error());
    return writeReport(*built, format, a.options.value(QStringLiteral("output")), cli);
}

int series(const QStringList &args, Cli &cli)
{
    const Arguments a = parseArguments(args, {QStringLiteral("host")});
    if (!a.error.isEmpty() || a.positional.size() != 1)
        return misuse(cli, meterUsage,
                      QStringLiteral("convergectl meter series: ") +
                          (a.error.isEmpty() ? QStringLiteral("expected one FILE") : a.error));
    auto input = openInput(a.positional.first(), false);
    if (!input)
        return failWith(cli, input.error());
    auto list = input->source->meteringStore().seriesList(a.options.value(QStringLiteral("host")));
    if (!list)
        return failWith(cli, list.error());
    for (const metering::SeriesKey &key : *list)
        cli.out << key.toString() << '\n';
    return ExitOk;
}

int meter(const QStringList &arguments, Cli &cli)
{
    QStringList args = arguments;
    for (QString &arg : args)
        if (arg == QLatin1String("-o"))
            arg = QStringLiteral("--output");
    const QString sub = args.value(0);
    if (sub == QLatin1String("report"))
        return report(args.mid(1), cli);
    if (sub == QLatin1String("series"))
        return series(args.mid(1), cli);
    return misuse(cli, meterUsage,
                  sub.isEmpty()
                      ? QStringLiteral("convergectl meter: expected report or series")
                      : QStringLiteral("convergectl meter: unknown subcommand '%1'").arg(sub));
}

} // namespace

const std::vector<Command> &meterCommands()
{
    static const std::vector<Command> commands{{"meter", meterUsage, meter}};
    return commands;
}

} // namespace converge::app
