// bench-capture (root): capture rate on one veth stream of small UDP frames, Converge's
// CaptureEngine side by side with `tcpdump -i IF -w /dev/null` (issue 16, "Benchmarks").
// A veth pair: one end in a namespace of its own, where a thread sends 60-byte frames with
// sendmmsg for SECONDS; the capture runs on the other end, left in the root namespace (no
// address: the frames are captured, then dropped). Ours appends each packet as a pcapng EPB
// (pcapng::appendPacket) to a buffer written to /dev/null, as a capture to a file would. The two
// alternate, RUNS times each; per run and medians: packets/s captured, kernel drops, the
// capturer's CPU; and the ratio. Target: at least tcpdump's rate with no more kernel drops.
// usage: bench-capture [SECONDS] [RUNS]
#include "collectors/capture/captureengine.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <thread>
#include <vector>

using namespace converge::collectors;

namespace {

const char *const kTarget = "10.216.62.2"; // a neighbour that does not exist: no one answers
// After the sender stops, before the capturer is: more than tcpdump's 1 s ring timeout, so
// its last block is read too.
constexpr std::chrono::milliseconds kDrain(1300);

struct Run
{
    double rate = 0; // packets captured per second of sending
    qint64 captured = 0;
    qint64 kernelDrops = 0;
    double cpu = 0; // the capturer's processor time over the run's wall time, in %
    qint64 sent = 0;
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

// sendmmsg of 18-byte UDP payloads (60-byte frames) in batches of 64 for SECONDS. The calling
// thread joins the namespace for good: call it from a thread of its own. Returns the datagrams
// sent.
qint64 sendFor(const QString &ns, double seconds)
{
    const int nsFd = ::open(QByteArray("/run/netns/" + ns.toUtf8()).constData(), O_RDONLY);
    if (nsFd < 0 || ::setns(nsFd, CLONE_NEWNET) != 0)
        return -1;
    ::close(nsFd);
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    ::inet_pton(AF_INET, kTarget, &to.sin_addr);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to) != 0)
        return -1;
    char payload[18] = {};
    iovec iov{payload, sizeof payload};
    std::vector<mmsghdr> batch(64);
    for (mmsghdr &m : batch)
        m.msg_hdr = msghdr{nullptr, 0, &iov, 1, nullptr, 0, 0};
    qint64 sent = 0;
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        const int n = ::sendmmsg(fd, batch.data(), unsigned(batch.size()), 0);
        sent += std::max(n, 0);
    }
    ::close(fd);
    return sent;
}

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

Run ours(const Veth &veth, double seconds)
{
    Run r;
    CaptureOptions o;
    o.interface = veth.captureInterface();
    auto engine = CaptureEngine::open(o);
    if (!engine) {
        std::fprintf(stderr, "%s\n", qPrintable(engine.error().message));
        return r;
    }
    const int stop = ::eventfd(0, EFD_CLOEXEC);
    DevNullSink sink;
    double cpu = 0;
    QElapsedTimer wall;
    wall.start();
    std::thread capture([&] {
        const double start = threadCpuSeconds();
        (void)(*engine)->run(sink, stop);
        cpu = threadCpuSeconds() - start;
    });
    std::thread sender([&] { r.sent = sendFor(veth.ns(), seconds); });
    sender.join();
    std::this_thread::sleep_for(kDrain);
    const quint64 one = 1;
    (void)::write(stop, &one, sizeof one);
    capture.join();
    ::close(stop);
    const CaptureCounters c = (*engine)->counters();
    r.captured = c.received;
    r.kernelDrops = c.kernelDropped;
    r.rate = double(c.received) / seconds;
    r.cpu = 100.0 * cpu / (double(wall.elapsed()) / 1000.0);
    return r;
}

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

