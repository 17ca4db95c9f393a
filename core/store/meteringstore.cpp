#include "meteringstore.h"

#include "meteringwriter.h"
#include "projecttables.h"
#include "statement.h"

#include "core/logging.h"

#include <QFileInfo>

#include <cmath>
#include <future>
#include <utility>

// Why raw samples are stored in chunks (one row per series and minute, its samples packed in a
// blob: meteringchunk.h) rather than a row per sample: samples arrive a second of every series at
// a time, so rows keyed (series, ts) land on as many B-tree leaves as there are series, and each
// transaction rewrites all of them. bench-metering-ingest (medians of 5, one run each, 2 cores
// shared with other builds, 2026-12-07), a row per sample without rollups (64 MiB cache) against
// chunks with both rollups maintained: 1,000 series x 30 min 0.76 M against 4.0 M samples/s,
// 10,000 series x 5 min 0.23 M against 1.7 M; 29.6 against 15.1 bytes a sample on disk. A chunk
// row is rewritten while its minute is open, so every transaction leaves whole rows, and a crash
// loses nothing committed.
//
// This file: opening (schema), the writer thread and its queue. The writer's work is in
// meteringwriter.cpp, the reads (query, totals, series) in meteringstore_query.cpp.

namespace converge::core {

using metering::SampleBatch;

namespace {

// Version 1 of the metering tables, recorded in meta as meteringVersion (the project store's own
// storeVersion is left alone). Rollup rows are small and keyed by (series, start): WITHOUT ROWID
// saves the second index. Raw rows hold up to a minute's blob (about 700 bytes at 1 Hz), too
// wide for a WITHOUT ROWID table's pages, so they keep a rowid and a (series, t0) index.
constexpr int meteringVersion = 1;
constexpr const char schema[] = R"(
CREATE TABLE IF NOT EXISTS metering_series(
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL,
    entity TEXT NOT NULL,
    metric TEXT NOT NULL,
    UNIQUE(host, entity, metric));
CREATE TABLE IF NOT EXISTS metering_raw(
    series INTEGER NOT NULL,
    t0 INTEGER NOT NULL,
    t1 INTEGER NOT NULL,
    count INTEGER NOT NULL,
    samples BLOB NOT NULL,
    PRIMARY KEY(series, t0));
CREATE TABLE IF NOT EXISTS metering_minute(
    series INTEGER NOT NULL, start INTEGER NOT NULL, count INTEGER NOT NULL,
    min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, area REAL NOT NULL,
    PRIMARY KEY(series, start)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metering_hour(
    series INTEGER NOT NULL, start INTEGER NOT NULL, count INTEGER NOT NULL,
    min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, area REAL NOT NULL,
    PRIMARY KEY(series, start)) WITHOUT ROWID;
INSERT OR IGNORE INTO meta(key, value) VALUES('meteringVersion', '1');
)";

std::unexpected<Error> sqlError(sqlite3 *db, const QString &path, const QString &what)
{
    const QString message =
        QStringLiteral("%1: %2: %3").arg(path, what, QString::fromUtf8(sqlite3_errmsg(db)));
    qCWarning(lcStore).noquote() << message;
    return fail(Error::Code::Store, message);
}

Result<SqliteConnection> connect(const QString &path)
{
    sqlite3 *raw = nullptr;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    SqliteConnection db(raw);
    if (rc != SQLITE_OK)
        return sqlError(raw, path, QStringLiteral("cannot open"));
    sqlite3_busy_timeout(raw, 5000);
    // synchronous=NORMAL in WAL: a killed process loses nothing committed; a power cut may lose
    // the last transactions, which for metering is a second or two of samples, not a design.
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"})
        if (sqlite3_exec(raw, pragma, nullptr, nullptr, nullptr) != SQLITE_OK)
            return sqlError(raw, path, QString::fromUtf8(pragma));
    return db;
}

// Where a batch is wrong, in the words SampleBatch::fromJson uses.
QString checkSeries(const metering::SeriesSamples &series, qsizetype index)
{
    const auto where = [&](size_t j, char field, const char *problem) {
        return QStringLiteral("metering batch: series[%1] (%2): %3[%4] %5")
            .arg(index)
            .arg(series.key.toString().left(300))
            .arg(QLatin1Char(field))
            .arg(j)
            .arg(QLatin1String(problem));
    };
    for (size_t j = 0; j < series.samples.size(); ++j) {
        const metering::Sample &s = series.samples[j];
        if (!std::isfinite(s.value))
            return where(j, 'v', "is not a finite number");
        if (s.tMs < 0 || s.tMs > qint64(10'000'000'000'000))
            return where(j, 't', "is not a time in milliseconds");
        if (s.spanMs < 0 || s.spanMs > 86'400'000)
            return where(j, 's', "is not a span in milliseconds");
        if (j > 0 && s.tMs <= series.samples[j - 1].tMs)
            return where(j, 't', "does not rise");
    }
    return {};
}

} // namespace

void SqliteCloser::operator()(sqlite3 *db) const
{
    sqlite3_close_v2(db);
}

MeteringStore::MeteringStore(QString path)
    : m_path(std::move(path))
{
}

Result<std::unique_ptr<MeteringStore>> MeteringStore::open(const QString &path)
{
    if (!QFileInfo::exists(path))
        return fail(Error::Code::NotFound, QStringLiteral("%1: no such project store").arg(path));
    auto db = connect(path);
    if (!db)
        return std::unexpected(db.error());
    if (auto ok = sql::makeProjectTables(db->get(), path, "meteringVersion", meteringVersion,
                                         "metering", schema);
        !ok)
        return std::unexpected(ok.error());
    auto writer = MeteringWriter::create(std::move(*db), path);
    if (!writer)
        return std::unexpected(writer.error());
    std::unique_ptr<MeteringStore> store(new MeteringStore(path));
    store->m_writer = std::move(*writer);
    store->m_thread = std::thread([s = store.get()] { s->run(); });
    return store;
}

MeteringStore::~MeteringStore()
{
    {
        std::lock_guard guard(m_mutex);
        m_stopping = true;
        m_wake.notify_one();
    }
    if (m_thread.joinable())
        m_thread.join();
}

Result<void> MeteringStore::ingest(SampleBatch batch)
{
    for (size_t i = 0; i < batch.series.size(); ++i)
        if (const QString why = checkSeries(batch.series[i], qsizetype(i)); !why.isEmpty())
            return invalid(why);
    const qsizetype samples = batch.sampleCount();
    if (samples > 0)
        post(Job{std::move(batch), {}}, samples);
    return {};
}

void MeteringStore::post(Job job, qsizetype samples)
{
    std::unique_lock lock(m_mutex);
    // A batch larger than the whole queue still goes in, alone.
    m_room.wait(lock, [&] {
        return m_queuedSamples == 0 || m_queuedSamples + samples <= maxQueuedSamples;
    });
    m_queuedSamples += samples;
    m_jobs.push_back(std::move(job));
    m_wake.notify_one();
}

Result<void> MeteringStore::runOnWriter(std::move_only_function<Result<void>()> work)
{
    std::promise<Result<void>> done;
    auto result = done.get_future();
    post(Job{{},
             [&] {
                 done.set_value(work());
             }},
         0);
    return result.get();
}

Result<void> MeteringStore::flush()
{
    return runOnWriter([this]() -> Result<void> {
        std::lock_guard guard(m_mutex);
        if (auto error = std::exchange(m_writeError, std::nullopt))
            return std::unexpected(*error);
        return {};
    });
}

void MeteringStore::setRetention(const MeteringRetention &retention)
{
    std::lock_guard guard(m_mutex);
    m_retention = retention;
}

MeteringRetention MeteringStore::retention() const
{
    std::lock_guard guard(m_mutex);
    return m_retention;
}

Result<void> MeteringStore::applyRetention(qint64 nowMs)
{
    return runOnWriter([this, nowMs] { return m_writer->applyRetention(nowMs, retention()); });
}

MeteringStats MeteringStore::stats() const
{
    std::lock_guard guard(m_mutex);
    return m_stats;
}

// The writer thread: takes everything queued at once, so that a backlog becomes fewer, larger
// transactions; a control job (flush, retention) runs after the batches queued before it.
void MeteringStore::run()
{
    for (;;) {
        std::deque<Job> jobs;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return !m_jobs.empty() || m_stopping; });
            if (m_jobs.empty())
                return;
            jobs.swap(m_jobs);
            m_queuedSamples = 0;
            m_room.notify_all();
        }
        std::vector<SampleBatch> batches;
        for (Job &job : jobs) {
            if (job.control) {
                writeBatches(batches);
                job.control();
            } else {
                batches.push_back(std::move(job.batch));
            }
        }
        writeBatches(batches);
    }
}

