// The metering charts against a fake MetricsSource with known data (fakemetricssource.h):
// columns no more than pixels, peaks kept, stale results dropped, live follow throttled, series
// grouped by unit, the empty state, and the screenshot for the README.
#include "fakemetricssource.h"
#include "viewstestsupport.h"

#include "core/model/newelements.h"
#include "views/mainwindow.h"
#include "views/metering/meteringchart.h"
#include "views/metering/meteringdock.h"
#include "views/metering/meteringpanel.h"
#include "views/session/designsession.h"

#include <QApplication>
#include <QDir>
#include <QTest>
#include <QValueAxis>
#include <QWheelEvent>

#include <gtest/gtest.h>

#include <cmath>

using namespace converge;
using namespace converge::views::metering;
using converge::core::metering::Sample;
using converge::core::metering::SeriesKey;
using converge::views::test::FakeMetricsSource;

namespace {

constexpr qint64 now = 1'765'000'000'000; // a fixed "now" for live mode
constexpr qint64 hourMs = 3'600'000;

SeriesKey key(const char *entity, const char *metric)
{
    return {QStringLiteral("web1"), QString::fromUtf8(entity), QString::fromUtf8(metric)};
}

// One sample a second over the last `hours` before `now`, value(i) for the i-th.
std::vector<Sample> lastHours(int hours, const std::function<double(int)> &value)
{
    std::vector<Sample> samples;
    for (int i = 0; i < 3600 * hours; ++i)
        samples.push_back({now - hours * hourMs + qint64(i) * 1000, value(i), 1000});
    return samples;
}

std::vector<Sample> lastHour(const std::function<double(int)> &value)
{
    return lastHours(1, value);
}

double maxY(const QList<QPointF> &points)
{
    double m = -1e300;
    for (const QPointF &p : points)
        m = std::max(m, p.y());
    return m;
}

// A shown chart of `keys` over the last hour at a fixed now, its first query drawn.
struct ShownChart
{
    explicit ShownChart(FakeMetricsSource *source, const std::vector<SeriesKey> &keys)
        : chart(source)
    {
        chart.setClock([] { return now; });
        chart.resize(900, 420);
        chart.show();
        chart.setSeries(keys);
        chart.showLast(hourMs);
        settle();
    }
    // Until the queries the show, resize and layout asked for are drawn and no more come.
    void settle()
    {
        int drawn = 0;
        auto c = QObject::connect(&chart, &MeteringChart::redrawn, [&] { ++drawn; });
        EXPECT_TRUE(QTest::qWaitFor([&] { return drawn > 0; }, 5000));
        QTest::qWait(100);
        QObject::disconnect(c);
    }
    MeteringChart chart;
};

} // namespace

TEST(MeteringChart, AsksForNoMoreColumnsThanThePlotHasPixels)
{
    FakeMetricsSource source;
    source.add(key("if/eth0", "net_receive_bytes_per_second"), lastHour([](int) { return 1e6; }));
    ShownChart shown(&source, source.series());
    const int plotWidth = int(shown.chart.chart()->plotArea().width());
    ASSERT_GT(plotWidth, 300);
    EXPECT_LE(source.lastMaxPoints.load(), plotWidth);
    EXPECT_GE(source.lastMaxPoints.load(), plotWidth - 1);
    // 3,600 samples drawn as at most one point per pixel.
    EXPECT_LE(shown.chart.averagePoints(0).size(), plotWidth);
    EXPECT_GT(shown.chart.averagePoints(0).size(), plotWidth / 2);
}

