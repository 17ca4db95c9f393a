// convergectl capture and captures: remote packet capture through a host's agent (issue 16,
// item 7), live into a pcapng file or as text lines, or into a ring of files on the host that
// is listed, fetched (resumably) and deleted later.
#include "cli.h"
#include "cliutil.h"
#include "fleetfile.h"
#include "packetlines.h"

#include "collectors/capture/dissector.h"
#include "collectors/console/capturesession.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QtEndian>

#include <csignal>

namespace converge::app {

using namespace converge::core;
using namespace converge::collectors;
namespace protocol = core::protocol;

namespace {

const char *captureUsage =
    "usage: convergectl capture FILE --host H (--vnic V | --mirror M | --interface I)\n"
    "           [--direct] [--ip A]... [--port N]... [--proto P] [--from-vm VM] [--filter BPF]\n"
    "           [--snaplen N] [--count N] [--duration S] [-w OUT.pcapng]\n"
    "       convergectl capture FILE --host H (...) --ring NAME [--file-size MB] [--files N]\n"
    "           [--file-seconds S] [--duration S]\n"
    "  Captures on host H through its agent: a vNIC (through a temporary mirror; --direct: on\n"
    "  its port), a mirror session of the design, or a host interface. The filter is built from\n"
    "  --ip (addresses or prefixes), --port, --proto (tcp, udp, icmp, icmp6, arp, ip, ip6),\n"
    "  --from-vm (its vNIC's MAC) and --filter (BPF), all and'ed. Live: packets go to OUT as\n"
    "  pcapng, or print one line each, until --count, --duration or Ctrl+C. --ring: the host\n"
    "  writes a ring of pcapng files that runs on without the console (convergectl captures).\n";

const char *capturesUsage =
    "usage: convergectl captures list FILE --host H\n"
    "       convergectl captures fetch FILE --host H NAME [-o DIR]\n"
    "       convergectl captures stop FILE --host H NAME\n"
    "       convergectl captures delete FILE --host H NAME\n"
    "  The ring captures on host H: list them, fetch one's files into DIR (default: NAME; a\n"
    "  fetch resumes where an earlier one stopped), stop a running one, delete one.\n";

std::atomic_bool g_interrupted = false;

extern "C" void onInterrupt(int)
{
    g_interrupted = true;
}

// -w is tcpdump's and tshark's spelling: taken as --write.
QStringList withLongOptions(QStringList args)
{
    for (QString &a : args)
        if (a == QLatin1String("-w"))
            a = QStringLiteral("--write");
        else if (a == QLatin1String("-o"))
            a = QStringLiteral("--output");
    return args;
}

std::optional<qint64> number(const Arguments &a, const char *name, qint64 min, qint64 max,
                             qint64 fallback)
{
    const QString text = a.options.value(QLatin1String(name));
    if (text.isEmpty())
        return fallback;
    bool ok = false;
    const qint64 n = text.toLongLong(&ok);
    if (!ok || n < min || n > max)
        return std::nullopt;
    return n;
}

Result<CaptureChoice> choiceOf(const Arguments &a)
{
    CaptureChoice c;
    c.vnic = a.options.value(QStringLiteral("vnic"));
    c.mirror = a.options.value(QStringLiteral("mirror"));
    c.interface = a.options.value(QStringLiteral("interface"));
    c.viaMirror = !a.flags.contains(QStringLiteral("direct"));
    c.addresses = a.repeated.value(QStringLiteral("ip"));
    for (const QString &p : a.repeated.value(QStringLiteral("port"))) {
        bool ok = false;
        const uint port = p.toUInt(&ok);
        if (!ok || port < 1 || port > 65535)
            return invalid(QStringLiteral("--port %1: not a port number in 1-65535").arg(p));
        c.ports << quint16(port);
    }
    c.protocol = a.options.value(QStringLiteral("proto"));
    c.fromVm = a.options.value(QStringLiteral("from-vm"));
    c.bpf = a.options.value(QStringLiteral("filter"));
    const auto snap = number(a, "snaplen", 64, 262144, 262144);
    if (!snap)
        return invalid(QStringLiteral("--snaplen must be bytes in 64-262144"));
    c.snapLength = int(*snap);
    return c;
}

// Text mode: the packets of the pcapng stream as one line each, as they come.
class LinePrinter : public QIODevice
{
public:
    explicit LinePrinter(QTextStream &out)
        : m_out(out)
    {
        open(QIODevice::WriteOnly);
    }

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *data, qint64 size) override
    {
        m_pending.append(data, size);
        qsizetype at = 0;
        while (at + 12 <= m_pending.size()) {
            const quint32 type = qFromLittleEndian<quint32>(m_pending.constData() + at);
            const quint32 length = qFromLittleEndian<quint32>(m_pending.constData() + at + 4);
            if (length < 12 || at + length > m_pending.size())
                break;
            if (type == 6 && length >= 32)
                print(m_pending.mid(at, length));
            at += length;
        }
        m_pending.remove(0, at);
        return size;
    }

private:
    void print(const QByteArray &block)
    {
        const quint32 captured = qFromLittleEndian<quint32>(block.constData() + 20);
        const quint64 stamp = quint64(qFromLittleEndian<quint32>(block.constData() + 12)) << 32 |
                              qFromLittleEndian<quint32>(block.constData() + 16);
        if (28 + qint64(captured) > block.size())
            return;
        const std::span<const quint8> frame(
            reinterpret_cast<const quint8 *>(block.constData()) + 28, captured);
        const PacketSummary s = dissectSummary(frame);
        if (m_first < 0)
            m_first = qint64(stamp);
        m_out << packetLine(++m_number, double(qint64(stamp) - m_first) / 1e9, s, frame) << '\n';
        m_out.flush();
    }

