// bench-displayfilter: a display filter run on 1,000,000 packet summaries (the dissector
// fixtures in turn, dissected once beforehand), for a few filters: nanoseconds per packet, the
// median of five runs, and the time to compile each filter. A packet list refilters every row
// when the filter changes, so this is the cost per row of typing a filter (issue 16, "Views").
// usage: bench-displayfilter [PACKETS]
#include "captureframes.h"
#include "collectors/capture/displayfilter.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>

using namespace converge::collectors;
using namespace converge::capturetest;

namespace {

struct Packet
{
    QByteArray frame;
    PacketSummary summary;
    std::span<const quint8> bytes() const
    {
        return {reinterpret_cast<const quint8 *>(frame.constData()), size_t(frame.size())};
    }
};

// One run over `packets` summaries; returns seconds and adds the packets shown to `shown`.
double run(const DisplayFilter &filter, const std::vector<Packet> &mix, qint64 packets,
           qint64 &shown)
{
    QElapsedTimer timer;
    timer.start();
    for (qint64 i = 0; i < packets; ++i) {
        const Packet &p = mix[size_t(i) % mix.size()];
        shown += filter.matches(p.summary, p.bytes()) ? 1 : 0;
    }
    return double(timer.nsecsElapsed()) / 1e9;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const qint64 packets = app.arguments().size() > 1 ? app.arguments()[1].toLongLong() : 1000000;
    std::vector<Packet> mix;
    for (const Fixture &f : fixtures()) {
        Packet p{f.frame, {}};
        p.summary = dissectSummary(p.bytes());
        mix.push_back(p);
    }
    const char *const filters[] = {
        "ip.addr == 10.0.0.0/8",
        "udp.port == 53 or tcp.flags.syn == 1",
        "not arp and vlan.id == 100",
        "dns.qry.name contains \"example\"",
        "ip.addr == 10.0.0.1 and (tcp.port == 80 or udp.port == 4789) and not _ws.malformed",
    };
    std::printf("%lld packets a run, %zu kinds in turn\n", static_cast<long long>(packets),
                mix.size());
    for (const char *text : filters) {
        QElapsedTimer compileTimer;
        compileTimer.start();
        const auto filter = DisplayFilter::compile(QString::fromUtf8(text));
        const double compileUs = double(compileTimer.nsecsElapsed()) / 1e3;
        if (!filter) {
            std::fprintf(stderr, "%s\n", qPrintable(filter.error().message));
            return 1;
        }
        std::vector<double> runs;
        qint64 shown = 0;
        for (int i = 0; i < 5; ++i)
            runs.push_back(run(*filter, mix, packets, shown));
        std::sort(runs.begin(), runs.end());
        std::printf("%-84s compile %6.1f us, match %5.1f ns/packet (median of 5), %lld shown\n",
                    text, compileUs, runs[2] * 1e9 / double(packets),
                    static_cast<long long>(shown / 5));
    }
    return 0;
}
