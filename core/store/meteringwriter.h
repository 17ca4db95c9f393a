#pragma once

// Internal to the metering store (meteringstore*.cpp): not part of core's interface.

#include "meteringchunk.h"
#include "meteringstore.h"
#include "statement.h"

#include "core/metering/rollup.h"

#include <QHash>

#include <limits>

namespace converge::core {

// The metering store's writer connection and what it remembers per series between transactions:
// the series' row id, its last stored time, the open (current minute's) raw chunk and the rollup
// deltas not yet written. Used on the writer thread only.
class MeteringWriter
{
public:
    static Result<std::unique_ptr<MeteringWriter>> create(SqliteConnection db, QString path);

    // One transaction: the batches' samples and the rollups they change. On failure nothing of
    // them is stored and the writer forgets what it remembered (it reads it again as needed).
    Result<void> write(const std::vector<metering::SampleBatch> &batches, MeteringStats &stats);
    Result<void> applyRetention(qint64 nowMs, const MeteringRetention &retention);

private:
    struct SeriesState
    {
        qint64 id = 0;
        qint64 lastMs = std::numeric_limits<qint64>::min();
        bool rejected = false; // an invalid key: its samples are left out
        bool dirty = false;    // changed in the current transaction
        bool chunkUnwritten = false;
        metering::SampleChunk chunk;
        metering::RollupAccumulator minute{metering::Tier::Minute};
        metering::RollupAccumulator hour{metering::Tier::Hour};
    };
    struct Counts
    {
        qint64 committed = 0;
        qint64 ignored = 0;
        qint64 rejected = 0;
    };

    MeteringWriter(SqliteConnection db, QString path);
    Result<void> prepare();
    Result<void> exec(const char *sql);
    std::unexpected<Error> sqlError(const QString &what) const;
    Result<void> writeAll(const std::vector<metering::SampleBatch> &batches, Counts &counts);
    Result<qsizetype> stateFor(const metering::SeriesKey &key);
    Result<void> loadState(const metering::SeriesKey &key, SeriesState &state);
    Result<void> add(SeriesState &state, const std::vector<metering::Sample> &samples,
                     Counts &counts);
    Result<void> rollUp(SeriesState &state, const metering::Sample &sample);
    Result<void> writeChunk(SeriesState &state);
    Result<void> writeMinute(SeriesState &state, const metering::Bucket &minute);
    Result<void> writeBucket(sql::Statement &upsert, qint64 series, const metering::Bucket &b);
    Result<void> finish(SeriesState &state);
    void forget();

    SqliteConnection m_db;
    const QString m_path;
    QHash<metering::SeriesKey, qsizetype> m_index; // into m_states: stable across inserts
    std::vector<SeriesState> m_states;
    std::vector<qsizetype> m_dirty;
    std::unique_ptr<sql::Statement> m_findSeries, m_insertSeries, m_lastTime, m_upsertChunk,
        m_upsertMinute, m_upsertHour;
};

} // namespace converge::core
