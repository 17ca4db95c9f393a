// bench-capture-live (root): the live capture path end to end (issue 16, "Benchmarks": "packets
// per second shown in the GUI without growing memory"). A converged agent of this build runs in
// a host namespace (tests/fleet/fleetlab.h: its own Open vSwitch, enrolled with a console
// identity); its veth cap0's peer sits in a namespace of its own, where a sender process (this
// program with --send) sends 60-byte UDP frames at a steady RATE. The console side is this
// process, in the fleet's console namespace: runLiveCapture of target.interface = cap0 into a
// pcapng file, and a CaptureWindow (offscreen) following that file, as the GUI does, for
// SECONDS per rate. Per rate: packets/s arriving at the console and shown in the window's model
// (rowCount growth), what the agent and the kernel dropped, the agent's RSS (start, end, peak)
// and the console's anonymous RSS every 2 s (the model keeps 24 bytes per packet and the packet
// bytes stay in the file: the growth per packet shown is the figure), and both sides' CPU.
// usage: bench-capture-live [SECONDS] [RATE,RATE,...] (packets/s; 0: as fast as one sender goes)
#include "udpflood.h"

#include "fleetlab.h"

#include "collectors/channel/tlsagentconnector.h"
#include "collectors/console/capturesession.h"
#include "views/capture/capturewindow.h"
#include "views/capture/packetlistmodel.h"

#include <QTableView>

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QThread>
#include <QTimer>

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>

using namespace converge;
using namespace converge::testing;
using converge::bench::Flood;
using converge::views::capture::CaptureWindow;

