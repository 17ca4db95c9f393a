#pragma once

#include "core/metering/downsample.h" // ChartPoint: one column of a chart, peaks kept
#include "core/metering/sample.h"

#include <QObject>

#include <vector>

// Where charts, the report and the dashboards read metering from (docs/metering.md): the
// project's store by default, Prometheus for fleets (issue 18), a fake in tests of the views.
// Views know only this interface.
namespace converge::core::metering {

class MetricsSource : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // The series known, of one host or (empty) all.
    virtual std::vector<SeriesKey> series(const QString &host = {}) const = 0;
    // At most maxPoints columns of KEY over [fromMs, toMs), each column's min and max the true
    // extremes of its samples. May take a while (disk): charts call it off the GUI thread, so
    // implementations are thread-safe.
    virtual Result<std::vector<ChartPoint>> query(const SeriesKey &key, qint64 fromMs, qint64 toMs,
                                                  int maxPoints) const = 0;

Q_SIGNALS:
    // New samples are readable, up to latestMs (live charts follow it).
    void samplesArrived(qint64 latestMs);
};

} // namespace converge::core::metering
