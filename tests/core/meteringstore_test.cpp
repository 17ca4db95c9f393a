// The metering store (issue 15, "Store") on a real project store file: what is ingested comes
// back from queries and totals, rollups hold the right figures, a spike in a week survives a
// 2,000-point chart, retention deletes only what is old enough, the data outlives a reopen and
// bad input changes nothing.
#include "printers.h"

#include "core/store/meteringsource.h"
#include "core/store/meteringstore.h"
#include "core/store/projectstore.h"

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QTemporaryDir>

#include <sqlite3.h>
#include <sys/wait.h>

#include <csignal>
#include <thread>
#include <unistd.h>

using namespace converge::core;
using namespace converge::core::metering;

namespace {

constexpr qint64 hourMs = 3'600'000;
constexpr qint64 t0 = qint64(1'700'000'000'000) / hourMs * hourMs; // an hour boundary

const SeriesKey rx{QStringLiteral("h1"), QStringLiteral("vnic/a"),
                   QStringLiteral("net_receive_bytes_per_second")};
const SeriesKey memory{QStringLiteral("h2"), QString(), QStringLiteral("memory_used_bytes")};

// n samples of one series, a second apart from `from`, value(i), 1 s spans.
SampleBatch seconds(const SeriesKey &key, qint64 from, qint64 n,
                    const std::function<double(qint64)> &value)
{
    SampleBatch batch;
    batch.series.push_back({key, {}});
    for (qint64 i = 0; i < n; ++i)
        batch.series[0].samples.push_back({from + i * 1000, value(i), 1000});
    return batch;
}

class MeteringStoreTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("p.converge.db"));
        ASSERT_TRUE(ProjectStore::create(m_path, Design{}));
        reopen();
    }
    void reopen()
    {
        m_store.reset();
        auto store = MeteringStore::open(m_path);
        ASSERT_TRUE(store) << store.error().message.toStdString();
        m_store = std::move(*store);
    }
    void ingest(SampleBatch batch)
    {
        auto ok = m_store->ingest(std::move(batch));
        ASSERT_TRUE(ok) << ok.error().message.toStdString();
    }
    void flush()
    {
        auto ok = m_store->flush();
        ASSERT_TRUE(ok) << ok.error().message.toStdString();
    }
    std::vector<ChartPoint> query(const SeriesKey &key, qint64 from, qint64 to, int points)
    {
        auto r = m_store->query(key, from, to, points);
        EXPECT_TRUE(r) << r.error().message.toStdString();
        return r ? *r : std::vector<ChartPoint>{};
    }
    qint64 count(const char *sql) { return exec(sql, SQLITE_OPEN_READONLY); }
    qint64 exec(const char *sql, int flags = SQLITE_OPEN_READWRITE)
    {
        sqlite3 *db = nullptr;
        sqlite3_open_v2(m_path.toUtf8().constData(), &db, flags, nullptr);
        sqlite3_stmt *stmt = nullptr;
        sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
        const qint64 n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return n;
    }

    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<MeteringStore> m_store;
};