namespace {

const QString kTarget = QStringLiteral("10.216.63.2"); // no one: a static neighbour entry
constexpr int kSampleMs = 2000;
constexpr int kDrainMs = 1500; // after the sender stops: the agent's last batches and one tick

// A field of /proc/PID/status in kB ("VmRSS:", "VmHWM:", "RssAnon:"); -1 when absent.
qint64 statusKb(qint64 pid, const char *field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(qsizetype(std::strlen(field)))
                .trimmed()
                .split(' ')
                .first()
                .toLongLong();
    return -1;
}

// This process's anonymous memory in kB, counted page by page (smaps_rollup), not from the
// kernel's cached per-thread RSS counters.
qint64 selfAnonKb()
{
    QFile f(QStringLiteral("/proc/self/smaps_rollup"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("Anonymous:"))
            return line.mid(10).trimmed().split(' ').first().toLongLong();
    return -1;
}

double selfCpuSeconds()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// runLiveCapture in a thread of its own, inside the console namespace, into PATH (unbuffered:
// the header reaches the file before the first packet does, so the window can open it).
class LiveConsole
{
public:
    LiveConsole(FleetLab &lab, const QString &path)
        : m_lab(lab)
        , m_path(path)
    {
    }
    ~LiveConsole() { finish(); }
    LiveConsole(const LiveConsole &) = delete;
    LiveConsole &operator=(const LiveConsole &) = delete;

    bool start(QString *why);
    void finish()
    {
        m_stop = true;
        if (m_thread)
            m_thread->wait();
    }

    std::atomic<qint64> packets = 0, received = 0, kernelDropped = 0, agentDropped = 0;

private:
    void run();

    FleetLab &m_lab;
    QString m_path;
    std::atomic_bool m_stop = false;
    std::unique_ptr<QThread> m_thread;
    QString m_error; // set by the thread before it ends
};

void LiveConsole::run()
{
    NetnsScope inConsole(m_lab.console().name());
    const FleetLab::Host &h = m_lab.hosts().front();
    collectors::TlsAgentConnector connector(m_lab.identity());
    auto session = connector.open({h.name, h.address, h.fingerprint}, {});
    QFile out(m_path);
    if (!session || !out.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        m_error = session ? out.errorString() : session.error().message;
        return;
    }
    core::protocol::CaptureStartRequest request;
    request.target.interface = QStringLiteral("cap0");
    request.comment = QStringLiteral("bench-capture-live");
    auto done = collectors::runLiveCapture(**session, request, out, m_stop, {},
                                           [this](const collectors::LiveCaptureProgress &p) {
                                               packets = p.packets;
                                               received = p.stats.received;
                                               kernelDropped = p.stats.kernelDropped;
                                               agentDropped = p.stats.agentDropped;
                                           });
    if (!done)
        m_error = done.error().message;
}

bool LiveConsole::start(QString *why)
{
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->start();
    for (QElapsedTimer t; !t.isValid() || t.elapsed() < 15000; QThread::msleep(50)) {
        if (!t.isValid())
            t.start();
        if (m_thread->isFinished()) {
            *why = QStringLiteral("the live capture ended: ") + m_error;
            return false;
        }
        if (QFileInfo(m_path).size() > 0)
            return true;
    }
    *why = QStringLiteral("no capture header within 15 s");
    return false;
}

struct Sample
{
    double seconds = 0; // since the sender started
    qint64 arrived = 0; // packets written by the console
    qint64 rows = 0;    // in the window's model
    qint64 consoleAnonKb = 0;
    qint64 agentRssKb = 0;
};

struct RateResult
{
    double rate = 0;
    double seconds = 0;
    qint64 sent = 0;
    std::vector<Sample> samples; // [0]: before the sender started; back(): after the drain
    qint64 received = 0, kernelDropped = 0, agentDropped = 0;
    qint64 agentPeakKb = 0;
    qint64 consoleTrimmedKb = 0; // anonymous RSS at the end after malloc_trim
    qint64 stoppedKb = 0;        // the same once the live capture has ended
    qint64 closedKb = 0;         // and once the window is closed
    double agentCpu = 0, consoleCpu = 0;
};

class Bench
{
public:
    Bench(FleetLab &lab, QString senderNs)
        : m_lab(lab)
        , m_senderNs(std::move(senderNs))
    {
        m_agentPid = lab.hosts().front().agent->pid();
    }
    bool measure(double rate, double seconds, RateResult &r);

private:
    Sample sample(const LiveConsole &console, const CaptureWindow &window, double t) const
    {
        return {t, console.packets.load(), window.packetModel()->packetCount(), selfAnonKb(),
                statusKb(m_agentPid, "VmRSS:")};
    }
    void follow(LiveConsole &console, CaptureWindow &window, Flood &sender, RateResult &r);

    FleetLab &m_lab;
    QString m_senderNs;
    qint64 m_agentPid = 0;
};

// Runs the event loop, as the GUI's, while the sender sends and for the drain after it: every
// 100 ms the agent's counters go to the window (as the GUI passes them on) and its RSS is
// checked for the peak; every 2 s a sample.
void Bench::follow(LiveConsole &console, CaptureWindow &window, Flood &sender, RateResult &r)
{
    QElapsedTimer clock;
    clock.start();
    qint64 nextSample = kSampleMs, drainUntil = -1;
    QEventLoop loop;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        window.setLiveCounters(quint64(console.received.load()),
                               quint64(console.kernelDropped.load()),
                               quint64(console.agentDropped.load()));
        r.agentPeakKb = std::max(r.agentPeakKb, statusKb(m_agentPid, "VmRSS:"));
        if (clock.elapsed() >= nextSample) {
            r.samples.push_back(sample(console, window, double(clock.elapsed()) / 1000.0));
            nextSample += kSampleMs;
        }
        if (drainUntil < 0 && clock.elapsed() >= qint64(r.seconds * 1000)) {
            r.sent = sender.finish(30000);
            drainUntil = clock.elapsed() + kDrainMs;
        }
        if (drainUntil >= 0 && clock.elapsed() >= drainUntil)
            loop.quit();
    });
    tick.start(100);
    loop.exec();
    r.samples.push_back(sample(console, window, double(clock.elapsed()) / 1000.0));
}

// Anonymous RSS in kB after RELEASE and malloc_trim.
qint64 trimmedAfter(const std::function<void()> &release)
{
    release();
    QApplication::processEvents();
    ::malloc_trim(0);
    return selfAnonKb();
}

