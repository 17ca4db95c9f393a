// converge-extcap: Wireshark's extcap interface (the one its own sshdump and ciscodump speak;
// https://www.wireshark.org/docs/man-pages/extcap.html) over Converge's agents (issue 16,
// item 7). Wireshark and tshark list the vNICs and mirror sessions of the designs the console
// knows as capture interfaces, and capture through the host's agent with the console's identity,
// the same TLS path as convergectl capture.
//
// Which designs: $CONVERGE_EXTCAP_DESIGNS (paths separated by ':'), else the `design = PATH`
// lines of extcap.conf in the console directory (core::consoleDirectory()).
#include "cli.h"
#include "cliutil.h"
#include "fleetfile.h"

#include "collectors/console/capturesession.h"
#include "core/util/consoledirectory.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <csignal>

namespace converge::app {

using namespace converge::core;
using namespace converge::collectors;

namespace {

std::atomic_bool g_stop = false;

extern "C" void onStop(int)
{
    g_stop = true;
}

QStringList designFiles()
{
    const QString env = qEnvironmentVariable("CONVERGE_EXTCAP_DESIGNS");
    if (!env.isEmpty())
        return env.split(QLatin1Char(':'), Qt::SkipEmptyParts);
    QFile conf(core::consoleDirectory() + QStringLiteral("/extcap.conf"));
    QStringList files;
    if (!conf.open(QIODevice::ReadOnly) || conf.size() > qint64(1024) * 1024)
        return files;
    static const QRegularExpression line(QStringLiteral("^\\s*design\\s*=\\s*(.+?)\\s*$"));
    for (const QByteArray &l : conf.readAll().split('\n'))
        if (const auto m = line.match(QString::fromUtf8(l)); m.hasMatch())
            files << m.captured(1);
    return files;
}

// One capture interface: value "converge.HOST.PORT" (a vNIC's port) or "converge.HOST.m.MIRROR".
struct ExtcapInterface
{
    QString value;
    QString display;
    QString file;
    QString host;
    CaptureChoice choice;
};

QString safe(const QString &name)
{
    static const QRegularExpression other(QStringLiteral("[^A-Za-z0-9_-]"));
    return QString(name).replace(other, QStringLiteral("_"));
}

std::vector<ExtcapInterface> interfaces(QTextStream &err)
{
    std::vector<ExtcapInterface> list;
    for (const QString &file : designFiles()) {
        auto fleet = openDesignStore(file);
        if (!fleet) {
            err << QStringLiteral("converge-extcap: %1: %2\n").arg(file, fleet.error().message);
            continue;
        }
        auto choice = chooseTargets(fleet->design, fleetHosts(fleet->design, &fleet->store));
        if (!choice)
            continue;
        for (const DeployTarget &t : choice->targets) {
            for (const core::realize::Bridge &b : t.desired.bridges)
                for (const core::realize::Port &p : b.ports) {
                    const Element *e = fleet->design.find(p.elementId);
                    if (!e || e->kind != ElementKind::VirtualNic)
                        continue;
                    const Element *vm = fleet->design.find(e->parent);
                    const QString name = vm && vm->kind == ElementKind::VirtualMachine
                                             ? vm->name() + QLatin1Char('/') + e->name()
                                             : e->name();
                    ExtcapInterface i{
                        QStringLiteral("converge.%1.%2").arg(safe(t.host), safe(p.name)),
                        QStringLiteral("Converge: %1 / %2").arg(t.host, name),
                        file,
                        t.host,
                        {}};
                    i.choice.vnic = p.name;
                    list.push_back(std::move(i));
                }
            for (const core::realize::Mirror &m : t.desired.mirrors) {
                ExtcapInterface i{
                    QStringLiteral("converge.%1.m.%2").arg(safe(t.host), safe(m.name)),
                    QStringLiteral("Converge: %1 / mirror session %2").arg(t.host, m.name),
                    file,
                    t.host,
                    {}};
                i.choice.mirror = m.name;
                list.push_back(std::move(i));
            }
        }
    }
    return list;
}

// Wireshark passes "--name value" and, for some, "--name=value".
QStringList split(const QStringList &args)
{
    QStringList out;
    for (const QString &a : args) {
        const qsizetype eq = a.indexOf(QLatin1Char('='));
        if (a.startsWith(QLatin1String("--")) && eq > 0) {
            out << a.left(eq) << a.mid(eq + 1);
        } else
            out << a;
    }
    return out;
}

int capture(const ExtcapInterface &i, const Arguments &a, Cli &cli)
{
    QFile fifo(a.options.value(QStringLiteral("fifo")));
    if (!fifo.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        cli.err << QStringLiteral("converge-extcap: cannot open the fifo %1: %2\n")
                       .arg(fifo.fileName(), fifo.errorString());
        return ExitIoError;
    }
    auto host = openHostSession(i.file, i.host, *cli.agents);
    if (!host) {
        cli.err << QStringLiteral("converge-extcap: %1\n").arg(host.error().message);
        return ExitDeployFailed;
    }
    CaptureChoice choice = i.choice;
    choice.bpf = a.options.value(QStringLiteral("extcap-capture-filter"));
    choice.viaMirror = !a.flags.contains(QStringLiteral("direct"));
    auto resolved = resolveCapture(host->fleet.design, host->target, choice);
    if (!resolved) {
        cli.err << QStringLiteral("converge-extcap: %1\n").arg(resolved.error().message);
        return ExitBadInput;
    }
    std::signal(SIGTERM, onStop);
    std::signal(SIGINT, onStop);
    std::signal(SIGPIPE, SIG_IGN); // a reader gone is a write error, handled
    auto done = runLiveCapture(*host->session, resolved->request, fifo, g_stop);
    if (!done && !g_stop) {
        cli.err << QStringLiteral("converge-extcap: %1: %2\n").arg(i.host, done.error().message);
        return ExitDeployFailed;
    }
    // The agent ending it by itself (the interface gone, the lease passed): Wireshark shows
    // the reason only when the extcap fails.
    if (done && !done->end.isEmpty() && done->end != QLatin1String("stopped")) {
        cli.err << QStringLiteral("converge-extcap: %1: the agent ended the capture: %2\n")
                       .arg(i.host, done->end);
        return ExitDeployFailed;
    }
    return ExitOk;
}

const char *extcapUsage =
    "usage: converge-extcap --extcap-interfaces | --extcap-dlts --extcap-interface I |\n"
    "       --extcap-config --extcap-interface I |\n"
    "       --capture --extcap-interface I --fifo F [--extcap-capture-filter BPF] [--direct]\n"
    "  Wireshark's extcap interface over Converge's agents: the vNICs and mirror sessions of\n"
    "  the designs in $CONVERGE_EXTCAP_DESIGNS (':'-separated) or in the console directory's\n"
    "  extcap.conf (`design = PATH` lines).\n";

} // namespace

int runExtcap(const QStringList &args, Cli &cli)
{
    const Arguments a = parseArguments(
        split(args),
        {QStringLiteral("extcap-interface"), QStringLiteral("fifo"),
         QStringLiteral("extcap-capture-filter"), QStringLiteral("extcap-version")},
        {QStringLiteral("extcap-interfaces"), QStringLiteral("extcap-dlts"),
         QStringLiteral("extcap-config"), QStringLiteral("capture"), QStringLiteral("direct")});
    if (!a.error.isEmpty())
        return misuse(cli, extcapUsage, a.error);
    if (a.flags.contains(QStringLiteral("extcap-interfaces"))) {
        cli.out << "extcap {version=" CONVERGE_VERSION
                   "}{help=file:///usr/share/doc/converge/capture.md}\n";
        for (const ExtcapInterface &i : interfaces(cli.err))
            cli.out << QStringLiteral("interface {value=%1}{display=%2}\n").arg(i.value, i.display);
        return ExitOk;
    }
    const QString value = a.options.value(QStringLiteral("extcap-interface"));
    const auto all = interfaces(cli.err);
    const auto it = std::ranges::find(all, value, &ExtcapInterface::value);
    if (it == all.end())
        return misuse(cli, extcapUsage, QStringLiteral("no Converge interface %1").arg(value));
    if (a.flags.contains(QStringLiteral("extcap-dlts"))) {
        cli.out << "dlt {number=1}{name=EN10MB}{display=Ethernet}\n";
        return ExitOk;
    }
    if (a.flags.contains(QStringLiteral("extcap-config"))) {
        cli.out << "arg {number=0}{call=--direct}{display=On the vNIC's port, without a "
                   "temporary mirror}{type=boolflag}{default=false}\n";
        return ExitOk;
    }
    if (a.flags.contains(QStringLiteral("capture")) && a.options.contains(QStringLiteral("fifo")))
        return capture(*it, a, cli);
    return misuse(cli, extcapUsage);
}

} // namespace converge::app