TEST_F(MeteringStoreTest, IngestedSamplesComeBackFromAQuery)
{
    ingest(seconds(rx, t0, 100, [](qint64 i) { return double(i * i); }));
    flush();
    // 100 s over 1,000 columns of 100 ms: raw samples, one a point.
    const auto points = query(rx, t0, t0 + 100'000, 1000);
    ASSERT_EQ(points.size(), 100U);
    for (qint64 i = 0; i < 100; ++i) {
        EXPECT_EQ(points[size_t(i)].tMs, t0 + i * 1000);
        EXPECT_DOUBLE_EQ(points[size_t(i)].max, double(i * i));
        EXPECT_EQ(points[size_t(i)].count, 1);
    }
    EXPECT_TRUE(query(memory, t0, t0 + 100'000, 1000).empty()); // never stored
    EXPECT_EQ(m_store->stats().committedSamples, 100);
}

TEST_F(MeteringStoreTest, RollupsHoldMinMaxAvgCountAndAreaAcrossTransactions)
{
    // 3 minutes in three transactions that end inside a minute: the minute rows merge deltas.
    const auto value = [](qint64 i) {
        return double(i % 60) + (i / 60) * 100.0;
    };
    ingest(seconds(rx, t0, 30, value));
    flush();
    auto rest = seconds(rx, t0, 180, value);
    auto &samples = rest.series[0].samples;
    ingest({{{rx, {samples.begin() + 30, samples.begin() + 100}}}});
    flush();
    ingest({{{rx, {samples.begin() + 100, samples.end()}}}});
    flush();
    // 3 hours over 180 columns: a minute a column.
    const auto minutes = query(rx, t0, t0 + 3 * hourMs, 180);
    ASSERT_EQ(minutes.size(), 3U);
    for (int m = 0; m < 3; ++m) {
        EXPECT_EQ(minutes[size_t(m)].tMs, t0 + m * 60'000);
        EXPECT_EQ(minutes[size_t(m)].count, 60);
        EXPECT_DOUBLE_EQ(minutes[size_t(m)].min, m * 100.0);
        EXPECT_DOUBLE_EQ(minutes[size_t(m)].max, m * 100.0 + 59);
        EXPECT_DOUBLE_EQ(minutes[size_t(m)].avg, m * 100.0 + 29.5);
    }
    // 10 days over 100 columns: hours.
    const auto hours = query(rx, t0, t0 + 240 * hourMs, 100);
    ASSERT_EQ(hours.size(), 1U);
    EXPECT_EQ(hours[0].count, 180);
    EXPECT_DOUBLE_EQ(hours[0].max, 259);
    auto totals = m_store->totals(rx, t0, t0 + hourMs);
    ASSERT_TRUE(totals);
    EXPECT_EQ(totals->count, 180);
    EXPECT_DOUBLE_EQ(totals->min, 0);
    // Bytes a second over 1 s spans: the total is the sum of the values.
    EXPECT_DOUBLE_EQ(totals->area, 3 * (59 * 30.0) + 60 * 100.0 + 60 * 200.0);
    EXPECT_EQ(count("SELECT count(*) FROM metering_minute"), 3);
    EXPECT_EQ(count("SELECT count(*) FROM metering_hour"), 1);
}

TEST_F(MeteringStoreTest, TotalsOverUnalignedPeriodsMatchTheSamples)
{
    const auto value = [](qint64 i) {
        return double((i * 7919) % 1000);
    };
    ingest(seconds(rx, t0, 3 * 3600, value));
    flush();
    // From 00:10:30.5 to 02:20:15: raw edges, minutes, whole hours, minutes, raw.
    const qint64 from = t0 + 630'500, to = t0 + 2 * hourMs + 1'215'000;
    double sum = 0, max = 0;
    qint64 n = 0;
    for (qint64 i = 0; i < 3 * 3600; ++i) {
        const qint64 t = t0 + i * 1000;
        if (t >= from && t < to) {
            sum += value(i);
            max = std::max(max, value(i));
            ++n;
        }
    }
    auto totals = m_store->totals(rx, from, to);
    ASSERT_TRUE(totals) << totals.error().message.toStdString();
    EXPECT_EQ(totals->count, n);
    EXPECT_DOUBLE_EQ(totals->area, sum);
    EXPECT_DOUBLE_EQ(totals->avg, sum / double(n));
    EXPECT_DOUBLE_EQ(totals->max, max);
}

TEST_F(MeteringStoreTest, AWeekQueriedTo2000PointsKeepsASpike)
{
    const qint64 week = 7 * 24 * 3600;
    const qint64 spikeAt = 345'678;
    for (qint64 from = 0; from < week; from += 3600)
        ingest(seconds(rx, t0 + from * 1000, 3600,
                       [&](qint64 i) { return from + i == spikeAt ? 5000.0 : 10.0; }));
    flush();
    const auto points = query(rx, t0, t0 + week * 1000, 2000);
    ASSERT_GE(points.size(), 1900U);
    ASSERT_LE(points.size(), 2000U);
    qint64 n = 0;
    int spikes = 0;
    for (const ChartPoint &p : points) {
        n += p.count;
        spikes += p.max == 5000.0 ? 1 : 0;
    }
    EXPECT_EQ(n, week);
    EXPECT_EQ(spikes, 1);
}

TEST_F(MeteringStoreTest, RetentionDeletesOnlyWhatIsOlderThanItsTier)
{
    // 4 hours of samples; keep raw 1 h, minutes 2 h, hours 2 h 30 min.
    ingest(seconds(rx, t0, 4 * 3600, [](qint64 i) { return double(i); }));
    flush();
    const qint64 now = t0 + 4 * hourMs;
    m_store->setRetention({hourMs, 2 * hourMs, 5 * hourMs / 2});
    ASSERT_TRUE(m_store->applyRetention(now));
    EXPECT_EQ(count("SELECT min(t0) FROM metering_raw"), now - hourMs);
    EXPECT_EQ(count("SELECT count(*) FROM metering_raw"), 60);
    EXPECT_EQ(count("SELECT min(start) FROM metering_minute"), now - 2 * hourMs);
    EXPECT_EQ(count("SELECT count(*) FROM metering_minute"), 120);
    // The first hour ended 3 h ago, more than 2 h 30 min: gone; the second ended 2 h ago: kept.
    EXPECT_EQ(count("SELECT min(start) FROM metering_hour"), t0 + hourMs);
    EXPECT_EQ(count("SELECT count(*) FROM metering_hour"), 3);
    // A fine chart of a period raw no longer holds falls back to the minutes kept.
    const auto points = query(rx, t0 + 2 * hourMs + 60'000, t0 + 2 * hourMs + 120'000, 600);
    ASSERT_EQ(points.size(), 1U);
    EXPECT_EQ(points[0].count, 60);
    // What was kept still reads as raw samples.
    EXPECT_EQ(query(rx, now - 60'000, now, 600).size(), 60U);
}

TEST_F(MeteringStoreTest, DataOutlivesAReopenAndLateSamplesAreIgnoredAndCounted)
{
    ingest(seconds(rx, t0, 30, [](qint64) { return 1.0; }));
    ingest(seconds(memory, t0, 10, [](qint64 i) { return 1e9 + double(i); }));
    flush();
    reopen();
    // The same minute goes on after the reopen; the first 30 s come again (a back-fill).
    ingest(seconds(rx, t0, 60, [](qint64) { return 1.0; }));
    flush();
    EXPECT_EQ(m_store->stats().ignoredSamples, 30);
    EXPECT_EQ(m_store->stats().committedSamples, 30);
    const auto minutes = query(rx, t0, t0 + 3 * hourMs, 180);
    ASSERT_EQ(minutes.size(), 1U);
    EXPECT_EQ(minutes[0].count, 60);
    EXPECT_EQ(query(rx, t0, t0 + 60'000, 60).size(), 60U);
    auto hosts = m_store->seriesList(QStringLiteral("h2"));
    ASSERT_TRUE(hosts);
    ASSERT_EQ(hosts->size(), 1U);
    EXPECT_EQ(hosts->front(), memory);
    auto all = m_store->seriesList();
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 2U);
}

TEST_F(MeteringStoreTest, BadInputChangesNothingAndSaysWhere)
{
    SampleBatch batch = seconds(memory, t0, 5, [](qint64) { return 1.0; });
    batch.series.push_back({rx, {{t0, 1, 1000}, {t0 + 1000, 2, 1000}, {t0 + 2000, NAN, 1000}}});
    auto refused = m_store->ingest(batch);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Error::Code::InvalidInput);
    EXPECT_TRUE(refused.error().message.contains(QLatin1String("series[1]")));
    EXPECT_TRUE(refused.error().message.contains(QLatin1String("v[2] is not a finite number")))
        << refused.error().message.toStdString();
    batch.series[1].samples[2].value = 3;
    batch.series[1].samples[2].tMs = t0 + 1000;
    auto backwards = m_store->ingest(batch);
    ASSERT_FALSE(backwards);
    EXPECT_TRUE(backwards.error().message.contains(QLatin1String("t[2] does not rise")));
    // A key the catalog does not know is left out by the writer, and counted.
    ingest(seconds({QStringLiteral("h1"), QString(), QStringLiteral("bogus")}, t0, 3,
                   [](qint64) { return 1.0; }));
    flush();
    EXPECT_EQ(m_store->stats().rejectedSamples, 3);
    auto series = m_store->seriesList();
    ASSERT_TRUE(series);
    EXPECT_TRUE(series->empty());
    EXPECT_TRUE(query(memory, t0, t0 + 60'000, 60).empty());
    auto period = m_store->query(rx, t0, t0, 10);
    ASSERT_FALSE(period);
    EXPECT_TRUE(period.error().message.contains(QLatin1String("must be before")));
    EXPECT_FALSE(m_store->query(rx, t0, t0 + 1000, 0));
}

TEST_F(MeteringStoreTest, AKilledWriterKeepsWhatWasCommittedWithItsRollups)
{
    m_store.reset(); // the child opens its own
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto store = MeteringStore::open(m_path);
        if (!store)
            _exit(2);
        (void)(*store)->ingest(seconds(rx, t0, 90, [](qint64 i) { return double(i); }));
        (void)(*store)->flush();
        // More samples, then the process dies with them queued or half written.
        for (qint64 b = 0; b < 50; ++b)
            (void)(*store)->ingest(
                seconds(rx, t0 + 90'000 + b * 60'000, 60, [](qint64 i) { return double(i); }));
        kill(getpid(), SIGKILL);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child did not die as planned: " << status;
    reopen();
    // Whatever was committed agrees across the tiers, and the flushed part is all there.
    const auto raw = m_store->totals(rx, t0, t0 + 90'000);
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->count, 90);
    const auto byMinutes = query(rx, t0, t0 + 3 * hourMs, 180);
    const auto all = m_store->totals(rx, t0, t0 + 180 * hourMs);
    ASSERT_TRUE(all);
    qint64 n = 0;
    for (const ChartPoint &p : byMinutes)
        n += p.count;
    EXPECT_EQ(n, all->count);
    EXPECT_EQ(count("SELECT sum(count) FROM metering_raw"), all->count);
    EXPECT_EQ(count("SELECT sum(count) FROM metering_hour"), all->count);
}

TEST_F(MeteringStoreTest, QueriesRunWhileTheWriterWrites)
{
    std::atomic<bool> done = false;
    std::atomic<int> failures = 0;
    qint64 lastSeen = 0;
    std::thread chart([&] {
        while (!done) {
            auto points = m_store->query(rx, t0, t0 + 24 * hourMs, 500);
            qint64 n = 0;
            for (const ChartPoint &p : points ? *points : std::vector<ChartPoint>{})
                n += p.count;
            // Never an error, never less than a moment ago: each read sees whole transactions.
            failures += !points || n < lastSeen ? 1 : 0;
            lastSeen = n;
        }
    });
    for (qint64 m = 0; m < 120; ++m)
        ingest(seconds(rx, t0 + m * 60'000, 60, [](qint64 i) { return double(i); }));
    flush();
    done = true;
    chart.join();
    EXPECT_EQ(failures, 0);
    const auto totals = m_store->totals(rx, t0, t0 + 2 * hourMs);
    ASSERT_TRUE(totals);
    EXPECT_EQ(totals->count, 7200);
}

TEST_F(MeteringStoreTest, ADamagedChunkIsReportedWithWhereItIs)
{
    ingest(seconds(rx, t0, 10, [](qint64) { return 1.0; }));
    flush();
    exec("UPDATE metering_raw SET samples = x'0102'");
    auto points = m_store->query(rx, t0, t0 + 10'000, 100);
    ASSERT_FALSE(points);
    EXPECT_TRUE(points.error().message.contains(QStringLiteral("the chunk of series 1 at %1 is "
                                                               "damaged")
                                                    .arg(t0)))
        << points.error().message.toStdString();
}

TEST(MeteringStoreOpenTest, RefusesAFileThatIsNotAProjectStore)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("other.db"));
    sqlite3 *db = nullptr;
    sqlite3_open(path.toUtf8().constData(), &db);
    sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    auto store = MeteringStore::open(path);
    ASSERT_FALSE(store);
    EXPECT_TRUE(store.error().message.contains(QLatin1String("not a project store")));
    EXPECT_EQ(MeteringStore::open(dir.filePath(QStringLiteral("none.db"))).error().code,
              Error::Code::NotFound);
}

} // namespace

namespace {

// What the views and the report read: samples stored from another thread come back from the
// source, charts hear of them, and a series without data has no totals (an empty report cell).
TEST(StoreMetricsSourceTest, StoredSamplesAreQueriedTotalledAndAnnounced)
{
    int argc = 0;
    QCoreApplication app(argc, nullptr);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("p.converge.db"));
    ASSERT_TRUE(ProjectStore::create(path, Design{}));
    auto store = MeteringStore::open(path);
    ASSERT_TRUE(store);
    StoreMetricsSource source(std::move(*store));
    qint64 announced = 0;
    QObject::connect(&source, &MetricsSource::samplesArrived, [&](qint64 t) { announced = t; });
    std::thread feed(
        [&] { EXPECT_TRUE(source.store(seconds(rx, t0, 120, [](qint64) { return 1000.0; }))); });
    feed.join();
    QCoreApplication::processEvents();
    EXPECT_EQ(announced, t0 + 119'000);
    EXPECT_EQ(source.series(QStringLiteral("h1")), std::vector<SeriesKey>{rx});
    auto points = source.query(rx, t0, t0 + 120'000, 10);
    ASSERT_TRUE(points);
    EXPECT_EQ(points->size(), 10U);
    const auto totals = source.totals(rx, t0, t0 + 120'000);
    ASSERT_TRUE(totals);
    EXPECT_EQ(totals->count, 120);
    EXPECT_DOUBLE_EQ(totals->area, 120'000.0); // 1,000 bytes a second for 2 minutes
    EXPECT_FALSE(source.totals(memory, t0, t0 + 120'000));
}

} // namespace