bool Bench::measure(double rate, double seconds, RateResult &r)
{
    r.rate = rate;
    r.seconds = seconds;
    const QString path = m_lab.dir() + QStringLiteral("/live-%1.pcapng").arg(qint64(rate));
    LiveConsole console(m_lab, path);
    QString why;
    if (!console.start(&why)) {
        std::fprintf(stderr, "rate %.0f: %s\n%s\n", rate, qPrintable(why),
                     qPrintable(m_lab.agentLog(m_lab.hosts().front()).right(2000)));
        return false;
    }
    std::unique_ptr<CaptureWindow> window(CaptureWindow::openFile(path, true, nullptr, &why));
    if (!window) {
        std::fprintf(stderr, "rate %.0f: the window cannot open %s: %s\n", rate, qPrintable(path),
                     qPrintable(why));
        return false;
    }
    window->resize(1280, 800);
    window->show();
    QApplication::processEvents();
    // Free heap glibc keeps is not the model's: the baseline and the end are measured trimmed
    // too (a growing vector leaves its earlier, smaller copies behind as free heap).
    ::malloc_trim(0);
    r.samples.push_back(sample(console, *window, 0));
    r.agentPeakKb = r.samples.front().agentRssKb;
    const qint64 agentTicks = processCpuTicks(m_agentPid);
    const double consoleCpu = selfCpuSeconds();
    Flood sender;
    if (!sender.start(QCoreApplication::applicationFilePath(), m_senderNs, kTarget, seconds, rate))
        return false;
    follow(console, *window, sender, r);
    ::malloc_trim(0);
    r.consoleTrimmedKb = selfAnonKb();
    r.agentCpu = double(processCpuTicks(m_agentPid) - agentTicks) / double(::sysconf(_SC_CLK_TCK));
    r.consoleCpu = selfCpuSeconds() - consoleCpu;
    r.stoppedKb = trimmedAfter([&] {
        console.finish();
        window->stopFollowing();
    });
    r.received = console.received;
    r.kernelDropped = console.kernelDropped;
    r.agentDropped = console.agentDropped;
    r.closedKb = trimmedAfter([&] { window.reset(); });
    QFile::remove(path);
    return true;
}

void printSamples(const RateResult &r)
{
    for (const Sample &s : r.samples)
        std::printf("    t=%5.1f s: %9lld arrived, %9lld rows, console anon RSS %7lld kB, agent "
                    "RSS %6lld kB\n",
                    s.seconds, static_cast<long long>(s.arrived), static_cast<long long>(s.rows),
                    static_cast<long long>(s.consoleAnonKb), static_cast<long long>(s.agentRssKb));
}

// The console's anonymous memory: as it grew, without the heap glibc kept free, and the share
// of the packet list view.
void printConsole(const RateResult &r, qint64 rows)
{
    const Sample &a = r.samples.front(), &b = r.samples.back();
    const auto perPacket = [rows](qint64 kb) {
        return rows > 0 ? double(kb) * 1024.0 / double(rows) : 0.0;
    };
    std::printf("  console: anon RSS %lld -> %lld kB, %.1f bytes per packet shown; after "
                "malloc_trim %lld kB, %.1f bytes per packet (the model's record: 24); CPU %.2f s\n",
                static_cast<long long>(a.consoleAnonKb), static_cast<long long>(b.consoleAnonKb),
                perPacket(b.consoleAnonKb - a.consoleAnonKb),
                static_cast<long long>(r.consoleTrimmedKb),
                perPacket(r.consoleTrimmedKb - a.consoleAnonKb), r.consoleCpu);
    // The window's share: the model's 24-byte records and the packet list's QHeaderView, which
    // keeps a section item per row even hidden and of fixed size.
    std::printf("  of that: the live capture's session and thread %.1f, the window (its model and "
                "packet list) %.1f bytes per packet, given back when it closed\n",
                perPacket(r.consoleTrimmedKb - r.stoppedKb), perPacket(r.stoppedKb - r.closedKb));
}

void printResult(const RateResult &r)
{
    const Sample &a = r.samples.front(), &b = r.samples.back();
    const qint64 rows = b.rows - a.rows;
    std::printf("rate %s: %lld sent (%.0f/s)\n",
                r.rate > 0 ? qPrintable(QString::number(r.rate, 'f', 0)) : "max",
                static_cast<long long>(r.sent), double(r.sent) / r.seconds);
    printSamples(r);
    std::printf("  arriving at the console %.0f packets/s, shown in the window %.0f packets/s "
                "(%lld rows)\n",
                double(b.arrived - a.arrived) / r.seconds, double(rows) / r.seconds,
                static_cast<long long>(rows));
    std::printf("  agent: %lld received, %lld dropped by the kernel, %lld dropped by the agent; "
                "RSS %lld kB at start, %lld kB at end, %lld kB peak; CPU %.2f s\n",
                static_cast<long long>(r.received), static_cast<long long>(r.kernelDropped),
                static_cast<long long>(r.agentDropped), static_cast<long long>(a.agentRssKb),
                static_cast<long long>(b.agentRssKb), static_cast<long long>(r.agentPeakKb),
                r.agentCpu);
    printConsole(r, rows);
    std::fflush(stdout);
}