    QTextStream &m_out;
    QByteArray m_pending;
    qint64 m_number = 0;
    qint64 m_first = -1;
};

int liveCapture(const Arguments &a, HostSession &host, const ResolvedCapture &resolved, Cli &cli)
{
    const auto count = number(a, "count", 1, qint64(1) << 40, 0);
    const auto duration = number(a, "duration", 1, qint64(366) * 86400, 0);
    if (!count || !duration)
        return misuse(cli, captureUsage, QStringLiteral("--count and --duration must be positive"));
    const QString path = a.options.value(QStringLiteral("write"));
    QFile file(path);
    LinePrinter lines(cli.out);
    if (!path.isEmpty() && !file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        cli.err
            << QStringLiteral("convergectl: cannot write %1: %2\n").arg(path, file.errorString());
        return ExitIoError;
    }
    QIODevice &out = path.isEmpty() ? static_cast<QIODevice &>(lines) : file;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    cli.err << QStringLiteral("Capturing on %1 (Ctrl+C stops)\n").arg(resolved.title);
    cli.err.flush();
    auto done = runLiveCapture(*host.session, resolved.request, out, g_interrupted,
                               {*count, *duration * 1000});
    if (!done) {
        cli.err
            << QStringLiteral("convergectl: %1: %2\n").arg(host.target.host, done.error().message);
        return ExitDeployFailed;
    }
    // The agent ending it by itself (the interface gone, the lease passed) cut it short.
    const bool cut = !done->end.isEmpty() && done->end != QLatin1String("stopped");
    cli.err << QStringLiteral("%1 packets captured; dropped: %2 by the kernel, %3 by the agent%4\n")
                   .arg(done->packets)
                   .arg(done->stats.kernelDropped)
                   .arg(done->stats.agentDropped)
                   .arg(cut ? QStringLiteral(" (") + done->end + QLatin1Char(')') : QString());
    if (cut)
        cli.err << QStringLiteral("convergectl: %1: the agent ended the capture: %2\n")
                       .arg(host.target.host, done->end);
    return cut ? ExitDeployFailed : ExitOk;
}

int ringCapture(const Arguments &a, HostSession &host, ResolvedCapture resolved, Cli &cli)
{
    protocol::CaptureRing ring;
    ring.name = a.options.value(QStringLiteral("ring"));
    const auto size = number(a, "file-size", 1, 4096, 100);
    const auto files = number(a, "files", 1, 10000, 10);
    const auto fileSeconds = number(a, "file-seconds", 1, qint64(366) * 86400, 0);
    const auto duration = number(a, "duration", 1, qint64(366) * 86400, 0);
    if (!size || !files || !fileSeconds || !duration)
        return misuse(cli, captureUsage,
                      QStringLiteral("--file-size (MB, 1-4096), --files (1-10000), "
                                     "--file-seconds and --duration must be positive numbers"));
    ring.fileBytes = *size * 1024 * 1024;
    ring.files = int(*files);
    ring.fileSeconds = *fileSeconds;
    ring.durationSeconds = *duration;
    resolved.request.ring = ring;
    auto started = host.session->captureStart(resolved.request);
    if (!started) {
        cli.err << QStringLiteral("convergectl: %1: %2\n")
                       .arg(host.target.host, started.error().message);
        return started.error().code == Error::Code::InvalidInput ? ExitBadInput : ExitDeployFailed;
    }
    cli.out << QStringLiteral("Ring capture %1 runs on %2 (interface %3%4); convergectl captures "
                              "list|fetch|stop|delete\n")
                   .arg(ring.name, host.target.host, started->interface,
                        started->bpf.isEmpty() ? QString()
                                               : QStringLiteral(", filter ") + started->bpf);
    return ExitOk;
}

int captureCommand(const QStringList &args, Cli &cli)
{
    const Arguments a = parseArguments(
        withLongOptions(args),
        {QStringLiteral("host"), QStringLiteral("vnic"), QStringLiteral("mirror"),
         QStringLiteral("interface"), QStringLiteral("proto"), QStringLiteral("from-vm"),
         QStringLiteral("filter"), QStringLiteral("snaplen"), QStringLiteral("count"),
         QStringLiteral("duration"), QStringLiteral("write"), QStringLiteral("ring"),
         QStringLiteral("file-size"), QStringLiteral("files"), QStringLiteral("file-seconds")},
        {QStringLiteral("direct")}, {QStringLiteral("ip"), QStringLiteral("port")});
    if (!a.error.isEmpty() || a.positional.size() != 1)
        return misuse(cli, captureUsage, a.error);
    auto choice = choiceOf(a);
    if (!choice)
        return misuse(cli, captureUsage, choice.error().message);
    auto host =
        openHostSession(a.positional[0], a.options.value(QStringLiteral("host")), *cli.agents);
    if (!host) {
        cli.err << QStringLiteral("convergectl: %1\n").arg(host.error().message);
        return host.error().code == Error::Code::Io ? ExitDeployFailed : ExitBadInput;
    }
    auto resolved = resolveCapture(host->fleet.design, host->target, *choice);
    if (!resolved)
        return misuse(cli, captureUsage, resolved.error().message);
    if (a.options.contains(QStringLiteral("ring")))
        return ringCapture(a, *host, std::move(*resolved), cli);
    return liveCapture(a, *host, *resolved, cli);
}

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / 1e6, 'f', 1) + QStringLiteral(" MB");
}

