#include "meteringwriter.h"

#include "core/logging.h"

#include <utility>

// The writer side of the metering store: one transaction per group of queued batches, raw chunks
// rewritten while their minute is open, rollup deltas merged into their rows. Why chunks: see the
// top of meteringstore.cpp.

namespace converge::core {

using metering::Bucket;
using metering::Sample;
using metering::SampleBatch;
using metering::SeriesKey;
using metering::Tier;
using sql::Statement;

namespace {

constexpr qint64 minuteMs = 60'000;

// A rollup row takes a delta: the store merges it into what an earlier transaction wrote for the
// same bucket (the bucket was still open then).
constexpr const char upsertBucketSql[] =
    "INSERT INTO metering_%1(series, start, count, min, max, sum, area) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(series, start) DO UPDATE SET "
    "count = count + excluded.count, min = min(min, excluded.min), "
    "max = max(max, excluded.max), sum = sum + excluded.sum, area = area + excluded.area";

} // namespace

MeteringWriter::MeteringWriter(SqliteConnection db, QString path)
    : m_db(std::move(db))
    , m_path(std::move(path))
{
}

Result<std::unique_ptr<MeteringWriter>> MeteringWriter::create(SqliteConnection db, QString path)
{
    std::unique_ptr<MeteringWriter> writer(new MeteringWriter(std::move(db), std::move(path)));
    if (auto ok = writer->prepare(); !ok)
        return std::unexpected(ok.error());
    return writer;
}

Result<void> MeteringWriter::prepare()
{
    sqlite3 *db = m_db.get();
    const auto make = [db](const QByteArray &sql) {
        return std::make_unique<Statement>(db, sql);
    };
    m_findSeries =
        make("SELECT id FROM metering_series WHERE host = ?1 AND entity = ?2 AND metric = ?3");
    m_insertSeries = make("INSERT INTO metering_series(host, entity, metric) VALUES(?1, ?2, ?3)");
    m_lastTime = make("SELECT t1 FROM metering_raw WHERE series = ?1 ORDER BY t0 DESC LIMIT 1");
    m_upsertChunk = make("INSERT INTO metering_raw(series, t0, t1, count, samples) "
                         "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(series, t0) DO UPDATE SET "
                         "t1 = excluded.t1, count = excluded.count, samples = excluded.samples");
    m_upsertMinute = make(QByteArray(upsertBucketSql).replace("%1", "minute"));
    m_upsertHour = make(QByteArray(upsertBucketSql).replace("%1", "hour"));
    for (const auto *s : {&m_findSeries, &m_insertSeries, &m_lastTime, &m_upsertChunk,
                          &m_upsertMinute, &m_upsertHour})
        if (!(*s)->ok())
            return sqlError(QStringLiteral("preparing the metering writer"));
    return {};
}

std::unexpected<Error> MeteringWriter::sqlError(const QString &what) const
{
    const QString message = QStringLiteral("%1: %2: %3")
                                .arg(m_path, what, QString::fromUtf8(sqlite3_errmsg(m_db.get())));
    qCWarning(lcStore).noquote() << message;
    return fail(Error::Code::Store, message);
}

Result<void> MeteringWriter::exec(const char *sql)
{
    if (sqlite3_exec(m_db.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlError(QString::fromUtf8(sql).left(60));
    return {};
}

Result<void> MeteringWriter::write(const std::vector<SampleBatch> &batches, MeteringStats &stats)
{
    Counts counts;
    auto ok = exec("BEGIN IMMEDIATE");
    if (ok)
        ok = writeAll(batches, counts);
    if (ok)
        ok = exec("COMMIT");
    if (!ok) {
        (void)exec("ROLLBACK");
        forget();
        for (const SampleBatch &b : batches)
            stats.failedSamples += b.sampleCount();
        return ok;
    }
    stats.committedSamples += counts.committed;
    stats.ignoredSamples += counts.ignored;
    stats.rejectedSamples += counts.rejected;
    return {};
}

Result<void> MeteringWriter::writeAll(const std::vector<SampleBatch> &batches, Counts &counts)
{
    for (const SampleBatch &batch : batches) {
        for (const metering::SeriesSamples &series : batch.series) {
            const auto index = stateFor(series.key);
            if (!index)
                return std::unexpected(index.error());
            SeriesState &state = m_states[size_t(*index)];
            if (state.rejected) {
                counts.rejected += qint64(series.samples.size());
                continue;
            }
            if (auto ok = add(state, series.samples, counts); !ok)
                return ok;
            if (!state.dirty)
                m_dirty.push_back(*index);
            state.dirty = true;
        }
    }
    for (const qsizetype index : std::exchange(m_dirty, {}))
        if (auto ok = finish(m_states[size_t(index)]); !ok)
            return ok;
    return {};
}

// The series' state, made on first sight: its key checked (once), its row found or inserted.
Result<qsizetype> MeteringWriter::stateFor(const SeriesKey &key)
{
    if (const auto it = m_index.constFind(key); it != m_index.cend())
        return *it;
    SeriesState state;
    if (auto parsed = SeriesKey::parse(key.toString()); !parsed) {
        qCWarning(lcStore).noquote() << QStringLiteral("%1: metering samples left out: %2")
                                            .arg(m_path, parsed.error().message);
        state.rejected = true;
    } else if (auto ok = loadState(key, state); !ok) {
        return std::unexpected(ok.error());
    }
    m_states.push_back(std::move(state));
    m_index.insert(key, qsizetype(m_states.size()) - 1);
    return qsizetype(m_states.size()) - 1;
}

Result<void> MeteringWriter::loadState(const SeriesKey &key, SeriesState &state)
{
    Statement &find = *m_findSeries;
    find.reset();
    find.bind(1, key.host);
    find.bind(2, key.entity);
    find.bind(3, key.metric);
    if (find.step() == SQLITE_ROW) {
        state.id = find.int64(0);
        m_lastTime->reset();
        m_lastTime->bind(1, state.id);
        if (m_lastTime->step() == SQLITE_ROW)
            state.lastMs = m_lastTime->int64(0);
        return {};
    }
    Statement &insert = *m_insertSeries;
    insert.reset();
    insert.bind(1, key.host);
    insert.bind(2, key.entity);
    insert.bind(3, key.metric);
    if (insert.step() != SQLITE_DONE)
        return sqlError(QStringLiteral("adding the series %1").arg(key.toString()));
    state.id = sqlite3_last_insert_rowid(m_db.get());
    return {};
}

Result<void> MeteringWriter::add(SeriesState &state, const std::vector<Sample> &samples,
                                 Counts &counts)
{
    for (const Sample &s : samples) {
        if (s.tMs <= state.lastMs) {
            ++counts.ignored;
            continue;
        }
        // A chunk holds one minute: a sample of a later minute closes it.
        if (!state.chunk.isEmpty() && metering::alignDown(s.tMs, minuteMs) !=
                                          metering::alignDown(state.chunk.firstMs(), minuteMs)) {
            if (auto ok = writeChunk(state); !ok)
                return ok;
            state.chunk = {};
        }
        state.chunk.append(s);
        state.chunkUnwritten = true;
        state.lastMs = s.tMs;
        ++counts.committed;
        if (auto ok = rollUp(state, s); !ok)
            return ok;
    }
    return {};
}

Result<void> MeteringWriter::rollUp(SeriesState &state, const Sample &sample)
{
    if (const auto closed = state.minute.add(sample))
        return writeMinute(state, *closed);
    return {};
}

// A minute (or a minute's delta) goes to its row and into its hour.
Result<void> MeteringWriter::writeMinute(SeriesState &state, const Bucket &minute)
{
    if (auto ok = writeBucket(*m_upsertMinute, state.id, minute); !ok)
        return ok;
    if (const auto closed = state.hour.add(minute))
        return writeBucket(*m_upsertHour, state.id, *closed);
    return {};
}

Result<void> MeteringWriter::writeBucket(Statement &upsert, qint64 series, const Bucket &b)
{
    upsert.reset();
    upsert.bind(1, series);
    upsert.bind(2, b.startMs);
    upsert.bind(3, b.count);
    upsert.bindReal(4, b.min);
    upsert.bindReal(5, b.max);
    upsert.bindReal(6, b.sum);
    upsert.bindReal(7, b.area);
    if (upsert.step() != SQLITE_DONE)
        return sqlError(QStringLiteral("writing a metering rollup"));
    return {};
}

Result<void> MeteringWriter::writeChunk(SeriesState &state)
{
    if (!state.chunkUnwritten)
        return {};
    Statement &upsert = *m_upsertChunk;
    upsert.reset();
    upsert.bind(1, state.id);
    upsert.bind(2, state.chunk.firstMs());
    upsert.bind(3, state.chunk.lastMs());
    upsert.bind(4, state.chunk.count());
    upsert.bindBlob(5, state.chunk.bytes());
    if (upsert.step() != SQLITE_DONE)
        return sqlError(QStringLiteral("writing metering samples"));
    state.chunkUnwritten = false;
    return {};
}

// The end of a transaction for a series it changed: the open chunk and the open buckets' deltas
// are written, so that what is committed is whole.
Result<void> MeteringWriter::finish(SeriesState &state)
{
    state.dirty = false;
    if (auto ok = writeChunk(state); !ok)
        return ok;
    if (const auto minute = state.minute.take())
        if (auto ok = writeMinute(state, *minute); !ok)
            return ok;
    if (const auto hour = state.hour.take())
        return writeBucket(*m_upsertHour, state.id, *hour);
    return {};
}

// Whole chunks and buckets older than the cut, one range per series and tier (the primary keys
// start with the series, so each delete walks one range of the index).
Result<void> MeteringWriter::applyRetention(qint64 nowMs, const MeteringRetention &retention)
{
    const qint64 hourMs = metering::tierWidthMs(Tier::Hour);
    // A chunk or bucket goes when its whole period ends at or before the cut.
    const qint64 rawBefore = metering::alignDown(nowMs - retention.rawMs, minuteMs);
    const qint64 minuteBefore = nowMs - retention.minuteMs - minuteMs + 1;
    const qint64 hourBefore = nowMs - retention.hourMs - hourMs + 1;
    Statement ids(m_db.get(), "SELECT id FROM metering_series");
    Statement raw(m_db.get(), "DELETE FROM metering_raw WHERE series = ?1 AND t0 < ?2");
    Statement minute(m_db.get(), "DELETE FROM metering_minute WHERE series = ?1 AND start < ?2");
    Statement hour(m_db.get(), "DELETE FROM metering_hour WHERE series = ?1 AND start < ?2");
    if (auto ok = exec("BEGIN IMMEDIATE"); !ok)
        return ok;
    bool done = ids.ok() && raw.ok() && minute.ok() && hour.ok();
    int row = SQLITE_DONE;
    while (done && (row = ids.step()) == SQLITE_ROW) {
        for (auto [remove, before] : {std::pair{&raw, rawBefore}, std::pair{&minute, minuteBefore},
                                      std::pair{&hour, hourBefore}}) {
            remove->reset();
            remove->bind(1, ids.int64(0));
            remove->bind(2, before);
            done = done && remove->step() == SQLITE_DONE;
        }
    }
    done = done && row == SQLITE_DONE;
    Result<void> ok = done ? exec("COMMIT") : sqlError(QStringLiteral("applying retention"));
    if (!ok)
        (void)exec("ROLLBACK");
    // Open chunks may have gone with the rest: start again from what is stored.
    forget();
    return ok;
}

void MeteringWriter::forget()
{
    m_index.clear();
    m_states.clear();
    m_dirty.clear();
}

} // namespace converge::core