TEST(MeteringChart, ASpikeShowsAsTheMaximumOfItsColumn)
{
    FakeMetricsSource source;
    // 5,000 B/s one second of the hour, 1,000 B/s otherwise: the average of its column hides
    // it, the band's top shows it (as 40 kbit/s on an axis in kbit/s).
    source.add(key("if/eth0", "net_receive_bytes_per_second"),
               lastHour([](int i) { return i == 1234 ? 5000.0 : 1000.0; }));
    ShownChart shown(&source, source.series());
    EXPECT_EQ(shown.chart.scale(0).suffix, QStringLiteral("kbit/s"));
    EXPECT_DOUBLE_EQ(maxY(shown.chart.bandTop(0)), 40.0);
    EXPECT_LT(maxY(shown.chart.averagePoints(0)), 20.0);
    EXPECT_GE(shown.chart.valueAxis(0)->max(), 40.0); // the axis leaves room for the peak
}

TEST(MeteringChart, ALateResultOfAnOlderQueryDoesNotOverwriteANewerOne)
{
    FakeMetricsSource source;
    source.add(key("if/eth0", "net_receive_bytes_per_second"),
               lastHour([](int i) { return double(i); }));
    ShownChart shown(&source, source.series());
    const qint64 olderFrom = now - hourMs, newerFrom = now - hourMs / 4;
    source.holdNextFrom(olderFrom);
    shown.chart.setTimeRange(olderFrom, now);
    ASSERT_TRUE(QTest::qWaitFor([&] { return source.holding.load(); }, 5000));
    // The newer range is asked for while the older query is still running: it is drawn...
    int drawn = 0;
    QObject::connect(&shown.chart, &MeteringChart::redrawn, [&] { ++drawn; });
    shown.chart.setTimeRange(newerFrom, now);
    ASSERT_TRUE(QTest::qWaitFor([&] { return drawn == 1; }, 5000));
    const QList<QPointF> newer = shown.chart.averagePoints(0);
    ASSERT_FALSE(newer.isEmpty());
    EXPECT_GE(newer.front().x(), double(newerFrom));
    // ...and stays drawn when the older one comes back late.
    const int finishedBefore = source.finished.load();
    source.release();
    ASSERT_TRUE(QTest::qWaitFor([&] { return source.finished.load() > finishedBefore; }, 5000));
    QTest::qWait(100);
    EXPECT_EQ(drawn, 1);
    EXPECT_EQ(shown.chart.averagePoints(0), newer);
    EXPECT_EQ(shown.chart.fromMs(), newerFrom);
}