int listCaptures(HostSession &host, Cli &cli)
{
    auto list = host.session->captureList();
    if (!list) {
        cli.err
            << QStringLiteral("convergectl: %1: %2\n").arg(host.target.host, list.error().message);
        return ExitDeployFailed;
    }
    if (list->captures.empty())
        cli.out << QStringLiteral("No ring captures on %1.\n").arg(host.target.host);
    for (const protocol::CaptureInfo &c : list->captures) {
        qint64 bytes = 0;
        for (const protocol::CaptureFile &f : c.files)
            bytes += f.bytes;
        cli.out << QStringLiteral("%1  %2%3  started %4  %5 packets, %6 in %7 file(s); dropped %8 "
                                  "by the kernel, %9 by the agent\n")
                       .arg(c.name, c.state,
                            c.why.isEmpty() ? QString() : QStringLiteral(" (") + c.why + u')',
                            QDateTime::fromMSecsSinceEpoch(c.startedMs).toString(Qt::ISODate))
                       .arg(c.stats.received)
                       .arg(megabytes(bytes))
                       .arg(c.files.size())
                       .arg(c.stats.kernelDropped)
                       .arg(c.stats.agentDropped);
        cli.out << QStringLiteral("    interface %1%2\n")
                       .arg(c.interface,
                            c.bpf.isEmpty() ? QString() : QStringLiteral(", filter ") + c.bpf);
    }
    return ExitOk;
}

