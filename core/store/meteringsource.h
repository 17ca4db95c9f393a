#pragma once

#include "core/metering/metricssource.h"
#include "core/metering/report.h"
#include "core/store/meteringstore.h"

#include <atomic>

// The project store's metering as the views read it (MetricsSource: charts, dashboards) and as
// the Resource Metering report reads it (TotalsSource), and the one way samples get in from the
// console's feeds and its local sampler: store() commits a batch and then tells the charts.
namespace converge::core {

class StoreMetricsSource : public metering::MetricsSource, public metering::TotalsSource
{
    Q_OBJECT
public:
    explicit StoreMetricsSource(std::unique_ptr<MeteringStore> store, QObject *parent = nullptr);
    ~StoreMetricsSource() override;

    std::vector<metering::SeriesKey> series(const QString &host = {}) const override;
    Result<std::vector<metering::ChartPoint>> query(const metering::SeriesKey &key, qint64 fromMs,
                                                    qint64 toMs, int maxPoints) const override;
    std::optional<metering::SeriesTotals> totals(const metering::SeriesKey &key, qint64 fromMs,
                                                 qint64 toMs) override;

    // From any thread: queues BATCH, waits until it is committed, then emits samplesArrived
    // (queued to this object's thread). Blocks the caller (a feed's thread) at the disk's pace.
    Result<void> store(metering::SampleBatch batch);
    MeteringStore &meteringStore() { return *m_store; }

private:
    std::unique_ptr<MeteringStore> m_store;
    std::atomic<qint64> m_latestMs{0};
};

} // namespace converge::core