Run tcpdump(const Veth &veth, double seconds)
{
    Run r;
    QProcess p;
    p.setReadChannel(QProcess::StandardError);
    p.start(QStringLiteral("tcpdump"), {QStringLiteral("-i"), veth.captureInterface(),
                                        QStringLiteral("-w"), QStringLiteral("/dev/null")});
    QByteArray err;
    while (!err.contains("listening on") && p.waitForReadyRead(5000))
        err += p.readAllStandardError();
    if (!err.contains("listening on")) {
        std::fprintf(stderr, "tcpdump did not start: %s\n", err.constData());
        p.kill();
        p.waitForFinished();
        return r;
    }
    QElapsedTimer wall;
    wall.start();
    const qint64 ticks = cpuTicks(p.processId());
    std::thread sender([&] { r.sent = sendFor(veth.ns(), seconds); });
    sender.join();
    std::this_thread::sleep_for(kDrain);
    const qint64 used = cpuTicks(p.processId()) - ticks;
    const double elapsed = double(wall.elapsed()) / 1000.0;
    ::kill(pid_t(p.processId()), SIGINT);
    p.waitForFinished(10000);
    const QString text = QString::fromLocal8Bit(err + p.readAllStandardError());
    r.captured = reported(text, "captured");
    r.kernelDrops = reported(text, "dropped by kernel");
    r.rate = double(r.captured) / seconds;
    r.cpu = 100.0 * double(used) / double(::sysconf(_SC_CLK_TCK)) / elapsed;
    return r;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

void print(const char *who, int run, const Run &r)
{
    std::printf("%-9s run %d: %9.0f packets/s captured (%lld of %lld sent, %.2f %%), "
                "%lld kernel drops, CPU %.1f %%\n",
                who, run, r.rate, static_cast<long long>(r.captured),
                static_cast<long long>(r.sent),
                r.sent > 0 ? 100.0 * double(r.captured) / double(r.sent) : 0.0,
                static_cast<long long>(r.kernelDrops), r.cpu);
}

void summary(const char *who, const std::vector<Run> &runs)
{
    std::vector<double> rates, shares, drops, cpus;
    for (const Run &r : runs) {
        rates.push_back(r.rate);
        shares.push_back(r.sent > 0 ? 100.0 * double(r.captured) / double(r.sent) : 0.0);
        drops.push_back(double(r.kernelDrops));
        cpus.push_back(r.cpu);
    }
    std::printf("%-9s median: %9.0f packets/s (%.2f %% of sent), %.0f kernel drops, CPU %.1f %%\n",
                who, median(rates), median(shares), median(drops), median(cpus));
}

} // namespace

int main(int argc, char **argv)
{
    const double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
    if (seconds <= 0 || seconds > 600 || runs < 1 || runs > 50) {
        std::fprintf(stderr, "usage: bench-capture [SECONDS 0-600] [RUNS 1-50]\n");
        return 2;
    }
    if (::geteuid() != 0) {
        std::fprintf(stderr, "bench-capture: needs root (network namespaces, raw capture)\n");
        return 1;
    }
    const Veth veth(QStringLiteral("cvbc%1").arg(::getpid()));
    if (!veth.isValid())
        return 1;
    std::printf("veth %s, 60-byte UDP frames for %.0f s per run, %d runs each\n",
                qPrintable(veth.captureInterface()), seconds, runs);
    // The sender alone first: the stream's rate without a capturer, and a warm-up (the first
    // run on a cold namespace is the slowest, whichever capturer it has).
    qint64 alone = 0;
    std::thread([&] { alone = sendFor(veth.ns(), seconds); }).join();
    std::printf("sender alone: %.0f packets/s\n", double(alone) / seconds);
    std::vector<Run> mine, theirs;
    for (int i = 1; i <= runs; ++i) {
        mine.push_back(ours(veth, seconds));
        print("converge", i, mine.back());
        theirs.push_back(tcpdump(veth, seconds));
        print("tcpdump", i, theirs.back());
    }
    summary("converge", mine);
    summary("tcpdump", theirs);
    std::vector<double> a, b;
    for (size_t i = 0; i < mine.size(); ++i) {
        a.push_back(mine[i].rate);
        b.push_back(theirs[i].rate);
    }
    std::printf("ratio: %.2fx tcpdump's rate (target at least 1x, no more kernel drops)\n",
                median(b) > 0 ? median(a) / median(b) : 0.0);
    return 0;
}
