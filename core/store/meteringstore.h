#pragma once

#include "core/metering/downsample.h"
#include "core/metering/sample.h"
#include "core/util/result.h"

#include <QString>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

struct sqlite3;

namespace converge::core {

class MeteringWriter;

struct SqliteCloser
{
    void operator()(sqlite3 *db) const;
};
using SqliteConnection = std::unique_ptr<sqlite3, SqliteCloser>;

// How long each tier is kept (issue 15, "Store"); applyRetention() deletes what is older.
struct MeteringRetention
{
    qint64 rawMs = qint64(2) * 24 * 3'600'000;
    qint64 minuteMs = qint64(30) * 24 * 3'600'000;
    qint64 hourMs = qint64(2 * 365) * 24 * 3'600'000;
};

// A series over a period, for the Resource Metering report: avg is the mean of the samples;
// area is value x span summed (an Average series' total: bytes from bytes a second).
struct MeteringTotals
{
    qint64 count = 0;
    double min = 0;
    double max = 0;
    double avg = 0;
    double area = 0;
};

// What the writer did since the store was opened.
struct MeteringStats
{
    qint64 committedSamples = 0;
    // Samples not later than the last one stored for their series (a back-fill that overlaps
    // what arrived live): left out, counted here.
    qint64 ignoredSamples = 0;
    // Samples of series whose key is not valid (SeriesKey::parse would refuse it): left out.
    qint64 rejectedSamples = 0;
    // Samples lost because their transaction failed (the error is returned by flush()).
    qint64 failedSamples = 0;
};

// Metering time series in the project store's SQLite file (its own connections, WAL): raw samples
// and their 1-minute and 1-hour rollups, per-tier retention and queries that return no more
// points than a chart has pixels. The file must be a project store (ProjectStore::create); the
// metering_* tables are made on first open and belong to this class.
//
// ingest() hands batches to a writer thread that commits them in batched transactions, each with
// the rollups it changes, so a crash loses only what was not committed. query(), totals() and
// seriesList() read on the caller's thread through a read connection of their own, and may be
// called from several threads at once.
class MeteringStore
{
public:
    // ingest() blocks while this many samples wait for the writer, so memory stays bounded (this
    // many waiting plus the transaction being written, about 100 bytes a sample at most) and a
    // producer is slowed to the disk's pace instead of losing samples.
    static constexpr qsizetype maxQueuedSamples = 500'000;
    // query()'s maxPoints: a chart's width in pixels, at most this.
    static constexpr int maxChartPoints = 100'000;

    static Result<std::unique_ptr<MeteringStore>> open(const QString &path);
    ~MeteringStore(); // commits what is queued, then stops the writer
    MeteringStore(const MeteringStore &) = delete;
    MeteringStore &operator=(const MeteringStore &) = delete;

    const QString &path() const { return m_path; }

    // Checks every sample (a finite value, a time from 1970 to 2286, a span from 0 to a day, times
    // rising within each series) and queues the batch; an invalid batch is refused whole, with
    // where and what, and nothing of it is stored. A sample not later than the last one stored
    // for its series is left out and counted (MeteringStats::ignoredSamples). Series keys are
    // checked by the writer the first time it meets them (MeteringStats::rejectedSamples).
    Result<void> ingest(metering::SampleBatch batch);
    // Waits until everything queued before is committed; the first write error since the last
    // flush(), if any.
    Result<void> flush();

    void setRetention(const MeteringRetention &retention);
    MeteringRetention retention() const;
    // On the writer thread, after what is queued: deletes raw chunks, minute and hour buckets
    // wholly older than nowMs minus their tier's retention, by range per series.
    Result<void> applyRetention(qint64 nowMs);

    // At most maxPoints points over [fromMs, toMs) from the coarsest tier with a bucket per
    // column at least (falling back to a coarser one when retention removed the start of the
    // period), each keeping its column's min and max. An unknown series has no points.
    Result<std::vector<metering::ChartPoint>> query(const metering::SeriesKey &key, qint64 fromMs,
                                                    qint64 toMs, int maxPoints) const;
    // Over [fromMs, toMs): whole hours from the hour tier, whole minutes at the edges from the
    // minute tier, the rest from raw samples; exact while the tiers it reads are retained.
    Result<MeteringTotals> totals(const metering::SeriesKey &key, qint64 fromMs, qint64 toMs) const;
    // The series stored, of one host or (empty filter) of all, sorted by host, entity, metric.
    Result<std::vector<metering::SeriesKey>> seriesList(const QString &hostFilter = {}) const;

    MeteringStats stats() const;

private:
    struct Job
    {
        metering::SampleBatch batch;
        std::move_only_function<void()> control; // run alone, after the batches before it
    };

    explicit MeteringStore(QString path);
    Result<void> withReader(const std::function<Result<void>(sqlite3 *)> &work) const;
    void post(Job job, qsizetype samples);
    // Runs work on the writer thread after what is queued and waits for its result.
    Result<void> runOnWriter(std::move_only_function<Result<void>()> work);
    void run();
    void writeBatches(std::vector<metering::SampleBatch> &batches);

    const QString m_path;
    std::unique_ptr<MeteringWriter> m_writer; // used on the writer thread only

    mutable std::mutex m_readMutex;
    mutable std::vector<SqliteConnection> m_idleReaders;

    mutable std::mutex m_mutex; // guards what follows
    std::condition_variable m_wake;
    std::condition_variable m_room;
    std::deque<Job> m_jobs;
    qsizetype m_queuedSamples = 0;
    bool m_stopping = false;
    MeteringStats m_stats;
    std::optional<Error> m_writeError; // the first since the last flush()
    MeteringRetention m_retention;
    std::thread m_thread;
};

} // namespace converge::core
