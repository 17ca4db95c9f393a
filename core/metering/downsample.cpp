#include "downsample.h"

#include <algorithm>

namespace converge::core::metering {

Downsampler::Downsampler(qint64 fromMs, qint64 toMs, int maxPoints)
    : m_from(fromMs)
    , m_span(std::max<qint64>(toMs - fromMs, 1))
{
    // A column narrower than a millisecond would only repeat its neighbour.
    m_columns.resize(size_t(std::clamp<qint64>(maxPoints, 1, std::min<qint64>(m_span, 900'000))));
}

// Integer arithmetic, so that the column of a time and the start of a column agree exactly. The
// product fits 63 bits for spans up to 10^13 ms (the year 2286) and up to 900,000 columns.
qint64 Downsampler::columnOf(qint64 tMs) const
{
    return (tMs - m_from) * qint64(m_columns.size()) / m_span;
}

qint64 Downsampler::columnStart(qint64 column) const
{
    const qint64 n = qint64(m_columns.size());
    return m_from + (column * m_span + n - 1) / n;
}

void Downsampler::add(const Sample &sample)
{
    if (sample.tMs < m_from || sample.tMs - m_from >= m_span)
        return;
    m_columns[size_t(columnOf(sample.tMs))].add(sample);
}

void Downsampler::add(const Bucket &bucket)
{
    if (bucket.startMs < m_from || bucket.startMs - m_from >= m_span)
        return;
    m_columns[size_t(columnOf(bucket.startMs))].merge(bucket);
}

std::vector<ChartPoint> Downsampler::points() const
{
    std::vector<ChartPoint> out;
    for (size_t i = 0; i < m_columns.size(); ++i) {
        const Bucket &c = m_columns[i];
        if (c.count > 0)
            out.push_back({columnStart(qint64(i)), c.min, c.max, c.avg(), c.count});
    }
    return out;
}

std::vector<ChartPoint> downsample(std::span<const Sample> samples, qint64 fromMs, qint64 toMs,
                                   int maxPoints)
{
    Downsampler d(fromMs, toMs, maxPoints);
    for (const Sample &s : samples)
        d.add(s);
    return d.points();
}

std::vector<ChartPoint> downsample(std::span<const Bucket> buckets, qint64 fromMs, qint64 toMs,
                                   int maxPoints)
{
    Downsampler d(fromMs, toMs, maxPoints);
    for (const Bucket &b : buckets)
        d.add(b);
    return d.points();
}

} // namespace converge::core::metering
