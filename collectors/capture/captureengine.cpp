#include "collectors/capture/captureengine.h"

#include "collectors/logging.h"

#include <pcap/pcap.h>

#include <net/if.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

namespace converge::collectors {

namespace {

constexpr int maxSnapLength = 262144;
constexpr int minBuffer = 1024 * 1024;
constexpr int maxBuffer = 256 * 1024 * 1024;

using PcapHandle = std::unique_ptr<pcap_t, decltype(&pcap_close)>;

QString pcapError(pcap_t *p)
{
    return QString::fromLocal8Bit(pcap_geterr(p));
}

core::Result<void> checkOptions(const CaptureOptions &o)
{
    if (o.interface.isEmpty() || o.interface.size() >= IFNAMSIZ ||
        o.interface.contains(QLatin1Char('/')))
        return core::invalid(QStringLiteral("capture.interface: \"%1\" is not an interface name "
                                            "(1-%2 characters, no '/')")
                                 .arg(o.interface)
                                 .arg(IFNAMSIZ - 1));
    if (o.snapLength < 64 || o.snapLength > maxSnapLength)
        return core::invalid(QStringLiteral("capture.snapLength: %1 is not in 64-%2")
                                 .arg(o.snapLength)
                                 .arg(maxSnapLength));
    if (o.bufferBytes < minBuffer || o.bufferBytes > maxBuffer)
        return core::invalid(
            QStringLiteral("capture.bufferBytes: %1 is not in 1 MiB-256 MiB").arg(o.bufferBytes));
    if (o.timeoutMs < 1 || o.timeoutMs > 10000)
        return core::invalid(
            QStringLiteral("capture.timeoutMs: %1 is not in 1-10000").arg(o.timeoutMs));
    return {};
}

// Everything pcap_activate needs set before it: a buffered TPACKET_V3 ring unless immediate
// mode is asked for (it falls back to TPACKET_V2, a wake-up per packet), nanosecond stamps
// where the kernel gives them, promiscuous as tcpdump and dumpcap are by default (a mirror's
// output port receives frames addressed to others).
core::Result<PcapHandle> create(const CaptureOptions &o)
{
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    PcapHandle p(pcap_create(o.interface.toUtf8().constData(), errbuf), &pcap_close);
    if (!p)
        return core::fail(
            core::Error::Code::Io,
            QStringLiteral("interface %1: %2").arg(o.interface, QString::fromLocal8Bit(errbuf)));
    pcap_set_snaplen(p.get(), o.snapLength);
    pcap_set_buffer_size(p.get(), o.bufferBytes);
    pcap_set_timeout(p.get(), o.timeoutMs);
    pcap_set_promisc(p.get(), 1);
    pcap_set_immediate_mode(p.get(), o.immediate ? 1 : 0);
    // Not supported: stamps stay in microseconds and are scaled (run()).
    (void)pcap_set_tstamp_precision(p.get(), PCAP_TSTAMP_PRECISION_NANO);
    return p;
}

core::Result<void> activate(pcap_t *p, const QString &interface)
{
    const int status = pcap_activate(p);
    if (status > 0)
        qCWarning(lcAgent).noquote()
            << "capture on" << interface << ":" << pcap_statustostr(status) << pcapError(p);
    if (status >= 0)
        return {};
    // libpcap's detail, where it adds to the status's words (often it repeats them).
    QString what = QString::fromLocal8Bit(pcap_statustostr(status));
    const QString detail = pcapError(p);
    if (!detail.isEmpty() && !what.contains(detail))
        what += QStringLiteral(" (") + detail + QLatin1Char(')');
    return core::fail(core::Error::Code::Io,
                      QStringLiteral("interface %1: cannot capture: %2").arg(interface, what));
}

core::Result<void> setFilter(pcap_t *p, const QString &bpf)
{
    bpf_program program{};
    if (pcap_compile(p, &program, bpf.toUtf8().constData(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        return core::invalid(QStringLiteral("filter \"%1\": %2").arg(bpf, pcapError(p)));
    const int status = pcap_setfilter(p, &program);
    pcap_freecode(&program);
    if (status != 0)
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("filter \"%1\": %2").arg(bpf, pcapError(p)));
    return {};
}

} // namespace

struct CaptureEngine::Private
{
    PcapHandle handle{nullptr, &pcap_close};
    QString interface;
    QString bpf;
    int timeoutMs = 100;
    int linkType = 1;
    int snapLength = 0;
    qint64 stampScale = 1; // 1000 when the stamps are microseconds
    int fd = -1;
    // Written by run()'s thread only, read from any (CaptureEngine::counters()).
    std::atomic<qint64> received{0};
    std::atomic<qint64> bytes{0};
    std::atomic<qint64> kernelDropped{0};
    std::atomic<qint64> ourDropped{0};

    void updateKernelDrops();
    core::Error gone(const QString &detail) const;
    core::Result<void> dispatch(PacketSink &sink, bool pollError);
};

namespace {

// One pcap_dispatch round's tallies, published to the atomics once per round: no locked
// instruction per packet.
struct Round
{
    PacketSink *sink = nullptr;
    qint64 stampScale = 1;
    qint64 received = 0;
    qint64 bytes = 0;
    qint64 dropped = 0;
};

void onPacket(u_char *user, const pcap_pkthdr *h, const u_char *bytes)
{
    auto *round = reinterpret_cast<Round *>(user); // NOLINT(bugprone-casting-through-void)
    const qint64 ns =
        qint64(h->ts.tv_sec) * 1'000'000'000 + qint64(h->ts.tv_usec) * round->stampScale;
    if (round->sink->packet(ns, std::span<const quint8>(bytes, h->caplen), h->len)) {
        ++round->received;
        round->bytes += h->caplen;
    } else {
        ++round->dropped;
    }
}

} // namespace

CaptureEngine::CaptureEngine()
    : m_d(std::make_unique<Private>())
{
}

CaptureEngine::~CaptureEngine() = default;

core::Result<std::unique_ptr<CaptureEngine>> CaptureEngine::open(const CaptureOptions &options)
{
    if (auto ok = checkOptions(options); !ok)
        return std::unexpected(ok.error());
    auto handle = create(options);
    if (!handle)
        return std::unexpected(handle.error());
    pcap_t *p = handle->get();
    if (auto ok = activate(p, options.interface); !ok)
        return std::unexpected(ok.error());
    const QString bpf = options.filter.toBpf();
    if (auto ok = setFilter(p, bpf); !ok)
        return std::unexpected(ok.error());
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    const int fd = pcap_get_selectable_fd(p);
    if (fd < 0 || pcap_setnonblock(p, 1, errbuf) != 0)
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("interface %1: cannot read without blocking: %2")
                              .arg(options.interface, QString::fromLocal8Bit(errbuf)));
    std::unique_ptr<CaptureEngine> engine(new CaptureEngine());
    Private &e = *engine->m_d;
    e.interface = options.interface;
    e.bpf = bpf;
    e.timeoutMs = options.timeoutMs;
    e.linkType = pcap_datalink(p);
    e.snapLength = pcap_snapshot(p);
    e.stampScale = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
    e.fd = fd;
    e.handle = std::move(*handle);
    return engine;
}

static bool interfaceGone(const QString &interface)
{
    return if_nametoindex(interface.toUtf8().constData()) == 0;
}

// The kernel's counts since the handle was opened (libpcap accumulates them across reads).
void CaptureEngine::Private::updateKernelDrops()
{
    pcap_stat stats{};
    if (pcap_stats(handle.get(), &stats) == 0)
        kernelDropped.store(qint64(stats.ps_drop) + stats.ps_ifdrop, std::memory_order_relaxed);
}

core::Error CaptureEngine::Private::gone(const QString &detail) const
{
    // libpcap's own words add nothing when they say the same ("The interface disappeared").
    const QString why = detail.isEmpty() || detail.contains(QLatin1String("disappeared"))
                            ? QString()
                            : QStringLiteral(" (%1)").arg(detail);
    return core::Error{
        core::Error::Code::Io,
        QStringLiteral("interface %1 disappeared during the capture%2").arg(interface, why)};
}

// Reads every packet ready now; an error ends the capture and names the interface.
core::Result<void> CaptureEngine::Private::dispatch(PacketSink &sink, bool pollError)
{
    Round round{&sink, stampScale};
    const int n = pcap_dispatch(handle.get(), -1, &onPacket, reinterpret_cast<u_char *>(&round));
    received.store(received.load(std::memory_order_relaxed) + round.received,
                   std::memory_order_relaxed);
    bytes.store(bytes.load(std::memory_order_relaxed) + round.bytes, std::memory_order_relaxed);
    ourDropped.store(ourDropped.load(std::memory_order_relaxed) + round.dropped,
                     std::memory_order_relaxed);
    if (n < 0 && interfaceGone(interface))
        return std::unexpected(gone(pcapError(handle.get())));
    if (n == PCAP_ERROR_IFACE_NOT_UP)
        return core::fail(
            core::Error::Code::Io,
            QStringLiteral("interface %1 went down during the capture").arg(interface));
    if (n < 0)
        return core::fail(core::Error::Code::Io, QStringLiteral("interface %1: capture failed: %2")
                                                     .arg(interface, pcapError(handle.get())));
    // A socket error that libpcap did not turn into one (the device went away between polls).
    if (pollError && n == 0 && interfaceGone(interface))
        return std::unexpected(gone({}));
    return {};
}

core::Result<void> CaptureEngine::run(PacketSink &sink, int stopFd)
{
    Private &e = *m_d;
    for (;;) {
        pollfd fds[2] = {{e.fd, POLLIN, 0}, {stopFd, POLLIN, 0}};
        const int ready = ::poll(fds, 2, e.timeoutMs);
        if (ready < 0 && errno != EINTR)
            return core::fail(core::Error::Code::Io,
                              QStringLiteral("interface %1: poll: %2")
                                  .arg(e.interface, QString::fromLocal8Bit(strerror(errno))));
        if (fds[1].revents != 0)
            break;
        if (ready > 0 && fds[0].revents != 0) {
            const bool pollError = (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
            if (auto ok = e.dispatch(sink, pollError); !ok) {
                e.updateKernelDrops();
                return ok;
            }
        } else if (interfaceGone(e.interface)) {
            return std::unexpected(e.gone({}));
        }
        e.updateKernelDrops();
        if (!sink.flush())
            return {};
    }
    // Blocks the kernel handed over while we were told to stop are read too; the block still
    // open (at most timeoutMs of packets) is not waited for.
    auto drained = e.dispatch(sink, false);
    e.updateKernelDrops();
    (void)sink.flush();
    return drained;
}

CaptureCounters CaptureEngine::counters() const
{
    CaptureCounters c;
    c.received = m_d->received.load(std::memory_order_relaxed);
    c.bytes = m_d->bytes.load(std::memory_order_relaxed);
    c.kernelDropped = m_d->kernelDropped.load(std::memory_order_relaxed);
    c.ourDropped = m_d->ourDropped.load(std::memory_order_relaxed);
    return c;
}

QString CaptureEngine::bpf() const
{
    return m_d->bpf;
}

int CaptureEngine::linkType() const
{
    return m_d->linkType;
}

int CaptureEngine::snapLength() const
{
    return m_d->snapLength;
}

} // namespace converge::collectors
