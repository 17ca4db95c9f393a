// bench-metering-ingest [SERIES] [MINUTES] [RUNS]: the metering store's ingest rate, rollups
// maintained. SERIES series (default 1,000) sampled once a second for MINUTES minutes (default
// 10), handed over as agents do, one batch a second holding one sample of each series, then
// flushed. Prints samples a second, median of RUNS (default 5) runs on a new project store each,
// and for comparison the same samples written as one row each (no rollups) the way
// meteringstore.cpp chose not to.
#include "bench/benchstats.h"
#include "core/store/meteringstore.h"
#include "core/store/projectstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace converge;
using namespace converge::core::metering;

namespace {

constexpr qint64 start = 1'700'000'000'000;

void check(bool ok, const char *what)
{
    if (!ok) {
        QTextStream(stderr) << "bench-metering-ingest: " << what << " failed\n";
        std::exit(1);
    }
}

std::vector<SeriesKey> makeKeys(int series)
{
    std::vector<SeriesKey> keys;
    for (int i = 0; i < series; ++i)
        keys.push_back({QStringLiteral("host%1").arg(i / 50), QStringLiteral("vnic/%1").arg(i),
                        QStringLiteral("net_receive_bytes_per_second")});
    return keys;
}

// One batch a second: a sample of every series.
std::vector<SampleBatch> makeBatches(const std::vector<SeriesKey> &keys, int seconds)
{
    std::vector<SampleBatch> batches;
    batches.resize(size_t(seconds));
    for (int s = 0; s < seconds; ++s) {
        batches[size_t(s)].series.reserve(keys.size());
        for (size_t k = 0; k < keys.size(); ++k) {
            const double v = 1e6 + 1e5 * std::sin(double(s) / 30 + double(k));
            batches[size_t(s)].series.push_back({keys[k], {{start + s * qint64(1000), v, 1000}}});
        }
    }
    return batches;
}

QString newStore(const QTemporaryDir &dir, int run)
{
    const QString path = dir.filePath(QStringLiteral("run%1.converge.db").arg(run));
    check(bool(core::ProjectStore::create(path, core::Design{})), "create project store");
    return path;
}

double storeRun(const QString &path, std::vector<SampleBatch> batches, qint64 samples)
{
    auto store = core::MeteringStore::open(path);
    check(bool(store), "open metering store");
    QElapsedTimer t;
    t.start();
    for (SampleBatch &b : batches)
        check(bool((*store)->ingest(std::move(b))), "ingest");
    check(bool((*store)->flush()), "flush");
    const double seconds = double(t.nsecsElapsed()) / 1e9;
    check((*store)->stats().committedSamples == samples, "every sample committed");
    return double(samples) / seconds;
}

// The alternative: a row per sample keyed (series, ts), 100,000 rows a transaction, in the order
// the samples arrive (a second of every series after another).
double rowsRun(const QString &path, const std::vector<SampleBatch> &batches, qint64 samples)
{
    sqlite3 *db = nullptr;
    check(sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK, "open rows store");
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
                 "CREATE TABLE raw(series "
                 "INTEGER, ts INTEGER, value REAL, span INTEGER, PRIMARY KEY(series, ts)) "
                 "WITHOUT ROWID",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt *insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO raw VALUES(?1, ?2, ?3, ?4)", -1, &insert, nullptr);
    QElapsedTimer t;
    t.start();
    qint64 n = 0;
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (const SampleBatch &b : batches) {
        for (size_t k = 0; k < b.series.size(); ++k) {
            for (const Sample &s : b.series[k].samples) {
                sqlite3_bind_int64(insert, 1, qint64(k));
                sqlite3_bind_int64(insert, 2, s.tMs);
                sqlite3_bind_double(insert, 3, s.value);
                sqlite3_bind_int64(insert, 4, s.spanMs);
                check(sqlite3_step(insert) == SQLITE_DONE, "insert row");
                sqlite3_reset(insert);
                if (++n % 100'000 == 0)
                    sqlite3_exec(db, "COMMIT; BEGIN", nullptr, nullptr, nullptr);
            }
        }
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    const double seconds = double(t.nsecsElapsed()) / 1e9;
    sqlite3_finalize(insert);
    sqlite3_close(db);
    return double(samples) / seconds;
}

using converge::bench::median;

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int series = argc > 1 ? std::atoi(argv[1]) : 1000;
    const int minutes = argc > 2 ? std::atoi(argv[2]) : 10;
    const int runs = argc > 3 ? std::atoi(argv[3]) : 5;
    const qint64 samples = qint64(series) * minutes * 60;
    const auto keys = makeKeys(series);
    QTemporaryDir dir;
    std::vector<double> store, rows;
    QString last, lastRows;
    for (int run = 0; run < runs; ++run) {
        last = newStore(dir, run);
        store.push_back(storeRun(last, makeBatches(keys, minutes * 60), samples));
        lastRows = dir.filePath(QStringLiteral("rows%1.db").arg(run));
        rows.push_back(rowsRun(lastRows, makeBatches(keys, minutes * 60), samples));
    }
    QTextStream out(stdout);
    out << QStringLiteral("%1 series x 1 s x %2 min = %3 samples, batches of one second\n")
               .arg(series)
               .arg(minutes)
               .arg(samples)
        << QStringLiteral("metering store (chunks, rollups maintained): %1 samples/s "
                          "(median of %2; min %3, max %4), %5 bytes a sample on disk\n")
               .arg(median(store), 0, 'f', 0)
               .arg(runs)
               .arg(*std::ranges::min_element(store), 0, 'f', 0)
               .arg(*std::ranges::max_element(store), 0, 'f', 0)
               .arg(double(QFileInfo(last).size()) / double(samples), 0, 'f', 1)
        << QStringLiteral("a row per sample, (series, ts) key, no rollups: %1 samples/s "
                          "(median of %2), %3 bytes a sample on disk\n")
               .arg(median(rows), 0, 'f', 0)
               .arg(runs)
               .arg(double(QFileInfo(lastRows).size()) / double(samples), 0, 'f', 1);
    return 0;
}
