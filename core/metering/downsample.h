#pragma once

#include "core/metering/rollup.h"

#include <span>
#include <vector>

// Downsampling for charts (issue 15, "Store"): a period cut into as many columns as the chart has
// pixels, one point per column that holds data, with the column's min and max so that a single
// spike in a week of data is still drawn.
namespace converge::core::metering {

struct ChartPoint
{
    qint64 tMs = 0; // the column's start
    double min = 0;
    double max = 0;
    double avg = 0; // the mean of the samples in the column
    qint64 count = 0;
    friend bool operator==(const ChartPoint &, const ChartPoint &) = default;
};

// Columns over [fromMs, toMs): column i starts at fromMs + ceil(i x (toMs - fromMs) / columns).
// Samples count in the column their tMs falls in, buckets in the column their startMs falls in;
// anything outside [fromMs, toMs) is left out. Fewer columns than asked when the period is
// shorter than that many milliseconds.
class Downsampler
{
public:
    // Needs fromMs < toMs and 1 <= maxPoints <= 900,000 (checked by the caller; clamped here).
    Downsampler(qint64 fromMs, qint64 toMs, int maxPoints);

    void add(const Sample &sample);
    void add(const Bucket &bucket);
    // The columns that hold data, in time order.
    std::vector<ChartPoint> points() const;

private:
    qint64 columnOf(qint64 tMs) const;
    qint64 columnStart(qint64 column) const;

    qint64 m_from;
    qint64 m_span;
    std::vector<Bucket> m_columns;
};

std::vector<ChartPoint> downsample(std::span<const Sample> samples, qint64 fromMs, qint64 toMs,
                                   int maxPoints);
std::vector<ChartPoint> downsample(std::span<const Bucket> buckets, qint64 fromMs, qint64 toMs,
                                   int maxPoints);

} // namespace converge::core::metering
