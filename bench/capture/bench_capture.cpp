// bench-capture (root): capture rate on one veth stream of small UDP frames, Converge's
// CaptureEngine side by side with `tcpdump -i IF -w /dev/null` (issue 16, "Benchmarks"; target:
// at least tcpdump's rate with no more kernel drops).
// A veth pair: one end in a namespace of its own, where SENDERS processes (this program with
// --send) push 60-byte frames with sendmmsg as fast as they can for SECONDS; the capture runs on
// the other end, left in the root namespace (no address: the frames are captured, then
// dropped). By default both capturers run AT THE SAME TIME on that end, so both see the same
// packets and compete with the senders for the 2 cores, which is where kernel drops come from;
// --alternate runs them one after the other on streams of their own (the earlier mode). Ours
// appends each packet as a pcapng EPB (pcapng::appendPacket) to a buffer written to /dev/null,
// as a capture to a file would. Per run and medians: packets captured, kernel drops, CPU seconds
// (the capture thread's own for ours, tcpdump's from /proc/PID/stat), CPU per million packets,
// and the ratios.
// --hogs N adds N busy processes, so the capturers wait for a core as on a loaded host, and
// --tcpdump-buffer KIB gives tcpdump a kernel buffer other than its 2 MiB (ours: 8 MiB).
// usage: bench-capture [--alternate] [--senders N] [--hogs N] [--tcpdump-buffer KIB] [SECONDS]
//                      [RUNS]
#include "bench/benchstats.h"
#include "udpflood.h"

#include "collectors/capture/captureengine.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <thread>
#include <vector>

using namespace converge::collectors;
using converge::bench::Flood;

namespace {

const char *const kTarget = "10.216.62.2"; // a neighbour that does not exist: no one answers
// After the senders stop, before the capturers do: more than tcpdump's 1 s ring timeout, so
// its last block is read too.
constexpr std::chrono::milliseconds kDrain(1300);

struct Options
{
    double seconds = 5;
    int runs = 3;
    int senders = 2;
    bool alternate = false;
    int tcpdumpBufferKib = 0; // 0: tcpdump's default (2 MiB)
    int hogs = 0;             // busy processes beside the senders: capturers that wait for a core
};

// One capturer's share of one run.
struct Side
{
    qint64 captured = -1;
    qint64 kernelDrops = -1;
    double cpuSeconds = 0;
    double cpuPerMillion() const
    {
        return captured > 0 ? cpuSeconds * 1e6 / double(captured) : 0.0;
    }
};

struct Run
{
    qint64 sent = 0;     // by the senders
    qint64 received = 0; // the capture end's rx_packets: what there was to capture
    Side ours, tcpdump;
};

bool ip(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral("ip"), args);
    const bool ok = p.waitForFinished(10000) && p.exitCode() == 0;
    if (!ok)
        std::fprintf(stderr, "ip %s: %s\n", qPrintable(args.join(QLatin1Char(' '))),
                     p.readAllStandardError().constData());
    return ok;
}

