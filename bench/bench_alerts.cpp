// bench-alerts: the alert evaluator fed live-style batches (every series one 1-second sample a
// round) under three rules, and the Resource Metering report over the 1,000-host synthetic design
// (16,000 VMs, 48,000 vNICs) with in-memory totals. Prints medians of several runs.
#include "bench/benchstats.h"
#include "generator/designgenerator.h"

#include "core/metering/alerts.h"
#include "core/metering/report.h"

#include <QElapsedTimer>
#include <QTextStream>

#include <algorithm>

using namespace converge;
using namespace converge::core;
using namespace converge::core::metering;

namespace {

using converge::bench::median;

double elapsedMs(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

std::vector<AlertRule> rules()
{
    AlertRule cpu{QStringLiteral("cpu"),
                  QStringLiteral("CPU busy"),
                  AlertKind::Threshold,
                  {QStringLiteral("*"), QStringLiteral("cpu"), QStringLiteral("cpu_busy_percent")},
                  Comparison::Above,
                  90,
                  300'000,
                  80,
                  60'000};
    AlertRule errors{QStringLiteral("errors"),
                     QStringLiteral("Interface errors"),
                     AlertKind::Rising,
                     {QStringLiteral("*"), QStringLiteral("if/*"),
                      QStringLiteral("net_receive_errors_per_second")},
                     Comparison::Above,
                     0,
                     10'000,
                     0,
                     30'000};
    AlertRule down{QStringLiteral("down"),
                   QStringLiteral("Agent unreachable"),
                   AlertKind::Unreachable,
                   {QStringLiteral("*"), {}, {}},
                   Comparison::Above,
                   0,
                   120'000,
                   0,
                   0};
    return {cpu, errors, down};
}

// hosts x (1 cpu + 50 interfaces x 2 metrics) series; a tenth of the CPUs above 90 %.
SampleBatch round(int hosts, qint64 tMs)
{
    SampleBatch batch;
    for (int h = 0; h < hosts; ++h) {
        const QString host = QStringLiteral("hv%1").arg(h);
        batch.series.push_back({{host, QStringLiteral("cpu"), QStringLiteral("cpu_busy_percent")},
                                {{tMs, h % 10 ? 40.0 : 95.0, 1000}}});
        for (int i = 0; i < 50; ++i) {
            const QString entity = QStringLiteral("if/eth%1").arg(i);
            batch.series.push_back({{host, entity, QStringLiteral("net_receive_errors_per_second")},
                                    {{tMs, i == 0 ? 1.0 : 0.0, 1000}}});
            batch.series.push_back({{host, entity, QStringLiteral("net_receive_bytes_per_second")},
                                    {{tMs, 1e6, 1000}}});
        }
    }
    return batch;
}

void benchEvaluator(QTextStream &out)
{
    constexpr int kHosts = 200, kRounds = 30;
    std::vector<SampleBatch> batches;
    for (int r = 0; r < kRounds; ++r)
        batches.push_back(round(kHosts, 1'000 * qint64(r + 1)));
    const qsizetype perRound = batches.front().sampleCount();
    std::vector<double> rates;
    qsizetype open = 0;
    for (int run = 0; run < 5; ++run) {
        AlertEvaluator ev(rules());
        QElapsedTimer t;
        t.start();
        for (int r = 0; r < kRounds; ++r) {
            ev.feed(batches[size_t(r)], 1'000 * qint64(r + 1));
            ev.tick(1'000 * qint64(r + 1));
        }
        rates.push_back(double(perRound) * kRounds / (elapsedMs(t) / 1000));
        open = ev.openCount();
    }
    out << "alerts: " << kHosts << " hosts, " << perRound << " samples a round, " << kRounds
        << " rounds, 3 rules: median " << qint64(median(rates)) << " samples/s (" << open
        << " alerts open at the end)\n";
}

class ConstantTotals : public TotalsSource
{
public:
    std::optional<SeriesTotals> totals(const SeriesKey &, qint64, qint64) override
    {
        ++asked;
        return SeriesTotals{3600, 1, 9, 5, 18'000};
    }
    qint64 asked = 0;
};

void benchReport(QTextStream &out)
{
    const Design design = bench::generateDesign(1000);
    std::vector<double> build, csv;
    qint64 rows = 0, bytes = 0, asked = 0;
    for (int run = 0; run < 5; ++run) {
        ConstantTotals source;
        QElapsedTimer t;
        t.start();
        auto report = buildMeteringReport(design, source, 0, 3'600'000);
        build.push_back(elapsedMs(t));
        t.restart();
        bytes = report->toCsv().size();
        csv.push_back(elapsedMs(t));
        rows = qint64(report->rows.size());
        asked = source.asked;
    }
    out << "report: " << design.count(ElementKind::VirtualMachine) << " VMs, " << rows << " rows, "
        << asked << " series asked: build median " << median(build) << " ms, CSV median "
        << median(csv) << " ms (" << bytes / 1024 << " KiB)\n";
}

} // namespace

int main()
{
    QTextStream out(stdout);
    benchEvaluator(out);
    benchReport(out);
    return 0;
}
