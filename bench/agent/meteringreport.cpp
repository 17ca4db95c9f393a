#include "meteringreport.h"

#include "bench/benchstats.h"
#include "collectors/agent/agentconfig.h"
#include "collectors/agent/agentserver.h"

#include <algorithm>

namespace converge::bench {

namespace {

using converge::bench::median;

QString row(const QString &what, const Footprint &f)
{
    return QStringLiteral("  %1 CPU %2 %   RSS peak %3 MB, end %4 MB (anon %5)   OVS daemons "
                          "CPU %6 %")
        .arg(what, -36)
        .arg(f.cpuPercent, 6, 'f', 2)
        .arg(f.rssPeakMb, 5, 'f', 1)
        .arg(f.rssEndMb, 5, 'f', 1)
        .arg(f.rssAnonEndMb, 4, 'f', 1)
        .arg(f.ovsCpuPercent, 5, 'f', 2);
}

QString batchText(const BatchShape &b)
{
    return QStringLiteral("%1 series per batch (%2 of vNICs, %3 of them ACLs), %4 bytes, kept "
                          "as %5")
        .arg(b.series)
        .arg(b.vnicSeries)
        .arg(b.aclSeries)
        .arg(b.bytes)
        .arg(b.keptBytes);
}

} // namespace

void printRound(QTextStream &out, int n, const Round &r)
{
    out << "round " << n << '\n'
        << row(QStringLiteral("(a) converged, metering every 1 s"), r.metering.use)
        << QStringLiteral("   (%1 events; %2)\n")
               .arg(r.metering.events)
               .arg(batchText(r.metering.batch))
        << row(QStringLiteral("(b) converged, metering off"), r.baseline.use) << '\n'
        << row(QStringLiteral("(c) node_exporter, scraped at 1 Hz"), r.exporter.use)
        << QStringLiteral("   (%1 scrapes of %2 bytes, %3 series)\n")
               .arg(r.exporter.scrapes)
               .arg(r.exporter.bytes)
               .arg(r.exporter.series);
    out.flush();
}

namespace {

// The median of each figure over the rounds (not the round with the median CPU).
Footprint medianOf(const std::vector<Round> &rounds, auto pick)
{
    std::vector<double> cpu, peak, end, anon, ovs;
    for (const Round &r : rounds) {
        const Footprint &f = pick(r);
        cpu.push_back(f.cpuPercent);
        peak.push_back(f.rssPeakMb);
        end.push_back(f.rssEndMb);
        anon.push_back(f.rssAnonEndMb);
        ovs.push_back(f.ovsCpuPercent);
    }
    return Footprint{median(cpu), median(peak), median(end), median(anon), median(ovs)};
}

// What the agent's back-fill buffer (metering_buffer minutes of events, capped in bytes) holds
// once full, at the size of these batches: the phases are too short to fill it.
void printBuffer(QTextStream &out, const BatchShape &batch, int measuredSec)
{
    const double minutes = double(collectors::AgentConfig{}.meteringBufferMs) / 60'000;
    const qint64 cap = collectors::AgentServer::kMeteringBufferBytes;
    const double full = std::min(double(cap), minutes * 60 * double(batch.keptBytes));
    out << QStringLiteral("  back-fill buffer (%1 min of events, at most %2 MB): full at %3 MB "
                          "after %4 s; a phase ends with about %5 MB in it\n")
               .arg(minutes, 0, 'f', 0)
               .arg(double(cap) / 1e6, 0, 'f', 1)
               .arg(full / 1e6, 0, 'f', 1)
               .arg(full / double(std::max<qsizetype>(1, batch.keptBytes)), 0, 'f', 0)
               .arg(std::min(full, double(measuredSec) * double(batch.keptBytes)) / 1e6, 0, 'f', 1);
}

} // namespace

void printMedians(QTextStream &out, const std::vector<Round> &rounds, int measuredSec)
{
    const Footprint a = medianOf(rounds, [](const Round &r) { return r.metering.use; });
    const Footprint b = medianOf(rounds, [](const Round &r) { return r.baseline.use; });
    const Footprint c = medianOf(rounds, [](const Round &r) { return r.exporter.use; });
    const Footprint cost{a.cpuPercent - b.cpuPercent, a.rssPeakMb - b.rssPeakMb,
                         a.rssEndMb - b.rssEndMb, a.rssAnonEndMb - b.rssAnonEndMb,
                         a.ovsCpuPercent - b.ovsCpuPercent};
    const Round &last = rounds.back();
    out << "median of " << rounds.size() << " rounds\n"
        << row(QStringLiteral("(a) converged, metering every 1 s"), a) << '\n'
        << row(QStringLiteral("(b) converged, metering off"), b) << '\n'
        << row(QStringLiteral("(c) node_exporter, scraped at 1 Hz"), c) << '\n'
        << row(QStringLiteral("metering's cost (a) - (b)"), cost) << '\n'
        << QStringLiteral("  CPU (a) / (c): %1\n").arg(a.cpuPercent / c.cpuPercent, 0, 'f', 2)
        << QStringLiteral("  (a): %1; node_exporter: %2 series, %3 bytes a scrape\n")
               .arg(batchText(last.metering.batch))
               .arg(last.exporter.series)
               .arg(last.exporter.bytes);
    printBuffer(out, last.metering.batch, measuredSec);
    out << QStringLiteral("  target RSS <= 10 MB: %1 (peak %2 MB); CPU below node_exporter's: %3\n")
               .arg(QLatin1String(a.rssPeakMb <= 10 ? "met" : "NOT met"))
               .arg(a.rssPeakMb, 0, 'f', 1)
               .arg(QLatin1String(a.cpuPercent < c.cpuPercent ? "met" : "NOT met"));
}

} // namespace converge::bench
