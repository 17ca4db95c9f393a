// bench-metering-chart: how long a metering chart takes to redraw (issue 15: under 16 ms, one
// frame at 60 Hz). A chart of 10 series (--series N) of 2,000 columns each (--points N), as a
// query of a wide chart returns them, at 1280x800: each run replaces every series' points (the
// average line and its min-max band) and grabs the widget, which paints it all synchronously.
// Prints the median of 21 runs (--runs N), total and its two parts, once with the value axis
// unchanged and once with it re-ranged every run (live data that grows). Run it offscreen:
// QT_QPA_PLATFORM=offscreen (the default when unset).
#include "views/metering/meteringchart.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPixmap>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace converge;
using core::metering::ChartPoint;
using core::metering::SeriesKey;

namespace {

// The chart draws what it is given (showColumns); queries, which this source answers with
// nothing, are not what is timed here (the store's benchmarks time those).
class NoSamples : public core::metering::MetricsSource
{
public:
    std::vector<SeriesKey> series(const QString & /*host*/) const override { return {}; }
    core::Result<std::vector<ChartPoint>> query(const SeriesKey & /*key*/, qint64 /*fromMs*/,
                                                qint64 /*toMs*/, int /*maxPoints*/) const override
    {
        return std::vector<ChartPoint>{};
    }
};

int intArg(const QStringList &args, const QString &name, int fallback)
{
    const qsizetype i = args.indexOf(name);
    if (i < 0)
        return fallback;
    bool ok = false;
    const int value = args.value(i + 1).toInt(&ok);
    if (!ok || value <= 0) {
        std::fprintf(stderr, "bench-metering-chart: %s needs a positive number\n",
                     qPrintable(name));
        std::exit(2);
    }
    return value;
}

double median(std::vector<double> v)
{
    std::ranges::sort(v);
    return v.empty() ? 0 : v[v.size() / 2];
}

// Columns of one run: a wave per series, shifted each run so every redraw has new data;
// `scale` x as high on odd runs, so the value axis takes a new range every run.
std::vector<std::vector<ChartPoint>> columns(int series, int points, qint64 fromMs, int run,
                                             double scale)
{
    std::vector<std::vector<ChartPoint>> all;
    all.resize(size_t(series));
    for (int s = 0; s < series; ++s) {
        auto &c = all[size_t(s)];
        c.reserve(size_t(points));
        for (int i = 0; i < points; ++i) {
            const double avg =
                (run % 2 ? scale : 1) * 1e6 * (2 + s + std::sin((i + run * 7) / (20.0 + s)));
            c.push_back({fromMs + qint64(i) * 1000, avg * 0.8, avg * 1.3, avg, 60});
        }
    }
    return all;
}

// Prints the median of `runs` redraws: replace every series' columns, then grab the widget.
void timeRedraws(views::metering::MeteringChart &chart, int series, int points, qint64 fromMs,
                 int runs, double scale, const char *label)
{
    std::vector<double> replace, grab, total;
    for (int run = 0; run < runs; ++run) {
        const auto data = columns(series, points, fromMs, run, scale);
        QElapsedTimer timer;
        timer.start();
        chart.showColumns(data);
        const double replaced = double(timer.nsecsElapsed()) / 1e6;
        const QPixmap frame = chart.grab();
        const double all = double(timer.nsecsElapsed()) / 1e6;
        replace.push_back(replaced);
        grab.push_back(all - replaced);
        total.push_back(all);
        QApplication::processEvents(); // queries the chart asks for answer nothing
    }
    std::printf("redraw, %s, median of %d runs: %.2f ms (replace points %.2f ms, grab %.2f ms); "
                "target under 16 ms\n",
                label, runs, median(total), median(replace), median(grab));
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = QApplication::arguments();
    const int series = intArg(args, QStringLiteral("--series"), 10);
    const int points = intArg(args, QStringLiteral("--points"), 2000);
    const int runs = intArg(args, QStringLiteral("--runs"), 21);

    NoSamples source;
    views::metering::MeteringChart chart(&source);
    std::vector<SeriesKey> keys;
    for (int s = 0; s < series; ++s)
        keys.push_back({QStringLiteral("h1"), QStringLiteral("if/eth%1").arg(s),
                        QStringLiteral("net_receive_bytes_per_second")});
    chart.setSeries(keys);
    const qint64 fromMs = 1'765'000'000'000;
    chart.setTimeRange(fromMs, fromMs + qint64(points) * 1000);
    chart.resize(1280, 800);
    chart.show();
    QApplication::processEvents();
    (void)chart.grab(); // the first paint builds caches the others reuse

    std::printf("platform: %s, chart %dx%d, %d series x %d points (line + min-max band)\n",
                qPrintable(QGuiApplication::platformName()), chart.width(), chart.height(), series,
                points);
    timeRedraws(chart, series, points, fromMs, runs, 1, "same value axis");
    timeRedraws(chart, series, points, fromMs, runs, 3, "value axis re-ranged each run");
    return 0;
}