TEST(MeteringChart, LiveModeQueriesAgainAsSamplesArriveAtMostFourTimesASecond)
{
    FakeMetricsSource source;
    source.add(key("", "memory_used_bytes"), lastHour([](int) { return 2e9; }));
    qint64 clock = now;
    MeteringChart chart(&source);
    chart.setClock([&clock] { return clock; });
    chart.resize(800, 400);
    chart.show();
    chart.setSeries(source.series());
    chart.showLast(5 * 60'000);
    QTest::qWait(400); // the first query and any the layout asks for
    ASSERT_TRUE(chart.isLive());
    const int before = source.calls.load();
    clock += 1000;
    for (int i = 0; i < 10; ++i)
        Q_EMIT source.samplesArrived(clock);
    // The first batch is drawn at once, the nine that follow within the quarter second once.
    EXPECT_TRUE(QTest::qWaitFor([&] { return source.calls.load() == before + 1; }, 200));
    EXPECT_EQ(source.lastToMs.load(), clock);
    EXPECT_EQ(source.lastFromMs.load(), clock - 5 * 60'000);
    QTest::qWait(600);
    EXPECT_EQ(source.calls.load(), before + 2);
    // Not live (the user panned back): arriving samples leave the shown range alone.
    chart.pan(-0.5);
    QTest::qWait(100);
    const int panned = source.calls.load();
    Q_EMIT source.samplesArrived(clock + 1000);
    QTest::qWait(400);
    EXPECT_EQ(source.calls.load(), panned);
    EXPECT_FALSE(chart.isLive());
}

TEST(MeteringChart, ALiveWeekIsAskedForOnceAColumnNotOnEverySample)
{
    FakeMetricsSource source;
    source.add(key("", "memory_used_bytes"), lastHour([](int) { return 2e9; }));
    qint64 clock = now;
    MeteringChart chart(&source);
    chart.setClock([&clock] { return clock; });
    chart.resize(800, 400);
    chart.show();
    chart.setSeries(source.series());
    chart.showLast(7 * 24 * hourMs);
    QTest::qWait(400);
    const int before = source.calls.load();
    // A column of a week over ~700 pixels is about 14 minutes: samples a second apart wait.
    for (int second = 1; second <= 4; ++second) {
        clock += 1000;
        Q_EMIT source.samplesArrived(clock);
        QTest::qWait(300);
    }
    EXPECT_EQ(source.calls.load(), before + 1);
}

TEST(MeteringChart, KeysZoomPanAndGoBackToLive)
{
    FakeMetricsSource source;
    source.add(key("", "memory_used_bytes"), lastHour([](int) { return 2e9; }));
    ShownChart shown(&source, source.series());
    MeteringChart &chart = shown.chart;
    QTest::keyClick(&chart, Qt::Key_Minus);
    EXPECT_EQ(chart.toMs() - chart.fromMs(), hourMs * 5 / 4);
    EXPECT_FALSE(chart.isLive());
    const qint64 from = chart.fromMs();
    QTest::keyClick(&chart, Qt::Key_Left);
    EXPECT_LT(chart.fromMs(), from);
    QTest::keyClick(&chart, Qt::Key_Home);
    EXPECT_TRUE(chart.isLive());
    EXPECT_EQ(chart.toMs(), now);
    EXPECT_EQ(chart.toMs() - chart.fromMs(), hourMs * 5 / 4);
    QTest::keyClick(&chart, Qt::Key_L);
    EXPECT_FALSE(chart.isLive());
}

TEST(MeteringChart, TheWheelZoomsAroundThePointerAndDraggingPans)
{
    FakeMetricsSource source;
    source.add(key("", "memory_used_bytes"), lastHour([](int) { return 2e9; }));
    ShownChart shown(&source, source.series());
    MeteringChart &chart = shown.chart;
    const QRectF area = chart.chart()->plotArea();
    const QPoint at = chart.mapFromScene(
        chart.chart()->mapToScene(QPointF(area.left() + area.width() / 4, area.center().y())));
    const double share = 0.25; // of the span, where the pointer is
    const double before = double(chart.fromMs()) + share * double(hourMs);
    QWheelEvent wheel(at, chart.mapToGlobal(at), {}, QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(chart.viewport(), &wheel);
    const qint64 span = chart.toMs() - chart.fromMs();
    EXPECT_NEAR(double(span), 0.8 * double(hourMs), 1000);
    // The time under the pointer stays under it.
    EXPECT_NEAR(double(chart.fromMs()) + share * double(span), before, 0.01 * double(hourMs));
    EXPECT_FALSE(chart.isLive());
    // Dragging to the right by a tenth of the plot shows what came a tenth of the span earlier.
    const qint64 from = chart.fromMs();
    const int tenth = int(area.width() / 10);
    QTest::mousePress(chart.viewport(), Qt::LeftButton, {}, at);
    QTest::mouseMove(chart.viewport(), at + QPoint(tenth, 0));
    QTest::mouseRelease(chart.viewport(), Qt::LeftButton, {}, at + QPoint(tenth, 0));
    EXPECT_NEAR(double(from - chart.fromMs()), double(span) / 10, 0.01 * double(span));
}

TEST(MeteringChart, TheValueUnderThePointerReadsWithItsUnit)
{
    FakeMetricsSource source;
    source.add(key("if/eth0", "net_receive_bytes_per_second"),
               lastHour([](int) { return 12'500'000.0; }));
    ShownChart shown(&source, source.series());
    const QRectF area = shown.chart.chart()->plotArea();
    const QPoint inside = shown.chart.mapFromScene(shown.chart.chart()->mapToScene(area.center()));
    EXPECT_TRUE(
        shown.chart.valueTextAt(inside).endsWith(QStringLiteral("Bytes received 100 Mbit/s")))
        << shown.chart.valueTextAt(inside).toStdString();
    EXPECT_TRUE(shown.chart.valueTextAt(QPoint(1, 1)).isEmpty());
}

TEST(MeteringChart, ASeriesWithoutSamplesSaysWhenTheyWillCome)
{
    FakeMetricsSource source;
    source.add(key("if/eth0", "net_receive_bytes_per_second"), {});
    ShownChart shown(&source, source.series());
    EXPECT_EQ(shown.chart.emptyText(),
              QStringLiteral("No samples yet for web1 / eth0: the agent sends them every second "
                             "once metering runs"));
}

TEST(MeteringChart, AFailedQueryIsShownWithItsSeries)
{
    FakeMetricsSource source;
    source.add(key("if/eth0", "net_receive_bytes_per_second"), lastHour([](int) { return 1.0; }));
    source.failure = QStringLiteral("the project store is locked by another Converge");
    ShownChart shown(&source, source.series());
    EXPECT_EQ(shown.chart.emptyText(),
              QStringLiteral("Bytes received: the project store is locked by another Converge"));
}

TEST(MeteringPanel, GroupsAnEntitysSeriesIntoOneChartPerUnitFamily)
{
    FakeMetricsSource source;
    for (const char *metric : {"net_receive_bytes_per_second", "net_receive_packets_per_second",
                               "net_transmit_bytes_per_second", "net_receive_errors_per_second"})
        source.add(key("if/eth0", metric), lastHour([](int) { return 10.0; }));
    source.add(key("if/eth1", "net_receive_bytes_per_second"), {});
    source.add(key("", "memory_used_bytes"), {});
    MeteringPanel panel(&source, QStringLiteral("web1"), QStringLiteral("if/eth0"));
    ASSERT_EQ(panel.charts().size(), 2u);
    MeteringChart *traffic = panel.charts()[0];
    MeteringChart *packets = panel.charts()[1];
    EXPECT_EQ(traffic->chart()->title(), QStringLiteral("Traffic"));
    EXPECT_EQ(traffic->seriesKeys().size(), 2u); // receive and transmit, eth0's only
    EXPECT_EQ(traffic->valueAxis(1), nullptr);
    EXPECT_EQ(packets->chart()->title(), QStringLiteral("Packets and errors"));
    EXPECT_EQ(packets->seriesKeys().size(), 2u);
    EXPECT_NE(packets->valueAxis(1), nullptr); // packets and errors: an axis each
    EXPECT_EQ(panel.title(), QStringLiteral("web1 / eth0"));
}

// A host's panel: its total CPU (not each core), its memory, and the traffic of its interfaces
// (not loopback, not their packets or errors: each interface has its own panel for those).
TEST(MeteringPanel, TheHostPanelShowsCpuMemoryAndItsInterfacesTraffic)
{
    const auto groups = groupByUnit({key("", "memory_used_bytes"), key("cpu", "cpu_busy_percent"),
                                     key("", "memory_total_bytes")});
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0].title, QStringLiteral("CPU"));
    EXPECT_EQ(groups[1].keys.size(), 2u);
    FakeMetricsSource source;
    source.add(key("", "memory_used_bytes"), {});
    source.add(key("cpu", "cpu_busy_percent"), {});
    source.add(key("cpu3", "cpu_busy_percent"), {});
    source.add(key("if/eth0", "net_receive_bytes_per_second"), {});
    source.add(key("if/eth0", "net_receive_errors_per_second"), {});
    source.add(key("if/lo", "net_receive_bytes_per_second"), {});
    MeteringPanel panel(&source, QStringLiteral("web1"), {});
    ASSERT_EQ(panel.charts().size(), 3u);
    EXPECT_EQ(panel.charts()[0]->seriesKeys().size(), 1u); // total CPU, not each core
    EXPECT_EQ(panel.charts()[2]->seriesKeys(),
              std::vector<SeriesKey>{key("if/eth0", "net_receive_bytes_per_second")});
}

TEST(MeteringPanel, AnEntityWithoutSeriesSaysWhenTheyWillCome)
{
    FakeMetricsSource source;
    MeteringPanel panel(&source, QStringLiteral("web1"), QStringLiteral("if/eth9"));
    EXPECT_TRUE(panel.charts().empty());
    EXPECT_EQ(panel.emptyText(),
              QStringLiteral("No samples yet for web1 / eth9: the agent sends them every second "
                             "once metering runs"));
}

TEST(MeteringPanel, ChartsOfOnePanelShowOneTimeRange)
{
    FakeMetricsSource source;
    source.add(key("if/eth0", "net_receive_bytes_per_second"), {});
    source.add(key("if/eth0", "net_receive_packets_per_second"), {});
    MeteringPanel panel(&source, QStringLiteral("web1"), QStringLiteral("if/eth0"));
    ASSERT_EQ(panel.charts().size(), 2u);
    panel.charts()[0]->setTimeRange(now - hourMs, now);
    EXPECT_EQ(panel.charts()[1]->fromMs(), now - hourMs);
    EXPECT_FALSE(panel.charts()[1]->isLive());
    panel.showLast(5 * 60'000);
    EXPECT_TRUE(panel.charts()[1]->isLive());
    EXPECT_EQ(panel.charts()[1]->toMs() - panel.charts()[1]->fromMs(), 5 * 60'000);
}

TEST(MeteringDock, ShowMeteringOpensAnElementsPanelOnce)
{
    FakeMetricsSource source;
    MeteringDock dock(&source);
    MeteringPanel *first = dock.openMeteringFor(QStringLiteral("web1"), QStringLiteral("vm/42"),
                                                QStringLiteral("web1 / db-vm"));
    EXPECT_EQ(first->title(), QStringLiteral("web1 / db-vm"));
    dock.openMeteringFor(QStringLiteral("web1"), {});
    EXPECT_EQ(dock.openMeteringFor(QStringLiteral("web1"), QStringLiteral("vm/42")), first);
    EXPECT_EQ(dock.panelCount(), 2);
}

// docs/screenshots/metering-chart.png: CONVERGE_SCREENSHOT_DIR=docs/screenshots
// build/tests/views/metering_views_test --gtest_filter='*Screenshot*' (docs/screenshots/make.sh).
TEST(MeteringScreenshot, AnInterfacesChartsAt1280x800)
{
    const QString dir = qEnvironmentVariable("CONVERGE_SCREENSHOT_DIR");
    if (dir.isEmpty())
        GTEST_SKIP() << "set CONVERGE_SCREENSHOT_DIR to write docs/screenshots/metering-chart.png";
    FakeMetricsSource source;
    // Six hours of a web server's uplink, a sample a second: a slow swing, noise (the bands,
    // each column's min to max), a backup burst, a few send errors.
    auto wave = [](double base, double swing, int seed) {
        return lastHours(6, [=](int i) {
            const double noise = std::sin(i * 0.37 + seed) * std::sin(i * 0.071 * seed);
            const double burst = (i > 12600 && i < 13500) ? 4 : 1;
            return base * burst * (1 + swing * std::sin(i / 3600.0) + 0.25 * noise);
        });
    };
    source.add(key("if/eth0", "net_receive_bytes_per_second"), wave(9e6, 0.4, 1));
    source.add(key("if/eth0", "net_transmit_bytes_per_second"), wave(3e6, 0.3, 2));
    source.add(key("if/eth0", "net_receive_packets_per_second"), wave(9000, 0.4, 3));
    source.add(key("if/eth0", "net_transmit_errors_per_second"),
               lastHours(6, [](int i) { return i % 4000 == 0 ? 3.0 : 0.0; }));
    MeteringPanel panel(&source, QStringLiteral("web1"), QStringLiteral("if/eth0"));
    for (MeteringChart *chart : panel.charts())
        chart->setClock([] { return now; });
    panel.showLast(6 * hourMs);
    panel.resize(1280, 800);
    panel.show();
    int drawn = 0;
    for (MeteringChart *chart : panel.charts())
        QObject::connect(chart, &MeteringChart::redrawn, [&] { ++drawn; });
    ASSERT_TRUE(QTest::qWaitFor([&] { return drawn >= 2; }, 5000));
    QTest::qWait(300);
    EXPECT_TRUE(panel.grab().save(QDir(dir).filePath(QStringLiteral("metering-chart.png"))));
}

namespace {

// The main window: Show Metering (the menu, Ctrl+M, the diagram's context menu) opens the
// selected VM's charts from the project's source; a switch selected says what to select.
TEST(MeteringInTheMainWindow, ShowMeteringOpensTheSelectedVmsCharts)
{
    converge::views::MainWindow window;
    ASSERT_TRUE(window.openSample(converge::views::test::samplePath("smb-converged")));
    FakeMetricsSource local, project;
    window.setMetering(&local, QStringLiteral("console-host"));
    window.setProjectMetering(&project);
    ASSERT_TRUE(window.meteringDock());
    EXPECT_EQ(window.meteringDock()->panelCount(), 1); // this machine, at once
    const auto vms = window.design()->elements(converge::core::ElementKind::VirtualMachine);
    ASSERT_FALSE(vms.empty());
    window.session()->setSelection({vms.front()->id});
    ASSERT_TRUE(window.showMeteringForSelection());
    EXPECT_EQ(window.meteringDock()->panelCount(), 2);
    auto *panel = window.meteringDock()->findChildren<MeteringPanel *>().last();
    EXPECT_EQ(panel->entity(), QStringLiteral("vm/") + vms.front()->id);
    EXPECT_EQ(panel->host(), converge::core::hostOf(*window.design(), *vms.front())->name());
    // Again: the same tab, raised, not a second one.
    ASSERT_TRUE(window.showMeteringForSelection());
    EXPECT_EQ(window.meteringDock()->panelCount(), 2);
    const auto switches = window.design()->elements(converge::core::ElementKind::VirtualSwitch);
    window.session()->setSelection({switches.front()->id});
    EXPECT_FALSE(window.showMeteringForSelection());
    // The project's panels go with its source.
    window.setProjectMetering(nullptr);
    EXPECT_EQ(window.meteringDock()->panelCount(), 1);
}

} // namespace

namespace {

// A resource pool's panel: its VMs, from several hosts, side by side on one chart per unit.
TEST(MeteringPanel, APoolChartsItsVmsSideBySide)
{
    FakeMetricsSource source;
    const SeriesKey a{QStringLiteral("hv1"), QStringLiteral("vm/a"),
                      QStringLiteral("vm_cpu_cores")};
    const SeriesKey b{QStringLiteral("hv2"), QStringLiteral("vm/b"),
                      QStringLiteral("vm_cpu_cores")};
    const SeriesKey other{QStringLiteral("hv2"), QStringLiteral("vm/c"),
                          QStringLiteral("vm_cpu_cores")};
    const SeriesKey memory{QStringLiteral("hv1"), QStringLiteral("vm/a"),
                           QStringLiteral("vm_memory_bytes")};
    for (const SeriesKey &k : {a, b, other, memory})
        source.add(k, {});
    MeteringPanel panel(&source, {}, QStringLiteral("pool/p"), QStringLiteral("Tenants"));
    panel.setMembers({{QStringLiteral("hv1"), QStringLiteral("vm/a")},
                      {QStringLiteral("hv2"), QStringLiteral("vm/b")}});
    ASSERT_EQ(panel.charts().size(), 2u);
    EXPECT_EQ(panel.charts()[0]->seriesKeys(), (std::vector<SeriesKey>{a, b}));
    EXPECT_EQ(panel.charts()[1]->seriesKeys(), std::vector<SeriesKey>{memory});
}

} // namespace
