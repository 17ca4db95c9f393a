// bench-alert-store [RUNS]: the project's alert log at its bound (AlertStore, 100,000 events):
// appending a batch of 100 events when the log is full (each append then prunes, keeping the
// raises of the alerts still open), reading the open alerts back (what a restart does) and the
// newest 1,000 events (what the alerts view lists). 1,000 alerts stay open while 5,000 series
// flap. Prints the median of RUNS (default 21) of each; appends commit with SQLite's default
// synchronous=FULL (an alert raised is on disk), so their figure is mostly the disk's flush.
#include "bench/benchstats.h"
#include "core/store/alertstore.h"
#include "core/store/projectstore.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <functional>

using namespace converge;
using namespace converge::core::metering;

namespace {

constexpr qint64 start = 1'700'000'000'000;

void check(bool ok, const char *what)
{
    if (!ok) {
        QTextStream(stderr) << "bench-alert-store: " << what << " failed\n";
        std::exit(1);
    }
}

double s_slowestMs = 0; // of the last medianMs

double medianMs(int runs, const std::function<void()> &work)
{
    return converge::bench::medianMs(runs, work, &s_slowestMs);
}

SeriesKey interfaceKey(int host, int n)
{
    return {QStringLiteral("hv%1").arg(host), QStringLiteral("if/eth%1").arg(n),
            QStringLiteral("net_receive_errors_per_second")};
}

// The next 100 events of the flapping series: a raise or a clear each, in turn.
std::vector<AlertEvent> flap(qint64 &seq)
{
    std::vector<AlertEvent> events;
    for (int i = 0; i < 100; ++i, ++seq) {
        const bool raise = (seq / 5000) % 2 == 0;
        events.push_back({raise ? AlertEvent::Type::Raised : AlertEvent::Type::Cleared,
                          QStringLiteral("if-receive-errors"),
                          interfaceKey(int(seq % 50), int(seq % 100)), 3, start + seq * 1000,
                          QStringLiteral("receive errors for 1 min")});
    }
    return events;
}

} // namespace

int main(int argc, char *argv[])
{
    const int runs = argc > 1 ? std::max(1, atoi(argv[1])) : 21;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bench.converge.db"));
    check(core::ProjectStore::create(path, core::Design{}).has_value(), "making the store");
    auto store = core::AlertStore::open(path);
    check(store.has_value(), "opening the alert store");
    std::vector<AlertEvent> open;
    for (int i = 0; i < 1000; ++i)
        open.push_back({AlertEvent::Type::Raised,
                        QStringLiteral("cpu-high"),
                        {QStringLiteral("hv%1").arg(i), QStringLiteral("cpu"),
                         QStringLiteral("cpu_busy_percent")},
                        93,
                        start,
                        QStringLiteral("cpu_busy_percent 93 % > 90 % for 5 min")});
    check((*store)->append(open).has_value(), "raising");
    qint64 seq = 0;
    QElapsedTimer filling;
    filling.start();
    while (*(*store)->eventCount() < core::AlertStore::defaultMaxEvents)
        check((*store)->append(flap(seq)).has_value(), "filling");
    const double fillS = double(filling.elapsed()) / 1000;
    const double append =
        medianMs(runs, [&] { check((*store)->append(flap(seq)).has_value(), "append"); });
    const double appendSlowest = s_slowestMs;
    std::size_t openCount = 0;
    const double reopen = medianMs(runs, [&] { openCount = (*store)->openAlerts()->size(); });
    const double recent =
        medianMs(runs, [&] { check((*store)->recentEvents(1000).has_value(), "recent"); });
    QTextStream out(stdout);
    out << "bench-alert-store: " << core::AlertStore::defaultMaxEvents << " events kept, "
        << openCount << " open (medians of " << runs << ")\n"
        << "  filling to the bound, batches of 100: " << fillS << " s\n"
        << "  append 100 events at the bound (with pruning): " << append << " ms (slowest "
        << appendSlowest << " ms)\n"
        << "  open alerts read back: " << reopen << " ms\n"
        << "  newest 1,000 events: " << recent << " ms\n";
    return 0;
}