// The namespace and its veth pair; deleting the namespace deletes both ends.
class Veth
{
public:
    explicit Veth(const QString &id)
        : m_ns(id + QStringLiteral("n"))
        , m_inside(id + QStringLiteral("s"))
        , m_outside(id + QStringLiteral("c"))
    {
        m_ok = ip({QStringLiteral("netns"), QStringLiteral("add"), m_ns}) && setUp();
    }
    ~Veth() { ip({QStringLiteral("netns"), QStringLiteral("del"), m_ns}); }
    Veth(const Veth &) = delete;
    Veth &operator=(const Veth &) = delete;
    bool isValid() const { return m_ok; }
    QString ns() const { return m_ns; }
    QString captureInterface() const { return m_outside; }
    qint64 received() const
    {
        QFile f(QStringLiteral("/sys/class/net/%1/statistics/rx_packets").arg(m_outside));
        return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toLongLong() : -1;
    }

private:
    // The sender's neighbour is static: no ARP, every frame is the stream's.
    bool setUp()
    {
        const QStringList inNs = {QStringLiteral("-n"), m_ns};
        return ip({QStringLiteral("link"), QStringLiteral("add"), m_outside, QStringLiteral("type"),
                   QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"), m_inside,
                   QStringLiteral("netns"), m_ns}) &&
               ip({QStringLiteral("link"), QStringLiteral("set"), m_outside,
                   QStringLiteral("up")}) &&
               ip(inNs + QStringList{QStringLiteral("addr"), QStringLiteral("add"),
                                     QStringLiteral("10.216.62.1/24"), QStringLiteral("dev"),
                                     m_inside}) &&
               ip(inNs + QStringList{QStringLiteral("link"), QStringLiteral("set"), m_inside,
                                     QStringLiteral("up")}) &&
               ip(inNs + QStringList{QStringLiteral("neigh"), QStringLiteral("add"),
                                     QLatin1String(kTarget), QStringLiteral("lladdr"),
                                     QStringLiteral("02:00:00:00:62:02"), QStringLiteral("dev"),
                                     m_inside});
    }
    QString m_ns, m_inside, m_outside;
    bool m_ok = false;
};