void MeteringStore::writeBatches(std::vector<SampleBatch> &batches)
{
    if (batches.empty())
        return;
    MeteringStats delta;
    auto ok = m_writer->write(batches, delta);
    batches.clear();
    std::lock_guard guard(m_mutex);
    m_stats.committedSamples += delta.committedSamples;
    m_stats.ignoredSamples += delta.ignoredSamples;
    m_stats.rejectedSamples += delta.rejectedSamples;
    m_stats.failedSamples += delta.failedSamples;
    if (!ok && !m_writeError)
        m_writeError = ok.error();
}

Result<void> MeteringStore::withReader(const std::function<Result<void>(sqlite3 *)> &work) const
{
    SqliteConnection db;
    {
        std::lock_guard guard(m_readMutex);
        if (!m_idleReaders.empty()) {
            db = std::move(m_idleReaders.back());
            m_idleReaders.pop_back();
        }
    }
    if (!db) {
        auto made = connect(m_path);
        if (!made)
            return std::unexpected(made.error());
        db = std::move(*made);
    }
    auto result = work(db.get());
    std::lock_guard guard(m_readMutex);
    // A few idle connections serve the chart workers; more would only hold file handles.
    if (m_idleReaders.size() < 4)
        m_idleReaders.push_back(std::move(db));
    return result;
}

} // namespace converge::core