int fetchCapture(HostSession &host, const QString &name, const QString &dir, Cli &cli)
{
    auto list = host.session->captureList();
    if (!list) {
        cli.err
            << QStringLiteral("convergectl: %1: %2\n").arg(host.target.host, list.error().message);
        return ExitDeployFailed;
    }
    const auto it = std::ranges::find(list->captures, name, &protocol::CaptureInfo::name);
    if (it == list->captures.end()) {
        cli.err
            << QStringLiteral("convergectl: %1 has no capture %2\n").arg(host.target.host, name);
        return ExitBadInput;
    }
    if (!QDir().mkpath(dir)) {
        cli.err << QStringLiteral("convergectl: cannot create %1\n").arg(dir);
        return ExitIoError;
    }
    for (const protocol::CaptureFile &f : it->files) {
        auto got = fetchCaptureFile(*host.session, name, f.name, QDir(dir).filePath(f.name));
        if (!got && got.error().reason == QLatin1String("not-found") &&
            it->state == QLatin1String("running")) {
            // The ring deleted its oldest file since the list: no later fetch can have it.
            cli.out << QStringLiteral("%1  gone: the ring replaced it before it was fetched\n")
                           .arg(QDir(dir).filePath(f.name));
            continue;
        }
        if (!got) {
            cli.err << QStringLiteral("convergectl: %1: %2 (run the same command again to "
                                      "resume)\n")
                           .arg(f.name, got.error().message);
            return got.error().code == Error::Code::Io ? ExitIoError : ExitDeployFailed;
        }
        cli.out << QStringLiteral("%1  %2\n").arg(QDir(dir).filePath(f.name), megabytes(*got));
    }
    if (it->state == QLatin1String("running"))
        cli.out << QStringLiteral("%1 is still running: fetch again later for what it adds.\n")
                       .arg(name);
    return ExitOk;
}

int capturesCommand(const QStringList &args, Cli &cli)
{
    const Arguments a =
        parseArguments(withLongOptions(args), {QStringLiteral("host"), QStringLiteral("output")});
    static const QStringList verbs{QStringLiteral("list"), QStringLiteral("fetch"),
                                   QStringLiteral("stop"), QStringLiteral("delete")};
    if (!a.error.isEmpty() || a.positional.size() < 2 || !verbs.contains(a.positional[0]))
        return misuse(cli, capturesUsage, a.error);
    const QString verb = a.positional[0];
    if (a.positional.size() != (verb == QLatin1String("list") ? 2 : 3))
        return misuse(cli, capturesUsage,
                      verb == QLatin1String("list") ? QString()
                                                    : QStringLiteral("NAME is required"));
    auto host =
        openHostSession(a.positional[1], a.options.value(QStringLiteral("host")), *cli.agents);
    if (!host) {
        cli.err << QStringLiteral("convergectl: %1\n").arg(host.error().message);
        return host.error().code == Error::Code::Io ? ExitDeployFailed : ExitBadInput;
    }
    if (verb == QLatin1String("list"))
        return listCaptures(*host, cli);
    const QString name = a.positional[2];
    if (verb == QLatin1String("fetch"))
        return fetchCapture(*host, name, a.options.value(QStringLiteral("output"), name), cli);
    Result<void> done;
    if (verb == QLatin1String("stop")) {
        auto stopped = host->session->captureStop({0, name});
        if (!stopped)
            done = std::unexpected(stopped.error());
    } else
        done = host->session->captureDelete({name});
    if (!done) {
        cli.err
            << QStringLiteral("convergectl: %1: %2\n").arg(host->target.host, done.error().message);
        return done.error().code == Error::Code::Io ? ExitDeployFailed : ExitBadInput;
    }
    cli.out << QStringLiteral("%1 %2 on %3.\n")
                   .arg(name,
                        verb == QLatin1String("stop") ? QStringLiteral("stopped")
                                                      : QStringLiteral("deleted"),
                        host->target.host);
    return ExitOk;
}

} // namespace

const std::vector<Command> &captureCommands()
{
    static const std::vector<Command> commands{
        {"capture", captureUsage, captureCommand},
        {"captures", capturesUsage, capturesCommand},
    };
    return commands;
}

} // namespace converge::app