// The sender's namespace takes cap0's peer: the frames arrive on cap0 in the agent's host.
bool senderSide(FleetLab &lab, NetNs &sender, QString *why)
{
    const auto ipIn = [](const NetNs &ns, const QStringList &args, QString *error) {
        auto r = ns.run(QStringList{QStringLiteral("ip")} + args);
        if (!r)
            *error = r.error().message;
        return bool(r);
    };
    return ipIn(*lab.hosts().front().ns,
                {QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("cap0p"),
                 QStringLiteral("netns"), sender.name()},
                why) &&
           ipIn(sender,
                {QStringLiteral("addr"), QStringLiteral("add"), QStringLiteral("10.216.63.1/24"),
                 QStringLiteral("dev"), QStringLiteral("cap0p")},
                why) &&
           ipIn(sender,
                {QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("cap0p"),
                 QStringLiteral("up")},
                why) &&
           ipIn(sender,
                {QStringLiteral("neigh"), QStringLiteral("add"), kTarget, QStringLiteral("lladdr"),
                 QStringLiteral("02:00:00:00:63:02"), QStringLiteral("dev"),
                 QStringLiteral("cap0p")},
                why);
}

bool parse(int argc, char **argv, double &seconds, std::vector<double> &rates)
{
    if (argc > 3)
        return false;
    if (argc > 1)
        seconds = std::atof(argv[1]);
    if (argc > 2) {
        rates.clear();
        for (const QString &r : QString::fromLocal8Bit(argv[2]).split(QLatin1Char(','))) {
            bool ok = false;
            rates.push_back(r.toDouble(&ok));
            if (!ok || rates.back() < 0 || rates.back() > 1e7)
                return false;
        }
    }
    return seconds >= 2 && seconds <= 600 && !rates.empty();
}

int runAll(double seconds, const std::vector<double> &rates)
{
    FleetLab lab;
    QString why;
    if (!lab.setUp(1, {QStringLiteral("cap0")}, &why)) {
        std::printf("bench-capture-live: %s\n", qPrintable(why));
        return why.contains(QLatin1String("needs root")) ||
                       why.contains(QLatin1String("not installed"))
                   ? 0
                   : 1;
    }
    NetNs sender;
    if (auto enrolled = lab.enrollAll(); !enrolled)
        why = enrolled.error().message;
    else if (!sender.isValid())
        why = sender.error();
    else if (senderSide(lab, sender, &why))
        why.clear();
    if (!why.isEmpty()) {
        std::fprintf(stderr, "bench-capture-live: %s\n", qPrintable(why));
        return 1;
    }
    const qint64 agent = lab.hosts().front().agent->pid();
    QFile comm(QStringLiteral("/proc/%1/comm").arg(agent));
    const QByteArray name = comm.open(QIODevice::ReadOnly) ? comm.readAll().trimmed() : "?";
    std::printf("agent pid %lld (%s), interface cap0, 60-byte UDP frames, %.0f s per rate\n", agent,
                name.constData(), seconds);
    Bench bench(lab, sender.name());
    for (const double rate : rates) {
        RateResult r;
        if (!bench.measure(rate, seconds, r))
            return 1;
        printResult(r);
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc > 1 && std::strcmp(argv[1], "--send") == 0)
        return converge::bench::floodMain(argc, argv);
    double seconds = 20;
    std::vector<double> rates{10000, 50000, 200000, 0};
    if (!parse(argc, argv, seconds, rates)) {
        std::fprintf(stderr, "usage: bench-capture-live [SECONDS 2-600] [RATE,RATE,... "
                             "packets/s, 0: as fast as one sender goes]\n");
        return 2;
    }
    if (::geteuid() != 0) {
        std::printf("bench-capture-live: needs root (namespaces, a real agent); skipped\n");
        return 0;
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    return runAll(seconds, rates);
}
