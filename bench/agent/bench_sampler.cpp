// bench-sampler: what sampling this host costs (issue 15, "Samplers"; the agent does it once a
// second): ROUNDS rounds of the host sampler over the real /proc and /sys, back to back. Prints
// the series a round gives, the median and 90th-percentile time of a round, the processor time
// of all rounds, and the resident memory (RSS) now and at its peak. No root needed.
//   usage: bench-sampler [ROUNDS]
#include "collectors/metering/hostsampler.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QTextStream>

#include <sys/resource.h>

#include <algorithm>

using namespace converge::collectors::metering;

namespace {

// VmRSS from /proc/self/status, in KiB.
qint64 residentKib()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

double cpuSeconds()
{
    rusage usage = {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double percentile(std::vector<double> values, double p)
{
    std::ranges::sort(values);
    return values[size_t(double(values.size() - 1) * p)];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int rounds = argc > 1 ? std::max(2, atoi(argv[1])) : 1000;
    QTextStream out(stdout);
    auto sampler = HostSampler::create({QStringLiteral("bench")});
    if (!sampler) {
        out << sampler.error().message << "\n";
        return 1;
    }
    const qint64 rssBefore = residentKib();
    std::vector<double> us;
    us.reserve(size_t(rounds));
    qsizetype series = 0;
    const double cpuBefore = cpuSeconds();
    // Rounds a millisecond apart do the work of rounds a second apart; only the processors' ticks
    // (10 ms) may not have moved, and a round without ticks has no processor sample.
    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < rounds; ++i) {
        QElapsedTimer t;
        t.start();
        const SamplerRound round = sampler->sample(start + i);
        us.push_back(double(t.nsecsElapsed()) / 1000.0);
        series = std::max(series, qsizetype(round.batch.series.size()));
    }
    const double cpu = cpuSeconds() - cpuBefore;
    const qint64 rss = residentKib();
    rusage usage = {};
    getrusage(RUSAGE_SELF, &usage);
    out << "rounds: " << rounds << ", series in a round: up to " << series << "\n"
        << "round: median " << percentile(us, 0.5) << " us, p90 " << percentile(us, 0.9)
        << " us; processor time " << cpu * 1e6 / rounds << " us a round\n"
        << "RSS: " << rssBefore << " KiB before the first round, " << rss << " KiB after the last, "
        << usage.ru_maxrss << " KiB peak\n";
    for (const QString &problem : sampler->currentProblems())
        out << "problem: " << problem << "\n";
    return 0;
}
