#include "meteringchunk.h"
#include "meteringstore.h"
#include "statement.h"

#include "core/logging.h"

// The metering store's reads, on the caller's thread with a pooled read connection: chart
// queries from the tier that fits the chart's width, totals for the report, the series known.

namespace converge::core {

using metering::Bucket;
using metering::Sample;
using metering::SeriesKey;
using metering::Tier;
using sql::Statement;

namespace {

// One read: its connection, the store's path for errors, the series' row id.
struct Reader
{
    sqlite3 *db;
    const QString &path;
    qint64 series = 0;

    std::unexpected<Error> error(const QString &what) const
    {
        const QString message =
            QStringLiteral("%1: %2: %3").arg(path, what, QString::fromUtf8(sqlite3_errmsg(db)));
        qCWarning(lcStore).noquote() << message;
        return fail(Error::Code::Store, message);
    }
};

const char *bucketTable(Tier tier)
{
    return tier == Tier::Hour ? "metering_hour" : "metering_minute";
}

// The series' row id; nothing for a series never stored.
Result<std::optional<qint64>> findSeries(const Reader &r, const SeriesKey &key)
{
    Statement find(
        r.db, "SELECT id FROM metering_series WHERE host = ?1 AND entity = ?2 AND metric = ?3");
    find.bind(1, key.host);
    find.bind(2, key.entity);
    find.bind(3, key.metric);
    const int rc = find.step();
    if (rc == SQLITE_ROW)
        return find.int64(0);
    if (rc != SQLITE_DONE)
        return r.error(QStringLiteral("finding the series %1").arg(key.toString()));
    return std::nullopt;
}

// The series' oldest time in a tier (a chunk's first sample, a bucket's start).
Result<std::optional<qint64>> oldest(const Reader &r, Tier tier)
{
    const QByteArray sql =
        tier == Tier::Raw
            ? QByteArray("SELECT min(t0) FROM metering_raw WHERE series = ?1")
            : QByteArray("SELECT min(start) FROM ") + bucketTable(tier) + " WHERE series = ?1";
    Statement first(r.db, sql);
    first.bind(1, r.series);
    if (first.step() != SQLITE_ROW)
        return r.error(QStringLiteral("reading the oldest metering time"));
    if (first.isNull(0))
        return std::nullopt;
    return first.int64(0);
}

// Buckets starting in [from, to), in time order.
Result<void> readBuckets(const Reader &r, Tier tier, qint64 from, qint64 to,
                         const std::function<void(const Bucket &)> &take)
{
    Statement read(r.db, QByteArray("SELECT start, count, min, max, sum, area FROM ") +
                             bucketTable(tier) +
                             " WHERE series = ?1 AND start >= ?2 AND start < ?3 ORDER BY start");
    read.bind(1, r.series);
    read.bind(2, from);
    read.bind(3, to);
    int rc = SQLITE_DONE;
    while ((rc = read.step()) == SQLITE_ROW)
        take(
            {read.int64(0), read.int64(1), read.real(2), read.real(3), read.real(4), read.real(5)});
    if (rc != SQLITE_DONE)
        return r.error(QStringLiteral("reading metering rollups"));
    return {};
}

// Samples with times in [from, to). A chunk never crosses a minute, so the chunks to read start
// at or after from's minute.
Result<void> readRaw(const Reader &r, qint64 from, qint64 to,
                     const std::function<void(const Sample &)> &take)
{
    Statement read(r.db, "SELECT t0, count, samples FROM metering_raw "
                         "WHERE series = ?1 AND t0 >= ?2 AND t0 < ?3 ORDER BY t0");
    read.bind(1, r.series);
    read.bind(2, metering::alignDown(from, metering::tierWidthMs(Tier::Minute)));
    read.bind(3, to);
    std::vector<Sample> samples;
    int rc = SQLITE_DONE;
    while ((rc = read.step()) == SQLITE_ROW) {
        samples.clear();
        if (!metering::SampleChunk::decode(read.bytes(2), read.int64(0), read.int64(1), samples))
            return fail(Error::Code::Store,
                        QStringLiteral("%1: metering_raw: the chunk of series %2 at %3 is damaged")
                            .arg(r.path)
                            .arg(r.series)
                            .arg(read.int64(0)));
        for (const Sample &s : samples)
            if (s.tMs >= from && s.tMs < to)
                take(s);
    }
    if (rc != SQLITE_DONE)
        return r.error(QStringLiteral("reading metering samples"));
    return {};
}

Tier coarser(Tier tier)
{
    return tier == Tier::Raw ? Tier::Minute : Tier::Hour;
}

// Whether a tier still holds the start of a period: its oldest data, in the next tier's
// buckets, is no later than the period's start or the next tier's oldest (a series that began
// inside the period is covered by every tier that kept its beginning).
Result<bool> covers(const Reader &r, Tier tier, qint64 from)
{
    const auto mine = oldest(r, tier);
    if (!mine)
        return std::unexpected(mine.error());
    const auto next = oldest(r, coarser(tier));
    if (!next)
        return std::unexpected(next.error());
    const std::optional<qint64> have = *mine, fallback = *next;
    if (!fallback.has_value())
        return true; // nothing coarser to fall back to
    if (!have.has_value())
        return false;
    const qint64 width = metering::tierWidthMs(coarser(tier));
    return metering::alignDown(have.value(), width) <=
           metering::alignDown(std::max(from, fallback.value()), width);
}

// The coarsest tier whose buckets are no wider than a column, or a coarser one that still holds
// the start of the period.
Result<Tier> chooseTier(const Reader &r, qint64 from, qint64 to, int maxPoints)
{
    const qint64 column = (to - from) / maxPoints;
    Tier tier = Tier::Raw;
    while (tier != Tier::Hour && metering::tierWidthMs(coarser(tier)) <= column)
        tier = coarser(tier);
    while (tier != Tier::Hour) {
        const auto ok = covers(r, tier, from);
        if (!ok)
            return std::unexpected(ok.error());
        if (*ok)
            break;
        tier = coarser(tier);
    }
    return tier;
}

qint64 alignUp(qint64 t, qint64 width)
{
    return metering::alignDown(t + width - 1, width);
}

// Totals over [from, to): whole hours from the hour tier, whole minutes at the edges from the
// minute tier, raw samples for the partial minutes at each end.
Result<void> readTotals(const Reader &r, qint64 from, qint64 to, Bucket &all)
{
    const auto addSample = [&](const Sample &s) {
        all.add(s);
    };
    const auto addBucket = [&](const Bucket &b) {
        all.merge(b);
    };
    const qint64 minute = metering::tierWidthMs(Tier::Minute);
    const qint64 hour = metering::tierWidthMs(Tier::Hour);
    const qint64 m1 = alignUp(from, minute), m2 = metering::alignDown(to, minute);
    if (m1 >= m2)
        return readRaw(r, from, to, addSample);
    const qint64 h1 = alignUp(from, hour), h2 = metering::alignDown(to, hour);
    struct Part
    {
        Tier tier;
        qint64 from, to;
    };
    std::vector<Part> parts{{Tier::Raw, from, m1}, {Tier::Raw, m2, to}};
    if (h1 < h2)
        parts.insert(parts.end(),
                     {{Tier::Minute, m1, h1}, {Tier::Hour, h1, h2}, {Tier::Minute, h2, m2}});
    else
        parts.push_back({Tier::Minute, m1, m2});
    for (const Part &p : parts) {
        if (p.from >= p.to)
            continue;
        auto ok = p.tier == Tier::Raw ? readRaw(r, p.from, p.to, addSample)
                                      : readBuckets(r, p.tier, p.from, p.to, addBucket);
        if (!ok)
            return ok;
    }
    return {};
}

QString checkPeriod(qint64 from, qint64 to)
{
    if (from >= to)
        return QStringLiteral("metering period: from (%1) must be before to (%2)")
            .arg(from)
            .arg(to);
    return {};
}

} // namespace

Result<std::vector<metering::ChartPoint>> MeteringStore::query(const SeriesKey &key, qint64 fromMs,
                                                               qint64 toMs, int maxPoints) const
{
    if (const QString why = checkPeriod(fromMs, toMs); !why.isEmpty())
        return invalid(why);
    if (maxPoints < 1 || maxPoints > maxChartPoints)
        return invalid(QStringLiteral("metering query: maxPoints %1 is not from 1 to %2")
                           .arg(maxPoints)
                           .arg(maxChartPoints));
    metering::Downsampler columns(fromMs, toMs, maxPoints);
    auto ok = withReader([&](sqlite3 *db) -> Result<void> {
        Reader r{db, m_path};
        const auto id = findSeries(r, key);
        if (!id || !*id)
            return id ? Result<void>{} : std::unexpected(id.error());
        r.series = **id;
        const auto tier = chooseTier(r, fromMs, toMs, maxPoints);
        if (!tier)
            return std::unexpected(tier.error());
        if (*tier == Tier::Raw)
            return readRaw(r, fromMs, toMs, [&](const Sample &s) { columns.add(s); });
        return readBuckets(r, *tier, fromMs, toMs, [&](const Bucket &b) { columns.add(b); });
    });
    if (!ok)
        return std::unexpected(ok.error());
    return columns.points();
}

Result<MeteringTotals> MeteringStore::totals(const SeriesKey &key, qint64 fromMs, qint64 toMs) const
{
    if (const QString why = checkPeriod(fromMs, toMs); !why.isEmpty())
        return invalid(why);
    Bucket all;
    auto ok = withReader([&](sqlite3 *db) -> Result<void> {
        Reader r{db, m_path};
        const auto id = findSeries(r, key);
        if (!id || !*id)
            return id ? Result<void>{} : std::unexpected(id.error());
        r.series = **id;
        return readTotals(r, fromMs, toMs, all);
    });
    if (!ok)
        return std::unexpected(ok.error());
    return MeteringTotals{all.count, all.min, all.max, all.avg(), all.area};
}

Result<std::vector<SeriesKey>> MeteringStore::seriesList(const QString &hostFilter) const
{
    std::vector<SeriesKey> keys;
    auto ok = withReader([&](sqlite3 *db) -> Result<void> {
        Statement list(db, "SELECT host, entity, metric FROM metering_series "
                           "WHERE ?1 = '' OR host = ?1 ORDER BY host, entity, metric");
        list.bind(1, hostFilter);
        int rc = SQLITE_DONE;
        while ((rc = list.step()) == SQLITE_ROW)
            keys.push_back({list.text(0), list.text(1), list.text(2)});
        if (rc != SQLITE_DONE)
            return Reader{db, m_path}.error(QStringLiteral("listing the metering series"));
        return {};
    });
    if (!ok)
        return std::unexpected(ok.error());
    return keys;
}

} // namespace converge::core
