// bench-metering-query [RUNS]: one series over 7 days of 1 s samples (604,800) in the metering
// store, then charts of it at 2,000 points: the whole week (the target: under 50 ms),
// a day and an hour. Prints the median of RUNS (default 21) queries each, and how long storing
// the week took.
#include "bench/benchstats.h"
#include "core/store/meteringstore.h"
#include "core/store/projectstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace converge;
using namespace converge::core::metering;

namespace {

constexpr qint64 start = 1'700'000'000'000;
constexpr qint64 week = qint64(7) * 24 * 3600;

void check(bool ok, const char *what)
{
    if (!ok) {
        QTextStream(stderr) << "bench-metering-query: " << what << " failed\n";
        std::exit(1);
    }
}

using converge::bench::medianMs;

// The week in batches of an hour, as a back-fill would bring it.
void storeWeek(core::MeteringStore &store, const SeriesKey &key)
{
    for (qint64 hour = 0; hour < week / 3600; ++hour) {
        SampleBatch batch;
        batch.series.push_back({key, {}});
        for (qint64 s = hour * 3600; s < (hour + 1) * 3600; ++s)
            batch.series[0].samples.push_back(
                {start + s * 1000, 50 + 40 * std::sin(double(s) / 600), 1000});
        check(bool(store.ingest(std::move(batch))), "ingest");
    }
    check(bool(store.flush()), "flush");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int runs = argc > 1 ? std::atoi(argv[1]) : 21;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bench.converge.db"));
    check(bool(core::ProjectStore::create(path, core::Design{})), "create project store");
    auto store = core::MeteringStore::open(path);
    check(bool(store), "open metering store");
    const SeriesKey key{QStringLiteral("host1"), QStringLiteral("cpu"),
                        QStringLiteral("cpu_busy_percent")};
    QElapsedTimer stored;
    stored.start();
    storeWeek(**store, key);
    QTextStream out(stdout);
    out << QStringLiteral("stored %1 samples of one series in %2 ms\n")
               .arg(week)
               .arg(stored.elapsed());
    for (const auto &[name, seconds] :
         {std::pair{"7 days", week}, std::pair{"1 day", qint64(86'400)},
          std::pair{"1 hour", qint64(3600)}}) {
        const qint64 to = start + week * 1000;
        std::size_t points = 0;
        const double ms = medianMs(runs, [&] {
            auto r = (*store)->query(key, to - seconds * 1000, to, 2000);
            check(bool(r), "query");
            points = r->size();
        });
        out << QStringLiteral("%1 to 2,000 points: %2 ms (median of %3), %4 points\n")
                   .arg(QLatin1String(name))
                   .arg(ms, 0, 'f', 2)
                   .arg(runs)
                   .arg(points);
    }
    return 0;
}
