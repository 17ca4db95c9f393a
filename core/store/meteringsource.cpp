#include "meteringsource.h"

#include <algorithm>

namespace converge::core {

StoreMetricsSource::StoreMetricsSource(std::unique_ptr<MeteringStore> store, QObject *parent)
    : MetricsSource(parent)
    , m_store(std::move(store))
{
}

StoreMetricsSource::~StoreMetricsSource() = default;

std::vector<metering::SeriesKey> StoreMetricsSource::series(const QString &host) const
{
    auto list = m_store->seriesList(host);
    return list ? std::move(*list) : std::vector<metering::SeriesKey>{};
}

Result<std::vector<metering::ChartPoint>> StoreMetricsSource::query(const metering::SeriesKey &key,
                                                                    qint64 fromMs, qint64 toMs,
                                                                    int maxPoints) const
{
    return m_store->query(key, fromMs, toMs, maxPoints);
}

// The store's avg is the mean of the samples; the report wants an Average series' mean over
// time. With the samplers' regular interval the two are the same; area / count / span would
// need the spans the rollups do not keep.
std::optional<metering::SeriesTotals> StoreMetricsSource::totals(const metering::SeriesKey &key,
                                                                 qint64 fromMs, qint64 toMs)
{
    auto t = m_store->totals(key, fromMs, toMs);
    if (!t || t->count == 0)
        return std::nullopt;
    return metering::SeriesTotals{t->count, t->min, t->max, t->avg, t->area};
}

Result<void> StoreMetricsSource::store(metering::SampleBatch batch)
{
    qint64 latest = 0;
    for (const metering::SeriesSamples &s : batch.series)
        if (!s.samples.empty())
            latest = std::max(latest, s.samples.back().tMs);
    if (auto queued = m_store->ingest(std::move(batch)); !queued)
        return queued;
    if (auto committed = m_store->flush(); !committed)
        return committed;
    m_latestMs = std::max(m_latestMs.load(), latest);
    QMetaObject::invokeMethod(
        this, [this] { Q_EMIT samplesArrived(m_latestMs.load()); }, Qt::QueuedConnection);
    return {};
}

} // namespace converge::core