double threadCpuSeconds()
{
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

// Every packet becomes an EPB in a buffer written to /dev/null at 1 MiB and at each flush.
class DevNullSink : public PacketSink
{
public:
    DevNullSink()
        : m_fd(::open("/dev/null", O_WRONLY | O_CLOEXEC))
    {
        m_buffer.reserve(qsizetype(2) * 1024 * 1024);
    }
    ~DevNullSink() override { ::close(m_fd); }
    DevNullSink(const DevNullSink &) = delete;
    DevNullSink &operator=(const DevNullSink &) = delete;
    bool packet(qint64 timestampNs, std::span<const quint8> bytes, quint32 originalLength) override
    {
        pcapng::appendPacket(m_buffer, timestampNs, bytes, originalLength);
        return m_buffer.size() < qsizetype(1024) * 1024 || flush();
    }
    bool flush() override
    {
        const bool ok = ::write(m_fd, m_buffer.constData(), size_t(m_buffer.size())) >= 0;
        m_buffer.clear();
        return ok;
    }

private:
    int m_fd;
    QByteArray m_buffer;
};

// Our engine in a thread of its own, with its default options (8 MiB ring, 100 ms).
class OurCapture
{
public:
    bool start(const QString &interface)
    {
        CaptureOptions o;
        o.interface = interface;
        auto engine = CaptureEngine::open(o);
        if (!engine) {
            std::fprintf(stderr, "%s\n", qPrintable(engine.error().message));
            return false;
        }
        m_engine = std::move(*engine);
        m_stop = ::eventfd(0, EFD_CLOEXEC);
        m_thread = std::thread([this] {
            const double start = threadCpuSeconds();
            if (auto r = m_engine->run(m_sink, m_stop); !r)
                std::fprintf(stderr, "capture: %s\n", qPrintable(r.error().message));
            m_cpu = threadCpuSeconds() - start;
        });
        return true;
    }
    Side stop()
    {
        const quint64 one = 1;
        (void)::write(m_stop, &one, sizeof one);
        m_thread.join();
        ::close(m_stop);
        const CaptureCounters c = m_engine->counters();
        return {c.received, c.kernelDropped, m_cpu};
    }

private:
    std::unique_ptr<CaptureEngine> m_engine;
    DevNullSink m_sink;
    int m_stop = -1;
    std::thread m_thread;
    double m_cpu = 0;
};

qint64 cpuTicks(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 12 ? fields[11].toLongLong() + fields[12].toLongLong() : -1;
}

qint64 reported(const QString &text, const char *what)
{
    const QRegularExpression re(QStringLiteral("(\\d+) packets? %1").arg(QLatin1String(what)));
    const auto m = re.match(text);
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

// tcpdump -i IF -w /dev/null; its counts come from the lines it prints on SIGINT.
class Tcpdump
{
public:
    bool start(const QString &interface, int bufferKib)
    {
        m_process.setReadChannel(QProcess::StandardError);
        QStringList args{QStringLiteral("-i"), interface, QStringLiteral("-w"),
                         QStringLiteral("/dev/null")};
        if (bufferKib > 0)
            args << QStringLiteral("-B") << QString::number(bufferKib);
        m_process.start(QStringLiteral("tcpdump"), args);
        while (!m_err.contains("listening on") && m_process.waitForReadyRead(5000))
            m_err += m_process.readAllStandardError();
        if (m_err.contains("listening on")) {
            m_ticks = cpuTicks(m_process.processId());
            return true;
        }
        std::fprintf(stderr, "tcpdump did not start: %s\n", m_err.constData());
        m_process.kill();
        m_process.waitForFinished();
        return false;
    }
    Side stop()
    {
        // Its CPU before SIGINT: once it has exited, /proc no longer has it.
        const qint64 used = cpuTicks(m_process.processId()) - m_ticks;
        ::kill(pid_t(m_process.processId()), SIGINT);
        m_process.waitForFinished(10000);
        const QString text = QString::fromLocal8Bit(m_err + m_process.readAllStandardError());
        return {reported(text, "captured"), reported(text, "dropped by kernel"),
                double(used) / double(::sysconf(_SC_CLK_TCK))};
    }

private:
    QProcess m_process;
    QByteArray m_err;
    qint64 m_ticks = 0;
};

// SENDERS flood processes for SECONDS; the datagrams they sent, -1 when one failed.
qint64 flood(const Veth &veth, const Options &o)
{
    // The hogs spin for as long as the senders send (this program with --hog SECONDS).
    std::vector<std::unique_ptr<QProcess>> hogs;
    for (int i = 0; i < o.hogs; ++i) {
        hogs.push_back(std::make_unique<QProcess>());
        hogs.back()->start(QCoreApplication::applicationFilePath(),
                           {QStringLiteral("--hog"), QString::number(o.seconds)});
    }
    const auto joined = qScopeGuard([&] {
        for (auto &h : hogs)
            h->waitForFinished(int(o.seconds * 1000) + 30000);
    });
    std::vector<Flood> senders(size_t(o.senders));
    for (Flood &f : senders)
        if (!f.start(QCoreApplication::applicationFilePath(), veth.ns(), QLatin1String(kTarget),
                     o.seconds, 0))
            return -1;
    qint64 sent = 0;
    for (Flood &f : senders) {
        const qint64 n = f.finish(int(o.seconds * 1000) + 30000);
        if (n < 0)
            return -1;
        sent += n;
    }
    return sent;
}

// Starts the capturers in STARTS, floods, drains and stops them; false when one did not start.
bool floodWith(const Veth &veth, const Options &o, Run &r, const std::function<bool()> &starts,
               const std::function<void()> &stops)
{
    const qint64 before = veth.received();
    if (!starts())
        return false;
    r.sent += std::max<qint64>(flood(veth, o), 0);
    std::this_thread::sleep_for(kDrain);
    stops();
    r.received += veth.received() - before;
    return true;
}

bool runOnce(const Veth &veth, const Options &o, Run &r)
{
    OurCapture ours;
    Tcpdump tcpdump;
    const QString interface = veth.captureInterface();
    const auto startOurs = [&] {
        return ours.start(interface);
    };
    const auto startTcpdump = [&] {
        return tcpdump.start(interface, o.tcpdumpBufferKib);
    };
    if (o.alternate)
        return floodWith(veth, o, r, startOurs, [&] { r.ours = ours.stop(); }) &&
               floodWith(veth, o, r, startTcpdump, [&] { r.tcpdump = tcpdump.stop(); });
    return floodWith(
        veth, o, r,
        [&] {
            if (!startOurs())
                return false;
            if (startTcpdump())
                return true;
            r.ours = ours.stop();
            return false;
        },
        [&] {
            r.ours = ours.stop();
            r.tcpdump = tcpdump.stop();
        });
}

using converge::bench::median;

double ratio(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

void printSide(const char *who, const Side &s, double seconds, double received)
{
    std::printf("  %-9s %10lld captured (%9.0f/s, %6.2f %% of received), %8lld kernel drops, "
                "CPU %.2f s, %.3f CPU s per million packets\n",
                who, static_cast<long long>(s.captured), double(s.captured) / seconds,
                received > 0 ? 100.0 * double(s.captured) / received : 0.0,
                static_cast<long long>(s.kernelDrops), s.cpuSeconds, s.cpuPerMillion());
}

void printRun(int i, const Run &r, const Options &o)
{
    const double seconds = o.alternate ? 2 * o.seconds : o.seconds;
    std::printf("run %d: %lld sent by %d senders (%.0f/s), %lld received on the interface\n", i,
                static_cast<long long>(r.sent), o.senders, double(r.sent) / seconds,
                static_cast<long long>(r.received));
    // Alternating, each capturer saw half the stream: its share is of half the received.
    const double received = o.alternate ? double(r.received) / 2 : double(r.received);
    printSide("converge", r.ours, o.seconds, received);
    printSide("tcpdump", r.tcpdump, o.seconds, received);
    std::printf("  ratios: captured %.3fx tcpdump's, CPU per packet %.2fx tcpdump's\n",
                ratio(double(r.ours.captured), double(r.tcpdump.captured)),
                ratio(r.ours.cpuPerMillion(), r.tcpdump.cpuPerMillion()));
}

template<typename F> double medianOf(const std::vector<Run> &runs, F value)
{
    std::vector<double> v;
    for (const Run &r : runs)
        v.push_back(double(value(r)));
    return median(v);
}

void printMedians(const std::vector<Run> &runs, const Options &o)
{
    std::printf("medians of %zu runs (%.0f s each, %s):\n", runs.size(), o.seconds,
                o.alternate ? "alternating" : "both at once");
    std::printf("  sent %.0f/s, received on the interface %.0f\n",
                medianOf(runs, [](const Run &r) { return r.sent; }) /
                    (o.alternate ? 2 * o.seconds : o.seconds),
                medianOf(runs, [](const Run &r) { return r.received; }));
    const auto side = [&](const char *who, Side Run::*s) {
        std::printf("  %-9s %.0f captured (%.0f/s), %.0f kernel drops, CPU %.2f s, %.3f CPU s "
                    "per million packets\n",
                    who, medianOf(runs, [s](const Run &r) { return (r.*s).captured; }),
                    medianOf(runs, [s](const Run &r) { return (r.*s).captured; }) / o.seconds,
                    medianOf(runs, [s](const Run &r) { return (r.*s).kernelDrops; }),
                    medianOf(runs, [s](const Run &r) { return (r.*s).cpuSeconds; }),
                    medianOf(runs, [s](const Run &r) { return (r.*s).cpuPerMillion(); }));
    };
    side("converge", &Run::ours);
    side("tcpdump", &Run::tcpdump);
    std::printf("  ratios (median of the runs' ratios): captured %.3fx tcpdump's, CPU per packet "
                "%.2fx; kernel drops %.0f against tcpdump's %.0f (target: captured at least 1x, "
                "drops at most tcpdump's)\n",
                medianOf(runs,
                         [](const Run &r) {
                             return ratio(double(r.ours.captured), double(r.tcpdump.captured));
                         }),
                medianOf(runs,
                         [](const Run &r) {
                             return ratio(r.ours.cpuPerMillion(), r.tcpdump.cpuPerMillion());
                         }),
                medianOf(runs, [](const Run &r) { return r.ours.kernelDrops; }),
                medianOf(runs, [](const Run &r) { return r.tcpdump.kernelDrops; }));
    // A median hides the one run that dropped: the totals show it.
    qint64 ours = 0, theirs = 0;
    for (const Run &r : runs) {
        ours += std::max<qint64>(r.ours.kernelDrops, 0);
        theirs += std::max<qint64>(r.tcpdump.kernelDrops, 0);
    }
    std::printf("  kernel drops over all runs: converge %lld, tcpdump %lld\n",
                static_cast<long long>(ours), static_cast<long long>(theirs));
}

// A busy process for SECONDS (--hogs).
int spin(double seconds)
{
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    volatile quint64 n = 0;
    while (std::chrono::steady_clock::now() < end)
        n = n + 1;
    return 0;
}

bool parse(int argc, char **argv, Options &o)
{
    QStringList numbers;
    for (int i = 1; i < argc; ++i) {
        const QString a = QString::fromLocal8Bit(argv[i]);
        if (a == QLatin1String("--alternate"))
            o.alternate = true;
        else if (a == QLatin1String("--senders") && i + 1 < argc)
            o.senders = std::atoi(argv[++i]);
        else if (a == QLatin1String("--hogs") && i + 1 < argc)
            o.hogs = std::atoi(argv[++i]);
        else if (a == QLatin1String("--tcpdump-buffer") && i + 1 < argc)
            o.tcpdumpBufferKib = std::atoi(argv[++i]);
        else
            numbers << a;
    }
    if (numbers.size() > 2)
        return false;
    if (!numbers.isEmpty())
        o.seconds = numbers.at(0).toDouble();
    if (numbers.size() > 1)
        o.runs = numbers.at(1).toInt();
    return o.seconds > 0 && o.seconds <= 600 && o.runs >= 1 && o.runs <= 50 && o.senders >= 1 &&
           o.senders <= 16 && o.hogs >= 0 && o.hogs <= 16 && o.tcpdumpBufferKib >= 0 &&
           o.tcpdumpBufferKib <= 1024 * 1024;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc > 1 && std::strcmp(argv[1], "--send") == 0)
        return converge::bench::floodMain(argc, argv);
    if (argc == 3 && std::strcmp(argv[1], "--hog") == 0)
        return spin(std::atof(argv[2]));
    QCoreApplication app(argc, argv);
    Options o;
    if (!parse(argc, argv, o)) {
        std::fprintf(stderr, "usage: bench-capture [--alternate] [--senders 1-16] [--hogs 0-16] "
                             "[--tcpdump-buffer KIB] [SECONDS 0-600] [RUNS 1-50]\n");
        return 2;
    }
    if (::geteuid() != 0) {
        std::printf("bench-capture: needs root (network namespaces, raw capture); skipped\n");
        return 0;
    }
    const Veth veth(QStringLiteral("cvbc%1").arg(::getpid()));
    if (!veth.isValid())
        return 1;
    std::printf("veth %s, 60-byte UDP frames from %d sender processes (and %d busy ones) for "
                "%.0f s per run, %d runs, %s; tcpdump buffer %s\n",
                qPrintable(veth.captureInterface()), o.senders, o.hogs, o.seconds, o.runs,
                o.alternate ? "alternating" : "both capturers at once",
                o.tcpdumpBufferKib > 0 ? qPrintable(QString::number(o.tcpdumpBufferKib) + " KiB")
                                       : "its default (2 MiB)");
    // The senders alone first: the stream's rate without a capturer, and a warm-up (the first
    // run on a cold namespace is the slowest).
    std::printf("senders alone: %.0f packets/s\n", double(flood(veth, o)) / o.seconds);
    std::vector<Run> runs;
    for (int i = 1; i <= o.runs; ++i) {
        Run r;
        if (!runOnce(veth, o, r))
            return 1;
        printRun(i, r, o);
        std::fflush(stdout);
        runs.push_back(r);
    }
    printMedians(runs, o);
    return 0;
}
